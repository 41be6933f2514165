"""Per-client rate limits (Flask-Limiter) and the integrations' API keys.

The public JSON API (the ``api`` and ``registry_api`` blueprints: checks, batches, scans,
platforms, snapshot, lookup) counts each client against one limit shared by all its endpoints,
VERIFIER_RATE_LIMIT. A batch of checks counts one per 100 values it holds, started: a batch of
1000 costs 10, so batching saves round trips but does not multiply what a client may check.
Preflights (OPTIONS), /healthz and the pages for people are not counted by it.

An integration may send ``X-API-Key``: a key configured in VERIFIER_API_KEYS is counted on its
own against its own limit instead of the client address; a key that is not configured is
refused with 401 rather than quietly treated as no key, so its holder learns it is wrong.

Public scam reports and logins have their own, stricter limits. A refused request answers 429
with ``Retry-After``, as JSON under /api and as a page elsewhere (verifier.web.errors).
Counters live in VERIFIER_RATE_LIMIT_STORAGE_URL: ``memory://`` keeps them per worker (so
``--workers 4`` allows four times the limit), a ``redis://`` URL shares them between workers and
hosts (it needs the ``redis`` package).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from functools import partial
from typing import Any

from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits.errors import ConfigurationError as LimitsConfigurationError
from werkzeug.exceptions import HTTPException

from verifier.web.config import ApiKey, ConfigError
from verifier.web.errors import ApiError

__all__ = [
    "API_KEY_HEADER",
    "BATCH_VALUES_PER_HIT",
    "PUBLIC_API_BLUEPRINTS",
    "init_app",
    "limiter",
    "login_limit",
    "presented_api_key",
    "report_limit",
]

# The client is the connecting address: behind reverse proxies, the one the nearest proxy
# forwarded when VERIFIER_TRUSTED_PROXIES says how many there are (create_app's ProxyFix).
# A moving window counts the last minute (or hour, or day) at every moment: no double burst
# across a window's edge, and a refused request costs nothing, so a batch too dear for what is
# left does not use up what is left.
limiter = Limiter(key_func=get_remote_address, headers_enabled=True, strategy="moving-window")

#: The blueprints whose every request counts against VERIFIER_RATE_LIMIT or the key's limit,
#: and where ``X-API-Key`` is read (a wrong one refused).
PUBLIC_API_BLUEPRINTS = frozenset({"api", "registry_api"})
API_KEY_HEADER = "X-API-Key"
#: The header as WSGI names it: ``in request.headers`` would build an exception when absent.
_API_KEY_ENVIRON = "HTTP_" + API_KEY_HEADER.upper().replace("-", "_")
#: A batch of checks counts one request per this many values, started.
BATCH_VALUES_PER_HIT = 100


def report_limit() -> str:
    return str(current_app.config["VERIFIER_REPORT_RATE_LIMIT"])


def login_limit() -> str:
    return str(current_app.config["VERIFIER_LOGIN_RATE_LIMIT"])


def presented_api_key() -> ApiKey | None:
    """The configured key in this request's ``X-API-Key``; None without one, or a wrong one."""
    if "verifier_api_key" not in g:
        g.verifier_api_key = _configured_key(request.headers.get(API_KEY_HEADER))
    key: ApiKey | None = g.verifier_api_key
    return key


def _configured_key(presented: str | None) -> ApiKey | None:
    if presented is None:
        return None
    digest = hashlib.sha256(presented.encode()).hexdigest()
    found = None
    for key in current_app.config["VERIFIER_API_KEYS"]:
        # Constant time for each entry, and every entry compared: how long the answer takes
        # tells a guesser nothing about how close a guess came.
        if hmac.compare_digest(digest, key.sha256):
            found = key
    return found


def _public_api_limit() -> str:
    key = presented_api_key()
    return key.limit if key else str(current_app.config["VERIFIER_RATE_LIMIT"])


def _public_api_client() -> str:
    key = presented_api_key()
    # "key:" cannot be mistaken for an address, so a key never shares an address's counter.
    return f"key:{key.name}" if key else get_remote_address()


