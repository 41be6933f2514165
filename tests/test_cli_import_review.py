"""``verifier registry import`` through review, and ``verifier registry due`` (issue 5).

An operator's import (no --user) is written at once and audited; a moderator's becomes one
pending proposal that changes nothing until a different moderator approves it; an admin may pass
--direct. Approvals are made here through the service, as the web pages and the API make them.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from test_cli import assert_usage_error, json_lines, run, stats
from test_cli_users import create, moderation

from registry.moderation import OPERATOR, Forbidden

NEW_NUMBER = "+86 400 123 4567"
NEW_E164 = "+864001234567"

NEW_REGISTRY: dict[str, Any] = {
    "platforms": [
        {
            "slug": "test-bank",
            "name": {"zh": "测试银行", "en": "Test Bank"},
            "country": "CN",
            "phone_support": "listed",
            "channels": [
                {
                    "kind": "phone",
                    "value": NEW_NUMBER,
                    "label": {"zh": "客服热线", "en": "Hotline"},
                    "source": "https://example.org/source",
                    "verified_on": "2020-01-01",  # long due for re-verification
                }
            ],
        }
    ],
    "blocklist": [
        {
            "kind": "phone",
            "value": "+86 400 999 0000",
            "impersonates": "test-bank",
            "evidence": "https://example.org/evidence",
            "added_on": "2026-11-01",
        }
    ],
}


# The commands' database is as the first start leaves it: that start is test_cli.py's to test.
pytestmark = pytest.mark.first_start_done


def write(path: Path, registry: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def new_file(tmp_path: Path) -> Path:
    """A registry file adding one platform with one phone channel, and one blocklist entry."""
    return write(tmp_path / "new.yaml", NEW_REGISTRY)


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    """The same file, its one channel without a source."""
    registry = copy.deepcopy(NEW_REGISTRY)
    del registry["platforms"][0]["channels"][0]["source"]
    return write(tmp_path / "bad.yaml", registry)


@pytest.fixture
def users(runner: CliRunner) -> None:
    """Moderators alice and bob, and root, an admin."""
    create(runner, "alice")
    create(runner, "bob")
    create(runner, "root", "admin")


def verdict(runner: CliRunner, value: str = NEW_NUMBER) -> str:
    result: str = json_lines(run(runner, "check", "--json", value))[0]["verdict"]
    return result


def imports(actor: str | None = None) -> list[tuple[str, str]]:
    with moderation() as mod:
        return [(row.actor, row.target) for row in mod.audit(action="registry.import", actor=actor)]


def test_operator_import_is_written_at_once_and_audited(runner: CliRunner, new_file: Path) -> None:
    result = run(runner, "registry", "import", str(new_file))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("imported 1 platforms, 1 channels, 1 blocklist entries;")
    assert verdict(runner) == "official"
    assert verdict(runner, "+86 400 999 0000") == "known_scam"
    assert imports() == [(OPERATOR, "registry")]


def test_moderator_import_is_a_proposal_until_another_approves(
    runner: CliRunner, users: None, new_file: Path
) -> None:
    before = stats(runner)
    result = run(runner, "registry", "import", "--user", "alice", str(new_file))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("proposal ") and "(pending) by alice" in lines[0]
    proposal_id = int(lines[0].split()[1])
    assert "+ platform test-bank (1 channel)" in lines
    assert "+ blocklist phone +864009990000" in lines
    assert f"/mod/proposals/{proposal_id}" in lines[-1]

    # Nothing changed yet.
    assert stats(runner) == before
    assert verdict(runner) != "official"
    assert imports() == []

    with moderation() as mod:
        (proposal,) = mod.proposals(status="pending")
        assert (proposal.id, proposal.action, proposal.note) == (
            proposal_id,
            "import",
            "import of new.yaml",
        )
        alice, bob = mod.user("alice"), mod.user("bob")
        assert alice is not None and bob is not None
        with pytest.raises(Forbidden):
            mod.approve(alice, proposal_id)
        mod.approve(bob, proposal_id)
        mod.session.commit()

    assert verdict(runner) == "official"
    assert stats(runner)["registry_version"] > before["registry_version"]
    with moderation() as mod:
        assert [(row.actor, row.action) for row in mod.audit(target=f"proposal:{proposal_id}")] == [
            ("alice", "proposal.create"),
            ("bob", "registry.import"),
            ("bob", "proposal.approve"),
        ]


def test_note_goes_with_the_proposal(runner: CliRunner, users: None, new_file: Path) -> None:
    result = run(
        runner,
        "registry",
        "import",
        "--user",
        "bob",
        "--note",
        "from the bank's site",
        str(new_file),
    )
    assert result.exit_code == 0, result.stderr
    with moderation() as mod:
        assert [p.note for p in mod.proposals()] == ["from the bank's site"]
    for args in (("--note", "x"), ("--user", "root", "--direct", "--note", "x")):
        assert "--note" in assert_usage_error(
            run(runner, "registry", "import", *args, str(new_file))
        )


def test_direct_import_by_a_moderator_is_refused(
    runner: CliRunner, users: None, new_file: Path
) -> None:
    before = stats(runner)
    line = assert_usage_error(
        run(runner, "registry", "import", "--user", "alice", "--direct", str(new_file))
    )
    assert line == (
        "verifier: only an admin may import directly; drop --direct to propose it for review"
    )
    assert stats(runner) == before
    with moderation() as mod:
        assert mod.proposals() == []


def test_direct_import_by_an_admin_is_applied_and_audited_with_their_name(
    runner: CliRunner, users: None, new_file: Path
) -> None:
    result = run(runner, "registry", "import", "--user", "root", "--direct", str(new_file))
    assert result.exit_code == 0, result.stderr
    assert "by root (direct)" in result.stdout
    assert verdict(runner) == "official"
    assert imports() == [("root", "registry")]
    with moderation() as mod:
        assert mod.proposals() == []


@pytest.mark.parametrize(
    ("user", "words"),
    [
        ("nobody", "no user called 'nobody'"),
        ("carol", "user 'carol' is disabled"),
    ],
)
def test_import_as_an_unknown_or_disabled_user_is_refused(
    runner: CliRunner, users: None, new_file: Path, user: str, words: str
) -> None:
    create(runner, "carol", "admin")
    run(runner, "users", "disable", "carol")
    before = stats(runner)
    for extra in ((), ("--direct",), ("--dry-run",)):
        line = assert_usage_error(
            run(runner, "registry", "import", "--user", user, *extra, str(new_file))
        )
        assert words in line
    assert stats(runner) == before


@pytest.mark.parametrize("extra", [(), ("--user", "alice"), ("--user", "root", "--direct")])
def test_dry_run_prints_the_diff_and_changes_nothing(
    runner: CliRunner, users: None, new_file: Path, extra: tuple[str, ...]
) -> None:
    before = stats(runner)
    result = run(runner, "registry", "import", "--dry-run", *extra, str(new_file))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "valid: 1 platforms, 1 channels, 1 blocklist entries (nothing changed)"
    assert lines[1].startswith("2 entries would change on import")
    assert lines[2:] == ["+ platform test-bank (1 channel)", "+ blocklist phone +864009990000"]
    assert stats(runner) == before
    with moderation() as mod:
        assert mod.proposals() == []


def test_dry_run_shows_changed_and_removed_entries(
    runner: CliRunner, new_file: Path, tmp_path: Path
) -> None:
    assert run(runner, "registry", "import", str(new_file)).exit_code == 0
    changed = copy.deepcopy(NEW_REGISTRY)
    channel = changed["platforms"][0]["channels"][0]
    channel["status"] = "retired"
    changed["platforms"][0]["channels"].append({**channel, "value": "+86 400 123 4568"})
    changed["platforms"][0]["aliases"] = ["测试"]
    changed["blocklist"] = []
    path = write(tmp_path / "changed.yaml", changed)

    merge = run(runner, "registry", "import", "--dry-run", str(path)).stdout.splitlines()
    assert merge[1:] == [
        "1 entry would change on import:",
        "~ platform test-bank: aliases, +phone +864001234568, ~phone +864001234567 (status)",
    ]
    replace = run(runner, "registry", "import", "--dry-run", "--replace", str(path))
    lines = replace.stdout.splitlines()
    assert "- blocklist phone +864009990000" in lines
    assert sum(line.startswith("- platform ") for line in lines) == stats(runner)["platforms"] - 1


def test_a_large_proposal_prints_a_short_diff(
    runner: CliRunner, users: None, new_file: Path
) -> None:
    result = run(runner, "registry", "import", "--user", "alice", "--replace", str(new_file))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    # The header, 20 entries, "… and N more", how to approve it.
    assert len(lines) == 23
    removed = stats(runner)["platforms"] + stats(runner)["blocklist"]
    assert lines[-2] == f"… and {removed + 2 - 20} more"
    assert "(replace)" in lines[0]


def test_a_file_that_changes_nothing_is_not_proposed(
    runner: CliRunner, users: None, new_file: Path
) -> None:
    assert (
        run(runner, "registry", "import", "--user", "root", "--direct", str(new_file)).exit_code
        == 0
    )
    result = run(runner, "registry", "import", "--user", "alice", str(new_file))
    assert result.exit_code == 0, result.stderr
    assert "nothing to propose" in result.stdout
    with moderation() as mod:
        assert mod.proposals() == []


@pytest.mark.parametrize(
    "extra",
    [
        (),
        ("--dry-run",),
        ("--user", "alice"),
        ("--user", "alice", "--dry-run"),
        ("--user", "root", "--direct"),
    ],
)
def test_a_bad_entry_changes_nothing_and_is_named(
    runner: CliRunner, users: None, bad_file: Path, extra: tuple[str, ...]
) -> None:
    before = stats(runner)
    line = assert_usage_error(run(runner, "registry", "import", *extra, str(bad_file)))
    for name in ("bad.yaml", "platforms[0]", "test-bank", "channels[0]", "source"):
        assert name in line
    assert stats(runner) == before
    with moderation() as mod:
        assert mod.proposals() == []
        assert mod.audit(action="registry.") == []


# --- re-verification -----------------------------------------------------------------------------


def test_due_lists_an_old_channel(
    runner: CliRunner, new_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(runner, "registry", "import", str(new_file)).exit_code == 0
    due = run(runner, "registry", "due")
    assert due.exit_code == 0, due.stderr
    line = "test-bank\tphone\t+864001234567\t2020-01-01\thttps://example.org/source"
    assert line in due.stdout.splitlines()

    records = json_lines(run(runner, "registry", "due", "--json"))
    assert {
        "platform": "test-bank",
        "kind": "phone",
        "value": NEW_E164,
        "verified_on": "2020-01-01",
        "source": "https://example.org/source",
    } in records
    assert [r["verified_on"] for r in records] == sorted(r["verified_on"] for r in records)

    # Younger than --days, or than VERIFIER_REVERIFY_DAYS: not due.
    assert line not in run(runner, "registry", "due", "--days", "100000").stdout
    monkeypatch.setenv("VERIFIER_REVERIFY_DAYS", "100000")
    assert line not in run(runner, "registry", "due").stdout


def test_due_refuses_a_negative_age(runner: CliRunner) -> None:
    assert "--days" in assert_usage_error(run(runner, "registry", "due", "--days", "-1"))
