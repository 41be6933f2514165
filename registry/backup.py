"""Back up and restore the whole database, losslessly and independent of the database engine.

A backup is one gzipped JSON Lines file. The first line is a header naming the format, the schema
(Alembic) revision and how many rows each table holds; then one line per row,
``{"table": name, "row": {column: value}}``, table by table in dependency order
(``Base.metadata.sorted_tables``: a row comes after every row it refers to) and by primary key
within a table. Dates and times are ISO 8601 strings; everything else is JSON as it is. Every
table is in it: the registry with its change stamps, tombstones and version, users, API tokens
(their hashes), proposals, reports, settings and the audit log. A backup of SQLite restores into
PostgreSQL and back.

Restoring runs in one transaction and refuses, in one line (:class:`BackupError`):

- a backup of another schema revision (restore it with the release that wrote it, then upgrade);
- a database that holds anything, unless ``replace``; and even then one whose audit log has a
  line. The audit log is append-only (its triggers refuse UPDATE and DELETE, migration 0003):
  erasing it to make room would destroy the record it exists to keep. Restore into a new, empty
  database instead; one that only holds the bundled registry loaded on first start qualifies,
  with ``replace``.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import (
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    Integer,
    Table,
    delete,
    false,
    func,
    inspect,
    select,
    text,
    update,
)

from registry.models import Base

__all__ = ["FORMAT", "BackupError", "BackupSummary", "backup", "head_revision", "restore"]

#: Names the file format in the header; raised if the layout ever changes incompatibly.
FORMAT = "contact-verifier-backup/1"
_MIGRATIONS = Path(__file__).parent / "migrations"
#: Rows sent to the database per INSERT statement (executemany).
_BATCH = 1000
#: Seeded by the first migration (the registry version, 0): an "empty" database has this row.
_SEEDED = "registry_meta"
_AUDIT = "audit_log"


class BackupError(ValueError):
    """A backup that cannot be written or restored; the message is one line for the user."""


BackupSummary = dict[str, int]
"""Rows per table, in dependency order."""


def head_revision() -> str:
    """The schema revision this release's migrations end at."""
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    if head is None:  # pragma: no cover - the package always ships its migrations
        raise BackupError("no schema migrations found")
    return head


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)


def _revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    value = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return None if value is None else str(value)


def _to_json(value: Any) -> Any:
    if isinstance(value, dt.date):  # datetime is a date, too
        return value.isoformat()
    return value


def _from_json(column: Column[Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(column.type, Date):
        return dt.date.fromisoformat(value)
    return value


# --- backup --------------------------------------------------------------------------------------


def backup(engine: Engine, path: str | Path) -> BackupSummary:
    """Write every table of the database at ``engine`` to ``path``, from one consistent snapshot.

    The file appears only when complete (written beside it, then renamed).
    """
    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    with _snapshot(engine) as connection:
        revision = _revision(connection)
        if revision is None:
            raise BackupError("the database has no schema: nothing to back up")
        if revision != head_revision():
            raise BackupError(
                f"the database is at schema revision {revision}, this release at "
                f"{head_revision()}: run `verifier db upgrade` first"
            )
        counts = {
            table.name: connection.scalar(select(func.count()).select_from(table)) or 0
            for table in _tables()
        }
        header = {
            "format": FORMAT,
            "schema_revision": revision,
            "database": engine.dialect.name,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "tables": counts,
        }
        try:
            with gzip.open(partial, "wt", encoding="utf-8") as out:
                _write_line(out, header)
                for table in _tables():
                    order = list(table.primary_key.columns)
                    for row in connection.execute(select(table).order_by(*order)):
                        values = {key: _to_json(value) for key, value in row._mapping.items()}
                        _write_line(out, {"table": table.name, "row": values})
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    return counts


def _write_line(out: IO[str], obj: Mapping[str, Any]) -> None:
    out.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n")


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection that sees one state of the database for all its reads."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ")
            connection.begin()
        else:
            # pysqlite opens a transaction only before a write; reads need one to share a
            # snapshot, so open it here (it holds a shared lock until the end).
            connection.exec_driver_sql("BEGIN")
        try:
            yield connection
        finally:
            connection.rollback()


# --- restore -------------------------------------------------------------------------------------


def read_header(path: str | Path) -> dict[str, Any]:
    """The header of the backup at ``path``; BackupError when it is not one."""
    with _open(path) as lines:
        return next(lines)


@contextmanager
def _open(path: str | Path) -> Iterator[Iterator[dict[str, Any]]]:
    """The JSON objects of a backup file, one per line; errors become BackupError."""
    try:
        file = gzip.open(path, "rt", encoding="utf-8")  # noqa: SIM115  # closed by the with below
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc.strerror or exc}") from None
    with file:
        yield _objects(file, str(path))


