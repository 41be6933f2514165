"""Limits on the public API (verifier.web.limits): per client, per API key, and request sizes."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from small_registry import open_app
from werkzeug.test import TestResponse

from verifier.web import ConfigError, create_app
from verifier.web.limits import limiter

PARTNER_KEY = "cvk_partner-key-for-tests"
OTHER_KEY = "cvk_other-key-for-tests"


def sha256(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@pytest.fixture
def app(small_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """Five requests a minute per client; the partner's key allows eight, the other's three."""
    monkeypatch.setenv("VERIFIER_RATE_LIMIT", "5/minute")
    monkeypatch.setenv(
        "VERIFIER_API_KEYS",
        f"partner:{sha256(PARTNER_KEY)}:8/minute  other:{sha256(OTHER_KEY).upper()}:3/minute",
    )
    with open_app(small_database_url) as app:
        limiter.reset()  # module-global: no test inherits another's counts
        yield app
        limiter.reset()


def check(client: FlaskClient, address: str = "127.0.0.1", **headers: str) -> TestResponse:
    return client.get(
        "/api/v1/check",
        query_string={"q": "95588"},
        headers=headers,
        environ_base={"REMOTE_ADDR": address},
    )


def statuses(responses: list[TestResponse]) -> list[int]:
    return [response.status_code for response in responses]


def assert_rate_limited(response: TestResponse) -> None:
    assert response.status_code == 429
    assert response.mimetype == "application/json"
    assert response.get_json()["error"]["code"] == "rate_limited"
    assert 0 <= int(response.headers["Retry-After"]) <= 60


# --- per client ----------------------------------------------------------------------------------


def test_the_sixth_check_in_a_minute_is_refused_with_retry_after(client: FlaskClient) -> None:
    answers = [check(client) for _ in range(6)]
    assert statuses(answers) == [200] * 5 + [429]
    assert_rate_limited(answers[5])
    assert [a.headers["X-RateLimit-Remaining"] for a in answers[:5]] == ["4", "3", "2", "1", "0"]
    # Another client is not held back by the first one.
    assert check(client, "10.0.0.9").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/check?q=95588", None),
        ("POST", "/api/v1/check", {"input": "95588"}),
        ("POST", "/api/v1/check/batch", {"items": ["95588"]}),
        ("POST", "/api/v1/scan", {"text": "call 95588"}),
        ("GET", "/api/v1/platforms", None),
        ("GET", "/api/v1/platforms/icbc", None),
    ],
)
def test_every_api_endpoint_shares_the_one_limit(
    client: FlaskClient, method: str, path: str, body: dict[str, Any] | None
) -> None:
    assert statuses([check(client) for _ in range(4)]) == [200] * 4
    assert client.open(path, method=method, json=body).status_code == 200
    assert_rate_limited(client.open(path, method=method, json=body))


def test_the_registry_api_counts_against_the_limit_too(app: Flask, client: FlaskClient) -> None:
    # Snapshot and lookup (the registry_api blueprint): every one of its routes, whatever it is
    # called, is refused once the client has spent its limit on checks.
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("registry_api.")]
    assert rules
    assert statuses([check(client) for _ in range(5)]) == [200] * 5
    for rule in rules:
        path = rule.rule
        for argument in rule.arguments:
            path = path.replace(f"<{argument}>", "0123abcd")
        method = "GET" if "GET" in (rule.methods or ()) else "POST"
        assert_rate_limited(client.open(path, method=method, json={} if method == "POST" else None))


@pytest.mark.parametrize(
    "path",
    [
        "/healthz",
        "/",
        "/check?q=95588",
        "/scan",
        "/report",
        "/api/v1/nothing-here",  # 404: not an endpoint of the API
    ],
)
def test_health_and_pages_are_not_counted(client: FlaskClient, path: str) -> None:
    answers = [client.get(path) for _ in range(8)]
    assert all(a.status_code != 429 for a in answers)
    assert statuses([check(client) for _ in range(5)]) == [200] * 5


def test_preflights_are_never_limited(client: FlaskClient) -> None:
    headers = {"Origin": "https://partner.example", "Access-Control-Request-Method": "POST"}
    answers = [client.options("/api/v1/check/batch", headers=headers) for _ in range(20)]
    assert set(statuses(answers)) == {200}
    assert statuses([check(client) for _ in range(6)]) == [200] * 5 + [429]
    # Nor once the limit is spent: the browser must get to see the 429 itself.
    assert client.options("/api/v1/check", headers=headers).status_code == 200


@pytest.mark.parametrize(
    ("values", "cost"),
    [
        (0, 1),
        (1, 1),
        (100, 1),
        (101, 2),  # one per 100 values, started
        (250, 3),
        (1000, 10),
    ],
)
def test_a_batch_counts_one_per_hundred_values(
    small_database_url: str, monkeypatch: pytest.MonkeyPatch, values: int, cost: int
) -> None:
    monkeypatch.setenv("VERIFIER_RATE_LIMIT", "20/minute")
    with open_app(small_database_url) as app:
        limiter.reset()
        response = app.test_client().post("/api/v1/check/batch", json={"items": ["95588"] * values})
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Remaining"] == str(20 - cost)


def test_a_batch_dearer_than_what_is_left_is_refused(client: FlaskClient) -> None:
    assert check(client).status_code == 200
    assert_rate_limited(client.post("/api/v1/check/batch", json={"items": ["95588"] * 401}))
    # Smaller batches still fit in what is left.
    assert client.post("/api/v1/check/batch", json={"items": ["95588"] * 400}).status_code == 200


def test_each_app_starts_with_fresh_counts(small_database_url: str, client: FlaskClient) -> None:
    # What keeps the default limit (600 a minute, every test client at 127.0.0.1) from leaking
    # between the suite's tests: every create_app gives the module-global limiter new storage.
    assert statuses([check(client) for _ in range(6)])[-1] == 429
    with open_app(small_database_url) as fresh:
        assert check(fresh.test_client()).status_code == 200


# --- API keys ------------------------------------------------------------------------------------


def test_a_key_has_its_own_higher_limit(client: FlaskClient) -> None:
    assert statuses([check(client) for _ in range(6)]) == [200] * 5 + [429]
    keyed = [check(client, **{"X-API-Key": PARTNER_KEY}) for _ in range(9)]
    assert statuses(keyed) == [200] * 8 + [429]
    assert keyed[0].headers["X-RateLimit-Limit"] == "8"
    assert_rate_limited(keyed[8])


def test_a_key_is_counted_per_key_whatever_the_address(client: FlaskClient) -> None:
    from_a = [check(client, "10.0.0.1", **{"X-API-Key": PARTNER_KEY}) for _ in range(4)]
    from_b = [check(client, "10.0.0.2", **{"X-API-Key": PARTNER_KEY}) for _ in range(5)]
    assert statuses(from_a + from_b) == [200] * 8 + [429]
    # The addresses themselves, and another key, still have their own counts.
    assert check(client, "10.0.0.1").status_code == 200
    other = [check(client, "10.0.0.1", **{"X-API-Key": OTHER_KEY}) for _ in range(4)]
    assert statuses(other) == [200] * 3 + [429]


@pytest.mark.parametrize(
    "key",
    [
        "cvk_not-a-key-we-know",
        "",  # sent empty: still a key, and a wrong one
        sha256(PARTNER_KEY),  # the configured hash is not the key
        PARTNER_KEY + " ",
    ],
)
def test_a_wrong_key_is_refused_not_ignored(client: FlaskClient, key: str) -> None:
    response = check(client, **{"X-API-Key": key})
    assert response.status_code == 401
    assert response.mimetype == "application/json"
    assert response.get_json()["error"]["code"] == "bad_api_key"
    post = client.post("/api/v1/check/batch", json={"items": []}, headers={"X-API-Key": key})
    assert post.status_code == 401


def test_guessing_keys_is_limited_like_anything_else(client: FlaskClient) -> None:
    answers = [check(client, **{"X-API-Key": f"cvk_guess{n}"}) for n in range(6)]
    assert statuses(answers) == [401] * 5 + [429]


def test_a_key_means_nothing_outside_the_api(client: FlaskClient) -> None:
    assert client.get("/healthz", headers={"X-API-Key": "wrong"}).status_code == 200
    assert client.get("/", headers={"X-API-Key": "wrong"}).status_code == 200


@pytest.mark.parametrize(
    ("entries", "words"),
    [
        ("partner", "is not name:sha256hex:limit"),
        (f"partner:{sha256('k')}", "is not name:sha256hex:limit"),
        (f"partner:{sha256('k')}:6000/minute:extra", "is not name:sha256hex:limit"),
        ("partner:abc123:6000/minute", "64 hex digits"),
        (f"partner:{sha256('k')}:lots", "not a rate limit"),
        (f"partner:{sha256('k')}:", "not a rate limit"),
        (f"part/ner:{sha256('k')}:6000/minute", "key name"),
        (f"a:{sha256('k')}:6/minute a:{sha256('l')}:6/minute", "given twice"),
        (f"a:{sha256('k')}:6/minute b:{sha256('k')}:6/minute", "same hash"),
    ],
)
def test_a_malformed_key_entry_stops_the_start(entries: str, words: str) -> None:
    with pytest.raises(ConfigError, match="VERIFIER_API_KEYS") as raised:
        create_app({"VERIFIER_ENV": "testing", "VERIFIER_API_KEYS": entries})
    assert words in str(raised.value)


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("VERIFIER_RATE_LIMIT", "lots"),
        ("VERIFIER_RATE_LIMIT", "5 a minute"),
        ("VERIFIER_REPORT_RATE_LIMIT", "10/fortnight"),
        ("VERIFIER_RATE_LIMIT_STORAGE_URL", "bogus://:secret@host"),
    ],
)
def test_an_unusable_limit_setting_stops_the_start(setting: str, value: str) -> None:
    with pytest.raises(ConfigError, match=setting) as raised:
        create_app(
            {"VERIFIER_ENV": "testing", "VERIFIER_DATABASE_URL": "sqlite://", setting: value}
        )
    assert "secret" not in str(raised.value)


# --- no public limit, and proxies ---------------------------------------------------------------


@pytest.fixture
def configured_app(small_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A factory: an app on the small registry with the given VERIFIER_* environment."""
    with contextlib.ExitStack() as apps:

        def make(**env: str) -> Flask:
            for name, value in env.items():
                monkeypatch.setenv(name, value)
            app = apps.enter_context(open_app(small_database_url))
            limiter.reset()
            return app

        yield make
    limiter.reset()


