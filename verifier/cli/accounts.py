"""``verifier users``, ``verifier apikey`` and ``verifier audit``: accounts, API keys and the
audit log."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from verifier.cli.common import _fail, _moderation

# --- users ---------------------------------------------------------------------------------------


@click.group()
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


@click.group()
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


@click.group()
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
