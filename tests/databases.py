"""The databases tests run on: SQLite files by default, PostgreSQL when asked.

``VERIFIER_TEST_DATABASE=postgresql`` runs the suite on the PostgreSQL server at
``VERIFIER_TEST_POSTGRES_URL`` (``make postgres`` starts one that matches the default). Each test
gets its own database there, created for it and dropped after it, as on SQLite it gets its own
file in its temporary folder. Copying a prepared database (a migrated schema, a loaded registry)
is a file copy on SQLite and ``CREATE DATABASE … TEMPLATE`` on PostgreSQL.

Importable from any test module (``pythonpath = ["tests"]`` in pyproject.toml).
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine, make_url, text
from sqlalchemy.exc import DBAPIError

__all__ = ["BACKEND", "POSTGRES_URL", "TestDatabases"]

#: ``sqlite`` (the default) or ``postgresql``.
BACKEND = os.environ.get("VERIFIER_TEST_DATABASE", "sqlite")
#: A database on the test server that the tests' role may connect to; the role needs CREATEDB.
POSTGRES_URL = os.environ.get(
    "VERIFIER_TEST_POSTGRES_URL", "postgresql+psycopg://verifier:verifier@127.0.0.1:5433/verifier"
)

if BACKEND not in ("sqlite", "postgresql"):
    raise pytest.UsageError(
        f"VERIFIER_TEST_DATABASE={BACKEND!r}: choose sqlite (the default) or postgresql"
    )


class TestDatabases:
    """Makes, copies and drops the test run's databases on the chosen backend.

    Methods take the SQLite file a test would use; on PostgreSQL its name only names the new
    database, after the process id, so runs side by side on one server never meet.
    """

    __test__ = False  # a helper, not a test class for pytest to collect

    def __init__(self) -> None:
        self._made: set[str] = set()
        self._numbers = itertools.count(1)
        self._admin: Connection | None = None

    def new(self, path: Path, template: str | None = None) -> str:
        """The URL of a new database: empty (on SQLite, the file at ``path``, created on use), or
        a copy of ``template``, a database :meth:`new` made on which no connection is open.

        Copying here rather than with :meth:`copy` saves an empty database made only to be
        dropped: on PostgreSQL each drop forces a checkpoint.
        """
        if BACKEND == "sqlite":
            url = f"sqlite:///{path}"
            if template is not None:
                shutil.copyfile(_sqlite_path(template), path)
            return url
        stem = re.sub(r"[^a-z0-9]+", "_", path.stem.lower())
        name = f"vt{os.getpid()}_{next(self._numbers)}_{stem}"[:63]
        # Names come from the test's own file names, lower-case letters, digits and underscores.
        self._create(name, template)
        self._made.add(name)
        return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)

    def copy(self, source: str, target: str) -> None:
        """Make the database at ``target`` a copy of ``source``, on which no connection is open.

        ``target`` came from :meth:`new` and is replaced, whatever it holds.
        """
        if BACKEND == "sqlite":
            shutil.copyfile(_sqlite_path(source), _sqlite_path(target))
            return
        name = _database(target)
        self._drop(name)
        self._create(name, source)

    @contextmanager
    def temporary(self, path: Path, template: str | None = None) -> Iterator[str]:
        """:meth:`new`'s database for the ``with`` block, dropped after it."""
        url = self.new(path, template)
        try:
            yield url
        finally:
            self.drop(url)

    def drop(self, url: str) -> None:
        """Drop a database :meth:`new` made (its engines disposed first); SQLite files stay."""
        if BACKEND == "sqlite":
            return  # pytest removes old temporary folders itself
        name = _database(url)
        self._drop(name)
        self._made.discard(name)

    def close(self) -> None:
        """Drop what tests left behind and close the server connection."""
        for name in sorted(self._made):
            self._drop(name)
        self._made.clear()
        if self._admin is not None:
            self._admin.close()
            self._admin.engine.dispose()
            self._admin = None

    def _create(self, name: str, template: str | None) -> None:
        if template is None:
            self._execute(f'CREATE DATABASE "{name}"')
        else:
            self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{_database(template)}"')

    def _drop(self, name: str) -> None:
        # FORCE ends any connection a test left open, such as a server it started. It refuses
        # while an autovacuum worker (a superuser's process) is in the database: wait for it.
        for attempt in range(50):
            try:
                self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                return
            except DBAPIError as error:
                if attempt == 49 or getattr(error.orig, "sqlstate", None) != "42501":
                    raise
                time.sleep(0.1)

    def _execute(self, statement: str) -> None:
        if self._admin is None:
            # CREATE and DROP DATABASE cannot run inside a transaction.
            engine = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
            try:
                self._admin = engine.connect()
            except Exception as error:
                engine.dispose()
                # One clear message rather than the same error for every test.
                pytest.exit(
                    f"VERIFIER_TEST_DATABASE=postgresql, but no server answers at "
                    f"{make_url(POSTGRES_URL)!r} (start one with `make postgres`): {error}",
                    returncode=pytest.ExitCode.USAGE_ERROR,
                )
        self._admin.execute(text(statement))


def _sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def _database(url: str) -> str:
    name = make_url(url).database
    assert name, url
    return name
