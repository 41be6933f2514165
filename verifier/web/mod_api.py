"""The moderation API under /api/v1/mod (CONTRACT.md), authenticated by bearer tokens.

Every call names its moderator with ``Authorization: Bearer <token>`` (``verifier users token``);
the work itself is :class:`registry.moderation.Moderation`'s, and each view commits or rolls back
the one unit of work it did.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from marshmallow import fields, validate

from registry.files import channel_dict
from registry.models import ProposalRow, ReportRow, UserRow
from registry.moderation import (
    ACTIONS,
    MAX_TEXT,
    REPORT_STATUSES,
    STATUSES,
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
from verifier.web.schemas import ApiSchema

__all__ = ["bp"]

bp = Blueprint("mod_api", __name__, url_prefix="/api/v1/mod")

#: Row ids are 32-bit integers in PostgreSQL: a larger one in a path is simply not found
#: (unbounded, it reached the database and failed there with a 500).
_ID = "int(max=2147483647)"
MAX_LIST = 1000

# --- the shapes of requests and answers (named in the views' docstrings) -------------------------

_ANY = {"description": "Any JSON value."}


class ProposalRequestSchema(ApiSchema):
    """A proposed change; which fields it needs depends on ``action``."""

    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    note = fields.String(
        required=True,
        validate=validate.Length(max=MAX_TEXT),
        metadata={"description": "Why: the reviewer reads it."},
    )
    platform = fields.Raw(
        allow_none=True,
        metadata={
            "description": "The slug, or the platform's fields for add_platform/edit_platform.",
            "oneOf": [{"type": "string"}, {"type": "object"}],
        },
    )
    channel = fields.Dict(
        allow_none=True, metadata={"description": "Registry-file fields of the channel."}
    )
    entry = fields.Dict(
        allow_none=True, metadata={"description": "Registry-file fields of the blocklist entry."}
    )
    source = fields.String(allow_none=True, validate=validate.Length(max=MAX_TEXT))
    revision = fields.Integer(
        allow_none=True,
        validate=validate.Range(min=0, max=2**31 - 1),
        metadata={"description": "The platform revision the change was made against."},
    )
    registry = fields.Dict(
        allow_none=True, metadata={"description": "A whole registry file, for an import."}
    )
    replace = fields.Boolean(metadata={"description": "An import replaces the registry."})


class DecisionSchema(ApiSchema):
    """What a decision left: the id and the new status."""

    id = fields.Integer(required=True)
    status = fields.String(required=True)


class DiffRowSchema(ApiSchema):
    field = fields.String(required=True)
    before = fields.Raw(required=True, allow_none=True, metadata=_ANY)
    after = fields.Raw(required=True, allow_none=True, metadata=_ANY)


class ProposalSchema(ApiSchema):
    """A proposal with its diff."""

    id = fields.Integer(required=True)
    action = fields.String(required=True)
    platform = fields.String(required=True, allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    note = fields.String(required=True)
    payload = fields.Dict(required=True)
    before = fields.Dict(required=True, allow_none=True)
    diff = fields.List(fields.Nested(DiffRowSchema), required=True)
    proposer = fields.String(required=True)
    reviewer = fields.String(required=True, allow_none=True)
    reason = fields.String(required=True)
    created_at = fields.String(required=True, metadata={"format": "date-time"})
    decided_at = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})


class ProposalListSchema(ApiSchema):
    proposals = fields.List(fields.Nested(ProposalSchema), required=True)


class RejectionSchema(ApiSchema):
    reason = fields.String(allow_none=True, validate=validate.Length(max=MAX_TEXT))


class ConfirmationSchema(ApiSchema):
    note = fields.String(allow_none=True, validate=validate.Length(max=MAX_TEXT))


class DuplicateRequestSchema(ApiSchema):
    of = fields.Integer(
        required=True,
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "The report group this one repeats."},
    )


class ReportItemSchema(ApiSchema):
    """One report as sent: untrusted text."""

    input = fields.String(required=True)
    text = fields.String(required=True)
    seen_at = fields.String(required=True)
    claimed_platform = fields.String(required=True, allow_none=True)
    created_at = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})


class ReportGroupSchema(ApiSchema):
    """The public reports of one value."""

    id = fields.Integer(required=True)
    input = fields.String(required=True)
    kind = fields.String(required=True)
    value = fields.String(required=True)
    count = fields.Integer(required=True)
    claimed_platform = fields.String(required=True, allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(REPORT_STATUSES))
    duplicate_of = fields.Integer(required=True, allow_none=True)
    proposal = fields.Integer(required=True, allow_none=True)
    first_at = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    last_at = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    items = fields.List(fields.Nested(ReportItemSchema), required=True)


class ReportGroupListSchema(ApiSchema):
    reports = fields.List(fields.Nested(ReportGroupSchema), required=True)


class ReportConfirmedSchema(DecisionSchema):
    proposal = fields.Integer(required=True, metadata={"description": "The blocklist proposal."})


class ReportDuplicateSchema(DecisionSchema):
    of = fields.Integer(required=True, allow_none=True)


class AuditEntrySchema(ApiSchema):
    at = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    actor = fields.String(required=True)
    action = fields.String(required=True)
    target = fields.String(required=True)
    before = fields.Raw(required=True, allow_none=True, metadata=_ANY)
    after = fields.Raw(required=True, allow_none=True, metadata=_ANY)


class AuditSchema(ApiSchema):
    entries = fields.List(fields.Nested(AuditEntrySchema), required=True)


class DueChannelSchema(ApiSchema):
    """A channel in the registry-file form, with its platform and revision."""

    platform = fields.String(required=True)
    revision = fields.Integer(required=True)
    kind = fields.String(required=True)
    value = fields.String(required=True)
    label = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    status = fields.String(required=True)
    scope = fields.String()
    source = fields.String(required=True)
    verified_on = fields.String(required=True)


class DueSchema(ApiSchema):
    days = fields.Integer(required=True)
    channels = fields.List(fields.Nested(DueChannelSchema), required=True)


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
    """Propose a change; it takes effect when another moderator approves it.
    ---
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: ProposalRequestSchema
            example:
              action: add_channel
              platform: icbc
              channel: {kind: phone, value: '+86 400 820 8820', source: 'https://example.org/',
                        verified_on: '2026-11-01'}
              note: Listed on the bank's contact page
      responses:
        201:
          description: Recorded, pending review.
          content:
            application/json:
              schema: DecisionSchema
        403: Forbidden
        404: NotFound
        409: Conflict
    """
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
    """Proposals, newest first; ``status`` (default all) and ``platform`` filter them.
    ---
    get:
      parameters:
        - name: status
          in: query
          allowEmptyValue: true
          description: "One status, or all."
          schema: {type: string, enum: [all, pending, approved, rejected, withdrawn]}
        - name: platform
          in: query
          allowEmptyValue: true
          description: "A platform slug."
          schema: {type: string, maxLength: 600}
        - name: limit
          in: query
          allowEmptyValue: true
          description: "At most this many (1 to 1000)."
          schema: {type: integer, minimum: 1, maximum: 1000}
      responses:
        200:
          description: The proposals.
          content:
            application/json:
              schema: ProposalListSchema
        400: BadRequest
    """
    rows = moderation().proposals(
        status=_status_filter(),
        platform=_arg("platform"),
        limit=_query_int("limit", MAX_LIST, MAX_LIST),
    )
    return jsonify({"proposals": [proposal_json(row) for row in rows]})


@bp.get(f"/proposals/<{_ID}:proposal_id>")
def proposal(proposal_id: int):  # type: ignore[no-untyped-def]
    """One proposal with its diff.
    ---
    get:
      responses:
        200:
          description: The proposal.
          content:
            application/json:
              schema: ProposalSchema
    """
    return jsonify(proposal_json(moderation().proposal(proposal_id)))


@bp.post(f"/proposals/<{_ID}:proposal_id>/approve")
def approve(proposal_id: int):  # type: ignore[no-untyped-def]
    """Apply a proposal: public answers change at once.
    ---
    post:
      requestBody:
        required: false
        description: Nothing, or an empty JSON object.
        content:
          application/json:
            schema: {type: object}
      responses:
        200:
          description: Approved and applied.
          content:
            application/json:
              schema: DecisionSchema
        403: Forbidden
        404: NotFound
        409: Conflict
    """
    _body(optional=True)
    row = moderation().approve(_moderator(), proposal_id)
    answer = _done({"id": row.id, "status": row.status})
    registry_changed()
    return answer


@bp.post(f"/proposals/<{_ID}:proposal_id>/reject")
def reject(proposal_id: int):  # type: ignore[no-untyped-def]
    """Refuse a proposal, with a reason.
    ---
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: RejectionSchema
      responses:
        200:
          description: Rejected.
          content:
            application/json:
              schema: DecisionSchema
        403: Forbidden
        404: NotFound
        409: Conflict
    """
    reason = _text_field(_body(), "reason", limit=MAX_TEXT) or ""
    row = moderation().reject(_moderator(), proposal_id, reason)
    return _done({"id": row.id, "status": row.status})


@bp.post(f"/proposals/<{_ID}:proposal_id>/withdraw")
def withdraw(proposal_id: int):  # type: ignore[no-untyped-def]
    """Take back one's own pending proposal.
    ---
    post:
      requestBody:
        required: false
        description: Nothing, or an empty JSON object.
        content:
          application/json:
            schema: {type: object}
      responses:
        200:
          description: Withdrawn.
          content:
            application/json:
              schema: DecisionSchema
        403: Forbidden
        404: NotFound
        409: Conflict
    """
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
    """Report groups, most reported first; ``status`` (default all) filters them.
    ---
    get:
      parameters:
        - name: status
          in: query
          allowEmptyValue: true
          description: "One status, or all."
          schema: {type: string, enum: [all, open, confirmed, rejected, duplicate]}
        - name: limit
          in: query
          allowEmptyValue: true
          description: "At most this many (1 to 1000)."
          schema: {type: integer, minimum: 1, maximum: 1000}
      responses:
        200:
          description: The report groups.
          content:
            application/json:
              schema: ReportGroupListSchema
        400: BadRequest
    """
    rows = moderation().reports(
        status=_status_filter(), limit=_query_int("limit", MAX_LIST, MAX_LIST)
    )
    return jsonify({"reports": [report_json(row) for row in rows]})


@bp.post(f"/reports/<{_ID}:report_id>/confirm")
def confirm_report(report_id: int):  # type: ignore[no-untyped-def]
    """Confirm a report: it becomes a blocklist proposal carrying the reports as evidence.
    ---
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: ConfirmationSchema
      responses:
        200:
          description: Confirmed; the proposal awaits review.
          content:
            application/json:
              schema: ReportConfirmedSchema
        403: Forbidden
        404: NotFound
        409: Conflict
    """
    note = _text_field(_body(), "note", limit=MAX_TEXT) or ""
    proposal_row = moderation().confirm_report(_moderator(), report_id, note)
    return _done({"id": report_id, "status": "confirmed", "proposal": proposal_row.id})


@bp.post(f"/reports/<{_ID}:report_id>/reject")
def reject_report(report_id: int):  # type: ignore[no-untyped-def]
    """Reject a report, with a reason.
    ---
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: RejectionSchema
      responses:
        200:
          description: Rejected.
          content:
            application/json:
              schema: DecisionSchema
        403: Forbidden
        404: NotFound
        409: Conflict
    """
    reason = _text_field(_body(), "reason", limit=MAX_TEXT) or ""
    row = moderation().reject_report(_moderator(), report_id, reason)
    return _done({"id": row.id, "status": row.status})


@bp.post(f"/reports/<{_ID}:report_id>/duplicate")
def duplicate_report(report_id: int):  # type: ignore[no-untyped-def]
    """Mark a report as a duplicate of another; its count moves there.
    ---
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: DuplicateRequestSchema
      responses:
        200:
          description: Marked.
          content:
            application/json:
              schema: ReportDuplicateSchema
        403: Forbidden
        404: NotFound
        409: Conflict
    """
    of = _integer(_body().get("of"), "of", low=1)
    row = moderation().mark_duplicate(_moderator(), report_id, of)
    return _done({"id": row.id, "status": row.status, "of": row.duplicate_of})


# --- audit and re-verification -------------------------------------------------------------------


@bp.get("/audit")
def audit():  # type: ignore[no-untyped-def]
    """The audit log, oldest first, filtered by time, actor, action and target prefix.
    ---
    get:
      parameters:
        - name: since
          in: query
          allowEmptyValue: true
          description: "From this date or ISO 8601 time (UTC if no offset)."
          schema: {type: string}
        - name: until
          in: query
          allowEmptyValue: true
          description: "Up to this date (the whole day) or time."
          schema: {type: string}
        - name: actor
          in: query
          allowEmptyValue: true
          description: "A user name."
          schema: {type: string, maxLength: 600}
        - name: action
          in: query
          allowEmptyValue: true
          description: "An action name."
          schema: {type: string, maxLength: 600}
        - name: target
          in: query
          allowEmptyValue: true
          description: "The start of a target."
          schema: {type: string, maxLength: 600}
        - name: limit
          in: query
          allowEmptyValue: true
          description: "At most this many (1 to 10000)."
          schema: {type: integer, minimum: 1, maximum: 10000}
      responses:
        200:
          description: The audit entries.
          content:
            application/json:
              schema: AuditSchema
        400: BadRequest
    """
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
    """Active channels whose verification is older than ``days`` (default from the config).
    ---
    get:
      parameters:
        - name: days
          in: query
          allowEmptyValue: true
          description: "Age in days (default from VERIFIER_REVERIFY_DAYS)."
          schema: {type: integer, minimum: 1, maximum: 36500}
      responses:
        200:
          description: The channels due for re-verification.
          content:
            application/json:
              schema: DueSchema
        400: BadRequest
    """
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
