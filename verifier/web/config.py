"""Configuration: defaults in code, then VERIFIER_* environment variables, then a test's mapping."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from limits import parse_many
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

__all__ = [
    "ApiKey",
    "ConfigError",
    "api_key_entry",
    "load_config",
    "parse_api_keys",
    "parse_origins",
]

DEFAULTS: dict[str, Any] = {
    "VERIFIER_ENV": "development",
    "VERIFIER_DATABASE_URL": None,  # a SQLite file in the instance folder
    #: A read replica of that database. When set, each worker reads the registry version and
    #: builds its index (what checks, scans, the snapshot and lookups answer from) there, so a
    #: change reaches the checks after the replica's lag on top of the refresh interval.
    #: Everything else, writes and the set-up on start among them, stays on the primary.
    "VERIFIER_DATABASE_REPLICA_URL": None,
    "VERIFIER_SECRET_KEY": None,  # random per start in development
    #: How many reverse proxies (load balancer, ingress) stand in front of the server and append
    #: to X-Forwarded-For / set X-Forwarded-Proto. 0 trusts no such header: the client is the
    #: connecting address. Set it to exactly the number of proxies, never more, or a client
    #: could choose its own address (and so its rate-limit counter).
    "VERIFIER_TRUSTED_PROXIES": 0,
    "VERIFIER_DEFAULT_REGION": "CN",
    "VERIFIER_RATE_LIMIT": "600/minute",
    "VERIFIER_RATE_LIMIT_STORAGE_URL": "memory://",
    #: Space-separated exact origins (``scheme://host[:port]``) whose pages may call the API.
    "VERIFIER_CORS_ORIGINS": "",
    #: Space-separated ``name:sha256hex:limit`` entries; ``verifier apikey new`` prints one.
    "VERIFIER_API_KEYS": "",
    #: How often a worker reads the registry version to decide whether to rebuild its index.
    "VERIFIER_INDEX_REFRESH_SECONDS": 1.0,
    #: How often a worker adds its counts of checked community entries to the database (the
    #: moderators' list of them); 0 writes after every request that counted one.
    "VERIFIER_CHECK_COUNT_FLUSH_SECONDS": 60.0,
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


@dataclass(frozen=True)
class ApiKey:
    """One integration's API key, as configured in VERIFIER_API_KEYS."""

    #: Who holds the key; names its rate-limit counter. ``[A-Za-z0-9_.-]``, at most 64.
    name: str
    #: The SHA-256 of the key, 64 lower-case hex digits; the key itself is never configured.
    sha256: str
    #: The key's own limit, Flask-Limiter syntax without spaces (``6000/minute;100000/day``).
    limit: str


_KEY_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
# An origin as a browser sends it: scheme, host and maybe a port; no path, no slash at the end.
_ORIGIN = re.compile(r"[a-z][a-z0-9+.-]*://[^/?#\s@]+")
#: The limits set by one setting each, checked at start rather than at the first request.
_RATE_LIMITS = ("VERIFIER_RATE_LIMIT", "VERIFIER_REPORT_RATE_LIMIT", "VERIFIER_LOGIN_RATE_LIMIT")


def _check_limit(limit: str, what: str) -> None:
    try:
        parse_many(limit)
    except ValueError:
        raise ConfigError(
            f"{what}: {limit!r} is not a rate limit; write it like 600/minute or 10/minute;100/day"
        ) from None


def _check_api_key(name: str, limit: str, where: str) -> None:
    if not _KEY_NAME.fullmatch(name):
        raise ConfigError(f"{where}key name {name[:80]!r} must be 1-64 letters, digits, _ . -")
    if any(char.isspace() for char in limit):
        raise ConfigError(
            f"{where}the limit of key {name!r} must be one word, like 6000/minute;100000/day"
        )
    _check_limit(limit, f"{where}the limit of key {name!r}")


def api_key_entry(name: str, sha256: str, limit: str) -> str:
    """The VERIFIER_API_KEYS entry for one key; ConfigError says what is wrong with it."""
    _check_api_key(name, limit, "")
    entry = f"{name}:{sha256}:{limit}"
    parse_api_keys(entry)  # it must read back as written
    return entry


