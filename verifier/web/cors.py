"""Cross-origin access to the JSON API for the origins in VERIFIER_CORS_ORIGINS.

A page or browser extension from a listed origin (``chrome-extension://<id>``,
``https://partner.example``) may call the public API from a browser; for every other origin
the answers carry no ``Access-Control-Allow-Origin``, so the browser keeps them from the calling
page, and a preflight gets no allow headers, so the browser never sends the request.

Which paths: the public API under /api/v1 and /healthz. Not the moderation API
(/api/v1/mod/...): moderators' programs are not web pages, and a moderator's token has no
business inside one; with no CORS there, a script that got hold of a token in some page still
cannot drive moderation from a visitor's browser. Not the pages for people either.

No credentials are ever allowed: the API reads no cookie, so there is nothing a page could make
a browser send on a visitor's behalf, and ``Access-Control-Allow-Origin`` always names the one
origin that asked, never ``*``.

Written by hand rather than with Flask-Cors, whose answers do not fit here: it sends
``Vary: Origin`` only when more than one origin is configured, and never on an answer to an
unlisted origin, so a shared cache could hand a listed origin the copy it stored for another.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request

__all__ = ["ALLOW_HEADERS", "ALLOW_METHODS", "EXPOSE_HEADERS", "MAX_AGE", "init_app"]

ALLOW_METHODS = "GET, POST, OPTIONS"
ALLOW_HEADERS = "Content-Type, X-API-Key, If-None-Match"
#: What a calling script may read besides the simple headers: caching and rate-limit state.
EXPOSE_HEADERS = "ETag, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
#: Seconds a browser may reuse a preflight's answer: Chromium's ceiling (two hours).
MAX_AGE = "7200"


def is_cross_origin_path(path: str) -> bool:
    """Whether listed origins may call ``path`` from a browser."""
    if path == "/healthz":
        return True
    return path.startswith("/api/v1/") and not (path + "/").startswith("/api/v1/mod/")


def init_app(app: Flask) -> None:
    @app.after_request
    def add_cors_headers(response: Response) -> Response:
        origins: tuple[str, ...] = current_app.config["VERIFIER_CORS_ORIGINS"]
        if not origins or not is_cross_origin_path(request.path):
            return response
        # The answer differs by Origin even when it carries no CORS header: caches must know.
        response.vary.add("Origin")
        origin = request.environ.get("HTTP_ORIGIN", "")
        # Browsers send scheme and host in lower case; the configured list is lower-cased too.
        if origin.lower() not in origins:
            return response
        headers = response.headers
        headers["Access-Control-Allow-Origin"] = origin
        headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            headers["Access-Control-Allow-Methods"] = ALLOW_METHODS
            headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS
            headers["Access-Control-Max-Age"] = MAX_AGE
        return response
