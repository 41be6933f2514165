"""Moderator accounts and logged-in form posts for the /mod and login page tests.

Importable from any test module (``pythonpath = ["tests"]``), like small_registry.py.
"""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from registry.moderation import Moderation
from verifier.web.extensions import app_session

PASSWORD = "correct horse battery staple"

_CSRF_INPUT = re.compile(r"<input[^>]*\bname=\"csrf_token\"[^>]*>")
_VALUE = re.compile(r"\bvalue=\"([^\"]+)\"")


def add_user(app: Flask, name: str, role: str = "moderator", password: str = PASSWORD) -> None:
    """An active account, created through the service as the CLI does."""
    with app_session(app) as session:
        Moderation(session).create_user(name, role, password)
        session.commit()


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token of a form on ``path``, as a browser would send it back."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    found = _CSRF_INPUT.search(response.get_data(as_text=True))
    assert found is not None, f"no CSRF token on {path}"
    value = _VALUE.search(found.group(0))
    assert value is not None
    return value.group(1)


def log_in(
    client: FlaskClient, name: str, password: str = PASSWORD, next_url: str = ""
) -> TestResponse:
    data = {"username": name, "password": password, "next": next_url}
    return client.post("/login", data={**data, "csrf_token": csrf_token(client)})


def post_form(
    client: FlaskClient, path: str, data: dict[str, str], form_page: str | None = None
) -> TestResponse:
    """Post ``data`` to ``path`` with the CSRF token of the page the form is on."""
    token = csrf_token(client, form_page or path)
    return client.post(path, data={**data, "csrf_token": token})
