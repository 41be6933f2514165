"""Database engine, schema migrations, and first-start set-up."""

from __future__ import annotations

import functools
import json
import logging
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.orm import Session, sessionmaker

from registry.files import RegistryData, load_registry_file, with_community_tier
from registry.store import RegistryStore

__all__ = [
    "BUNDLED_COMMUNITY_TIER",
    "BUNDLED_REGISTRY",
    "bundled_registry",
    "ensure_ready",
    "make_engine",
    "make_sessionmaker",
    "upgrade",
]

log = logging.getLogger(__name__)

#: The sourced registry shipped inside the package (see registry/data/README.md): its verified
#: entries, written by people, ...
BUNDLED_REGISTRY = resources.files("registry") / "data" / "registry.yaml"
#: ... and its community tier, generated from the community data sets by
#: ``python -m registry.community.bundle`` (never edited by hand).
BUNDLED_COMMUNITY_TIER = resources.files("registry") / "data" / "community.json"
_MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get their folder created and foreign keys enforced."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        # Aliases are searched with LIKE, so Chinese must be stored as itself, not \\u escapes.
        json_serializer=lambda obj: json.dumps(obj, ensure_ascii=False),
        pool_pre_ping=True,
    )
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def _alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply schema migrations up to ``revision``."""
    command.upgrade(_alembic_config(engine), revision)


@functools.cache
def bundled_registry(*, community: bool = True) -> RegistryData:
    """The registry shipped inside the package: its verified entries and (unless
    ``community`` is false) its community tier laid over them. Read once per process: the
    files are part of the installed package, and the records are immutable."""
    with resources.as_file(BUNDLED_REGISTRY) as path:
        data = load_registry_file(path)
    if not community:
        return data
    with resources.as_file(BUNDLED_COMMUNITY_TIER) as path:
        return with_community_tier(data, load_registry_file(path))


def ensure_ready(engine: Engine) -> bool:
    """Upgrade the schema; load the bundled registry into an empty one. True if it loaded."""
    fresh = not inspect(engine).has_table("registry_meta")
    upgrade(engine)
    with make_sessionmaker(engine)() as session:
        store = RegistryStore(session)
        if not (fresh or store.is_empty()) or store.version() > 0:
            return False
        data = bundled_registry()
        store.import_data(data, replace=True)
        session.commit()
    log.info("loaded the bundled registry: %d platforms", len(data.platforms))
    return True
