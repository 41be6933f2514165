"""Configuration: defaults in code, then VERIFIER_* environment variables, then a test's mapping."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["ConfigError", "load_config"]

DEFAULTS: dict[str, Any] = {
    "VERIFIER_ENV": "development",
    "VERIFIER_DATABASE_URL": None,  # a SQLite file in the instance folder
    "VERIFIER_SECRET_KEY": None,  # random per start in development
    "VERIFIER_DEFAULT_REGION": "CN",
    "VERIFIER_RATE_LIMIT": "600/minute",
    "VERIFIER_RATE_LIMIT_STORAGE_URL": "memory://",
    "VERIFIER_CORS_ORIGINS": "",
    #: How often a worker reads the registry version to decide whether to rebuild its index.
    "VERIFIER_INDEX_REFRESH_SECONDS": 1.0,
    #: Upgrade the schema and load the bundled registry into an empty database on start.
    "VERIFIER_SETUP_ON_START": True,
    #: Channels last verified longer ago than this many days are listed as due for re-checking.
    "VERIFIER_REVERIFY_DAYS": 365,
    #: Public scam reports allowed per client (Flask-Limiter syntax).
    "VERIFIER_REPORT_RATE_LIMIT": "10/minute;100/day",
    #: Login attempts allowed per client, on top of the per-account lock after 5 failures.
    "VERIFIER_LOGIN_RATE_LIMIT": "10/minute",
}


class ConfigError(RuntimeError):
    """The configuration is unsafe or unusable; the message says what to set."""


def load_config(instance_path: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Merge defaults, the environment and ``overrides`` into Flask config keys."""
    config = dict(DEFAULTS)
    for key in DEFAULTS:
        if key in os.environ:
            config[key] = os.environ[key]
    config.update(overrides or {})
    if config["VERIFIER_ENV"] not in ("development", "production", "testing"):
        raise ConfigError("VERIFIER_ENV must be development or production")
    production = config["VERIFIER_ENV"] == "production"
    if not config["VERIFIER_SECRET_KEY"]:
        if production:
            raise ConfigError("VERIFIER_SECRET_KEY must be set when VERIFIER_ENV=production")
        config["VERIFIER_SECRET_KEY"] = secrets.token_hex(32)
    if not config["VERIFIER_DATABASE_URL"]:
        config["VERIFIER_DATABASE_URL"] = "sqlite:///" + str(
            Path(instance_path) / "verifier.sqlite3"
        )
    config["VERIFIER_INDEX_REFRESH_SECONDS"] = float(config["VERIFIER_INDEX_REFRESH_SECONDS"])
    try:
        config["VERIFIER_REVERIFY_DAYS"] = int(config["VERIFIER_REVERIFY_DAYS"])
    except ValueError as exc:
        raise ConfigError("VERIFIER_REVERIFY_DAYS must be a whole number of days") from exc
    config["VERIFIER_SETUP_ON_START"] = str(config["VERIFIER_SETUP_ON_START"]).lower() not in (
        "0",
        "false",
        "no",
    )
    config["SECRET_KEY"] = config["VERIFIER_SECRET_KEY"]
    config["SESSION_COOKIE_HTTPONLY"] = True
    config["SESSION_COOKIE_SAMESITE"] = "Lax"
    config["SESSION_COOKIE_SECURE"] = production
    # A form's CSRF token stays good for the browser session rather than Flask-WTF's hour: people
    # leave the page open and paste a message later, and a refused form would lose what they
    # pasted. The token still proves the form came from one of our pages.
    config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    # Checks are small; a batch of 1000 values fits easily. Anything bigger is refused with 413.
    config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    config["JSON_SORT_KEYS"] = False
    return config
