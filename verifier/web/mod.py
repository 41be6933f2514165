"""The moderators' area under /mod: browse, propose, review, audit, triage reports.

Every view needs a login (one ``before_request`` guard for the whole blueprint, so a new view
cannot forget it). Views only gather and render: every change goes through the Moderation
service, which validates it and raises a ModerationError whose status the page answers with,
the form shown again with the message and what was typed. Nothing here commits a half-done
change: a refused operation is rolled back, a successful one committed.

The area is in English only: its users are a handful of moderators, and the service's own
messages, shown here as they are, are English.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from registry.models import AuditRow, BlockEntryRow, ChannelRow, PlatformRow, UserRow
from registry.moderation import (
    Invalid,
    ModerationError,
    NotFound,
    audit_entry,
    aware,
    parse_moment,
    utcnow,
)
from verifier.web.auth import admin_required, current_moderator, require_login
from verifier.web.extensions import db_session, moderation, registry_changed, store

__all__ = ["bp"]

bp = Blueprint("mod", __name__, url_prefix="/mod")
bp.before_request(require_login)

T = TypeVar("T")

#: The audit page shows at most this many lines; the JSON Lines download has no limit.
AUDIT_PAGE_LIMIT = 500
PROPOSAL_STATUSES = ("pending", "approved", "rejected", "withdrawn")
REPORT_STATUSES = ("open", "confirmed", "rejected", "duplicate")


# --- helpers ---------------------------------------------------------------------------------


def _me() -> UserRow:
    return current_moderator().row


def _commit(operation: Callable[[], T]) -> T:
    """Run one service operation: commit what it did, or roll it back and re-raise."""
    try:
        result = operation()
    except ModerationError:
        db_session().rollback()
        raise
    db_session().commit()
    return result


def _field(name: str) -> str:
    return request.form.get(name, "").strip()


def _revision() -> int:
    """The revision of the entry the moderator saw, from the edit form's hidden field."""
    value = request.form.get("revision", "")
    if not value.isdigit():
        raise Invalid("the form lacks the entry's revision: reload the page and try again")
    return int(value)


def _today() -> str:
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


# --- dashboard -------------------------------------------------------------------------------


@bp.get("/")
def dashboard():  # type: ignore[no-untyped-def]
    """What needs a moderator: others' proposals first, then re-verifications and reports."""
    me = _me()
    pending = moderation().proposals(status="pending")
    pending.sort(key=lambda p: p.proposer_id == me.id)  # stable: newest first within each
    return render_template(
        "mod/dashboard.html",
        pending=pending,
        due_count=len(moderation().due(current_app.config["VERIFIER_REVERIFY_DAYS"])),
        report_count=len(moderation().reports("open")),
    )


# --- platforms and channels ------------------------------------------------------------------


def _platform_row(slug: str) -> PlatformRow:
    row = db_session().scalar(
        select(PlatformRow)
        .options(selectinload(PlatformRow.channels))
        .where(PlatformRow.slug == slug)
    )
    if row is None:
        abort(404)
    return row


def _channel_row(slug: str, channel_id: int) -> ChannelRow:
    row = db_session().get(ChannelRow, channel_id)
    if row is None or row.platform.slug != slug:
        abort(404)
    return row


def _platform_fields(slug: str) -> dict[str, Any]:
    """Registry-file platform fields from the platform form."""
    return {
        "slug": slug,
        "name": {"zh": _field("name_zh"), "en": _field("name_en")},
        "aliases": [a.strip() for a in request.form.get("aliases", "").splitlines() if a.strip()],
        "category": _field("category"),
        "country": _field("country") or "CN",
        "phone_support": _field("phone_support") or "unknown",
    }


def _channel_fields(kind: str, value: str) -> dict[str, Any]:
    """Registry-file channel fields from the channel form."""
    fields: dict[str, Any] = {
        "kind": kind,
        "value": value,
        "label": {"zh": _field("label_zh"), "en": _field("label_en")},
        "source": _field("source"),
        "verified_on": _field("verified_on"),
    }
    if kind == "domain":
        fields["scope"] = _field("scope") or "subdomains"
    return fields


