"""GET /api/v1/snapshot: the public registry for offline use, its ETag, gzip and ``since``; and
the cache headers of the platform endpoints."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from small_registry import SMALL_REGISTRY
from sqlalchemy import text

from registry.files import parse_registry
from registry.moderation import OPERATOR, Moderation
from verifier.web.extensions import app_session

SOURCE = "https://example.org/source"
PASSWORD = "a long enough password"
PRIVATE_FIELDS = ("evidence", "source", "verified_on", "note", "revision", "changed_in", "added_on")


def _snapshot(client: FlaskClient, query: str = "", **headers: str) -> Any:
    return client.get(f"/api/v1/snapshot{query}", headers=headers)


def _version(client: FlaskClient) -> int:
    """The registry version now (the app loads the bundled registry, then the small one)."""
    version: int = _snapshot(client).get_json()["registry_version"]
    return version


def _approve(app: Flask, action: str, **fields: Any) -> None:
    """Propose as one moderator and approve as another, through the moderation service."""
    with app_session(app) as session:
        mod = Moderation(session)
        alice = mod.user("alice") or mod.create_user("alice", "moderator", PASSWORD)
        bob = mod.user("bob") or mod.create_user("bob", "moderator", PASSWORD)
        row = mod.propose(alice, action, note="checked", **fields)
        mod.approve(bob, row.id)
        session.commit()


# --- the whole registry ----------------------------------------------------------------------


def test_the_snapshot_holds_the_public_registry(client: FlaskClient) -> None:
    response = _snapshot(client)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["registry_version"] == _version(client) and body["since"] is None
    assert [p["slug"] for p in body["platforms"]] == sorted(
        p["slug"] for p in SMALL_REGISTRY["platforms"]
    )
    icbc = next(p for p in body["platforms"] if p["slug"] == "icbc")
    assert icbc["name"] == {"zh": "中国工商银行", "en": "ICBC"}
    assert icbc["aliases"] == ["工行", "ICBC"]
    assert (icbc["category"], icbc["country"], icbc["phone_support"]) == ("bank", "CN", "listed")
    assert icbc["channels"][1] == {
        "kind": "phone",
        "value": "+864000001234",
        "label": {"zh": "旧热线", "en": "Old line"},
        "status": "retired",
        "trust": "verified",
    }
    assert icbc["trust"] == "verified"
    assert icbc["channels"][2]["scope"] == "subdomains"
    assert body["blocklist"] == [
        {"kind": "domain", "value": "hk.alipayc05.cc", "impersonates": "icbc"},
        {"kind": "phone", "value": "+864009998888", "impersonates": "pinduoduo"},
    ]
    assert body["reviewed"] == []


def test_the_snapshot_holds_no_private_field(app: Flask, client: FlaskClient) -> None:
    data = parse_registry(
        {
            "platforms": [],
            "reviewed": [
                {
                    "value": "duolingo.com",
                    "note": "A language course",
                    "reviewed_on": "2026-11-04",
                    "source": SOURCE,
                }
            ],
        }
    )
    with app_session(app) as session:
        Moderation(session).import_direct(OPERATOR, data, replace_all=False)
        session.commit()
    body = _snapshot(client).get_json()
    assert body["reviewed"] == [{"value": "duolingo.com", "resembles": None}]
    text_ = json.dumps(body, ensure_ascii=False)
    for field in PRIVATE_FIELDS:
        assert f'"{field}"' not in text_
    assert "example.org" not in text_ and "A language course" not in text_
    # Moderation data never appears: no users, proposals or reports.
    assert set(body) == {"registry_version", "since", "platforms", "blocklist", "reviewed"}


# --- ETag, 304 and caching ---------------------------------------------------------------------


def test_the_second_request_with_the_etag_gets_304(client: FlaskClient) -> None:
    first = _snapshot(client)
    etag = first.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"')  # strong: no W/
    assert first.headers["Cache-Control"] == "public, max-age=300"
    second = _snapshot(client, **{"If-None-Match": etag})
    assert second.status_code == 304
    assert second.data == b""
    assert second.headers["ETag"] == etag
    assert "Accept-Encoding" in second.headers["Vary"]


@pytest.mark.parametrize(
    "if_none_match",
    [
        "*",  # any current representation
        '"not-it", {etag}',  # a list naming it
        "W/{etag}",  # weak comparison, as RFC 9110 prescribes for If-None-Match
    ],
)
def test_if_none_match_forms(client: FlaskClient, if_none_match: str) -> None:
    etag = _snapshot(client).headers["ETag"]
    response = _snapshot(client, **{"If-None-Match": if_none_match.format(etag=etag)})
    assert response.status_code == 304


def test_another_etag_gets_the_body(client: FlaskClient) -> None:
    response = _snapshot(client, **{"If-None-Match": '"stale"'})
    assert response.status_code == 200 and response.get_json()["platforms"]


def test_a_registry_change_changes_the_etag(app: Flask, client: FlaskClient) -> None:
    before = _version(client)
    etag = _snapshot(client).headers["ETag"]
    _approve(app, "edit_platform", platform={"slug": "icbc", "aliases": ["工行"]})
    response = _snapshot(client, **{"If-None-Match": etag})
    assert response.status_code == 200
    assert response.headers["ETag"] != etag
    assert response.get_json()["registry_version"] == before + 1


# --- gzip ------------------------------------------------------------------------------------


def test_gzip_when_asked(client: FlaskClient) -> None:
    plain = _snapshot(client)
    zipped = _snapshot(client, **{"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == plain.data
    assert len(zipped.data) < len(plain.data) / 2
    # A strong ETag names exact bytes: each encoding has its own.
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    assert "Content-Encoding" not in plain.headers


@pytest.mark.parametrize("accept", ["gzip;q=0", "identity", "br"])
def test_no_gzip_unless_accepted(client: FlaskClient, accept: str) -> None:
    response = _snapshot(client, **{"Accept-Encoding": accept})
    assert "Content-Encoding" not in response.headers
    assert response.get_json()["since"] is None


def test_the_etag_of_one_encoding_does_not_validate_the_other(client: FlaskClient) -> None:
    plain_etag = _snapshot(client).headers["ETag"]
    response = _snapshot(client, **{"If-None-Match": plain_etag, "Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    zipped_etag = response.headers["ETag"]
    again = _snapshot(client, **{"If-None-Match": zipped_etag, "Accept-Encoding": "gzip"})
    assert again.status_code == 304


# --- since -----------------------------------------------------------------------------------


def test_since_the_current_version_is_empty(client: FlaskClient) -> None:
    version = _version(client)
    body = _snapshot(client, f"?since={version}").get_json()
    assert body == {
        "registry_version": version,
        "since": version,
        "platforms": [],
        "platforms_removed": [],
        "blocklist": [],
        "blocklist_removed": [],
        "reviewed": [],
        "reviewed_removed": [],
    }


def test_since_lists_the_platform_an_approval_changed(app: Flask, client: FlaskClient) -> None:
    channel = {
        "kind": "phone",
        "value": "+86 400 123 4567",
        "label": {"zh": "客服热线", "en": "Hotline"},
        "source": SOURCE,
        "verified_on": "2026-11-30",
    }
    before = _version(client)
    _approve(app, "add_channel", platform="icbc", channel=channel)
    response = _snapshot(client, f"?since={before}")
    assert response.headers["Cache-Control"] == "public, max-age=300"
    body = response.get_json()
    assert body["registry_version"] == before + 1 and body["since"] == before
    assert [p["slug"] for p in body["platforms"]] == ["icbc"]
    # The whole platform, as the full snapshot shows it.
    full = next(p for p in _snapshot(client).get_json()["platforms"] if p["slug"] == "icbc")
    assert body["platforms"][0] == full
    assert full["channels"][-1]["value"] == "+864001234567"
    assert body["blocklist"] == body["platforms_removed"] == body["blocklist_removed"] == []


def test_since_lists_a_removed_blocklist_entry(app: Flask, client: FlaskClient) -> None:
    before = _version(client)
    _approve(
        app,
        "remove_blocklist",
        entry={"kind": "domain", "value": "hk.alipayc05.cc"},
        source=SOURCE,
    )
    body = _snapshot(client, f"?since={before}").get_json()
    assert body["blocklist_removed"] == [{"kind": "domain", "value": "hk.alipayc05.cc"}]
    assert body["blocklist"] == [] and body["platforms"] == []


def test_since_lists_a_platform_a_replacing_import_deleted(app: Flask, client: FlaskClient) -> None:
    kept = [p for p in SMALL_REGISTRY["platforms"] if p["slug"] != "china-post"]
    data = parse_registry({**SMALL_REGISTRY, "platforms": kept})
    before = _version(client)
    with app_session(app) as session:
        Moderation(session).import_direct(OPERATOR, data, replace_all=True)
        session.commit()
    body = _snapshot(client, f"?since={before}").get_json()
    assert body["platforms_removed"] == ["china-post"]
    # The platforms it wrote again unchanged are not sent again.
    assert body["platforms"] == [] and body["blocklist"] == []
    assert "china-post" not in {p["slug"] for p in _snapshot(client).get_json()["platforms"]}


def test_since_answers_gzip_and_304_too(client: FlaskClient) -> None:
    first = _snapshot(client, "?since=0", **{"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(first.data))["since"] == 0
    again = _snapshot(
        client, "?since=0", **{"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("since", "code"),
    [
        ("x", "bad_field"),  # not a number
        ("", "bad_field"),  # empty
        ("-1", "bad_field"),  # versions are never negative
        ("1.5", "bad_field"),  # nor fractions
        ("+1", "bad_field"),  # int() would take it; a version is digits only
        ("١", "bad_field"),  # an Arabic-Indic digit, which int() also takes
        ("9" * 40, "bad_field"),  # absurdly long
        ("3", "since_unavailable"),  # newer than the registry (version 2: bundled, then small)
    ],
)
def test_a_bad_since_is_refused(client: FlaskClient, since: str, code: str) -> None:
    response = client.get("/api/v1/snapshot", query_string={"since": since})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == code


def test_a_since_older_than_the_history_is_refused(app: Flask, client: FlaskClient) -> None:
    with app_session(app) as session:
        # As after migration 0004 on a database at version 2: history starts there.
        session.execute(text("UPDATE registry_meta SET changes_since = 2"))
        session.commit()
    response = _snapshot(client, "?since=1")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "since_unavailable" and "whole snapshot" in error["message"]
    assert _snapshot(client, "?since=2").status_code == 200


# --- the platform endpoints ------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/platforms", "/api/v1/platforms/icbc"])
def test_platform_answers_carry_an_etag_and_answer_304(client: FlaskClient, path: str) -> None:
    first = client.get(path)
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "public, max-age=60"
    assert "Accept-Language" in first.headers["Vary"]
    etag = first.headers["ETag"]
    assert not etag.startswith("W/")
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    # The English answer is another representation, with another ETag.
    english = client.get(path, headers={"If-None-Match": etag, "Accept-Language": "en"})
    assert english.status_code == 200 and english.headers["ETag"] != etag


def test_a_missing_platform_is_not_cached(client: FlaskClient) -> None:
    response = client.get("/api/v1/platforms/nope")
    assert response.status_code == 404
    assert "ETag" not in response.headers
    assert "public" not in response.headers.get("Cache-Control", "")
