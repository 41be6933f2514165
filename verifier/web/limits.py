"""Per-client rate limits (Flask-Limiter).

Only the endpoints that write or that an attacker would hammer are limited here (public scam
reports, logins); a refused request answers 429 with ``Retry-After``, as JSON under /api and as a
page elsewhere (verifier.web.errors). Counters live in VERIFIER_RATE_LIMIT_STORAGE_URL:
``memory://`` keeps them per worker, a Redis URL shares them between workers and hosts.
"""

from __future__ import annotations

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

__all__ = ["init_app", "limiter", "login_limit", "report_limit"]

# The client is the connecting address. Behind a reverse proxy, run with a ProxyFix that trusts
# exactly that proxy, or every client shares the proxy's address and one limit.
limiter = Limiter(key_func=get_remote_address, headers_enabled=True, strategy="fixed-window")


def report_limit() -> str:
    return str(current_app.config["VERIFIER_REPORT_RATE_LIMIT"])


def login_limit() -> str:
    return str(current_app.config["VERIFIER_LOGIN_RATE_LIMIT"])


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["VERIFIER_RATE_LIMIT_STORAGE_URL"])
    limiter.init_app(app)
