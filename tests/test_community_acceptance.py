"""Issue 8's acceptance, on the registry as it ships (verified tier plus the community tier of
registry/data/community.json), through the command line on a real database.

- ``registry stats`` reports at least 250 platforms, per tier, and the verified tier is the
  hand-written registry.yaml, unchanged;
- a number only the phone book has (a regional bank's hotline) gets the community wording;
- 95588 is still plainly ``official`` and verified;
- a value the importer reports as a conflict is nobody's answer;
- the shipped tier is exactly what the importer builds from the data sets (so it is generated,
  never edited by hand).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from databases import TestDatabases

from registry.community import bundle
from registry.db import BUNDLED_COMMUNITY_TIER, BUNDLED_REGISTRY, bundled_registry
from registry.files import load_registry_file
from verifier.cli import main
from verifier.web import create_app

#: Numbers the research left out of the verified tier for want of a second source; the phone book
#: gives some of them, so they may be community entries, never official ones.
LOW_CONFIDENCE = ["+864008822528", "95066", "95010", "10099", "95055"]


@pytest.fixture(scope="module")
def shipped_db(databases: TestDatabases, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database after its first start: schema plus the bundled registry, both tiers."""
    url = databases.new(tmp_path_factory.mktemp("shipped") / "shipped.sqlite3")
    app = create_app({"VERIFIER_ENV": "testing", "VERIFIER_DATABASE_URL": url})
    app.extensions["verifier.engine"].dispose()
    yield url
    databases.drop(url)


@pytest.fixture
def cli(shipped_db: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("VERIFIER_DATABASE_URL", shipped_db)
    monkeypatch.delenv("VERIFIER_ENV", raising=False)
    return CliRunner()


def _json(cli: CliRunner, *args: str) -> Any:
    result = cli.invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def _check(cli: CliRunner, value: str, lang: str = "en") -> dict[str, Any]:
    result = cli.invoke(main, ["check", "--json", "--lang", lang, value], catch_exceptions=False)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    verdict: dict[str, Any] = json.loads(result.stdout.splitlines()[0])
    return verdict


def test_stats_report_at_least_250_platforms_per_tier(cli: CliRunner) -> None:
    stats = _json(cli, "registry", "stats", "--json")
    assert stats["platforms"] >= 250
    tiers = stats["by_trust"]
    verified = load_registry_file(str(BUNDLED_REGISTRY))
    assert tiers["verified"]["platforms"] == len(verified.platforms)
    assert tiers["community"]["platforms"] + tiers["verified"]["platforms"] == stats["platforms"]
    assert tiers["community"]["channels_by_kind"]["phone"] >= 300
    text = cli.invoke(main, ["registry", "stats"], catch_exceptions=False).stdout
    assert f"trust community: platforms {tiers['community']['platforms']}," in text


def test_the_verified_tier_is_the_hand_written_file_unchanged() -> None:
    verified = load_registry_file(str(BUNDLED_REGISTRY))
    shipped = bundled_registry()
    own = {p.slug: p for p in shipped.platforms if p.trust == "verified"}
    assert set(own) == {p.slug for p in verified.platforms}
    for platform in verified.platforms:
        kept = tuple(c for c in own[platform.slug].channels if c.trust == "verified")
        assert kept == platform.channels, platform.slug
    assert (shipped.blocklist, shipped.reviewed) == (verified.blocklist, verified.reviewed)


def test_a_regional_bank_s_hotline_gets_the_community_wording(cli: CliRunner) -> None:
    # 杭州银行's 95398: only the vCards phone book lists it.
    verdict = _check(cli, "95398")
    assert (verdict["verdict"], verdict["risk"], verdict["trust"]) == (
        "unverified",
        "caution",
        "community",
    )
    assert verdict["platform"]["slug"] == "hzbank"
    assert [r["code"] for r in verdict["reasons"]] == ["community_listed"]
    message = verdict["reasons"][0]["message"]
    assert "community phone book" in message and "not yet verified by our moderators" in message
    assert "github.com/metowolf/vCards" in message
    zh = _check(cli, "95398", lang="zh")["reasons"][0]["message"]
    assert "社区电话簿" in zh and "尚未核实" in zh


def test_95588_is_still_plainly_official_and_verified(cli: CliRunner) -> None:
    verdict = _check(cli, "95588")
    assert (verdict["verdict"], verdict["risk"], verdict["trust"]) == (
        "official",
        "safe",
        "verified",
    )
    assert verdict["platform"]["slug"] == "icbc"
    assert [r["code"] for r in verdict["reasons"]] == ["official_channel"]


@pytest.mark.parametrize("number", LOW_CONFIDENCE)
def test_numbers_the_research_left_out_are_never_official(cli: CliRunner, number: str) -> None:
    verdict = _check(cli, number)
    assert verdict["verdict"] != "official"
    assert verdict["trust"] in (None, "community")


def test_conflicting_values_are_reported_and_nobody_s_answer() -> None:
    tier = bundle.bundled_tier(bundle.DEFAULT_DATA)
    conflicts = {(c["kind"], c["value"]) for c in tier.report.conflicts}
    assert ("domain", "163.com") in conflicts  # 网易, 网易云音乐 and 网易严选 all claim it
    listed = {(c.kind, c.value) for p in bundled_registry().platforms for c in p.channels}
    assert conflicts.isdisjoint(listed)
    assert "conflict domain 163.com" in tier.report.text()


def test_the_shipped_tier_is_what_the_importer_builds(capsys: pytest.CaptureFixture[str]) -> None:
    # CI clones the project beside ../shared; without the data sets this check cannot run.
    assert (Path(bundle.DEFAULT_DATA) / "vcards").is_dir()
    assert bundle.main(["--check"]) == 0, capsys.readouterr().out
    with resources.as_file(BUNDLED_COMMUNITY_TIER) as path:
        shipped = load_registry_file(path)
    assert all(p.trust == "community" or p.channels for p in shipped.platforms)
    for platform in shipped.platforms:
        for channel in platform.channels:
            where = f"{platform.slug} {channel.kind} {channel.value}"
            assert channel.trust == "community", where
            assert channel.source.startswith(
                (
                    "https://github.com/metowolf/vCards/blob/",
                    "https://github.com/v2fly/domain-list-community/blob/",
                )
            ), where
