"""Every route of the app, and an app with something behind each moderation route.

The fuzz and security tests enumerate ``app.url_map`` rather than listing paths by hand, so a
route added later is covered without anyone remembering to add it. Importable from any test
module (``pythonpath = ["tests"]``), like small_registry.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from flask import Flask
from moderators import PASSWORD, seed_review_queue
from small_registry import small_registry_app

from registry.moderation import Moderation
from verifier.web import create_app
from verifier.web.extensions import app_session
from verifier.web.limits import limiter

_ARGUMENT = re.compile(r"<(?:([a-z]+)(?:\([^)]*\))?:)?([a-z_]+)>")


@dataclass(frozen=True)
class Route:
    method: str
    rule: str

    @property
    def is_api(self) -> bool:
        """Answers JSON (CONTRACT.md, "HTTP API"): the API and the health check."""
        return self.rule.startswith(("/api/v1", "/healthz"))

    @property
    def is_mod(self) -> bool:
        return self.rule.startswith(("/mod", "/api/v1/mod"))

    def path(self, text: str = "icbc", number: str = "1") -> str:
        """The rule with ``text`` (percent-encoded from UTF-8, lone surrogates as their invalid
        bytes) in each text argument and ``number`` in each integer argument."""
        encoded = quote(text.encode("utf-8", "surrogatepass"), safe="")

        def fill(match: re.Match[str]) -> str:
            return number if match.group(1) == "int" else encoded

        return _ARGUMENT.sub(fill, self.rule)

    def __str__(self) -> str:
        return f"{self.method} {self.rule}"


def app_routes() -> list[Route]:
    """(method, rule) of every view but the static files, from a throwaway app's URL map."""
    app = create_app(
        {
            "VERIFIER_ENV": "testing",
            "VERIFIER_DATABASE_URL": "sqlite://",
            "VERIFIER_SETUP_ON_START": False,
        }
    )
    try:
        return sorted(
            (
                Route(method, rule.rule)
                for rule in app.url_map.iter_rules()
                if rule.endpoint != "static"
                for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
            ),
            key=str,
        )
    finally:
        app.extensions["verifier.engine"].dispose()


@dataclass(frozen=True)
class Seeded:
    """What moderated_app put in the database."""

    token: str  # alice's API token
    proposal: int  # bob's pending proposal
    report: int  # an open report group


@contextmanager
def moderated_app(url: str) -> Iterator[tuple[Flask, Seeded]]:
    """The small registry with moderators alice and bob and admin root, a pending proposal by
    bob, an open report, and rate limits no test run reaches (a 429 would hide the answer)."""
    with pytest.MonkeyPatch.context() as env:
        for name in (
            "VERIFIER_RATE_LIMIT",
            "VERIFIER_REPORT_RATE_LIMIT",
            "VERIFIER_LOGIN_RATE_LIMIT",
        ):
            env.setenv(name, "1000000/minute")
        with small_registry_app(url) as app:
            with app.app_context():
                limiter.reset()
            with app_session(app) as session:
                moderation = Moderation(session)
                proposal, report = seed_review_queue(moderation)
                moderation.create_user("root", "admin", PASSWORD)
                token = moderation.new_token("alice")
                session.commit()
                seeded = Seeded(token, proposal.id, report.id)
            try:
                yield app, seeded
            finally:
                with app.app_context():
                    limiter.reset()
