"""Two moderators in a real Chromium against the real ``verifier serve``: propose, approve, and
the public verdict changes."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from databases import TestDatabases
from playwright.sync_api import Browser, ConsoleMessage, Page, expect
from servers import serving_verifier

from registry.db import make_engine, make_sessionmaker
from registry.moderation import Moderation

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
#: Not a number ICBC lists in the bundled registry.
NEW_NUMBER = "+86 400 123 4567"


@pytest.fixture(scope="module")
def mod_server(databases: TestDatabases, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``verifier serve`` on the bundled registry, with moderators alice and bob.

    Its own server rather than the shared live_server: the test needs the database's URL to
    create the accounts in it, as ``verifier users create`` would.
    """
    folder = tmp_path_factory.mktemp("mod-server")
    with serving_verifier(databases, folder, workers=2) as server:
        engine = make_engine(server.database_url)
        try:
            with make_sessionmaker(engine)() as session:
                moderation = Moderation(session)
                moderation.create_user("alice", "moderator", PASSWORD)
                moderation.create_user("bob", "moderator", PASSWORD)
                session.commit()
        finally:
            engine.dispose()
        yield server.url


@pytest.fixture
def console_errors() -> list[str]:
    return []


def _page(browser: Browser, base_url: str, errors: list[str]) -> Page:
    context = browser.new_context(base_url=base_url, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", on_console)
    return page


def log_in(page: Page, name: str) -> None:
    page.goto("/mod/")
    page.wait_for_url(re.compile(r"/login\?next=/mod/$"))
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/mod/")
    expect(page.locator(".mod-who")).to_contain_text(name)


def log_out(page: Page) -> None:
    page.locator("form.logout button").click()
    page.wait_for_url(re.compile(r"/login$"))


def public_verdict(page: Page) -> str | None:
    page.goto("/check?q=" + NEW_NUMBER.replace("+", "%2B").replace(" ", "+"))
    return page.locator("section.verdict").get_attribute("data-verdict")


def test_two_moderators_add_a_number_and_the_public_verdict_changes(
    browser: Browser, mod_server: str, console_errors: list[str]
) -> None:
    alice = _page(browser, mod_server, console_errors)
    log_in(alice, "alice")
    alice.locator("nav.mod-nav").get_by_role("link", name="Platforms").click()
    alice.get_by_label("Search by slug, name or alias").fill("icbc")
    alice.get_by_role("button", name="Search").click()
    alice.get_by_role("link", name="icbc", exact=True).click()
    alice.get_by_role("link", name="Propose a new channel").click()
    alice.get_by_label("Kind").select_option("phone")
    alice.get_by_label("Value").fill(NEW_NUMBER)
    alice.get_by_label("Label in English").fill("New hotline")
    alice.get_by_label("Source: where this was verified").fill("https://www.icbc.com.cn/contact")
    alice.get_by_label("Note for the reviewer").fill("listed on the bank's contact page")
    alice.get_by_role("button", name="Propose").click()
    alice.wait_for_url(re.compile(r"/mod/proposals/\d+$"))
    proposal_url = alice.url
    expect(alice.locator(".flashes")).to_contain_text("recorded")
    assert public_verdict(alice) != "official"
    log_out(alice)

    bob = _page(browser, mod_server, console_errors)
    log_in(bob, "bob")
    bob.locator("table.proposals a", has_text="#").first.click()
    assert bob.url == proposal_url
    diff = bob.locator("table.diff")
    expect(diff).to_contain_text("+864001234567")
    expect(diff).to_contain_text("https://www.icbc.com.cn/contact")
    bob.get_by_role("button", name="Approve").click()
    bob.wait_for_url(proposal_url)
    expect(bob.locator(".proposal-status")).to_have_text("approved")

    # Another worker may still hold the old index for up to VERIFIER_INDEX_REFRESH_SECONDS.
    deadline = time.monotonic() + 3
    while public_verdict(bob) != "official" and time.monotonic() < deadline:
        time.sleep(0.3)
    assert public_verdict(bob) == "official"
    assert console_errors == []
