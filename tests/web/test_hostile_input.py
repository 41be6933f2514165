"""No input of any kind produces a 500 (CONTRACT.md, "HTTP API").

Each hostile value goes through GET and POST /api/v1/check, the batch endpoint (as a string, as an
object, and under every explicit kind) and the /check page. The API must answer a verdict or a 4xx
JSON error; the page a 200 or 4xx HTML page. Junk is never called official.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from small_registry import VERDICT_KEYS, open_app
from werkzeug.test import TestResponse

from verifier.core.check import KINDS
from verifier.core.verdict import RISKS, VERDICTS

HOSTILE = [
    pytest.param("", id="empty"),
    pytest.param("   ", id="blanks"),
    pytest.param("\x00", id="nul"),
    pytest.param("a\x00b", id="embedded-nul"),
    # A right-to-left override makes "moc.live" display as "evil.com".
    pytest.param("\u202eevil.com", id="bidi-override"),
    pytest.param("9" * 10_000, id="10kB-digits"),
    pytest.param("x" * 100_000, id="100kB"),
    pytest.param(bytes(range(256)).decode("latin-1"), id="every-latin1-byte"),
    pytest.param("javascript:alert(1)", id="javascript-scheme"),
    pytest.param("data:text/html,<b>", id="data-scheme"),
    pytest.param("(((", id="brackets"),
    pytest.param("400abc8820", id="letters-in-number"),
    pytest.param("http://[::1", id="unclosed-ipv6"),
    pytest.param("http://a.com:99999", id="port-out-of-range"),
    pytest.param("http://", id="no-host"),
    pytest.param("https:///x", id="empty-host"),
    pytest.param("%ff%fe", id="percent-escapes"),
    pytest.param("\ud800", id="lone-surrogate"),
    pytest.param("📞95588", id="emoji"),
    pytest.param("+" * 500, id="pluses"),
    pytest.param("@" * 50, id="ats"),
    pytest.param("http://" + "a." * 1000 + "com", id="many-labels"),
    pytest.param("<script>alert(1)</script>", id="script-tag"),
]


@pytest.fixture(scope="module")
def app(module_small_database_url: str) -> Iterator[Flask]:
    """One app for the module, on a fresh database holding the small registry."""
    with open_app(module_small_database_url) as app:
        yield app


def _raw_query(value: str) -> str:
    """``q=…`` percent-encoded from UTF-8; a lone surrogate goes as its (invalid) UTF-8 bytes."""
    return "q=" + quote(value.encode("utf-8", "surrogatepass"), safe="")


def _post(client: FlaskClient, path: str, body: object) -> TestResponse:
    # json.dumps escapes non-ASCII, so "\ud800" travels as the six characters \ud800.
    return client.post(path, data=json.dumps(body), content_type="application/json")


def assert_api_answer(response: TestResponse) -> dict[str, object] | None:
    """A verdict object, or a 4xx JSON error; returns the verdict (None for an error)."""
    assert response.status_code != 500, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    if response.status_code == 200:
        assert set(body) >= VERDICT_KEYS
        assert body["verdict"] in VERDICTS
        assert body["risk"] in RISKS
        assert body["reasons"], "every verdict says why"
        return dict(body)
    assert 400 <= response.status_code < 500
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    return None


def assert_never_official(verdict: dict[str, object] | None) -> None:
    if verdict is not None:
        assert verdict["verdict"] != "official"
        assert verdict["risk"] != "safe"


@pytest.mark.parametrize("value", HOSTILE)
def test_get_check(client: FlaskClient, value: str) -> None:
    response = client.get("/api/v1/check", environ_overrides={"QUERY_STRING": _raw_query(value)})
    assert_never_official(assert_api_answer(response))


@pytest.mark.parametrize("value", HOSTILE)
def test_post_check(client: FlaskClient, value: str) -> None:
    verdict = assert_api_answer(_post(client, "/api/v1/check", {"input": value}))
    assert_never_official(verdict)
    if verdict is not None:
        assert verdict["input"] == value  # echoed exactly as submitted


@pytest.mark.parametrize("value", HOSTILE)
def test_post_batch(client: FlaskClient, value: str) -> None:
    response = _post(client, "/api/v1/check/batch", {"items": [value, {"input": value}]})
    assert response.status_code != 500, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    if response.status_code == 200:
        results = response.get_json()["results"]
        assert len(results) == 2
        assert results[0] == results[1]
        assert all(r["verdict"] not in ("official",) and r["input"] == value for r in results)
    else:
        assert 400 <= response.status_code < 500
        assert "items[0]" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("value", HOSTILE)
def test_post_batch_under_every_kind(client: FlaskClient, value: str) -> None:
    items = [{"input": value, "kind": kind} for kind in ("auto", *KINDS)]
    response = _post(client, "/api/v1/check/batch", {"items": items})
    assert response.status_code != 500, response.get_data(as_text=True)
    if response.status_code == 200:
        for result in response.get_json()["results"]:
            assert result["verdict"] in VERDICTS


@pytest.mark.parametrize("value", HOSTILE)
def test_check_page(client: FlaskClient, value: str) -> None:
    response = client.get("/check", environ_overrides={"QUERY_STRING": _raw_query(value)})
    assert response.status_code == 200 or 400 <= response.status_code < 500
    assert response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    assert "Traceback" not in text
    if "<" in value:
        assert value not in text  # escaped, never echoed as markup
    assert 'data-verdict="official"' not in text


@pytest.mark.parametrize("value", HOSTILE)
def test_platform_search(client: FlaskClient, value: str) -> None:
    query = _raw_query(value)
    api = client.get("/api/v1/platforms", environ_overrides={"QUERY_STRING": query})
    assert api.status_code == 200 or 400 <= api.status_code < 500
    assert api.mimetype == "application/json"
    page = client.get("/platforms", environ_overrides={"QUERY_STRING": query})
    assert page.status_code == 200 or 400 <= page.status_code < 500
    assert page.mimetype == "text/html"


def test_hidden_zero_width_space_is_ignored(client: FlaskClient) -> None:
    # The one "hostile" value that is really official: the invisible character is folded away.
    response = client.get("/api/v1/check", query_string={"q": "\u200b95588"})
    body = assert_api_answer(response)
    assert body is not None and body["verdict"] == "official"


@pytest.mark.parametrize(
    "query",
    [
        "q=%ff",  # a byte that is never UTF-8
        "q=%ff%fe%fd",
        "q=%c0%af",  # an overlong encoding of "/"
        "q=%ed%a0%80",  # a UTF-16 surrogate encoded as UTF-8
        "q=95588%ff",
        "q=95588&region=%ff",
        "q=95588&kind=%ff",
        "q=95588&claimed=%ff",
        "q=95588&lang=%ff",
        "q=%",  # a truncated escape
        "q=%%%",
        "q&q&q",
    ],
)
def test_invalid_utf8_in_the_query_string(client: FlaskClient, query: str) -> None:
    overrides = {"QUERY_STRING": query}
    verdict = assert_api_answer(client.get("/api/v1/check", environ_overrides=overrides))
    if "95588" not in query:
        assert_never_official(verdict)
    page = client.get("/check", environ_overrides=overrides)
    assert page.status_code == 200 or 400 <= page.status_code < 500
    assert page.mimetype == "text/html"


@pytest.mark.parametrize("path", ["/api/v1/platforms/%ff", "/api/v1/%ff", "/api/v1/check/%00"])
def test_invalid_bytes_in_an_api_path_are_a_json_404(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "application/json"


@pytest.mark.parametrize("path", ["/platforms/%ff", "/platforms/%00", "/%ff"])
def test_invalid_bytes_in_a_page_path_are_an_html_404(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "text/html"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"input": "\xff\xfe"}', id="invalid-utf8-in-string"),
        pytest.param(b'{"input": "95588"\xff}', id="invalid-utf8-outside-string"),
        pytest.param(b"\xff\xfe\xfd", id="only-junk-bytes"),
        pytest.param(b'{"input": "\xed\xa0\x80"}', id="utf8-encoded-surrogate"),
        pytest.param(b'{"input": "\\ud800"}', id="escaped-lone-surrogate"),
        pytest.param(b'{"input": "\\udc00\\ud800"}', id="reversed-surrogate-pair"),
        pytest.param(b"[" * 100_000, id="deeply-nested-list"),
        pytest.param(b'{"input": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", id="nested-input"),
        pytest.param(b'{"items": ' + b"{" * 50_000 + b"}", id="nested-items"),
        pytest.param(b'{"input": ' + b"9" * 5000 + b"}", id="huge-integer"),
        pytest.param(b'{"input": NaN}', id="nan"),
        pytest.param(b"", id="empty-body"),
        pytest.param(b"\x00", id="nul-body"),
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/check", "/api/v1/check/batch"])
def test_hostile_json_bodies(client: FlaskClient, path: str, body: bytes) -> None:
    response = client.post(path, data=body, content_type="application/json")
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.get_json()
    assert set(error) == {"error"} and set(error["error"]) == {"code", "message"}


def test_lone_surrogate_in_batch_names_its_position(client: FlaskClient) -> None:
    body = '{"items": ["95588", "\\ud800"]}'
    response = client.post("/api/v1/check/batch", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "items[1]" in response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    "headers",
    [
        {"Accept-Language": "\x00;q=abc,,,;"},
        {"Accept-Language": "x" * 5000},
        {"Cookie": "lang=%ff; lang=\x7f"},
        {"Content-Type": "application/json; charset=nonsense"},
    ],
)
def test_hostile_headers(client: FlaskClient, headers: dict[str, str]) -> None:
    api = client.get("/api/v1/check?q=95588", headers=headers)
    assert api.status_code == 200
    assert api.get_json()["verdict"] == "official"
    page = client.get("/check?q=95588", headers=headers)
    assert page.status_code == 200
