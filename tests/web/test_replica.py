"""A read replica (VERIFIER_DATABASE_REPLICA_URL): checks answer from it, everything else from the
primary.

Two real databases stand for the primary and its replica. "Replication" copies the primary over
the replica at a moment the test chooses, so replica lag is exactly the time between a write to
the primary and the next copy: on SQLite the sqlite3 backup API copies the file; on PostgreSQL
the replica's tables are emptied and refilled with the primary's rows in one transaction, read
from one snapshot of the primary. The replica goes away as in test_faults.py (outage.py).
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
from databases import BACKEND, TestDatabases
from flask import Flask
from flask.testing import FlaskClient
from outage import Outage, outage_database
from small_registry import NEW_PLATFORM
from sqlalchemy import Engine, create_engine, func, make_url, select, text

from registry.db import make_engine, upgrade
from registry.files import parse_registry
from registry.models import Base, ReportRow
from registry.store import RegistryStore
from verifier.web import ConfigError, create_app
from verifier.web.extensions import app_session


def replicate(primary: str, replica: str) -> None:
    """Make ``replica`` a copy of ``primary`` as it is now, as a replica that caught up."""
    if BACKEND == "sqlite":
        with (
            closing(sqlite3.connect(make_url(primary).database or "")) as source,
            closing(sqlite3.connect(make_url(replica).database or "")) as target,
        ):
            source.backup(target)
        return
    reader, writer = create_engine(primary), make_engine(replica)
    tables = Base.metadata.sorted_tables
    try:
        with (
            reader.connect().execution_options(isolation_level="REPEATABLE READ") as reading,
            writer.begin() as writing,
        ):
            # TRUNCATE, not DELETE: the audit log's triggers refuse DELETE (it is append-only).
            writing.execute(text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables)))
            for table in tables:
                rows = [dict(row) for row in reading.execute(select(table)).mappings()]
                if rows:
                    writing.execute(table.insert(), rows)
    finally:
        reader.dispose()
        writer.dispose()


def migrate_and_replicate(primary: str, replica: str) -> None:
    """A replica set up after the app started: its schema, then its rows."""
    if BACKEND != "sqlite":  # the sqlite3 backup API copies the schema with the rows
        engine = make_engine(replica)
        upgrade(engine)
        engine.dispose()
    replicate(primary, replica)


def scalar(url: str, query: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(text(query)) or 0)
    finally:
        engine.dispose()


def import_on_primary(app: Flask, raw: dict[str, Any]) -> None:
    """Write ``raw`` to the primary through a session of its own, as another host would."""
    with app_session(app) as session:
        RegistryStore(session).import_data(parse_registry(raw), replace=False)
        session.commit()


def registry_version(url: str) -> int:
    return scalar(url, "SELECT version FROM registry_meta WHERE id = 1")


def verdict(client: FlaskClient, value: str) -> dict[str, Any]:
    response = client.get("/api/v1/check", query_string={"q": value})
    assert response.status_code == 200
    body: dict[str, Any] = response.get_json()
    return body


def replica_app(primary: str, replica: str, refresh_seconds: float = 0) -> Flask:
    return create_app(
        {
            "VERIFIER_ENV": "testing",
            "VERIFIER_DATABASE_URL": primary,
            "VERIFIER_DATABASE_REPLICA_URL": replica,
            "VERIFIER_SETUP_ON_START": False,
            "VERIFIER_INDEX_REFRESH_SECONDS": refresh_seconds,
        }
    )


@pytest.fixture
def primary(
    databases: TestDatabases, small_registry_database: str, tmp_path: Path
) -> Iterator[str]:
    """The primary: the small registry on a database of this test's own."""
    with databases.temporary(tmp_path / "primary.sqlite3", small_registry_database) as url:
        yield url


@pytest.fixture
def replica_outage(databases: TestDatabases, tmp_path: Path) -> Iterator[Outage]:
    """The replica's database, which a test can take away (outage.py); empty."""
    with outage_database(databases, tmp_path / "replica" / "registry.sqlite3") as outage:
        yield outage


@pytest.fixture
def replica(databases: TestDatabases, primary: str, replica_outage: Outage) -> str:
    """The replica: a copy of the primary made once it held the small registry. The URL the
    app is given (on PostgreSQL, through the forwarder that can take it away)."""
    databases.copy(primary, replica_outage.url)
    return replica_outage.app_url


