"""``verifier registry`` (import, export, stats, due) and ``verifier db``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from verifier.cli.common import _app, _fail, _moderation

if TYPE_CHECKING:
    from registry.files import RegistryData
    from registry.models import UserRow
    from registry.moderation import Moderation


@click.group()
def registry() -> None:
    """Import, export and count the registry."""


@registry.command(name="import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--replace", is_flag=True, help="Make the registry exactly this file.")
@click.option("--dry-run", is_flag=True, help="Validate and show the changes; change nothing.")
@click.option(
    "--user",
    "user_name",
    default=None,
    metavar="NAME",
    help="Propose the file for review as NAME: another moderator must approve it.",
)
@click.option("--note", default=None, help="The proposal's note (default: import of FILE).")
@click.option("--direct", is_flag=True, help="With --user, an admin writes at once, unreviewed.")
def registry_import(
    path: str,
    replace: bool,
    dry_run: bool,
    user_name: str | None,
    note: str | None,
    direct: bool,
) -> None:
    """Import a registry file (YAML, or JSON by extension) in one transaction.

    Without --user the operator writes it at once; with --user it becomes one proposal that
    takes effect when a different moderator approves it. Audited either way.
    """
    from registry.files import RegistryFileError, load_registry_file
    from registry.moderation import OPERATOR

    if not Path(path).is_file():
        _fail(f"cannot read {path}: no such file")
    if note is not None and (user_name is None or direct):
        _fail("--note goes with a proposal: give --user NAME, without --direct")
    try:
        data = load_registry_file(path)
    except RegistryFileError as exc:
        _fail(str(exc))
    counts = (
        f"{len(data.platforms)} platforms, {sum(len(p.channels) for p in data.platforms)} "
        f"channels, {len(data.blocklist)} blocklist entries"
    )
    with _moderation(commit=not dry_run) as mod:
        user = _import_user(mod, user_name, direct) if user_name is not None else None
        if dry_run:
            how = "" if user is None else " (--direct)" if direct else " as a proposal"
            changes = mod.import_diff(data, replace)
            lines = [
                f"valid: {counts} (nothing changed)",
                f"{_entries(changes)} would change on import{how}" + (":" if changes else ""),
                *_diff_lines(changes),
            ]
        elif user is not None and not direct:
            note = f"import of {Path(path).name}" if note is None else note
            lines = _propose_import(mod, user, data, replace, note, counts)
        else:
            mod.import_direct(user.name if user else OPERATOR, data, replace)
            by = f" by {user.name} (direct)" if user else ""
            lines = [
                f"imported {counts}{' (replaced)' if replace else ''}{by}; "
                f"registry version {mod.store.version()}"
            ]
    # Printed once committed: a failed commit must not have announced success.
    for line in lines:
        click.echo(line)


def _propose_import(
    mod: Moderation, user: UserRow, data: RegistryData, replace: bool, note: str, counts: str
) -> list[str]:
    """The file as one pending proposal of ``user``; what to print about it."""
    from registry.files import registry_to_dict

    changes = mod.import_diff(data, replace)  # what Moderation.diff(proposal) shows, too
    if not changes:
        return ["the file matches the registry: nothing to propose"]
    proposal = mod.propose(
        user, "import", registry=registry_to_dict(data), replace_all=replace, note=note
    )
    return [
        f"proposal {proposal.id} (pending) by {user.name}: {counts}; "
        f"{_entries(changes)} would change{' (replace)' if replace else ''}",
        *_diff_lines(changes, limit=PROPOSAL_DIFF_LINES),
        "Nothing changes until a different moderator approves it: at "
        f"/mod/proposals/{proposal.id}, or POST /api/v1/mod/proposals/{proposal.id}/approve "
        "with their API token.",
    ]


#: How many diff lines an import proposal prints; the whole diff is on its /mod page.
PROPOSAL_DIFF_LINES = 20


def _import_user(mod: Moderation, name: str, direct: bool) -> UserRow:
    """The active user an import runs as; with ``direct``, an admin."""
    from registry.moderation import Forbidden, NotFound

    user = mod.user(name)
    if user is None:
        raise NotFound(f"no user called {name!r}")
    if not user.active:
        raise Forbidden(f"user {name!r} is disabled")
    if direct and user.role != "admin":
        # Four eyes: a moderator's file goes through review like any other change.
        raise Forbidden("only an admin may import directly; drop --direct to propose it for review")
    return user


def _entries(rows: list[Any]) -> str:
    return f"{len(rows)} {'entry' if len(rows) == 1 else 'entries'}" if rows else "no entry"


def _diff_lines(rows: list[tuple[str, Any, Any]], limit: int | None = None) -> list[str]:
    """``+ platform x``, ``~ platform y: …``, ``- blocklist …``: one line per changed entry."""
    lines = []
    for entry, before, after in rows:
        if before is None:
            channels = len(after.get("channels", ()))
            count = f" ({channels} channel{'' if channels == 1 else 's'})" if channels else ""
            lines.append(f"+ {entry}{count}")
        elif after is None:
            lines.append(f"- {entry}")
        else:
            lines.append(f"~ {entry}: {_what_changed(before, after)}")
    if limit is not None and len(lines) > limit:
        lines[limit:] = [f"… and {len(lines) - limit} more"]
    return lines


def _what_changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> str:
    """The fields of an entry that differ, and for a platform its channels added (+), removed
    (-) and changed (~)."""
    keys = dict.fromkeys([*before, *after])
    parts = [k for k in keys if k != "channels" and before.get(k) != after.get(k)]
    old = {(c["kind"], c["value"]): c for c in before.get("channels", ())}
    new = {(c["kind"], c["value"]): c for c in after.get("channels", ())}
    parts += [f"+{kind} {value}" for kind, value in new if (kind, value) not in old]
    parts += [f"-{kind} {value}" for kind, value in old if (kind, value) not in new]
    for key, channel in new.items():
        if key in old and old[key] != channel:
            fields = ", ".join(k for k in channel if old[key].get(k) != channel.get(k))
            parts.append(f"~{key[0]} {key[1]} ({fields})")
    return ", ".join(parts) or "channel order"


@registry.command(name="import-community")
@click.option(
    "--vcards",
    "vcards_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="The metowolf/vCards data/ folder (<category>/<name>.yaml).",
)
@click.option(
    "--domains",
    "domains_dir",
    default=None,
    type=click.Path(file_okay=False),
    help="The v2fly/domain-list-community data/ folder (optional).",
)
@click.option("--dry-run", is_flag=True, help="Print the report; change nothing.")
@click.option(
    "--report",
    "report_path",
    default=None,
    type=click.Path(dir_okay=False),
    help="Write the whole report (JSON) to FILE.",
)
@click.option(
    "--as", "user_name", default=None, metavar="USER", help="Write as USER (an admin), audited."
)
def registry_import_community(
    vcards_dir: str,
    domains_dir: str | None,
    dry_run: bool,
    report_path: str | None,
    user_name: str | None,
) -> None:
    """Rebuild the community tier (trust: community) from community data sets.

    Verified platforms and channels are never changed: community channels are added beside
    them, organisations no platform matches become community platforms, and values that
    contradict a verified entry or each other are left out and reported. Written at once, like
    a direct import (by the operator, or by an admin with --as), and audited.
    """
    from registry.community.build import build_community_tier
    from registry.community.vcards import VCardsError, load_vcards
    from registry.moderation import OPERATOR

    try:
        vcards = load_vcards(vcards_dir)
    except VCardsError as exc:
        _fail(str(exc))
    lists, lists_date = None, ""
    if domains_dir is not None:
        from registry.community import domain_lists

        if not Path(domains_dir).is_dir():
            _fail(f"{domains_dir}: no such folder")
        try:
            lists = domain_lists.load_domain_lists(Path(domains_dir))
        except (OSError, UnicodeError) as exc:
            _fail(f"{domains_dir}: cannot read: {exc}")
        lists_date = domain_lists.DATASET_DATE
    with _moderation(commit=not dry_run) as mod:
        # Like `registry import --user NAME --direct`: the tier is written unreviewed, so only
        # an admin (or the operator on the server) may write it.
        user = _import_user(mod, user_name, direct=True) if user_name is not None else None
        try:
            tier = build_community_tier(mod.store.data(), vcards, lists, lists_date=lists_date)
            counts = None if dry_run else mod.store.replace_community_tier(tier.data)
        except ValueError as exc:  # RegistryFileError too: a value the registry refuses
            _fail(f"the community tier cannot be written: {exc}")
        report = tier.report
        if counts is None:
            lines = [report.text(), "dry run: nothing changed"]
        else:
            actor = user.name if user else OPERATOR
            mod.log(
                actor,
                "registry.import_community",
                "registry",
                None,
                {**counts, **report.counts(), "vcards": vcards_dir, "domains": domains_dir},
            )
            lines = [
                report.text(),
                "community tier: "
                + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items())
                + f"; registry version {mod.store.version()}",
            ]
        if report_path is not None:
            try:
                Path(report_path).write_text(report.to_json(), encoding="utf-8")
            except OSError as exc:
                # Raised inside the block: the transaction is rolled back, nothing changed.
                _fail(f"cannot write {report_path}: {exc.strerror or exc}")
    for line in lines:
        click.echo(line)


@registry.command(name="export")
@click.option(
    "--format", "fmt", type=click.Choice(["yaml", "json", "csv"]), default="yaml", show_default=True
)
@click.option(
    "-o", "--output", default=None, metavar="PATH", help="Write to PATH instead of standard output."
)
def registry_export(fmt: str, output: str | None) -> None:
    """Export the whole registry."""
    from registry.files import dump_registry
    from registry.store import RegistryStore
    from verifier.web.extensions import app_session

    app = _app()
    with app_session(app) as session:
        text = dump_registry(RegistryStore(session).data(), fmt)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror}")


@registry.command(name="stats")
@click.option("--json", "as_json", is_flag=True)
def registry_stats(as_json: bool) -> None:
    """Count platforms, channels and blocklist entries, in all and per trust tier."""
    from registry.store import RegistryStore
    from verifier.web.extensions import app_session

    app = _app()
    with app_session(app) as session:
        stats = RegistryStore(session).stats()
    if as_json:
        click.echo(json.dumps(stats, ensure_ascii=False))
        return
    tiers = stats.pop("by_trust")
    for key, value in stats.items():
        shown = (
            ", ".join(f"{k} {n}" for k, n in value.items()) if isinstance(value, dict) else value
        )
        click.echo(f"{key}: {shown}")
    # One line per trust tier: "trust community: platforms 1, channels 2, domain 1, phone 1".
    for trust, tier in tiers.items():
        kinds = "".join(f", {k} {n}" for k, n in tier["channels_by_kind"].items())
        click.echo(
            f"trust {trust}: platforms {tier['platforms']}, channels {tier['channels']}{kinds}"
        )


@registry.command(name="due")
@click.option(
    "--days",
    type=click.IntRange(min=0),
    default=None,
    help="Verified longer ago than this (default VERIFIER_REVERIFY_DAYS, 365).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def registry_due(days: int | None, as_json: bool) -> None:
    """List active channels due for re-verification, oldest first."""
    from registry.moderation import Moderation
    from verifier.web.extensions import app_session

    app = _app()
    days = app.config["VERIFIER_REVERIFY_DAYS"] if days is None else days
    with app_session(app) as session:
        due = [
            {
                "platform": row.platform.slug,
                "kind": row.kind,
                "value": row.value,
                "verified_on": row.verified_on.isoformat(),
                "source": row.source,
            }
            for row in Moderation(session).due(days)
        ]
    for item in due:
        # Tab-separated, so that `cut` and `sort` take it apart; no field holds a tab.
        click.echo(json.dumps(item, ensure_ascii=False) if as_json else "\t".join(item.values()))


@click.group()
def db() -> None:
    """Database schema, backup and restore."""


@db.command(name="upgrade")
def db_upgrade() -> None:
    """Apply schema migrations (the bundled registry is loaded into an empty database)."""
    app = _app(setup=True)
    click.echo(f"database at {_redacted(app.config['VERIFIER_DATABASE_URL'])} is up to date")


@db.command(name="backup")
@click.argument("path", type=click.Path(dir_okay=False))
def db_backup(path: str) -> None:
    """Copy the whole database (registry, users, tokens, proposals, reports, audit log) to PATH.

    The file is gzipped JSON Lines, independent of the database engine; `verifier db restore`
    reads it back.
    """
    from registry.backup import BackupError, backup

    app = _app(setup=False)
    try:
        counts = backup(app.extensions["verifier.engine"], path)
    except BackupError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"cannot write {path}: {exc.strerror or exc}")
    click.echo(f"backed up {sum(counts.values())} rows of {len(counts)} tables to {path}")


@db.command(name="restore")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option(
    "--replace",
    is_flag=True,
    help="Overwrite a database that holds data (never one with an audit log).",
)
def db_restore(path: str, replace: bool) -> None:
    """Make the database exactly the backup at PATH, in one transaction.

    The database must be empty (a new one is migrated first), or hold no audit line with
    --replace: the audit log is append-only.
    """
    from registry.backup import BackupError, head_revision, read_header, restore
    from registry.db import upgrade

    if not Path(path).is_file():
        _fail(f"cannot read {path}: no such file")
    try:
        revision = read_header(path).get("schema_revision")
        if revision != head_revision():
            _fail(
                f"{path} is a backup of schema revision {revision}; this release is at "
                f"{head_revision()}: restore it with the release that wrote it"
            )
        app = _app(setup=False)
        engine = app.extensions["verifier.engine"]
        upgrade(engine)  # a new database gets the schema (and nothing else)
        counts = restore(engine, path, replace=replace)
    except BackupError as exc:
        _fail(str(exc))
    click.echo(
        f"restored {sum(counts.values())} rows of {len(counts)} tables from {path} into "
        f"{_redacted(app.config['VERIFIER_DATABASE_URL'])}"
    )


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
