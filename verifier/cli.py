"""The ``verifier`` command (CONTRACT.md): serve, check, scan, registry, users, apikey, audit, db.

Every failure a user can cause ends in one line on standard error and exit status 2; no Python
traceback reaches a user.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from registry.files import RegistryData
    from registry.models import UserRow
    from registry.moderation import Moderation

__all__ = ["main"]

EXIT_USAGE = 2


def _fail(message: str) -> NoReturn:
    # One line, as the contract promises: a YAML parser error, for one, spans several lines.
    one_line = " ".join(part.strip() for part in message.splitlines() if part.strip())
    click.echo(f"verifier: {one_line}", err=True)
    sys.exit(EXIT_USAGE)


def _app(setup: bool = True) -> Any:
    from verifier.web import ConfigError, create_app

    try:
        return create_app({"VERIFIER_SETUP_ON_START": setup})
    except ConfigError as exc:
        _fail(str(exc))
    except Exception as exc:  # database unreachable, bad URL: one line, never a traceback
        first_line = (str(exc).splitlines() or [""])[0]
        _fail(f"cannot open the registry database: {exc.__class__.__name__}: {first_line}")


@contextmanager
def _moderation(commit: bool = True) -> Iterator[Moderation]:
    """The moderation service on one session. The work is committed when the block ends
    normally (rolled back when ``commit`` is false); a refusal by the service is rolled back and
    becomes one line on standard error with exit status 2."""
    from registry.moderation import Moderation, ModerationError
    from verifier.web.extensions import app_session

    with app_session(_app()) as session:
        try:
            yield Moderation(session)
        except ModerationError as exc:
            session.rollback()
            _fail(exc.message)
        if commit:
            session.commit()
        else:
            session.rollback()


class _Group(click.Group):
    """Usage errors exit 2 with one line, as click does, and so does everything unexpected."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            kwargs["standalone_mode"] = False
            return super().main(*args, **kwargs)
        except click.exceptions.Abort:
            _fail("aborted")
        except click.ClickException as exc:
            _fail(exc.format_message().splitlines()[0])
        except OSError as exc:
            _fail(str(exc))
        except Exception as exc:  # a bug or a database failure: one line, never a traceback
            first_line = (str(exc).splitlines() or [""])[0]
            click.echo(f"verifier: error: {exc.__class__.__name__}: {first_line}", err=True)
            sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Contact Verifier: is this phone number or link really official?"""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, workers: int) -> None:
    """Run the production WSGI server (gunicorn); set up an empty database first."""
    from verifier.web.server import run

    # Migrate and load the bundled registry once, before any worker starts; the workers open
    # their own connections.
    _app(setup=True).extensions["verifier.engine"].dispose()
    run(host=host, port=port, workers=workers)


def _values(values: Iterable[str], file: str | None) -> Iterator[str]:
    yield from values
    if file is None:
        return
    try:
        stream = sys.stdin if file == "-" else open(file, encoding="utf-8", errors="replace")  # noqa: SIM115
    except OSError as exc:
        _fail(f"cannot read {file}: {exc.strerror}")
    with stream:
        for line in stream:
            line = line.rstrip("\r\n")
            if line.strip():
                yield line


def _judging_setup(region: str | None, lang: str | None) -> tuple[str, str, Any]:
    """The region, language and registry index that ``check`` and ``scan`` judge with."""
    import phonenumbers

    from registry.store import RegistryStore
    from verifier.web.extensions import app_session

    app = _app()
    region = (region or app.config["VERIFIER_DEFAULT_REGION"]).upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        _fail(f"unknown region {region!r}: use a two-letter code such as CN")
    lang = lang or ("en" if os.environ.get("LANG", "").startswith("en") else "zh")
    with app_session(app) as session:
        index = RegistryStore(session).build_index()
    return region, lang, index


@main.command(name="check")
@click.option("--json", "as_json", is_flag=True, help="One verdict object per line (JSON Lines).")
@click.option("--region", default=None, help="Region for numbers without a country code.")
@click.option(
    "--claimed", default=None, metavar="SLUG", help="The platform the value claims to be."
)
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Language of reasons.")
@click.option("--file", "file", default=None, metavar="PATH|-", help="Read one value per line.")
@click.argument("values", nargs=-1)
def check_command(
    as_json: bool,
    region: str | None,
    claimed: str | None,
    lang: str | None,
    file: str | None,
    values: tuple[str, ...],
) -> None:
    """Check phone numbers, links and e-mail addresses against the registry."""

    from verifier.core.check import check

    if not values and file is None:
        _fail("give at least one VALUE, or --file PATH (- for standard input)")
    region, lang, index = _judging_setup(region, lang)
    if claimed and index.platform(claimed) is None:
        _fail(f"no platform {claimed!r} in the registry")
    for value in _values(values, file):
        verdict = check(value, index, region=region, claimed=claimed, lang=lang)
        if as_json:
            click.echo(json.dumps(verdict.to_dict(), ensure_ascii=False))
        else:
            click.echo(_human(verdict.to_dict()))


def _human(v: dict[str, Any]) -> str:
    """A verdict for a terminal: the verdict and whose it is, then reasons and channels."""
    head = f"{v['input']}: {v['verdict'].upper()} ({v['risk']})"
    if v["platform"]:
        head += f" · {v['platform']['name']} [{v['platform']['slug']}]"
    if v["impersonates"]:
        how = "imitates" if v["verdict"] in ("lookalike", "known_scam") else "presented as"
        head += f" · {how} {v['impersonates']['name']} [{v['impersonates']['slug']}]"
    lines = [head]
    if v["normalized"] and v["normalized"] != v["input"]:
        lines.append(f"  normalized: {v['normalized']}")
    lines += [f"  - {r['message']} [{r['code']}]" for r in v["reasons"]]
    if v["official_channels"]:
        lines.append("  official channels:")
        lines += [
            f"    {c['kind']}: {c['display']}" + (f"  {c['label']}" if c["label"] else "")
            for c in v["official_channels"]
        ]
    return "\n".join(lines)


def _read_text(path: str) -> str:
    """The whole of ``path`` (``-`` for standard input) as UTF-8 text, or a one-line failure."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as stream:
                data = stream.read()
    except OSError as exc:
        _fail(f"cannot read {path}: {exc.strerror}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        _fail(f"{'standard input' if path == '-' else path} is not UTF-8 text")


@main.command(name="scan")
@click.option("--json", "as_json", is_flag=True, help="Print the scan object as JSON.")
@click.option("--region", default=None, help="Region for numbers without a country code.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Language of reasons.")
@click.argument("path", default="-", metavar="[PATH|-]")
def scan_command(as_json: bool, region: str | None, lang: str | None, path: str) -> None:
    """Scan a whole message or page (a file, or standard input) for numbers and links."""

    from verifier.core.scan import MAX_SCAN_LENGTH, scan

    text = _read_text(path)
    if len(text) > MAX_SCAN_LENGTH:
        _fail(f"the text has {len(text)} characters; at most {MAX_SCAN_LENGTH} can be scanned")
    region, lang, index = _judging_setup(region, lang)
    result = scan(text, index, region=region, lang=lang).to_dict()
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    click.echo(f"risk: {result['risk']}")
    for m in result["mentions"]:
        platform = m["platform"]
        click.echo(
            f"[{m['start']}:{m['end']}] {m['text']}: names {platform['name']} [{platform['slug']}]"
        )
    for p in result["patterns"]:
        click.echo(f"pattern: {p['message']} [{p['code']}]")
    for f in result["findings"]:
        claim = f" (presented as {f['claimed_platform']})" if f["claimed_platform"] else ""
        click.echo(f"[{f['start']}:{f['end']}] {f['text']}{claim}")
        click.echo("  " + _human(f).replace("\n", "\n  "))


@main.group()
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
    """Count platforms, channels and blocklist entries."""
    from registry.store import RegistryStore
    from verifier.web.extensions import app_session

    app = _app()
    with app_session(app) as session:
        stats = RegistryStore(session).stats()
    if as_json:
        click.echo(json.dumps(stats, ensure_ascii=False))
        return
    for key, value in stats.items():
        shown = (
            ", ".join(f"{k} {n}" for k, n in value.items()) if isinstance(value, dict) else value
        )
        click.echo(f"{key}: {shown}")


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


# --- users ---------------------------------------------------------------------------------------


@main.group()
def users() -> None:
    """Moderator and admin accounts and their API tokens (audited, actor "operator")."""


#: The service checks the role too (registry.moderation.ROLES); a test keeps the two equal.
#: Listed here so that a mistyped role is refused before the password prompt, and so that the
#: command line loads without the moderation service.
ROLE_CHOICES = ("moderator", "admin")

_password_stdin = click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of a prompt.",
)


