"""The public pages, through the test client: the check box, verdict pages, directory, about.

Every test here only reads, so the module shares one app on one database holding the small test
registry (building an app runs the migrations, too slow to repeat per test).
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from small_registry import open_app
from werkzeug.test import TestResponse

import verifier
from registry.store import RegistryStore
from verifier.web.extensions import app_session

#: The compiled Chinese catalogue; without it the pages show the English source strings.
ZH_CATALOGUE = (
    Path(verifier.__file__).parent / "translations" / "zh" / "LC_MESSAGES" / "messages.mo"
)


@pytest.fixture(scope="module")
def app(module_small_database_url: str) -> Iterator[Flask]:
    """One app for the module, on a fresh database holding the small registry."""
    with open_app(module_small_database_url) as app:
        yield app


class _Tags(HTMLParser):
    """Every start tag with its attributes, the text inside chosen elements, the box's text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text_by_class: dict[str, list[str]] = {}
        #: What the check box (the textarea) holds, as a browser shows it.
        self.box: str | None = None
        self._open: list[str] = []
        self._in_box = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._open.append(dict(attrs).get("class") or "")
        if tag == "textarea":
            self._in_box, self.box = True, ""

    def handle_endtag(self, tag: str) -> None:
        if self._open:
            self._open.pop()
        if tag == "textarea":
            self._in_box = False
            # The HTML parser of a browser drops one line break right after <textarea>.
            if self.box and self.box.startswith("\n"):
                self.box = self.box[1:]

    def handle_data(self, data: str) -> None:
        if self._in_box:
            self.box = (self.box or "") + data
        for css_class in self._open:
            for name in css_class.split():
                self.text_by_class.setdefault(name, []).append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]

    def text(self, css_class: str) -> str:
        return " ".join("".join(self.text_by_class.get(css_class, [])).split())


def html_of(response: TestResponse, status: int = 200) -> tuple[str, _Tags]:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    assert "Traceback" not in text
    parser = _Tags()
    parser.feed(text)
    return text, parser


# --- home and the check box ----------------------------------------------------------------------


def test_home_has_one_box_for_a_value_or_a_message(client: FlaskClient) -> None:
    _, page = html_of(client.get("/"))
    boxes = page.find("textarea")
    assert len(boxes) == 1
    assert boxes[0]["name"] == "text"
    # The only input is the form's CSRF token; the box posts to /scan, which sends a single
    # value on to its shareable /check page.
    assert [i["name"] for i in page.find("input")] == ["csrf_token"]
    forms = page.find("form")
    assert len(forms) == 1
    assert forms[0]["action"] == "/scan"
    assert forms[0]["method"] == "post"


@pytest.mark.parametrize(
    "path", ["/", "/check?q=95588", "/scan", "/platforms", "/platforms/icbc", "/about"]
)
def test_pages_need_no_javascript(client: FlaskClient, path: str) -> None:
    # The box is a plain form and every result is server-rendered: no script at all.
    _, page = html_of(client.get(path))
    assert page.find("script") == []
    assert all(not k.startswith("on") for _, attrs in page.tags for k in attrs)


def test_check_page_shows_official_verdict_and_channels(client: FlaskClient) -> None:
    _, page = html_of(client.get("/check?q=95588"))
    verdicts = page.find("section", **{"data-verdict": "official"})
    assert len(verdicts) == 1
    assert "risk-safe" in (verdicts[0]["class"] or "")
    assert "中国工商银行" in page.text("who")
    # Chinese by default: the shipped catalogue translates the verdict word.
    assert ZH_CATALOGUE.exists()
    assert "官方" in page.text("word")
    # The official channels to use, as links a phone or browser can open.
    assert page.find("a", href="tel:95588")
    assert page.find("a", href="https://icbc.com.cn/")
    assert page.find("a", href="/platforms/icbc")
    assert [a["data-code"] for _, a in page.tags if "data-code" in a] == ["official_channel"]


