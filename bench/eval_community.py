"""What the community tier adds and what it costs: size, coverage of realistic checks, and the
lookalike evaluation, for the verified tier alone and with each community data set.

Three registries are built exactly as ``verifier registry import-community`` builds them, each in
its own in-memory SQLite database (``ensure_ready`` loads the bundled registry,
``build_community_tier`` decides the tier, ``RegistryStore.replace_community_tier`` writes it and
``build_index`` indexes it): **verified only** (the bundled registry without its community tier,
as it was before it shipped one), **+ vCards** (the vCards phone book as the community tier) and
**shipped** (the v2fly domain lists as well: the tier ``registry/data/community.json`` ships,
which a test keeps equal to the importer's output). Going through the
store, not a merge written here, keeps the numbers those of what the app would answer.

1. Size: platforms, phone numbers and domains per trust tier, and what the importer reported.
2. Coverage: every phone number and link the scanner finds in tests/scan_corpus.yaml (scanned on
   each registry, as people's messages are), and the benign domains of bench/eval_lookalike.py;
   how many get an answer other than plain ``unverified``. The vCards' own numbers are not in the
   sample: they would be found by construction.
3. The lookalike evaluation (bench/eval_lookalike.py's own functions) on each registry: recall on
   the lookalikes of the bundled registry's official domains (the same set for all three, so the
   numbers compare; community domains are not fuzzed) and false positives on the benign set.
   Homoglyph permutations (93% of dnstwist's output) are sampled, one in ``--homoglyph-sample``,
   to keep the run near a minute; ``--homoglyph-sample 1`` checks them all (about four minutes).

Run from the repository root: ``python bench/eval_community.py`` (``--help`` for options). Prints
Markdown and writes the same text to bench/results/community-eval.md (git-ignored).
"""

# ruff: noqa: E402 -- the checkout is put first on sys.path before importing it (see below)

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
# Measure this checkout, not whatever copy of the package happens to be installed.
sys.path.insert(0, str(ROOT))

import eval_lookalike
from bench_check import machine
from eval_lookalike import (
    BENIGN,
    Checked,
    Recall,
    Tally,
    evaluate_benign,
    evaluate_recall,
    official_targets,
    read_benign,
)

from registry.community import domain_lists
from registry.community.build import CommunityReport, build_community_tier
from registry.community.vcards import load_vcards
from registry.db import ensure_ready, make_engine, make_sessionmaker
from registry.files import RegistryData
from registry.store import RegistryStore
from verifier.core.index import RegistryIndex
from verifier.core.scan import scan
from verifier.core.verdict import Verdict

DATA = ROOT.parent / "shared" / "data" / "community"
CORPUS = ROOT / "tests" / "scan_corpus.yaml"
RESULTS = ROOT / "bench" / "results" / "community-eval.md"
#: Verdicts that warn: the value is not the platform's, whatever tier named it.
WARNINGS = ("lookalike", "suspicious", "known_scam")
#: Coverage columns, in the order a value is sorted into them (first that applies).
COLUMNS = ("official", "community-listed", "lookalike/suspicious/known_scam", "other", "unverified")


@dataclass(frozen=True)
class Registry:
    """One of the compared registries: its index, its tier counts and the importer's report."""

    name: str
    index: RegistryIndex
    #: ``RegistryStore.stats()["by_trust"]``: platforms and channels by kind, per tier.
    tiers: dict[str, dict[str, Any]]
    report: CommunityReport | None


@dataclass(frozen=True)
class Evaluation:
    """What was measured on one registry."""

    registry: Registry
    #: Coverage samples by name: ``[(value as checked, verdict)]``.
    samples: dict[str, list[tuple[str, Verdict]]]
    recall: Recall
    benign: dict[str, list[Checked]]


