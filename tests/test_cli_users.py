"""``verifier users`` and ``verifier audit export`` (CONTRACT.md, "Command line"; issue 5).

Each command goes through the moderation service, so every account change lands in the audit
log with the actor "operator"; what the commands wrote is read back with the service itself.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from test_cli import _console_script, assert_usage_error, run

from registry.moderation import OPERATOR, ROLES, Moderation
from verifier.cli import ROLE_CHOICES
from verifier.web import create_app
from verifier.web.extensions import app_session

PASSWORD = "a long enough password"
AUDIT_KEYS = {"at", "actor", "action", "target", "before", "after"}


# The commands' database is as the first start leaves it: that start is test_cli.py's to test.
pytestmark = pytest.mark.first_start_done


@contextmanager
def moderation() -> Iterator[Moderation]:
    """The service on a fresh session of the test's database (VERIFIER_DATABASE_URL)."""
    app = create_app({"VERIFIER_ENV": "testing"})
    try:
        with app_session(app) as session:
            yield Moderation(session)
    finally:
        app.extensions["verifier.engine"].dispose()


def create(runner: CliRunner, name: str, role: str = "moderator") -> Result:
    result = run(
        runner, "users", "create", name, "--role", role, "--password-stdin", input=PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.stderr
    return result


def audit_lines(runner: CliRunner, *args: str) -> list[dict[str, object]]:
    result = run(runner, "audit", "export", *args)
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_the_role_choices_are_the_services_roles() -> None:
    assert ROLE_CHOICES == ROLES


# --- users ---------------------------------------------------------------------------------------


def test_user_lifecycle_is_audited_as_the_operator(runner: CliRunner) -> None:
    assert create(runner, "alice").stdout == "created moderator alice\n"
    create(runner, "root", "admin")
    listing = run(runner, "users", "list")
    assert listing.exit_code == 0, listing.stderr
    assert [line.split() for line in listing.stdout.splitlines()] == [
        ["alice", "moderator", "active"],
        ["root", "admin", "active"],
    ]

    token = run(runner, "users", "token", "alice").stdout.strip()
    with moderation() as mod:
        user = mod.user_for_token(token)
        assert user is not None and user.name == "alice"

    assert run(runner, "users", "disable", "alice").exit_code == 0
    with moderation() as mod:
        assert mod.user_for_token(token) is None  # a disabled user's token stops working
        assert mod.login("alice", PASSWORD) is None
    assert "disabled" in run(runner, "users", "list").stdout.splitlines()[0]
    line = assert_usage_error(run(runner, "users", "token", "alice"))
    assert "alice" in line and "disabled" in line

    assert run(runner, "users", "enable", "alice").exit_code == 0
    with moderation() as mod:
        assert mod.user_for_token(token) is not None
    revoked = run(runner, "users", "revoke-tokens", "alice")
    assert revoked.stdout == "revoked 1 token of alice\n"
    with moderation() as mod:
        assert mod.user_for_token(token) is None

    changed = run(
        runner, "users", "password", "alice", "--password-stdin", input="another password\n"
    )
    assert changed.exit_code == 0, changed.stderr
    with moderation() as mod:
        assert mod.login("alice", "another password") is not None
        assert [(row.actor, row.action, row.target) for row in mod.audit(actor=OPERATOR)] == [
            (OPERATOR, "user.create", "user:alice"),
            (OPERATOR, "user.create", "user:root"),
            (OPERATOR, "user.token", "user:alice"),
            (OPERATOR, "user.disable", "user:alice"),
            (OPERATOR, "user.enable", "user:alice"),
            (OPERATOR, "user.revoke_tokens", "user:alice"),
            (OPERATOR, "user.password", "user:alice"),
        ]
        # Only the token's first characters reach the log, never the token.
        assert all(token not in json.dumps(row.after) for row in mod.audit())


def test_token_is_printed_alone(runner: CliRunner) -> None:
    """So that TOKEN=$(verifier users token alice) works."""
    create(runner, "alice")
    result = run(runner, "users", "token", "alice")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("cvt_") and " " not in lines[0]
    second = run(runner, "users", "token", "alice").stdout
    assert second != result.stdout  # each call makes a new one


def test_create_prompts_twice_with_hidden_input(runner: CliRunner) -> None:
    result = run(runner, "users", "create", "bob", "--role", "admin", input=f"{PASSWORD}\n" * 2)
    assert result.exit_code == 0, result.stderr
    assert "Repeat" in result.stdout
    assert PASSWORD not in result.stdout  # not echoed
    with moderation() as mod:
        user = mod.login("bob", PASSWORD)
        assert user is not None and user.role == "admin"


def test_mismatched_prompts_create_nobody(runner: CliRunner) -> None:
    result = run(runner, "users", "create", "bob", "--role", "admin", input=f"{PASSWORD}\nother\n")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == ["verifier: aborted"]
    with moderation() as mod:
        assert mod.user("bob") is None


def test_password_stdin_keeps_spaces_and_drops_the_line_ending(runner: CliRunner) -> None:
    stdin = "  spaced out password  \r\nsecond line is ignored\n"
    result = run(
        runner, "users", "create", "carol", "--role", "moderator", "--password-stdin", input=stdin
    )
    assert result.exit_code == 0, result.stderr
    with moderation() as mod:
        assert mod.login("carol", "  spaced out password  ") is not None


@pytest.mark.parametrize(
    ("args", "stdin", "words"),
    [
        # The service's own messages, one line each.
        (("create", "x", "--role", "admin", "--password-stdin"), PASSWORD, "user name"),
        (("create", "Alice", "--role", "admin", "--password-stdin"), PASSWORD, "lower-case"),
        (("create", "dave", "--role", "admin", "--password-stdin"), "short\n", "10 characters"),
        (("create", "dave", "--role", "admin", "--password-stdin"), "", "standard input"),
        (("create", "alice", "--role", "admin", "--password-stdin"), PASSWORD, "already exists"),
        # click's own usage errors.
        (("create", "dave", "--role", "root", "--password-stdin"), PASSWORD, "--role"),
        (("create", "dave", "--password-stdin"), PASSWORD, "--role"),
        # Unknown users.
        (("disable", "nobody"), None, "nobody"),
        (("enable", "nobody"), None, "nobody"),
        (("token", "nobody"), None, "nobody"),
        (("revoke-tokens", "nobody"), None, "nobody"),
        (("password", "nobody", "--password-stdin"), PASSWORD, "nobody"),
        (("password", "alice", "--password-stdin"), "short\n", "10 characters"),
    ],
)
def test_refusals_exit_2_with_one_line(
    runner: CliRunner, args: tuple[str, ...], stdin: str | None, words: str
) -> None:
    create(runner, "alice")
    with moderation() as mod:
        before = len(mod.audit())
    line = assert_usage_error(run(runner, "users", *args, input=stdin))
    assert words in line
    with moderation() as mod:
        assert len(mod.audit()) == before  # nothing written, not even half a change
        assert [u.name for u in mod.users()] == ["alice"]
        assert mod.login("alice", PASSWORD) is not None


def test_console_script_creates_a_user_from_stdin(database_url: str) -> None:
    """The installed command, as a deployment script runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERIFIER_")}
    env |= {"VERIFIER_DATABASE_URL": database_url, "LANG": "C.UTF-8"}

    def script(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [_console_script(), *args],
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=env,
            timeout=60,
            check=False,
        )

    created = script(
        "users", "create", "alice", "--role", "moderator", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert created.returncode == 0, created.stderr
    assert created.stdout == "created moderator alice\n"
    assert "Traceback" not in created.stderr
    token = script("users", "token", "alice")
    assert token.returncode == 0, token.stderr
    assert token.stdout.startswith("cvt_") and len(token.stdout.splitlines()) == 1
    again = script(
        "users", "create", "alice", "--role", "moderator", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert again.returncode == 2
    assert again.stdout == ""
    assert again.stderr.splitlines() == ["verifier: a user called 'alice' already exists"]


# --- audit export --------------------------------------------------------------------------------


def test_audit_export_is_json_lines(runner: CliRunner, tmp_path: Path) -> None:
    started = dt.datetime.now(dt.UTC)
    create(runner, "alice")
    run(runner, "users", "disable", "alice")
    lines = audit_lines(runner)
    assert [(e["actor"], e["action"], e["target"]) for e in lines] == [
        (OPERATOR, "user.create", "user:alice"),
        (OPERATOR, "user.disable", "user:alice"),
    ]
    for entry in lines:
        assert set(entry) == AUDIT_KEYS
        at = dt.datetime.fromisoformat(str(entry["at"]))
        assert str(entry["at"]).endswith("Z")  # as the moderation API writes it
        assert at.utcoffset() == dt.timedelta(0)
        assert started - dt.timedelta(seconds=5) <= at <= dt.datetime.now(dt.UTC)
    assert lines[1]["before"] == {"active": True}
    assert lines[1]["after"] == {"active": False}

    out = tmp_path / "audit.jsonl"
    written = run(runner, "audit", "export", "-o", str(out))
    assert (written.exit_code, written.stdout) == (0, "")
    assert [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] == lines


def test_audit_export_filters(runner: CliRunner) -> None:
    create(runner, "alice")
    run(runner, "users", "token", "alice")
    with moderation() as mod:
        mod.login("alice", "wrong password")
        mod.session.commit()
    everything = audit_lines(runner)
    assert [e["action"] for e in everything] == ["user.create", "user.token", "login.failed"]
    assert [e["action"] for e in audit_lines(runner, "--actor", "alice")] == ["login.failed"]
    assert [e["action"] for e in audit_lines(runner, "--action", "user.")] == [
        "user.create",
        "user.token",
    ]
    first, second = everything[0]["at"], everything[1]["at"]
    # --since includes its moment, --until excludes its own.
    assert audit_lines(runner, "--since", str(second))[0] == everything[1]
    assert audit_lines(runner, "--until", str(second)) == everything[:1]
    assert audit_lines(runner, "--until", str(first)) == []
    assert audit_lines(runner, "--since", "2999-01-01") == []
    # A time without an offset is UTC; a date is its midnight, or with --until the day's end.
    assert audit_lines(runner, "--since", "2000-01-01", "--until", "2999-01-01T00:00") == everything
    today = str(first)[:10]
    assert audit_lines(runner, "--since", today, "--until", today) == everything
    assert audit_lines(runner, "--until", f"{today}T00:00:00") == []
    local = dt.datetime.fromisoformat(str(second)).astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert audit_lines(runner, "--since", local.isoformat()) == everything[1:]


@pytest.mark.parametrize(
    "args",
    [
        ("--since", "yesterday"),
        ("--until", "2026-13-01"),
        ("--since", ""),
        ("-o", "/no/such/folder/audit.jsonl"),
    ],
)
def test_audit_export_refusals_exit_2(runner: CliRunner, args: tuple[str, ...]) -> None:
    assert_usage_error(run(runner, "audit", "export", *args))
