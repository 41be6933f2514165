"""The reference extension (extension/) loaded unpacked in a real Chromium, against the real
``verifier serve``: the badge, the popup, the right-click check, and what the server was sent.

Local pages are served under real and lookalike names: Chromium's --host-resolver-rules sends
every one of them to a small HTTP server on loopback, so the browser (and the extension) sees
http://icbc.com.cn/ and http://icbc-kefu.com/ exactly as a person would.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    Playwright,
    Worker,
    expect,
)

pytestmark = pytest.mark.browser

EXTENSION = Path(__file__).resolve().parents[2] / "extension"

#: ICBC's official domain in the bundled registry (scope: subdomains).
OFFICIAL = "icbc.com.cn"
#: On the bundled registry's blocklist, impersonating Alipay.
BLOCKLISTED = "hk.alipayc05.cc"
#: Lookalikes of ICBC the registry has never seen: only the check API can tell.
LOOKALIKE = "icbc-kefu.com"
OTHER_LOOKALIKE = "icbc-95588.com"
UNKNOWN = "unknown-site.example"
SITES = (OFFICIAL, f"www.{OFFICIAL}", BLOCKLISTED, LOOKALIKE, OTHER_LOOKALIKE, UNKNOWN)

#: A name for the verifier itself that the extension's host permissions do not cover (they
#: cover loopback only), so calls to it depend on the server's CORS answer.
SERVER_NAME = "verifier.test"

GREEN = [10, 122, 47, 255]
RED = [176, 0, 32, 255]

#: One gunicorn access-log line's request: "GET /api/v1/lookup/46c2defa HTTP/1.1".
REQUEST_LINE = re.compile(r'"([A-Z]+) (\S+) HTTP/[\d.]+"')


def extension_id(manifest: Path) -> str:
    """Chromium's id for an extension with a ``key``: SHA-256 of the public key, a-p for 0-f."""
    key = base64.b64decode(json.loads(manifest.read_text(encoding="utf-8"))["key"])
    digest = hashlib.sha256(key).hexdigest()[:32]
    return "".join(chr(ord("a") + int(digit, 16)) for digit in digest)


EXTENSION_ID = extension_id(EXTENSION / "manifest.json")


def prefixes_of(host: str) -> set[str]:
    """The hash prefixes the extension may ask for ``host``: the host and its parent domains."""
    labels = host.split(".")
    names = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    return {hashlib.sha256(name.encode()).hexdigest()[:8] for name in names}


class _AnySite(BaseHTTPRequestHandler):
    """A plain page for whatever host the browser asked for."""

    def do_GET(self) -> None:
        host = (self.headers.get("Host") or "").split(":")[0]
        body = f"<!doctype html><title>{host}</title><h1>{host}</h1>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read the verifier's log, not this one's."""


@pytest.fixture(scope="module")
def site_port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AnySite)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class Server:
    url: str
    log: Path
    #: How much of the log earlier tests produced; ``requests`` reads only what came after.
    mark: int = 0

    def requests(self) -> list[tuple[str, str]]:
        """(method, target) of every request since the last ``mark``."""
        text = self.log.read_text(encoding="utf-8", errors="replace")[self.mark :]
        return [(m[1], m[2]) for m in REQUEST_LINE.finditer(text)]

    def log_since_mark(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[self.mark :]

    def set_mark(self) -> None:
        self.mark = len(self.log.read_text(encoding="utf-8", errors="replace"))


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory,
    start_verifier: Callable[..., AbstractContextManager[str]],
) -> Iterator[Server]:
    """A real ``verifier serve`` that allows the extension's origin (and no other)."""
    folder = tmp_path_factory.mktemp("extension-server")
    env = {"VERIFIER_CORS_ORIGINS": f"chrome-extension://{EXTENSION_ID}"}
    with start_verifier(folder, env) as url:
        yield Server(url, folder / "server.log")


