"""RegistryStore (registry/store.py) on a real, migrated SQLite database per test."""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from small_registry import SMALL_REGISTRY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from registry.files import RegistryData, RegistryFileError, load_registry_file, parse_registry
from registry.store import RegistryStore
from verifier.core.check import check
from verifier.core.index import BlockEntry, Channel, Platform

SOURCE = "https://example.org/source"


def _small() -> RegistryData:
    return parse_registry(SMALL_REGISTRY)


def _sorted(data: RegistryData) -> RegistryData:
    """``data`` in the store's reading order: platforms by slug, block entries by kind, value."""
    return RegistryData(
        tuple(sorted(data.platforms, key=lambda p: p.slug)),
        tuple(sorted(data.blocklist, key=lambda b: (b.kind, b.value))),
    )


def _platform(slug: str, *values: str, **fields: Any) -> Platform:
    channels = tuple(Channel("phone", v, source=SOURCE, verified_on="2026-11-03") for v in values)
    return Platform(slug, fields.pop("name_zh", slug), channels=channels, **fields)


def _snapshot(sessions: sessionmaker[Session]) -> tuple[int, RegistryData]:
    """The committed registry, read through a fresh session."""
    with sessions() as fresh:
        other = RegistryStore(fresh)
        return other.version(), other.data()


# --- an empty registry ------------------------------------------------------------------------


def test_a_migrated_database_starts_empty(session: Session) -> None:
    store = RegistryStore(session)
    assert store.version() == 0
    assert store.is_empty()
    assert store.platforms() == [] and store.blocklist() == []
    assert store.stats() == {
        "registry_version": 0,
        "platforms": 0,
        "channels": 0,
        "channels_by_kind": {},
        "channels_by_status": {},
        "blocklist": 0,
        "reviewed": 0,
        "by_trust": {
            "verified": {"platforms": 0, "channels": 0, "channels_by_kind": {}},
            "community": {"platforms": 0, "channels": 0, "channels_by_kind": {}},
        },
    }
    assert store.build_index().platforms == ()


# --- importing --------------------------------------------------------------------------------


def test_import_gives_back_the_same_registry(
    store: RegistryStore, sessions: sessionmaker[Session]
) -> None:
    assert not store.is_empty()
    version, data = _snapshot(sessions)
    assert version == 1
    # Entry for entry, values, labels, scopes, statuses, sources and dates included.
    assert data == _sorted(_small())


def test_import_counts(session: Session) -> None:
    counts = RegistryStore(session).import_data(_small(), replace=True)
    assert counts == {"platforms": 5, "channels": 10, "blocklist": 2, "reviewed": 0}


def test_version_rises_with_every_import(store: RegistryStore, session: Session) -> None:
    assert store.version() == 1
    store.import_data(_small())
    assert store.version() == 2
    store.import_data(_small(), replace=True)
    assert store.version() == 3
    store.import_data(RegistryData((), ()))
    assert store.version() == 4
    session.commit()
    assert store.bump_version() == 5


def test_replace_makes_the_registry_exactly_the_data(
    store: RegistryStore, session: Session
) -> None:
    store.import_data(RegistryData((_platform("newco", "95123"),), ()), replace=True)
    session.commit()
    assert [p.slug for p in store.platforms()] == ["newco"]
    assert store.blocklist() == []


def test_merge_keeps_other_platforms_and_replaces_a_platforms_channels_as_a_whole(
    store: RegistryStore, session: Session
) -> None:
    before = {p.slug: p for p in store.platforms()}
    icbc = replace(_platform("icbc", "95566"), name_zh="工商银行新名", phone_support="listed")
    store.import_data(RegistryData((icbc,), ()))
    session.commit()
    after = {p.slug: p for p in store.platforms()}
    # Every other platform is untouched.
    assert set(after) == set(before)
    for slug in set(before) - {"icbc"}:
        assert after[slug] == before[slug]
    # ICBC's old channels are gone, not merged with the new one.
    assert [(c.kind, c.value) for c in after["icbc"].channels] == [("phone", "95566")]
    assert after["icbc"].name_zh == "工商银行新名"
    # The blocklist is kept.
    assert len(store.blocklist()) == 2


