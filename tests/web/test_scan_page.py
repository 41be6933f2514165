"""The "check a message" page (/scan), through the test client, on the small registry.

What is marked in the text, and how, is compared with what the core scanner answers for the same
text: these tests are about the page (escaping, order, anchors, problems, CSRF, language), not
about the detector, whose own tests live with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from small_registry import open_app
from werkzeug.test import TestResponse

from verifier.core.scan import MAX_SCAN_LENGTH, ScanResult, scan
from verifier.web.extensions import current_index

ROOT = Path(__file__).resolve().parents[2]

FAKE_PDD = (
    "【拼多多】您的订单异常，可办理退款。\n"
    "拼多多官方客服电话 400-882-0000，退款请加QQ 123456789，\n"
    "或访问 pinduoduo-kefu.com"
)
BANK = "【中国工商银行】如有疑问请致电工行客服95588，\n或登录 https://www.icbc.com.cn 查询。"
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def app(module_small_database_url: str) -> Iterator[Flask]:
    """One app for the module, on a fresh database holding the small registry."""
    with open_app(module_small_database_url) as app:
        yield app


class _Page(HTMLParser):
    """What the tests look at: tags, the scanned text as a reader sees it, the marks, the box."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        #: The text of div.scanned-text without the marks' icons and words.
        self.scanned = ""
        #: (class, href, text without icon and word) of each mark, in order.
        self.marks: list[tuple[str, str, str]] = []
        self.textarea = ""
        self.alerts: list[str] = []
        self._stack: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        if tag in ("input", "link", "meta", "br"):
            return  # void elements: no end tag follows
        self._stack.append((tag, found))
        if tag == "mark":
            self.marks.append((found.get("class") or "", "", ""))
        if tag == "a" and self.marks and self._inside("mark"):
            cls, _, text = self.marks[-1]
            self.marks[-1] = (cls, found.get("href") or "", text)

    def handle_endtag(self, tag: str) -> None:
        if self._stack and self._stack[-1][0] == tag:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        hidden = any(
            a.get("aria-hidden") == "true" or "hl-word" in (a.get("class") or "")
            for _, a in self._stack
        )
        if self._inside("textarea"):
            self.textarea += data
        if any(a.get("role") == "alert" for _, a in self._stack):
            self.alerts.append(data)
        if not hidden and any("scanned-text" in (a.get("class") or "") for _, a in self._stack):
            self.scanned += data
            if self._inside("mark"):
                cls, href, text = self.marks[-1]
                self.marks[-1] = (cls, href, text + data)

    def _inside(self, tag: str) -> bool:
        return any(t == tag for t, _ in self._stack)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]


def page_of(response: TestResponse, status: int = 200) -> tuple[str, _Page]:
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "Traceback" not in html
    page = _Page()
    page.feed(html)
    return html, page


def token_from(client: FlaskClient, path: str = "/scan") -> str:
    """The CSRF token of the form on ``path``, as a browser would send it back."""
    _, page = page_of(client.get(path))
    fields = page.find("input", name="csrf_token")
    assert len(fields) == 1 and fields[0]["type"] == "hidden"
    token = fields[0]["value"]
    assert token
    return token


def post_scan(client: FlaskClient, text: str, query: str = "") -> TestResponse:
    return client.post(f"/scan{query}", data={"text": text, "csrf_token": token_from(client)})


def core_scan(app: Flask, text: str, lang: str = "zh") -> ScanResult:
    with app.test_request_context():
        return scan(text, current_index(), region="CN", lang=lang)


# --- the form ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/scan", "/check?q=95588"])
def test_every_box_posts_to_scan_with_a_csrf_token(client: FlaskClient, path: str) -> None:
    _, page = page_of(client.get(path))
    forms = page.find("form")
    assert len(forms) == 1
    assert forms[0]["action"] == "/scan"
    assert forms[0]["method"] == "post"
    assert len(page.find("textarea", name="text")) == 1
    assert page.find("label", **{"for": "text"})
    assert len(page.find("input", name="csrf_token")) == 1
    assert page.find("script") == []


def test_empty_scan_form_says_what_to_paste(client: FlaskClient) -> None:
    _, page = page_of(client.get("/scan?lang=en"))
    assert page.find("h1")
    assert page.textarea.strip() == ""
    assert not page.alerts