def test_check_page_keeps_the_query_in_the_box(client: FlaskClient) -> None:
    _, page = html_of(client.get("/check?q=95588"))
    assert page.box == "95588"


@pytest.mark.parametrize(
    ("query", "verdict"),
    [
        ("https://icbc.com.cn@evil.top/", "lookalike"),  # the user-name trick
        ("hk.alipayc05.cc", "known_scam"),  # on the small registry's blocklist
        ("+86 400 000 1234", "retired"),
        ("hello", "invalid"),
        ("+86 400 820 8820", "unverified"),
    ],
)
def test_check_page_shows_each_verdict(client: FlaskClient, query: str, verdict: str) -> None:
    _, page = html_of(client.get("/check", query_string={"q": query}))
    assert page.find("section", **{"data-verdict": verdict})


def test_lookalike_page_lists_the_real_channels(client: FlaskClient) -> None:
    _, page = html_of(client.get("/check", query_string={"q": "https://icbc.com.cn@evil.top/"}))
    assert "risk-danger" in (
        page.find("section", **{"data-verdict": "lookalike"})[0]["class"] or ""
    )
    assert "中国工商银行" in page.text("who")
    assert page.find("a", href="tel:95588")


@pytest.mark.parametrize("query", ["", "   ", "\t\n"])
def test_empty_query_is_400_with_a_readable_message(client: FlaskClient, query: str) -> None:
    text, page = html_of(client.get("/check", query_string={"q": query}), 400)
    assert page.find("p", role="alert")
    assert page.find("textarea", name="text")  # the box is there to try again
    assert "data-verdict" not in text


def test_missing_query_is_400(client: FlaskClient) -> None:
    _, page = html_of(client.get("/check"), 400)
    assert page.find("p", role="alert")


def test_overlong_query_is_400_with_a_readable_message(client: FlaskClient) -> None:
    text, page = html_of(client.get("/check", query_string={"q": "9" * 3000}), 400)
    assert page.find("p", role="alert")
    assert page.box == ""
    assert "data-verdict" not in text


# --- platforms -----------------------------------------------------------------------------------


def test_platform_directory_lists_every_platform(client: FlaskClient) -> None:
    text, page = html_of(client.get("/platforms"))
    links = {a["href"] for a in page.find("a") if (a["href"] or "").startswith("/platforms/")}
    assert links == {
        "/platforms/icbc",
        "/platforms/wechat-pay",
        "/platforms/china-post",
        "/platforms/anti-fraud",
        "/platforms/pinduoduo",
    }
    assert "中国工商银行" in text and "拼多多" in text


@pytest.mark.parametrize("query", ["工行", "工商银行", "ICBC"])
def test_platform_directory_searches(client: FlaskClient, query: str) -> None:
    _, page = html_of(client.get("/platforms", query_string={"q": query}))
    links = [a["href"] for a in page.find("a") if (a["href"] or "").startswith("/platforms/")]
    assert links == ["/platforms/icbc"]
    assert page.find("input", name="q")[0]["value"] == query


def test_platform_search_without_match_says_so(client: FlaskClient) -> None:
    _, page = html_of(client.get("/platforms", query_string={"q": "没有这个平台"}))
    assert not [a for a in page.find("a") if (a["href"] or "").startswith("/platforms/")]
    assert "没有这个平台" in page.text("problem")


def test_platform_page_lists_channels_with_source_and_date(client: FlaskClient) -> None:
    text, page = html_of(client.get("/platforms/icbc"))
    assert "中国工商银行" in text and "ICBC" in text
    sources = page.find("a", **{"class": "source"})
    assert len(sources) == 4
    assert {a["href"] for a in sources} == {"https://example.org/source"}
    assert text.count("2026-11-01") == 4
    for value in ("95588", "+864000001234", "icbc.com.cn", "service@icbc.com.cn"):
        assert f"<code>{value}</code>" in text
    # The retired line is shown as retired, not as a line to call.
    assert len(page.find("tr", **{"class": "status-retired"})) == 1
    assert len(page.find("tr", **{"class": "status-active"})) == 3


