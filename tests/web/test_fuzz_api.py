"""No request of any shape produces a 500, on any route (issue 7, "Fuzzing"; CONTRACT.md).

Every route of ``app.url_map`` (the API, the health check, the public pages, the login form and
the moderators' area) gets hostile query strings and path segments; every POST route gets JSON
bodies of the wrong types, malformed JSON, other content types and bytes that are not UTF-8.
Moderation routes are reached past authentication: the API ones with a valid bearer token, the
pages as a logged-in admin with a valid CSRF token, so the handlers themselves meet the input.

An /api answer is JSON, with ``{"error": {"code", "message"}}`` when it is a 4xx; a page answers
HTML. test_hostile_input.py holds the hand-picked values for the check endpoints; this module
covers every other route, and drives all of them with hypothesis-generated values too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from databases import TestDatabases
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moderators import csrf_token, log_in
from routes import Route, Seeded, app_routes, moderated_app
from werkzeug.test import TestResponse

ROUTES = app_routes()
GET_ROUTES = [r for r in ROUTES if r.method == "GET"]
POST_ROUTES = [r for r in ROUTES if r.method == "POST"]
ROUTE_IDS = {"ids": str}

# Query parameters any route reads (unknown ones are ignored, which is fine).
PARAMETERS = (
    "q",
    "kind",
    "region",
    "claimed",
    "lang",
    "status",
    "since",
    "until",
    "actor",
    "action",
    "target",
    "page",
    "limit",
    "next",
)

HOSTILE = [
    "",
    "\x00",
    "a\x00b",
    "\u202eevil.com",
    "\u2066\u2067\u2068\u2069",
    "\u200b\u200c\u200d\ufeff",
    "\ud800",
    "\udfff\ud800",
    "e\u0301\u0301\u0301",
    "📞👨\u200d👩\u200d👧",
    "x" * 100_000,
    "9" * 5000,
    "-1",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "' OR '1'='1",
    "%",
    "_",
    "\\",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "{{7*7}}",
    "2026-13-45T99:99",
    "9999-12-31T23:59:59+25:00",
]

# Path segments for text arguments (<slug>, <prefix>) and integer arguments.
SEGMENTS = ["\x00", "\ud800", "\u202e", "..", "%", "x" * 3000, "<script>", "' OR 1=1 --", "ab cd"]
NUMBERS = ["0", "1", "2147483647", "2147483648", "99999999999999999999", "-1", "1.5", "0x10"]

_ANY_CHAR = st.characters(exclude_categories=())
TEXT = st.lists(
    st.one_of(_ANY_CHAR, st.sampled_from(["\x00", "\u202e", "\u200b", "\ud800", "%", "&", "="])),
    max_size=30,
).map("".join)

FIELDS = st.sampled_from(
    [
        "input",
        "text",
        "kind",
        "region",
        "claimed_platform",
        "items",
        "action",
        "platform",
        "channel",
        "entry",
        "note",
        "reason",
        "value",
        "source",
        "seen_at",
        "slug",
        "username",
        "password",
        "csrf_token",
    ]
)
JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
)
JSON_VALUE = st.recursive(
    JSON_LEAF,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(FIELDS | TEXT, inner, max_size=4),
    max_leaves=12,
)
JSON_BODY = st.one_of(st.dictionaries(FIELDS, JSON_VALUE, max_size=6), JSON_VALUE)

FUZZ = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --- the app and its clients ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded_app(
    databases: TestDatabases, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Flask, Seeded]]:
    """One database for the module: a database per hypothesis example would be far too slow."""
    url = databases.new(tmp_path_factory.mktemp("fuzz") / "fuzz.sqlite3")
    with moderated_app(url) as found:
        yield found
    databases.drop(url)


@pytest.fixture(scope="module")
def app(seeded_app: tuple[Flask, Seeded]) -> Flask:
    return seeded_app[0]


@pytest.fixture(scope="module")
def token(seeded_app: tuple[Flask, Seeded]) -> str:
    return seeded_app[1].token


@pytest.fixture(scope="module")
def admin(app: Flask) -> FlaskClient:
    """Root, logged in: every /mod page and form is open to it."""
    client = app.test_client()
    assert log_in(client, "root").status_code == 303
    return client


@pytest.fixture(scope="module")
def admin_csrf(admin: FlaskClient) -> str:
    return csrf_token(admin, "/mod/platforms/new")


@pytest.fixture(scope="module")
def public_csrf(app: Flask) -> tuple[FlaskClient, str]:
    client = app.test_client()
    return client, csrf_token(client, "/report")


def send(
    route: Route,
    app: Flask,
    token: str,
    admin: FlaskClient,
    *,
    path: str | None = None,
    query: str = "",
    extra_headers: dict[str, str] | None = None,
    **kwargs: object,
) -> TestResponse:
    """``route`` as the most privileged caller that can reach it sends it."""
    headers: dict[str, str] = {"Accept-Encoding": "identity", **(extra_headers or {})}
    if route.rule.startswith("/api/v1/mod"):
        headers["Authorization"] = f"Bearer {token}"
    # /login and /logout on a fresh client: a failed login must not end root's session.
    client = admin if route.rule.startswith("/mod") else app.test_client()
    return client.open(
        path or route.path(),
        method=route.method,
        headers=headers,
        environ_overrides={"QUERY_STRING": query},
        **kwargs,  # type: ignore[arg-type]
    )


def assert_answer(route: Route, response: TestResponse) -> None:
    """Never a 5xx; JSON from the API (an error object on 4xx), HTML from pages."""
    status = response.status_code
    assert status < 500, (str(route), status, response.get_data(as_text=True)[:800])
    if status in (301, 302, 303, 304, 308):
        return
    if route.is_api or response.request.path.startswith(("/api/v1/", "/healthz")):
        assert response.mimetype == "application/json", (str(route), response.mimetype)
        if status >= 400:
            body = response.get_json()
            assert set(body) == {"error"}, body
            assert set(body["error"]) == {"code", "message"}, body
            assert all(isinstance(v, str) for v in body["error"].values())
    elif route.rule.endswith(".jsonl") and status == 200:
        assert response.mimetype in ("application/x-ndjson", "application/jsonl", "text/plain")
    else:
        assert response.mimetype == "text/html", (str(route), response.mimetype)
        assert "Traceback" not in response.get_data(as_text=True)


def raw_query(value: str) -> str:
    encoded = quote(value.encode("utf-8", "surrogatepass"), safe="")
    return "&".join(f"{name}={encoded}" for name in PARAMETERS)


# --- every route, hostile query strings and path segments ----------------------------------------


def test_every_kind_of_route_is_enumerated() -> None:
    rules = {r.rule for r in ROUTES}
    assert {"/", "/check", "/scan", "/platforms", "/platforms/<slug>", "/report", "/login"} <= rules
    assert {"/healthz", "/api/v1/check", "/api/v1/mod/proposals", "/mod/settings"} <= rules


@pytest.mark.parametrize("route", ROUTES, **ROUTE_IDS)
@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: repr(v[:12]))
def test_hostile_query_strings(
    route: Route, value: str, app: Flask, token: str, admin: FlaskClient
) -> None:
    assert_answer(route, send(route, app, token, admin, query=raw_query(value)))


@pytest.mark.parametrize("route", [r for r in ROUTES if "<" in r.rule], **ROUTE_IDS)
def test_hostile_path_segments(route: Route, app: Flask, token: str, admin: FlaskClient) -> None:
    for segment in SEGMENTS:
        assert_answer(route, send(route, app, token, admin, path=route.path(text=segment)))
    for number in NUMBERS:
        assert_answer(route, send(route, app, token, admin, path=route.path(number=number)))


@pytest.mark.parametrize("route", GET_ROUTES, **ROUTE_IDS)
@FUZZ
@given(query=st.dictionaries(st.sampled_from(PARAMETERS) | TEXT, TEXT, max_size=5))
def test_generated_query_strings(
    route: Route, query: dict[str, str], app: Flask, token: str, admin: FlaskClient
) -> None:
    raw = "&".join(
        quote(k.encode("utf-8", "surrogatepass"), safe="")
        + "="
        + quote(v.encode("utf-8", "surrogatepass"), safe="")
        for k, v in query.items()
    )
    assert_answer(route, send(route, app, token, admin, query=raw))


# --- every POST route, hostile bodies ------------------------------------------------------------


def _deep(depth: int) -> bytes:
    return b'{"input": ' + b"[" * depth + b"]" * depth + b"}"


BODIES = [
    pytest.param(b"null", "application/json", id="null"),
    pytest.param(b"42", "application/json", id="number"),
    pytest.param(b'"95588"', "application/json", id="string"),
    pytest.param(b"[1, 2, 3]", "application/json", id="list"),
    pytest.param(b"{}", "application/json", id="empty-object"),
    pytest.param(
        json.dumps(
            {
                "input": 95588,
                "text": ["a"],
                "items": "95588",
                "kind": None,
                "region": 86,
                "claimed_platform": {"slug": "icbc"},
                "action": ["add_channel"],
                "platform": 1,
                "channel": "x",
                "entry": [],
                "note": {"a": None},
                "reason": 3.5,
            }
        ).encode(),
        "application/json",
        id="every-field-the-wrong-type",
    ),
    pytest.param(
        json.dumps({"items": [1, None, [], {}, {"input": None}, {"input": ["x"]}]}).encode(),
        "application/json",
        id="batch-of-wrong-types",
    ),
    pytest.param(
        json.dumps(
            {
                "action": "add_channel",
                "platform": "icbc",
                "channel": {"kind": 1, "value": None, "source": [], "verified_on": "x"},
                "note": "n",
            }
        ).encode(),
        "application/json",
        id="proposal-with-wrong-channel-types",
    ),
    pytest.param(
        json.dumps({"action": "add_blocklist", "entry": {"kind": "url"}, "note": "n"}).encode(),
        "application/json",
        id="proposal-with-partial-entry",
    ),
    pytest.param(
        json.dumps({"input": "x" * 300_000, "text": "y" * 300_000}).encode(),
        "application/json",
        id="huge-strings",
    ),
    pytest.param(_deep(10_000), "application/json", id="deep-nesting"),
    pytest.param(b'{"input": "\\ud800", "text": "\\udc00"}', "application/json", id="surrogates"),
    pytest.param(
        '{"input": "\u202e\u200b\x00", "note": "\u2066"}'.encode(),
        "application/json",
        id="bidi-nul",
    ),
    pytest.param(b'{"input": ', "application/json", id="truncated"),
    pytest.param(b"{'input': 1}", "application/json", id="single-quotes"),
    pytest.param(b'{"input": 1,}', "application/json", id="trailing-comma"),
    pytest.param(b"\xff\xfe\x00", "application/json", id="not-utf8"),
    pytest.param(b'{"input": "95588"}', "application/json; charset=latin-1", id="odd-charset"),
    pytest.param(b"input=95588&text=a&note=n", "application/x-www-form-urlencoded", id="form"),
    pytest.param(b"input=%ff%fe&note=%00", "application/x-www-form-urlencoded", id="form-bytes"),
    pytest.param(b'{"input": "95588"}', "text/plain", id="text-plain"),
    pytest.param(b'{"input": "95588"}', None, id="no-content-type"),
    pytest.param(
        b'--b\r\nContent-Disposition: form-data; name="input"\r\n\r\n95588\r\n--b--\r\n',
        "multipart/form-data; boundary=b",
        id="multipart",
    ),
    pytest.param(b"--b\r\nbroken", "multipart/form-data; boundary=b", id="broken-multipart"),
    pytest.param(b"x" * (3 * 1024 * 1024), "application/json", id="over-the-size-limit"),
]


@pytest.mark.parametrize("route", POST_ROUTES, **ROUTE_IDS)
@pytest.mark.parametrize(("body", "content_type"), BODIES)
def test_hostile_bodies(
    route: Route,
    body: bytes,
    content_type: str | None,
    app: Flask,
    token: str,
    admin: FlaskClient,
) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    response = send(route, app, token, admin, data=body, extra_headers=headers)
    assert_answer(route, response)


@pytest.mark.parametrize("route", POST_ROUTES, **ROUTE_IDS)
@FUZZ
@given(body=JSON_BODY)
def test_generated_json_bodies(
    route: Route, body: object, app: Flask, token: str, admin: FlaskClient
) -> None:
    data = json.dumps(body)  # lone surrogates travel escaped, as a JSON client sends them
    assert_answer(route, send(route, app, token, admin, data=data, content_type="application/json"))


@pytest.mark.parametrize("route", [r for r in POST_ROUTES if not r.is_api], **ROUTE_IDS)
@FUZZ
@given(form=st.dictionaries(FIELDS | TEXT, TEXT, max_size=8))
def test_generated_forms_with_a_valid_csrf_token(
    route: Route,
    form: dict[str, str],
    app: Flask,
    token: str,
    admin: FlaskClient,
    admin_csrf: str,
    public_csrf: tuple[FlaskClient, str],
) -> None:
    """Past the CSRF check, every form handler meets the junk (a 400 stops nothing earlier)."""
    if route.rule == "/logout":
        return  # would end the session the other /mod examples use; it reads no field anyway
    fields = {
        k.encode("utf-8", "surrogatepass"): v.encode("utf-8", "surrogatepass")
        for k, v in form.items()
    }
    if route.is_mod:
        client, csrf = admin, admin_csrf
    else:
        client, csrf = public_csrf
    fields[b"csrf_token"] = csrf.encode()
    body = "&".join(quote(k, safe="") + "=" + quote(v, safe="") for k, v in fields.items())
    response = client.post(
        route.path(), data=body, content_type="application/x-www-form-urlencoded"
    )
    assert_answer(route, response)
