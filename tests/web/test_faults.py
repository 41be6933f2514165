"""The database goes away: checks keep answering from the index, writes say 503, and all recovers.

The database is made unreachable mid-run as a dead server would be (outage.py): on SQLite its
file is moved away, on PostgreSQL the TCP forwarder between the app and the server is stopped.
Moving the file back, or starting the forwarder again, is the database returning.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from databases import TestDatabases
from flask import Flask
from flask.testing import FlaskClient
from moderators import add_user, csrf_token
from outage import Outage, outage_database
from small_registry import NEW_PLATFORM, small_registry_app
from werkzeug.test import TestResponse

from registry.files import parse_registry
from registry.moderation import Moderation
from registry.store import RegistryStore
from verifier.web import create_app
from verifier.web.extensions import app_session


def import_elsewhere(app: Flask, raw: dict[str, Any]) -> None:
    """Write ``raw`` through a session of its own, as another worker or host would."""
    with app_session(app) as session:
        RegistryStore(session).import_data(parse_registry(raw), replace=False)
        session.commit()


def verdict(client: FlaskClient, value: str) -> dict[str, Any]:
    response = client.get("/api/v1/check", query_string={"q": value})
    assert response.status_code == 200
    body: dict[str, Any] = response.get_json()
    return body


@pytest.fixture
def outage(databases: TestDatabases, tmp_path: Path) -> Iterator[Outage]:
    with outage_database(databases, tmp_path / "db" / "registry.sqlite3") as outage:
        yield outage


@pytest.fixture
def app(outage: Outage) -> Iterator[Flask]:
    """The small registry; the version is read on every request."""
    with small_registry_app(outage.app_url) as app:
        outage.engine = app.extensions["verifier.engine"]
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def assert_unavailable_json(response: TestResponse) -> None:
    assert response.status_code == 503
    assert response.mimetype == "application/json"
    assert response.get_json()["error"]["code"] == "unavailable"
    assert int(response.headers["Retry-After"]) > 0


# --- reads ---------------------------------------------------------------------------------------


def test_checks_answer_from_the_index_while_the_database_is_down(
    client: FlaskClient, outage: Outage
) -> None:
    before = verdict(client, "95588")
    assert before["verdict"] == "official"

    outage.start()

    during = verdict(client, "95588")
    assert during == before
    assert verdict(client, "https://www.icbc.com.cn/")["verdict"] == "official"
    scan = client.post("/api/v1/scan", json={"text": "工商银行客服 95588"})
    assert scan.status_code == 200
    assert client.get("/check", query_string={"q": "95588"}).status_code == 200


def test_health_says_degraded_and_stale_while_the_database_is_down(
    client: FlaskClient, outage: Outage
) -> None:
    version = client.get("/healthz").get_json()["registry_version"]
    started = dt.datetime.now(dt.UTC).replace(microsecond=0)

    outage.start()
    response = client.get("/healthz")
    later = client.get("/healthz").get_json()

    # 200, not 503: the worker still answers checks, and every worker shares this database.
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "degraded"
    assert body["registry_version"] == version
    assert body["registry"] == "stale"
    since = dt.datetime.fromisoformat(body["stale_since"])
    assert since.tzinfo is not None and since >= started
    assert later["stale_since"] == body["stale_since"]  # since the first failure, not the last
    assert outage.reason in body["error"]
    for secret in outage.secrets:
        assert secret not in body["error"]


def test_everything_recovers_without_a_restart(
    app: Flask, client: FlaskClient, outage: Outage
) -> None:
    old_version = client.get("/healthz").get_json()["registry_version"]
    outage.start()
    assert client.get("/healthz").get_json()["status"] == "degraded"
    outage.end()

    assert client.get("/healthz").get_json() == {"status": "ok", "registry_version": old_version}
    import_elsewhere(app, {"platforms": [NEW_PLATFORM]})
    after = verdict(client, "95599")
    assert after["verdict"] == "official"
    assert after["registry_version"] > old_version
    response = client.post("/api/v1/reports", json={"input": "+86 400 123 4567"})
    assert response.status_code == 202


def test_a_change_made_during_the_outage_is_picked_up_when_it_ends(
    app: Flask, client: FlaskClient, outage: Outage
) -> None:
    # Another host could still reach the database and changed the registry meanwhile.
    assert verdict(client, "95599")["verdict"] == "unverified"
    outage.start()
    assert verdict(client, "95599")["verdict"] == "unverified"
    elsewhere = create_app(
        {"VERIFIER_ENV": "testing", "VERIFIER_DATABASE_URL": outage.elsewhere_url}
    )
    try:
        import_elsewhere(elsewhere, {"platforms": [NEW_PLATFORM]})
    finally:
        elsewhere.extensions["verifier.engine"].dispose()
    outage.end()

    assert verdict(client, "95599")["verdict"] == "official"


def test_the_failure_is_logged_once_per_outage(
    client: FlaskClient, outage: Outage, caplog: pytest.LogCaptureFixture
) -> None:
    verdict(client, "95588")
    outage.start()
    with caplog.at_level(logging.WARNING, logger="verifier.web.extensions"):
        for _ in range(3):
            verdict(client, "95588")
        outage.end()
        verdict(client, "95588")
    messages = [record.getMessage() for record in caplog.records]
    assert sum("unreachable" in message for message in messages) == 1, messages
    assert sum("reachable again" in message for message in messages) == 1, messages
    assert "Traceback" not in caplog.text


# --- writes --------------------------------------------------------------------------------------


def test_a_report_answers_503_json(client: FlaskClient, outage: Outage) -> None:
    outage.start()
    response = client.post("/api/v1/reports", json={"input": "+86 400 123 4567", "text": "scam"})
    assert_unavailable_json(response)
    assert "Traceback" not in response.get_data(as_text=True)


def test_the_moderation_api_answers_503_json(
    app: Flask, client: FlaskClient, outage: Outage
) -> None:
    add_user(app, "alice")
    with app_session(app) as session:
        token = Moderation(session).new_token("alice")
        session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/mod/proposals", headers=headers).status_code == 200

    outage.start()
    assert_unavailable_json(client.get("/api/v1/mod/proposals", headers=headers))
    proposal = {
        "action": "add_blocklist",
        "entry": {"kind": "phone", "value": "+86 400 123 4567", "evidence": "https://e.org/x"},
        "note": "seen in SMS",
    }
    assert_unavailable_json(client.post("/api/v1/mod/proposals", json=proposal, headers=headers))


def test_login_answers_a_readable_503_page(app: Flask, client: FlaskClient, outage: Outage) -> None:
    add_user(app, "alice")
    token = csrf_token(client)

    outage.start()
    response = client.post(
        "/login", data={"username": "alice", "password": "whatever", "csrf_token": token}
    )

    assert response.status_code == 503
    assert response.mimetype == "text/html"
    assert int(response.headers["Retry-After"]) > 0
    page = response.get_data(as_text=True)
    assert "暂时无法使用" in page
    assert "Traceback" not in page and "OperationalError" not in page


# --- no index yet --------------------------------------------------------------------------------


@pytest.fixture
def app_started_during_outage(app: Flask, outage: Outage) -> Iterator[Flask]:
    """A worker started (as ``verifier serve`` starts one) while the database is down."""
    outage.start()
    late = create_app(
        {
            "VERIFIER_ENV": "testing",
            "VERIFIER_DATABASE_URL": outage.app_url,
            "VERIFIER_SETUP_ON_START": False,
            "VERIFIER_INDEX_REFRESH_SECONDS": 0,
        }
    )
    yield late
    late.extensions["verifier.engine"].dispose()


def test_without_any_index_checks_answer_503_until_the_database_returns(
    app_started_during_outage: Flask, outage: Outage
) -> None:
    client = app_started_during_outage.test_client()

    assert_unavailable_json(client.get("/api/v1/check", query_string={"q": "95588"}))
    assert_unavailable_json(client.post("/api/v1/check", json={"input": "95588"}))
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["status"] == "unavailable"
    assert health.get_json()["registry_version"] is None
    page = client.get("/check", query_string={"q": "95588"})
    assert page.status_code == 503 and page.mimetype == "text/html"

    outage.end()

    assert verdict(client, "95588")["verdict"] == "official"
    assert client.get("/healthz").get_json()["status"] == "ok"