@dataclass
class Extension:
    context: BrowserContext
    worker: Worker
    server: Server
    errors: list[str] = field(default_factory=list)

    def settings(self, **changes: Any) -> None:
        """Change the settings as the options page does, and wait for the worker to adopt them."""
        self.worker.evaluate(
            """async (changes) => {
                await chrome.storage.local.set(changes);
                // The worker drops its cached answers on a settings change; wait for that.
                for (let i = 0; i < 50; i++) {
                    const all = await chrome.storage.session.get(null);
                    if (!Object.keys(all).some((k) => k.startsWith("cache:"))) return;
                    await new Promise((r) => setTimeout(r, 50));
                }
            }""",
            changes,
        )

    def page(self, url: str) -> Page:
        page = self.context.new_page()
        page.set_default_timeout(10_000)
        self.watch(page)
        page.goto(url)
        return page

    def watch(self, page: Page) -> None:
        """Collect the page's console errors and uncaught errors (a CSP violation is one)."""

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                self.errors.append(message.text)

        def on_error(error: Error) -> None:
            self.errors.append(str(error))

        page.on("console", on_console)
        page.on("pageerror", on_error)

    def visit(self, host: str) -> Badge:
        """Open http://<host>/ in a new tab; the badge once the extension has decided."""
        url = f"http://{host}/"
        self.page(url)
        tab_id = self.worker.evaluate(
            "async (url) => Math.max(...(await chrome.tabs.query({url})).map((t) => t.id))", url
        )
        state = self.worker.evaluate(
            """async ([tabId, host]) => {
                const key = `tab:${tabId}`;
                for (let i = 0; i < 100; i++) {
                    const state = (await chrome.storage.session.get(key))[key];
                    if (state && state.host === host) return state;
                    await new Promise((r) => setTimeout(r, 100));
                }
                return null;
            }""",
            [tab_id, host],
        )
        assert state is not None, f"the extension never assessed {host}"
        assert "error" not in state, state["error"]
        badge = self.worker.evaluate(
            """async (tabId) => ({
                text: await chrome.action.getBadgeText({tabId}),
                color: await chrome.action.getBadgeBackgroundColor({tabId}),
                title: await chrome.action.getTitle({tabId}),
            })""",
            tab_id,
        )
        return Badge(tab_id, badge["text"], badge["color"], badge["title"])


@dataclass(frozen=True)
class Badge:
    tab_id: int
    text: str
    color: list[int]
    title: str


@pytest.fixture(scope="module")
def extension(
    playwright: Playwright,
    chromium_path: str,
    chromium_args: list[str],
    site_port: int,
    server: Server,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Extension]:
    server_port = server.url.rsplit(":", 1)[1]
    rules = ", ".join(
        [
            *(f"MAP {site} 127.0.0.1:{site_port}" for site in SITES),
            f"MAP {SERVER_NAME} 127.0.0.1:{server_port}",
        ]
    )
    context = playwright.chromium.launch_persistent_context(
        tmp_path_factory.mktemp("profile"),
        executable_path=chromium_path,
        headless=True,
        locale="zh-CN",
        args=[
            *chromium_args,
            f"--disable-extensions-except={EXTENSION}",
            f"--load-extension={EXTENSION}",
            f"--host-resolver-rules={rules}",
        ],
    )
    try:
        worker = (
            context.service_workers[0]
            if context.service_workers
            else context.wait_for_event("serviceworker", timeout=10_000)
        )
        assert worker.url == f"chrome-extension://{EXTENSION_ID}/background.js"
        ext = Extension(context, worker, server)
        ext.settings(server=server.url, sendHostNames=False, language="zh")
        yield ext
    finally:
        context.close()


@pytest.fixture
def ext(extension: Extension) -> Iterator[Extension]:
    """The shared browser, back in the default settings, with the server log marked."""
    extension.settings(server=extension.server.url, sendHostNames=False, language="zh")
    extension.server.set_mark()
    extension.errors.clear()
    yield extension
    for page in extension.context.pages[1:]:
        page.close()
    assert extension.errors == []


