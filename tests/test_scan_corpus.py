"""Issue 4's message corpus, scanned with the BUNDLED registry: the shipped data, on purpose.

Like test_impersonation_acceptance.py, this checks what people actually get, not the logic on a
small registry: ``tests/scan_corpus.yaml`` holds realistic messages (SMS, chat, e-mail, SEO
articles and honest messages that quote the registry's real numbers and domains), each with every
contact a correct scanner must find, the platform the text presents it as, the verdict
``verifier check --claimed`` gives it, the platforms the text names and the message's risk. The
file's header describes the format.

``test_corpus_verdicts_agree_with_check`` keeps the corpus honest against the registry on its own
(it needs no scanner), so that a data update that changes a verdict shows up there, apart from a
scanner regression.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from small_registry import VERDICT_KEYS

from registry.db import bundled_registry
from verifier.core.check import check
from verifier.core.index import RegistryIndex
from verifier.core.scan import scan

CORPUS_PATH = Path(__file__).with_name("scan_corpus.yaml")
CORPUS: list[dict[str, Any]] = yaml.safe_load(CORPUS_PATH.read_text(encoding="utf-8"))

KINDS = {"sms", "chat", "email", "seo", "honest"}
RISKS = {"safe", "caution", "danger"}
PATTERNS = {
    "pattern_refund",
    "pattern_other_app",
    "pattern_urgency",
    "pattern_secrets",
    "pattern_screen_sharing",
}
#: What every finding of the scan object carries besides the verdict object's fields.
FINDING_KEYS = VERDICT_KEYS | {"start", "end", "text", "claimed_platform"}
MENTION_KEYS = {"start", "end", "text", "platform"}


@pytest.fixture(scope="module")
def bundled_index() -> RegistryIndex:
    data = bundled_registry()  # both tiers, as the app serves them
    return RegistryIndex.build(data.platforms, data.blocklist, reviewed=data.reviewed)


def _entries() -> list[Any]:
    return [pytest.param(entry, id=entry["id"]) for entry in CORPUS]


def _findings() -> list[Any]:
    return [
        pytest.param(finding, id=f"{entry['id']}:{number}")
        for entry in CORPUS
        for number, finding in enumerate(entry["findings"])
    ]


def _slug(ref: Any) -> str | None:
    return None if ref is None else str(ref.slug)


def _claim(value: Any) -> str | None:
    # The registry has a numeric slug ("12306"); YAML may read an unquoted one as an int.
    return None if value is None else str(value)


def test_the_corpus_is_large_enough_and_well_formed() -> None:
    assert len(CORPUS) >= 40
    assert sum(entry["kind"] == "honest" for entry in CORPUS) >= 12
    ids = [entry["id"] for entry in CORPUS]
    assert len(ids) == len(set(ids)), "ids must be unique"
    for entry in CORPUS:
        assert entry["kind"] in KINDS, entry["id"]
        assert entry["risk"] in RISKS, entry["id"]
        assert set(entry["patterns"]) <= PATTERNS, entry["id"]
        # Findings are listed in the order they appear, each an exact substring of the text.
        position = 0
        for finding in entry["findings"]:
            found_at = entry["text"].find(finding["text"], position)
            assert found_at >= 0, (entry["id"], finding["text"])
            position = found_at + len(finding["text"])


@pytest.mark.parametrize("finding", _findings())
def test_corpus_verdicts_agree_with_check(
    bundled_index: RegistryIndex, finding: dict[str, Any]
) -> None:
    """Each expected verdict is what a single check gives the contact with that claim."""
    value = finding.get("checked_as", finding["text"])
    result = check(value, bundled_index, kind=finding["kind"], claimed=_claim(finding["claimed"]))
    assert result.verdict == finding["verdict"], [r.code for r in result.reasons]
    if "platform" in finding:
        assert _slug(result.platform) == _claim(finding["platform"])
    if "impersonates" in finding:
        assert _slug(result.impersonates) == _claim(finding["impersonates"])


@pytest.mark.parametrize("entry", _entries())
def test_scan_corpus(bundled_index: RegistryIndex, entry: dict[str, Any]) -> None:
    text: str = entry["text"]
    result = scan(text, bundled_index)

    # Every contact, in order, with its claim and verdict; nothing else is a finding.
    expected = [
        (f["text"], f["kind"], _claim(f["claimed"]), f["verdict"]) for f in entry["findings"]
    ]
    actual = [
        (f.text, f.verdict.kind, f.claimed_platform, f.verdict.verdict) for f in result.findings
    ]
    assert actual == expected
    for finding, wanted in zip(result.findings, entry["findings"], strict=True):
        assert text[finding.start : finding.end] == finding.text
        if "platform" in wanted:
            assert _slug(finding.verdict.platform) == _claim(wanted["platform"]), finding.text
        if "impersonates" in wanted:
            assert _slug(finding.verdict.impersonates) == _claim(wanted["impersonates"]), (
                finding.text
            )

    # The platforms the text names, in order, once per occurrence.
    assert [m.platform.slug for m in result.mentions] == [_claim(s) for s in entry["mentions"]]
    for mention in result.mentions:
        assert text[mention.start : mention.end] == mention.text

    found_patterns = {p.code for p in result.patterns}
    assert set(entry["patterns"]) <= found_patterns

    assert result.risk == entry["risk"], {
        "patterns": sorted(found_patterns),
        "findings": [(f.text, f.verdict.verdict, f.verdict.risk) for f in result.findings],
    }

    # The scan object of CONTRACT.md, as JSON.
    document = result.to_dict()
    json.dumps(document, ensure_ascii=False)
    assert document["risk"] == entry["risk"]
    assert len(document["findings"]) == len(result.findings)
    for item, finding in zip(document["findings"], result.findings, strict=True):
        assert set(item) >= FINDING_KEYS
        assert (item["start"], item["end"], item["text"]) == (
            finding.start,
            finding.end,
            finding.text,
        )
        assert item["claimed_platform"] == finding.claimed_platform
        assert item["verdict"] == finding.verdict.verdict
    assert len(document["mentions"]) == len(result.mentions)
    for item, mention in zip(document["mentions"], result.mentions, strict=True):
        assert set(item) >= MENTION_KEYS
        assert text[item["start"] : item["end"]] == item["text"]
        assert item["platform"]["slug"] == mention.platform.slug
        assert item["platform"]["name"]
