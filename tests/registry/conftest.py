"""Registry fixtures: a real, migrated database per test, copied from one migrated once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from databases import TestDatabases
from small_registry import SMALL_REGISTRY
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from registry.db import make_engine, make_sessionmaker, upgrade
from registry.files import parse_registry
from registry.store import RegistryStore


@pytest.fixture(scope="session")
def migrated(databases: TestDatabases, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated to head once per run; each test gets its own copy (migrating is slow).

    Nothing writes to it after the migration: tests only copy it.
    """
    with databases.temporary(tmp_path_factory.mktemp("migrated") / "registry.sqlite3") as url:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url


@pytest.fixture
def engine(databases: TestDatabases, migrated: str, tmp_path: Path) -> Iterator[Engine]:
    with databases.temporary(tmp_path / "registry.sqlite3", template=migrated) as url:
        engine = make_engine(url)
        if engine.dialect.name == "sqlite":
            # A throwaway file need not survive a power cut: skipping fsync keeps each commit
            # instant.
            event.listen(
                engine, "connect", lambda dbapi, _record: dbapi.execute("PRAGMA synchronous=OFF")
            )
        yield engine
        engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as session:
        yield session


@pytest.fixture
def store(session: Session) -> RegistryStore:
    """A store holding the small registry, committed (registry version 1)."""
    store = RegistryStore(session)
    store.import_data(parse_registry(SMALL_REGISTRY), replace=True)
    session.commit()
    return store
