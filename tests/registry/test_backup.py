"""``verifier db backup`` and ``verifier db restore``: every table, losslessly, or nothing.

A database is filled the way the application fills it (registry with a replace that leaves
tombstones, users, a token, an approved proposal, reports, a setting, the audit log), backed up,
restored into a new database, and compared table by table, row by row, through the real commands.
The databases are SQLite files, or PostgreSQL ones in the PostgreSQL pass (databases.py).
"""

from __future__ import annotations

import copy
import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from databases import TestDatabases
from small_registry import SMALL_REGISTRY
from sqlalchemy import Engine, select

from registry.backup import FORMAT
from registry.db import make_engine, make_sessionmaker
from registry.files import dump_registry, parse_registry
from registry.models import Base
from registry.moderation import Moderation
from registry.store import RegistryStore
from verifier.cli import main

PASSWORD = "correct horse battery staple"


class Databases:
    """This test's databases, each new or a copy of the migrated one; dropped after the test."""

    def __init__(self, databases: TestDatabases, migrated: str, folder: Path) -> None:
        self._databases, self._migrated, self._folder = databases, migrated, folder
        self._made: list[str] = []

    def new(self, name: str) -> str:
        """An empty database, not even migrated (on SQLite, a file not made yet)."""
        url = self._databases.new(self._folder / name)
        self._made.append(url)
        return url

    def fresh(self, name: str) -> str:
        """An empty database migrated to head (a copy: migrating is slow)."""
        url = self.new(name)
        self._databases.copy(self._migrated, url)
        return url

    def drop(self) -> None:
        for url in self._made:
            self._databases.drop(url)


@pytest.fixture
def made(databases: TestDatabases, migrated: str, tmp_path: Path) -> Iterator[Databases]:
    # ``migrated``: the registry tests' database migrated once per module (conftest.py).
    made = Databases(databases, migrated, tmp_path)
    yield made
    made.drop()


def populate(engine: Engine) -> str:
    """Everything the application writes; returns alice's API token."""
    with make_sessionmaker(engine)() as session:
        store, mod = RegistryStore(session), Moderation(session)
        store.import_data(parse_registry(SMALL_REGISTRY), replace=True)
        smaller = copy.deepcopy(SMALL_REGISTRY)
        smaller["platforms"] = [p for p in smaller["platforms"] if p["slug"] != "china-post"]
        mod.import_direct("operator", parse_registry(smaller), True)
        alice = mod.create_user("alice", "moderator", PASSWORD)
        bob = mod.create_user("bob", "admin", PASSWORD)
        token = mod.new_token("alice")
        entry = {
            "kind": "phone",
            "value": "+86 400 123 4567",
            "impersonates": "icbc",
            "evidence": "https://example.org/report",
            "added_on": "2026-11-04",
        }
        proposal = mod.propose(alice, "add_blocklist", entry=entry, note="seen in SMS · 短信")
        mod.approve(bob, proposal.id)
        mod.propose(alice, "add_blocklist", entry={**entry, "value": "+86 400 765 4321"}, note="x")
        for text in ("第一条", "second"):
            mod.submit_report(kind="phone", value="+864001112222", input="400 111 2222", text=text)
        mod.set_single_approval(bob, True)
        session.commit()
    return token


def all_rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
        }


def export(engine: Engine) -> str:
    with make_sessionmaker(engine)() as session:
        return dump_registry(RegistryStore(session).data(), "yaml")


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"VERIFIER_DATABASE_URL": url})


def fails(result: Result, words: str) -> None:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert words in lines[0]
    assert "Traceback" not in result.stderr


@pytest.fixture
def source(made: Databases) -> Iterator[tuple[str, Engine, str]]:
    """A populated database: its URL, engine and alice's token."""
    url = made.fresh("source.sqlite3")
    engine = make_engine(url)
    token = populate(engine)
    yield url, engine, token
    engine.dispose()


@pytest.fixture
def backup_file(source: tuple[str, Engine, str], tmp_path: Path) -> Path:
    path = tmp_path / "registry.backup.jsonl.gz"
    result = run(source[0], "db", "backup", str(path))
    assert result.exit_code == 0, result.stderr
    return path


# --- the round trip ------------------------------------------------------------------------------


def test_restore_into_a_new_database_gives_back_every_row(
    source: tuple[str, Engine, str], backup_file: Path, made: Databases
) -> None:
    _, engine, token = source
    target_url = made.new("new/restored.sqlite3")  # on SQLite, neither file nor folder exists yet

    result = run(target_url, "db", "restore", str(backup_file))

    assert result.exit_code == 0, result.stderr
    target = make_engine(target_url)
    try:
        before, after = all_rows(engine), all_rows(target)
        assert after == before
        for table in (
            "platform",
            "channel",
            "block_entry",
            "registry_tombstone",
            "app_user",
            "api_token",
            "proposal",
            "audit_log",
            "report",
            "report_item",
            "setting",
        ):
            assert before[table], f"the test left {table} empty"
        assert export(target) == export(engine)
        with make_sessionmaker(target)() as session:
            assert RegistryStore(session).version() == before["registry_meta"][0][1] > 0
            user = Moderation(session).user_for_token(token)
            assert user is not None and user.name == "alice"
            # The audit log is still append-only in the restored database.
            with pytest.raises(Exception, match="append-only"):
                session.execute(Base.metadata.tables["audit_log"].delete())
    finally:
        target.dispose()