def _objects(file: IO[str], name: str) -> Iterator[dict[str, Any]]:
    number = 0
    try:
        for number, line in enumerate(file, start=1):
            obj = json.loads(line)
            if not isinstance(obj, dict):
                raise ValueError("not an object")
            if number == 1 and obj.get("format") != FORMAT:
                raise BackupError(f"{name} is not a {FORMAT} file")
            yield obj
    except BackupError:
        raise
    except (OSError, EOFError, UnicodeDecodeError, ValueError) as exc:
        # gzip says a truncated file is an EOFError, a file that is not gzip an OSError.
        where = f"line {number + 1}" if number else "its start"
        raise BackupError(f"{name} is not a readable backup (at {where}): {exc}") from None
    if number == 0:
        raise BackupError(f"{name} is empty")


def restore(engine: Engine, path: str | Path, *, replace: bool = False) -> BackupSummary:
    """Make the database at ``engine`` exactly the backup at ``path``, in one transaction.

    The schema must exist at the backup's revision (``registry.db.upgrade`` first). See the
    module docstring for what is refused.
    """
    header = read_header(path)
    tables = {table.name: table for table in _tables()}
    expected: dict[str, int] = header.get("tables") or {}
    if set(expected) != set(tables):
        raise BackupError("the backup's tables differ from this release's schema")
    with engine.begin() as connection:
        revision = _revision(connection)
        if revision != header.get("schema_revision"):
            raise BackupError(
                f"the backup is of schema revision {header.get('schema_revision')}, the database "
                f"at {revision}: restore it with the release that wrote it"
            )
        _check_target(connection, replace)
        for table in reversed(_tables()):
            if table.name != _AUDIT:  # empty, checked above: its triggers forbid DELETE
                connection.execute(delete(table))
        counts = _insert_rows(connection, path, tables)
        if counts != expected:
            raise BackupError("the backup is incomplete: its rows do not match its header")
        if connection.dialect.name == "postgresql":
            _reset_sequences(connection)
    return counts


def _check_target(connection: Connection, replace: bool) -> None:
    def has_rows(table: Table) -> bool:
        return connection.execute(select(table).limit(1)).first() is not None

    if has_rows(Base.metadata.tables[_AUDIT]):
        raise BackupError(
            "the database has an audit log, which is append-only: restore into a new, empty "
            "database"
        )
    if replace:
        return
    meta = Base.metadata.tables[_SEEDED]
    used = [t.name for t in _tables() if t.name != _SEEDED and has_rows(t)]
    if used or (connection.scalar(select(func.max(meta.c.version))) or 0) > 0:
        what = ", ".join(used) or "a registry version"
        raise BackupError(f"the database is not empty ({what}): add --replace to overwrite it")


def _insert_rows(
    connection: Connection, path: str | Path, tables: dict[str, Table]
) -> BackupSummary:
    counts = {name: 0 for name in tables}
    batch: list[dict[str, Any]] = []
    current: Table | None = None

    def flush() -> None:
        if current is not None and batch:
            _insert_batch(connection, current, batch)
            batch.clear()

    with _open(path) as lines:
        next(lines)  # the header
        for line in lines:
            table = tables.get(str(line.get("table")))
            row = line.get("row")
            if table is None or not isinstance(row, dict) or set(row) != set(table.c.keys()):
                raise BackupError(f"the backup has a row this schema cannot hold: {str(line)[:80]}")
            if table is not current or len(batch) >= _BATCH:
                flush()
                current = table
            batch.append({key: _from_json(table.c[key], value) for key, value in row.items()})
            counts[table.name] += 1
        flush()
    return counts


def _insert_batch(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    # A row may refer to a later row of its own table (report.duplicate_of): insert without
    # those references, then set them.
    own = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    if not own:
        connection.execute(table.insert(), rows)
        return
    connection.execute(table.insert(), [{**row, **dict.fromkeys(own)} for row in rows])
    key = next(iter(table.primary_key.columns))
    for row in rows:
        links = {name: row[name] for name in own if row[name] is not None}
        if links:
            connection.execute(update(table).where(key == row[key.name]).values(**links))


def _reset_sequences(connection: Connection) -> None:
    """PostgreSQL: rows came with their ids, so move each id sequence past the largest."""
    for table in _tables():
        for column in table.primary_key.columns:
            if not isinstance(column.type, Integer):
                continue
            # setval(NULL, …) is NULL, not an error: a column without a sequence is left alone.
            sequence = func.pg_get_serial_sequence(table.name, column.name)
            largest = select(func.max(column)).scalar_subquery()
            connection.execute(
                select(func.setval(sequence, func.coalesce(largest, 0) + 1, false()))
            )
