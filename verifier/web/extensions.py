"""Per-application services: the database session factory, the shared registry index, CSRF.

With VERIFIER_DATABASE_REPLICA_URL set, the index (and so every check, scan, snapshot and lookup)
is read from a read replica; every other query, and every write, goes to the primary.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, Request, Response, current_app, g
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeout
from sqlalchemy.orm import Session, sessionmaker

from registry.check_counts import CheckCounter
from registry.db import ensure_ready, make_engine, make_sessionmaker
from registry.moderation import Moderation
from registry.store import RegistryStore
from verifier.core.index import RegistryIndex
from verifier.core.lookalike import lookalike_index
from verifier.core.verdict import Verdict

__all__ = [
    "RETRY_AFTER_SECONDS",
    "IndexHolder",
    "RegistryUnavailable",
    "Staleness",
    "count_checks",
    "csrf",
    "current_index",
    "database_unreachable",
    "init_app",
    "moderation",
    "registry_changed",
    "short_reason",
    "store",
]

#: Every form POST must carry the token of a page this site served (the JSON API is exempted
#: where its blueprint is registered: programs send JSON, which no cross-site form can).
csrf = CSRFProtect()

log = logging.getLogger(__name__)


#: What a database that cannot be reached raises: the server is down or restarting, the network
#: or the SQLite file is gone (OperationalError), the driver lost its connection (InterfaceError),
#: or every pooled connection is stuck waiting for it (TimeoutError). A constraint violation or a
#: bad query is a bug, not an outage, and stays a 500.
UNREACHABLE: tuple[type[Exception], ...] = (OperationalError, InterfaceError, SQLAlchemyTimeout)

#: Seconds a client is told to wait (Retry-After) while the database is unreachable.
RETRY_AFTER_SECONDS = 30


def database_unreachable(error: BaseException) -> bool:
    """Whether ``error`` says the database cannot be reached (rather than that a query is wrong)."""
    if isinstance(error, UNREACHABLE):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def short_reason(error: BaseException) -> str:
    """One line about a database failure, safe to show: no statement, no URL, no password."""
    cause = getattr(error, "orig", None) or error
    first = (str(cause).strip().splitlines() or [""])[0]
    # A driver may echo the address it dialled; a URL could carry credentials.
    first = re.sub(r"\b[a-z][a-z0-9+.-]*://\S+", "<url>", first, flags=re.IGNORECASE)
    first = re.sub(r"password=\S+", "password=…", first, flags=re.IGNORECASE)
    return f"{type(cause).__name__}: {first}"[:200].rstrip(": ")


class RegistryUnavailable(Exception):
    """No index was ever built and the database cannot be reached: nothing to answer from."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Staleness:
    """Why the worker answers from an older index: the version read has failed since then."""

    #: When the first failed read of this outage happened (UTC).
    since: dt.datetime
    #: The latest failure in one line (see :func:`short_reason`).
    error: str