def test_the_backup_is_gzipped_json_lines_with_a_header(backup_file: Path) -> None:
    with gzip.open(backup_file, "rt", encoding="utf-8") as lines:
        header = json.loads(next(lines))
        tables = [json.loads(line)["table"] for line in lines]
    assert header["format"] == FORMAT
    assert header["schema_revision"]
    assert list(header["tables"]) == [table.name for table in Base.metadata.sorted_tables]
    assert sum(header["tables"].values()) == len(tables)
    order = list(header["tables"])
    assert [order.index(name) for name in tables] == sorted(order.index(name) for name in tables)


def test_replace_overwrites_a_database_holding_only_the_bundled_registry(
    source: tuple[str, Engine, str], backup_file: Path, made: Databases
) -> None:
    target_url = made.new("bundled.sqlite3")
    assert run(target_url, "registry", "stats").exit_code == 0  # first start: bundled registry

    fails(run(target_url, "db", "restore", str(backup_file)), "--replace")
    result = run(target_url, "db", "restore", "--replace", str(backup_file))

    assert result.exit_code == 0, result.stderr
    target = make_engine(target_url)
    try:
        assert all_rows(target) == all_rows(source[1])
    finally:
        target.dispose()


# --- refusals: one line, exit 2, nothing changed -------------------------------------------------


def test_a_database_with_an_audit_log_is_refused_even_with_replace(
    source: tuple[str, Engine, str], backup_file: Path
) -> None:
    url, engine, _ = source
    before = all_rows(engine)
    fails(run(url, "db", "restore", "--replace", str(backup_file)), "append-only")
    assert all_rows(engine) == before


def test_a_backup_of_another_schema_revision_is_refused(
    backup_file: Path, made: Databases, tmp_path: Path
) -> None:
    other = tmp_path / "old.jsonl.gz"
    with gzip.open(backup_file, "rt", encoding="utf-8") as src:
        lines = src.readlines()
    header = json.loads(lines[0])
    header["schema_revision"] = "0002"
    with gzip.open(other, "wt", encoding="utf-8") as out:
        out.writelines([json.dumps(header) + "\n", *lines[1:]])
    fails(run(made.fresh("t.sqlite3"), "db", "restore", str(other)), "revision")


def test_a_truncated_backup_restores_nothing(
    backup_file: Path, made: Databases, tmp_path: Path
) -> None:
    cut = tmp_path / "cut.jsonl.gz"
    with gzip.open(backup_file, "rt", encoding="utf-8") as src:
        lines = src.readlines()
    with gzip.open(cut, "wt", encoding="utf-8") as out:
        out.writelines(lines[: len(lines) - 3])  # the last rows lost
    url = made.fresh("t.sqlite3")
    fails(run(url, "db", "restore", str(cut)), "incomplete")
    engine = make_engine(url)
    try:
        assert not any(rows for name, rows in all_rows(engine).items() if name != "registry_meta")
    finally:
        engine.dispose()


# mtime=0: a gzip header holds the time it was made, and the bytes name the test cases, which
# must be the same in every pytest-xdist worker.
@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"platforms: []\n", "not a readable backup"),  # a registry file, not a backup
        (gzip.compress(b'{"format": "something else"}\n', mtime=0), "is not a"),
        # cut short
        (gzip.compress(b'{"format": "' + FORMAT.encode() + b'"', mtime=0)[:-8], "not a readable"),
        (gzip.compress(b"", mtime=0), "empty"),
    ],
)
def test_a_file_that_is_not_a_backup_is_refused(
    made: Databases, tmp_path: Path, content: bytes, words: str
) -> None:
    path = tmp_path / "bad.gz"
    path.write_bytes(content)
    fails(run(made.fresh("t.sqlite3"), "db", "restore", str(path)), words)


def test_a_missing_backup_is_refused(made: Databases, tmp_path: Path) -> None:
    url = made.fresh("t.sqlite3")
    fails(run(url, "db", "restore", str(tmp_path / "nowhere.gz")), "no such file")


def test_a_backup_into_a_missing_folder_is_refused(
    source: tuple[str, Engine, str], tmp_path: Path
) -> None:
    target = tmp_path / "no" / "such" / "folder" / "b.gz"
    fails(run(source[0], "db", "backup", str(target)), "cannot write")
    assert not target.parent.exists()