# --- a single value goes to its shareable verdict page -------------------------------------------


@pytest.mark.parametrize(
    ("text", "location"),
    [
        ("95588", "/check?q=95588"),
        ("  95588 \r\n", "/check?q=95588"),  # pasted with the line break after it
        ("+86 400 820 8820", "/check?q=%2B86+400+820+8820"),  # a number keeps its spaces
        ("https://icbc.com.cn@evil.top/", "/check?q=https://icbc.com.cn@evil.top/"),
        ("service@icbc.com.cn", "/check?q=service@icbc.com.cn"),
    ],
)
def test_single_value_is_redirected_to_its_check_page(
    client: FlaskClient, text: str, location: str
) -> None:
    response = post_scan(client, text)
    assert response.status_code == 303
    assert response.headers["Location"] == location
    html, _ = page_of(client.get(location))
    assert "data-verdict=" in html


@pytest.mark.parametrize(
    "text",
    [
        "95588\n95017",  # two values, one per line: a message
        "请拨打 95588",  # a value with words around it
        "x" * 3000 + ".com",  # too long for a check
    ],
)
def test_more_than_one_value_is_scanned_not_redirected(client: FlaskClient, text: str) -> None:
    page_of(post_scan(client, text))


# --- the result ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [FAKE_PDD, BANK], ids=["fake-refund", "bank"])
def test_message_is_shown_whole_with_each_finding_marked_in_place(
    client: FlaskClient, app: Flask, text: str
) -> None:
    expected = core_scan(app, text)
    assert expected.findings, "the message must hold contacts for this test to mean anything"
    _, page = page_of(post_scan(client, text))
    # The text as submitted, character for character, once the icons and words are left out.
    assert page.scanned == text
    findings = [m for m in page.marks if m[0].startswith("finding")]
    assert [text for _, _, text in findings] == [f.text for f in expected.findings]
    for number, (cls, href, _) in enumerate(findings, start=1):
        finding = expected.findings[number - 1]
        assert f"risk-{finding.verdict.risk}" in cls.split()
        assert href == f"#finding-{number}"
        # The link opens the explanation: its target sits inside the finding's <details>.
        assert page.find("div", id=f"finding-{number}", **{"class": "explanation"})
    details = page.find("details")
    assert [d["data-verdict"] for d in details] == [f.verdict.verdict for f in expected.findings]
    mentions = [m for m in page.marks if m[0] == "mention"]
    assert [t for _, _, t in mentions] == [m.text for m in expected.mentions]
    assert all(
        href == f"#platform-{m.platform.slug}"
        for (_, href, _), m in zip(mentions, expected.mentions, strict=True)
    )


def test_risk_banner_and_every_section_follow_the_scan(client: FlaskClient, app: Flask) -> None:
    expected = core_scan(app, FAKE_PDD)
    _, page = page_of(post_scan(client, FAKE_PDD))
    banner = page.find("section", **{"data-risk": expected.risk})
    assert len(banner) == 1
    assert f"risk-{expected.risk}" in (banner[0]["class"] or "").split()
    signs = [
        a["data-code"]
        for t, a in page.tags
        if t == "li" and (a.get("id") or "").startswith("sign-")
    ]
    assert signs == [p.code for p in expected.patterns]
    shown = [
        a["id"]
        for t, a in page.tags
        if t == "div" and "platform-channels" in (a.get("class") or "")
    ]
    assert shown == [f"platform-{p.platform.slug}" for p in expected.platforms]
    # Every finding links to its own verdict page, with the platform the text claimed.
    links = [a["href"] for a in page.find("a", **{"class": "check-link"})]
    assert len(links) == len(expected.findings)
    for link, finding in zip(links, expected.findings, strict=True):
        assert link is not None and link.startswith("/check?q=")
        if finding.claimed_platform:
            assert f"claimed={finding.claimed_platform}" in link


def test_official_channels_of_a_mentioned_platform_are_listed(client: FlaskClient) -> None:
    _, page = page_of(post_scan(client, BANK))
    assert page.find("div", id="platform-icbc", **{"class": "platform-channels"})
    assert page.find("a", href="tel:95588")
    assert page.find("a", href="https://icbc.com.cn/")


