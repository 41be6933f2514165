"""The refusals the moderation service raises, each with the HTTP-like status the API answers."""

from __future__ import annotations


class ModerationError(Exception):
    """A refused moderation request; ``status`` and ``code`` are what the API answers."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class Invalid(ModerationError):
    status, code = 400, "invalid"


class Forbidden(ModerationError):
    status, code = 403, "forbidden"


class NotFound(ModerationError):
    status, code = 404, "not_found"


class Conflict(ModerationError):
    status, code = 409, "conflict"
