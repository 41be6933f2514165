"""``verifier registry import-community``: the community tier from the vCards phone book.

The database starts with the bundled registry, both tiers (a fresh database's first start loads
it), so an import replaces the shipped community tier with what the tree gives. Small
vCards trees are written in tmp_path; one test reads the real data set beside the checkout.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from test_cli import assert_usage_error, json_lines, run, stats
from test_cli_users import create, moderation
from vcards_trees import write_tree

from registry.moderation import OPERATOR

REAL_VCARDS = Path(__file__).resolve().parents[1] / ".." / "shared" / "data/community/vcards"

TREE: dict[str, dict[str, Any]] = {
    # Matched to the verified icbc; 95588 is a duplicate, the 400 number a community channel.
    "金融银行/中国工商银行.yaml": {
        "organization": "中国工商银行",
        "cellPhone": [95588, "400-111-2222"],
        "url": "https://www.icbc.com.cn/",
    },
    # A regional bank no verified entry knows: a community platform.
    "金融银行/杭州银行.yaml": {
        "organization": "杭州银行",
        "cellPhone": [95398, "12345678901234"],  # the second is no phone number
        "url": "https://www.hzbank.com.cn/",
    },
    # 96110 is the verified anti-fraud line, given by two orgs: it names neither (a shared
    # number is no match), so both are new platforms and 96110 a conflict.
    "其它/某咨询公司.yaml": {"organization": "某咨询公司", "cellPhone": [96110, "400-333-4444"]},
    "其它/某律所.yaml": {"organization": "某律所", "cellPhone": [96110, "400-444-5555"]},
}


# The commands' database is as the first start leaves it: that start is test_cli.py's to test.
pytestmark = pytest.mark.first_start_done


def verdict(runner: CliRunner, value: str) -> tuple[str, str | None]:
    result = json_lines(run(runner, "check", "--json", value))[0]
    return result["verdict"], (result["platform"] or {}).get("slug")


def verified_export(runner: CliRunner) -> Any:
    """The export with community platforms and channels taken out."""
    result = run(runner, "registry", "export")
    assert result.exit_code == 0, result.stderr
    exported = yaml.safe_load(result.stdout)
    exported["platforms"] = [
        {**p, "channels": [c for c in p["channels"] if c.get("trust") != "community"]}
        for p in exported["platforms"]
        if p.get("trust") != "community"
    ]
    return exported


def audit(action: str = "registry.import_community") -> list[tuple[str, dict[str, Any]]]:
    with moderation() as mod:
        return [(row.actor, row.after or {}) for row in mod.audit(action=action)]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "vcards", TREE)


def test_dry_run_prints_the_report_and_changes_nothing(runner: CliRunner, tree: Path) -> None:
    before = stats(runner)
    result = run(runner, "registry", "import-community", "--vcards", str(tree), "--dry-run")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("orgs 4, matched 1, uncertain 0, created 3,")
    assert lines[1].startswith("conflict phone 96110: verified for anti-fraud; claimed by ")
    assert "某咨询公司" in lines[1] and "某律所" in lines[1]
    assert lines[-1] == "dry run: nothing changed"
    assert stats(runner) == before
    assert audit() == []


def test_import_writes_the_tier_audits_and_keeps_verified_rows(
    runner: CliRunner, tree: Path, tmp_path: Path
) -> None:
    before = verified_export(runner)
    shipped = stats(runner)["by_trust"]["community"]["platforms"]
    report = tmp_path / "report.json"
    result = run(
        runner, "registry", "import-community", "--vcards", str(tree), "--report", str(report)
    )
    assert result.exit_code == 0, result.stderr
    # The shipped tier already has hzbank (its slug is kept); the two others are new, and the
    # rest of the shipped tier, which this tree does not give, is removed.
    assert "community tier: platforms added 2," in result.stdout
    assert f"platforms removed {shipped - 1}," in result.stdout
    assert verdict(runner, "95398") == ("unverified", "hzbank")
    assert verdict(runner, "400-111-2222") == ("unverified", "icbc")
    assert verdict(runner, "95588") == ("official", "icbc")
    assert verdict(runner, "96110") == ("official", "anti-fraud")
    assert verified_export(runner) == before
    written = json.loads(report.read_text(encoding="utf-8"))
    assert written["counts"]["conflicts"] == 1
    assert written["invalid"][0]["value"] == "12345678901234"
    ((actor, after),) = audit()
    assert actor == OPERATOR
    assert after["platforms_added"] == 2

    # A changed tree: hzbank gone, icbc's extra number gone; verified rows still untouched.
    changed = write_tree(
        tmp_path / "changed", {k: v for k, v in TREE.items() if k.startswith("其它/")}
    )
    result = run(runner, "registry", "import-community", "--vcards", str(changed))
    assert result.exit_code == 0, result.stderr
    assert "platforms removed 1" in result.stdout
    assert verdict(runner, "95398")[1] is None
    assert verdict(runner, "400-111-2222") == ("unverified", None)
    assert verdict(runner, "400-333-4444")[0] == "unverified"
    assert verified_export(runner) == before
    assert stats(runner)["by_trust"]["community"]["platforms"] == 2


def test_an_org_giving_a_verified_number_joins_its_platform(
    runner: CliRunner, tmp_path: Path
) -> None:
    # vCards' 国家反诈中心 gives 96110, the verified anti-fraud line, and no site: the number
    # alone matches it, so its other number becomes the platform's community channel.
    tree = write_tree(
        tmp_path / "vcards",
        {
            "政府机构/国家反诈中心.yaml": {
                "organization": "国家反诈中心",
                "cellPhone": [96110, "400-110-0000"],
            }
        },
    )
    before = verified_export(runner)
    report = tmp_path / "report.json"
    result = run(
        runner, "registry", "import-community", "--vcards", str(tree), "--report", str(report)
    )
    assert result.exit_code == 0, result.stderr
    written = json.loads(report.read_text(encoding="utf-8"))
    assert [(m["platform"], m["by"]) for m in written["matched"]] == [("anti-fraud", "phone")]
    assert written["conflicts"] == [] and written["created"] == []
    assert verdict(runner, "96110") == ("official", "anti-fraud")
    assert verdict(runner, "400-110-0000") == ("unverified", "anti-fraud")
    assert verified_export(runner) == before


def test_only_an_admin_may_import_as_a_user(runner: CliRunner, tree: Path) -> None:
    create(runner, "alice")
    create(runner, "root", "admin")
    before = stats(runner)
    refused = run(runner, "registry", "import-community", "--vcards", str(tree), "--as", "alice")
    assert "only an admin" in assert_usage_error(refused)
    assert stats(runner) == before
    result = run(runner, "registry", "import-community", "--vcards", str(tree), "--as", "root")
    assert result.exit_code == 0, result.stderr
    assert [actor for actor, _ in audit()] == ["root"]


@pytest.mark.parametrize(
    "case",
    [
        "missing",  # no such folder
        "broken",  # a file that is not YAML
        "no-domains",  # --domains names a missing folder
        "no-vcards",  # --vcards is required: no default into ../shared
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(
    runner: CliRunner, tree: Path, tmp_path: Path, case: str
) -> None:
    before = stats(runner)
    args = ["registry", "import-community", "--vcards", str(tree)]
    if case == "missing":
        args[-1] = str(tmp_path / "nowhere")
    elif case == "broken":
        (tree / "其它" / "坏.yaml").write_text("basic: [unclosed", encoding="utf-8")
    elif case == "no-domains":
        args += ["--domains", str(tmp_path / "nowhere")]
    else:
        args = args[:2]
    assert_usage_error(run(runner, *args))
    assert stats(runner) == before
    assert audit() == []


def test_the_real_data_set_through_the_command(runner: CliRunner, tmp_path: Path) -> None:
    if not REAL_VCARDS.is_dir():
        pytest.fail(f"the vCards data set is missing: expected it at {REAL_VCARDS.resolve()}")
    before = verified_export(runner)
    report = tmp_path / "report.json"
    result = run(
        runner,
        "registry",
        "import-community",
        "--vcards",
        str(REAL_VCARDS),
        "--report",
        str(report),
    )
    assert result.exit_code == 0, result.stderr
    counts = json.loads(report.read_text(encoding="utf-8"))["counts"]
    assert counts["orgs"] >= 250
    assert counts["created"] >= 200
    matched = json.loads(report.read_text(encoding="utf-8"))["matched"]
    assert ("国家反诈中心", "anti-fraud", "phone") in {
        (m["org"], m["platform"], m["by"]) for m in matched
    }
    assert verdict(runner, "95588") == ("official", "icbc")
    assert verdict(runner, "95398") == ("unverified", "hzbank")
    assert verified_export(runner) == before