def _propose(
    action: str,
    refused: Callable[[ModerationError], Any],
    *,
    stale_check: bool = False,
    **fields: Any,
) -> Any:
    """Record the posted form as a proposal and go to it; when the service refuses it, answer
    ``refused(error)`` (the form again, with the message and what was typed). With
    ``stale_check`` the form's hidden revision is passed on, so an entry changed since the form
    was opened is a conflict."""

    def record() -> Any:
        revision = _revision() if stale_check else None
        return moderation().propose(_me(), action, note=_field("note"), revision=revision, **fields)

    try:
        proposal = _commit(record)
    except ModerationError as exc:
        return refused(exc)
    flash(f"Proposal #{proposal.id} recorded. It takes effect when another moderator approves it.")
    return redirect(url_for("mod.proposal", proposal_id=proposal.id), 303)


@bp.get("/platforms")
def platforms():  # type: ignore[no-untyped-def]
    """Search and browse platforms."""
    query = request.args.get("q", "")[:200]
    return render_template("mod/platforms.html", q=query, platforms=store().platforms(query))


@bp.route("/platforms/new", methods=["GET", "POST"])
def new_platform():  # type: ignore[no-untyped-def]
    """Propose a new platform."""
    values: Mapping[str, str] = request.form
    if request.method == "GET":
        values = {"country": "CN", "phone_support": "unknown"}
        return render_template("mod/platform_form.html", platform=None, values=values)

    def refused(exc: ModerationError) -> Any:
        page = render_template("mod/platform_form.html", platform=None, values=values, error=exc)
        return page, exc.status

    return _propose("add_platform", refused, platform=_platform_fields(_field("slug")))


@bp.get("/platforms/<slug>")
def platform(slug: str):  # type: ignore[no-untyped-def]
    """One platform: every field, every channel (retired ones too), its history."""
    row = _platform_row(slug)
    return render_template(
        "mod/platform.html",
        platform=row,
        history=moderation().audit(target=f"platform:{slug}", newest_first=True),
        proposals=moderation().proposals(platform=slug),
    )


def _platform_values(row: PlatformRow) -> dict[str, Any]:
    return {
        "name_zh": row.name_zh,
        "name_en": row.name_en,
        "aliases": "\n".join(row.aliases or ()),
        "category": row.category,
        "country": row.country,
        "phone_support": row.phone_support,
        "revision": row.revision,
    }


@bp.route("/platforms/<slug>/edit", methods=["GET", "POST"])
def edit_platform(slug: str):  # type: ignore[no-untyped-def]
    """Propose a change to a platform's names, aliases, category, country or phone support."""
    row = _platform_row(slug)
    if request.method == "GET":
        return render_template("mod/platform_form.html", platform=row, values=_platform_values(row))

    def refused(exc: ModerationError) -> Any:
        page = render_template(
            "mod/platform_form.html", platform=_platform_row(slug), values=request.form, error=exc
        )
        return page, exc.status

    return _propose("edit_platform", refused, stale_check=True, platform=_platform_fields(slug))


@bp.route("/platforms/<slug>/channels/new", methods=["GET", "POST"])
def new_channel(slug: str):  # type: ignore[no-untyped-def]
    """Propose a new official channel of a platform."""
    row = _platform_row(slug)
    if request.method == "GET":
        values = {"kind": "phone", "verified_on": _today()}
        return render_template("mod/channel_form.html", platform=row, channel=None, values=values)

    def refused(exc: ModerationError) -> Any:
        page = render_template(
            "mod/channel_form.html",
            platform=_platform_row(slug),
            channel=None,
            values=request.form,
            error=exc,
        )
        return page, exc.status

    fields = _channel_fields(_field("kind"), _field("value"))
    return _propose("add_channel", refused, platform=slug, channel=fields)


