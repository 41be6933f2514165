"""Logging in and out of the moderators' area, through the test client on the small registry."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from moderators import PASSWORD, add_user, csrf_token, log_in
from small_registry import open_app

from registry.moderation import Moderation
from verifier.web import create_app
from verifier.web.extensions import app_session
from verifier.web.limits import limiter

GENERIC = "Wrong name or password, or the account is locked."


@pytest.fixture(autouse=True)
def fresh_rate_limits(app: Flask) -> Iterator[None]:
    """The limiter is module-global: no test inherits another's login count."""
    with app.app_context():
        limiter.reset()
    yield


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A client whose browser asks for English, the language these tests' words are in."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def alice(app: Flask) -> str:
    add_user(app, "alice")
    return "alice"


def logged_in(client: FlaskClient) -> bool:
    response = client.get("/mod/")
    return response.status_code == 200


def audit_lines(app: Flask, action: str) -> list[dict[str, object]]:
    with app_session(app) as session:
        rows = Moderation(session).audit(action=action)
        return [{"actor": r.actor, "after": r.after} for r in rows]


def test_login_page_labels_its_fields_and_carries_a_csrf_token(client: FlaskClient) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert '<label for="username">' in html and '<label for="password">' in html
    assert 'name="csrf_token"' in html
    assert "<script" not in html


def test_login_page_speaks_chinese_first(app: Flask) -> None:
    html = app.test_client().get("/login").get_data(as_text=True)
    assert "审核员登录" in html and "Moderator login" not in html


def test_right_password_logs_in_and_goes_to_the_dashboard(client: FlaskClient, alice: str) -> None:
    response = log_in(client, alice)
    assert response.status_code == 303
    assert response.location == "/mod/"
    assert logged_in(client)


@pytest.mark.parametrize(
    ("name", "password"),
    [
        ("alice", "not the password"),  # a real account, a wrong password
        ("mallory", PASSWORD),  # no such account
        ("", ""),  # nothing typed
    ],
)
def test_every_failure_gets_the_same_words(
    client: FlaskClient, alice: str, name: str, password: str
) -> None:
    response = log_in(client, name, password)
    assert response.status_code == 200
    assert GENERIC in response.get_data(as_text=True)
    assert not logged_in(client)


def test_five_failures_lock_the_account_even_for_the_right_password(
    app: Flask, client: FlaskClient, alice: str
) -> None:
    for _ in range(5):
        assert GENERIC in log_in(client, alice, "not the password").get_data(as_text=True)
    response = log_in(client, alice)
    assert GENERIC in response.get_data(as_text=True)
    assert not logged_in(client)
    failures = audit_lines(app, "login.failed")
    assert len(failures) == 6
    assert all(line["actor"] == "alice" for line in failures)
    assert "locked" in str(failures[-1]["after"])


def test_session_cookie_is_httponly_and_samesite(client: FlaskClient, alice: str) -> None:
    response = log_in(client, alice)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development and tests run over plain HTTP


def test_no_remember_me_cookie_is_set(client: FlaskClient, alice: str) -> None:
    response = log_in(client, alice)
    assert not [h for h in response.headers.getlist("Set-Cookie") if "remember" in h]


def test_session_cookie_is_secure_in_production(small_database_url: str, app: Flask) -> None:
    production = create_app(
        {
            "VERIFIER_ENV": "production",
            "VERIFIER_SECRET_KEY": "k" * 64,
            "VERIFIER_DATABASE_URL": small_database_url,
        }
    )
    try:
        response = production.test_client().get("/login", base_url="https://localhost")
        cookie = response.headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    finally:
        production.extensions["verifier.engine"].dispose()


def test_login_starts_a_fresh_session(client: FlaskClient, alice: str) -> None:
    csrf_token(client)
    with client.session_transaction() as session:
        session["planted"] = "by someone who set this browser's cookie"
    assert log_in(client, alice).status_code == 303
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].startswith(tuple("123456789"))


def test_logout_needs_a_post_with_the_csrf_token(client: FlaskClient, alice: str) -> None:
    log_in(client, alice)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no CSRF token
    assert logged_in(client)
    token = csrf_token(client, "/mod/")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert not logged_in(client)


def test_the_header_offers_log_out_only_when_logged_in(client: FlaskClient, alice: str) -> None:
    assert 'action="/logout"' not in client.get("/").get_data(as_text=True)
    log_in(client, alice)
    html = client.get("/?lang=en").get_data(as_text=True)
    assert 'action="/logout"' in html and "Log out alice" in html


@pytest.mark.parametrize("change", ["disable", "password"])
def test_disabling_or_a_new_password_ends_a_live_session(
    app: Flask, client: FlaskClient, alice: str, change: str
) -> None:
    log_in(client, alice)
    assert logged_in(client)
    with app_session(app) as session:
        moderation = Moderation(session)
        if change == "disable":
            moderation.disable_user(alice)
        else:
            moderation.set_password(alice, "another long password")
        session.commit()
    response = client.get("/mod/")
    assert response.status_code == 302
    assert response.location.startswith("/login")


def test_a_disabled_user_cannot_log_in(app: Flask, client: FlaskClient, alice: str) -> None:
    with app_session(app) as session:
        Moderation(session).disable_user(alice)
        session.commit()
    assert GENERIC in log_in(client, alice).get_data(as_text=True)
    assert not logged_in(client)


def test_login_without_a_csrf_token_is_400(client: FlaskClient, alice: str) -> None:
    response = client.post("/login", data={"username": alice, "password": PASSWORD})
    assert response.status_code == 400
    assert not logged_in(client)


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",  # scheme-relative: another host
        "/\\evil.example",  # browsers read the backslash as a slash
        "https://evil.example/",
        "javascript:alert(1)",
        "http:/evil.example",
        "mod/",  # not a path from the root
        "/mod/\r\nSet-Cookie: x=1",  # header injection
    ],
)
def test_next_never_leaves_the_site(client: FlaskClient, alice: str, target: str) -> None:
    response = log_in(client, alice, next_url=target)
    assert response.status_code == 303
    assert response.location == "/mod/"


def test_next_to_a_local_page_is_followed(client: FlaskClient, alice: str) -> None:
    response = client.get("/mod/audit?actor=alice")
    assert response.location == "/login?next=/mod/audit?actor%3Dalice"
    html = client.get(response.location).get_data(as_text=True)
    assert 'value="/mod/audit?actor=alice"' in html
    response = log_in(client, alice, next_url="/mod/audit?actor=alice")
    assert response.location == "/mod/audit?actor=alice"


def test_login_attempts_are_rate_limited(
    small_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERIFIER_LOGIN_RATE_LIMIT", "3/minute")
    with open_app(small_database_url) as app:
        with app.app_context():
            limiter.reset()
        client = app.test_client()
        statuses = [log_in(client, "nobody", "x" * 12).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert client.get("/login").status_code == 200  # only the POST is limited
        with app.app_context():
            limiter.reset()
