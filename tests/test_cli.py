"""The ``verifier`` command (CONTRACT.md, "Command line"), through click's CliRunner.

Usage errors end in exit status 2 and one line on standard error, never a traceback. A fresh
database gets the bundled registry on first use; most tests start from a copy of a database
prepared once per module, since loading the bundled registry for every test is slow.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from databases import TestDatabases
from small_registry import SMALL_REGISTRY, VERDICT_KEYS

from registry.db import bundled_registry
from registry.files import parse_registry
from registry.store import RegistryStore
from verifier.cli import main
from verifier.web import create_app
from verifier.web.extensions import app_session


@pytest.fixture(scope="module")
def bundled_template(
    databases: TestDatabases, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database on which the first start already ran: schema plus bundled registry."""
    url = databases.new(tmp_path_factory.mktemp("cli") / "bundled.sqlite3")
    app = create_app({"VERIFIER_ENV": "testing", "VERIFIER_DATABASE_URL": url})
    app.extensions["verifier.engine"].dispose()
    yield url
    databases.drop(url)


@pytest.fixture(scope="module")
def small_template(
    databases: TestDatabases, tmp_path_factory: pytest.TempPathFactory, bundled_template: str
) -> Iterator[str]:
    """A database holding exactly the small test registry."""
    url = databases.new(tmp_path_factory.mktemp("cli") / "small.sqlite3")
    databases.copy(bundled_template, url)
    app = create_app({"VERIFIER_ENV": "testing", "VERIFIER_DATABASE_URL": url})
    with app_session(app) as session:
        RegistryStore(session).import_data(parse_registry(SMALL_REGISTRY), replace=True)
        session.commit()
    app.extensions["verifier.engine"].dispose()
    yield url
    databases.drop(url)


@pytest.fixture
def bundled_db(databases: TestDatabases, database_url: str, bundled_template: str) -> str:
    """The test's database, holding the bundled registry."""
    databases.copy(bundled_template, database_url)
    return database_url


