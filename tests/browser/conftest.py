"""Fixtures for real-browser tests: the real ``verifier serve`` and Debian's Chromium.

The server runs as a subprocess exactly as a user starts it (gunicorn, an empty database, the
bundled registry loaded on first start); the database is a SQLite file, or a PostgreSQL one with
``VERIFIER_TEST_DATABASE=postgresql`` (databases.py). Chromium is the system one: Playwright
never downloads a browser here, and CI installs Debian's package, so a missing Chromium fails
instead of skipping.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from databases import TestDatabases
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

START_TIMEOUT_SECONDS = 30.0

#: Without the networking flags Chromium keeps dialling Google's hosts, which this closed
#: network refuses; --no-sandbox because CI runs as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


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
def running_verifier(
    databases: TestDatabases,
    folder: Path,
    extra_env: Mapping[str, str] | None = None,
    workers: int = 1,
) -> Iterator[str]:
    """Run ``verifier serve`` on a fresh database (a file in ``folder`` on SQLite); yield its URL.

    Its output, gunicorn's access log included (one line per request), goes to
    ``folder / "server.log"``: tests read it to see exactly what the server was sent.
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
        yield base_url
    finally:
        _stop(process)
        databases.drop(database_url)


@pytest.fixture(scope="session")
def start_verifier(databases: TestDatabases) -> Callable[..., AbstractContextManager[str]]:
    """:func:`running_verifier`, for tests that need their own server (own settings, own log)."""
    return functools.partial(running_verifier, databases)


@pytest.fixture(scope="session")
def chromium_args() -> list[str]:
    """:data:`CHROMIUM_ARGS`, for tests that launch Chromium themselves (extensions)."""
    return list(CHROMIUM_ARGS)


@pytest.fixture(scope="session")
def live_server(
    databases: TestDatabases, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Base URL of a real ``verifier serve`` on a free loopback port, on a fresh database."""
    with running_verifier(databases, tmp_path_factory.mktemp("server")) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail(
            "Debian's Chromium is not installed (no `chromium` on PATH, no /usr/bin/chromium): "
            "run `apt-get install chromium` (make test does it). Browser tests never skip."
        )
    return path


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright, chromium_path: str) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser, live_server: str) -> Iterator[Page]:
    """A fresh context per test (no cookies carried over), Chinese first as for most users."""
    context = browser.new_context(base_url=live_server, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


#: A common phone's CSS width; pages must fit it without sideways scrolling.
PHONE_WIDTH = 375


@pytest.fixture
def phone_page(browser: Browser, live_server: str) -> Iterator[Page]:
    """A fresh context the size of a phone (touch, mobile viewport), Chinese first."""
    context = browser.new_context(
        base_url=live_server,
        locale="zh-CN",
        viewport={"width": PHONE_WIDTH, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
