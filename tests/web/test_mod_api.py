"""The moderation API under /api/v1/mod (CONTRACT.md, "Moderation API"), through the test client.

Each test gets a fresh database holding the small registry and three accounts with API tokens:
moderators alice and bob, and the admin root.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from small_registry import SMALL_REGISTRY, SOURCE
from werkzeug.test import TestResponse

from registry.moderation import Moderation
from verifier.web.extensions import app_session
from verifier.web.limits import limiter

JSON = "application/json"
PASSWORD = "correct horse battery staple"
NEW_NUMBER = "+86 400 123 4567"


@pytest.fixture(autouse=True)
def fresh_rate_limits(app: Flask) -> Iterator[None]:
    """The limiter is module-global: no test inherits another's report counts."""
    limiter.reset()
    yield
    limiter.reset()


@pytest.fixture
def tokens(app: Flask) -> dict[str, str]:
    with app_session(app) as session:
        moderation = Moderation(session)
        for name, role in (("alice", "moderator"), ("bob", "moderator"), ("root", "admin")):
            moderation.create_user(name, role, PASSWORD)
        found = {name: moderation.new_token(name) for name in ("alice", "bob", "root")}
        session.commit()
    return found


def call(
    client: FlaskClient, method: str, path: str, token: str | None, body: Any = None
) -> TestResponse:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None if body is None else json.dumps(body)
    return client.open(
        f"/api/v1/mod{path}", method=method, headers=headers, data=data, content_type=JSON
    )