@pytest.fixture
def small_db(databases: TestDatabases, database_url: str, small_template: str) -> str:
    """The test's database, holding the small registry."""
    databases.copy(small_template, database_url)
    return database_url


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Settings from the developer's shell must not change what the commands do."""
    for name in ("VERIFIER_ENV", "VERIFIER_SECRET_KEY", "VERIFIER_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    yield


def run(runner: CliRunner, *args: str, input: str | None = None) -> Result:
    return runner.invoke(main, list(args), input=input, catch_exceptions=False)


def assert_usage_error(result: Result) -> str:
    """Exit status 2, nothing on standard output, one line on standard error; returns it."""
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def json_lines(result: Result) -> list[dict[str, Any]]:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return [json.loads(line) for line in result.stdout.splitlines()]


def stats(runner: CliRunner) -> dict[str, Any]:
    result = run(runner, "registry", "stats", "--json")
    assert result.exit_code == 0, result.stderr
    counts: dict[str, Any] = json.loads(result.stdout)
    return counts


# --- check ---------------------------------------------------------------------------------------


def test_check_json_on_a_fresh_database_uses_the_bundled_registry(runner: CliRunner) -> None:
    result = run(
        runner, "check", "--json", "95588", "https://www.alipay.com", "12345678901234567890"
    )
    verdicts = json_lines(result)
    assert len(verdicts) == 3
    assert [v["input"] for v in verdicts] == [
        "95588",
        "https://www.alipay.com",
        "12345678901234567890",
    ]
    for verdict in verdicts:
        assert set(verdict) >= VERDICT_KEYS
    icbc, alipay, junk = verdicts
    assert (icbc["kind"], icbc["normalized"], icbc["verdict"], icbc["risk"]) == (
        "phone",
        "95588",
        "official",
        "safe",
    )
    assert icbc["platform"]["slug"] == "icbc"
    assert icbc["impersonates"] is None
    assert icbc["official_channels"]
    assert (alipay["kind"], alipay["verdict"], alipay["platform"]["slug"]) == (
        "url",
        "official",
        "alipay",
    )
    assert (junk["verdict"], junk["normalized"], junk["platform"]) == ("invalid", None, None)
    assert junk["official_channels"] == []
    assert icbc["registry_version"] == alipay["registry_version"] == junk["registry_version"] >= 1


def test_check_human_readable(runner: CliRunner, small_db: str) -> None:
    result = run(runner, "check", "--lang", "en", "95588", "hello")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert not out.lstrip().startswith("{")
    assert "95588: OFFICIAL (safe)" in out
    assert "[icbc]" in out and "ICBC" in out
    assert "[official_channel]" in out
    assert "hello: INVALID" in out
    assert out.index("95588") < out.index("hello")


def test_check_reasons_follow_lang(runner: CliRunner, small_db: str) -> None:
    zh = json_lines(run(runner, "check", "--json", "--lang", "zh", "95588"))[0]
    en = json_lines(run(runner, "check", "--json", "--lang", "en", "95588"))[0]
    assert zh["platform"]["name"] == "中国工商银行"
    assert en["platform"]["name"] == "ICBC"
    assert zh["reasons"][0]["message"] != en["reasons"][0]["message"]


def test_check_claimed_and_region(runner: CliRunner, small_db: str) -> None:
    claimed = json_lines(run(runner, "check", "--json", "--claimed", "pinduoduo", "95588"))[0]
    assert claimed["verdict"] == "suspicious"
    assert claimed["impersonates"]["slug"] == "pinduoduo"
    cn = json_lines(run(runner, "check", "--json", "--region", "cn", "4000001234"))[0]
    assert (cn["normalized"], cn["verdict"]) == ("+864000001234", "retired")


def test_check_file_from_stdin_skips_blank_lines(runner: CliRunner, small_db: str) -> None:
    stdin = "95588\n\n   \nhello\r\n\t\nhttps://www.icbc.com.cn/\n"
    verdicts = json_lines(run(runner, "check", "--json", "--file", "-", input=stdin))
    assert [v["input"] for v in verdicts] == ["95588", "hello", "https://www.icbc.com.cn/"]
    assert [v["verdict"] for v in verdicts] == ["official", "invalid", "official"]


def test_check_values_come_before_the_file(
    runner: CliRunner, small_db: str, tmp_path: Path
) -> None:
    listing = tmp_path / "values.txt"
    listing.write_text("95017\n\n11185\n", encoding="utf-8")
    verdicts = json_lines(run(runner, "check", "--json", "--file", str(listing), "95588"))
    assert [v["input"] for v in verdicts] == ["95588", "95017", "11185"]
    assert [v["platform"]["slug"] for v in verdicts] == ["icbc", "wechat-pay", "china-post"]


def test_check_empty_stdin_prints_nothing(runner: CliRunner, small_db: str) -> None:
    result = run(runner, "check", "--json", "--file", "-", input="\n\n")
    assert result.exit_code == 0
    assert result.stdout == ""


def test_check_missing_file_is_a_usage_error(
    runner: CliRunner, small_db: str, tmp_path: Path
) -> None:
    line = assert_usage_error(run(runner, "check", "--file", str(tmp_path / "absent.txt")))
    assert "absent.txt" in line


def test_check_without_values_is_a_usage_error(runner: CliRunner) -> None:
    assert_usage_error(run(runner, "check"))
    assert_usage_error(run(runner, "check", "--json"))


def test_check_unknown_claimed_platform_is_a_usage_error(runner: CliRunner, small_db: str) -> None:
    line = assert_usage_error(run(runner, "check", "--claimed", "no-such-platform", "95588"))
    assert "no-such-platform" in line


@pytest.mark.parametrize("region", ["XX", "china", "1", ""])
def test_check_bad_region_is_a_usage_error(runner: CliRunner, small_db: str, region: str) -> None:
    if region == "":
        # An empty --region falls back to the default, like no --region at all.
        assert json_lines(run(runner, "check", "--json", "--region", region, "95588"))
        return
    line = assert_usage_error(run(runner, "check", "--region", region, "95588"))
    assert "region" in line


@pytest.mark.parametrize(
    "args",
    [
        ("check", "--lang", "fr", "95588"),  # not a choice
        ("check", "--no-such-option", "95588"),
        ("no-such-command",),
        ("registry", "export", "--format", "xml"),
        ("serve", "--port", "0"),
    ],
)
def test_click_usage_errors_exit_2_with_one_line(runner: CliRunner, args: tuple[str, ...]) -> None:
    assert_usage_error(run(runner, *args))


# --- registry import -----------------------------------------------------------------------------


def test_import_merges_the_small_registry(
    runner: CliRunner, bundled_db: str, registry_file: Path
) -> None:
    before = stats(runner)
    result = run(runner, "registry", "import", str(registry_file))
    assert result.exit_code == 0, result.stderr
    assert "5 platforms, 10 channels, 2 blocklist entries" in result.stdout
    after = stats(runner)
    bundled = {p.slug for p in bundled_registry().platforms}  # both tiers, as first start loads
    small = {p["slug"] for p in SMALL_REGISTRY["platforms"]}
    assert after["platforms"] == len(bundled | small)
    assert after["registry_version"] == before["registry_version"] + 1
    # The small registry's ICBC replaced the bundled one's channels.
    icbc = json_lines(run(runner, "check", "--json", "+86 400 000 1234"))[0]
    assert icbc["verdict"] == "retired"


def test_import_replace_makes_the_registry_exactly_the_file(
    runner: CliRunner, bundled_db: str, registry_file: Path
) -> None:
    result = run(runner, "registry", "import", "--replace", str(registry_file))
    assert result.exit_code == 0, result.stderr
    assert "(replaced)" in result.stdout
    counts = stats(runner)
    assert (counts["platforms"], counts["channels"], counts["blocklist"]) == (5, 10, 2)
    assert counts["channels_by_status"] == {"active": 9, "retired": 1}
    alipay = json_lines(run(runner, "check", "--json", "https://www.alipay.com"))[0]
    assert alipay["verdict"] == "unverified"


def test_import_json_file(runner: CliRunner, bundled_db: str, tmp_path: Path) -> None:
    path = tmp_path / "small.json"
    path.write_text(json.dumps(SMALL_REGISTRY, ensure_ascii=False), encoding="utf-8")
    result = run(runner, "registry", "import", "--replace", str(path))
    assert result.exit_code == 0, result.stderr
    assert stats(runner)["platforms"] == 5


def test_import_dry_run_changes_nothing(
    runner: CliRunner, bundled_db: str, registry_file: Path
) -> None:
    before = stats(runner)
    result = run(runner, "registry", "import", "--dry-run", "--replace", str(registry_file))
    assert result.exit_code == 0, result.stderr
    assert "5 platforms, 10 channels, 2 blocklist entries" in result.stdout
    assert "nothing changed" in result.stdout
    assert stats(runner) == before


def _broken(mutate: Any) -> dict[str, Any]:
    registry = copy.deepcopy(SMALL_REGISTRY)
    mutate(registry)
    return registry


@pytest.mark.parametrize(
    ("registry", "names"),
    [
        (
            _broken(lambda r: r["platforms"][0]["channels"][0].pop("source")),
            ("platforms[0]", "icbc", "channels[0]", "source"),
        ),
        (
            _broken(lambda r: r["platforms"][1]["channels"][0].update(verified_on="yesterday")),
            ("platforms[1]", "wechat-pay", "verified_on"),
        ),
        (
            _broken(lambda r: r["platforms"][0]["channels"][0].update(value="not a number")),
            ("platforms[0]", "channels[0]", "value"),
        ),
        (
            _broken(lambda r: r["platforms"][2].update(slug="China Post")),
            ("platforms[2]", "slug"),
        ),
        (
            _broken(lambda r: r["blocklist"][1].update(impersonates="nobody")),
            ("blocklist[1]", "impersonates"),
        ),
        (
            _broken(lambda r: r["platforms"][0]["channels"][0].update(kind="fax")),
            ("platforms[0]", "kind"),
        ),
    ],
)
def test_bad_file_is_refused_naming_entry_and_field(
    runner: CliRunner,
    bundled_db: str,
    tmp_path: Path,
    registry: dict[str, Any],
    names: tuple[str, ...],
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    before = stats(runner)
    for args in (("--replace",), ("--dry-run",), ()):
        line = assert_usage_error(run(runner, "registry", "import", *args, str(path)))
        for name in names:
            assert name in line
    assert stats(runner) == before


@pytest.mark.parametrize(
    "content",
    [
        "platforms: [unclosed\n",  # not YAML, and the parser's message spans several lines
        "- just\n- a\n- list\n",  # not a mapping
        "",  # empty
        "platforms: []\nextra: 1\n",  # unknown key
    ],
)
def test_unreadable_file_is_a_usage_error(
    runner: CliRunner, bundled_db: str, tmp_path: Path, content: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    before = stats(runner)
    assert_usage_error(run(runner, "registry", "import", "--replace", str(path)))
    assert stats(runner) == before


def test_import_of_a_missing_file_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    line = assert_usage_error(run(runner, "registry", "import", str(tmp_path / "absent.yaml")))
    assert "absent.yaml" in line


def test_import_of_a_non_utf8_file_is_a_usage_error(
    runner: CliRunner, bundled_db: str, tmp_path: Path
) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("platforms:\n  - slug: caf\xe9\n".encode("latin-1"))
    assert_usage_error(run(runner, "registry", "import", str(path)))


# --- registry export and stats -------------------------------------------------------------------


def test_export_yaml_is_the_registry(runner: CliRunner, small_db: str) -> None:
    result = run(runner, "registry", "export")
    assert result.exit_code == 0, result.stderr
    exported = parse_registry(yaml.safe_load(result.stdout))
    expected = parse_registry(SMALL_REGISTRY)
    assert sorted(exported.platforms, key=lambda p: p.slug) == sorted(
        expected.platforms, key=lambda p: p.slug
    )
    assert set(exported.blocklist) == set(expected.blocklist)


def test_export_json(runner: CliRunner, small_db: str) -> None:
    result = run(runner, "registry", "export", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [p["slug"] for p in data["platforms"]] == sorted(
        p["slug"] for p in SMALL_REGISTRY["platforms"]
    )
    assert len(data["blocklist"]) == 2
    assert parse_registry(data) == parse_registry(
        yaml.safe_load(run(runner, "registry", "export").stdout)
    )


def test_export_csv_has_one_row_per_channel_and_block_entry(
    runner: CliRunner, small_db: str
) -> None:
    result = run(runner, "registry", "export", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["record"] for r in rows].count("channel") == 10
    assert [r["record"] for r in rows].count("blocklist") == 2
    hotline = next(r for r in rows if r["value"] == "95588")
    assert (hotline["platform"], hotline["kind"], hotline["status"]) == ("icbc", "phone", "active")
    assert hotline["source"] == "https://example.org/source"
    assert hotline["verified_on"] == "2026-11-01"


@pytest.mark.parametrize("fmt", ["yaml", "json", "csv"])
def test_export_to_a_file_matches_stdout(
    runner: CliRunner, small_db: str, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"export.{fmt}"
    written = run(runner, "registry", "export", "--format", fmt, "-o", str(out))
    assert written.exit_code == 0, written.stderr
    assert written.stdout == ""
    printed = run(runner, "registry", "export", "--format", fmt)
    assert out.read_text(encoding="utf-8") == printed.stdout


def test_export_to_an_unwritable_path_is_a_usage_error(
    runner: CliRunner, small_db: str, tmp_path: Path
) -> None:
    target = tmp_path / "no-such-folder" / "export.yaml"
    assert_usage_error(run(runner, "registry", "export", "-o", str(target)))


def test_stats_text_and_json(runner: CliRunner, small_db: str) -> None:
    counts = stats(runner)
    assert (counts["platforms"], counts["channels"], counts["blocklist"]) == (5, 10, 2)
    assert counts["channels_by_kind"] == {"domain": 3, "email": 1, "phone": 6}
    result = run(runner, "registry", "stats")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "platforms: 5" in lines
    assert "channels: 10" in lines
    assert "blocklist: 2" in lines
    assert f"registry_version: {counts['registry_version']}" in lines
    # One line per trust tier.
    assert "trust verified: platforms 5, channels 10, domain 3, email 1, phone 6" in lines
    assert "trust community: platforms 0, channels 0" in lines


def test_stats_count_each_trust_tier(runner: CliRunner, small_db: str, tmp_path: Path) -> None:
    community = copy.deepcopy(SMALL_REGISTRY)
    community["platforms"].append(
        {
            "slug": "newbank",
            "name": {"zh": "新银行"},
            "trust": "community",
            "channels": [
                {
                    "kind": kind,
                    "value": value,
                    "source": "https://example.org/dataset.csv",
                    "verified_on": "2026-10-01",
                    "trust": "community",
                }
                for kind, value in (("phone", "+86 400 111 2222"), ("domain", "newbank.cn"))
            ],
        }
    )
    path = tmp_path / "community.yaml"
    path.write_text(yaml.safe_dump(community, allow_unicode=True), encoding="utf-8")
    assert run(runner, "registry", "import", str(path)).exit_code == 0
    tiers = stats(runner)["by_trust"]
    assert tiers["community"] == {
        "platforms": 1,
        "channels": 2,
        "channels_by_kind": {"domain": 1, "phone": 1},
    }
    assert tiers["verified"]["platforms"] == 5 and tiers["verified"]["channels"] == 10
    lines = run(runner, "registry", "stats").stdout.splitlines()
    assert "platforms: 6" in lines
    assert "trust community: platforms 1, channels 2, domain 1, phone 1" in lines
    # And the export gives the tiers back.
    exported = yaml.safe_load(run(runner, "registry", "export").stdout)
    newbank = next(p for p in exported["platforms"] if p["slug"] == "newbank")
    assert newbank["trust"] == "community"
    assert {c["trust"] for c in newbank["channels"]} == {"community"}


def test_export_import_export_round_trip(
    runner: CliRunner,
    bundled_db: str,
    databases: TestDatabases,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """CONTRACT.md: export then import --replace into an empty database gives the same registry."""
    first = run(runner, "registry", "export")
    assert first.exit_code == 0, first.stderr
    exported = tmp_path / "exported.yaml"
    exported.write_text(first.stdout, encoding="utf-8")

    monkeypatch.setenv("VERIFIER_DATABASE_URL", databases.new(tmp_path / "second.sqlite3"))
    imported = run(runner, "registry", "import", "--replace", str(exported))
    assert imported.exit_code == 0, imported.stderr
    second = run(runner, "registry", "export")
    assert second.exit_code == 0, second.stderr

    assert second.stdout == first.stdout


# --- database and configuration ------------------------------------------------------------------


def test_db_upgrade_creates_and_loads_an_empty_database(runner: CliRunner) -> None:
    result = run(runner, "db", "upgrade")
    assert result.exit_code == 0, result.stderr
    assert "up to date" in result.stdout
    counts = stats(runner)
    assert counts["platforms"] > 5  # the bundled registry, not an empty one
    again = run(runner, "db", "upgrade")
    assert again.exit_code == 0
    assert stats(runner) == counts  # a second upgrade neither reloads nor bumps the version


def test_db_upgrade_keeps_an_existing_registry(runner: CliRunner, small_db: str) -> None:
    before = stats(runner)
    assert run(runner, "db", "upgrade").exit_code == 0
    assert stats(runner) == before


def test_production_without_secret_key_refuses(
    runner: CliRunner, small_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERIFIER_ENV", "production")
    line = assert_usage_error(run(runner, "registry", "stats"))
    assert "VERIFIER_SECRET_KEY" in line
    assert_usage_error(run(runner, "check", "95588"))


def test_production_with_secret_key_works(
    runner: CliRunner, small_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERIFIER_ENV", "production")
    monkeypatch.setenv("VERIFIER_SECRET_KEY", "x" * 64)
    assert run(runner, "registry", "stats").exit_code == 0


def test_unknown_environment_name_is_a_usage_error(
    runner: CliRunner, small_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERIFIER_ENV", "staging")
    assert_usage_error(run(runner, "registry", "stats"))


def test_unusable_database_url_is_a_usage_error(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERIFIER_DATABASE_URL", "nosuchdialect://somewhere/db")
    line = assert_usage_error(run(runner, "registry", "stats"))
    assert "database" in line


# --- the installed console script ----------------------------------------------------------------


def _console_script() -> str:
    beside = Path(sys.executable).with_name("verifier")
    found = str(beside) if beside.exists() else shutil.which("verifier")
    if found is None:
        pytest.fail("the verifier console script is not installed")
    return found


def _run_script(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERIFIER_")}
    env |= {"VERIFIER_DATABASE_URL": database_url, "LANG": "C.UTF-8"}
    return subprocess.run(
        [_console_script(), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
        check=False,
    )


def test_console_script_checks(bundled_db: str) -> None:
    done = _run_script(bundled_db, "check", "--json", "95588")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1
    verdict = json.loads(lines[0])
    assert (verdict["verdict"], verdict["platform"]["slug"]) == ("official", "icbc")


def test_console_script_usage_error(bundled_db: str) -> None:
    # --lang fr is refused by click itself, the cheapest usage error to start a process for.
    done = _run_script(bundled_db, "check", "--lang", "fr", "95588")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) == 1
    assert done.stdout == ""


# --- scan ----------------------------------------------------------------------------------------

ACCEPTANCE_FAKE = "拼多多官方客服电话 400-882-0000，退款请加QQ 123456789，或访问 pinduoduo-kefu.com"
ACCEPTANCE_REAL = "工商银行官方客服电话 95588，详情请访问 https://www.icbc.com.cn"


def test_scan_json_flags_the_fake_pinduoduo_message(runner: CliRunner, bundled_db: str) -> None:
    """Issue 4's acceptance, on the bundled registry."""
    result = run(runner, "scan", "--json", input=ACCEPTANCE_FAKE)
    assert result.exit_code == 0, result.stderr
    scan = json.loads(result.stdout)
    assert scan["risk"] == "danger"
    findings = {f["text"]: f for f in scan["findings"]}
    assert list(findings) == ["400-882-0000", "123456789", "pinduoduo-kefu.com"]
    for finding in scan["findings"]:
        assert ACCEPTANCE_FAKE[finding["start"] : finding["end"]] == finding["text"]
    phone = findings["400-882-0000"]
    assert phone["claimed_platform"] == "pinduoduo"
    assert phone["impersonates"]["slug"] == "pinduoduo"
    assert phone["verdict"] in ("lookalike", "suspicious")
    assert findings["123456789"]["kind"] == "handle"
    assert findings["pinduoduo-kefu.com"]["verdict"] == "lookalike"
    assert findings["pinduoduo-kefu.com"]["impersonates"]["slug"] == "pinduoduo"
    assert [(m["text"], m["platform"]["slug"]) for m in scan["mentions"]] == [
        ("拼多多", "pinduoduo")
    ]
    assert "pattern_refund" in [p["code"] for p in scan["patterns"]]


def test_scan_json_finds_icbc_official_contacts(
    runner: CliRunner, bundled_db: str, tmp_path: Path
) -> None:
    path = tmp_path / "message.txt"
    path.write_text(ACCEPTANCE_REAL, encoding="utf-8")
    scan = json.loads(run(runner, "scan", "--json", str(path)).stdout)
    assert [(f["text"], f["verdict"], f["platform"]["slug"]) for f in scan["findings"]] == [
        ("95588", "official", "icbc"),
        ("https://www.icbc.com.cn", "official", "icbc"),
    ]
    assert scan["risk"] == "safe"


def test_scan_human_readable(runner: CliRunner, small_db: str) -> None:
    result = run(runner, "scan", "--lang", "en", input="工行客服 95588\n")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("risk: safe\n")
    assert "95588: OFFICIAL" in result.stdout


def test_scan_of_an_over_long_text_is_a_usage_error(runner: CliRunner, small_db: str) -> None:
    line = assert_usage_error(run(runner, "scan", "--json", input="今" * 100_001))
    assert "100000" in line


@pytest.mark.parametrize(
    ("args", "content"),
    [
        (("scan", "missing.txt"), None),  # no such file
        (("scan", "binary.bin"), b"\xff\xfe\x00\x81 not utf-8"),  # not UTF-8 text
    ],
)
def test_scan_unreadable_input_is_a_usage_error(
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    content: bytes | None,
) -> None:
    monkeypatch.chdir(tmp_path)
    if content is not None:
        (tmp_path / args[-1]).write_bytes(content)
    assert_usage_error(run(runner, *args))
