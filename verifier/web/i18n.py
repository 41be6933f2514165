"""Language choice: Chinese first, English one click away (Flask-Babel catalogues)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import Flask, request
from flask_babel import Babel
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

__all__ = ["LANGUAGES", "current_language", "init_app"]

LANGUAGES = ("zh", "en")
LANG_COOKIE = "lang"


def current_language() -> str:
    """``?lang=`` first, then the cookie set by the language link, then Accept-Language, then zh."""
    # Membership first, and the raw environ for headers: a missing key's get() on Werkzeug's
    # MultiDict or headers builds an exception, and most requests name no language at all.
    args, environ = request.args, request.environ
    asked = args["lang"] if "lang" in args else None  # noqa: SIM401 -- see above
    if not asked and "HTTP_COOKIE" in environ:
        asked = request.cookies.get(LANG_COOKIE)
    if asked in LANGUAGES:
        return asked
    return _language_for(environ.get("HTTP_ACCEPT_LANGUAGE", ""))


@lru_cache(maxsize=512)
def _language_for(accept_language: str) -> str:
    """The language an Accept-Language header asks for. Clients send a few distinct headers
    over and over, so each is parsed once (a tenth of a check request's cost otherwise); the
    cache is bounded, and gunicorn bounds a header's size."""
    accepted = parse_accept_header(accept_language, LanguageAccept)
    best = accepted.best_match(["zh", "zh-CN", "en"], default="zh")
    return "en" if best.startswith("en") else "zh"


def init_app(app: Flask) -> None:
    Babel(
        app,
        locale_selector=current_language,
        default_translation_directories=str(
            Path(__file__).resolve().parent.parent / "translations"
        ),
    )

    @app.after_request
    def remember_language(response):  # type: ignore[no-untyped-def]
        asked = request.args["lang"] if "lang" in request.args else None  # noqa: SIM401
        if asked in LANGUAGES and request.cookies.get(LANG_COOKIE) != asked:
            response.set_cookie(
                LANG_COOKIE, asked, max_age=365 * 86400, samesite="Lax", httponly=True
            )
        return response
