"""/mod curation: platforms and their channels, the blocklist, re-verification.

Every change is a proposal (see registry.moderation): the forms here record one, or show the
form again with the service's refusal and what was typed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from registry.models import BlockEntryRow, ChannelRow, PlatformRow
from registry.moderation import ModerationError
from verifier.web.extensions import db_session, moderation, store
from verifier.web.mod.common import bp, commit, field, me, revision, today

# --- platforms and channels ------------------------------------------------------------------


def _platform_row(slug: str) -> PlatformRow:
    if "\x00" in slug:
        abort(404)  # no slug holds NUL, and PostgreSQL refuses it even in a comparison
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
        "name": {"zh": field("name_zh"), "en": field("name_en")},
        "aliases": [a.strip() for a in request.form.get("aliases", "").splitlines() if a.strip()],
        "category": field("category"),
        "country": field("country") or "CN",
        "phone_support": field("phone_support") or "unknown",
    }


def _channel_fields(kind: str, value: str) -> dict[str, Any]:
    """Registry-file channel fields from the channel form."""
    fields: dict[str, Any] = {
        "kind": kind,
        "value": value,
        "label": {"zh": field("label_zh"), "en": field("label_en")},
        "source": field("source"),
        "verified_on": field("verified_on"),
    }
    if kind == "domain":
        fields["scope"] = field("scope") or "subdomains"
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
        seen = revision() if stale_check else None
        return moderation().propose(me(), action, note=field("note"), revision=seen, **fields)

    try:
        proposal = commit(record)
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

    return _propose("add_platform", refused, platform=_platform_fields(field("slug")))


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
        values = {"kind": "phone", "verified_on": today()}
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

    fields = _channel_fields(field("kind"), field("value"))
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


@bp.route("/platforms/<slug>/channels/<int(max=2147483647):channel_id>", methods=["GET", "POST"])
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


@bp.post("/platforms/<slug>/channels/<int(max=2147483647):channel_id>/retire")
def retire_channel(slug: str, channel_id: int):  # type: ignore[no-untyped-def]
    """Propose retiring a channel that is no longer in service."""
    channel = _channel_row(slug, channel_id)
    return _propose(
        "retire_channel",
        lambda exc: _channel_page(slug, channel_id, exc, retiring=True),
        stale_check=True,
        platform=slug,
        channel={"kind": channel.kind, "value": channel.value},
        source=field("source"),
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
        "kind": field("kind"),
        "value": field("value"),
        "impersonates": field("impersonates") or None,
        "evidence": field("evidence"),
    }
    return _propose(
        "add_blocklist", lambda exc: (_blocklist_page(request.form, exc), exc.status), entry=entry
    )


@bp.route("/blocklist/<int(max=2147483647):entry_id>/remove", methods=["GET", "POST"])
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
        "remove_blocklist", refused, stale_check=True, entry=key, source=field("source")
    )


# --- re-verification -------------------------------------------------------------------------


def _due_page(failed: int | None = None, error: ModerationError | None = None) -> str:
    days = current_app.config["VERIFIER_REVERIFY_DAYS"]
    return render_template(
        "mod/due.html",
        days=days,
        channels=moderation().due(days),
        today=today(),
        failed=failed,
        values=request.form,
        error=error,
    )


@bp.get("/due")
def due():  # type: ignore[no-untyped-def]
    """Active channels whose last verification is older than VERIFIER_REVERIFY_DAYS."""
    return _due_page()


@bp.post("/due/<int(max=2147483647):channel_id>")
def reverify(channel_id: int):  # type: ignore[no-untyped-def]
    """Propose a new source and date for a channel (reviewed like any other change)."""
    channel = db_session().get(ChannelRow, channel_id)
    if channel is None:
        abort(404)
    slug = channel.platform.slug
    fields = {
        "kind": channel.kind,
        "value": channel.value,
        "source": field("source"),
        "verified_on": field("verified_on"),
    }
    return _propose(
        "edit_channel",
        lambda exc: (_due_page(channel_id, exc), exc.status),
        stale_check=True,
        platform=slug,
        channel=fields,
    )