def _channel_values(row: ChannelRow) -> dict[str, Any]:
    return {
        "label_zh": row.label_zh,
        "label_en": row.label_en,
        "scope": row.scope,
        "source": row.source,
        "verified_on": row.verified_on.isoformat(),
        "revision": row.revision,
    }


def _channel_page(slug: str, channel_id: int, error: ModerationError, retiring: bool) -> Any:
    channel = _channel_row(slug, channel_id)
    values = request.form if not retiring else _channel_values(channel)
    page = render_template(
        "mod/channel_form.html",
        platform=channel.platform,
        channel=channel,
        values=values,
        retire_values=request.form if retiring else {"revision": channel.revision},
        error=None if retiring else error,
        retire_error=error if retiring else None,
    )
    return page, error.status


@bp.route("/platforms/<slug>/channels/<int:channel_id>", methods=["GET", "POST"])
def edit_channel(slug: str, channel_id: int):  # type: ignore[no-untyped-def]
    """Propose a change to a channel (label, scope, source, date), or open its retirement."""
    channel = _channel_row(slug, channel_id)
    if request.method == "GET":
        return render_template(
            "mod/channel_form.html",
            platform=channel.platform,
            channel=channel,
            values=_channel_values(channel),
            retire_values={"revision": channel.revision},
        )
    return _propose(
        "edit_channel",
        lambda exc: _channel_page(slug, channel_id, exc, retiring=False),
        stale_check=True,
        platform=slug,
        channel=_channel_fields(channel.kind, channel.value),
    )


@bp.post("/platforms/<slug>/channels/<int:channel_id>/retire")
def retire_channel(slug: str, channel_id: int):  # type: ignore[no-untyped-def]
    """Propose retiring a channel that is no longer in service."""
    channel = _channel_row(slug, channel_id)
    return _propose(
        "retire_channel",
        lambda exc: _channel_page(slug, channel_id, exc, retiring=True),
        stale_check=True,
        platform=slug,
        channel={"kind": channel.kind, "value": channel.value},
        source=_field("source"),
    )


# --- blocklist -------------------------------------------------------------------------------


def _blocklist_page(values: Mapping[str, Any], error: ModerationError | None = None) -> str:
    entries = db_session().scalars(
        select(BlockEntryRow).order_by(BlockEntryRow.kind, BlockEntryRow.value)
    )
    return render_template(
        "mod/blocklist.html",
        entries=list(entries),
        slugs=[p.slug for p in store().platforms()],
        values=values,
        error=error,
    )


@bp.route("/blocklist", methods=["GET", "POST"])
def blocklist():  # type: ignore[no-untyped-def]
    """The blocklist, with the form to propose a new entry."""
    if request.method == "GET":
        return _blocklist_page({"kind": "phone"})
    entry = {
        "kind": _field("kind"),
        "value": _field("value"),
        "impersonates": _field("impersonates") or None,
        "evidence": _field("evidence"),
    }
    return _propose(
        "add_blocklist", lambda exc: (_blocklist_page(request.form, exc), exc.status), entry=entry
    )


@bp.route("/blocklist/<int:entry_id>/remove", methods=["GET", "POST"])
def remove_block_entry(entry_id: int):  # type: ignore[no-untyped-def]
    """Propose taking an entry off the blocklist."""
    entry = db_session().get(BlockEntryRow, entry_id)
    if entry is None:
        abort(404)
    if request.method == "GET":
        values = {"revision": entry.revision}
        return render_template("mod/block_remove.html", entry=entry, values=values)

    def refused(exc: ModerationError) -> Any:
        again = db_session().get(BlockEntryRow, entry_id)
        if again is None:
            abort(404)
        page = render_template("mod/block_remove.html", entry=again, values=request.form, error=exc)
        return page, exc.status

    key = {"kind": entry.kind, "value": entry.value}
    return _propose(
        "remove_blocklist", refused, stale_check=True, entry=key, source=_field("source")
    )


# --- re-verification -------------------------------------------------------------------------


