"""A read replica (VERIFIER_DATABASE_REPLICA_URL): checks answer from it, everything else from the
primary.

Two real SQLite files stand for the primary and its replica. "Replication" is the sqlite3 backup
API copying the primary over the replica at a moment the test chooses, so replica lag is exactly
the time between a write to the primary and the next copy.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from small_registry import SOURCE, small_registry_app
from sqlalchemy import Engine, func, select

from registry.files import parse_registry
from registry.models import ReportRow
from registry.store import RegistryStore
from verifier.web import ConfigError, create_app
from verifier.web.extensions import app_session

pytestmark = pytest.mark.sqlite_only(
    reason="a primary and its replica are two SQLite files, replicated by file copy"
)

NEW_PLATFORM: dict[str, Any] = {
    "slug": "example-bank",
    "name": {"zh": "示例银行", "en": "Example Bank"},
    "category": "bank",
    "phone_support": "listed",
    "channels": [
        {"kind": "phone", "value": "95599", "source": SOURCE, "verified_on": "2026-11-03"},
    ],
}


def replicate(primary: Path, replica: Path) -> None:
    """Make ``replica`` a copy of ``primary`` as it is now, as a replica that caught up."""
    with closing(sqlite3.connect(primary)) as source, closing(sqlite3.connect(replica)) as target:
        source.backup(target)


def import_on_primary(app: Flask, raw: dict[str, Any]) -> None:
    """Write ``raw`` to the primary through a session of its own, as another host would."""
    with app_session(app) as session:
        RegistryStore(session).import_data(parse_registry(raw), replace=False)
        session.commit()


def registry_version(path: Path) -> int:
    with closing(sqlite3.connect(path)) as connection:
        row = connection.execute("SELECT version FROM registry_meta WHERE id = 1").fetchone()
    return int(row[0])


def verdict(client: FlaskClient, value: str) -> dict[str, Any]:
    response = client.get("/api/v1/check", query_string={"q": value})
    assert response.status_code == 200
    body: dict[str, Any] = response.get_json()
    return body


def replica_app(primary: Path, replica: Path, refresh_seconds: float = 0) -> Flask:
    return create_app(
        {
            "VERIFIER_ENV": "testing",
            "VERIFIER_DATABASE_URL": f"sqlite:///{primary}",
            "VERIFIER_DATABASE_REPLICA_URL": f"sqlite:///{replica}",
            "VERIFIER_SETUP_ON_START": False,
            "VERIFIER_INDEX_REFRESH_SECONDS": refresh_seconds,
        }
    )


@pytest.fixture(scope="module")
def small_registry_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small registry on a migrated SQLite file, made once: each test copies it."""
    path = tmp_path_factory.mktemp("template") / "small.sqlite3"
    with small_registry_app(f"sqlite:///{path}"):
        pass
    return path


@pytest.fixture
def primary(small_registry_file: Path, tmp_path: Path) -> Path:
    """The primary: the small registry on a SQLite file of this test's own."""
    path = tmp_path / "primary.sqlite3"
    replicate(small_registry_file, path)
    return path


@pytest.fixture
def replica(primary: Path, tmp_path: Path) -> Path:
    """The replica: a copy of the primary made once it held the small registry."""
    path = tmp_path / "replica" / "registry.sqlite3"
    path.parent.mkdir()
    replicate(primary, path)
    return path


