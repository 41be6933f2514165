"""Errors: JSON for programs (under /api and /healthz), readable pages for people."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeout
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

from verifier.web.extensions import (
    RETRY_AFTER_SECONDS,
    RegistryUnavailable,
    database_unreachable,
    short_reason,
)

__all__ = ["ApiError", "init_app", "json_error"]

log = logging.getLogger(__name__)

_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """An error to answer as JSON: ``{"error": {"code", "message"}}`` with ``status``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def json_error(status: int, code: str, message: str) -> tuple[Response, int]:
    return jsonify({"error": {"code": code, "message": message}}), status


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/healthz"))


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def handle_api_error(error: ApiError):  # type: ignore[no-untyped-def]
        return json_error(error.status, error.code, error.message)

    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException):  # type: ignore[no-untyped-def]
        status = error.code or 500
        if _wants_json():
            answer, _ = json_error(
                status, _CODES.get(status, "error"), error.description or error.name
            )
            if isinstance(error, MethodNotAllowed) and error.valid_methods:
                # RFC 9110: a 405 names the methods the resource does allow.
                answer.headers["Allow"] = ", ".join(error.valid_methods)
            return answer, status
        # A refused CSRF token gets its own words: the person only has to reload and resend.
        expired_form = isinstance(error, CSRFError)
        return render_template(
            "pages/error.html", status=status, error=error, expired_form=expired_form
        ), status

    @app.errorhandler(RegistryUnavailable)
    def handle_no_index(error: RegistryUnavailable):  # type: ignore[no-untyped-def]
        return _unavailable("no registry index yet: the database cannot be reached")

    @app.errorhandler(DBAPIError)
    @app.errorhandler(SQLAlchemyTimeout)
    def handle_database(error: Exception):  # type: ignore[no-untyped-def]
        if not database_unreachable(error):
            return handle_unexpected(error)
        # An outage, not a bug: one line in the log (the same line for every request), and a
        # 503 that says to come back, never a traceback.
        log.error(
            "database unreachable on %s %s: %s", request.method, request.path, short_reason(error)
        )
        return _unavailable("the database cannot be reached; nothing was changed")

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):  # type: ignore[no-untyped-def]
        # Never a traceback to a user: log it, answer a plain 500.
        log.exception("unhandled error on %s", request.path)
        if _wants_json():
            return json_error(500, "internal_error", "The server failed; the error was logged.")
        wrapped = InternalServerError()
        return render_template("pages/error.html", status=500, error=wrapped), 500


def _unavailable(message: str) -> tuple[Response, int]:
    """503 with Retry-After: JSON for programs, a page for people."""
    if _wants_json():
        answer, status = json_error(503, "unavailable", f"{message}; try again later")
    else:
        page = render_template("pages/error.html", status=503, error=None)
        answer, status = Response(page, mimetype="text/html"), 503
    answer.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return answer, status
