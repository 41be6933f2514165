"""Per-application services: the database session factory, the shared registry index, CSRF."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from registry.db import ensure_ready, make_engine, make_sessionmaker
from registry.moderation import Moderation
from registry.store import RegistryStore
from verifier.core.index import RegistryIndex
from verifier.core.lookalike import lookalike_index

__all__ = [
    "IndexHolder",
    "csrf",
    "current_index",
    "init_app",
    "moderation",
    "registry_changed",
    "store",
]

#: Every form POST must carry the token of a page this site served (the JSON API is exempted
#: where its blueprint is registered: programs send JSON, which no cross-site form can).
csrf = CSRFProtect()


class IndexHolder:
    """The worker's current :class:`RegistryIndex`, rebuilt when the registry version moves.

    The version is read at most once per ``refresh_seconds``; a rebuild happens only when it
    changed, so a check costs no query at all on the hot path.
    """

    def __init__(self, sessions: sessionmaker[Session], refresh_seconds: float) -> None:
        self._sessions = sessions
        self._refresh = refresh_seconds
        self._lock = threading.Lock()
        self._index: RegistryIndex | None = None
        # Minus infinity, not 0.0: time.monotonic() may count from boot, so on a machine up
        # for less than ``refresh_seconds`` a 0.0 still looks fresh and invalidate() did nothing.
        self._checked_at = float("-inf")

    def get(self) -> RegistryIndex:
        """The index, refreshed if the registry changed since the last look."""
        now = time.monotonic()
        if self._index is not None and now - self._checked_at < self._refresh:
            return self._index
        with self._lock:
            if self._index is None or now - self._checked_at >= self._refresh:
                self._checked_at = now
                with self._sessions() as session:
                    store = RegistryStore(session)
                    if self._index is None or store.version() != self._index.version:
                        index = store.build_index()
                        # Build the lookalike maps now, not on the first link someone checks.
                        lookalike_index(index)
                        self._index = index
            return self._index

    def invalidate(self) -> None:
        """Make the next :meth:`get` read the version again (after a local write)."""
        self._checked_at = float("-inf")


def init_app(app: Flask) -> None:
    """Create the engine, run first-start set-up, register the per-request session and CSRF."""
    engine: Engine = make_engine(app.config["VERIFIER_DATABASE_URL"])
    if app.config["VERIFIER_SETUP_ON_START"]:
        ensure_ready(engine)
    sessions = make_sessionmaker(engine)
    app.extensions["verifier.engine"] = engine
    app.extensions["verifier.sessions"] = sessions
    app.extensions["verifier.index"] = IndexHolder(
        sessions, app.config["VERIFIER_INDEX_REFRESH_SECONDS"]
    )
    app.teardown_appcontext(_close_session)
    csrf.init_app(app)


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def db_session() -> Session:
    """The request's session, opened on first use and closed at teardown."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["verifier.sessions"]()
    session: Session = g.db_session
    return session


def store() -> RegistryStore:
    """A store on the request's session."""
    return RegistryStore(db_session())


def moderation() -> Moderation:
    """The moderation service on the request's session (the caller commits)."""
    return Moderation(db_session())


def registry_changed() -> None:
    """After committing a registry change: this worker reads the new version on its next check,
    and every other worker within VERIFIER_INDEX_REFRESH_SECONDS."""
    holder: IndexHolder = current_app.extensions["verifier.index"]
    holder.invalidate()


def current_index() -> RegistryIndex:
    """The worker's current registry index."""
    holder: IndexHolder = current_app.extensions["verifier.index"]
    return holder.get()


@contextmanager
def app_session(app: Flask) -> Iterator[Session]:
    """A session outside a request, for commands."""
    with app.extensions["verifier.sessions"]() as session:
        yield session
