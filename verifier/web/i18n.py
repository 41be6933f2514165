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
    asked = request.args.get("lang") or request.cookies.get(LANG_COOKIE)
    if asked in LANGUAGES:
        return asked
    return _language_for(request.headers.get("Accept-Language", ""))


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
        asked = request.args.get("lang")
        if asked in LANGUAGES and request.cookies.get(LANG_COOKIE) != asked:
            response.set_cookie(
                LANG_COOKIE, asked, max_age=365 * 86400, samesite="Lax", httponly=True
            )
        return response
