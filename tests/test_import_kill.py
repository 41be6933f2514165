"""An import killed with SIGKILL halfway leaves the registry exactly as it was.

The real ``verifier registry import --replace`` runs as a subprocess and is killed once it has
started writing: no handler, no ``finally`` runs. The registry read afterwards must export to the
same bytes and have the same version, which holds only if the whole import is one transaction.

On SQLite "started writing" is its rollback journal existing; on PostgreSQL it is the import's
server session holding a transaction id (``backend_xid``, given at its first write), and the
server rolls that transaction back when it finds its client gone.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

from verifier.core.link import normalize_host

VERIFIER = Path(sys.executable).parent / "verifier"
#: Enough that writing takes a second or more (2 000 platforms, 6 000 channels).
PLATFORMS = 2000
SOURCE = "https://example.org/source"


def big_registry(size: int) -> dict[str, Any]:
    """``size`` invented platforms with three channels each, in the registry-file format."""

    def channel(kind: str, value: str) -> dict[str, str]:
        return {"kind": kind, "value": value, "source": SOURCE, "verified_on": "2026-01-01"}

    return {
        "platforms": [
            {
                "slug": f"synthetic-{i}",
                "name": {"zh": f"合成平台{i}", "en": f"Synthetic {i}"},
                "category": "ecommerce",
                "channels": [
                    channel("domain", f"synthetic-{i}.example.com"),
                    channel("domain", f"www.synthetic-{i}.example.net"),
                    channel("email", f"help@synthetic-{i}.example.com"),
                ],
            }
            for i in range(size)
        ]
    }


def verifier(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[bytes]:
    done = subprocess.run(  # our own command, fixed arguments
        [str(VERIFIER), *args], env=env, capture_output=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr.decode()
    return done


@pytest.fixture
def env(database_url: str) -> dict[str, str]:
    return {**os.environ, "VERIFIER_DATABASE_URL": database_url}


class Writes:
    """Whether a transaction other than ours is writing the database, and whether one was left.

    SQLite: the rollback journal beside the file. PostgreSQL: a server session of the database
    holding a transaction id, which it gets at its first write and keeps until it ends.
    """

    def __init__(self, database_url: str) -> None:
        self.journal: Path | None = None
        self.engine: Engine | None = None
        if database_url.startswith("sqlite:///"):
            self.journal = Path(database_url.removeprefix("sqlite:///") + "-journal")
        else:
            self.engine = create_engine(database_url, isolation_level="AUTOCOMMIT")

    def begun(self) -> bool:
        if self.journal is not None:
            return self.journal.exists()
        return self._writers() > 0

    def assert_left_unfinished(self) -> None:
        """The killed import's transaction was left open, and nothing but the database ends it.

        SQLite: a hot journal, the undo log the next reader plays back. PostgreSQL: the server
        ends the session, rolling back, once it finds the client's socket closed; wait for that,
        so what is read next is not just hidden from us by an open transaction.
        """
        if self.journal is not None:
            assert self.journal.is_file() and self.journal.stat().st_size > 0
            return
        deadline = time.monotonic() + 10
        while self._writers() > 0:
            assert time.monotonic() < deadline, "the server never ended the killed transaction"
            time.sleep(0.05)

    def _writers(self) -> int:
        assert self.engine is not None
        with self.engine.connect() as connection:
            return int(
                connection.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                        " AND backend_xid IS NOT NULL"
                    )
                )
                or 0
            )

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()


@pytest.fixture
def writes(database_url: str) -> Iterator[Writes]:
    watcher = Writes(database_url)
    yield watcher
    watcher.close()


def test_sigkill_during_import_leaves_the_registry_as_it_was(
    tmp_path: Path, env: dict[str, str], writes: Writes
) -> None:
    assert normalize_host("synthetic-1.example.com")  # the invented values are valid
    big = tmp_path / "big.json"  # JSON: a 2 MB YAML file takes longer to parse than to write
    big.write_text(json.dumps(big_registry(PLATFORMS), ensure_ascii=False), encoding="utf-8")
    stats_before = json.loads(verifier(env, "registry", "stats", "--json").stdout)  # bundled
    export_before = verifier(env, "registry", "export").stdout
    assert not writes.begun()

    importing = subprocess.Popen(  # our own command, fixed arguments
        [str(VERIFIER), "registry", "import", "--replace", str(big)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not writes.begun():
            assert importing.poll() is None, "the import ended before it began writing"
            assert time.monotonic() < deadline, "the import never began writing"
            time.sleep(0.005)
        time.sleep(0.3)  # well into the writing: rows deleted, thousands inserted
        assert importing.poll() is None, "the import finished before it could be killed"
        importing.send_signal(signal.SIGKILL)
        importing.wait(timeout=10)
    finally:
        if importing.poll() is None:
            importing.kill()
            importing.wait()
        assert importing.stderr is not None
        importing.stderr.close()
    assert importing.returncode == -signal.SIGKILL
    writes.assert_left_unfinished()

    assert verifier(env, "registry", "export").stdout == export_before
    assert json.loads(verifier(env, "registry", "stats", "--json").stdout) == stats_before
