"""Security on every route (issue 7, "Security"), enumerated from ``app.url_map``.

Headers on every answer (pages, JSON, errors), the production secret key, XSS through every field
a person or moderator can type, SQL injection through every query parameter, CSRF on every form,
session fixation at login, and who may open each moderator route. test_auth.py and
test_mod_pages.py hold the single-route cases (the login form, the report and proposal escaping);
these tests are the "every route, every field" enumerations.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from databases import TestDatabases
from flask import Flask
from flask.testing import FlaskClient
from moderators import PASSWORD, csrf_token, log_in
from routes import Route, Seeded, app_routes, moderated_app
from small_registry import SOURCE
from sqlalchemy import create_engine, func, inspect, select, table
from werkzeug.test import TestResponse

from registry.moderation import Moderation, ModerationError
from verifier.cli import main
from verifier.web import create_app
from verifier.web.config import ConfigError
from verifier.web.extensions import app_session

ROUTES = app_routes()
ROUTE_IDS = {"ids": str}
FORM_POSTS = [r for r in ROUTES if r.method == "POST" and not r.is_api]
MOD_PAGES = [r for r in ROUTES if r.rule.startswith("/mod")]
MOD_API = [r for r in ROUTES if r.rule.startswith("/api/v1/mod")]
#: Routes only an admin may use.
ADMIN_ONLY = {"/mod/settings"}

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"
PAYLOADS = (SCRIPT, IMG)


@pytest.fixture(scope="module")
def seeded_app(
    databases: TestDatabases, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Flask, Seeded, str]]:
    """One database for the module: its tests share the seeded rows (and add a few of their own)."""
    url = databases.new(tmp_path_factory.mktemp("security") / "security.sqlite3")
    with moderated_app(url) as (app, seeded):
        yield app, seeded, url
    databases.drop(url)


@pytest.fixture(scope="module")
def app(seeded_app: tuple[Flask, Seeded, str]) -> Flask:
    return seeded_app[0]


@pytest.fixture(scope="module")
def seeded(seeded_app: tuple[Flask, Seeded, str]) -> Seeded:
    return seeded_app[1]


def logged_in(app: Flask, name: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert log_in(client, name).status_code == 303
    return client


@pytest.fixture(scope="module")
def root(app: Flask) -> FlaskClient:
    return logged_in(app, "root")


@pytest.fixture(scope="module")
def alice(app: Flask) -> FlaskClient:
    return logged_in(app, "alice")


def filled(route: Route, seeded: Seeded) -> str:
    """The route's path with ids of rows that exist (channel and entry 1 exist in the registry)."""
    path = route.path()
    path = re.sub(r"/proposals/1\b", f"/proposals/{seeded.proposal}", path)
    return re.sub(r"/reports/1\b", f"/reports/{seeded.report}", path)


# --- (a) headers ---------------------------------------------------------------------------------


def assert_security_headers(response: TestResponse, where: str) -> None:
    headers = response.headers
    policy = {
        d.strip().split(" ", 1)[0]: d.strip().partition(" ")[2]
        for d in headers.get("Content-Security-Policy", "").split(";")
        if d.strip()
    }
    assert policy.get("frame-ancestors") == "'none'", where
    assert policy.get("default-src") in ("'none'", "'self'"), where
    scripts = policy.get("script-src", policy["default-src"])
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, where
    assert "*" not in scripts.split() and "data:" not in scripts, where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") in ("same-origin", "no-referrer", "strict-origin"), where
    assert headers.get("X-Frame-Options") == "DENY", where