def _request_cost() -> int:
    """What this request counts against the public API limit."""
    if request.endpoint != "api.check_batch" or not request.is_json:
        return 1
    try:
        body = request.get_json(silent=True)  # cached: the view reads it again for free
    except (RecursionError, HTTPException):
        # Nested too deep, or bigger than MAX_CONTENT_LENGTH: the view meets the same error and
        # answers it (400, 413); raised here, it would look like a failure of the limiter.
        return 1
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list):
        return 1
    return max(1, -(-len(items) // BATCH_VALUES_PER_HIT))


def _is_preflight() -> bool:
    # A browser sends a preflight before each cross-origin POST with a JSON body: limiting it
    # would make a client's n-th check fail in the browser as a CORS error, not a readable 429.
    return request.method == "OPTIONS"


_limit = limiter.shared_limit(
    _public_api_limit,
    scope="public-api",
    key_func=_public_api_client,
    cost=_request_cost,
    exempt_when=_is_preflight,
    error_message="too many requests from this client; try again after Retry-After seconds",
)


def init_app(app: Flask) -> None:
    # The API blueprints do not import this module, so that their views carry no limiter
    # decorations; the limit is attached here, to every view they have. Attaching the same limit
    # again (one app per test) changes nothing: Flask-Limiter keeps a blueprint's limits in a set.
    from verifier.web import api, registry_api

    for blueprint in (api.bp, registry_api.bp):
        assert blueprint.name in PUBLIC_API_BLUEPRINTS  # noqa: S101 -- one list of them
        _limit(blueprint)
    url = str(app.config["VERIFIER_RATE_LIMIT_STORAGE_URL"])
    app.config.setdefault("RATELIMIT_STORAGE_URI", url)
    try:
        limiter.init_app(app)
    except LimitsConfigurationError as exc:  # an unknown scheme, or redis:// without redis
        # The URL may hold a password: the message never repeats it.
        reason = str(exc).replace(url, "the URL")
        raise ConfigError(f"VERIFIER_RATE_LIMIT_STORAGE_URL: {reason}") from None
    if not app.config["VERIFIER_RATE_LIMIT"] and not app.config["VERIFIER_API_KEYS"]:
        _skip_limiter_on_public_api(app)

    # Registered after the limiter's own hook: a wrong key is counted against its client's
    # address first, so guessing keys is rate limited like everything else.
    @app.before_request
    def refuse_unknown_api_key() -> None:
        if (
            request.blueprint in PUBLIC_API_BLUEPRINTS
            and not _is_preflight()
            and _API_KEY_ENVIRON in request.environ
            and presented_api_key() is None
        ):
            raise ApiError(
                401,
                "bad_api_key",
                f"the {API_KEY_HEADER} header holds no key this server knows; "
                "send none to be counted as an anonymous client",
            )


def _skip_limiter_on_public_api(app: Flask) -> None:
    """No limit applies to a public API request (VERIFIER_RATE_LIMIT empty and no API key
    configured): the limiter's hooks are not run for one at all. Their per-request work, even
    when a filter would exempt the request in the end, is a tenth of a check request's cost.
    Reports and logins are not public API requests: their limits stay.

    The limiter is shared by every app of the process (tests build many), so this is decided
    per app, in its own hook lists, rather than by exempting the blueprints on the limiter.
    """

    def is_limiters(hook: object) -> bool:
        if isinstance(hook, partial):  # its after_request hook: partial(Limiter.__inject…, self)
            return bool(hook.args) and hook.args[0] is limiter
        return getattr(hook, "__self__", None) is limiter

    def unless_public_api(hook: Callable[..., Any], passed_through: bool) -> Callable[..., Any]:
        def hook_unless_public_api(*args: Any) -> Any:
            if request.blueprint in PUBLIC_API_BLUEPRINTS:
                return args[0] if passed_through else None  # after_request gets the response
            return hook(*args)

        return hook_unless_public_api

    found = 0
    for hooks, passed_through in (
        (app.before_request_funcs.setdefault(None, []), False),
        (app.after_request_funcs.setdefault(None, []), True),
        (app.teardown_request_funcs.setdefault(None, []), False),
    ):
        for at, hook in enumerate(hooks):
            if is_limiters(hook):
                hooks[at] = unless_public_api(hook, passed_through)
                found += 1
    if found != 3:  # pragma: no cover -- only if Flask-Limiter registers its hooks otherwise
        raise RuntimeError(f"expected Flask-Limiter's 3 request hooks, found {found}")