def build_registry(
    name: str, vcards_dir: Path | None, lists_dir: Path | None
) -> tuple[Registry, float]:
    """The bundled registry in an in-memory database, with the community tier the data sets
    give (none without ``vcards_dir``), indexed as the app indexes it; and the seconds taken."""
    started = time.perf_counter()
    engine = make_engine("sqlite://")
    ensure_ready(engine)
    report = None
    with make_sessionmaker(engine)() as session:
        store = RegistryStore(session)
        if vcards_dir is None:
            # The verified entries alone: the bundled registry before it shipped a community tier.
            store.replace_community_tier(RegistryData((), ()))
        else:
            lists = domain_lists.load_domain_lists(lists_dir) if lists_dir else None
            tier = build_community_tier(
                store.data(),
                load_vcards(vcards_dir),
                lists,
                lists_date=domain_lists.DATASET_DATE if lists else "",
            )
            store.replace_community_tier(tier.data)
            report = tier.report
        session.commit()
        registry = Registry(name, store.build_index(), store.stats()["by_trust"], report)
    engine.dispose()
    return registry, time.perf_counter() - started


def corpus_messages(path: Path) -> list[tuple[str, str]]:
    """Each message of the scan corpus as ``(id, text)``."""
    return [(e["id"], e["text"]) for e in yaml.safe_load(path.read_text(encoding="utf-8"))]


def corpus_samples(
    index: RegistryIndex, messages: Sequence[tuple[str, str]]
) -> dict[str, list[tuple[str, Verdict]]]:
    """Every phone number and link the scanner finds in the messages, as ``text (message id)``
    with the scan's verdict (which takes the platform the message claims into account)."""
    found: dict[str, list[tuple[str, Verdict]]] = {"corpus phones": [], "corpus links": []}
    for message_id, text in messages:
        for finding in scan(text, index).findings:
            kind = finding.verdict.kind
            if kind in ("phone", "url"):
                found["corpus phones" if kind == "phone" else "corpus links"].append(
                    (f"{finding.text} ({message_id})", finding.verdict)
                )
    return found


def column(verdict: Verdict) -> str:
    """The coverage column of a verdict: an official answer, a community listing, a warning,
    another answer (retired, invalid), or plain ``unverified``."""
    if verdict.verdict == "official":
        return "official"
    if verdict.verdict in WARNINGS:
        return "lookalike/suspicious/known_scam"
    if verdict.trust == "community":
        return "community-listed"
    return "unverified" if verdict.verdict == "unverified" else "other"


@contextmanager
def fuzzing(domains: frozenset[str], homoglyph_sample: int) -> Iterator[None]:
    """Make ``evaluate_recall`` fuzz only ``domains``, every permutation generated once.

    ``evaluate_recall`` fuzzes the official domains of the index it judges on; a community
    platform's domains are its official ones there (it has no verified channel), and fuzzing
    hundreds of them would both change the set measured and take many minutes. Its
    ``permutations`` is swapped for this wrapper while the block runs, rather than copying the
    function: the wrapper gives nothing for other domains, keeps one homoglyph permutation in
    ``homoglyph_sample`` (in dnstwist's sorted order, so the sample is the same every run) and
    remembers each domain's permutations for the next registry.
    """
    original = eval_lookalike.permutations

    @functools.cache
    def sampled(domain: str) -> list[tuple[str, str]]:
        if domain not in domains:
            return []
        kept, homoglyphs = [], 0
        for fuzzer, generated in original(domain):
            if fuzzer == "homoglyph":
                homoglyphs += 1
                if homoglyphs % homoglyph_sample:
                    continue
            kept.append((fuzzer, generated))
        return kept

    eval_lookalike.permutations = sampled
    try:
        yield
    finally:
        eval_lookalike.permutations = original