def test_reimporting_the_same_channels_works(
    store: RegistryStore, session: Session, sessions: sessionmaker[Session]
) -> None:
    # Old channels are deleted before the same values are inserted again, so the
    # (platform, kind, value) uniqueness constraint is not hit.
    _, before = _snapshot(sessions)
    store.import_data(_small())
    store.import_data(_small())
    session.commit()
    version, after = _snapshot(sessions)
    assert version == 3
    assert after == before


def test_merge_overwrites_a_block_entry(store: RegistryStore, session: Session) -> None:
    entry = BlockEntry(
        "domain", "hk.alipayc05.cc", "wechat-pay", "https://example.org/new", "2026-11-05"
    )
    store.import_data(RegistryData((), (entry,)))
    session.commit()
    blocked = {b.value: b for b in store.blocklist()}
    assert blocked["hk.alipayc05.cc"] == entry
    assert len(blocked) == 2


def test_build_index_reflects_the_data(store: RegistryStore, session: Session) -> None:
    index = store.build_index()
    assert index.version == 1
    assert check("95588", index).verdict == "official"
    assert check("https://hk.alipayc05.cc/", index).verdict == "known_scam"
    # A change is visible in the next index, with the next version.
    store.import_data(RegistryData((_platform("icbc", "95566"),), ()))
    session.commit()
    index = store.build_index()
    assert index.version == 2
    assert check("95588", index).verdict == "unverified"
    assert check("95566", index).verdict == "official"


# --- reading ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "slugs"),
    [
        # Empty: everything, by slug.
        ("", ["anti-fraud", "china-post", "icbc", "pinduoduo", "wechat-pay"]),
        # By slug, whole or part.
        ("icbc", ["icbc"]),
        ("china", ["china-post"]),
        # By Chinese name, whole or part.
        ("中国工商银行", ["icbc"]),
        ("工商", ["icbc"]),
        ("微信", ["wechat-pay"]),
        # By English name, whatever the case.
        ("wechat pay", ["wechat-pay"]),
        ("CHINA POST", ["china-post"]),
        # By a Chinese alias that appears in no name: JSON must store it unescaped.
        ("工行", ["icbc"]),
        # Surrounding white space is ignored.
        ("  拼多多 ", ["pinduoduo"]),
        # LIKE wildcards are literal characters.
        ("%", []),
        ("_", []),
        # No match.
        ("nothing", []),
    ],
)
def test_platform_search(store: RegistryStore, query: str, slugs: list[str]) -> None:
    assert [p.slug for p in store.platforms(query)] == slugs


def test_platform_search_limit(store: RegistryStore) -> None:
    assert [p.slug for p in store.platforms(limit=2)] == ["anti-fraud", "china-post"]


def test_platform_by_slug(store: RegistryStore) -> None:
    icbc = store.platform("icbc")
    assert icbc is not None
    assert icbc == next(p for p in _small().platforms if p.slug == "icbc")
    # Channels keep the file's order.
    assert [c.value for c in icbc.channels] == [
        "95588",
        "+864000001234",
        "icbc.com.cn",
        "service@icbc.com.cn",
    ]
    assert store.platform("nope") is None


def test_stats(store: RegistryStore) -> None:
    assert store.stats() == {
        "registry_version": 1,
        "platforms": 5,
        "channels": 10,
        "channels_by_kind": {"domain": 3, "email": 1, "phone": 6},
        "channels_by_status": {"active": 9, "retired": 1},
        "blocklist": 2,
        "reviewed": 0,
        "by_trust": {
            "verified": {
                "platforms": 5,
                "channels": 10,
                "channels_by_kind": {"domain": 3, "email": 1, "phone": 6},
            },
            "community": {"platforms": 0, "channels": 0, "channels_by_kind": {}},
        },
    }


# --- trust tiers ------------------------------------------------------------------------------

DATASET = "https://example.org/dataset.csv"