@pytest.mark.parametrize("route", ROUTES, **ROUTE_IDS)
def test_every_route_answers_with_the_security_headers(
    route: Route, app: Flask, root: FlaskClient, seeded: Seeded
) -> None:
    path = filled(route, seeded)
    for client, headers in (
        (app.test_client(), {}),  # anonymous: redirects, 401s and CSRF 400s too
        (root, {"Authorization": f"Bearer {seeded.token}"}),
    ):
        if route.rule == "/logout" and client is root:
            continue  # would end the module's admin session
        response = client.open(path, method=route.method, headers=headers)
        assert_security_headers(response, f"{route} -> {response.status_code}")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/no-such-page"),  # HTML 404
        ("GET", "/api/v1/no-such-endpoint"),  # JSON 404
        ("PUT", "/api/v1/check"),  # JSON 405
        ("DELETE", "/check"),  # HTML 405
        ("POST", "/api/v1/check"),  # JSON 415/400
        ("GET", "/platforms/%ff"),  # undecodable path
        ("GET", "/static/no-such-file.css"),
        ("GET", "/static/style.css"),
    ],
)
def test_error_answers_carry_the_headers_too(app: Flask, method: str, path: str) -> None:
    response = app.test_client().open(path, method=method, data=b"x")
    assert_security_headers(response, f"{method} {path} -> {response.status_code}")
    response.close()  # a static file is streamed


def test_hsts_only_in_production(app: Flask, seeded_app: tuple[Flask, Seeded, str]) -> None:
    assert "Strict-Transport-Security" not in app.test_client().get("/").headers
    production = create_app(
        {
            "VERIFIER_ENV": "production",
            "VERIFIER_SECRET_KEY": "k" * 64,
            "VERIFIER_DATABASE_URL": seeded_app[2],
        }
    )
    try:
        client = production.test_client()
        for path in ("/", "/api/v1/check?q=95588", "/no-such-page", "/mod/"):
            response = client.get(path, base_url="https://localhost")
            hsts = response.headers.get("Strict-Transport-Security", "")
            assert re.search(r"max-age=(\d+)", hsts), path
            assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 15_552_000  # type: ignore[union-attr]
            assert_security_headers(response, path)
    finally:
        production.extensions["verifier.engine"].dispose()


# --- (b) the production secret key ---------------------------------------------------------------


@pytest.mark.parametrize("secret", [None, ""])
def test_production_refuses_to_start_without_a_secret_key(
    database_url: str, monkeypatch: pytest.MonkeyPatch, secret: str | None
) -> None:
    monkeypatch.delenv("VERIFIER_SECRET_KEY", raising=False)
    config = {
        "VERIFIER_ENV": "production",
        "VERIFIER_DATABASE_URL": database_url,
        "VERIFIER_SETUP_ON_START": False,
    }
    if secret is not None:
        config["VERIFIER_SECRET_KEY"] = secret
    with pytest.raises(ConfigError, match="VERIFIER_SECRET_KEY"):
        create_app(config)