def _password(from_stdin: bool) -> str:
    if not from_stdin:
        password: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        return password
    line = sys.stdin.readline()
    if not line:
        _fail("--password-stdin: standard input is empty")
    # The line ending only: spaces at either end may be part of the password.
    return line.removesuffix("\n").removesuffix("\r")


@users.command(name="create")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLE_CHOICES), required=True)
@_password_stdin
def users_create(name: str, role: str, password_stdin: bool) -> None:
    """Create an active account NAME (a password of at least 10 characters)."""
    with _moderation() as mod:  # the database first: a password typed in vain is annoying
        mod.create_user(name, role, _password(password_stdin))
    click.echo(f"created {role} {name}")


@users.command(name="disable")
@click.argument("name")
def users_disable(name: str) -> None:
    """Disable NAME: logins, sessions and API tokens stop working at once."""
    with _moderation() as mod:
        mod.disable_user(name)
    click.echo(f"disabled {name}: logins, sessions and API tokens stop working now")


@users.command(name="enable")
@click.argument("name")
def users_enable(name: str) -> None:
    """Enable NAME again (and lift a lock after failed logins)."""
    with _moderation() as mod:
        mod.enable_user(name)
    click.echo(f"enabled {name}")


@users.command(name="token")
@click.argument("name")
def users_token(name: str) -> None:
    """Print a new API token for NAME, and nothing else (only its hash is kept)."""
    with _moderation() as mod:
        token = mod.new_token(name)
    click.echo(token)


