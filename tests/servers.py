"""The real ``verifier serve`` as a subprocess, for tests that need a running server.

It runs exactly as a user starts it (gunicorn, an empty database, the bundled registry loaded on
first start), on a free loopback port; the database is a SQLite file, or a PostgreSQL one with
``VERIFIER_TEST_DATABASE=postgresql`` (databases.py).

Importable from any test module (``pythonpath = ["tests"]`` in pyproject.toml).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from databases import TestDatabases

__all__ = ["START_TIMEOUT_SECONDS", "LiveServer", "running_verifier", "serving_verifier"]

#: How long ``verifier serve`` may take to answer /healthz: migrations, the registry's first load.
START_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class LiveServer:
    """A running ``verifier serve``."""

    #: Its base URL, ``http://127.0.0.1:<port>``.
    url: str
    #: The URL of its database, for a test that sets up what a command would (accounts, tokens).
    database_url: str
    #: Its output, gunicorn's access log included: one line per request, with the worker's pid.
    log: Path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn's master and its workers: they share the process group we started."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
    # A worker that outlived its master would still be in the group.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310  # our own loopback URL
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def serving_verifier(
    databases: TestDatabases,
    folder: Path,
    extra_env: Mapping[str, str] | None = None,
    workers: int = 1,
) -> Iterator[LiveServer]:
    """Run ``verifier serve`` on a fresh database (a file in ``folder`` on SQLite) until the end
    of the ``with`` block, then stop it and drop the database.

    Its output goes to ``folder / "server.log"``: tests read it to see exactly what the server
    was sent, and which worker answered.
    """
    command = Path(sys.executable).parent / "verifier"
    if not command.exists():
        pytest.fail(f"the console script {command} is missing: install the project (make test)")
    database_url = databases.new(folder / "verifier.sqlite3")
    env = {
        **os.environ,
        "VERIFIER_DATABASE_URL": database_url,
        "VERIFIER_ENV": "development",
        # gunicorn puts its control socket here; keep it off a developer's running server's.
        "XDG_RUNTIME_DIR": str(folder),
        **(extra_env or {}),
    }
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = folder / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(command),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            env=env,
            cwd=folder,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so one signal reaches every worker
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not _healthy(f"{base_url}/healthz"):
            if process.poll() is not None or time.monotonic() > deadline:
                log_tail = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
                pytest.fail(
                    f"verifier serve did not answer /healthz within {START_TIMEOUT_SECONDS:.0f} s "
                    f"(exit status {process.poll()}); its output:\n{log_tail}"
                )
            time.sleep(0.1)
        yield LiveServer(base_url, database_url, log_path)
    finally:
        _stop(process)
        databases.drop(database_url)


@contextlib.contextmanager
def running_verifier(
    databases: TestDatabases,
    folder: Path,
    extra_env: Mapping[str, str] | None = None,
    workers: int = 1,
) -> Iterator[str]:
    """:func:`serving_verifier`, yielding only the server's URL (its log is in ``folder``)."""
    with serving_verifier(databases, folder, extra_env, workers) as server:
        yield server.url
