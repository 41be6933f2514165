"""The moderation service (the registry/moderation package) on a real, migrated SQLite database.

Four eyes, revisions against lost edits, the append-only audit log, accounts and tokens, login
throttling, grouped public reports and re-verification, each through the service the web pages,
the API and the commands share.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from registry.models import AuditRow, UserRow
from registry.moderation import (
    LOCK_MINUTES,
    MAX_FAILED_LOGINS,
    Conflict,
    Forbidden,
    Invalid,
    Moderation,
    NotFound,
)
from registry.store import RegistryStore
from verifier.core.check import check

SOURCE = "https://example.org/source"
PASSWORD = "a long enough password"
NEW_NUMBER = "+86 400 123 4567"


@pytest.fixture
def mod(store: RegistryStore, session: Session) -> Moderation:
    """The service on a database holding the small registry."""
    return Moderation(session)


@pytest.fixture
def alice(mod: Moderation, session: Session) -> UserRow:
    user = mod.create_user("alice", "moderator", PASSWORD)
    session.commit()
    return user


@pytest.fixture
def bob(mod: Moderation, session: Session) -> UserRow:
    user = mod.create_user("bob", "moderator", PASSWORD)
    session.commit()
    return user


@pytest.fixture
def admin(mod: Moderation, session: Session) -> UserRow:
    user = mod.create_user("root", "admin", PASSWORD)
    session.commit()
    return user


def _channel(value: str = NEW_NUMBER, **fields: Any) -> dict[str, Any]:
    return {
        "kind": "phone",
        "value": value,
        "label": {"zh": "客服热线", "en": "Hotline"},
        "source": SOURCE,
        "verified_on": "2026-11-30",
        **fields,
    }


def _verdict(session: Session, value: str) -> str:
    return check(value, RegistryStore(session).build_index()).verdict


def _actions(mod: Moderation) -> list[tuple[str, str, str]]:
    return [(row.actor, row.action, row.target) for row in mod.audit()]


# --- four eyes --------------------------------------------------------------------------------


def test_a_proposal_changes_nothing_until_a_second_moderator_approves_it(
    mod: Moderation, session: Session, alice: UserRow, bob: UserRow
) -> None:
    version = RegistryStore(session).version()
    row = mod.propose(alice, "add_channel", platform="icbc", channel=_channel(), note="new line")
    session.commit()
    assert row.status == "pending"
    assert _verdict(session, NEW_NUMBER) != "official"
    assert RegistryStore(session).version() == version

    with pytest.raises(Forbidden, match="second moderator"):
        mod.approve(alice, row.id)
    session.rollback()
    assert _verdict(session, NEW_NUMBER) != "official"

    mod.approve(bob, row.id)
    session.commit()
    assert row.status == "approved" and row.reviewer_id == bob.id
    assert _verdict(session, NEW_NUMBER) == "official"
    assert RegistryStore(session).version() == version + 1
    assert ("alice", "proposal.create", f"proposal:{row.id}") in _actions(mod)
    assert ("bob", "proposal.approve", f"proposal:{row.id}") in _actions(mod)
    assert ("bob", "registry.add_channel", "platform:icbc/phone/+864001234567") in _actions(mod)


def test_single_approval_is_off_by_default_and_only_an_admin_switches_it(
    mod: Moderation, session: Session, alice: UserRow, admin: UserRow
) -> None:
    assert mod.single_approval() is False
    with pytest.raises(Forbidden):
        mod.set_single_approval(alice, True)
    mod.set_single_approval(admin, True)
    session.commit()
    row = mod.propose(alice, "add_channel", platform="icbc", channel=_channel(), note="n")
    mod.approve(alice, row.id)
    session.commit()
    assert _verdict(session, NEW_NUMBER) == "official"
    assert ("root", "setting.single_approval", "setting:single_approval") in _actions(mod)
    approval = mod.audit(action="proposal.approve")[-1]
    assert approval.after == {"status": "approved", "single_approval": True}


def test_rejection_needs_a_reason_and_withdrawal_is_the_proposers_alone(
    mod: Moderation, session: Session, alice: UserRow, bob: UserRow
) -> None:
    first = mod.propose(alice, "add_channel", platform="icbc", channel=_channel(), note="n")
    with pytest.raises(Invalid, match="reason"):
        mod.reject(bob, first.id, "  ")
    with pytest.raises(Forbidden, match="withdraw"):
        mod.reject(alice, first.id, "mine")
    mod.reject(bob, first.id, "the source page does not list it")
    assert first.status == "rejected" and first.reason == "the source page does not list it"
    with pytest.raises(Conflict, match="already rejected"):
        mod.approve(bob, first.id)

    second = mod.propose(alice, "add_channel", platform="icbc", channel=_channel(), note="n")
    with pytest.raises(Forbidden):
        mod.withdraw(bob, second.id)
    mod.withdraw(alice, second.id)
    assert second.status == "withdrawn"
    session.commit()
    assert _verdict(session, NEW_NUMBER) != "official"


def test_a_disabled_moderator_can_neither_propose_nor_approve(
    mod: Moderation, session: Session, alice: UserRow, bob: UserRow
) -> None:
    row = mod.propose(alice, "add_channel", platform="icbc", channel=_channel(), note="n")
    mod.disable_user("bob")
    with pytest.raises(Forbidden, match="disabled"):
        mod.approve(bob, row.id)
    with pytest.raises(Forbidden, match="disabled"):
        mod.propose(bob, "add_channel", platform="icbc", channel=_channel("95599"), note="n")


@pytest.mark.parametrize(
    ("action", "fields", "message"),
    [
        ("add_channel", {"platform": "icbc", "channel": _channel()}, "note"),
        ("add_channel", {"platform": "nope", "channel": _channel(), "note": "n"}, "no platform"),
        ("add_channel", {"platform": "icbc", "channel": _channel("95588"), "note": "n"}, "already"),
        (
            "add_channel",
            {"platform": "icbc", "channel": _channel("12"), "note": "n"},
            "not a valid",
        ),
        (
            "add_channel",
            {"platform": "icbc", "channel": {**_channel(), "source": ""}, "note": "n"},
            "source: required",
        ),
        (
            "retire_channel",
            {"platform": "icbc", "channel": _channel("95588"), "note": "n"},
            "source",
        ),
        (
            "remove_blocklist",
            {"entry": {"kind": "phone", "value": "+86 400 999 8888"}, "note": "n"},
            "source",
        ),
        (
            "edit_channel",
            {"platform": "icbc", "channel": _channel("95500"), "note": "n"},
            "lists no",
        ),
        (
            "add_blocklist",
            {"entry": {"kind": "phone", "value": "+86 400 999 7777"}, "note": "n"},
            "evidence",
        ),
        ("frobnicate", {"note": "n"}, "action must be"),
        ("import", {"registry": {"platforms": [{"slug": "Bad Slug"}]}, "note": "n"}, "slug"),
    ],
)
def test_bad_proposals_are_refused_with_a_reason_and_record_nothing(
    mod: Moderation, alice: UserRow, action: str, fields: dict[str, Any], message: str
) -> None:
    before = len(mod.proposals())
    with pytest.raises((Invalid, NotFound, Conflict), match=message):
        mod.propose(alice, action, **{"note": "", **fields})
    assert len(mod.proposals()) == before


# --- every action ----------------------------------------------------------------------------


def _approve(
    mod: Moderation,
    session: Session,
    proposer: UserRow,
    reviewer: UserRow,
    action: str,
    **fields: Any,
) -> Any:
    row = mod.propose(proposer, action, note="because", **fields)
    mod.approve(reviewer, row.id)
    session.commit()
    return row


def test_edit_and_retire_a_channel(
    mod: Moderation, session: Session, alice: UserRow, bob: UserRow
) -> None:
    row = _approve(
        mod,
        session,
        alice,
        bob,
        "edit_channel",
        platform="icbc",
        channel={
            "kind": "phone",
            "value": "95588",
            "source": "https://example.org/new",
            "verified_on": "2026-12-01",
        },
    )
    assert ("source", SOURCE, "https://example.org/new") in mod.diff(row)
    channel = next(
        c for c in RegistryStore(session).platform("icbc").channels if c.value == "95588"
    )
    assert channel.source == "https://example.org/new" and channel.label_zh  # label kept

    _approve(
        mod,
        session,
        alice,
        bob,
        "retire_channel",
        platform="icbc",
        channel={"kind": "phone", "value": "95588"},
        source="https://example.org/gone",
    )
    assert _verdict(session, "95588") == "retired"


def test_add_and_edit_a_platform_keeping_fields_left_out(
    mod: Moderation, session: Session, alice: UserRow, bob: UserRow
) -> None:
    _approve(
        mod,
        session,
        alice,
        bob,
        "add_platform",
        platform={
            "slug": "new-bank",
            "name": {"zh": "新银行", "en": "New Bank"},
            "aliases": ["新行"],
            "category": "bank",
            "phone_support": "listed",
        },
    )
    _approve(
        mod,
        session,
        alice,
        bob,
        "edit_platform",
        platform={"slug": "new-bank", "name": {"zh": "新银行", "en": "Newer Bank"}},
    )
    platform = RegistryStore(session).platform("new-bank")
    assert platform is not None
    assert (platform.name_en, platform.aliases, platform.category) == (
        "Newer Bank",
        ("新行",),
        "bank",
    )
    with pytest.raises(Invalid, match="changes nothing"):
        mod.propose(alice, "edit_platform", platform={"slug": "new-bank"}, note="n")


def test_add_and_remove_a_blocklist_entry(
    mod: Moderation, session: Session, alice: UserRow, bob: UserRow
) -> None:
    entry = {
        "kind": "phone",
        "value": "+86 400 999 7777",
        "impersonates": "icbc",
        "evidence": "https://example.org/evidence",
    }
    _approve(mod, session, alice, bob, "add_blocklist", entry=entry)
    assert _verdict(session, "+86 400 999 7777") == "known_scam"
    _approve(
        mod,
        session,
        alice,
        bob,
        "remove_blocklist",
        entry={"kind": "phone", "value": "+86 400 999 7777"},
        source="https://example.org/no",
    )
    assert _verdict(session, "+86 400 999 7777") != "known_scam"


def test_an_import_is_one_batch_proposal_with_its_diff(
    mod: Moderation, session: Session, alice: UserRow, bob: UserRow
) -> None:
    current = RegistryStore(session).data()
    from registry.files import registry_to_dict

    mapping = registry_to_dict(current)
    mapping["blocklist"].append(
        {
            "kind": "domain",
            "value": "icbc-refund.top",
            "impersonates": "icbc",
            "evidence": "https://example.org/e",
            "added_on": "2026-12-01",
        }
    )
    row = mod.propose(alice, "import", registry=mapping, note="weekly batch")
    assert [(entry, before) for entry, before, _ in mod.diff(row)] == [
        ("blocklist domain icbc-refund.top", None)
    ]
    session.commit()
    assert _verdict(session, "icbc-refund.top") != "known_scam"
    mod.approve(bob, row.id)
    session.commit()
    assert _verdict(session, "icbc-refund.top") == "known_scam"


# --- no lost edits ---------------------------------------------------------------------------


def test_the_second_of_two_edits_of_one_entry_is_a_conflict_never_an_overwrite(
    mod: Moderation, session: Session, alice: UserRow, bob: UserRow
) -> None:
    first = mod.propose(
        alice,
        "edit_platform",
        note="n",
        platform={"slug": "icbc", "name": {"zh": "工商银行", "en": "ICBC A"}},
    )
    second = mod.propose(
        bob,
        "edit_platform",
        note="n",
        platform={"slug": "icbc", "name": {"zh": "工商银行", "en": "ICBC B"}},
    )
    mod.approve(bob, first.id)
    session.commit()
    with pytest.raises(Conflict, match="changed after this proposal"):
        mod.approve(alice, second.id)
    session.rollback()
    assert RegistryStore(session).platform("icbc").name_en == "ICBC A"  # type: ignore[union-attr]


def test_a_change_made_against_a_stale_revision_is_refused_when_proposed(
    mod: Moderation, session: Session, alice: UserRow, bob: UserRow
) -> None:
    seen = 1  # the revision the moderator's form was opened at
    _approve(
        mod,
        session,
        alice,
        bob,
        "edit_platform",
        platform={"slug": "icbc", "category": "state bank"},
    )
    with pytest.raises(Conflict, match="changed by someone else"):
        mod.propose(
            bob,
            "edit_platform",
            platform={"slug": "icbc", "category": "x"},
            revision=seen,
            note="n",
        )


# --- audit -----------------------------------------------------------------------------------


def test_the_audit_log_is_append_only_in_the_application_and_the_database(
    mod: Moderation, session: Session, alice: UserRow
) -> None:
    row = mod.audit()[0]
    row.actor = "someone else"
    with pytest.raises(RuntimeError, match="append-only"):
        session.flush()
    session.rollback()
    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(text("UPDATE audit_log SET actor = 'x'"))
    session.rollback()
    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(text("DELETE FROM audit_log"))
    session.rollback()
    assert session.query(AuditRow).count() == len(mod.audit()) > 0


def test_the_audit_log_filters_by_time_actor_action_and_target(
    mod: Moderation, session: Session, alice: UserRow, bob: UserRow
) -> None:
    start = dt.datetime.now(dt.UTC)
    _approve(mod, session, alice, bob, "add_channel", platform="icbc", channel=_channel())
    assert {row.actor for row in mod.audit(since=start)} == {"alice", "bob"}
    assert [row.action for row in mod.audit(actor="alice", since=start)] == ["proposal.create"]
    assert all(row.target.startswith("platform:icbc") for row in mod.audit(target="platform:icbc"))
    assert mod.audit(since=start + dt.timedelta(days=1)) == []


# --- accounts --------------------------------------------------------------------------------


def test_passwords_are_stored_hashed_and_tokens_as_sha256_only(
    mod: Moderation, session: Session, alice: UserRow
) -> None:
    assert PASSWORD not in alice.password_hash and alice.password_hash.startswith("scrypt:")
    token = mod.new_token("alice")
    session.commit()
    stored = session.execute(text("SELECT token_hash, hint FROM api_token")).one()
    assert token not in stored and len(stored.token_hash) == 64
    assert mod.user_for_token(token) is alice
    assert mod.user_for_token(token + "x") is None
    mod.revoke_tokens("alice")
    assert mod.user_for_token(token) is None


def test_a_disabled_users_token_stops_working(
    mod: Moderation, session: Session, alice: UserRow
) -> None:
    token = mod.new_token("alice")
    epoch = alice.session_epoch
    mod.disable_user("alice")
    session.commit()
    assert mod.user_for_token(token) is None
    assert alice.session_epoch == epoch + 1  # login sessions end too
    with pytest.raises(Invalid, match="disabled"):
        mod.new_token("alice")


@pytest.mark.parametrize(
    ("name", "role", "password", "error"),
    [
        ("Alice Smith", "moderator", PASSWORD, Invalid),
        ("carol", "superuser", PASSWORD, Invalid),
        ("carol", "moderator", "short", Invalid),
        ("alice", "moderator", PASSWORD, Conflict),
    ],
)
def test_bad_accounts_are_refused(
    mod: Moderation, alice: UserRow, name: str, role: str, password: str, error: type
) -> None:
    with pytest.raises(error):
        mod.create_user(name, role, password)


def test_repeated_failed_logins_lock_the_account_and_are_audited(
    mod: Moderation, session: Session, alice: UserRow
) -> None:
    assert mod.login("alice", PASSWORD) is alice
    for _ in range(MAX_FAILED_LOGINS):
        assert mod.login("alice", "wrong password") is None
    assert mod.login("alice", PASSWORD) is None  # locked, even with the right password
    assert alice.locked_until is not None
    failures = mod.audit(action="login.failed")
    assert len(failures) == MAX_FAILED_LOGINS + 1
    assert failures[-1].after == {"why": "locked"}
    alice.locked_until = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=LOCK_MINUTES)
    assert mod.login("alice", PASSWORD) is alice
    assert mod.login("nobody", PASSWORD) is None
    assert mod.audit(action="login.failed")[-1].after == {"why": "unknown"}


# --- reports and re-verification ------------------------------------------------------------


def test_reports_of_one_value_are_grouped_and_confirming_makes_a_blocklist_proposal(
    mod: Moderation, session: Session, alice: UserRow, bob: UserRow
) -> None:
    first = mod.submit_report(
        kind="phone",
        value="+864009992222",
        input="400-999-2222",
        text="<script>alert(1)</script>",
        claimed_platform="icbc",
    )
    again = mod.submit_report(kind="phone", value="+864009992222", input="4009992222", text="again")
    other = mod.submit_report(kind="url", value="http://icbc-kefu.top/", input="icbc-kefu.top")
    assert first is again and first.count == 2 and other is not first
    assert [item.text for item in first.items] == ["<script>alert(1)</script>", "again"]
    assert [r.id for r in mod.reports("open")] == [first.id, other.id]  # most reported first

    proposal = mod.confirm_report(alice, first.id, "two reports, same script")
    assert proposal.payload["entry"]["impersonates"] == "icbc"
    assert "2 public report(s)" in proposal.payload["entry"]["evidence"]
    assert first.status == "confirmed" and first.proposal_id == proposal.id
    link = mod.confirm_report(alice, other.id, "lookalike")
    assert link.payload["entry"]["kind"] == "domain"
    assert link.payload["entry"]["value"] == "icbc-kefu.top"
    mod.approve(bob, proposal.id)
    session.commit()
    assert _verdict(session, "400-999-2222") == "known_scam"


def test_reports_can_be_rejected_or_marked_duplicate_once(
    mod: Moderation, session: Session, alice: UserRow
) -> None:
    a = mod.submit_report(kind="phone", value="+864009990001", input="4009990001")
    b = mod.submit_report(kind="phone", value="+864009990002", input="4009990002")
    c = mod.submit_report(kind="email", value="x@example.org", input="x@example.org")
    mod.mark_duplicate(alice, b.id, a.id)
    assert (b.status, b.duplicate_of, a.count) == ("duplicate", a.id, 2)
    with pytest.raises(Invalid, match="blocklist"):
        mod.confirm_report(alice, c.id, "n")
    mod.reject_report(alice, c.id, "not a scam")
    with pytest.raises(Conflict, match="already rejected"):
        mod.reject_report(alice, c.id, "again")


def test_channels_not_verified_for_a_year_are_due(mod: Moderation) -> None:
    today = dt.date(2026, 11, 1) + dt.timedelta(days=400)
    due = mod.due(365, today=today)
    assert due and all(c.verified_on < today - dt.timedelta(days=365) for c in due)
    assert all(c.status == "active" for c in due)
    assert mod.due(365, today=dt.date(2026, 11, 2)) == []


def test_an_import_proposed_before_another_change_is_a_conflict_and_keeps_its_diff(
    mod: Moderation, session: Session, alice: UserRow, bob: UserRow
) -> None:
    from registry.files import registry_to_dict

    mapping = registry_to_dict(RegistryStore(session).data())
    mapping["platforms"][0]["category"] = "changed by the import"
    batch = mod.propose(alice, "import", registry=mapping, note="batch")
    proposed_diff = mod.diff(batch)
    assert len(proposed_diff) == 1
    logged = mod.audit(action="proposal.create")[-1].after
    assert logged is not None and set(logged["payload"]) == {"replace", "changes", "sha256"}
    _approve(mod, session, bob, alice, "add_channel", platform="icbc", channel=_channel())
    with pytest.raises(Conflict, match="registry changed after this import"):
        mod.approve(bob, batch.id)
    session.rollback()
    assert _verdict(session, NEW_NUMBER) == "official"  # the later change was not overwritten
    assert mod.diff(batch) == proposed_diff


def test_a_rejected_value_reported_again_is_reopened(mod: Moderation, alice: UserRow) -> None:
    group = mod.submit_report(kind="phone", value="+864009990003", input="4009990003")
    mod.reject_report(alice, group.id, "looked fine")
    assert mod.submit_report(kind="phone", value="+864009990003", input="400 999 0003") is group
    assert (group.status, group.count) == ("open", 2)


def test_a_reported_page_on_a_shared_host_is_blocklisted_as_a_link_not_the_host(
    mod: Moderation, alice: UserRow
) -> None:
    shared = mod.submit_report(
        kind="url", value="https://icbc-refund.github.io/login", input="icbc-refund.github.io/login"
    )
    entry = mod.confirm_report(alice, shared.id, "phishing page").payload["entry"]
    assert (entry["kind"], entry["value"]) == ("url", "https://icbc-refund.github.io/login")


def test_duplicates_point_at_the_first_report_never_a_chain(
    mod: Moderation, alice: UserRow
) -> None:
    first, second, third = (
        mod.submit_report(kind="phone", value=f"+86400999000{n}", input=f"400999000{n}")
        for n in (4, 5, 6)
    )
    mod.mark_duplicate(alice, second.id, first.id)
    mod.mark_duplicate(alice, third.id, second.id)
    assert third.duplicate_of == first.id and first.count == 3


# --- trust tiers ------------------------------------------------------------------------------

DATASET = "https://example.org/dataset.csv"
COMMUNITY_NUMBER = "+864001112222"


@pytest.fixture
def community(mod: Moderation, session: Session, alice: UserRow, bob: UserRow) -> None:
    """A community number beside ICBC's verified ones, and a platform only the data set knows,
    both added through review."""
    _approve(
        mod,
        session,
        alice,
        bob,
        "add_channel",
        platform="icbc",
        channel=_channel(COMMUNITY_NUMBER, source=DATASET, trust="community"),
    )
    _approve(
        mod,
        session,
        alice,
        bob,
        "add_platform",
        platform={"slug": "newbank", "name": {"zh": "新银行"}, "trust": "community"},
    )


def _trust(session: Session, slug: str, value: str) -> str:
    platform = RegistryStore(session).platform(slug)
    assert platform is not None
    return next(c.trust for c in platform.channels if c.value == value)


def test_a_promotion_is_approved_by_a_second_moderator_and_audited(
    mod: Moderation, session: Session, alice: UserRow, bob: UserRow, community: None
) -> None:
    assert _trust(session, "icbc", COMMUNITY_NUMBER) == "community"
    promotion = {
        "kind": "phone",
        "value": COMMUNITY_NUMBER,
        "trust": "verified",
        "source": "https://example.org/checked",
        "verified_on": "2026-12-01",
    }
    row = mod.propose(alice, "edit_channel", platform="icbc", channel=promotion, note="checked")
    session.commit()
    assert ("trust", "community", "verified") in mod.diff(row)
    # Four eyes, as for any change.
    with pytest.raises(Forbidden):
        mod.approve(alice, row.id)
    session.rollback()
    assert _trust(session, "icbc", COMMUNITY_NUMBER) == "community"
    mod.approve(bob, row.id)
    session.commit()
    assert _trust(session, "icbc", COMMUNITY_NUMBER) == "verified"
    index = RegistryStore(session).build_index()
    icbc = next(p for p in index.platforms if p.slug == "icbc")
    assert next(c for c in icbc.channels if c.value == COMMUNITY_NUMBER).trust == "verified"
    (line,) = mod.audit(action="registry.edit_channel")
    assert line.actor == "bob"
    assert line.before is not None and line.after is not None
    assert (line.before["trust"], line.after["trust"]) == ("community", "verified")
    assert line.after["source"] == "https://example.org/checked"


@pytest.mark.parametrize("missing", ["source", "verified_on"])
def test_a_promotion_needs_its_own_source_and_date(
    mod: Moderation, alice: UserRow, community: None, missing: str
) -> None:
    promotion = {
        "kind": "phone",
        "value": COMMUNITY_NUMBER,
        "trust": "verified",
        "source": "https://example.org/checked",
        "verified_on": "2026-12-01",
    }
    del promotion[missing]
    # The data set's address and date are no moderator's check.
    with pytest.raises(Invalid, match=missing):
        mod.propose(alice, "edit_channel", platform="icbc", channel=promotion, note="checked")


def test_an_edit_of_a_community_channel_keeps_it_community(
    mod: Moderation, session: Session, alice: UserRow, bob: UserRow, community: None
) -> None:
    channel = {"kind": "phone", "value": COMMUNITY_NUMBER, "label": {"zh": "热线"}}
    _approve(mod, session, alice, bob, "edit_channel", platform="icbc", channel=channel)
    assert _trust(session, "icbc", COMMUNITY_NUMBER) == "community"


def test_a_community_platform_lists_community_channels_only(
    mod: Moderation, session: Session, alice: UserRow, bob: UserRow, community: None
) -> None:
    with pytest.raises(Invalid, match="community platform"):
        mod.propose(alice, "add_channel", platform="newbank", channel=_channel(), note="seen")
    # Marking a platform community while it lists a verified channel is refused, too.
    with pytest.raises(Invalid, match="community platform"):
        mod.propose(
            alice, "edit_platform", platform={"slug": "icbc", "trust": "community"}, note="x"
        )
    row = mod.propose(
        alice, "add_channel", platform="newbank", channel=_channel(trust="community"), note="seen"
    )
    assert ("trust", None, "community") in mod.diff(row)
    # Promoting the platform first lets its numbers be promoted.
    _approve(
        mod, session, alice, bob, "edit_platform", platform={"slug": "newbank", "trust": "verified"}
    )
    platform = RegistryStore(session).platform("newbank")
    assert platform is not None and platform.trust == "verified"
    (line,) = mod.audit(action="registry.edit_platform")
    assert line.before is not None and line.after is not None
    assert (line.before["trust"], line.after["trust"]) == ("community", "verified")


def test_a_platform_made_community_meanwhile_turns_a_verified_channel_into_a_conflict(
    mod: Moderation, session: Session, alice: UserRow, bob: UserRow, community: None
) -> None:
    # Proposed while newbank was verified ...
    _approve(
        mod, session, alice, bob, "edit_platform", platform={"slug": "newbank", "trust": "verified"}
    )
    added = mod.propose(alice, "add_channel", platform="newbank", channel=_channel(), note="seen")
    session.commit()
    # ... approved after it became community again.
    _approve(
        mod,
        session,
        alice,
        bob,
        "edit_platform",
        platform={"slug": "newbank", "trust": "community"},
    )
    with pytest.raises(Conflict, match="community platform"):
        mod.approve(bob, added.id)