def test_message_without_contacts_is_scanned(client: FlaskClient, app: Flask) -> None:
    text = "明天下午三点开会，\n记得带上笔记本。"
    _, page = page_of(post_scan(client, text))
    assert page.scanned == text
    assert not page.find("details")
    assert page.find("section", **{"data-risk": core_scan(app, text).risk})


def test_script_in_the_message_is_shown_as_text_never_run(client: FlaskClient) -> None:
    text = f"{SCRIPT}\n请拨打 400-882-0000 {SCRIPT}\n" + '"><img src=x onerror=alert(1)>'
    html, page = page_of(post_scan(client, text))
    assert page.scanned == text
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert page.find("script") == []
    assert page.find("img") == []
    assert all(not k.startswith("on") for _, attrs in page.tags for k in attrs)


def test_a_finding_that_looks_like_markup_is_escaped_inside_its_mark(
    client: FlaskClient, app: Flask
) -> None:
    text = "登录 https://icbc.com.cn@evil.top/<b>x</b> 处理，或拨打 400-882-0000"
    html, page = page_of(post_scan(client, text))
    assert page.scanned == text
    assert "<b>" not in html
    assert [t for c, _, t in page.marks if c.startswith("finding")] == [
        f.text for f in core_scan(app, text).findings
    ]


def test_line_breaks_arrive_as_typed(client: FlaskClient) -> None:
    # Browsers send a textarea's line breaks as CRLF; the page counts and shows them as "\n".
    _, page = page_of(post_scan(client, "第一行 95588\r\n第二行 95017\r\n"))
    assert page.scanned == "第一行 95588\n第二行 95017\n"


# --- problems ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\r\n\t", "\u200b\u200d"])
def test_empty_message_is_400_with_a_readable_message(client: FlaskClient, text: str) -> None:
    html, page = page_of(post_scan(client, text), 400)
    assert page.alerts
    assert page.find("textarea", name="text")
    assert "data-risk" not in html


def test_missing_text_field_is_400(client: FlaskClient) -> None:
    _, page = page_of(client.post("/scan", data={"csrf_token": token_from(client)}), 400)
    assert page.alerts


def test_text_over_the_limit_is_413_with_a_clear_message(client: FlaskClient) -> None:
    text = "9" * (MAX_SCAN_LENGTH + 1)
    html, page = page_of(post_scan(client, text, "?lang=en"), 413)
    assert "too long: at most 100\u00a0000 characters" in " ".join(page.alerts)
    assert "data-risk" not in html
    # The text stays in the box, to be cut down to the part that matters.
    assert page.textarea.strip() == text


def test_chinese_message_at_the_limit_is_accepted(client: FlaskClient) -> None:
    # 100 000 Chinese characters are 900 kB once form-encoded: under the request size limit.
    text = ("您的快递丢失请联系客服理赔。" * 8000)[:MAX_SCAN_LENGTH]
    assert len(text) == MAX_SCAN_LENGTH
    page_of(post_scan(client, text))


def test_body_over_the_request_limit_is_a_readable_413(client: FlaskClient) -> None:
    response = client.post("/scan", data={"text": "9" * (3 * 1024 * 1024), "csrf_token": "x"})
    _, page = page_of(response, 413)
    assert page.alerts


# --- CSRF ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("not-a-token", id="garbage"),
    ],
)
def test_post_without_a_valid_token_is_a_readable_400(
    client: FlaskClient, token: str | None
) -> None:
    client.get("/scan")  # a session exists: only the token is wrong
    data = {"text": FAKE_PDD} if token is None else {"text": FAKE_PDD, "csrf_token": token}
    html, page = page_of(client.post("/scan?lang=en", data=data), 400)
    assert "This form has expired" in html
    assert page.alerts
    assert page.find("a", href="/")
    assert "data-risk" not in html


def test_token_of_another_browser_is_refused(app: Flask) -> None:
    other = app.test_client()
    token = token_from(other)
    html, _ = page_of(
        app.test_client().post("/scan", data={"text": BANK, "csrf_token": token}), 400
    )
    assert "表单已过期" in html