def evaluate(
    registry: Registry,
    messages: Sequence[tuple[str, str]],
    benign_entries: Sequence[tuple[str, str]],
) -> Evaluation:
    """Coverage, recall and false positives on one registry (inside :func:`fuzzing`)."""
    index = registry.index
    benign = evaluate_benign(index, benign_entries)
    samples = corpus_samples(index, messages)
    samples["benign domains"] = [(d, v) for checked in benign.values() for d, _, v in checked]
    recall = evaluate_recall(index, (domain for domain, _ in benign_entries))
    return Evaluation(registry, samples, recall, benign)


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


def _tier(registry: Registry, trust: str, key: str) -> int:
    tier = registry.tiers.get(trust, {})
    return int(tier["platforms"] if key == "platforms" else tier["channels_by_kind"].get(key, 0))


def size_table(evaluations: Sequence[Evaluation]) -> list[str]:
    lines = [
        "| registry | platforms verified | platforms community | phones verified "
        "| phones community | domains verified | domains community | conflicts "
        "| uncertain | duplicates | invalid numbers |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for e in evaluations:
        r = e.registry
        counts = [
            _tier(r, trust, key)
            for key in ("platforms", "phone", "domain")
            for trust in ("verified", "community")
        ]
        if r.report is None:
            importer = ["–"] * 4
        else:
            invalid = sum(i["kind"] == "phone" for i in r.report.invalid)
            importer = [
                str(n)
                for n in (len(r.report.conflicts), len(r.report.uncertain), r.report.duplicates)
            ] + [str(invalid)]
        lines.append(
            f"| {r.name} | " + " | ".join(map(str, counts)) + " | " + " | ".join(importer) + " |"
        )
    return lines


def importer_notes(evaluations: Sequence[Evaluation]) -> list[str]:
    lines = []
    for e in evaluations:
        report = e.registry.report
        if report is None:
            continue
        c = report.counts()
        lines.append(
            f"- {e.registry.name}: {c['orgs']} organisations, {c['matched']} matched to a verified "
            f"platform, {c['created']} created, {c['empty']} left empty; invalid values "
            f"{c['invalid']} (numbers {sum(i['kind'] == 'phone' for i in report.invalid)}); "
            f"domain lists applied {c['lists_applied']}, uncertain {c['lists_uncertain']}, "
            f"skipped {c['lists_skipped']}"
        )
    return lines


def coverage_table(evaluations: Sequence[Evaluation]) -> list[str]:
    lines = [
        "| registry | sample | checks | named | " + " | ".join(COLUMNS) + " |",
        "|---|---|---:|---:|" + "---:|" * len(COLUMNS),
    ]
    for e in evaluations:
        everything = [item for items in e.samples.values() for item in items]
        for sample, items in [*e.samples.items(), ("**all**", everything)]:
            counts = Counter(column(v) for _, v in items)
            named = len(items) - counts["unverified"]
            cells = [f"{counts[c]}" for c in COLUMNS]
            lines.append(
                f"| {e.registry.name} | {sample} | {len(items)} "
                f"| {named} ({_pct(named, len(items))}) | " + " | ".join(cells) + " |"
            )
    return lines


def _pooled(recall: Recall, *, homoglyph: bool = True) -> Tally:
    tallies = [t for f, t in recall.by_fuzzer.items() if homoglyph or f != "homoglyph"]
    return Tally(sum(t.generated for t in tallies), sum(t.detected for t in tallies))


def lookalike_table(evaluations: Sequence[Evaluation]) -> tuple[list[str], list[str]]:
    """Table 3's lines, and one line per registry whose false-positive rate rose."""
    lines = [
        "| registry | lookalikes checked | detected | recall | recall without homoglyphs "
        "| called lookalike of any platform | missed: community-listed | benign | false positives "
        "| false-positive rate | vs verified only |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    base_rate: float | None = None
    rose: list[str] = []
    for e in evaluations:
        total, rest = _pooled(e.recall), _pooled(e.recall, homoglyph=False)
        missed = [m for t in e.recall.by_fuzzer.values() for m in t.missed]
        listed = sum(v.trust == "community" for _, _, v in missed)
        # Warned, if naming another platform (a community one, say) than the one imitated.
        warned = total.detected + sum(v.verdict == "lookalike" for _, _, v in missed)
        benign = sum(len(v) for v in e.benign.values())
        flagged = len(e.benign.get("lookalike", []))
        rate = flagged / benign if benign else 0.0
        if base_rate is None:
            base_rate, versus = rate, "baseline"
        elif rate > base_rate:
            versus = f"**ROSE** (+{100 * (rate - base_rate):.1f} points)"
            rose.append(e.registry.name)
        else:
            versus = "not higher"
        lines.append(
            f"| {e.registry.name} | {total.generated} | {total.detected} "
            f"| {_pct(total.detected, total.generated)} | {_pct(rest.detected, rest.generated)} "
            f"| {_pct(warned, total.generated)} | {listed} | {benign} | {flagged} "
            f"| {_pct(flagged, benign)} | {versus} |"
        )
    return lines, rose


def _why(verdict: Verdict) -> str:
    who = verdict.impersonates or verdict.platform
    named = f" → {who.slug}" if who else ""
    trust = f" [{verdict.trust}]" if verdict.trust else ""
    codes = ", ".join(r.code for r in verdict.reasons) or "no reason"
    return f"{verdict.verdict}{named}{trust} ({codes})"


def changes(evaluations: Sequence[Evaluation], examples: int) -> list[str]:
    """Values whose coverage column moved from the bundled registry's, and benign domains newly
    called lookalikes, with examples."""
    base = evaluations[0]
    lines: list[str] = []
    for e in evaluations[1:]:
        before = {
            (sample, value): column(v)
            for sample, items in base.samples.items()
            for value, v in items
        }
        moved: Counter[tuple[str, str]] = Counter()
        shown: list[str] = []
        for sample, items in e.samples.items():
            for value, verdict in items:
                was = before.get((sample, value), "not found")
                now = column(verdict)
                if was != now:
                    moved[(was, now)] += 1
                    if len(shown) < examples:
                        shown.append(f"  - {sample}: `{value}`: {was} → {_why(verdict)}")
        summary = ", ".join(f"{was} → {now} {n}" for (was, now), n in sorted(moved.items()))
        lines += [f"- {e.registry.name}: {summary or 'no check changed column'}", *shown]
        lines += _newly_missed(base, e, examples)
        old_fp = {d for d, _, _ in base.benign.get("lookalike", [])}
        new_fp = sorted(
            (c for c in e.benign.get("lookalike", []) if c[0] not in old_fp), key=lambda c: c[0]
        )
        if new_fp:
            lines.append(f"  - benign domains newly called lookalikes: {len(new_fp)}")
            lines += [f"    - `{d}` ({src}): {_why(v)}" for d, src, v in new_fp[:examples]]
    return lines


def _newly_missed(base: Evaluation, e: Evaluation, examples: int) -> list[str]:
    """Lookalikes the bundled registry detects and ``e``'s does not, by what they came back as."""
    was_missed = {(d, slug) for t in base.recall.by_fuzzer.values() for d, slug, _ in t.missed}
    missed = sorted(
        (m for t in e.recall.by_fuzzer.values() for m in t.missed if m[:2] not in was_missed),
        key=lambda m: m[:2],
    )
    if not missed:
        return []

    def outcome(verdict: Verdict) -> str:
        if verdict.trust == "community":
            return "community-listed"
        named = verdict.impersonates and e.registry.index.platform(verdict.impersonates.slug)
        return f"{verdict.verdict}" + (f" naming a {named.trust} platform" if named else "")

    kinds = Counter(outcome(v) for _, _, v in missed)
    return [
        f"  - lookalikes newly missed: {len(missed)} ("
        + ", ".join(f"{k} {n}" for k, n in kinds.most_common())
        + ")",
        *(f"    - `{d}` imitating {slug}: {_why(v)}" for d, slug, v in missed[:examples]),
    ]


def report(
    evaluations: Sequence[Evaluation],
    timings: Mapping[str, float],
    homoglyph_sample: int,
    examples: int,
) -> str:
    table3, rose = lookalike_table(evaluations)
    targets = len(official_targets(evaluations[0].registry.index)[0])
    lines = [
        "# Community tier: size, coverage and lookalike precision",
        "",
        *machine(),
        f"- data: `{DATA}` (vcards, domain-list-community)",
        "- time: " + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()),
        "",
        "## 1. Size per trust tier, and what the importer reported",
        "",
        *size_table(evaluations),
        "",
        *importer_notes(evaluations),
        "",
        "## 2. Coverage of realistic checks",
        "",
        "Phone numbers and links the scanner finds in `tests/scan_corpus.yaml` (its verdicts, with "
        "the platform each message claims), and the domains of the lookalike evaluation's benign "
        "set. A check is **named** when its answer is anything but plain `unverified` (a "
        "community listing is `unverified` with trust `community`, and counts as named). A value "
        "goes in the first column that applies: official, a warning, community-listed, other "
        "(retired, invalid), unverified.",
        "",
        *coverage_table(evaluations),
        "",
        "## 3. Lookalike evaluation on each registry",
        "",
        f"Recall on dnstwist's lookalikes of the bundled registry's {targets} official domains "
        "(the same set on each registry; community domains are not fuzzed"
        + (
            f"; homoglyph permutations sampled one in {homoglyph_sample}"
            if homoglyph_sample > 1
            else ""
        )
        + "); false positives: benign domains called `lookalike`. A lookalike the community tier "
        "lists (a company's own typo domain in a v2fly list) comes back community-listed, not "
        "`lookalike`, and counts as missed.",
        "",
        *table3,
        "",
        (
            f"**False-positive rate rose versus the verified tier alone: {', '.join(rose)}.**"
            if rose
            else "False-positive rate did not rise versus the verified tier alone."
        ),
        "",
        "## Changes from the verified tier alone",
        "",
        *changes(evaluations, examples),
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--vcards", type=Path, default=DATA / "vcards", help="the vCards data/")
    parser.add_argument(
        "--domains",
        type=Path,
        default=DATA / "domain-list-community",
        help="v2fly/domain-list-community's data/",
    )
    parser.add_argument("--benign", type=Path, default=BENIGN, help="the benign domain list")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the report")
    parser.add_argument(
        "--homoglyph-sample",
        type=int,
        default=10,
        help="check one homoglyph permutation in N (1: all of them, about four minutes)",
    )
    parser.add_argument("--examples", type=int, default=10, help="examples per change listed")
    args = parser.parse_args(argv)
    if args.homoglyph_sample < 1:
        parser.error("--homoglyph-sample must be at least 1")

    started = time.perf_counter()
    timings: dict[str, float] = {}
    registries = []
    for name, vcards, domains in (
        ("verified only", None, None),
        ("+ vCards", args.vcards, None),
        ("shipped: + vCards + lists", args.vcards, args.domains),
    ):
        registry, seconds = build_registry(name, vcards, domains)
        registries.append(registry)
        timings[f"build {name}"] = seconds
    messages = corpus_messages(CORPUS)
    entries = read_benign(args.benign)
    bundled_targets = frozenset(t.domain for t in official_targets(registries[0].index)[0])
    evaluations = []
    with fuzzing(bundled_targets, args.homoglyph_sample):
        for registry in registries:
            at = time.perf_counter()
            evaluations.append(evaluate(registry, messages, entries))
            timings[f"evaluate {registry.name}"] = time.perf_counter() - at
    timings["total"] = time.perf_counter() - started
    text = report(evaluations, timings, args.homoglyph_sample, args.examples)
    print(text, end="")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
