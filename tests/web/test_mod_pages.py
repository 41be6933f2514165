"""The moderators' pages (/mod) through the test client, on the small registry.

Every role boundary, the four-eyes flow from a form to the public answer, conflicts, escaping of
what moderators and the public typed, the audit log and its download, re-verification.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from moderators import add_user, csrf_token, log_in, post_form
from sqlalchemy import select
from werkzeug.test import TestResponse

from registry.models import ChannelRow, PlatformRow
from registry.moderation import Moderation
from verifier.web import create_app
from verifier.web.extensions import app_session
from verifier.web.limits import limiter

NEW_NUMBER = "+86 400 123 4567"
SOURCE = "https://www.icbc.com.cn/contact"
XSS = ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>']


def _mod_rules() -> list[tuple[str, str]]:
    """(method, path) of every /mod view, read from a throwaway app's URL map."""
    app = create_app(
        {
            "VERIFIER_ENV": "testing",
            "VERIFIER_DATABASE_URL": "sqlite://",
            "VERIFIER_SETUP_ON_START": False,
        }
    )
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/mod"):
            continue
        path = re.sub(r"<int(?:\([^)]*\))?:[^>]+>", "1", rule.rule)
        path = re.sub(r"<[^>]+>", "icbc", path)
        found += [(method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    app.extensions["verifier.engine"].dispose()
    return found


MOD_RULES = _mod_rules()


@pytest.fixture(autouse=True)
def fresh_rate_limits(app: Flask) -> Iterator[None]:
    with app.app_context():
        limiter.reset()
    yield


@pytest.fixture
def users(app: Flask) -> None:
    add_user(app, "alice")
    add_user(app, "bob")
    add_user(app, "root", role="admin")


@pytest.fixture
def alice(client: FlaskClient, users: None) -> FlaskClient:
    assert log_in(client, "alice").status_code == 303
    return client


@pytest.fixture
def bob(app: Flask, users: None) -> FlaskClient:
    client = app.test_client()
    assert log_in(client, "bob").status_code == 303
    return client


def html_of(response: TestResponse, status: int = 200) -> str:
    assert response.status_code == status, response.get_data(as_text=True)[:1500]
    html = response.get_data(as_text=True)
    assert "Traceback" not in html
    return html


def proposal_id(response: TestResponse) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[:1500]
    found = re.fullmatch(r"/mod/proposals/(\d+)", response.location)
    assert found, response.location
    return int(found.group(1))


def propose_channel(client: FlaskClient, value: str = NEW_NUMBER, note: str = "new line") -> int:
    path = "/mod/platforms/icbc/channels/new"
    data = {
        "kind": "phone",
        "value": value,
        "label_zh": "新热线",
        "label_en": "New line",
        "source": SOURCE,
        "verified_on": "2026-11-20",
        "note": note,
    }
    return proposal_id(post_form(client, path, data))


def decide(client: FlaskClient, number: int, decision: str, **data: str) -> TestResponse:
    path = f"/mod/proposals/{number}"
    return post_form(client, f"{path}/{decision}", data, form_page=path)


def verdict(client: FlaskClient, value: str) -> str:
    response = client.get("/api/v1/check", query_string={"q": value})
    answer: str = response.get_json()["verdict"]
    return answer


def channel_row(app: Flask, value: str) -> tuple[int, int]:
    """(id, revision) of the icbc channel with ``value``."""
    with app_session(app) as session:
        row = session.scalar(
            select(ChannelRow)
            .join(PlatformRow)
            .where(PlatformRow.slug == "icbc", ChannelRow.value == value)
        )
        assert row is not None
        return row.id, row.revision


# --- who may see what ----------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), MOD_RULES)
def test_anonymous_is_sent_to_the_login_page(client: FlaskClient, method: str, path: str) -> None:
    if method == "GET":
        response = client.get(path)
    else:  # a valid CSRF token from a public page: only the missing login stops it
        response = client.post(path, data={"csrf_token": csrf_token(client, "/scan")})
    assert response.status_code == 302
    assert response.location.startswith("/login?next=/mod")


def test_every_mod_view_was_found() -> None:
    paths = {path for _method, path in MOD_RULES}
    assert {"/mod/", "/mod/settings", "/mod/audit.jsonl", "/mod/proposals/1/approve"} <= paths


def test_a_moderator_cannot_open_the_settings(alice: FlaskClient) -> None:
    assert alice.get("/mod/settings").status_code == 403
    assert "/mod/settings" not in alice.get("/mod/").get_data(as_text=True)


def test_an_admin_switches_single_approval_and_it_is_audited(
    app: Flask, client: FlaskClient, users: None
) -> None:
    log_in(client, "root")
    assert "Single approval is <strong>off</strong>" in html_of(client.get("/mod/settings"))
    response = post_form(client, "/mod/settings", {"single_approval": "on"})
    assert response.status_code == 303
    html = html_of(client.get("/mod/settings"))
    assert "Single approval is <strong>on</strong>" in html
    assert "setting.single_approval" in html
    with app_session(app) as session:
        assert Moderation(session).single_approval()


def test_a_form_without_its_csrf_token_is_400(alice: FlaskClient) -> None:
    data = {"kind": "phone", "value": NEW_NUMBER, "source": SOURCE, "note": "n"}
    response = alice.post("/mod/platforms/icbc/channels/new", data=data)
    assert response.status_code == 400
    assert alice.get("/mod/proposals").get_data(as_text=True).count("/mod/proposals/") == 0


# --- four eyes -----------------------------------------------------------------------------------


def test_a_new_number_is_official_only_after_a_second_moderator_approves(
    alice: FlaskClient, bob: FlaskClient
) -> None:
    number = propose_channel(alice)
    page = html_of(alice.get(f"/mod/proposals/{number}"))
    assert "+864001234567" in page and SOURCE in page  # the diff shows what would change
    assert verdict(alice, NEW_NUMBER) != "official"

    refused = decide(alice, number, "approve")
    assert "you cannot approve your own" in html_of(refused, 403)
    assert verdict(alice, NEW_NUMBER) != "official"

    assert "alice" in html_of(bob.get("/mod/"))  # waiting for bob, with its proposer
    assert decide(bob, number, "approve").status_code == 303
    assert "approved" in html_of(bob.get(f"/mod/proposals/{number}"))
    assert verdict(alice, NEW_NUMBER) == "official"
    history = html_of(bob.get("/mod/platforms/icbc"))
    assert "registry.add_channel" in history and "+864001234567" in history


def test_rejecting_needs_a_reason(alice: FlaskClient, bob: FlaskClient) -> None:
    number = propose_channel(alice)
    assert "&#39;reason&#39; is required" in html_of(decide(bob, number, "reject", reason=""), 400)
    response = decide(bob, number, "reject", reason="the source page does not list it")
    assert response.status_code == 303
    html = html_of(bob.get(f"/mod/proposals/{number}"))
    assert "rejected" in html and "the source page does not list it" in html


def test_only_the_proposer_can_withdraw(alice: FlaskClient, bob: FlaskClient) -> None:
    number = propose_channel(alice)
    assert "only the moderator who proposed it" in html_of(decide(bob, number, "withdraw"), 403)
    assert decide(alice, number, "withdraw").status_code == 303
    assert "withdrawn" in html_of(alice.get(f"/mod/proposals/{number}"))


def test_a_proposal_needs_a_note_and_keeps_what_was_typed(alice: FlaskClient) -> None:
    path = "/mod/platforms/icbc/channels/new"
    data = {"kind": "phone", "value": NEW_NUMBER, "source": SOURCE, "verified_on": "2026-11-20"}
    html = html_of(post_form(alice, path, {**data, "note": ""}), 400)
    assert "&#39;note&#39; is required" in html
    assert f'value="{NEW_NUMBER}"' in html and f'value="{SOURCE}"' in html


def test_a_stale_edit_is_a_409_conflict_not_an_overwrite(
    app: Flask, alice: FlaskClient, bob: FlaskClient
) -> None:
    channel_id, revision = channel_row(app, "95588")
    path = f"/mod/platforms/icbc/channels/{channel_id}"
    assert f'name="revision" value="{revision}"' in html_of(alice.get(path))
    edit = {
        "label_zh": "客服热线",
        "label_en": "Hotline",
        "source": SOURCE,
        "verified_on": "2026-11-25",
        "revision": str(revision),
    }
    # Bob's edit, made against the same revision, is approved first ...
    number = proposal_id(post_form(bob, path, {**edit, "note": "bob's edit"}))
    assert decide(alice, number, "approve").status_code == 303
    # ... so Alice's, from the page she opened before, is refused.
    late = post_form(alice, path, {**edit, "label_en": "Main hotline", "note": "alice's edit"})
    html = html_of(late, 409)
    assert "changed by someone else since you opened it" in html
    assert 'value="Main hotline"' in html  # what she typed is still there


def test_edit_platform_and_retire_channel_through_the_forms(
    app: Flask, alice: FlaskClient, bob: FlaskClient
) -> None:
    form = html_of(alice.get("/mod/platforms/icbc/edit"))
    revision = re.search(r'name="revision" value="(\d+)"', form)
    assert revision
    data = {
        "name_zh": "中国工商银行",
        "name_en": "Industrial and Commercial Bank of China",
        "aliases": "工行\nICBC",
        "category": "bank",
        "country": "CN",
        "phone_support": "listed",
        "note": "full English name",
        "revision": revision.group(1),
    }
    number = proposal_id(post_form(alice, "/mod/platforms/icbc/edit", data))
    assert "Industrial and Commercial Bank of China" in html_of(
        alice.get(f"/mod/proposals/{number}")
    )
    assert decide(bob, number, "approve").status_code == 303

    channel_id, revision_now = channel_row(app, "95588")
    retire = {"source": SOURCE + "/notice", "note": "out of service", "revision": str(revision_now)}
    path = f"/mod/platforms/icbc/channels/{channel_id}"
    number = proposal_id(post_form(alice, f"{path}/retire", retire, form_page=path))
    assert decide(bob, number, "approve").status_code == 303
    assert verdict(alice, "95588") == "retired"


def test_blocklist_add_and_remove_through_the_forms(alice: FlaskClient, bob: FlaskClient) -> None:
    data = {
        "kind": "phone",
        "value": "+86 400 555 0000",
        "impersonates": "icbc",
        "evidence": "https://example.org/warning",
        "note": "reported by the bank",
    }
    number = proposal_id(post_form(alice, "/mod/blocklist", data))
    assert decide(bob, number, "approve").status_code == 303
    assert verdict(alice, "+86 400 555 0000") == "known_scam"
    html = html_of(alice.get("/mod/blocklist"))
    found = re.search(
        r'href="/mod/blocklist/(\d+)/remove">Propose removal</a>\s*</td>\s*</tr>\s*'
        r"</tbody>",
        html,
    )
    entries = re.findall(r"<code>([^<]+)</code>", html)
    assert "+864005550000" in entries
    assert found
    path = f"/mod/blocklist/{found.group(1)}/remove"
    revision = re.search(r'name="revision" value="(\d+)"', html_of(alice.get(path)))
    assert revision
    form = {"source": "https://example.org/fixed", "note": "n", "revision": revision.group(1)}
    assert html_of(alice.get(path)).count("<code>") == 1
    number = proposal_id(post_form(alice, path, form))
    assert decide(bob, number, "approve").status_code == 303


def test_a_new_platform_through_the_form(alice: FlaskClient, bob: FlaskClient) -> None:
    data = {
        "slug": "example-bank",
        "name_zh": "示例银行",
        "name_en": "Example Bank",
        "aliases": "示例",
        "category": "bank",
        "country": "CN",
        "phone_support": "unknown",
        "note": "a new bank",
    }
    number = proposal_id(post_form(alice, "/mod/platforms/new", data))
    assert decide(bob, number, "approve").status_code == 303
    assert "示例银行" in html_of(alice.get("/mod/platforms?q=example"))
    bad = html_of(post_form(alice, "/mod/platforms/new", {**data, "slug": "Bad Slug"}), 400)
    assert 'value="示例银行"' in bad


# --- escaping ------------------------------------------------------------------------------------


def assert_escaped(html: str, shown: bool = True) -> None:
    """No payload as markup; when the page shows what was typed, it shows it as text."""
    for payload in XSS:
        assert payload not in html
    assert "<script" not in html and "<img" not in html
    if shown:
        assert str(escape(XSS[1])) in html


def test_what_people_typed_is_escaped_on_every_page(
    app: Flask, alice: FlaskClient, bob: FlaskClient
) -> None:
    with app_session(app) as session:
        report = Moderation(session).submit_report(
            kind="phone",
            value="+864006660000",
            input="400 666 0000 " + XSS[1],
            text="call them " + XSS[0] + XSS[1],
            seen_at=XSS[1],
            claimed_platform="icbc",
        )
        session.commit()
        report_id = report.id
    assert_escaped(html_of(bob.get("/mod/reports")), shown=False)  # lists the value only
    assert_escaped(html_of(bob.get(f"/mod/reports/{report_id}")))

    form = html_of(alice.get("/mod/platforms/icbc/edit"))
    revision = re.search(r'name="revision" value="(\d+)"', form)
    assert revision
    data = {
        "name_zh": "中国工商银行",
        "name_en": "ICBC",
        "aliases": "工行\n" + "\n".join(XSS),
        "category": "bank",
        "country": "CN",
        "phone_support": "listed",
        "note": "aliases " + " ".join(XSS),
        "revision": revision.group(1),
    }
    number = proposal_id(post_form(alice, "/mod/platforms/icbc/edit", data))
    assert_escaped(html_of(bob.get("/mod/")))  # pending, with its note
    assert decide(bob, number, "approve").status_code == 303
    for path in (
        "/mod/proposals?status=all",
        f"/mod/proposals/{number}",
        "/mod/platforms/icbc",
        "/mod/audit",
    ):
        assert_escaped(html_of(bob.get(path)))
    assert_escaped(html_of(bob.get("/mod/")), shown=False)  # approved: no longer listed
    assert_escaped(html_of(bob.get("/platforms/icbc")))


def test_confirming_a_report_makes_a_blocklist_proposal(app: Flask, alice: FlaskClient) -> None:
    with app_session(app) as session:
        report = Moderation(session).submit_report(
            kind="phone", value="+864007770000", input="400 777 0000", text="refund scam"
        )
        session.commit()
        report_id = report.id
    path = f"/mod/reports/{report_id}"
    assert "&#39;note&#39; is required" in html_of(
        post_form(alice, f"{path}/confirm", {}, path), 400
    )
    number = proposal_id(post_form(alice, f"{path}/confirm", {"note": "many reports"}, path))
    assert "add_blocklist" in html_of(alice.get(f"/mod/proposals/{number}"))
    assert "confirmed" in html_of(alice.get(path))


# --- audit ---------------------------------------------------------------------------------------


def test_audit_page_filters(alice: FlaskClient, bob: FlaskClient) -> None:
    propose_channel(alice)
    everything = html_of(bob.get("/mod/audit"))
    assert "proposal.create" in everything and "user.create" in everything
    by_alice = html_of(bob.get("/mod/audit?actor=alice&action=proposal."))
    assert "proposal.create" in by_alice and "user.create" not in by_alice
    future = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    assert "No entries." in html_of(bob.get(f"/mod/audit?since={future}"))
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert "proposal.create" in html_of(bob.get(f"/mod/audit?since={today}&until={today}"))
    assert "ISO date" in html_of(bob.get("/mod/audit?since=yesterday"), 400)


def test_audit_download_is_json_lines(alice: FlaskClient, bob: FlaskClient) -> None:
    propose_channel(alice)
    response = bob.get("/mod/audit.jsonl?actor=alice")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).splitlines()
    assert lines
    for line in lines:
        entry = json.loads(line)
        assert set(entry) == {"at", "actor", "action", "target", "before", "after"}
        assert entry["actor"] == "alice"
        assert dt.datetime.fromisoformat(entry["at"]).utcoffset() == dt.timedelta(0)
    assert any(json.loads(line)["action"] == "proposal.create" for line in lines)


# --- re-verification -----------------------------------------------------------------------------


def test_an_old_channel_is_due_and_reverifying_it_is_a_proposal(
    app: Flask, alice: FlaskClient, bob: FlaskClient
) -> None:
    channel_id, _ = channel_row(app, "95588")
    with app_session(app) as session:
        row = session.get(ChannelRow, channel_id)
        assert row is not None
        row.verified_on = dt.date(2020, 1, 1)
        session.commit()
    html = html_of(alice.get("/mod/due"))
    assert "95588" in html and "2020-01-01" in html
    assert f'action="/mod/due/{channel_id}"' in html
    revision = re.search(rf'/mod/due/{channel_id}".*?name="revision" value="(\d+)"', html, re.S)
    assert revision
    form = {
        "source": SOURCE + "/2026",
        "verified_on": "2026-11-30",
        "note": "still listed",
        "revision": revision.group(1),
    }
    number = proposal_id(post_form(alice, f"/mod/due/{channel_id}", form, "/mod/due"))
    page = html_of(alice.get(f"/mod/proposals/{number}"))
    assert "edit_channel" in page and "2020-01-01" in page and "2026-11-30" in page
    assert decide(bob, number, "approve").status_code == 303
    assert "95588" not in html_of(alice.get("/mod/due"))