def test_default_mode_marks_sites_and_sends_only_hash_prefixes(ext: Extension) -> None:
    official = ext.visit(OFFICIAL)
    assert (official.text, official.color) == ("✓", GREEN)
    assert "中国工商银行" in official.title
    # An official domain covers its subdomains.
    assert ext.visit(f"www.{OFFICIAL}").text == "✓"

    blocked = ext.visit(BLOCKLISTED)
    assert (blocked.text, blocked.color) == ("!", RED)
    assert "已知诈骗" in blocked.title

    # Without the opt-in, names the registry never saw stay unmarked: nothing was sent to judge.
    assert ext.visit(LOOKALIKE).text == ""
    assert ext.visit(UNKNOWN).text == ""

    log = ext.server.log_since_mark()
    for site in SITES:
        assert site not in log, f"the server was told about {site}:\n{log}"
    requests = ext.server.requests()
    assert requests, "the extension asked the server nothing"
    allowed = set().union(*(prefixes_of(site) for site in SITES))
    for method, target in requests:
        found = re.fullmatch(r"/api/v1/lookup/([0-9a-f]{8})", target)
        assert method == "GET" and found, f"not a hash-prefix lookup: {method} {target}"
        assert found[1] in allowed


def test_popup_shows_the_verdict_and_official_channels(ext: Extension) -> None:
    badge = ext.visit(f"www.{OFFICIAL}")
    popup = ext.page(f"chrome-extension://{EXTENSION_ID}/popup.html?tab={badge.tab_id}")
    verdict = popup.locator("section.verdict")
    expect(verdict).to_have_attribute("data-verdict", "official")
    expect(verdict.locator(".word")).to_have_text("官方渠道")
    expect(verdict.locator(".platform")).to_contain_text("中国工商银行")
    expect(verdict.locator("ul.reasons")).to_contain_text(OFFICIAL)
    # The channels come from the snapshot, which is fetched whatever the site: it tells nothing.
    expect(verdict.locator("li.channel[data-value='95588']")).to_be_visible()
    expect(popup.locator("#server-check")).to_be_visible()
    assert all(
        target.startswith(("/api/v1/lookup/", "/api/v1/snapshot"))
        for _, target in ext.server.requests()
    )

    ext.settings(language="en")
    popup.reload()
    expect(popup.locator("section.verdict .word")).to_have_text("Official")
    expect(popup.locator("#check-server")).to_have_text("Check this site with the server")


def test_popup_checks_and_reports_an_unknown_site_on_request(ext: Extension) -> None:
    badge = ext.visit(OTHER_LOOKALIKE)
    assert badge.text == ""
    popup = ext.page(f"chrome-extension://{EXTENSION_ID}/popup.html?tab={badge.tab_id}")
    expect(popup.locator(".notice.unknown")).to_be_visible()
    expect(popup.locator("#check-server-hint")).to_contain_text(OTHER_LOOKALIKE)
    assert OTHER_LOOKALIKE not in ext.server.log_since_mark()

    # The person asks: now, and only now, the name is sent.
    popup.locator("#check-server").click()
    verdict = popup.locator("section.verdict")
    expect(verdict).to_have_attribute("data-verdict", "lookalike")
    expect(verdict.locator(".impersonates")).to_contain_text("中国工商银行")
    expect(verdict.locator("ul.reasons li").first).to_be_visible()
    expect(verdict.locator(f"li.channel[data-value='{OFFICIAL}']")).to_be_visible()
    assert ("GET", f"/api/v1/check?q={OTHER_LOOKALIKE}&kind=url") in ext.server.requests()

    popup.locator("#report-open").click()
    expect(popup.locator("#report-address")).to_contain_text(f"http://{OTHER_LOOKALIKE}/")
    popup.locator("#report-text").fill("短信说我的账户被冻结，让我登录这个网站")
    popup.locator("#report-send").click()
    expect(popup.locator("#report-status")).to_have_class(re.compile(r"\bsent\b"))
    assert ("POST", "/api/v1/reports") in ext.server.requests()