def test_without_a_public_limit_the_api_is_unlimited_but_reports_are_not(
    configured_app: Any,
) -> None:
    app = configured_app(VERIFIER_RATE_LIMIT="", VERIFIER_REPORT_RATE_LIMIT="2/minute")
    client = app.test_client()
    assert set(statuses([check(client) for _ in range(30)])) == {200}
    assert "X-RateLimit-Limit" not in check(client).headers
    reports = [client.post("/api/v1/reports", json={"input": "4009992222"}) for _ in range(3)]
    assert statuses(reports) == [202, 202, 429]


def test_without_trusted_proxies_forwarded_addresses_are_ignored(configured_app: Any) -> None:
    client = configured_app(VERIFIER_RATE_LIMIT="2/minute").test_client()
    answers = [check(client, "10.0.0.1", **{"X-Forwarded-For": f"203.0.113.{n}"}) for n in range(3)]
    # One connecting address, one counter, whatever the header claims.
    assert statuses(answers) == [200, 200, 429]


def test_behind_one_trusted_proxy_each_forwarded_client_has_its_own_counter(
    configured_app: Any,
) -> None:
    client = configured_app(
        VERIFIER_RATE_LIMIT="2/minute", VERIFIER_TRUSTED_PROXIES="1"
    ).test_client()
    proxy = "10.0.0.1"
    first = [check(client, proxy, **{"X-Forwarded-For": "203.0.113.5"}) for _ in range(3)]
    assert statuses(first) == [200, 200, 429]
    # Another client behind the same proxy is not held back by the first.
    assert check(client, proxy, **{"X-Forwarded-For": "203.0.113.6"}).status_code == 200
    # A client cannot pick its own counter: with one proxy, only the address the proxy appended
    # (the last) counts, not what the client wrote before it.
    spoofed = check(client, proxy, **{"X-Forwarded-For": "198.51.100.7, 203.0.113.5"})
    assert_rate_limited(spoofed)


@pytest.mark.parametrize("value", ["many", "-1", "6"])
def test_an_unusable_proxy_count_stops_the_start(value: str) -> None:
    with pytest.raises(ConfigError, match="VERIFIER_TRUSTED_PROXIES"):
        create_app(
            {
                "VERIFIER_ENV": "testing",
                "VERIFIER_DATABASE_URL": "sqlite://",
                "VERIFIER_TRUSTED_PROXIES": value,
            }
        )


# --- request sizes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/v1/check", "/api/v1/check/batch", "/api/v1/scan", "/api/v1/reports"]
)
def test_a_body_over_two_mebibytes_is_413_json(client: FlaskClient, path: str) -> None:
    body = b'{"text": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    response = client.post(path, data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.mimetype == "application/json"
    assert response.get_json()["error"]["code"] == "too_large"