def parse_api_keys(text: str) -> tuple[ApiKey, ...]:
    """Read VERIFIER_API_KEYS: space-separated ``name:sha256hex:limit`` entries.

    >>> parse_api_keys("partner1:" + "ab" * 32 + ":6000/minute")[0].limit
    '6000/minute'
    """
    where = "VERIFIER_API_KEYS: "
    keys: list[ApiKey] = []
    for entry in text.split():
        parts = entry.split(":")
        if len(parts) != 3:
            raise ConfigError(
                f"{where}{entry[:80]!r} is not name:sha256hex:limit "
                "(`verifier apikey new NAME` prints a ready entry)"
            )
        name, sha256, limit = parts[0], parts[1].lower(), parts[2]
        _check_api_key(name, limit, where)
        if not _SHA256_HEX.fullmatch(sha256):
            raise ConfigError(f"{where}the hash of key {name!r} must be 64 hex digits (SHA-256)")
        if any(key.name == name for key in keys):
            raise ConfigError(f"{where}key name {name!r} is given twice")
        if any(key.sha256 == sha256 for key in keys):
            raise ConfigError(f"{where}key {name!r} has the same hash as another key")
        keys.append(ApiKey(name, sha256, limit))
    return tuple(keys)


def parse_origins(text: str) -> tuple[str, ...]:
    """Read VERIFIER_CORS_ORIGINS: space-separated exact origins, compared in lower case."""
    origins = []
    for origin in text.lower().split():
        # No "*" and no "null": either would let any web page (or any sandboxed frame, file or
        # data: page) call the API in a visitor's browser, which is what the list is there to stop.
        if not _ORIGIN.fullmatch(origin):
            raise ConfigError(
                f"VERIFIER_CORS_ORIGINS: {origin[:80]!r} is not an origin; write it like "
                "https://partner.example or chrome-extension://<id>, without a path or a slash"
            )
        origins.append(origin)
    return tuple(dict.fromkeys(origins))


def _replica_url(url: str | None) -> str | None:
    """VERIFIER_DATABASE_REPLICA_URL, or None when unset or empty (no replica)."""
    if not url:
        return None
    try:
        make_url(url)
    except ArgumentError:
        # Not the URL itself in the message: it may carry a password.
        raise ConfigError(
            "VERIFIER_DATABASE_REPLICA_URL is not a database URL; write it like "
            "postgresql+psycopg://user:password@replica.internal:5432/verifier"
        ) from None
    return url


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
    config["VERIFIER_DATABASE_REPLICA_URL"] = _replica_url(config["VERIFIER_DATABASE_REPLICA_URL"])
    config["VERIFIER_INDEX_REFRESH_SECONDS"] = float(config["VERIFIER_INDEX_REFRESH_SECONDS"])
    try:
        flush = float(config["VERIFIER_CHECK_COUNT_FLUSH_SECONDS"])
    except ValueError:
        flush = -1.0
    if not flush >= 0:  # also refuses NaN
        raise ConfigError(
            "VERIFIER_CHECK_COUNT_FLUSH_SECONDS must be a number of seconds, 0 or more"
        )
    config["VERIFIER_CHECK_COUNT_FLUSH_SECONDS"] = flush
    try:
        config["VERIFIER_TRUSTED_PROXIES"] = int(config["VERIFIER_TRUSTED_PROXIES"] or 0)
    except ValueError:
        config["VERIFIER_TRUSTED_PROXIES"] = -1
    if not 0 <= config["VERIFIER_TRUSTED_PROXIES"] <= 5:
        raise ConfigError("VERIFIER_TRUSTED_PROXIES must be a whole number from 0 to 5")
    try:
        config["VERIFIER_REVERIFY_DAYS"] = int(config["VERIFIER_REVERIFY_DAYS"])
    except ValueError as exc:
        raise ConfigError("VERIFIER_REVERIFY_DAYS must be a whole number of days") from exc
    for key in _RATE_LIMITS:
        # Empty switches a limit off (a gateway in front may do the limiting).
        if config[key]:
            _check_limit(str(config[key]), key)
    config["VERIFIER_API_KEYS"] = parse_api_keys(str(config["VERIFIER_API_KEYS"]))
    origins = config["VERIFIER_CORS_ORIGINS"]  # a string, or a list from a test
    config["VERIFIER_CORS_ORIGINS"] = parse_origins(
        origins if isinstance(origins, str) else " ".join(origins)
    )
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
