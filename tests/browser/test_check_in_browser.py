"""A person checks a number or link in a real Chromium against the real server and bundled data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser

SAFE = re.compile(r"\brisk-safe\b")


def check_in_form(page: Page, value: str) -> None:
    """Type ``value`` into the check box and press the Check button, as a person would.

    The box posts to /scan, which sends a single value on to its shareable /check page.
    """
    page.locator("form.check [name=text]").fill(value)
    page.locator("form.check button[type=submit]").click()
    # "**": the value stays readable in the address, slashes included (/check?q=https://…).
    page.wait_for_url("**/check?**")


def test_official_number_is_called_official_with_the_bank_named(page: Page, tmp_path: Path) -> None:
    page.goto("/")
    check_in_form(page, "95588")
    verdict = page.locator("section.verdict")
    expect(verdict).to_have_attribute("data-verdict", "official")
    expect(verdict).to_have_class(SAFE)
    expect(verdict).to_be_visible()
    expect(verdict).to_contain_text("中国工商银行")
    screenshot = tmp_path / "verdict-95588.png"
    page.screenshot(path=screenshot, full_page=True)
    assert screenshot.stat().st_size > 0


def test_userinfo_trick_is_not_called_official(page: Page) -> None:
    # The browser goes to evil.top: everything before "@" is only a user name.
    page.goto("/")
    check_in_form(page, "https://icbc.com.cn@evil.top/")
    verdict = page.locator("section.verdict")
    expect(verdict).to_be_visible()
    shown = verdict.get_attribute("data-verdict")
    assert shown not in (None, "official"), shown
    expect(verdict).not_to_have_class(SAFE)
    expect(verdict).to_contain_text("https://icbc.com.cn@evil.top/")


def test_language_link_switches_to_english_and_sticks(page: Page) -> None:
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.locator("header.site a.lang").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Is this number or link really official?")
    expect(page.locator("form.check button[type=submit]")).to_have_text("Check")
    expect(page.locator("header.site a.lang")).to_have_text("中文")
    # The choice is remembered: the verdict page that follows is English too.
    check_in_form(page, "95588")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("section.verdict .word")).to_have_text("Official")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        # A long link must wrap on a phone, not push the page sideways.
        "/check?q=https://very-long-subdomain-name.example-of-a-long-domain.com/path/" + "x" * 80,
    ],
)
def test_phone_width_page_has_box_and_button_and_no_sideways_scroll(
    phone_page: Page, path: str
) -> None:
    phone_page.goto(path)
    box = phone_page.locator("form.check [name=text]")
    button = phone_page.locator("form.check button[type=submit]")
    expect(box).to_be_visible()
    expect(button).to_be_visible()
    for element in (box, button):
        bounds = element.bounding_box()
        assert bounds is not None
        assert bounds["x"] >= 0
        assert bounds["x"] + bounds["width"] <= _width(phone_page) + 1, bounds
    scroll_width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= _width(phone_page) + 1, f"page is {scroll_width} px wide on a phone"


def test_check_works_without_javascript(browser: Browser, live_server: str) -> None:
    context = browser.new_context(base_url=live_server, locale="zh-CN", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/")
        check_in_form(page, "95588")
        verdict = page.locator("section.verdict")
        expect(verdict).to_have_attribute("data-verdict", "official")
        expect(verdict).to_contain_text("中国工商银行")
    finally:
        context.close()


def _width(page: Page) -> int:
    """The viewport width the page was opened at (the phone_page fixture's phone)."""
    size = page.viewport_size
    assert size is not None
    return size["width"]