def ok(response: TestResponse, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == JSON
    return response.get_json()


def error_code(response: TestResponse, status: int) -> str:
    body = ok(response, status)
    assert set(body) == {"error"} and body["error"]["message"]
    code: str = body["error"]["code"]
    return code


def verdict(client: FlaskClient, value: str) -> str:
    answer: str = ok(client.get("/api/v1/check", query_string={"q": value}))["verdict"]
    return answer


def propose(client: FlaskClient, token: str, **body: Any) -> int:
    answer = ok(call(client, "POST", "/proposals", token, {"note": "test", **body}), 201)
    assert answer["status"] == "pending"
    proposal_id: int = answer["id"]
    return proposal_id


def approve(client: FlaskClient, token: str, proposal_id: int) -> TestResponse:
    return call(client, "POST", f"/proposals/{proposal_id}/approve", token)


def new_channel(value: str = NEW_NUMBER) -> dict[str, Any]:
    return {
        "kind": "phone",
        "value": value,
        "label": {"zh": "新热线", "en": "New line"},
        "source": SOURCE,
        "verified_on": "2026-11-10",
    }


# --- authentication ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [
        None,  # no header at all
        "Bearer",  # the scheme without a token
        "Bearer cvt_not-a-real-token",
        "Basic YWxpY2U6cGFzc3dvcmQ=",  # a password is not how programs sign in here
        "Bearer " + "cvt_" + "x" * 5000,  # longer than any token: refused before hashing
    ],
)
@pytest.mark.parametrize(("method", "path"), [("GET", "/proposals"), ("POST", "/proposals")])
def test_without_a_valid_token_every_call_is_401(
    client: FlaskClient, tokens: dict[str, str], authorization: str | None, method: str, path: str
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = client.open(f"/api/v1/mod{path}", method=method, headers=headers, json={})
    assert error_code(response, 401) == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_valid_token_is_accepted(client: FlaskClient, tokens: dict[str, str]) -> None:
    assert ok(call(client, "GET", "/proposals", tokens["alice"])) == {"proposals": []}


def test_a_revoked_token_stops_working(
    app: Flask, client: FlaskClient, tokens: dict[str, str]
) -> None:
    with app_session(app) as session:
        Moderation(session).revoke_tokens("alice")
        session.commit()
    assert error_code(call(client, "GET", "/proposals", tokens["alice"]), 401) == "unauthorized"
    ok(call(client, "GET", "/proposals", tokens["bob"]))


def test_a_disabled_users_token_stops_working(
    app: Flask, client: FlaskClient, tokens: dict[str, str]
) -> None:
    with app_session(app) as session:
        Moderation(session).disable_user("alice")
        session.commit()
    response = call(client, "POST", "/proposals", tokens["alice"], {"action": "add_channel"})
    assert error_code(response, 401) == "unauthorized"


# --- request bodies ------------------------------------------------------------------------------


def test_a_form_post_is_415(client: FlaskClient, tokens: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/mod/proposals",
        data={"action": "add_channel", "note": "x"},
        headers={"Authorization": f"Bearer {tokens['alice']}"},
    )
    assert error_code(response, 415) == "unsupported_media_type"


@pytest.mark.parametrize("raw", ["{", "[1, 2]", '"text"', "null", "[" * 100_000])
def test_malformed_json_is_400(client: FlaskClient, tokens: dict[str, str], raw: str) -> None:
    response = client.post(
        "/api/v1/mod/proposals",
        data=raw,
        content_type=JSON,
        headers={"Authorization": f"Bearer {tokens['alice']}"},
    )
    assert error_code(response, 400) == "bad_json"


def test_a_proposal_without_a_note_is_400(client: FlaskClient, tokens: dict[str, str]) -> None:
    body = {"action": "add_channel", "platform": "icbc", "channel": new_channel()}
    response = call(client, "POST", "/proposals", tokens["alice"], body)
    assert "note" in ok(response, 400)["error"]["message"]


def test_an_unknown_action_is_400(client: FlaskClient, tokens: dict[str, str]) -> None:
    response = call(client, "POST", "/proposals", tokens["alice"], {"action": "drop", "note": "x"})
    assert error_code(response, 400) == "invalid"


# --- every action, end to end --------------------------------------------------------------------


def test_add_channel_makes_the_number_official_once_approved(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    proposal_id = propose(
        client, tokens["alice"], action="add_channel", platform="icbc", channel=new_channel()
    )
    assert verdict(client, NEW_NUMBER) != "official"
    assert ok(approve(client, tokens["bob"], proposal_id)) == {
        "id": proposal_id,
        "status": "approved",
    }
    assert verdict(client, NEW_NUMBER) == "official"


def test_edit_channel_changes_its_label(client: FlaskClient, tokens: dict[str, str]) -> None:
    change = {"kind": "phone", "value": "95588", "label": {"zh": "客服", "en": "Service"}}
    proposal_id = propose(
        client, tokens["alice"], action="edit_channel", platform="icbc", channel=change
    )
    shown = ok(call(client, "GET", f"/proposals/{proposal_id}", tokens["bob"]))
    assert {
        "field": "label",
        "before": {"zh": "客服热线", "en": "Hotline"},
        "after": change["label"],
    } in shown["diff"]
    ok(approve(client, tokens["bob"], proposal_id))
    channels = ok(client.get("/api/v1/platforms/icbc?lang=en"))["channels"]
    assert [c["label"] for c in channels if c["value"] == "95588"] == ["Service"]


def test_a_community_channel_is_promoted_through_four_eyes(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    community = {
        **new_channel(),
        "trust": "community",
        "source": "https://github.com/metowolf/vCards/blob/b1a346c/data/bank/icbc.yaml",
    }
    ok(
        approve(
            client,
            tokens["bob"],
            propose(
                client, tokens["alice"], action="add_channel", platform="icbc", channel=community
            ),
        )
    )
    assert verdict(client, NEW_NUMBER) == "unverified"  # listed, but only by the community
    # Promotion: the moderator's own source and date, and a second moderator's approval.
    promotion = {
        "kind": "phone",
        "value": NEW_NUMBER,
        "trust": "verified",
        "source": SOURCE,
        "verified_on": "2026-12-01",
    }
    proposal_id = propose(
        client, tokens["alice"], action="edit_channel", platform="icbc", channel=promotion
    )
    shown = ok(call(client, "GET", f"/proposals/{proposal_id}", tokens["bob"]))
    assert {"field": "trust", "before": "community", "after": "verified"} in shown["diff"]
    assert verdict(client, NEW_NUMBER) == "unverified"  # nothing changes before approval
    ok(approve(client, tokens["bob"], proposal_id))
    answer = ok(client.get("/api/v1/check", query_string={"q": NEW_NUMBER}))
    assert (answer["verdict"], answer["trust"]) == ("official", "verified")


def test_retire_channel_makes_the_number_retired(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    proposal_id = propose(
        client,
        tokens["alice"],
        action="retire_channel",
        platform="icbc",
        channel={"kind": "phone", "value": "95588"},
        source="https://example.org/closed",
    )
    assert verdict(client, "95588") == "official"
    ok(approve(client, tokens["bob"], proposal_id))
    assert verdict(client, "95588") == "retired"


def test_add_platform_makes_it_public(client: FlaskClient, tokens: dict[str, str]) -> None:
    platform = {
        "slug": "example-bank",
        "name": {"zh": "示例银行", "en": "Example Bank"},
        "category": "bank",
        "phone_support": "listed",
    }
    proposal_id = propose(client, tokens["alice"], action="add_platform", platform=platform)
    assert client.get("/api/v1/platforms/example-bank").status_code == 404
    ok(approve(client, tokens["bob"], proposal_id))
    assert ok(client.get("/api/v1/platforms/example-bank"))["name"] == "示例银行"


def test_edit_platform_keeps_the_fields_it_leaves_out(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    aliases = ["工行", "ICBC", "工商银行"]
    proposal_id = propose(
        client,
        tokens["alice"],
        action="edit_platform",
        platform={"slug": "icbc", "aliases": aliases},
    )
    ok(approve(client, tokens["bob"], proposal_id))
    shown = ok(client.get("/api/v1/platforms/icbc"))
    assert (shown["aliases"], shown["category"]) == (aliases, "bank")


def test_add_blocklist_makes_the_number_a_known_scam(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    entry = {
        "kind": "phone",
        "value": "+86 400 111 2222",
        "impersonates": "icbc",
        "evidence": "https://example.org/warning",
    }
    proposal_id = propose(client, tokens["alice"], action="add_blocklist", entry=entry)
    assert verdict(client, "4001112222") == "unverified"
    ok(approve(client, tokens["bob"], proposal_id))
    assert verdict(client, "4001112222") == "known_scam"


def test_remove_blocklist_clears_the_warning(client: FlaskClient, tokens: dict[str, str]) -> None:
    proposal_id = propose(
        client,
        tokens["alice"],
        action="remove_blocklist",
        entry={"kind": "phone", "value": "+86 400 999 8888"},
        source="https://example.org/reassigned",
    )
    assert verdict(client, "4009998888") == "known_scam"
    ok(approve(client, tokens["bob"], proposal_id))
    assert verdict(client, "4009998888") != "known_scam"


def test_import_is_one_batch_proposal_with_its_diff(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    extra = {
        "slug": "example-bank",
        "name": {"zh": "示例银行", "en": "Example Bank"},
        "channels": [new_channel("+86 400 555 0000")],
    }
    registry = {**SMALL_REGISTRY, "platforms": [*SMALL_REGISTRY["platforms"], extra]}
    proposal_id = propose(client, tokens["alice"], action="import", registry=registry)
    shown = ok(call(client, "GET", f"/proposals/{proposal_id}", tokens["bob"]))
    assert [row["field"] for row in shown["diff"]] == ["platform example-bank"]
    assert verdict(client, "4005550000") == "unverified"
    ok(approve(client, tokens["bob"], proposal_id))
    assert verdict(client, "4005550000") == "official"


# --- four eyes -----------------------------------------------------------------------------------


def test_the_proposer_cannot_approve_their_own_proposal(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    proposal_id = propose(
        client, tokens["alice"], action="add_channel", platform="icbc", channel=new_channel()
    )
    assert error_code(approve(client, tokens["alice"], proposal_id), 403) == "forbidden"
    assert verdict(client, NEW_NUMBER) != "official"
    shown = ok(call(client, "GET", f"/proposals/{proposal_id}", tokens["alice"]))
    assert (shown["status"], shown["reviewer"]) == ("pending", None)


def test_single_approval_lets_the_proposer_approve(
    app: Flask, client: FlaskClient, tokens: dict[str, str]
) -> None:
    with app_session(app) as session:
        moderation = Moderation(session)
        admin = moderation.user("root")
        assert admin is not None
        moderation.set_single_approval(admin, True)
        session.commit()
    proposal_id = propose(
        client, tokens["alice"], action="add_channel", platform="icbc", channel=new_channel()
    )
    ok(approve(client, tokens["alice"], proposal_id))
    assert verdict(client, NEW_NUMBER) == "official"


def test_reject_needs_a_reason(client: FlaskClient, tokens: dict[str, str]) -> None:
    proposal_id = propose(
        client, tokens["alice"], action="add_channel", platform="icbc", channel=new_channel()
    )
    path = f"/proposals/{proposal_id}/reject"
    assert error_code(call(client, "POST", path, tokens["bob"], {}), 400) == "invalid"
    assert error_code(call(client, "POST", path, tokens["bob"], {"reason": "  "}), 400)
    assert ok(call(client, "POST", path, tokens["bob"], {"reason": "no source"})) == {
        "id": proposal_id,
        "status": "rejected",
    }
    shown = ok(call(client, "GET", f"/proposals/{proposal_id}", tokens["alice"]))
    assert (shown["status"], shown["reason"], shown["reviewer"]) == ("rejected", "no source", "bob")
    assert shown["decided_at"].endswith("Z")
    # A decided proposal cannot be decided again.
    assert error_code(approve(client, tokens["root"], proposal_id), 409) == "conflict"


def test_only_the_proposer_can_withdraw(client: FlaskClient, tokens: dict[str, str]) -> None:
    proposal_id = propose(
        client, tokens["alice"], action="add_channel", platform="icbc", channel=new_channel()
    )
    path = f"/proposals/{proposal_id}/withdraw"
    assert error_code(call(client, "POST", path, tokens["bob"]), 403) == "forbidden"
    assert ok(call(client, "POST", path, tokens["alice"])) == {
        "id": proposal_id,
        "status": "withdrawn",
    }


def test_the_second_of_two_edits_of_one_entry_is_a_conflict(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    first, second = (
        propose(
            client,
            tokens[name],
            action="edit_channel",
            platform="icbc",
            channel={"kind": "phone", "value": "95588", "label": {"zh": label, "en": label}},
        )
        for name, label in (("alice", "A"), ("bob", "B"))
    )
    ok(approve(client, tokens["root"], first))
    message = ok(approve(client, tokens["root"], second), 409)["error"]["message"]
    assert "changed after this proposal" in message
    assert ok(call(client, "GET", f"/proposals/{second}", tokens["root"]))["status"] == "pending"


def test_a_stale_revision_is_refused_when_proposing(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    change = {"kind": "phone", "value": "95588", "label": {"zh": "A", "en": "A"}}
    response = call(
        client,
        "POST",
        "/proposals",
        tokens["alice"],
        {
            "action": "edit_channel",
            "platform": "icbc",
            "channel": change,
            "note": "x",
            "revision": 99,
        },
    )
    assert error_code(response, 409) == "conflict"


def test_proposals_list_filters_by_status_and_platform(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    kept = propose(
        client, tokens["alice"], action="add_channel", platform="icbc", channel=new_channel()
    )
    gone = propose(
        client,
        tokens["alice"],
        action="add_channel",
        platform="china-post",
        channel=new_channel("+86 400 123 7777"),
    )
    ok(call(client, "POST", f"/proposals/{gone}/withdraw", tokens["alice"]))

    def ids(query: str) -> list[int]:
        found = ok(call(client, "GET", f"/proposals{query}", tokens["bob"]))["proposals"]
        return [p["id"] for p in found]

    assert ids("?status=pending") == [kept]
    assert ids("?status=withdrawn") == [gone]
    assert ids("") == ids("?status=all") == [gone, kept]  # newest first
    assert ids("?platform=china-post") == [gone]
    assert error_code(call(client, "GET", "/proposals?status=nope", tokens["bob"]), 400)
    one = ok(call(client, "GET", "/proposals?status=pending", tokens["bob"]))["proposals"][0]
    assert set(one) >= {
        "id", "action", "platform", "status", "note", "payload", "before", "diff",
        "proposer", "reviewer", "reason", "created_at", "decided_at",
    }  # fmt: skip
    assert (one["proposer"], one["platform"], one["action"]) == ("alice", "icbc", "add_channel")
    assert dt.datetime.fromisoformat(one["created_at"]).tzinfo is not None


def test_an_unknown_proposal_is_404(client: FlaskClient, tokens: dict[str, str]) -> None:
    for path in ("/proposals/12345", "/proposals/99999999999999999999999/approve"):
        method = "POST" if path.endswith("approve") else "GET"
        assert error_code(call(client, method, path, tokens["bob"]), 404) == "not_found"


# --- audit ---------------------------------------------------------------------------------------


def test_audit_since_lists_only_what_happened_after(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    first = propose(
        client, tokens["alice"], action="add_channel", platform="icbc", channel=new_channel()
    )
    since = dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")
    ok(approve(client, tokens["bob"], first))
    entries = ok(call(client, "GET", f"/audit?since={since}", tokens["bob"]))["entries"]
    assert [(e["actor"], e["action"], e["target"]) for e in entries] == [
        ("bob", "registry.add_channel", "platform:icbc/phone/+864001234567"),
        ("bob", "proposal.approve", f"proposal:{first}"),
    ]
    assert set(entries[0]) == {"at", "actor", "action", "target", "before", "after"}
    everything = ok(call(client, "GET", "/audit", tokens["bob"]))["entries"]
    assert [e["action"] for e in everything][:3] == ["user.create"] * 3  # oldest first
    filtered = ok(call(client, "GET", "/audit?actor=alice&action=proposal.", tokens["bob"]))
    assert [e["action"] for e in filtered["entries"]] == ["proposal.create"]
    until = ok(call(client, "GET", f"/audit?until={since}&target=proposal:", tokens["bob"]))
    assert [e["action"] for e in until["entries"]] == ["proposal.create"]


@pytest.mark.parametrize(
    "query",
    ["since=yesterday", "since=2026-13-01", "until=1", "limit=0", "limit=abc", "actor=%00"],
)
def test_audit_refuses_bad_filters(client: FlaskClient, tokens: dict[str, str], query: str) -> None:
    assert error_code(call(client, "GET", f"/audit?{query}", tokens["bob"]), 400) == "bad_field"


def test_due_lists_channels_verified_long_ago(client: FlaskClient, tokens: dict[str, str]) -> None:
    # The small registry was verified on 2026-11-01: due only for a short enough age.
    answer = ok(call(client, "GET", "/due?days=1", tokens["bob"]))
    values = {(c["platform"], c["value"]) for c in answer["channels"]}
    today = dt.date.today()
    if today > dt.date(2026, 11, 2):
        assert ("icbc", "95588") in values
    assert ok(call(client, "GET", "/due?days=36500", tokens["bob"]))["channels"] == []
    assert error_code(call(client, "GET", "/due?days=-5", tokens["bob"]), 400) == "bad_field"


# --- public reports, triaged ---------------------------------------------------------------------


def report(client: FlaskClient, **body: Any) -> int:
    answer = ok(client.post("/api/v1/reports", json=body), 202)
    report_id: int = answer["id"]
    return report_id


def test_confirming_a_report_proposes_a_blocklist_entry_with_the_evidence(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    group = report(client, input="400-777-6666", text="said I won a prize", claimed_platform="icbc")
    assert report(client, input="+86 400 777 6666", seen_at="SMS") == group
    listed = ok(call(client, "GET", "/reports?status=open", tokens["bob"]))["reports"]
    assert [(r["id"], r["count"], r["value"], r["kind"]) for r in listed] == [
        (group, 2, "+864007776666", "phone")
    ]
    assert [i["text"] for i in listed[0]["items"]] == ["said I won a prize", ""]
    assert listed[0]["claimed_platform"] == "icbc"

    confirmed = ok(
        call(client, "POST", f"/reports/{group}/confirm", tokens["bob"], {"note": "clear scam"})
    )
    assert (confirmed["id"], confirmed["status"]) == (group, "confirmed")
    shown = ok(call(client, "GET", f"/proposals/{confirmed['proposal']}", tokens["alice"]))
    assert (shown["action"], shown["status"], shown["proposer"]) == (
        "add_blocklist",
        "pending",
        "bob",
    )
    entry = shown["payload"]["entry"]
    assert (entry["value"], entry["impersonates"]) == ("+864007776666", "icbc")
    assert f"report #{group}" in entry["evidence"] and "2 public report" in entry["evidence"]
    assert ok(call(client, "GET", "/reports?status=open", tokens["bob"]))["reports"] == []
    # Approved by someone else, the number is a known scam for everyone.
    ok(approve(client, tokens["alice"], confirmed["proposal"]))
    assert verdict(client, "4007776666") == "known_scam"


def test_rejecting_and_marking_duplicate(client: FlaskClient, tokens: dict[str, str]) -> None:
    first = report(client, input="https://bad.example.top/login")
    second = report(client, input="evil.example.top")
    third = report(client, input="400-777-5555")
    path = f"/reports/{first}/reject"
    assert error_code(call(client, "POST", path, tokens["bob"], {}), 400) == "invalid"
    assert ok(call(client, "POST", path, tokens["bob"], {"reason": "not a scam"}))["status"] == (
        "rejected"
    )
    assert ok(call(client, "POST", path, tokens["bob"], {"reason": "again"}), 409)
    marked = ok(call(client, "POST", f"/reports/{third}/duplicate", tokens["bob"], {"of": second}))
    assert (marked["status"], marked["of"]) == ("duplicate", second)
    for bad in ({}, {"of": "2"}, {"of": True}, {"of": -1}):
        response = call(client, "POST", f"/reports/{second}/duplicate", tokens["bob"], bad)
        assert error_code(response, 400) == "bad_field"
    assert error_code(
        call(client, "POST", f"/reports/{second}/duplicate", tokens["bob"], {"of": 9999}), 404
    )
    statuses = {
        r["id"]: (r["status"], r["count"])
        for r in ok(call(client, "GET", "/reports", tokens["bob"]))["reports"]
    }
    assert statuses == {first: ("rejected", 1), second: ("open", 2), third: ("duplicate", 1)}


# --- hostile input -------------------------------------------------------------------------------

HOSTILE_BODIES = [
    '{"action": "add_channel", "note": "\\ud800", "platform": "icbc"}',  # a lone surrogate
    '{"action": "add_channel\\ud800", "note": "x"}',
    '{"action": "add_channel", "note": "x", "platform": "icbc", "channel": {"kind": "phone", '
    '"value": "\\udfff", "source": "s", "verified_on": "2026-11-01"}}',
    '{"\\ud800": 1, "action": "add_channel", "note": "x"}',  # even in a key
    json.dumps({"action": "add_channel", "note": "x\x00y", "platform": "icbc"}),
    json.dumps({"action": "add_channel", "note": "x" * 10_000, "platform": "icbc"}),
    json.dumps({"action": "add_channel", "note": "\u202eevil", "platform": "icbc\u202e"}),
    json.dumps({"action": "add_channel", "note": "x", "platform": "icbc", "channel": "95588"}),
    json.dumps({"action": "add_channel", "note": "x", "platform": ["icbc"]}),
    json.dumps({"action": 5, "note": "x"}),
    json.dumps({"action": "add_channel", "note": ["x"]}),
    json.dumps({"action": "add_channel", "note": "x", "source": 1, "platform": "icbc"}),
    json.dumps({"action": "edit_channel", "note": "x", "platform": "icbc", "revision": "1"}),
    json.dumps({"action": "edit_channel", "note": "x", "platform": "icbc", "revision": True}),
    json.dumps({"action": "edit_channel", "note": "x", "platform": "icbc", "revision": 2**80}),
    json.dumps({"action": "import", "note": "x", "registry": {"platforms": "x"}}),
    json.dumps({"action": "import", "note": "x", "registry": {"platforms": [1], "blocklist": []}}),
    json.dumps({"action": "import", "note": "x", "registry": []}),
    json.dumps({"action": "import", "note": "x", "registry": {}, "replace": "yes"}),
    json.dumps({"action": "add_platform", "note": "x", "platform": {"slug": {"a": 1}}}),
    json.dumps({"action": "add_platform", "note": "x", "platform": {"slug": "A B", "name": 1}}),
    json.dumps({"action": "edit_platform", "note": "x", "platform": {"slug": "nobody"}}),
    json.dumps({"action": "add_blocklist", "note": "x", "entry": {"kind": "phone", "value": 5}}),
    json.dumps(
        {"action": "add_blocklist", "note": "x", "entry": {"kind": "url", "value": "x" * 5000}}
    ),
    json.dumps(
        {
            "action": "add_channel",
            "note": "x",
            "platform": "icbc",
            "channel": new_channel("1" * 900),
        }
    ),
    json.dumps({"action": "remove_blocklist", "note": "x", "entry": {"kind": "phone"}}),
]


@pytest.mark.parametrize("raw", HOSTILE_BODIES)
def test_hostile_proposals_are_refused_never_500(
    client: FlaskClient, tokens: dict[str, str], raw: str
) -> None:
    response = client.post(
        "/api/v1/mod/proposals",
        data=raw,
        content_type=JSON,
        headers={"Authorization": f"Bearer {tokens['alice']}"},
    )
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    assert response.mimetype == JSON
    assert ok(call(client, "GET", "/proposals", tokens["alice"])) == {"proposals": []}


@pytest.mark.parametrize(
    ("path", "raw"),
    [
        ("/reports/1/reject", '{"reason": "\\ud800"}'),
        ("/reports/1/reject", json.dumps({"reason": 7})),
        ("/reports/1/confirm", json.dumps({"note": None})),
        ("/proposals/1/reject", json.dumps({"reason": {"x": 1}})),
        ("/proposals/1/approve", "not json"),
        ("/proposals/1/approve", "x" * (3 * 1024 * 1024)),  # larger than any body allowed
    ],
)
def test_hostile_decisions_are_refused_never_500(
    client: FlaskClient, tokens: dict[str, str], path: str, raw: str
) -> None:
    report(client, input="400-777-4444")
    propose(client, tokens["alice"], action="add_channel", platform="icbc", channel=new_channel())
    response = client.post(
        f"/api/v1/mod{path}",
        data=raw,
        content_type=JSON,
        headers={"Authorization": f"Bearer {tokens['bob']}"},
    )
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    assert response.mimetype == JSON