def _community_data() -> RegistryData:
    """The small registry, plus a platform only a community data set knows and a community
    number beside ICBC's verified ones."""
    small = _small()
    icbc = next(p for p in small.platforms if p.slug == "icbc")
    extra = Channel("phone", "+864001112222", source=DATASET, verified_on="2026-10-01")
    icbc = replace(icbc, channels=(*icbc.channels, replace(extra, trust="community")))
    newbank = _platform("newbank", "+864003334444", trust="community")
    newbank = replace(
        newbank,
        channels=tuple(replace(c, source=DATASET, trust="community") for c in newbank.channels),
    )
    others = tuple(p for p in small.platforms if p.slug != "icbc")
    return RegistryData((icbc, *others, newbank), small.blocklist)


def test_trust_survives_the_database(
    store: RegistryStore, session: Session, sessions: sessionmaker[Session]
) -> None:
    data = _community_data()
    store.import_data(data, replace=True)
    session.commit()
    assert _snapshot(sessions)[1] == _sorted(data)
    # Into the index the checks read.
    index = store.build_index()
    newbank = next(p for p in index.platforms if p.slug == "newbank")
    assert newbank.trust == "community" and newbank.channels[0].trust == "community"
    icbc = next(p for p in index.platforms if p.slug == "icbc")
    assert icbc.trust == "verified"
    assert {c.value: c.trust for c in icbc.channels}["+864001112222"] == "community"
    assert {c.value: c.trust for c in icbc.channels}["95588"] == "verified"


def test_a_merge_import_changes_trust(store: RegistryStore, session: Session) -> None:
    store.import_data(_community_data())
    session.commit()
    assert store.platform("newbank").trust == "community"  # type: ignore[union-attr]
    # A later file promotes the platform and its number: a merge overwrites it whole.
    promoted = _platform("newbank", "+864003334444")
    store.import_data(RegistryData((promoted,), ()))
    session.commit()
    assert store.platform("newbank") == promoted


def test_stats_per_trust_tier(store: RegistryStore, session: Session) -> None:
    store.import_data(_community_data(), replace=True)
    session.commit()
    assert store.stats()["by_trust"] == {
        "verified": {
            "platforms": 5,
            "channels": 10,
            "channels_by_kind": {"domain": 3, "email": 1, "phone": 6},
        },
        "community": {"platforms": 1, "channels": 2, "channels_by_kind": {"phone": 2}},
    }


# --- failed imports change nothing ------------------------------------------------------------


def test_a_file_whose_last_entry_is_bad_changes_nothing(
    store: RegistryStore, session: Session, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    before = _snapshot(sessions)
    bad = copy.deepcopy(SMALL_REGISTRY)
    bad["platforms"][0]["channels"] = [{**bad["platforms"][0]["channels"][0], "value": "95566"}]
    bad["blocklist"].append(
        {
            "kind": "domain",
            "value": "last.example.com",
            "impersonates": "no-such-platform",
            "evidence": SOURCE,
            "added_on": "2026-11-03",
        }
    )
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    # The command's path: read and validate the whole file, then write in one transaction.
    with pytest.raises(RegistryFileError, match=r"blocklist\[2\].*impersonates"):
        data = load_registry_file(path)
        store.import_data(data, replace=True)
        session.commit()
    assert _snapshot(sessions) == before


@pytest.mark.parametrize(
    ("data", "replacing"),
    [
        # Two platforms with one slug: the second insert breaks the unique slug.
        (RegistryData((_platform("icbc", "95566"), _platform("icbc", "95567")), ()), True),
        # The same, merging.
        (RegistryData((_platform("newco", "95123"), _platform("newco", "95124")), ()), False),
        # One channel twice in a platform: breaks (platform, kind, value) uniqueness.
        (RegistryData((_platform("icbc", "95566", "95566"),), ()), False),
    ],
)
def test_a_failure_inside_the_transaction_changes_nothing(
    store: RegistryStore,
    session: Session,
    sessions: sessionmaker[Session],
    data: RegistryData,
    replacing: bool,
) -> None:
    # The store is not the validator: these records never come out of parse_registry, and
    # only the database constraints stop them. Whatever was written before is rolled back.
    before = _snapshot(sessions)
    with pytest.raises(IntegrityError):
        store.import_data(data, replace=replacing)
        session.commit()
    session.rollback()
    assert _snapshot(sessions) == before
    # The same session works again after the rollback.
    assert store.version() == 1
    icbc = store.platform("icbc")
    assert icbc is not None and icbc.channels[0].value == "95588"
