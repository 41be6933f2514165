"""The moderation API under /api/v1/mod (CONTRACT.md), authenticated by bearer tokens.

Every call names its moderator with ``Authorization: Bearer <token>`` (``verifier users token``);
the work itself is :class:`registry.moderation.Moderation`'s, and each view commits or rolls back
the one unit of work it did.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request

from registry.files import channel_dict
from registry.models import ProposalRow, ReportRow, UserRow
from registry.moderation import (
    MAX_TEXT,
    Invalid,
    ModerationError,
    audit_entry,
    iso_time,
    parse_moment,
)
from registry.store import channel_record
from verifier.core.normalize import is_unicode_text
from verifier.web.api import _json_body, _text_field
from verifier.web.errors import ApiError, json_error
from verifier.web.extensions import db_session, moderation, registry_changed

__all__ = ["bp"]

bp = Blueprint("mod_api", __name__, url_prefix="/api/v1/mod")

#: Row ids are 32-bit integers in PostgreSQL: a larger one in a path is simply not found
#: (unbounded, it reached the database and failed there with a 500).
_ID = "int(max=2147483647)"
MAX_LIST = 1000


@bp.before_request
def authenticate() -> Response | None:
    """Every call carries a live token of an active user; anything else is 401."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    user = None
    if scheme.lower() == "bearer" and token.strip():
        user = moderation().user_for_token(token.strip())
    if user is None:
        response, _status = json_error(
            401, "unauthorized", "send 'Authorization: Bearer <token>' with a valid API token"
        )
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="moderation"'
        return response
    g.moderator = user
    return None


@bp.errorhandler(ModerationError)
def refused(error: ModerationError):  # type: ignore[no-untyped-def]
    db_session().rollback()
    return json_error(error.status, error.code, error.message)


def _moderator() -> UserRow:
    user: UserRow = g.moderator
    return user


def _body(*, optional: bool = False) -> dict[str, Any]:
    """The JSON object sent; ``optional``: no body at all counts as ``{}``."""
    if optional and not request.get_data(cache=True):
        return {}
    body = _json_body()
    # Lone surrogates and NUL anywhere in the body: not text, and PostgreSQL refuses NUL.
    stack: list[Any] = [body]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and (not is_unicode_text(item) or "\x00" in item):
            raise ApiError(400, "bad_field", "the body holds a string that is not valid text")
    return body


