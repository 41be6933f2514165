"""/mod review: the dashboard, proposals and their decisions, the audit log, public reports,
and the admins' settings."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for

from registry.models import AuditRow, UserRow
from registry.moderation import Invalid, ModerationError, NotFound, audit_entry, parse_moment
from verifier.web.auth import admin_required
from verifier.web.extensions import moderation, registry_changed
from verifier.web.mod.common import bp, commit, field, me

#: The audit page shows at most this many lines; the JSON Lines download has no limit.
AUDIT_PAGE_LIMIT = 500
PROPOSAL_STATUSES = ("pending", "approved", "rejected", "withdrawn")
REPORT_STATUSES = ("open", "confirmed", "rejected", "duplicate")

# --- dashboard -------------------------------------------------------------------------------


@bp.get("/")
def dashboard():  # type: ignore[no-untyped-def]
    """What needs a moderator: others' proposals first, then re-verifications and reports."""
    user = me()
    pending = moderation().proposals(status="pending")
    pending.sort(key=lambda p: p.proposer_id == user.id)  # stable: newest first within each
    return render_template(
        "mod/dashboard.html",
        pending=pending,
        due_count=len(moderation().due(current_app.config["VERIFIER_REVERIFY_DAYS"])),
        report_count=len(moderation().reports("open")),
    )


# --- proposals -------------------------------------------------------------------------------


@bp.get("/proposals")
def proposals():  # type: ignore[no-untyped-def]
    """Proposals, newest first, of one status (pending unless asked) or all."""
    status = request.args.get("status", "pending")
    if status not in (*PROPOSAL_STATUSES, "all"):
        abort(400)
    rows = moderation().proposals(status=None if status == "all" else status, limit=500)
    return render_template(
        "mod/proposals.html", proposals=rows, status=status, statuses=PROPOSAL_STATUSES
    )


def _proposal_page(proposal_id: int, error: ModerationError | None = None) -> str:
    try:
        row = moderation().proposal(proposal_id)
    except NotFound:
        abort(404)
    return render_template(
        "mod/proposal.html",
        proposal=row,
        diff=moderation().diff(row),
        mine=row.proposer_id == me().id,
        single_approval=moderation().single_approval(),
        error=error,
        values=request.form,
    )


@bp.get("/proposals/<int(max=2147483647):proposal_id>")
def proposal(proposal_id: int):  # type: ignore[no-untyped-def]
    """One proposal: what it changes, side by side, and the buttons to decide it."""
    return _proposal_page(proposal_id)


def _decide(
    proposal_id: int,
    decision: Callable[[UserRow], Any],
    done: str,
    then: Callable[[], None] | None = None,
) -> Any:
    try:
        commit(lambda: decision(me()))
    except ModerationError as exc:
        return _proposal_page(proposal_id, exc), exc.status  # a 404 when there is no such
    if then is not None:
        then()
    flash(done)
    return redirect(url_for("mod.proposal", proposal_id=proposal_id), 303)


@bp.post("/proposals/<int(max=2147483647):proposal_id>/approve")
def approve(proposal_id: int):  # type: ignore[no-untyped-def]
    """Approve and apply a proposal (another moderator's, unless single approval is on)."""
    return _decide(
        proposal_id,
        lambda me: moderation().approve(me, proposal_id),
        f"Proposal #{proposal_id} approved: the registry has changed.",
        # After the commit, so that this worker answers from the new registry at once (the
        # others within VERIFIER_INDEX_REFRESH_SECONDS).
        then=registry_changed,
    )


@bp.post("/proposals/<int(max=2147483647):proposal_id>/reject")
def reject(proposal_id: int):  # type: ignore[no-untyped-def]
    """Reject a proposal, with the reason."""
    return _decide(
        proposal_id,
        lambda me: moderation().reject(me, proposal_id, field("reason")),
        f"Proposal #{proposal_id} rejected.",
    )


@bp.post("/proposals/<int(max=2147483647):proposal_id>/withdraw")
def withdraw(proposal_id: int):  # type: ignore[no-untyped-def]
    """Withdraw one's own pending proposal."""
    return _decide(
        proposal_id,
        lambda me: moderation().withdraw(me, proposal_id),
        f"Proposal #{proposal_id} withdrawn.",
    )


# --- audit -----------------------------------------------------------------------------------


def _moment(name: str, end_of_day: bool = False) -> dt.datetime | None:
    """The ``name`` query argument as a UTC moment: a date (2026-11-01) or a date and time."""
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        return parse_moment(text, end_of_day)
    except Invalid as exc:
        raise Invalid(f"'{name}': {exc.message}") from None


def _audit_filters() -> dict[str, Any]:
    return {
        "actor": request.args.get("actor", "").strip() or None,
        "action": request.args.get("action", "").strip() or None,
        "target": request.args.get("target", "").strip() or None,
        "since": _moment("since"),
        "until": _moment("until", end_of_day=True),
    }