@pytest.fixture
def app(primary: str, replica: str, replica_outage: Outage) -> Iterator[Flask]:
    """Primary and replica; the version is read on every request."""
    app = replica_app(primary, replica)
    replica_outage.engine = app.extensions["verifier.replica_engine"]
    yield app
    app.extensions["verifier.engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


# --- reads ---------------------------------------------------------------------------------------


def test_checks_answer_from_the_replica(
    app: Flask, client: FlaskClient, primary: str, replica_outage: Outage
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

    replicate(primary, replica_outage.url)

    after = verdict(client, "95599")
    assert after["verdict"] == "official"
    assert after["registry_version"] == registry_version(primary)
    assert client.get("/healthz").get_json()["registry_version"] == after["registry_version"]


def test_a_change_reaches_the_checks_within_the_interval_after_the_replica_has_it(
    primary: str, replica: str, replica_outage: Outage
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

        replicate(primary, replica_outage.url)
        replicated_at = time.monotonic()
        while verdict(client, "95599")["verdict"] != "official":
            assert time.monotonic() - replicated_at < interval + 1.0, "never picked up"
            time.sleep(interval / 10)
    finally:
        app.extensions["verifier.engine"].dispose()


# --- writes and read-your-writes -----------------------------------------------------------------


def count_reports(url: str) -> int:
    return scalar(url, "SELECT count(*) FROM report")


def test_writes_go_to_the_primary(
    app: Flask, client: FlaskClient, primary: str, replica_outage: Outage
) -> None:
    response = client.post("/api/v1/reports", json={"input": "+86 400 123 4567", "text": "scam"})

    assert response.status_code == 202
    assert count_reports(primary) == 1
    assert count_reports(replica_outage.url) == 0
    with app_session(app) as session:  # the app's own sessions are on the primary too
        assert session.scalar(select(func.count()).select_from(ReportRow)) == 1


def test_what_is_not_the_index_is_read_from_the_primary(app: Flask, client: FlaskClient) -> None:
    import_on_primary(app, {"platforms": [NEW_PLATFORM]})

    # A platform's page is a query, not the index: it sees the write at once.
    assert client.get("/api/v1/platforms/example-bank").status_code == 200
    assert verdict(client, "95599")["verdict"] == "unverified"


# --- faults --------------------------------------------------------------------------------------


def test_an_unreachable_replica_makes_the_registry_stale(
    app: Flask, client: FlaskClient, replica_outage: Outage, caplog: pytest.LogCaptureFixture
) -> None:
    before = verdict(client, "95588")
    assert before["verdict"] == "official"

    with caplog.at_level(logging.WARNING, logger="verifier.web.extensions"):
        replica_outage.start()
        during = verdict(client, "95588")
        health = client.get("/healthz")
        # The primary is up: writes still work.
        report = client.post("/api/v1/reports", json={"input": "+86 400 123 4567"})
        replica_outage.end()
        recovered = client.get("/healthz").get_json()

    assert during == before
    assert health.status_code == 200
    body = health.get_json()
    assert body["status"] == "degraded" and body["registry"] == "stale"
    assert body["registry_version"] == before["registry_version"]
    assert replica_outage.reason in body["error"]
    for secret in replica_outage.secrets:
        assert secret not in body["error"]
    assert report.status_code == 202
    assert recovered == {"status": "ok", "registry_version": before["registry_version"]}
    messages = [record.getMessage() for record in caplog.records]
    assert any(m.startswith("registry read replica unreachable") for m in messages), messages
    assert any(m.startswith("registry read replica reachable again") for m in messages), messages


@pytest.mark.parametrize(
    "missing",
    [
        # SQLite makes an empty file on connect, a new PostgreSQL database is empty too: "no
        # such table" / "relation does not exist", until the copy arrives.
        "schema",
        "server",  # "unable to open database file" / "Connection refused", as a dead server
    ],
)
def test_a_worker_started_without_its_replica_answers_503_until_it_comes(
    primary: str, databases: TestDatabases, tmp_path: Path, missing: str
) -> None:
    with outage_database(databases, tmp_path / "late" / "registry.sqlite3") as replica:
        if missing == "server":
            replica.start()
        app = replica_app(primary, replica.app_url)
        try:
            client = app.test_client()

            check = client.get("/api/v1/check", query_string={"q": "95588"})
            assert check.status_code == 503
            assert check.get_json()["error"]["code"] == "unavailable"
            assert int(check.headers["Retry-After"]) > 0
            health = client.get("/healthz")
            assert health.status_code == 503
            assert health.get_json()["status"] == "unavailable"

            if replica.down:
                replica.end()
            migrate_and_replicate(primary, replica.url)

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


def test_without_a_replica_the_index_reads_the_primary(primary: str) -> None:
    app = create_app(
        {
            "VERIFIER_ENV": "testing",
            "VERIFIER_DATABASE_URL": primary,
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
    primary: str, replica: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERIFIER_DATABASE_REPLICA_URL", replica)
    app = create_app(
        {
            "VERIFIER_ENV": "testing",
            "VERIFIER_DATABASE_URL": primary,
            "VERIFIER_SETUP_ON_START": False,
        }
    )
    try:
        replica_engine: Engine = app.extensions["verifier.replica_engine"]
        assert replica_engine.url == make_url(replica)
    finally:
        app.extensions["verifier.engine"].dispose()


def test_a_replica_url_that_is_no_url_is_refused_without_echoing_it(primary: str) -> None:
    with pytest.raises(ConfigError, match="VERIFIER_DATABASE_REPLICA_URL") as refused:
        create_app(
            {
                "VERIFIER_ENV": "testing",
                "VERIFIER_DATABASE_URL": primary,
                "VERIFIER_DATABASE_REPLICA_URL": "secret-password@replica",
            }
        )
    assert "secret-password" not in str(refused.value)
