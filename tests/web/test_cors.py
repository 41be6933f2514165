"""Browser access to the API (verifier.web.cors): listed origins only, preflight included."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from flask.testing import FlaskClient
from small_registry import open_app
from werkzeug.test import TestResponse

from verifier.web import ConfigError, create_app
from verifier.web.limits import limiter

EXTENSION = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"
PARTNER = "https://partner.example"
ORIGINS = f"{EXTENSION} {PARTNER}"
CORS_HEADERS = (
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Allow-Credentials",
    "Access-Control-Expose-Headers",
    "Access-Control-Max-Age",
)


@contextmanager
def cors_app(database_url: str, monkeypatch: pytest.MonkeyPatch, origins: str) -> Iterator[Flask]:
    """An app on the small registry with VERIFIER_CORS_ORIGINS set as an operator would."""
    monkeypatch.setenv("VERIFIER_CORS_ORIGINS", origins)
    with open_app(database_url) as app:
        limiter.reset()  # module-global: no test inherits another's counts
        yield app


@pytest.fixture
def app(small_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """An app that lets the reference extension and one partner site call the API."""
    with cors_app(small_database_url, monkeypatch, ORIGINS) as app:
        yield app


def preflight(client: FlaskClient, path: str, origin: str, method: str = "POST") -> TestResponse:
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "content-type,x-api-key",
        },
    )


def no_cors(response: TestResponse) -> bool:
    return not any(name in response.headers for name in CORS_HEADERS)


@pytest.mark.parametrize("origin", [EXTENSION, PARTNER])
def test_a_listed_origin_may_read_the_answer(client: FlaskClient, origin: str) -> None:
    response = client.get("/api/v1/check", query_string={"q": "95588"}, headers={"Origin": origin})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert "Origin" in response.vary
    exposed = response.headers["Access-Control-Expose-Headers"]
    for header in ("ETag", "Retry-After", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
        assert header in exposed
    # The API reads no cookie: a page may never make the browser send credentials.
    assert "Access-Control-Allow-Credentials" not in response.headers


@pytest.mark.parametrize(
    "path", ["/api/v1/check", "/api/v1/check/batch", "/api/v1/scan", "/api/v1/reports"]
)
def test_a_preflight_from_a_listed_origin_is_allowed(client: FlaskClient, path: str) -> None:
    response = preflight(client, path, EXTENSION)
    # Answered by Flask itself: no CSRF check (the reports blueprint has one for its form) and
    # no rate limit runs on it.
    assert response.status_code in (200, 204)
    assert response.headers["Access-Control-Allow-Origin"] == EXTENSION
    assert response.headers["Access-Control-Allow-Methods"] == "GET, POST, OPTIONS"
    allowed = {
        h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")
    }
    assert allowed == {"content-type", "x-api-key", "if-none-match"}
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    assert "Origin" in response.vary


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "null",  # sandboxed frames, file: and data: pages
        "https://partner.example.evil.example",  # a prefix match would let this in
        "http://partner.example",  # the same host without TLS is another origin
        "https://partner.example:8443",
        "chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba",  # another extension
    ],
)
def test_any_other_origin_gets_no_cors_header(client: FlaskClient, origin: str) -> None:
    answer = client.get("/api/v1/check", query_string={"q": "95588"}, headers={"Origin": origin})
    assert answer.status_code == 200  # the server answers; the browser keeps it from the page
    assert no_cors(answer)
    assert "Origin" in answer.vary  # a cache must not give this copy to a listed origin
    refused = preflight(client, "/api/v1/check/batch", origin)
    assert no_cors(refused)  # so the browser never sends the POST


def test_origins_are_compared_as_browsers_send_them(
    small_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with cors_app(small_database_url, monkeypatch, "HTTPS://Partner.Example") as app:
        response = app.test_client().get("/healthz", headers={"Origin": PARTNER})
        assert response.headers["Access-Control-Allow-Origin"] == PARTNER


def test_without_configured_origins_nobody_gets_cors_headers(
    small_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with cors_app(small_database_url, monkeypatch, "") as app:
        client = app.test_client()
        answer = client.get("/api/v1/check?q=95588", headers={"Origin": EXTENSION})
        assert answer.status_code == 200
        assert no_cors(answer)
        assert "Origin" not in answer.vary
        assert no_cors(preflight(client, "/api/v1/check", EXTENSION))


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/healthz", 200),
        ("/api/v1/platforms", 200),
        ("/api/v1/platforms/nobody", 404),  # errors too: the script must be able to read them
        ("/api/v1/nothing-here", 404),
    ],
)
def test_the_public_api_and_health_are_open_to_listed_origins(
    client: FlaskClient, path: str, status: int
) -> None:
    response = client.get(path, headers={"Origin": PARTNER})
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == PARTNER


@pytest.mark.parametrize(
    "path", ["/api/v1/mod/proposals", "/api/v1/mod/reports", "/api/v1/mod/audit"]
)
def test_the_moderation_api_is_closed_to_browsers(client: FlaskClient, path: str) -> None:
    # Moderators' programs are not web pages: no page, however listed, drives moderation.
    answer = client.get(path, headers={"Origin": EXTENSION, "Authorization": "Bearer x"})
    assert answer.status_code == 401
    assert no_cors(answer)
    assert no_cors(preflight(client, path, EXTENSION))


@pytest.mark.parametrize("path", ["/", "/check?q=95588", "/scan", "/report", "/login"])
def test_the_pages_for_people_are_not_shared(client: FlaskClient, path: str) -> None:
    answer = client.get(path, headers={"Origin": PARTNER})
    assert answer.status_code == 200
    assert no_cors(answer)


@pytest.mark.parametrize(
    "origins",
    [
        "*",  # any page at all
        "null",  # any sandboxed frame or local file
        "https://partner.example/",  # browsers send no slash: it would never match
        "https://partner.example/app",
        "partner.example",
        f"{EXTENSION} https://",
    ],
)
def test_an_unusable_origin_stops_the_start(origins: str) -> None:
    with pytest.raises(ConfigError, match="VERIFIER_CORS_ORIGINS"):
        create_app({"VERIFIER_ENV": "testing", "VERIFIER_CORS_ORIGINS": origins})