def _object(body: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = body.get(key)
    if value is not None and not isinstance(value, dict):
        raise ApiError(400, "bad_field", f"'{key}' must be an object")
    return value


def _integer(value: Any, name: str, *, low: int = 0, high: int = 2**31 - 1) -> int:
    """``value`` as a whole number in ``low..high`` (never true or false, JSON's 1 and 0)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ApiError(400, "bad_field", f"'{name}' must be a whole number from {low} to {high}")
    return value


def _query_int(name: str, default: int, high: int) -> int:
    raw = request.args.get(name) or ""
    if not raw:
        return default
    value = int(raw) if raw.isascii() and raw.isdecimal() and len(raw) < 12 else None
    return _integer(value, name, low=1, high=high)


def _arg(name: str) -> str | None:
    """A text filter from the query string; NUL is refused (PostgreSQL cannot compare it)."""
    value = request.args.get(name) or None
    if value is not None and ("\x00" in value or len(value) > 600):
        raise ApiError(400, "bad_field", f"'{name}' is not a usable filter")
    return value


def _status_filter() -> str | None:
    status = _arg("status")
    return None if status == "all" else status


def _moment(name: str, end_of_day: bool = False) -> dt.datetime | None:
    raw = request.args.get(name)
    if not raw:
        return None
    # A '+' sent unencoded in a query string arrives as a space: read it as the '+' it was.
    if len(raw) > 6 and raw[-6] == " ":
        raw = raw[:-6] + "+" + raw[-5:]
    try:
        return parse_moment(raw, end_of_day)
    except Invalid as exc:
        raise ApiError(400, "bad_field", f"'{name}': {exc.message}") from None


def _done(answer: dict[str, Any], status: int = 200) -> tuple[Response, int]:
    db_session().commit()
    return jsonify(answer), status


# --- proposals -----------------------------------------------------------------------------------


def proposal_json(row: ProposalRow) -> dict[str, Any]:
    """A proposal as the API shows it, with its diff."""
    return {
        "id": row.id,
        "action": row.action,
        "platform": row.platform or None,
        "status": row.status,
        "note": row.note,
        "payload": row.payload,
        "before": row.before,
        "diff": [
            {"field": field, "before": before, "after": after}
            for field, before, after in moderation().diff(row)
        ],
        "proposer": row.proposer.name,
        "reviewer": row.reviewer.name if row.reviewer else None,
        "reason": row.reason,
        "created_at": iso_time(row.created_at),
        "decided_at": iso_time(row.decided_at),
    }


@bp.post("/proposals")
def propose():  # type: ignore[no-untyped-def]
    """Propose a change; it takes effect when another moderator approves it."""
    body = _body()
    action = _text_field(body, "action", required=True, limit=32)
    platform = body.get("platform")
    if platform is not None and not isinstance(platform, str | dict):
        raise ApiError(400, "bad_field", "'platform' must be a slug or an object")
    revision = body.get("revision")
    replace = body.get("replace", False)
    if not isinstance(replace, bool):
        raise ApiError(400, "bad_field", "'replace' must be true or false")
    row = moderation().propose(
        _moderator(),
        str(action),
        note=_text_field(body, "note", limit=MAX_TEXT) or "",
        platform=platform,
        channel=_object(body, "channel"),
        entry=_object(body, "entry"),
        source=_text_field(body, "source", limit=MAX_TEXT) or "",
        revision=None if revision is None else _integer(revision, "revision"),
        registry=_object(body, "registry"),
        replace_all=replace,
    )
    return _done({"id": row.id, "status": row.status}, 201)


@bp.get("/proposals")
def proposals():  # type: ignore[no-untyped-def]
    """Proposals, newest first; ``status`` (default all) and ``platform`` filter them."""
    rows = moderation().proposals(
        status=_status_filter(),
        platform=_arg("platform"),
        limit=_query_int("limit", MAX_LIST, MAX_LIST),
    )
    return jsonify({"proposals": [proposal_json(row) for row in rows]})


@bp.get(f"/proposals/<{_ID}:proposal_id>")
def proposal(proposal_id: int):  # type: ignore[no-untyped-def]
    """One proposal with its diff."""
    return jsonify(proposal_json(moderation().proposal(proposal_id)))


@bp.post(f"/proposals/<{_ID}:proposal_id>/approve")
def approve(proposal_id: int):  # type: ignore[no-untyped-def]
    """Apply a proposal: public answers change at once."""
    _body(optional=True)
    row = moderation().approve(_moderator(), proposal_id)
    answer = _done({"id": row.id, "status": row.status})
    registry_changed()
    return answer


@bp.post(f"/proposals/<{_ID}:proposal_id>/reject")
def reject(proposal_id: int):  # type: ignore[no-untyped-def]
    """Refuse a proposal, with a reason."""
    reason = _text_field(_body(), "reason", limit=MAX_TEXT) or ""
    row = moderation().reject(_moderator(), proposal_id, reason)
    return _done({"id": row.id, "status": row.status})


@bp.post(f"/proposals/<{_ID}:proposal_id>/withdraw")
def withdraw(proposal_id: int):  # type: ignore[no-untyped-def]
    """Take back one's own pending proposal."""
    _body(optional=True)
    row = moderation().withdraw(_moderator(), proposal_id)
    return _done({"id": row.id, "status": row.status})


# --- public reports ------------------------------------------------------------------------------


def report_json(row: ReportRow) -> dict[str, Any]:
    """A group of public reports of one value; the reporters' words are untrusted text."""
    return {
        "id": row.id,
        "input": row.input,
        "kind": row.kind,
        "value": row.value,
        "count": row.count,
        "claimed_platform": row.claimed_platform,
        "status": row.status,
        "duplicate_of": row.duplicate_of,
        "proposal": row.proposal_id,
        "first_at": iso_time(row.first_at),
        "last_at": iso_time(row.last_at),
        "items": [
            {
                "input": item.input,
                "text": item.text,
                "seen_at": item.seen_at,
                "claimed_platform": item.claimed_platform,
                "created_at": iso_time(item.created_at),
            }
            for item in row.items
        ],
    }


@bp.get("/reports")
def reports():  # type: ignore[no-untyped-def]
    """Report groups, most reported first; ``status`` (default all) filters them."""
    rows = moderation().reports(
        status=_status_filter(), limit=_query_int("limit", MAX_LIST, MAX_LIST)
    )
    return jsonify({"reports": [report_json(row) for row in rows]})


@bp.post(f"/reports/<{_ID}:report_id>/confirm")
def confirm_report(report_id: int):  # type: ignore[no-untyped-def]
    """Confirm a report: it becomes a blocklist proposal carrying the reports as evidence."""
    note = _text_field(_body(), "note", limit=MAX_TEXT) or ""
    proposal_row = moderation().confirm_report(_moderator(), report_id, note)
    return _done({"id": report_id, "status": "confirmed", "proposal": proposal_row.id})


@bp.post(f"/reports/<{_ID}:report_id>/reject")
def reject_report(report_id: int):  # type: ignore[no-untyped-def]
    """Reject a report, with a reason."""
    reason = _text_field(_body(), "reason", limit=MAX_TEXT) or ""
    row = moderation().reject_report(_moderator(), report_id, reason)
    return _done({"id": row.id, "status": row.status})


@bp.post(f"/reports/<{_ID}:report_id>/duplicate")
def duplicate_report(report_id: int):  # type: ignore[no-untyped-def]
    """Mark a report as a duplicate of another; its count moves there."""
    of = _integer(_body().get("of"), "of", low=1)
    row = moderation().mark_duplicate(_moderator(), report_id, of)
    return _done({"id": row.id, "status": row.status, "of": row.duplicate_of})


# --- audit and re-verification -------------------------------------------------------------------


@bp.get("/audit")
def audit():  # type: ignore[no-untyped-def]
    """The audit log, oldest first, filtered by time, actor, action and target prefix."""
    rows = moderation().audit(
        since=_moment("since"),
        until=_moment("until", end_of_day=True),
        actor=_arg("actor"),
        action=_arg("action"),
        target=_arg("target"),
        limit=_query_int("limit", 10 * MAX_LIST, 10 * MAX_LIST),
    )
    entries = [audit_entry(row) for row in rows]
    return jsonify({"entries": entries})


@bp.get("/due")
def due():  # type: ignore[no-untyped-def]
    """Active channels whose verification is older than ``days`` (default from the config)."""
    days = _query_int("days", current_app.config["VERIFIER_REVERIFY_DAYS"], 100 * 365)
    rows = moderation().due(days)
    channels = [
        {
            "platform": row.platform.slug,
            "revision": row.revision,
            **channel_dict(channel_record(row)),
        }
        for row in rows
    ]
    return jsonify({"days": days, "channels": channels})
