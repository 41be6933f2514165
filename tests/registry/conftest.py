"""Registry fixtures: a real, migrated SQLite database per test, copied from one migrated once."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from small_registry import SMALL_REGISTRY
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from registry.db import make_engine, make_sessionmaker, upgrade
from registry.files import parse_registry
from registry.store import RegistryStore


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file migrated to head once; each test gets its own copy (migrating is slow)."""
    path = tmp_path_factory.mktemp("migrated") / "registry.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def engine(migrated: Path, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "registry.sqlite3"
    shutil.copyfile(migrated, path)
    engine = make_engine(f"sqlite:///{path}")
    # A throwaway file need not survive a power cut: skipping fsync keeps each commit instant.
    event.listen(engine, "connect", lambda dbapi, _record: dbapi.execute("PRAGMA synchronous=OFF"))
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