@users.command(name="revoke-tokens")
@click.argument("name")
def users_revoke_tokens(name: str) -> None:
    """Revoke every API token of NAME."""
    with _moderation() as mod:
        revoked = mod.revoke_tokens(name)
    click.echo(f"revoked {revoked} token{'' if revoked == 1 else 's'} of {name}")


@users.command(name="password")
@click.argument("name")
@_password_stdin
def users_password(name: str, password_stdin: bool) -> None:
    """Set a new password for NAME; their open sessions end."""
    with _moderation() as mod:
        mod.set_password(name, _password(password_stdin))
    click.echo(f"changed the password of {name}; their sessions have ended")


@users.command(name="list")
def users_list() -> None:
    """List accounts: name, role, active or disabled."""
    with _moderation(commit=False) as mod:
        rows = [(u.name, u.role, "active" if u.active else "disabled") for u in mod.users()]
    width = max((len(name) for name, _, _ in rows), default=0)
    for name, role, status in rows:
        click.echo(f"{name:<{width}}  {role:<9}  {status}")


# --- API keys ------------------------------------------------------------------------------------


@main.group()
def apikey() -> None:
    """API keys for integrations: their own, higher rate limits (configured, not stored)."""


#: A key's prefix says what it is when one turns up in a log or a leaked file.
API_KEY_PREFIX = "cvk_"


@apikey.command(name="new")
@click.argument("name")
@click.option(
    "--limit",
    default="6000/minute",
    show_default=True,
    help="The key's own limit (Flask-Limiter syntax, no spaces: 6000/minute;100000/day).",
)
def apikey_new(name: str, limit: str) -> None:
    """Print a new key for NAME, then the entry to add to VERIFIER_API_KEYS.

    The key goes to the integrator and is shown only here; the entry holds only its SHA-256.
    """
    import hashlib
    import secrets

    from verifier.web.config import ConfigError, api_key_entry

    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    try:
        entry = api_key_entry(name, hashlib.sha256(key.encode()).hexdigest(), limit)
    except ConfigError as exc:
        _fail(str(exc))
    click.echo(key)
    click.echo(entry)


# --- audit ---------------------------------------------------------------------------------------


@main.group()
def audit() -> None:
    """The audit log: who changed what, and when."""


@audit.command(name="export")
@click.option("--since", default=None, metavar="ISO", help="From this time on (UTC unless given).")
@click.option(
    "--until", default=None, metavar="ISO", help="Before this time; a date includes its day."
)
@click.option("--actor", default=None, metavar="NAME", help="Only what NAME did.")
@click.option("--action", default=None, metavar="PREFIX", help="Only actions starting so.")
@click.option(
    "-o", "--output", default=None, metavar="PATH", help="Write to PATH instead of standard output."
)
def audit_export(
    since: str | None,
    until: str | None,
    actor: str | None,
    action: str | None,
    output: str | None,
) -> None:
    """Export the audit log as JSON Lines, oldest first."""
    from registry.moderation import audit_entry

    start, end = _moment(since, "--since"), _moment(until, "--until", end_of_day=True)
    with _moderation(commit=False) as mod:
        lines = [
            json.dumps(audit_entry(row), ensure_ascii=False)
            for row in mod.audit(since=start, until=end, actor=actor, action=action)
        ]
    text = "".join(line + "\n" for line in lines)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror}")


def _moment(text: str | None, option: str, end_of_day: bool = False) -> dt.datetime | None:
    """An ISO 8601 date or time as an aware UTC moment (see ``parse_moment``)."""
    from registry.moderation import Invalid, parse_moment

    if text is None:
        return None
    try:
        return parse_moment(text, end_of_day)
    except Invalid as exc:
        _fail(f"{option}: {exc.message}")


@main.group()
def db() -> None:
    """Database schema."""


@db.command(name="upgrade")
def db_upgrade() -> None:
    """Apply schema migrations (the bundled registry is loaded into an empty database)."""
    app = _app(setup=True)
    click.echo(f"database at {_redacted(app.config['VERIFIER_DATABASE_URL'])} is up to date")


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