def _due_page(failed: int | None = None, error: ModerationError | None = None) -> str:
    days = current_app.config["VERIFIER_REVERIFY_DAYS"]
    return render_template(
        "mod/due.html",
        days=days,
        channels=moderation().due(days),
        today=_today(),
        failed=failed,
        values=request.form,
        error=error,
    )


@bp.get("/due")
def due():  # type: ignore[no-untyped-def]
    """Active channels whose last verification is older than VERIFIER_REVERIFY_DAYS."""
    return _due_page()


@bp.post("/due/<int:channel_id>")
def reverify(channel_id: int):  # type: ignore[no-untyped-def]
    """Propose a new source and date for a channel (reviewed like any other change)."""
    channel = db_session().get(ChannelRow, channel_id)
    if channel is None:
        abort(404)
    slug = channel.platform.slug
    fields = {
        "kind": channel.kind,
        "value": channel.value,
        "source": _field("source"),
        "verified_on": _field("verified_on"),
    }
    return _propose(
        "edit_channel",
        lambda exc: (_due_page(channel_id, exc), exc.status),
        stale_check=True,
        platform=slug,
        channel=fields,
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
        mine=row.proposer_id == _me().id,
        single_approval=moderation().single_approval(),
        error=error,
        values=request.form,
    )


@bp.get("/proposals/<int:proposal_id>")
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
        _commit(lambda: decision(_me()))
    except ModerationError as exc:
        return _proposal_page(proposal_id, exc), exc.status  # a 404 when there is no such
    if then is not None:
        then()
    flash(done)
    return redirect(url_for("mod.proposal", proposal_id=proposal_id), 303)


@bp.post("/proposals/<int:proposal_id>/approve")
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


@bp.post("/proposals/<int:proposal_id>/reject")
def reject(proposal_id: int):  # type: ignore[no-untyped-def]
    """Reject a proposal, with the reason."""
    return _decide(
        proposal_id,
        lambda me: moderation().reject(me, proposal_id, _field("reason")),
        f"Proposal #{proposal_id} rejected.",
    )


@bp.post("/proposals/<int:proposal_id>/withdraw")
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


@bp.get("/reports/<int:report_id>")
def report(report_id: int):  # type: ignore[no-untyped-def]
    """One group of reports, every reporter's words shown as text."""
    return _report_page(report_id)


def _triage(report_id: int, operation: Callable[[UserRow], Any], done: str) -> Any:
    try:
        result = _commit(lambda: operation(_me()))
    except ModerationError as exc:
        return _report_page(report_id, exc), exc.status  # a 404 when there is no such report
    flash(done)
    if hasattr(result, "action"):  # confirmed: the blocklist proposal it became
        return redirect(url_for("mod.proposal", proposal_id=result.id), 303)
    return redirect(url_for("mod.report", report_id=report_id), 303)


@bp.post("/reports/<int:report_id>/confirm")
def confirm_report(report_id: int):  # type: ignore[no-untyped-def]
    """Confirm a report: it becomes a blocklist proposal carrying the reports as evidence."""
    return _triage(
        report_id,
        lambda me: moderation().confirm_report(me, report_id, _field("note")),
        f"Report #{report_id} confirmed: a blocklist proposal now awaits a second moderator.",
    )


@bp.post("/reports/<int:report_id>/reject")
def reject_report(report_id: int):  # type: ignore[no-untyped-def]
    """Reject a report, with the reason."""
    return _triage(
        report_id,
        lambda me: moderation().reject_report(me, report_id, _field("reason")),
        f"Report #{report_id} rejected.",
    )


@bp.post("/reports/<int:report_id>/duplicate")
def duplicate_report(report_id: int):  # type: ignore[no-untyped-def]
    """Mark a report as a duplicate of another."""
    original = _field("of")

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
        _commit(lambda: moderation().set_single_approval(_me(), on))
        flash(f"Single approval is now {'on' if on else 'off'}; the change is in the audit log.")
        return redirect(url_for("mod.settings"), 303)
    return render_template(
        "mod/settings.html",
        single_approval=moderation().single_approval(),
        history=moderation().audit(action="setting.", newest_first=True, limit=50),
    )
