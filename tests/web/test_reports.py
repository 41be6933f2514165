"""Public scam reports: POST /api/v1/reports and the "report this" form, through the test client."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from registry.moderation import Moderation
from verifier.web import create_app
from verifier.web.extensions import app_session
from verifier.web.limits import limiter

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(autouse=True)
def fresh_rate_limits(app: Flask) -> Iterator[None]:
    """The limiter is module-global: no test inherits another's report counts."""
    limiter.reset()
    yield
    limiter.reset()


def stored(app: Flask) -> list[tuple[str, str, int, list[str]]]:
    """Every report group: (kind, value, count, the reporters' texts)."""
    with app_session(app) as session:
        return [
            (row.kind, row.value, row.count, [item.text for item in row.items])
            for row in Moderation(session).reports(status=None)
        ]


class _Form(HTMLParser):
    """The forms of a page and their fields."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str | None]] = []
        self.fields: list[dict[str, str | None]] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self.forms.append(found)
        if tag in ("input", "textarea") and self.forms:
            self.fields.append({**found, "form": self.forms[-1].get("action")})
        self.scripts += tag == "script"


def page(response: TestResponse, status: int = 200) -> tuple[str, _Form]:
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    parsed = _Form()
    parsed.feed(html)
    assert parsed.scripts == 0
    return html, parsed


def report_fields(parsed: _Form) -> dict[str, str | None]:
    """name → value of the fields of the first report form."""
    return {str(f["name"]): f.get("value") for f in parsed.fields if f["form"] == "/report"}


def send_form(client: FlaskClient, data: dict[str, str], *, token: bool = True) -> TestResponse:
    if token:
        _, parsed = page(client.get("/report"))
        data = {"csrf_token": str(report_fields(parsed)["csrf_token"]), **data}
    return client.post("/report", data=data)


# --- the API -------------------------------------------------------------------------------------


def test_reports_of_one_number_written_two_ways_are_one_group(
    app: Flask, client: FlaskClient
) -> None:
    first = client.post("/api/v1/reports", json={"input": "400-999-2222", "text": "fake refund"})
    second = client.post(
        "/api/v1/reports",
        json={"input": "+86 400 999 2222", "claimed_platform": "icbc", "seen_at": "a call"},
    )
    assert (first.status_code, second.status_code) == (202, 202)
    assert first.get_json() == second.get_json() == {"id": first.get_json()["id"]}
    assert stored(app) == [("phone", "+864009992222", 2, ["fake refund", ""])]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, "missing_field"),
        ({"input": "   "}, 400, "missing_field"),
        ({"input": "hello there"}, 400, "not_a_contact"),  # no number, link or address
        ({"input": 4009992222}, 400, "bad_field"),
        ({"input": "4009992222", "claimed_platform": "nobody"}, 400, "unknown_platform"),
        ({"input": "4009992222", "text": ["x"]}, 400, "bad_field"),
        ({"input": "4009992222", "text": "a\x00b"}, 400, "bad_field"),
        ({"input": "9" * 2001}, 413, "too_large"),
        ({"input": "4009992222", "text": "x" * 4001}, 413, "too_large"),
        ({"input": "4009992222", "seen_at": "x" * 4001}, 413, "too_large"),
    ],
)
def test_bad_reports_are_refused_and_nothing_is_stored(
    app: Flask, client: FlaskClient, body: dict[str, object], status: int, code: str
) -> None:
    response = client.post("/api/v1/reports", json=body)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert stored(app) == []


@pytest.mark.parametrize(
    "raw",
    ['{"input": "\\ud800"}', '{"input": "400", "text": "\\udfff"}', "{", "[]", "[" * 100_000],
)
def test_hostile_bodies_are_400(app: Flask, client: FlaskClient, raw: str) -> None:
    response = client.post("/api/v1/reports", data=raw, content_type="application/json")
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    assert stored(app) == []


def test_a_form_post_to_the_api_is_415(client: FlaskClient) -> None:
    response = client.post("/api/v1/reports", data={"input": "4009992222"})
    assert response.status_code == 415


def test_the_honeypot_answers_like_success_and_stores_nothing(
    app: Flask, client: FlaskClient
) -> None:
    body = {"input": "400-999-2222", "website": "http://spam.example"}
    first = client.post("/api/v1/reports", json=body)
    again = client.post("/api/v1/reports", json={**body, "input": "+86 400 999 2222"})
    assert (first.status_code, again.status_code) == (202, 202)
    # Shaped like a real group id, and stable for one value, as a real group's is.
    assert isinstance(first.get_json()["id"], int)
    assert first.get_json() == again.get_json()
    assert stored(app) == []


def test_the_report_text_is_stored_verbatim(app: Flask, client: FlaskClient) -> None:
    text = f"{SCRIPT} \u202egnp.exe\n  spaces  "
    assert client.post("/api/v1/reports", json={"input": "4009992222", "text": text}).status_code
    assert stored(app)[0][3] == [text]


# --- the rate limit ------------------------------------------------------------------------------


@pytest.fixture
def strict_app(started_database_url: str) -> Iterator[Flask]:
    """An app allowing two reports per client."""
    app = create_app(
        {
            "VERIFIER_ENV": "testing",
            "VERIFIER_DATABASE_URL": started_database_url,
            "VERIFIER_REPORT_RATE_LIMIT": "2/minute",
        }
    )
    limiter.reset()
    yield app
    app.extensions["verifier.engine"].dispose()


def test_the_api_answers_429_with_retry_after_past_the_limit(strict_app: Flask) -> None:
    client = strict_app.test_client()
    answers = [client.post("/api/v1/reports", json={"input": "4009992222"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [202, 202, 429]
    assert answers[2].get_json()["error"]["code"] == "rate_limited"
    assert int(answers[2].headers["Retry-After"]) > 0
    # Another client is not held back by the first one's reports.
    other = client.post(
        "/api/v1/reports", json={"input": "4009992222"}, environ_base={"REMOTE_ADDR": "10.0.0.9"}
    )
    assert other.status_code == 202


def test_the_form_and_the_api_share_one_limit(strict_app: Flask) -> None:
    client = strict_app.test_client()
    for _ in range(2):
        assert client.post("/api/v1/reports", json={"input": "4009992222"}).status_code == 202
    html, _ = page(send_form(client, {"input": "4009992222"}), 429)
    assert 'role="alert"' in html
    assert client.get("/report").status_code == 200  # looking at the form is not limited


# --- the form ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "4009992222",  # unverified
        "+86 400 999 8888",  # known scam
        "https://icbc.com.cn@evil.top/",  # lookalike
        "+86 400 000 1234",  # retired
    ],
)
def test_non_official_results_offer_the_report_form(client: FlaskClient, query: str) -> None:
    _, parsed = page(client.get("/check", query_string={"q": query}))
    fields = report_fields(parsed)
    assert fields["input"] == query
    assert fields["csrf_token"]
    assert "website" in fields and "text" in fields and "seen_at" in fields


@pytest.mark.parametrize("query", ["95588", "hello"])  # official; nothing to report
def test_official_and_invalid_results_have_no_report_form(client: FlaskClient, query: str) -> None:
    html, parsed = page(client.get("/check", query_string={"q": query}))
    assert not report_fields(parsed)
    assert "/report" not in html


def test_the_claimed_platform_travels_with_the_report(client: FlaskClient) -> None:
    _, parsed = page(client.get("/check", query_string={"q": "4009992222", "claimed": "icbc"}))
    assert report_fields(parsed)["claimed_platform"] == "icbc"


def test_each_scan_finding_but_the_official_ones_has_a_report_form(client: FlaskClient) -> None:
    _, token_page = page(client.get("/scan"))
    token = next(f["value"] for f in token_page.fields if f["name"] == "csrf_token")
    text = "工行客服 95588，退款请拨 400-999-2222 或访问 https://icbc.com.cn@evil.top/"
    _, parsed = page(client.post("/scan", data={"text": text, "csrf_token": token}))
    reported = [
        f["value"] for f in parsed.fields if f["form"] == "/report" and f["name"] == "input"
    ]
    assert sorted(str(v) for v in reported) == ["400-999-2222", "https://icbc.com.cn@evil.top/"]
    ids = [f["id"] for f in parsed.fields if f.get("id")]
    assert len(ids) == len(set(ids))  # one page, several forms: every id unique


def test_sending_the_form_says_thank_you(app: Flask, client: FlaskClient) -> None:
    response = send_form(
        client,
        {
            "input": "400-999-2222",
            "claimed_platform": "icbc",
            "seen_at": "SMS",
            "text": "asked for a code",
            "website": "",
        },
    )
    assert response.status_code == 303
    html, _ = page(client.get(response.headers["Location"] + "?lang=en"))
    assert "Moderators review every report" in html
    assert stored(app) == [("phone", "+864009992222", 1, ["asked for a code"])]


def test_the_form_without_a_csrf_token_is_refused(app: Flask, client: FlaskClient) -> None:
    page(send_form(client, {"input": "400-999-2222"}, token=False), 400)
    assert stored(app) == []


def test_the_form_honeypot_thanks_the_bot_and_stores_nothing(
    app: Flask, client: FlaskClient
) -> None:
    response = send_form(client, {"input": "400-999-2222", "website": "spam"})
    assert response.status_code == 303
    assert stored(app) == []


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"input": ""}, "Please enter"),
        ({"input": "hello there"}, "not a phone number"),
        ({"input": "4009992222", "text": "x" * 5000}, "too long"),
        ({"input": "4009992222", "claimed_platform": "nobody"}, "could not be read"),
    ],
)
def test_a_bad_form_comes_back_with_a_readable_message(
    app: Flask, client: FlaskClient, data: dict[str, str], words: str
) -> None:
    _, parsed = page(client.get("/report"))
    token = str(report_fields(parsed)["csrf_token"])
    html, parsed = page(client.post("/report?lang=en", data={"csrf_token": token, **data}), 400)
    assert words in html and 'role="alert"' in html
    assert report_fields(parsed)["csrf_token"]  # the form again, ready to send
    assert stored(app) == []


def test_the_report_page_alone_is_filled_from_the_query(client: FlaskClient) -> None:
    _, parsed = page(client.get("/report", query_string={"q": "400-999-2222", "claimed": "icbc"}))
    fields = report_fields(parsed)
    assert (fields["input"], fields["claimed_platform"]) == ("400-999-2222", "icbc")
    _, parsed = page(client.get("/report", query_string={"claimed": "nobody"}))
    assert "claimed_platform" not in report_fields(parsed)


def test_reporters_html_is_escaped_wherever_it_is_shown(app: Flask, client: FlaskClient) -> None:
    # A refused form shows what was typed again: escaped.
    _, parsed = page(client.get("/report"))
    token = str(report_fields(parsed)["csrf_token"])
    data = {"csrf_token": token, "input": "hello", "text": SCRIPT, "seen_at": SCRIPT}
    html, _ = page(client.post("/report", data=data), 400)
    assert SCRIPT not in html and "&lt;script&gt;" in html
    # A sent one is stored as written, and the thank-you page does not repeat it.
    response = send_form(client, {"input": "4009992222", "text": SCRIPT, "seen_at": SCRIPT})
    html, _ = page(client.get(response.headers["Location"]))
    assert "script" not in html
    assert stored(app)[0][3] == [SCRIPT]
    # The report form for a value holding markup carries it escaped.
    html, _ = page(client.get("/report", query_string={"q": '"><script>x</script>'}))
    assert "<script>x" not in html


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/report", ["举报诈骗", "在哪里看到的？（选填）", "发送举报"]),
        ("/report/thanks", ["感谢您的举报", "接下来会怎样"]),
        ("/check?q=4009992222", ["举报为诈骗"]),
    ],
)
def test_report_pages_speak_chinese_by_default(
    client: FlaskClient, path: str, words: list[str]
) -> None:
    html, _ = page(client.get(path))
    assert all(word in html for word in words)
    assert "Send the report" not in html and "Report a scam" not in html
