"""Moderation's constants and small helpers: times, audit lines, token hashes, free text."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

from registry.models import AuditRow, UserRow
from registry.moderation.errors import Forbidden, Invalid

ROLES = ("moderator", "admin")
#: What a proposal can do; "import" is a whole registry file as one batch.
ACTIONS = (
    "add_channel",
    "edit_channel",
    "retire_channel",
    "add_platform",
    "edit_platform",
    "add_blocklist",
    "remove_blocklist",
    "import",
)
STATUSES = ("pending", "approved", "rejected", "withdrawn")
REPORT_STATUSES = ("open", "confirmed", "rejected", "duplicate")
#: The actor recorded for a command run on the server without a user (shell access to the
#: database is already every power there is; the audit log still says who acted).
OPERATOR = "operator"
#: Failed logins in a row before an account is locked for LOCK_MINUTES.
MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 10
USER_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")
TOKEN_PREFIX = "cvt_"  # noqa: S105 -- a marker at the start of every token, not a secret
#: Longest free text kept from a report (its text, where it was seen) and from a note.
MAX_TEXT = 4000
SINGLE_APPROVAL = "single_approval"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def aware(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives back naive datetimes for timezone-aware columns: they were stored in UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment


def iso_time(moment: dt.datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z`` (no ``+``, which a query string would turn into a space)."""
    found = aware(moment)
    return found.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if found else None


def parse_moment(text: str, end_of_day: bool = False) -> dt.datetime:
    """A date (``2026-11-01``) or an ISO 8601 time as an aware UTC moment; without an offset it
    is UTC. With ``end_of_day`` a date alone means the end of that day ("until 2026-11-01"
    includes that day). Raises :class:`Invalid`."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text) + dt.timedelta(days=1 if end_of_day else 0)
            return dt.datetime.combine(day, dt.time.min, dt.UTC)
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise Invalid(
            f"{text[:40]!r} is not an ISO 8601 date or time such as 2026-11-01 or "
            "2026-11-01T08:00:00Z"
        ) from None
    return aware(moment).astimezone(dt.UTC)  # type: ignore[union-attr]


def audit_entry(row: AuditRow) -> dict[str, Any]:
    """One audit line as every export shows it: ``at`` (ISO 8601 UTC), ``actor``, ``action``,
    ``target``, ``before``, ``after``."""
    return {
        "at": iso_time(row.at),
        "actor": row.actor,
        "action": row.action,
        "target": row.target,
        "before": row.before,
        "after": row.after,
    }


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _require_active(actor: UserRow) -> None:
    if not actor.active:
        raise Forbidden(f"user {actor.name!r} is disabled")


def _clean_text(value: Any, field: str, *, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(f"'{field}' must be text")
    value = "".join(c for c in value if c.isprintable() or c in "\n\t").strip()
    if required and not value:
        raise Invalid(f"'{field}' is required")
    if len(value) > MAX_TEXT:
        raise Invalid(f"'{field}' is longer than {MAX_TEXT} characters")
    return str(value)
