"""Fixtures for real-browser tests: the real ``verifier serve`` and Debian's Chromium.

The server runs as a subprocess exactly as a user starts it (servers.py). Chromium is the system
one: Playwright never downloads a browser here, and CI installs Debian's package, so a missing
Chromium fails instead of skipping.
"""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from databases import TestDatabases
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from servers import running_verifier

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
