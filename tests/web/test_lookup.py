"""GET /api/v1/lookup/<prefix>: hosts by hash prefix, so a client checks a site unrevealed."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from registry.files import parse_registry
from registry.moderation import OPERATOR, Moderation
from verifier.web import create_app
from verifier.web.extensions import app_session

SOURCE = "https://example.org/source"


def _sha(host: str) -> str:
    return hashlib.sha256(host.encode("ascii")).hexdigest()


def _entries(client: FlaskClient, host: str) -> list[dict[str, Any]]:
    """The entries for ``host``'s prefix whose full hash matches, as a client keeps them."""
    response = client.get(f"/api/v1/lookup/{_sha(host)[:8]}")
    assert response.status_code == 200
    return [e for e in response.get_json()["entries"] if e["sha256"] == _sha(host)]


def _import(app: Flask, registry: dict[str, Any]) -> None:
    """Add ``registry``'s entries to the app's registry (a merge import)."""
    with app_session(app) as session:
        Moderation(session).import_direct(OPERATOR, parse_registry(registry), replace_all=False)
        session.commit()


@pytest.fixture
def bundled_app(started_database_url: str) -> Iterator[Flask]:
    """An app on the bundled registry, as the first start in production leaves it."""
    app = create_app(
        {
            "VERIFIER_ENV": "testing",
            "VERIFIER_DATABASE_URL": started_database_url,
            "VERIFIER_INDEX_REFRESH_SECONDS": 0,
        }
    )
    yield app
    app.extensions["verifier.engine"].dispose()


def test_icbc_is_official_on_the_bundled_registry(bundled_app: Flask) -> None:
    # The acceptance: the prefix of sha256("icbc.com.cn") finds it, official.
    response = bundled_app.test_client().get(f"/api/v1/lookup/{_sha('icbc.com.cn')[:8]}")
    assert response.status_code == 200
    found = [e for e in response.get_json()["entries"] if e["sha256"] == _sha("icbc.com.cn")]
    assert len(found) == 1
    assert found[0]["verdict"] == "official"
    assert found[0]["host"] == "icbc.com.cn"
    assert found[0]["platform"]["slug"] == "icbc"
    assert found[0]["impersonates"] is None
    assert found[0]["scope"] == "subdomains"


def test_an_official_host(client: FlaskClient) -> None:
    assert _entries(client, "pay.weixin.qq.com") == [
        {
            "sha256": _sha("pay.weixin.qq.com"),
            "host": "pay.weixin.qq.com",
            "verdict": "official",
            "platform": {"slug": "wechat-pay", "name": {"zh": "微信支付", "en": "WeChat Pay"}},
            "impersonates": None,
            "scope": "exact",
            "trust": "verified",
        }
    ]


def test_a_blocklisted_host(client: FlaskClient) -> None:
    (entry,) = _entries(client, "hk.alipayc05.cc")
    assert entry["verdict"] == "known_scam"
    assert entry["platform"] is None
    assert entry["impersonates"] == {"slug": "icbc", "name": {"zh": "中国工商银行", "en": "ICBC"}}
    assert entry["scope"] == "subdomains"


def test_the_host_of_a_blocklisted_link_names_the_link(app: Flask, client: FlaskClient) -> None:
    link = "https://someone.github.io/icbc-login"
    entry = {"kind": "url", "value": link, "evidence": SOURCE, "added_on": "2026-11-30"}
    _import(app, {"platforms": [], "blocklist": [entry]})
    (found,) = _entries(client, "someone.github.io")
    # Only that link is a scam, not everything on the shared host.
    assert found["verdict"] == "known_scam" and found["scope"] == "url"
    assert found["url"] == link


def test_a_retired_domain(app: Flask, client: FlaskClient) -> None:
    channel = {
        "kind": "domain",
        "value": "old-bank.cn",
        "status": "retired",
        "source": SOURCE,
        "verified_on": "2026-11-30",
    }
    _import(
        app, {"platforms": [{"slug": "old-bank", "name": {"zh": "旧银行"}, "channels": [channel]}]}
    )
    (entry,) = _entries(client, "old-bank.cn")
    assert entry["verdict"] == "retired" and entry["platform"]["slug"] == "old-bank"


def test_a_reviewed_host_is_unverified_and_flagged(app: Flask, client: FlaskClient) -> None:
    review = {"value": "duolingo.com", "note": "A language course", "reviewed_on": "2026-11-04"}
    _import(app, {"platforms": [], "reviewed": [review]})
    (entry,) = _entries(client, "duolingo.com")
    assert entry["verdict"] == "unverified" and entry["reviewed"] is True
    assert entry["platform"] is None and entry["impersonates"] is None
    # The moderator's note stays out of it, as it does of the snapshot.
    assert "A language course" not in str(entry)


def test_a_prefix_with_no_host_has_no_entries(client: FlaskClient) -> None:
    # The small registry's hosts all hash elsewhere.
    assert not _sha("icbc.com.cn").startswith("00000000")
    response = client.get("/api/v1/lookup/00000000")
    assert response.status_code == 200
    assert response.get_json() == {"entries": []}


def test_a_host_not_in_the_registry_is_not_found(client: FlaskClient) -> None:
    assert _entries(client, "example.com") == []


def test_upper_case_digits_are_accepted(client: FlaskClient) -> None:
    prefix = _sha("icbc.com.cn")[:8]
    upper = client.get(f"/api/v1/lookup/{prefix.upper()}").get_json()
    assert upper == client.get(f"/api/v1/lookup/{prefix}").get_json()
    assert upper["entries"]


@pytest.mark.parametrize(
    "prefix",
    [
        "abc",  # too short
        "0123456789",  # too long: a longer prefix would say more about the visit
        "0123456g",  # not hex
        "icbc.com",  # a host name instead of its hash
        "%20%20%20%20%20%20%20%20",  # spaces
        "０１２３４５６７",  # full-width digits
    ],
)
def test_a_bad_prefix_is_refused(client: FlaskClient, prefix: str) -> None:
    response = client.get(f"/api/v1/lookup/{prefix}")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_field"


def test_lookups_are_cacheable(client: FlaskClient) -> None:
    path = f"/api/v1/lookup/{_sha('icbc.com.cn')[:8]}"
    first = client.get(path)
    assert first.headers["Cache-Control"] == "public, max-age=300"
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_an_approved_blocklist_entry_is_found_at_once(app: Flask, client: FlaskClient) -> None:
    assert _entries(client, "icbc-kefu.top") == []
    with app_session(app) as session:
        mod = Moderation(session)
        alice = mod.create_user("alice", "moderator", "a long enough password")
        bob = mod.create_user("bob", "moderator", "a long enough password")
        entry = {
            "kind": "domain",
            "value": "icbc-kefu.top",
            "impersonates": "icbc",
            "evidence": SOURCE,
        }
        row = mod.propose(alice, "add_blocklist", note="seen in an SMS", entry=entry)
        mod.approve(bob, row.id)
        session.commit()
    (found,) = _entries(client, "icbc-kefu.top")
    assert found["verdict"] == "known_scam"
