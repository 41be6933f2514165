"""A person pastes a whole message in a real Chromium, against the real server and bundled data."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

pytestmark = pytest.mark.browser

SAFE = re.compile(r"\brisk-safe\b")

#: An SMS as people receive it: the bank's name, a link with the user-name trick, the real number.
MESSAGE = (
    "【中国工商银行】尊敬的客户：您的账户存在异常，\n"
    "请登录 http://icbc.com.cn@evil.top/verify 核实身份，\n"
    "如有疑问请致电工行客服 95588。"
)


@pytest.fixture
def console_errors(page: Page) -> Iterator[list[str]]:
    """Every console error and uncaught page error; a CSP violation shows up as one."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield errors


def paste_and_check(page: Page, text: str) -> None:
    """Paste ``text`` into the home page's box and press Check, as a person would."""
    page.goto("/")
    page.locator("form.check [name=text]").fill(text)
    page.locator("form.check button[type=submit]").click()
    page.wait_for_url("**/scan")


def test_pasted_message_is_marked_and_each_finding_opens_its_explanation(
    page: Page, console_errors: list[str]
) -> None:
    paste_and_check(page, MESSAGE)
    banner = page.locator("section.scan-risk")
    expect(banner).to_be_visible()
    expect(banner).not_to_have_class(SAFE)

    text = page.locator(".scanned-text")
    expect(text).to_be_visible()
    # The message is shown as pasted, line breaks included.
    assert "\n" in text.inner_text()

    link = page.locator("mark.finding").filter(has_text="evil.top")
    expect(link).to_have_count(1)
    expect(link).to_be_visible()
    expect(link).not_to_have_class(SAFE)
    # Colour is never alone: an icon and a word go with it.
    expect(link.locator(".icon")).to_have_attribute("aria-hidden", "true")
    expect(link.locator(".hl-word")).not_to_have_text("")

    target = link.locator("a").get_attribute("href")
    assert target is not None and re.fullmatch(r"#finding-\d+", target), target
    explanation = page.locator(target)
    details = page.locator("details.finding").filter(has=explanation)
    expect(details).not_to_have_attribute("open", "")
    link.click()
    expect(details).to_have_attribute("open", "")
    expect(explanation).to_be_visible()
    expect(explanation.locator("ul.reasons li").first).to_be_visible()

    # The real number is marked official, and the bank's channels are listed.
    official = page.locator("mark.finding").filter(has_text="95588")
    expect(official).to_have_class(SAFE)
    expect(page.locator("section.platforms-mentioned a[href='tel:95588']").first).to_be_visible()
    assert console_errors == []


def test_single_value_in_the_box_lands_on_its_check_page(
    page: Page, console_errors: list[str]
) -> None:
    page.goto("/")
    page.locator("form.check [name=text]").fill("95588\n")
    page.locator("form.check button[type=submit]").click()
    page.wait_for_url("**/check?q=95588")
    expect(page.locator("section.verdict")).to_have_attribute("data-verdict", "official")
    assert console_errors == []


def test_explanations_open_without_javascript(browser: Browser, live_server: str) -> None:
    context = browser.new_context(base_url=live_server, locale="zh-CN", java_script_enabled=False)
    try:
        page = context.new_page()
        paste_and_check(page, MESSAGE)
        link = page.locator("mark.finding").filter(has_text="evil.top")
        target = link.locator("a").get_attribute("href")
        assert target is not None
        link.click()
        expect(page.locator("details.finding").filter(has=page.locator(target))).to_have_attribute(
            "open", ""
        )
    finally:
        context.close()


def test_scan_result_fits_a_phone(phone_page: Page) -> None:
    long_link = "https://very-long-subdomain-name.example-of-a-long-domain.com/" + "x" * 120
    paste_and_check(phone_page, f"{MESSAGE}\n{long_link}")
    expect(phone_page.locator("mark.finding").first).to_be_visible()
    scroll_width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= _width(phone_page) + 1, f"page is {scroll_width} px wide on a phone"


def _width(page: Page) -> int:
    """The viewport width the page was opened at (the phone_page fixture's phone)."""
    size = page.viewport_size
    assert size is not None
    return size["width"]
