"""Moderator accounts and logged-in form posts for the /mod and login page tests.

Importable from any test module (``pythonpath = ["tests"]``), like small_registry.py.
"""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from small_registry import SOURCE
from werkzeug.test import TestResponse

from registry.models import ProposalRow, ReportRow
from registry.moderation import Moderation
from verifier.web.extensions import app_session

PASSWORD = "correct horse battery staple"


def seed_review_queue(moderation: Moderation) -> tuple[ProposalRow, ReportRow]:
    """Moderators alice and bob, Bob's pending new hotline for icbc, and one open report of a
    number presented as ICBC's: something on every moderation list. The caller commits."""
    moderation.create_user("alice", "moderator", PASSWORD)
    bob = moderation.create_user("bob", "moderator", PASSWORD)
    proposal = moderation.propose(
        bob,
        "add_channel",
        note="the bank's new hotline",
        platform="icbc",
        channel={
            "kind": "phone",
            "value": "+86 400 123 4567",
            "source": SOURCE,
            "verified_on": "2026-11-01",
        },
    )
    report = moderation.submit_report(
        kind="phone",
        value="+864009992222",
        input="400-999-2222",
        text="said it was the bank",
        seen_at="SMS",
        claimed_platform="icbc",
    )
    return proposal, report


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