def test_opt_in_sends_unknown_host_names_to_catch_new_lookalikes(ext: Extension) -> None:
    ext.settings(sendHostNames=True)
    lookalike = ext.visit(LOOKALIKE)
    assert (lookalike.text, lookalike.color) == ("!", RED)
    assert "中国工商银行" in lookalike.title
    assert ext.visit(UNKNOWN).text == ""
    # A site the lookup knows is still looked up by prefix only.
    assert ext.visit(OFFICIAL).text == "✓"

    targets = [target for _, target in ext.server.requests()]
    assert f"/api/v1/check?q={LOOKALIKE}&kind=url" in targets
    assert f"/api/v1/check?q={UNKNOWN}&kind=url" in targets
    assert not any(OFFICIAL in target for target in targets)

    popup = ext.page(f"chrome-extension://{EXTENSION_ID}/popup.html?tab={lookalike.tab_id}")
    expect(popup.locator("section.verdict")).to_have_attribute("data-verdict", "lookalike")
    expect(popup.locator(".privacy")).to_contain_text(LOOKALIKE)


def _menu_click(ext: Extension, **info: str) -> Page:
    """Choose "check with Contact Verifier" on a selection or link; the result page it opens."""
    with ext.context.expect_page() as opened:
        ext.worker.evaluate(
            "(info) => onMenuClicked({menuItemId: 'check-selection', ...info}, undefined)", info
        )
    page = opened.value
    ext.watch(page)
    assert page.url.startswith(f"chrome-extension://{EXTENSION_ID}/result.html?id=")
    return page


def test_context_menu_checks_a_number_and_scans_a_message(ext: Extension) -> None:
    page = _menu_click(ext, selectionText="95588")
    expect(page.locator("section.verdict")).to_have_attribute("data-verdict", "official")
    expect(page.locator("#checked")).to_have_text("95588")

    link = _menu_click(ext, linkUrl=f"http://{LOOKALIKE}/login")
    expect(link.locator("section.verdict")).to_have_attribute("data-verdict", "lookalike")

    message = "【工商银行】您的账户异常，请登录 http://icbc-kefu.com 核实，或致电 95588。"
    scan = _menu_click(ext, selectionText=message)
    expect(scan.locator("section.scan-risk")).to_have_attribute("data-risk", "danger")
    expect(scan.locator("section.finding[data-verdict='lookalike']")).to_have_count(1)
    expect(scan.locator("section.finding[data-verdict='official']")).to_have_count(1)
    assert ("POST", "/api/v1/scan") in ext.server.requests()


def test_server_outside_the_host_permissions_works_through_cors(ext: Extension) -> None:
    # verifier.test is not loopback by name, so the extension holds no permission for it and
    # the browser lets the calls through only because the server allows the extension's origin.
    ext.settings(server=f"http://{SERVER_NAME}")
    assert ext.visit(OFFICIAL).text == "✓"
    assert ext.visit(BLOCKLISTED).text == "!"


def test_options_page_switches_language_and_saves_the_settings(ext: Extension) -> None:
    page = ext.page(f"chrome-extension://{EXTENSION_ID}/options.html")
    expect(page.locator("#server")).to_have_value(ext.server.url)
    expect(page.locator("#send-host-names")).not_to_be_checked()
    expect(page.locator("label[for=server]")).to_have_text("核验服务器地址")
    page.locator("#language").select_option("en")
    expect(page.locator("label[for=server]")).to_have_text("Verifier server address")
    expect(page.locator("#send-host-names-help")).to_contain_text("never the page's path")

    page.locator("#server").fill("ftp://127.0.0.1/")
    page.locator("#save").click()
    expect(page.locator("#status")).to_have_class(re.compile(r"\berror\b"))

    page.locator("#server").fill(f"{ext.server.url}/")
    page.locator("#send-host-names").check()
    page.locator("#save").click()
    expect(page.locator("#status")).to_have_class(re.compile(r"\bsaved\b"))
    stored = ext.worker.evaluate(
        "chrome.storage.local.get(['server', 'sendHostNames', 'language'])"
    )
    assert stored == {"server": ext.server.url, "sendHostNames": True, "language": "en"}

    page.locator("#test").click()
    expect(page.locator("#status")).to_contain_text("registry version")
