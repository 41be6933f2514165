"""Engine, migrations and first-start set-up (registry/db.py) on a real database per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from small_registry import SMALL_REGISTRY
from sqlalchemy import Engine, inspect, text

from registry import db
from registry.db import ensure_ready, make_engine, make_sessionmaker, upgrade
from registry.files import RegistryData, parse_registry
from registry.models import Base
from registry.store import RegistryStore

TABLES = {
    "alembic_version",
    "api_token",
    "app_user",
    "audit_log",
    "block_entry",
    "channel",
    "check_count",
    "platform",
    "registry_meta",
    "registry_tombstone",
    "proposal",
    "report",
    "report_item",
    "reviewed_domain",
    "setting",
}


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a database that is empty (on SQLite, a file that does not exist yet)."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def _downgrade(engine: Engine, revision: str) -> None:
    # registry.db offers upgrade() only; downgrades go through the same Alembic configuration.
    command.downgrade(db._alembic_config(engine), revision)


def _state(engine: Engine) -> tuple[int, RegistryData]:
    with make_sessionmaker(engine)() as session:
        store = RegistryStore(session)
        return store.version(), store.data()


def test_ensure_ready_sets_up_an_empty_database_once(engine: Engine) -> None:
    assert _tables(engine) == set()
    assert ensure_ready(engine) is True
    assert _tables(engine) == TABLES
    version, data = _state(engine)
    assert version == 1
    # The bundled registry, so a fresh install serves real answers with no other step.
    assert "icbc" in {p.slug for p in data.platforms}
    assert len(data.platforms) > 30 and data.blocklist
    # A second start finds it ready and changes nothing.
    assert ensure_ready(engine) is False
    assert _state(engine) == (version, data)


def test_ensure_ready_keeps_an_existing_registry(engine: Engine) -> None:
    upgrade(engine)
    with make_sessionmaker(engine)() as session:
        RegistryStore(session).import_data(parse_registry(SMALL_REGISTRY), replace=True)
        session.commit()
    before = _state(engine)
    assert ensure_ready(engine) is False
    assert _state(engine) == before


def test_ensure_ready_keeps_a_registry_that_was_emptied_on_purpose(engine: Engine) -> None:
    upgrade(engine)
    with make_sessionmaker(engine)() as session:
        store = RegistryStore(session)
        store.import_data(parse_registry(SMALL_REGISTRY), replace=True)
        store.import_data(RegistryData((), ()), replace=True)
        session.commit()
    # Empty, but not new: the version says someone chose this.
    assert ensure_ready(engine) is False
    assert _state(engine) == (2, RegistryData((), ()))


def test_upgrade_from_empty_creates_the_schema_and_version_row(engine: Engine) -> None:
    upgrade(engine)
    assert _tables(engine) == TABLES
    with engine.connect() as connection:
        assert connection.execute(text("SELECT id, version FROM registry_meta")).all() == [(1, 0)]
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    # Upgrading an up-to-date database is a no-op.
    upgrade(engine)
    assert _tables(engine) == TABLES


def test_migrations_match_the_models(engine: Engine) -> None:
    upgrade(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_downgrade_to_base_then_upgrade_again(engine: Engine) -> None:
    upgrade(engine)
    _downgrade(engine, "base")
    assert _tables(engine) == {"alembic_version"}
    upgrade(engine)
    assert _tables(engine) == TABLES
    # And the schema still works end to end.
    with make_sessionmaker(engine)() as session:
        RegistryStore(session).import_data(parse_registry(SMALL_REGISTRY), replace=True)
        session.commit()
    assert _state(engine)[0] == 1


@pytest.mark.sqlite_only(
    reason="PRAGMA foreign_keys is SQLite's switch; PostgreSQL always enforces"
)
def test_sqlite_foreign_keys_are_enforced(engine: Engine) -> None:
    upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


@pytest.mark.sqlite_only(reason="the folder of a SQLite file; a server has no folder to make")
def test_make_engine_creates_the_folder(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "verifier.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    assert path.is_file()


def test_every_downgrade_and_upgrade_keeps_the_registry(engine: Engine) -> None:
    # On SQLite, Alembic's batch mode rebuilds a table by copying it and dropping the original;
    # dropping the platform table cascaded to every channel, so downgrading 0003 lost them all.
    upgrade(engine)
    with make_sessionmaker(engine)() as session:
        RegistryStore(session).import_data(parse_registry(SMALL_REGISTRY), replace=True)
        session.commit()

    def counts() -> tuple[int, int, int]:
        with engine.connect() as connection:
            return tuple(  # type: ignore[return-value]
                connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608 -- fixed names
                for table in ("platform", "channel", "block_entry")
            )

    before = counts()
    assert before[1] > 0
    config = db._alembic_config(engine)
    for revision in ("0003", "0002", "0001"):
        command.downgrade(config, revision)
        assert counts() == before, f"downgrading to {revision}"
    for revision in ("0002", "0003", "head"):
        command.upgrade(config, revision)
        assert counts() == before, f"upgrading to {revision}"


def test_migration_0005_makes_every_existing_entry_verified(engine: Engine) -> None:
    upgrade(engine, "0004")
    # A registry written under 0004 (the models are at head, so in SQL).
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO platform (slug, name_zh, name_en, aliases, category, country, "
                "phone_support, revision, changed_in) "
                "VALUES ('bank', '银行', 'Bank', '[]', 'bank', 'CN', 'listed', 1, 3)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO channel (platform_id, position, kind, value, label_zh, label_en, "
                "status, scope, source, verified_on, revision) VALUES ((SELECT id FROM platform), "
                "0, 'phone', '95588', '', '', 'active', 'subdomains', 'https://bank.cn', "
                "'2026-11-01', 1)"
            )
        )
        connection.execute(text("UPDATE registry_meta SET version = 3"))
    upgrade(engine)
    # Everything registered before tiers existed was reviewed by moderators; nothing else moves.
    version, data = _state(engine)
    assert version == 3
    (bank,) = data.platforms
    assert bank.trust == "verified" and [c.trust for c in bank.channels] == ["verified"]

    _downgrade(engine, "0004")
    with engine.connect() as connection:
        for table in ("platform", "channel"):
            assert "trust" not in {c["name"] for c in inspect(connection).get_columns(table)}
            count = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()  # noqa: S608 -- fixed names
            assert count == 1, table


def test_migration_0005_will_not_downgrade_community_entries_into_verified_ones(
    engine: Engine,
) -> None:
    upgrade(engine)
    raw = {**SMALL_REGISTRY, "platforms": [dict(SMALL_REGISTRY["platforms"][0], trust="community")]}
    raw["platforms"][0]["channels"] = [
        dict(c, trust="community") for c in SMALL_REGISTRY["platforms"][0]["channels"]
    ]
    raw["blocklist"] = []
    with make_sessionmaker(engine)() as session:
        RegistryStore(session).import_data(parse_registry(raw), replace=True)
        session.commit()
    with pytest.raises(RuntimeError, match="community entries"):
        _downgrade(engine, "0004")
    # Refused whole: the schema and the data are as they were.
    with engine.connect() as connection:
        assert "trust" in {c["name"] for c in inspect(connection).get_columns("channel")}
    assert {p.trust for p in _state(engine)[1].platforms} == {"community"}
