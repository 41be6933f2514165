"""The moderators' area under /mod: the blueprint, its login guard and the helpers its views
share (see the package for how the views work)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, request

from registry.models import UserRow
from registry.moderation import Invalid, ModerationError, aware, utcnow
from verifier.web.auth import current_moderator, require_login
from verifier.web.extensions import db_session

__all__ = ["bp", "commit", "field", "me", "revision", "today"]

# Row ids in paths are written <int(max=2147483647):…>, as in mod_api: ids are 32-bit integers
# in PostgreSQL, and a larger one reached the database and failed there with a 500.
bp = Blueprint("mod", __name__, url_prefix="/mod")
bp.before_request(require_login)

T = TypeVar("T")

# --- helpers ---------------------------------------------------------------------------------


def me() -> UserRow:
    return current_moderator().row


def commit(operation: Callable[[], T]) -> T:
    """Run one service operation: commit what it did, or roll it back and re-raise."""
    try:
        result = operation()
    except ModerationError:
        db_session().rollback()
        raise
    db_session().commit()
    return result


def field(name: str) -> str:
    return request.form.get(name, "").strip()


def revision() -> int:
    """The revision of the entry the moderator saw, from the edit form's hidden field."""
    value = request.form.get("revision", "")
    if not value.isdigit():
        raise Invalid("the form lacks the entry's revision: reload the page and try again")
    return int(value)


def today() -> str:
    return utcnow().date().isoformat()


@bp.app_template_filter("mod_time")
def mod_time(moment: dt.datetime | None) -> str:
    """A stored moment as people read it, in UTC."""
    found = aware(moment)
    return found.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if found else ""


@bp.app_template_filter("mod_value")
def mod_value(value: Any) -> str:
    """A diff or audit value as text (autoescaped by the template): nested values as JSON."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, indent=1, default=str)