def test_over_https_our_own_referer_is_accepted(client: FlaskClient) -> None:
    # Flask-WTF wants a same-origin Referer on HTTPS posts; the pages' Referrer-Policy sends it
    # to this site only.
    https = {"base_url": "https://verifier.example"}
    response = client.get("/scan", **https)
    assert response.headers["Referrer-Policy"] == "same-origin"
    _, page = page_of(response)
    token = page.find("input", name="csrf_token")[0]["value"]
    data = {"text": BANK, "csrf_token": token}
    page_of(
        client.post("/scan", data=data, headers={"Referer": "https://verifier.example/"}, **https)
    )
    page_of(client.post("/scan", data=data, **https), 400)


def test_json_api_needs_no_token(client: FlaskClient) -> None:
    response = client.post("/api/v1/scan", json={"text": BANK})
    assert response.status_code == 200
    assert response.get_json()["findings"]


# --- hostile input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("请拨打\x00 95588\x07 客服\x1b[31m", id="control-characters"),
        pytest.param("官网 \u202emoc.cbci\u202c 或拨打 95588", id="bidi-override"),
        pytest.param("工\u200b行客服 9\u200b5588 \ufeff", id="zero-width"),
        pytest.param("😀🎉 请拨打 95588 \U0001f4de 400-882-0000", id="emoji"),
        pytest.param(
            "e\u0301\u0301 95588 \u0000\u0085\u2028\u2029 end", id="combining-and-separators"
        ),
        pytest.param(bytes(range(256)).decode("latin-1"), id="every-latin1-byte"),
        pytest.param("%ED%A0%80 95588 \ufffd", id="escaped-surrogate"),
        pytest.param("http://" + "a." * 1000 + "com 95588", id="many-labels"),
    ],
)
def test_hostile_message_never_fails(client: FlaskClient, text: str) -> None:
    response = post_scan(client, text)
    assert response.status_code in (200, 303), response.get_data(as_text=True)[:500]
    if response.status_code == 200:
        _, page = page_of(response)
        expected = text.replace("\r\n", "\n")
        assert page.scanned == expected


# --- language ------------------------------------------------------------------------------------


def _english_interface_strings() -> set[str]:
    with (ROOT / "verifier" / "translations" / "zh" / "LC_MESSAGES" / "messages.po").open(
        "rb"
    ) as po:
        catalogue = read_po(po)
    return {m.id for m in catalogue if isinstance(m.id, str) and m.id and m.string != m.id}


def test_result_is_chinese_by_default(client: FlaskClient) -> None:
    html, _ = page_of(post_scan(client, FAKE_PDD))
    assert '<html lang="zh-CN">' in html
    assert "诈骗" in html or "谨慎" in html or "未发现" in html
    visible = {piece.strip() for piece in re.split(r"<[^>]+>", html) if piece.strip()}
    assert not visible & _english_interface_strings()


def test_result_is_english_with_lang_en(client: FlaskClient, app: Flask) -> None:
    expected = core_scan(app, FAKE_PDD, lang="en")
    html, _ = page_of(post_scan(client, FAKE_PDD, "?lang=en"))
    assert '<html lang="en">' in html
    words = {"safe": "No warning signs found", "caution": "Be careful"}
    assert words.get(expected.risk, "This looks like a scam") in html
    assert "The message, with what we found marked" in html
    for finding in expected.findings:
        for reason in finding.verdict.reasons:
            assert str(escape(reason.message)) in html


# --- the shareable check page keeps the claim ----------------------------------------------------


def test_check_page_judges_the_value_as_presented(client: FlaskClient) -> None:
    html, page = page_of(client.get("/check?q=4008820000&claimed=pinduoduo&lang=en"))
    assert "presented as Pinduoduo" in html or "imitates Pinduoduo" in html
    share = page.find("a", **{"class": "share-link"})[0]["href"] or ""
    assert "claimed=pinduoduo" in share


def test_check_page_ignores_an_unknown_claim(client: FlaskClient) -> None:
    _, page = page_of(client.get("/check?q=95588&claimed=no-such-platform"))
    assert page.find("section", **{"data-verdict": "official"})
    assert page.find("a", **{"class": "share-link"})[0]["href"] == "/check?q=95588"