def test_verifier_serve_in_production_without_a_secret_key_exits_2(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VERIFIER_SECRET_KEY", raising=False)
    monkeypatch.setenv("VERIFIER_ENV", "production")
    monkeypatch.setenv("VERIFIER_DATABASE_URL", database_url)
    result = CliRunner().invoke(main, ["serve", "--port", "65534"], catch_exceptions=False)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "VERIFIER_SECRET_KEY" in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    # Refused before it set anything up: the database is as empty as it was.
    engine = create_engine(database_url)
    try:
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


# --- (c) XSS through every field -----------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_records(app: Flask) -> dict[str, int]:
    """Every field a person or moderator types, holding a payload, as the service stores it.

    A field whose validation refuses the payload is tried with the next one; what is refused
    never reaches a page, so it needs no escaping. The ids of the rows made are returned.
    """
    ids: dict[str, int] = {}
    with app_session(app) as session:
        moderation = Moderation(session)
        alice = moderation.user("alice")
        bob = moderation.user("bob")
        assert alice is not None and bob is not None
        for name in (SCRIPT, IMG, "x<b>y</b>"):
            try:
                moderation.create_user(name, "moderator", PASSWORD)  # a name in the audit log
                break
            except ModerationError:
                session.rollback()

        def propose_and_approve(action: str, **fields: object) -> int | None:
            for note in (SCRIPT + IMG,):
                try:
                    row = moderation.propose(bob, action, note=note, **fields)  # type: ignore[arg-type]
                    session.flush()
                    moderation.approve(alice, row.id)
                    session.commit()
                    return int(row.id)
                except ModerationError:
                    session.rollback()
            return None

        platform = {
            "slug": "xss-bank",
            "name": {"zh": SCRIPT, "en": IMG},
            "aliases": ["xss-alias", SCRIPT, IMG],
            "category": IMG,
            "country": "CN",
            "phone_support": "unknown",
        }
        assert propose_and_approve("add_platform", platform=platform) is not None
        for source in (JS_URL, f"https://example.org/{IMG}"):
            channel = {
                "kind": "domain",
                "value": "xss-bank.com",
                "label": {"zh": SCRIPT, "en": IMG},
                "source": source,
                "verified_on": "2026-11-01",
            }
            number = propose_and_approve("add_channel", platform="xss-bank", channel=channel)
            if number is not None:
                ids["channel_proposal"] = number
                break
        for evidence in (JS_URL, f"https://example.org/{IMG}"):
            entry = {
                "kind": "domain",
                "value": "xss-evil.top",
                "impersonates": "xss-bank",
                "evidence": evidence,
                "added_on": "2026-11-02",
            }
            number = propose_and_approve("add_blocklist", entry=entry)
            if number is not None:
                ids["block_proposal"] = number
                break
        pending = moderation.propose(
            bob,
            "add_channel",
            note=IMG,
            platform="icbc",
            channel={
                "kind": "phone",
                "value": "+86 400 765 4321",
                "source": SOURCE,
                "verified_on": "2026-11-01",
            },
        )
        session.flush()
        moderation.reject(alice, pending.id, SCRIPT + IMG)
        ids["rejected"] = int(pending.id)
        report = moderation.submit_report(
            kind="url",
            value="http://xss-evil.top/",
            input=JS_URL + IMG,
            text=SCRIPT + IMG,
            seen_at=IMG,
            claimed_platform="xss-bank",
        )
        session.flush()
        ids["report"] = int(report.id)
        session.commit()
    return ids


def assert_no_markup(html: str, where: str) -> None:
    for payload in PAYLOADS:
        assert payload not in html, where
    assert "<script" not in html.lower(), where
    assert "<img" not in html.lower(), where
    assert not re.search(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", html, re.I), where


def _pages(seeded: Seeded, ids: dict[str, int]) -> list[str]:
    pages = [filled(r, seeded) for r in ROUTES if r.method == "GET" and r.rule.startswith("/mod")]
    pages += [f"/mod/proposals/{n}" for n in ids.values()]
    pages += [
        f"/mod/reports/{ids['report']}",
        "/mod/platforms/xss-bank",
        "/mod/platforms/xss-bank/edit",
        "/mod/platforms?q=xss",
        "/mod/proposals?status=all",
        "/mod/proposals?status=rejected",
        "/mod/reports?status=all",
        "/mod/audit",
        "/mod/blocklist",
        "/platforms/xss-bank",
        "/platforms?q=xss",
        "/check?q=xss-bank.com",
        "/check?q=xss-evil.top",
        "/check?q=" + quote(IMG),
        "/check?q=" + quote(JS_URL),
    ]
    return pages


def test_no_field_renders_as_markup_on_any_page(
    root: FlaskClient, seeded: Seeded, hostile_records: dict[str, int]
) -> None:
    shown = 0
    for path in _pages(seeded, hostile_records):
        response = root.get(path)
        assert response.status_code < 500, path
        html = response.get_data(as_text=True)
        if path.startswith("/mod/audit.jsonl"):
            # A download, never rendered: JSON text, with nosniff so no browser reads it as HTML.
            assert response.mimetype != "text/html"
            assert "attachment" in response.headers["Content-Disposition"]
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            continue
        assert_no_markup(html, path)
        shown += html.count("&lt;script&gt;alert(1)&lt;/script&gt;")
    assert shown > 10  # the payloads were stored and shown, as text


def test_public_pages_escape_what_was_typed(app: Flask) -> None:
    client = app.test_client()
    token = csrf_token(client, "/scan")
    for payload in (*PAYLOADS, JS_URL, f"{SCRIPT} 4008208820 {IMG} {JS_URL}"):
        pages = [
            client.get("/check", query_string={"q": payload}),
            client.get("/platforms", query_string={"q": payload}),
            client.get("/platforms/" + quote(payload, safe="")),
            client.get("/", query_string={"q": payload}),
            client.post("/scan", data={"text": payload, "csrf_token": token}),
            client.post(
                "/report",
                data={"input": payload, "text": payload, "seen_at": payload, "csrf_token": token},
                follow_redirects=True,
            ),
            client.get("/report", query_string={"input": payload, "claimed": payload}),
            client.get("/report/thanks", query_string={"input": payload}),
            client.get("/login", query_string={"next": payload}),
        ]
        for response in pages:
            assert response.status_code < 500, response.request.path
            assert_no_markup(response.get_data(as_text=True), response.request.path)


# --- (d) SQL injection ---------------------------------------------------------------------------

INJECTIONS = [
    "'; DROP TABLE platform; --",
    "%",
    "_",
    "\\",
    "'",
    '"',
    "\x00",
    "' OR '1'='1",
    "%_\\%",
]
QUERIES = [
    ("/api/v1/platforms", ("q",)),
    ("/platforms", ("q",)),
    ("/mod/platforms", ("q",)),
    ("/mod/audit", ("actor", "action", "target", "since", "until")),
    ("/mod/audit.jsonl", ("actor", "action", "target", "since", "until")),
    ("/api/v1/mod/audit", ("actor", "action", "target", "since", "until")),
    ("/mod/proposals", ("status",)),
    ("/api/v1/mod/proposals", ("status",)),
    ("/mod/reports", ("status",)),
    ("/api/v1/mod/reports", ("status",)),
    ("/api/v1/check", ("q", "kind", "region", "claimed")),
    ("/check", ("q", "kind", "region", "claimed")),
]


def row_counts(app: Flask) -> dict[str, int]:
    engine = app.extensions["verifier.engine"]
    with app_session(app) as session:
        return {
            name: int(session.scalar(select(func.count()).select_from(table(name))) or 0)
            for name in inspect(engine).get_table_names()
        }


def test_sql_injection_through_every_query_parameter(
    app: Flask, root: FlaskClient, seeded: Seeded
) -> None:
    # Row counts before and after (not the audit log: it may record who searched).
    before = row_counts(app)
    assert before["platform"] >= 5
    bearer = {"Authorization": f"Bearer {seeded.token}"}
    for path, names in QUERIES:
        for value in INJECTIONS:
            for name in names:
                query = f"{name}=" + quote(value, safe="")
                client = root if path.startswith("/mod") else app.test_client()
                response = client.get(
                    path, headers=bearer, environ_overrides={"QUERY_STRING": query}
                )
                assert response.status_code < 500, (path, name, value)
                assert response.status_code in (200, 400, 404, 422), (path, name, value)
                if name == "q" and path.endswith("platforms") and value in ("%", "_", "%_\\%"):
                    # A LIKE wildcard is a character to look for, not "everything".
                    assert "icbc" not in response.get_data(as_text=True).lower(), (path, value)
    after = row_counts(app)
    assert {k: v for k, v in after.items() if k != "audit"} == {
        k: v for k, v in before.items() if k != "audit"
    }


# --- (e) CSRF ------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", FORM_POSTS, **ROUTE_IDS)
def test_every_form_refuses_a_missing_or_foreign_csrf_token(
    route: Route, app: Flask, seeded: Seeded
) -> None:
    path = filled(route, seeded)
    own = logged_in(app, "root") if route.is_mod else app.test_client()
    other = logged_in(app, "alice")
    foreign = csrf_token(other, "/mod/")
    for data in ({}, {"csrf_token": foreign}, {"csrf_token": "x"}, {"csrf_token": ""}):
        response = own.post(path, data={"note": "n", "reason": "r", **data})
        assert response.status_code == 400, (str(route), data, response.status_code)
    # A token in a header (as some frameworks accept) does not pass either.
    response = own.post(path, data={"note": "n"}, headers={"X-CSRFToken": foreign})
    assert response.status_code == 400


# --- (f) session fixation ------------------------------------------------------------------------


def _session_cookie(client: FlaskClient) -> str | None:
    cookie = client.get_cookie("session")
    return None if cookie is None else cookie.value


def test_the_session_cookie_changes_at_login(app: Flask) -> None:
    client = app.test_client()
    csrf_token(client)  # the login form puts a CSRF token in the session
    before = _session_cookie(client)
    assert before is not None
    assert log_in(client, "alice").status_code == 303
    after = _session_cookie(client)
    assert after is not None and after != before


def test_a_cookie_planted_before_login_does_not_authenticate(app: Flask) -> None:
    attacker = app.test_client()
    csrf_token(attacker)
    planted = _session_cookie(attacker)
    assert planted is not None
    victim = app.test_client()
    victim.set_cookie("session", planted)
    assert log_in(victim, "bob").status_code == 303
    assert victim.get("/mod/").status_code == 200
    response = attacker.get("/mod/")  # still holding the cookie it planted
    assert response.status_code == 302 and response.location.startswith("/login")


# --- (g) authorisation on every moderator route --------------------------------------------------


@pytest.mark.parametrize("route", MOD_API, **ROUTE_IDS)
@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer ",
        "Bearer not-a-token",
        "Basic YWxpY2U6cGFzc3dvcmQ=",
        "bearer",
        "Bearer cvt_" + "A" * 43,
        "Bearer \x00",
    ],
)
def test_the_moderation_api_refuses_without_a_valid_token(
    route: Route, app: Flask, seeded: Seeded, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = app.test_client().open(
        filled(route, seeded), method=route.method, headers=headers, json={}
    )
    assert response.status_code == 401, (str(route), response.status_code)
    assert response.mimetype == "application/json"
    assert set(response.get_json()["error"]) == {"code", "message"}


@pytest.mark.parametrize("route", [r for r in MOD_PAGES if r.method == "GET"], **ROUTE_IDS)
def test_a_moderator_is_refused_only_the_admin_routes(
    route: Route, alice: FlaskClient, root: FlaskClient, seeded: Seeded
) -> None:
    path = filled(route, seeded)
    status = alice.get(path).status_code
    if route.rule in ADMIN_ONLY:
        assert status == 403
        assert root.get(path).status_code == 200
    else:
        assert status in (200, 404), (str(route), status)


def test_a_moderator_cannot_post_the_admin_forms(alice: FlaskClient) -> None:
    token = csrf_token(alice, "/mod/")
    for path in ADMIN_ONLY:
        response = alice.post(path, data={"single_approval": "on", "csrf_token": token})
        assert response.status_code == 403


def test_a_disabled_users_session_and_token_are_refused(app: Flask, seeded: Seeded) -> None:
    with app_session(app) as session:
        moderation = Moderation(session)
        moderation.create_user("carol", "moderator", PASSWORD)
        session.commit()
        token = moderation.new_token("carol")
        session.commit()
    client = logged_in(app, "carol")
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/mod/").status_code == 200
    assert app.test_client().get("/api/v1/mod/proposals", headers=bearer).status_code == 200
    with app_session(app) as session:
        Moderation(session).disable_user("carol")
        session.commit()
    for route in MOD_PAGES:
        path = filled(route, seeded)
        if route.method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data={"csrf_token": csrf_token(client, "/scan")})
        assert response.status_code == 302, (str(route), response.status_code)
        assert response.location.startswith("/login")
    for route in MOD_API:
        response = app.test_client().open(
            filled(route, seeded), method=route.method, headers=bearer, json={}
        )
        assert response.status_code == 401, (str(route), response.status_code)