@bp.get("/audit")
def audit():  # type: ignore[no-untyped-def]
    """The audit log, newest first, filtered by actor, action, target and time."""
    try:
        entries = moderation().audit(**_audit_filters(), limit=AUDIT_PAGE_LIMIT, newest_first=True)
    except Invalid as exc:
        return render_template("mod/audit.html", entries=[], error=exc, limit=0), 400
    return render_template("mod/audit.html", entries=entries, limit=AUDIT_PAGE_LIMIT)


def audit_line(row: AuditRow) -> str:
    """One audit entry as a line of JSON, with its moment in ISO 8601 UTC."""
    return json.dumps(audit_entry(row), ensure_ascii=False, default=str) + "\n"


@bp.get("/audit.jsonl")
def audit_jsonl():  # type: ignore[no-untyped-def]
    """The audit log with the same filters, oldest first, as JSON Lines."""
    try:
        entries = moderation().audit(**_audit_filters())
    except Invalid as exc:
        return render_template("mod/audit.html", entries=[], error=exc, limit=0), 400

    def lines() -> Iterator[str]:
        for row in entries:
            yield audit_line(row)

    return Response(
        "".join(lines()),
        mimetype="application/jsonl",
        headers={"Content-Disposition": 'attachment; filename="audit.jsonl"'},
    )


# --- public reports --------------------------------------------------------------------------


@bp.get("/reports")
def reports():  # type: ignore[no-untyped-def]
    """Public reports grouped by value, most reported first."""
    status = request.args.get("status", "open")
    if status not in (*REPORT_STATUSES, "all"):
        abort(400)
    rows = moderation().reports(None if status == "all" else status, limit=500)
    return render_template(
        "mod/reports.html", reports=rows, status=status, statuses=REPORT_STATUSES
    )


def _report_page(report_id: int, error: ModerationError | None = None) -> str:
    try:
        row = moderation().report(report_id)
    except NotFound:
        abort(404)
    return render_template("mod/report.html", report=row, error=error, values=request.form)


@bp.get("/reports/<int(max=2147483647):report_id>")
def report(report_id: int):  # type: ignore[no-untyped-def]
    """One group of reports, every reporter's words shown as text."""
    return _report_page(report_id)


def _triage(report_id: int, operation: Callable[[UserRow], Any], done: str) -> Any:
    try:
        result = commit(lambda: operation(me()))
    except ModerationError as exc:
        return _report_page(report_id, exc), exc.status  # a 404 when there is no such report
    flash(done)
    if hasattr(result, "action"):  # confirmed: the blocklist proposal it became
        return redirect(url_for("mod.proposal", proposal_id=result.id), 303)
    return redirect(url_for("mod.report", report_id=report_id), 303)


@bp.post("/reports/<int(max=2147483647):report_id>/confirm")
def confirm_report(report_id: int):  # type: ignore[no-untyped-def]
    """Confirm a report: it becomes a blocklist proposal carrying the reports as evidence."""
    return _triage(
        report_id,
        lambda me: moderation().confirm_report(me, report_id, field("note")),
        f"Report #{report_id} confirmed: a blocklist proposal now awaits a second moderator.",
    )


@bp.post("/reports/<int(max=2147483647):report_id>/reject")
def reject_report(report_id: int):  # type: ignore[no-untyped-def]
    """Reject a report, with the reason."""
    return _triage(
        report_id,
        lambda me: moderation().reject_report(me, report_id, field("reason")),
        f"Report #{report_id} rejected.",
    )


@bp.post("/reports/<int(max=2147483647):report_id>/duplicate")
def duplicate_report(report_id: int):  # type: ignore[no-untyped-def]
    """Mark a report as a duplicate of another."""
    original = field("of")

    def mark(me: UserRow) -> Any:
        if not original.lstrip("#").isdigit():
            raise Invalid("give the number of the report this one duplicates")
        return moderation().mark_duplicate(me, report_id, int(original.lstrip("#")))

    return _triage(report_id, mark, f"Report #{report_id} marked as a duplicate.")


# --- settings --------------------------------------------------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
@admin_required
def settings():  # type: ignore[no-untyped-def]
    """Admins only: whether a proposer may approve their own proposals (off by default)."""
    if request.method == "POST":
        on = request.form.get("single_approval") == "on"
        commit(lambda: moderation().set_single_approval(me(), on))
        flash(f"Single approval is now {'on' if on else 'off'}; the change is in the audit log.")
        return redirect(url_for("mod.settings"), 303)
    return render_template(
        "mod/settings.html",
        single_approval=moderation().single_approval(),
        history=moderation().audit(action="setting.", newest_first=True, limit=50),
    )
