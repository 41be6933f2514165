"""Change tracking (registry/store.py): the version that last changed each entry, tombstones for
removed ones, and ``RegistryStore.changes(since)``, through every path that writes the registry;
and migration 0004."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from alembic import command
from small_registry import SMALL_REGISTRY
from sqlalchemy import Engine, inspect, text
from sqlalchemy.orm import Session

from registry import db
from registry.db import make_engine, make_sessionmaker, upgrade
from registry.files import RegistryData, parse_registry
from registry.models import UserRow
from registry.moderation import Moderation
from registry.store import RegistryChanges, RegistryStore
from verifier.core.index import BlockEntry, ReviewedDomain

SOURCE = "https://example.org/source"
PASSWORD = "a long enough password"
REVIEW = ReviewedDomain("duolingo.com", "A language course", "2026-11-04")


def _small() -> RegistryData:
    return parse_registry(SMALL_REGISTRY)


def _nothing_since(changes: RegistryChanges) -> bool:
    return not any(
        (
            changes.platforms,
            changes.removed_platforms,
            changes.blocklist,
            changes.removed_blocklist,
            changes.reviewed,
            changes.removed_reviewed,
        )
    )


@pytest.fixture
def users(store: RegistryStore, session: Session) -> tuple[UserRow, UserRow]:
    """Two moderators: a proposal needs a second one to approve it."""
    mod = Moderation(session)
    alice = mod.create_user("alice", "moderator", PASSWORD)
    bob = mod.create_user("bob", "moderator", PASSWORD)
    session.commit()
    return alice, bob


def _approved(session: Session, users: tuple[UserRow, UserRow], action: str, **fields: Any) -> int:
    """Propose as alice, approve as bob, commit; the registry version after."""
    mod = Moderation(session)
    row = mod.propose(users[0], action, note="a note", **fields)
    mod.approve(users[1], row.id)
    session.commit()
    return mod.store.version()


# --- imports ---------------------------------------------------------------------------------


def test_a_first_import_changes_everything(store: RegistryStore) -> None:
    changes = store.changes(0)
    assert changes.version == 1
    assert [p.slug for p in changes.platforms] == sorted(
        p["slug"] for p in SMALL_REGISTRY["platforms"]
    )
    assert len(changes.blocklist) == 2
    assert _nothing_since(store.changes(1))


def test_importing_the_same_file_again_changes_nothing(
    store: RegistryStore, session: Session
) -> None:
    store.import_data(_small())
    store.import_data(_small(), replace=True)
    session.commit()
    assert store.version() == 3
    assert _nothing_since(store.changes(1))


def test_a_merge_import_stamps_only_what_it_changes(store: RegistryStore, session: Session) -> None:
    data = _small()
    icbc = next(p for p in data.platforms if p.slug == "icbc")
    renamed = dataclasses.replace(icbc, name_en="ICBC Ltd")
    store.import_data(RegistryData((renamed,), (), (REVIEW,)))
    session.commit()
    changes = store.changes(1)
    assert [p.slug for p in changes.platforms] == ["icbc"]
    assert changes.platforms[0].name_en == "ICBC Ltd"
    assert changes.reviewed == (REVIEW,)
    assert not changes.blocklist and not changes.removed_platforms


def test_replace_leaves_tombstones_for_what_it_deletes(
    store: RegistryStore, session: Session
) -> None:
    data = _small()
    kept = tuple(p for p in data.platforms if p.slug != "pinduoduo")
    store.import_data(RegistryData(kept, data.blocklist[:1], ()), replace=True)
    session.commit()
    changes = store.changes(1)
    assert changes.version == 2
    assert changes.removed_platforms == ("pinduoduo",)
    removed = data.blocklist[1]
    assert changes.removed_blocklist == ((removed.kind, removed.value),)
    # What the replace wrote again unchanged is not sent again.
    assert changes.platforms == () and changes.blocklist == ()
    assert _nothing_since(store.changes(2))


def test_an_entry_removed_and_added_again_is_changed_not_removed(
    store: RegistryStore, session: Session
) -> None:
    data = _small()
    store.import_data(RegistryData(data.platforms[:1], (), ()), replace=True)
    session.commit()
    store.import_data(data, replace=True)
    session.commit()
    changes = store.changes(1)
    assert changes.removed_platforms == () and changes.removed_blocklist == ()
    # Removed at 2, back at 3: a client at 2 must add them again.
    again = store.changes(2)
    assert {p.slug for p in again.platforms} == {p.slug for p in data.platforms[1:]}
    assert set(again.blocklist) == set(data.blocklist)


def test_a_removed_review_is_listed(store: RegistryStore, session: Session) -> None:
    store.import_data(RegistryData((), (), (REVIEW,)))
    session.commit()
    store.import_data(_small(), replace=True)
    session.commit()
    assert store.changes(2).removed_reviewed == ("duolingo.com",)
    # Added and removed after 1: a client at 1 never had it, and removing it is a no-op.
    assert store.changes(1).removed_reviewed == ("duolingo.com",)


def test_a_failed_write_leaves_no_stamp_behind(store: RegistryStore, session: Session) -> None:
    store.import_data(RegistryData((), (), (REVIEW,)))
    session.rollback()
    store.import_data(RegistryData((), (), (REVIEW,)))
    session.commit()
    assert store.version() == 2
    assert store.changes(1).reviewed == (REVIEW,)


# --- moderation ------------------------------------------------------------------------------


def test_an_approved_channel_changes_its_platform_only(
    store: RegistryStore, session: Session, users: tuple[UserRow, UserRow]
) -> None:
    channel = {
        "kind": "phone",
        "value": "+86 400 123 4567",
        "label": {"zh": "客服热线", "en": "Hotline"},
        "source": SOURCE,
        "verified_on": "2026-11-30",
    }
    version = _approved(session, users, "add_channel", platform="icbc", channel=channel)
    assert version == 2
    changes = store.changes(1)
    assert [p.slug for p in changes.platforms] == ["icbc"]
    assert "+864001234567" in {c.value for c in changes.platforms[0].channels}
    assert _nothing_since(store.changes(2))


@pytest.mark.parametrize(
    ("action", "fields"),
    [
        # Editing a platform's fields.
        ("edit_platform", {"platform": {"slug": "icbc", "aliases": ["工行"]}}),
        # Retiring a channel: the platform is sent whole, with the channel now retired.
        (
            "retire_channel",
            {"platform": "icbc", "channel": {"kind": "phone", "value": "95588"}, "source": SOURCE},
        ),
        # A new platform.
        ("add_platform", {"platform": {"slug": "new-bank", "name": {"zh": "新银行"}}}),
    ],
)
def test_every_platform_action_stamps_the_platform(
    store: RegistryStore,
    session: Session,
    users: tuple[UserRow, UserRow],
    action: str,
    fields: dict[str, Any],
) -> None:
    _approved(session, users, action, **fields)
    platform = fields["platform"]
    slug = platform if isinstance(platform, str) else platform["slug"]
    assert [p.slug for p in store.changes(1).platforms] == [slug]


def test_blocklist_additions_and_removals_are_tracked(
    store: RegistryStore, session: Session, users: tuple[UserRow, UserRow]
) -> None:
    entry = {"kind": "domain", "value": "icbc-kefu.top", "impersonates": "icbc", "evidence": SOURCE}
    added = _approved(session, users, "add_blocklist", entry=entry)
    assert [b.value for b in store.changes(added - 1).blocklist] == ["icbc-kefu.top"]
    removed = _approved(
        session,
        users,
        "remove_blocklist",
        entry={"kind": "domain", "value": "hk.alipayc05.cc"},
        source=SOURCE,
    )
    changes = store.changes(removed - 1)
    assert changes.removed_blocklist == (("domain", "hk.alipayc05.cc"),)
    assert changes.blocklist == ()


def test_an_approved_import_stamps_below_the_final_version(
    store: RegistryStore, session: Session, users: tuple[UserRow, UserRow]
) -> None:
    registry = {**SMALL_REGISTRY, "blocklist": SMALL_REGISTRY["blocklist"][:1]}
    version = _approved(session, users, "import", registry=registry, replace_all=True)
    # The import and the approval each raise the version, as before change tracking.
    assert version == 3
    assert store.changes(1).removed_blocklist == (("phone", "+864009998888"),)
    assert _nothing_since(store.changes(3))


# --- the migration ---------------------------------------------------------------------------


@pytest.fixture
def fresh_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def test_migration_0004_stamps_existing_rows_and_downgrades_keeping_them(
    fresh_engine: Engine,
) -> None:
    upgrade(fresh_engine, "0003")
    with make_sessionmaker(fresh_engine)() as session:
        # A registry written under 0003, at version 5.
        session.execute(
            text(
                "INSERT INTO platform (slug, name_zh, name_en, aliases, category, country, "
                "phone_support) VALUES ('bank', '银行', 'Bank', '[]', 'bank', 'CN', 'listed')"
            )
        )
        session.execute(
            text(
                "INSERT INTO channel (platform_id, position, kind, value, label_zh, label_en, "
                "status, scope, source, verified_on) VALUES (1, 0, 'domain', 'bank.cn', '', '', "
                "'active', 'subdomains', 'https://bank.cn', '2026-11-01')"
            )
        )
        session.execute(text("UPDATE registry_meta SET version = 5"))
        session.commit()

    upgrade(fresh_engine)
    assert inspect(fresh_engine).has_table("registry_tombstone")
    with make_sessionmaker(fresh_engine)() as session:
        store = RegistryStore(session)
        # Changes are known from the migration on; what existed then is not a change.
        assert store.version() == 5 and store.changes_tracked_since() == 5
        assert _nothing_since(store.changes(5))
        store.import_data(
            RegistryData((), (BlockEntry("domain", "bank-cn.top", None, "e", "2026-11-30"),), ())
        )
        session.commit()
        assert [b.value for b in store.changes(5).blocklist] == ["bank-cn.top"]

    command.downgrade(db._alembic_config(fresh_engine), "0003")
    assert not inspect(fresh_engine).has_table("registry_tombstone")
    with fresh_engine.connect() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns("platform")}
        assert "changed_in" not in columns
        # The registry survives the downgrade: the platform, its channel, the new entry.
        assert connection.execute(text("SELECT count(*) FROM channel")).scalar() == 1
        assert connection.execute(text("SELECT count(*) FROM block_entry")).scalar() == 1
        assert connection.execute(text("SELECT version FROM registry_meta")).scalar() == 6