def test_platform_without_phone_support_warns_about_callers(client: FlaskClient) -> None:
    _, page = html_of(client.get("/platforms/pinduoduo"))
    assert page.find("p", **{"class": "notice risk-caution"})


def test_unknown_platform_is_a_404_page(client: FlaskClient) -> None:
    response = client.get("/platforms/no-such-platform")
    _, page = html_of(response, 404)
    assert page.find("h1")
    assert page.find("a", href="/")


def test_unknown_page_is_a_404_page(client: FlaskClient) -> None:
    html_of(client.get("/no/such/page"), 404)


def test_wrong_method_on_a_page_is_an_html_405(client: FlaskClient) -> None:
    html_of(client.post("/check", data={"q": "95588"}), 405)


# --- about ---------------------------------------------------------------------------------------


def test_about_page_shows_the_registry_counts(client: FlaskClient, app: Flask) -> None:
    with app_session(app) as session:
        version = RegistryStore(session).version()
    text, _ = html_of(client.get("/about?lang=en"))
    # The small registry: 5 platforms, 4 + 2 + 2 + 1 + 1 channels, 2 blocklist entries.
    assert f"5 platforms, 10 channels, 2 blocklist entries (registry version {version})" in text


def test_about_page_renders_in_chinese(client: FlaskClient) -> None:
    text, _ = html_of(client.get("/about"))
    assert '<html lang="zh-CN">' in text


# --- language ------------------------------------------------------------------------------------


def test_lang_parameter_switches_to_english_and_sets_a_cookie(client: FlaskClient) -> None:
    response = client.get("/check?q=95588&lang=en")
    text, page = html_of(response)
    assert '<html lang="en">' in text
    assert page.text("word") == "Official"
    assert "ICBC" in page.text("who")
    assert "Hotline" in text  # the channel label in English
    cookie = client.get_cookie("lang")
    assert cookie is not None and cookie.value == "en"
    assert "HttpOnly" in response.headers["Set-Cookie"]

    # The cookie keeps English on the next page, without the parameter.
    later, later_page = html_of(client.get("/check?q=95588"))
    assert '<html lang="en">' in later
    assert later_page.text("word") == "Official"


def test_chinese_is_the_default(client: FlaskClient) -> None:
    text, page = html_of(client.get("/check?q=95588"))
    assert '<html lang="zh-CN">' in text
    assert "中国工商银行" in page.text("who")
    assert client.get_cookie("lang") is None


def test_accept_language_english_is_honoured(client: FlaskClient) -> None:
    text, page = html_of(client.get("/check?q=95588", headers={"Accept-Language": "en-GB,en"}))
    assert '<html lang="en">' in text
    assert "ICBC" in page.text("who")


def test_language_link_points_to_the_same_page_in_the_other_language(client: FlaskClient) -> None:
    _, page = html_of(client.get("/check?q=95588"))
    switch = page.find("a", **{"class": "lang"})
    assert len(switch) == 1
    assert switch[0]["href"] in ("/check?q=95588&lang=en", "/check?lang=en&q=95588")


# --- escaping ------------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"


@pytest.mark.parametrize(
    "path",
    ["/check", "/platforms"],
)
def test_query_is_escaped_on_every_page(client: FlaskClient, path: str) -> None:
    response = client.get(path, query_string={"q": SCRIPT})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert SCRIPT not in text
    assert "<script" not in text
    assert "&lt;script&gt;" in text


def test_attribute_breaking_query_is_escaped(client: FlaskClient) -> None:
    hostile = '"><img src=x onerror=alert(1)>'
    text, page = html_of(client.get("/check", query_string={"q": hostile}))
    assert hostile not in text
    assert page.find("img") == []
    assert page.box == hostile
