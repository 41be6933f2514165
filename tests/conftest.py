"""Shared fixtures: a small, hand-built registry and an app on a fresh database per test.

Core and web tests use the small registry of small_registry.py, never the shipped data, so that
a data update cannot break a logic test. Tests of the bundled data itself load it explicitly.
Databases are SQLite files, or PostgreSQL ones with ``VERIFIER_TEST_DATABASE=postgresql``
(databases.py). The ``app`` fixture's database starts as a copy of one on which the first start
already ran and the small registry was imported, made once per run: migrating, loading the bundled
registry and importing the small one over it again cost most of each test's set-up.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from databases import BACKEND, TestDatabases
from flask import Flask
from flask.testing import FlaskClient
from small_registry import SMALL_REGISTRY, open_app, small_registry_app

from registry.db import ensure_ready, make_engine
from registry.files import parse_registry
from registry.moderation import accounts
from verifier.core.index import RegistryIndex


@pytest.fixture
def small_index() -> RegistryIndex:
    """The small registry as an index, for core tests."""
    data = parse_registry(SMALL_REGISTRY)
    return RegistryIndex.build(data.platforms, data.blocklist, version=7)


@pytest.fixture
def registry_file(tmp_path: Path) -> Path:
    """The small registry written as a YAML file."""
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(SMALL_REGISTRY, allow_unicode=True), encoding="utf-8")
    return path


def pytest_report_header() -> str:
    return f"test database: {BACKEND} (VERIFIER_TEST_DATABASE)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if BACKEND == "sqlite":
        return
    core = Path(__file__).parent / "verifier"
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        if marker is not None:
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {marker.kwargs['reason']}"))
        elif core in item.path.parents:
            # The core touches no database (tests/verifier/test_core_purity.py): its tests ran in
            # the SQLite pass and would only repeat it here.
            item.add_marker(pytest.mark.skip(reason="the core uses no database: run on SQLite"))


@pytest.fixture(scope="session", autouse=True)
def _password_hashing_once_per_password() -> Iterator[None]:
    """Hash each password once per run, and check each (hash, password) pair once.

    scrypt costs about a quarter of a second by design, and the suite creates and logs in
    hundreds of accounts with a few passwords: repeating it was minutes of the run. Accounts still
    get real scrypt hashes with the production parameters, and logins still check them; only an
    identical call is answered from memory (so accounts with one password share a salt).
    """
    with pytest.MonkeyPatch.context() as patch:
        for name in ("generate_password_hash", "check_password_hash"):
            patch.setattr(accounts, name, functools.cache(getattr(accounts, name)))
        yield


@pytest.fixture(scope="session")
def databases() -> Iterator[TestDatabases]:
    """Makes the run's databases: SQLite files, or PostgreSQL databases (databases.py)."""
    made = TestDatabases()
    yield made
    made.close()


@pytest.fixture(scope="session")
def started_database(
    databases: TestDatabases, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database as the first start leaves it (schema at head, bundled registry loaded), made
    once per run and only ever copied."""
    with databases.temporary(tmp_path_factory.mktemp("started") / "started.sqlite3") as url:
        engine = make_engine(url)
        ensure_ready(engine)
        engine.dispose()
        yield url


@pytest.fixture
def database_url(
    databases: TestDatabases, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[str]:
    """A new, empty database for this test alone; in a module marked ``first_start_done``, a
    copy of :func:`started_database` (for tests of something else than the first start)."""
    done = request.node.get_closest_marker("first_start_done") is not None
    template = request.getfixturevalue("started_database") if done else None
    with databases.temporary(tmp_path / "test.sqlite3", template) as url:
        yield url


@pytest.fixture(scope="session")
def small_registry_database(
    databases: TestDatabases, started_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """:func:`started_database` with the small registry imported in place of the bundled one,
    made once per run and only ever copied: that import costs about a second."""
    path = tmp_path_factory.mktemp("small") / "small.sqlite3"
    with databases.temporary(path, template=started_database) as url:
        with small_registry_app(url):
            pass
        yield url


@pytest.fixture
def started_database_url(
    databases: TestDatabases, started_database: str, tmp_path: Path
) -> Iterator[str]:
    """A database for this test alone, a copy of :func:`started_database`: an app started on it
    finds the first start done, as a restarted server does.

    For every test but those of the first start itself: that start costs about a second.
    """
    with databases.temporary(tmp_path / "started.sqlite3", template=started_database) as url:
        yield url


@pytest.fixture
def small_database_url(
    databases: TestDatabases, small_registry_database: str, tmp_path: Path
) -> Iterator[str]:
    """A database for this test alone holding the small registry, a copy of
    :func:`small_registry_database`."""
    with databases.temporary(tmp_path / "small.sqlite3", template=small_registry_database) as url:
        yield url


@pytest.fixture(scope="module")
def module_small_database_url(
    databases: TestDatabases, small_registry_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database holding the small registry that one module's tests share, a copy of
    :func:`small_registry_database`: for modules whose tests read, or write what no other
    test of the module looks at."""
    path = tmp_path_factory.mktemp("module") / "small.sqlite3"
    with databases.temporary(path, template=small_registry_database) as url:
        yield url


@pytest.fixture
def app(small_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """An app on a fresh database holding the small registry (not the bundled one), started as a
    restarted server starts: the first start and the small registry's import were done before."""
    monkeypatch.setenv("VERIFIER_DATABASE_URL", small_database_url)
    with open_app(small_database_url) as app:
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CLI runner whose commands use the test's own database."""
    monkeypatch.setenv("VERIFIER_DATABASE_URL", database_url)
    return CliRunner()