@pytest.fixture
def app(primary: Path, replica: Path) -> Iterator[Flask]:
    """Primary and replica; the version is read on every request."""
    app = replica_app(primary, replica)
    yield app
    app.extensions["verifier.engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


# --- reads ---------------------------------------------------------------------------------------


def test_checks_answer_from_the_replica(
    app: Flask, client: FlaskClient, primary: Path, replica: Path
) -> None:
    before = verdict(client, "95599")
    assert before["verdict"] == "unverified"

    import_on_primary(app, {"platforms": [NEW_PLATFORM]})

    # The primary has the change; the replica has not caught up, so neither have the checks.
    assert registry_version(primary) > before["registry_version"]
    lagging = verdict(client, "95599")
    assert lagging["verdict"] == "unverified"
    assert lagging["registry_version"] == before["registry_version"]
    scan = client.post("/api/v1/scan", json={"text": "示例银行客服 95599"}).get_json()
    assert [finding["verdict"] for finding in scan["findings"]] == ["unverified"]
    assert client.get("/healthz").get_json() == {
        "status": "ok",
        "registry_version": before["registry_version"],
    }

    replicate(primary, replica)

    after = verdict(client, "95599")
    assert after["verdict"] == "official"
    assert after["registry_version"] == registry_version(primary)
    assert client.get("/healthz").get_json()["registry_version"] == after["registry_version"]


def test_a_change_reaches_the_checks_within_the_interval_after_the_replica_has_it(
    primary: Path, replica: Path
) -> None:
    interval = 0.2
    app = replica_app(primary, replica, refresh_seconds=interval)
    try:
        client = app.test_client()
        assert verdict(client, "95599")["verdict"] == "unverified"
        import_on_primary(app, {"platforms": [NEW_PLATFORM]})

        # Longer than the interval: the version was read again, from the replica, unchanged.
        time.sleep(2 * interval)
        assert verdict(client, "95599")["verdict"] == "unverified"

        replicate(primary, replica)
        replicated_at = time.monotonic()
        while verdict(client, "95599")["verdict"] != "official":
            assert time.monotonic() - replicated_at < interval + 1.0, "never picked up"
            time.sleep(interval / 10)
    finally:
        app.extensions["verifier.engine"].dispose()


# --- writes and read-your-writes -----------------------------------------------------------------


def count_reports(path: Path) -> int:
    with closing(sqlite3.connect(path)) as connection:
        return int(connection.execute("SELECT count(*) FROM report").fetchone()[0])


def test_writes_go_to_the_primary(
    app: Flask, client: FlaskClient, primary: Path, replica: Path
) -> None:
    response = client.post("/api/v1/reports", json={"input": "+86 400 123 4567", "text": "scam"})

    assert response.status_code == 202
    assert count_reports(primary) == 1
    assert count_reports(replica) == 0
    with app_session(app) as session:  # the app's own sessions are on the primary too
        assert session.scalar(select(func.count()).select_from(ReportRow)) == 1


def test_what_is_not_the_index_is_read_from_the_primary(app: Flask, client: FlaskClient) -> None:
    import_on_primary(app, {"platforms": [NEW_PLATFORM]})

    # A platform's page is a query, not the index: it sees the write at once.
    assert client.get("/api/v1/platforms/example-bank").status_code == 200
    assert verdict(client, "95599")["verdict"] == "unverified"


# --- faults --------------------------------------------------------------------------------------


def take_away(app: Flask, replica: Path) -> Path:
    """Make the replica unreachable, as in test_faults.py: a directory where its file was."""
    away = replica.with_name(replica.name + ".away")
    replica.rename(away)
    replica.mkdir()
    replica_engine: Engine = app.extensions["verifier.replica_engine"]
    replica_engine.dispose()  # the server closing its connections
    return away


def test_an_unreachable_replica_makes_the_registry_stale(
    app: Flask, client: FlaskClient, replica: Path, caplog: pytest.LogCaptureFixture
) -> None:
    before = verdict(client, "95588")
    assert before["verdict"] == "official"

    with caplog.at_level(logging.WARNING, logger="verifier.web.extensions"):
        away = take_away(app, replica)
        during = verdict(client, "95588")
        health = client.get("/healthz")
        # The primary is up: writes still work.
        report = client.post("/api/v1/reports", json={"input": "+86 400 123 4567"})
        replica.rmdir()
        away.rename(replica)
        recovered = client.get("/healthz").get_json()

    assert during == before
    assert health.status_code == 200
    body = health.get_json()
    assert body["status"] == "degraded" and body["registry"] == "stale"
    assert body["registry_version"] == before["registry_version"]
    assert "unable to open database file" in body["error"]
    assert report.status_code == 202
    assert recovered == {"status": "ok", "registry_version": before["registry_version"]}
    messages = [record.getMessage() for record in caplog.records]
    assert any(m.startswith("registry read replica unreachable") for m in messages), messages
    assert any(m.startswith("registry read replica reachable again") for m in messages), messages


@pytest.mark.parametrize(
    "missing",
    [
        "file",  # SQLite makes an empty file on connect: "no such table", until the copy arrives
        "directory in its place",  # "unable to open database file", as a dead server
    ],
)
def test_a_worker_started_without_its_replica_answers_503_until_it_comes(
    primary: Path, tmp_path: Path, missing: str
) -> None:
    replica = tmp_path / "late" / "registry.sqlite3"
    if missing != "file":
        replica.mkdir(parents=True)
    app = replica_app(primary, replica)
    try:
        client = app.test_client()

        check = client.get("/api/v1/check", query_string={"q": "95588"})
        assert check.status_code == 503
        assert check.get_json()["error"]["code"] == "unavailable"
        assert int(check.headers["Retry-After"]) > 0
        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.get_json()["status"] == "unavailable"

        if replica.is_dir():
            replica.rmdir()
        replicate(primary, replica)

        assert verdict(client, "95588")["verdict"] == "official"
        assert client.get("/healthz").get_json()["status"] == "ok"
    finally:
        app.extensions["verifier.engine"].dispose()


# --- set-up --------------------------------------------------------------------------------------


def test_disposing_the_app_engine_closes_the_replica_connections(
    app: Flask, client: FlaskClient
) -> None:
    verdict(client, "95588")
    replica_engine: Engine = app.extensions["verifier.replica_engine"]
    assert replica_engine.pool.checkedin() == 1

    app.extensions["verifier.engine"].dispose()

    assert replica_engine.pool.checkedin() == 0


def test_without_a_replica_the_index_reads_the_primary(primary: Path) -> None:
    app = create_app(
        {
            "VERIFIER_ENV": "testing",
            "VERIFIER_DATABASE_URL": f"sqlite:///{primary}",
            "VERIFIER_DATABASE_REPLICA_URL": "",  # empty is unset
            "VERIFIER_SETUP_ON_START": False,
            "VERIFIER_INDEX_REFRESH_SECONDS": 0,
        }
    )
    try:
        assert app.config["VERIFIER_DATABASE_REPLICA_URL"] is None
        assert "verifier.replica_engine" not in app.extensions
        import_on_primary(app, {"platforms": [NEW_PLATFORM]})
        assert verdict(app.test_client(), "95599")["verdict"] == "official"
    finally:
        app.extensions["verifier.engine"].dispose()


def test_the_replica_url_is_read_from_the_environment(
    primary: Path, replica: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERIFIER_DATABASE_REPLICA_URL", f"sqlite:///{replica}")
    app = create_app(
        {
            "VERIFIER_ENV": "testing",
            "VERIFIER_DATABASE_URL": f"sqlite:///{primary}",
            "VERIFIER_SETUP_ON_START": False,
        }
    )
    try:
        replica_engine: Engine = app.extensions["verifier.replica_engine"]
        assert replica_engine.url.database == str(replica)
    finally:
        app.extensions["verifier.engine"].dispose()


def test_a_replica_url_that_is_no_url_is_refused_without_echoing_it(primary: Path) -> None:
    with pytest.raises(ConfigError, match="VERIFIER_DATABASE_REPLICA_URL") as refused:
        create_app(
            {
                "VERIFIER_ENV": "testing",
                "VERIFIER_DATABASE_URL": f"sqlite:///{primary}",
                "VERIFIER_DATABASE_REPLICA_URL": "secret-password@replica",
            }
        )
    assert "secret-password" not in str(refused.value)
