"""Public scam reports: POST /api/v1/reports and the "report this" form on result pages.

Anyone may report a number, link or address; reports of the same value (after normalising, so
"400-999-2222" and "+86 400 999 2222" are one) are grouped with a count and wait for moderators
(:meth:`registry.moderation.Moderation.submit_report`). A report changes no public answer by
itself: only a confirmed report, approved as a blocklist proposal, does.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from marshmallow import fields, validate
from werkzeug.exceptions import TooManyRequests

from registry.moderation import MAX_TEXT
from verifier.core.check import check
from verifier.core.normalize import fold, is_unicode_text
from verifier.web.api import _json_body, _options, _text_field
from verifier.web.errors import ApiError, json_error
from verifier.web.extensions import csrf, current_index, db_session, moderation
from verifier.web.limits import limiter, report_limit
from verifier.web.pages import MAX_QUERY_CHARS
from verifier.web.schemas import ApiSchema, kind_field, region_field

__all__ = ["ReportAcceptedSchema", "ReportRequestSchema", "bp"]

bp = Blueprint("reports", __name__)


class ReportRequestSchema(ApiSchema):
    """A public report of a scam contact; only ``input`` is required."""

    input = fields.String(
        required=True,
        validate=validate.Length(max=MAX_QUERY_CHARS),
        metadata={"description": "The number, link, address or account reported."},
    )
    text = fields.String(
        allow_none=True,
        validate=validate.Length(max=MAX_TEXT),
        metadata={"description": "The message it came in, or what happened."},
    )
    seen_at = fields.String(
        allow_none=True,
        validate=validate.Length(max=MAX_TEXT),
        metadata={"description": "Where it was seen."},
    )
    claimed_platform = fields.String(
        allow_none=True,
        validate=validate.Length(max=64),
        metadata={"description": "The slug of the platform it was presented as."},
    )
    kind = kind_field()
    region = region_field()


class ReportAcceptedSchema(ApiSchema):
    id = fields.Integer(
        required=True,
        metadata={"description": "The report group: every report of this value shares it."},
    )


#: The form's hidden field that people never see, so never fill; form-filling bots do.
HONEYPOT = "website"
#: The page and the API count against one limit per client.
_limit = limiter.shared_limit(report_limit, scope="reports")


def submit(fields: dict[str, Any]) -> int:
    """Validate one report and record it; the id of its report group. Raises ApiError."""
    value = _text_field(fields, "input", required=True, limit=MAX_QUERY_CHARS) or ""
    text = _text_field(fields, "text", limit=MAX_TEXT) or ""
    seen_at = _text_field(fields, "seen_at", limit=MAX_TEXT) or ""
    honeypot = _text_field(fields, HONEYPOT, limit=MAX_TEXT)
    options = _options(
        _text_field(fields, "kind"),
        _text_field(fields, "region"),
        _text_field(fields, "claimed_platform", limit=64),
    )
    if not fold(value):
        raise ApiError(400, "missing_field", "'input' is required")
    if "\x00" in text + seen_at:  # stored verbatim, and PostgreSQL cannot store NUL
        raise ApiError(400, "bad_field", "'text' and 'seen_at' must not contain NUL")
    verdict = check(value, current_index(), **options)
    if verdict.verdict == "invalid" or verdict.normalized is None:
        raise ApiError(
            400,
            "not_a_contact",
            "'input' is not a phone number, link, e-mail address or account name",
        )
    if honeypot:
        return _decoy_id(verdict.kind, verdict.normalized)
    group = moderation().submit_report(
        kind=verdict.kind,
        value=verdict.normalized,
        input=value,
        text=text,
        seen_at=seen_at,
        claimed_platform=options["claimed"],
    )
    db_session().commit()
    return group.id


def _decoy_id(kind: str, value: str) -> int:
    """What a bot that filled the honeypot is told: an id that looks real, stored nowhere.

    Like a real group id it is a small number and the same for every report of one value, so a
    bot sees nothing different; telling them apart needs a real report to compare with, and a
    bot that can send one has understood the honeypot anyway.
    """
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).digest()
    return 1 + int.from_bytes(digest[:4], "big") % 50_000


@bp.post("/api/v1/reports")
@csrf.exempt  # JSON from programs, no cookie to ride on (see verifier.web.__init__)
@_limit
def report_api():  # type: ignore[no-untyped-def]
    """Report a scam number, link or address; reports of one value are grouped.

    A report changes no public answer by itself: moderators review it first.
    ---
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: ReportRequestSchema
            example:
              input: '+86 400 999 2222'
              text: Said it was the bank and asked for a verification code
              claimed_platform: icbc
      responses:
        202:
          description: Recorded for review.
          content:
            application/json:
              schema: ReportAcceptedSchema
    """
    return jsonify({"id": submit(_json_body())}), 202


@bp.get("/report")
def report_form():  # type: ignore[no-untyped-def]
    """The report form on its own page, filled in from ``q`` and ``claimed``."""
    value = request.args.get("q", "")
    if len(value) > MAX_QUERY_CHARS or not is_unicode_text(value):
        value = ""
    claimed = request.args.get("claimed") or None
    if claimed is not None and current_index().platform(claimed) is None:
        claimed = None
    return render_template("pages/report.html", report_value=value, report_claimed=claimed)


@bp.post("/report")
@_limit
def report_page():  # type: ignore[no-untyped-def]
    """Send the form; a thank-you page, or the form again saying what to fix."""
    fields = request.form.to_dict()
    try:
        submit(fields)
    except ApiError as error:
        # What the person typed goes back in the form, escaped like everything else.
        return render_template(
            "pages/report.html",
            problem=error.code,
            report_value=_shown(fields.get("input"), MAX_QUERY_CHARS),
            report_claimed=None,
            report_text=_shown(fields.get("text"), MAX_TEXT),
            report_seen_at=_shown(fields.get("seen_at"), MAX_TEXT),
        ), 400
    # Post/redirect/get: reloading the thank-you page does not send the report twice.
    return redirect(url_for("reports.thanks"), 303)


def _shown(value: str | None, limit: int) -> str:
    return value if value and len(value) <= limit and is_unicode_text(value) else ""


@bp.get("/report/thanks")
def thanks():  # type: ignore[no-untyped-def]
    """What happens to a report next."""
    return render_template("pages/report.html", sent=True)


@bp.errorhandler(TooManyRequests)
def too_many(error: TooManyRequests):  # type: ignore[no-untyped-def]
    # Flask-Limiter adds Retry-After to whatever is answered here (headers_enabled).
    if request.path.startswith("/api/"):
        return json_error(429, "rate_limited", "too many reports from this address; try later")
    return render_template("pages/report.html", limited=True), 429