class IndexHolder:
    """The worker's current :class:`RegistryIndex`, rebuilt when the registry version moves.

    The version is read at most once per ``refresh_seconds``; a rebuild happens only when it
    changed, so a check costs no query at all on the hot path.

    When the database cannot be reached the worker keeps answering from the index it has (the
    registry is *stale*, see :attr:`staleness`) and tries again after the next interval; once the
    database is back, that read picks up the current version, with no restart.

    ``sessions`` may be on a read replica (VERIFIER_DATABASE_REPLICA_URL): the holder then sees a
    change once the replica has it, so the replica's lag adds to ``refresh_seconds``, and an
    unreachable replica makes the registry stale exactly as an unreachable primary would.
    ``database`` names what is read, in the log.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        refresh_seconds: float,
        database: str = "registry database",
    ) -> None:
        self._sessions = sessions
        self._refresh = refresh_seconds
        self._database = database
        self._lock = threading.Lock()
        self._index: RegistryIndex | None = None
        # Minus infinity, not 0.0: time.monotonic() may count from boot, so on a machine up
        # for less than ``refresh_seconds`` a 0.0 still looks fresh and invalidate() did nothing.
        self._checked_at = float("-inf")
        self._staleness: Staleness | None = None

    @property
    def staleness(self) -> Staleness | None:
        """Since when, and why, the version could not be read; None while it can."""
        return self._staleness

    def get(self) -> RegistryIndex:
        """The index, refreshed if the registry changed since the last look.

        Never raises because the database is unreachable, once an index exists; before that,
        :class:`RegistryUnavailable`.
        """
        now = time.monotonic()
        index = self._index
        if index is not None and now - self._checked_at < self._refresh:
            return index
        # With an index in hand, a check never queues behind another thread's look at the
        # database: a connection attempt to a dead server can hang for many seconds.
        if not self._lock.acquire(blocking=index is None):
            return index  # type: ignore[return-value]  # blocking only when index is None
        try:
            if self._index is None or now - self._checked_at >= self._refresh:
                self._checked_at = now
                self._refresh_index()
            if self._index is None:
                raise RegistryUnavailable(self._staleness.error if self._staleness else "")
            return self._index
        finally:
            self._lock.release()

    def _refresh_index(self) -> None:
        try:
            with self._sessions() as session:
                store = RegistryStore(session)
                if self._index is None or store.version() != self._index.version:
                    index = store.build_index()
                    # Build the lookalike maps now, not on the first link someone checks.
                    lookalike_index(index)
                    self._index = index
        except Exception as exc:
            # Any database error, not only an unreachable server: a replica not yet migrated
            # answers "no such column", and the index held is a better answer than a 500.
            if not (database_unreachable(exc) or isinstance(exc, SQLAlchemyError)):
                raise
            reason = short_reason(exc)
            if self._staleness is None:
                log.error(
                    "%s unreachable, answering from the index held: %s", self._database, reason
                )
                self._staleness = Staleness(dt.datetime.now(dt.UTC), reason)
            else:
                self._staleness = Staleness(self._staleness.since, reason)
            return
        if self._staleness is not None:
            log.warning("%s reachable again (version %s)", self._database, self._index.version)
            self._staleness = None

    def invalidate(self) -> None:
        """Make the next :meth:`get` read the version again (after a local write).

        On a replica that read may not see the write yet; a later one will, once per interval.
        """
        self._checked_at = float("-inf")


class _CookieSessions(SecureCookieSessionInterface):
    """The signed-cookie session, never opened for the JSON API.

    Programs carry no session (moderators' calls carry a bearer token): not opening one spares
    each API request the cookie's signature check, and its answers the ``Vary: Cookie`` that
    would split a shared cache's copies of a public answer by cookie.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith(("/api/v1/", "/healthz")):
            return None  # Flask then uses a null session: empty, and nothing is saved
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    """Create the engines, run first-start set-up, register the per-request session and CSRF."""
    app.session_interface = _CookieSessions()
    engine: Engine = make_engine(app.config["VERIFIER_DATABASE_URL"])
    if app.config["VERIFIER_SETUP_ON_START"]:
        ensure_ready(engine)  # always the primary: a replica refuses writes
    sessions = make_sessionmaker(engine)
    app.extensions["verifier.engine"] = engine
    app.extensions["verifier.sessions"] = sessions
    index_sessions, database = sessions, "registry database"
    replica_url = app.config["VERIFIER_DATABASE_REPLICA_URL"]
    if replica_url:
        # No connection is made here: a replica that is down makes the registry stale (or, with
        # no index yet, unavailable) at the first check, as the primary would, not a failed start.
        replica: Engine = make_engine(replica_url)
        _dispose_with(engine, replica)
        app.extensions["verifier.replica_engine"] = replica
        index_sessions, database = make_sessionmaker(replica), "registry read replica"
    app.extensions["verifier.index"] = IndexHolder(
        index_sessions, app.config["VERIFIER_INDEX_REFRESH_SECONDS"], database
    )
    app.teardown_appcontext(_close_session)
    app.extensions["verifier.check_counts"] = CheckCounter(
        app.config["VERIFIER_CHECK_COUNT_FLUSH_SECONDS"]
    )
    app.after_request(_flush_check_counts_later)
    csrf.init_app(app)


def _dispose_with(primary: Engine, replica: Engine) -> None:
    """Dispose ``replica`` whenever ``primary`` is disposed.

    Commands and tests close the app's pool with ``app.extensions["verifier.engine"].dispose()``;
    the replica's connections go with it rather than being left to the garbage collector.
    """

    @event.listens_for(primary, "engine_disposed")
    def _dispose_replica(_engine: Engine) -> None:
        replica.dispose()


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def count_checks(index: RegistryIndex, verdicts: Iterable[Verdict]) -> None:
    """Count the verdicts, reached on ``index``, that stood on community entries (see
    registry.check_counts: nothing about the client, only the registry values)."""
    counter: CheckCounter = current_app.extensions["verifier.check_counts"]
    counter.record(index, verdicts)


def _flush_check_counts_later(response: Response) -> Response:
    """Write the worker's check counts once the response is sent, when due.

    After the response, not before it: the client never waits for the write, nor for a
    database that cannot be reached (the counts then wait in memory for the next try).
    """
    counter: CheckCounter = current_app.extensions["verifier.check_counts"]
    if counter.due():
        sessions: sessionmaker[Session] = current_app.extensions["verifier.sessions"]
        response.call_on_close(lambda: counter.flush(sessions))
    return response


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
