"""How well link verdicts recognise impersonation: recall on dnstwist's lookalikes, false positives
on real domains whose names are merely close to a brand.

Recall: for every active official domain in the bundled registry that is its own registrable
domain, dnstwist (used as a library, offline: no DNS, no network) generates the lookalikes its
fuzzers know; each one should come back ``lookalike`` naming the platform it imitates.
Lookalikes that are official or blocklisted, or that are in the benign set (some are real
companies' domains: ``zaobao.com``), are left out and listed.
False positives: every domain in bench/data/benign_domains.txt (real companies, see its header)
should not come back ``lookalike``. Targets: recall at least 99% pooled, false positives at most
1%. The only interface used is ``verifier.core.check.check(value, index, kind="url")``.

Run from the repository root: ``python bench/eval_lookalike.py`` (``--help`` for options). Prints
Markdown and writes the same text to bench/results/lookalike.md (git-ignored). Exits 0 whatever
the numbers (it is a report) unless ``--check`` is given: then 1 when a target is missed.
"""

# ruff: noqa: E402 -- the checkout is put first on sys.path before importing it (see below)

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Measure this checkout, not whatever copy of the package happens to be installed.
sys.path.insert(0, str(ROOT))

import dnstwist
from bench_check import load_index, machine

from verifier.core.check import check
from verifier.core.index import RegistryIndex
from verifier.core.link import InvalidLink, normalize_link
from verifier.core.verdict import Verdict

#: A checked domain: (domain, where it came from: a platform's slug or a benign list, verdict).
Checked = tuple[str, str, Verdict]

BENIGN = ROOT / "bench" / "data" / "benign_domains.txt"
RESULTS = ROOT / "bench" / "results" / "lookalike.md"
#: At least this share of dnstwist's lookalikes must be recognised, naming the right platform.
RECALL_TARGET = 0.99
#: At most this share of the benign set may be called a lookalike.
FP_TARGET = 0.01
#: Verdicts that take a generated domain out of the count: it is not the detector's to judge.
NOT_JUDGED = ("official", "known_scam")
#: Why a generated domain in the benign set is left out of recall.
IN_BENIGN_SET = "benign"


@dataclass(frozen=True)
class Target:
    """An official domain to imitate, and the platform it belongs to."""

    domain: str
    slug: str


@dataclass
class Tally:
    """Generated and detected lookalikes for one fuzzer or platform."""

    generated: int = 0
    detected: int = 0
    missed: list[Checked] = field(default_factory=list)

    def recall(self) -> float:
        return self.detected / self.generated if self.generated else 1.0


@dataclass
class Recall:
    """The recall half of the evaluation."""

    targets: list[Target]
    skipped: list[tuple[str, str, str]]  # (domain, slug, why)
    by_fuzzer: dict[str, Tally]
    by_platform: dict[str, Tally]
    #: Left out of the count, by verdict (or ``IN_BENIGN_SET``): [(domain, fuzzer)].
    not_judged: dict[str, list[tuple[str, str]]]
    invalid: list[tuple[str, str, str]]  # (domain, fuzzer, reason code)
    shared: int  # generated from the official domains of more than one platform
    unique: int  # distinct generated domains checked


def official_targets(index: RegistryIndex) -> tuple[list[Target], list[tuple[str, str, str]]]:
    """Active official (verified) domains that are their own registrable domain; the others,
    with why. Community domains are not targets: nobody has verified them as anyone's."""
    targets: list[Target] = []
    skipped: list[tuple[str, str, str]] = []
    for platform in index.platforms:
        for channel in platform.active_channels():
            if channel.kind != "domain" or channel.trust != "verified":
                continue
            registrable = normalize_link(channel.value).registrable
            if channel.scope == "exact" or registrable != channel.value:
                skipped.append(
                    (channel.value, platform.slug, f"a host inside {registrable}, not its own")
                )
            else:
                targets.append(Target(channel.value, platform.slug))
    return targets, skipped


def permutations(domain: str) -> list[tuple[str, str]]:
    """dnstwist's lookalikes of ``domain`` as ``(fuzzer, domain)``, without the original.

    Only the fuzzers that need no dictionary run (``dictionary`` and ``tld-swap`` need word and
    suffix lists, which dnstwist does not ship as a library).
    """
    fuzzer = dnstwist.Fuzzer(domain)
    fuzzer.generate()
    return sorted((p["fuzzer"], p["domain"]) for p in fuzzer.domains if p["fuzzer"] != "*original")


def evaluate_recall(index: RegistryIndex, benign: Iterable[str] = ()) -> Recall:
    """Check every permutation of every target once and tally it by fuzzer and by platform.

    A permutation that is in the ``benign`` set is a real, unrelated company's domain
    (``zaobao.com`` is one letter from taobao, ``didachuxing.com`` a rival of didichuxing), so
    it is left out: it cannot count against recall and against false positives at once.
    """
    benign = frozenset(benign)
    targets, skipped = official_targets(index)
    generated: list[tuple[str, str, str]] = []  # (fuzzer, domain, slug)
    owners: defaultdict[str, set[str]] = defaultdict(set)
    for target in targets:
        for fuzzer, domain in permutations(target.domain):
            generated.append((fuzzer, domain, target.slug))
            owners[domain].add(target.slug)
    verdicts = {domain: check(domain, index, kind="url") for domain in owners}
    by_fuzzer: defaultdict[str, Tally] = defaultdict(Tally)
    by_platform: defaultdict[str, Tally] = defaultdict(Tally)
    not_judged: defaultdict[str, list[tuple[str, str]]] = defaultdict(list)
    invalid: list[tuple[str, str, str]] = []
    for fuzzer, domain, slug in dict.fromkeys(generated):
        verdict = verdicts[domain]
        if domain in benign:
            not_judged[IN_BENIGN_SET].append((domain, fuzzer))
            continue
        if verdict.verdict in NOT_JUDGED:
            not_judged[verdict.verdict].append((domain, fuzzer))
            continue
        if verdict.verdict == "invalid":
            invalid.append((domain, fuzzer, ",".join(r.code for r in verdict.reasons)))
            continue
        # A domain one edit from two platforms' names (cmb.com.cn, from cmbc.com.cn and from
        # cib.com.cn) may name either: both are right.
        hit = (
            verdict.verdict == "lookalike"
            and verdict.impersonates is not None
            and verdict.impersonates.slug in owners[domain]
        )
        for tally in (by_fuzzer[fuzzer], by_platform[slug]):
            tally.generated += 1
            tally.detected += hit
            if not hit:
                tally.missed.append((domain, slug, verdict))
    return Recall(
        targets=targets,
        skipped=skipped,
        by_fuzzer=dict(by_fuzzer),
        by_platform=dict(by_platform),
        not_judged=dict(not_judged),
        invalid=invalid,
        shared=sum(len(slugs) > 1 for slugs in owners.values()),
        unique=len(owners),
    )


def read_benign(path: Path) -> list[tuple[str, str]]:
    """``(domain, list name)`` from the benign file: ``domain  # list``, ``#`` lines are notes."""
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        value, _, note = line.partition("#")
        if value.strip():
            entries.append((value.strip(), note.strip()))
    return entries


def evaluate_benign(
    index: RegistryIndex, entries: Iterable[tuple[str, str]]
) -> dict[str, list[Checked]]:
    """Each benign domain's verdict, grouped by verdict: ``{verdict: [(domain, list, v)]}``."""
    grouped: defaultdict[str, list[Checked]] = defaultdict(list)
    for domain, source in entries:
        verdict = check(domain, index, kind="url")
        grouped[verdict.verdict].append((domain, source, verdict))
    return dict(grouped)


def _relative(path: Path) -> Path:
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


def _shown(domain: str) -> str:
    """A domain in backticks, with its Unicode form beside the punycode when they differ."""
    try:
        readable = normalize_link(domain).display_host
    except InvalidLink:
        readable = domain
    return f"`{domain}`" + (f" ({readable})" if readable != domain else "")


def _why(verdict: Verdict) -> str:
    codes = ", ".join(r.code for r in verdict.reasons) or "no reason"
    named = f" → {verdict.impersonates.slug}" if verdict.impersonates else ""
    return f"{verdict.verdict}{named} ({codes})"


def _spread(items: Sequence[Checked], n: int) -> list[Checked]:
    """Up to ``n`` items evenly spaced through ``items`` sorted by platform, so that one platform's
    hundreds of misses do not hide the others'."""
    ordered = sorted(items, key=lambda m: (m[1], m[0]))
    if len(ordered) <= n:
        return ordered
    return [ordered[i * len(ordered) // n] for i in range(n)]


def report(
    recall: Recall,
    benign: dict[str, list[Checked]],
    benign_path: Path,
    index: RegistryIndex,
    examples: int,
    seconds: float,
) -> tuple[str, bool]:
    """The Markdown report, and whether both targets are met."""
    total = Tally(
        generated=sum(t.generated for t in recall.by_fuzzer.values()),
        detected=sum(t.detected for t in recall.by_fuzzer.values()),
    )
    flagged = benign.get("lookalike", [])
    benign_total = sum(len(v) for v in benign.values())
    recall_met = total.recall() >= RECALL_TARGET
    fp_met = benign_total > 0 and len(flagged) / benign_total <= FP_TARGET
    homoglyph = recall.by_fuzzer.get("homoglyph", Tally())
    rest = Tally(total.generated - homoglyph.generated, total.detected - homoglyph.detected)
    lines = [
        "# Lookalike detection: dnstwist recall and benign false positives",
        "",
        *machine(),
        f"- dnstwist {version('dnstwist')} (library, offline; fuzzers that need no dictionary)",
        f"- registry: bundled, {len(index.platforms)} platforms; {len(recall.targets)} official "
        f"domains fuzzed, {recall.unique} distinct lookalikes checked in {seconds:.0f} s",
        "",
        "## Recall on dnstwist's lookalikes",
        "",
        "Detected: the verdict is `lookalike` and `impersonates` names the platform whose "
        "official domain was fuzzed.",
        "",
        "| fuzzer | generated | detected | recall |",
        "|---|---:|---:|---:|",
    ]
    for name, tally in sorted(recall.by_fuzzer.items()):
        lines.append(
            f"| {name} | {tally.generated} | {tally.detected} "
            f"| {_pct(tally.detected, tally.generated)} |"
        )
    lines += [
        f"| **total (pooled)** | **{total.generated}** | **{total.detected}** "
        f"| **{_pct(total.detected, total.generated)}** |",
        "",
        f"Homoglyph permutations are {_pct(homoglyph.generated, total.generated)} of the pool; "
        f"recall over the other fuzzers: {_pct(rest.detected, rest.generated)}.",
        "",
        "## False positives on real near-miss domains",
        "",
        f"{benign_total} real domains of unrelated companies whose names are close to a "
        f"registered brand (`{_relative(benign_path)}`, see its header): "
        f"{len(flagged)} called `lookalike` ({_pct(len(flagged), benign_total)}). All verdicts: "
        + ", ".join(f"{k} {len(v)}" for k, v in sorted(benign.items()))
        + ".",
        "",
        "## Targets",
        "",
        f"- recall on dnstwist's lookalikes ≥ {RECALL_TARGET:.0%} (pooled): "
        f"**{'met' if recall_met else 'MISSED'}** ({_pct(total.detected, total.generated)})",
        f"- false positives on the benign set ≤ {FP_TARGET:.0%}: "
        f"**{'met' if fp_met else 'MISSED'}** ({_pct(len(flagged), benign_total)})",
        "",
        "## Details",
        "",
    ]
    lines += _details(recall, flagged, examples)
    return "\n".join(lines) + "\n", recall_met and fp_met


def _details(recall: Recall, flagged: list[Checked], examples: int) -> list[str]:
    lines = []
    if flagged:
        lines += ["False positives:", "", "| domain | list | verdict |", "|---|---|---|"]
        for domain, source, verdict in sorted(flagged, key=lambda f: f[0]):
            lines.append(f"| {_shown(domain)} | {source} | {_why(verdict)} |")
        lines.append("")
    lines += [
        "Recall by platform (worst first):",
        "",
        "| platform | generated | detected | recall |",
        "|---|---:|---:|---:|",
    ]
    for slug, tally in sorted(recall.by_platform.items(), key=lambda p: (p[1].recall(), p[0])):
        lines.append(
            f"| {slug} | {tally.generated} | {tally.detected} "
            f"| {_pct(tally.detected, tally.generated)} |"
        )
    lines += ["", "Not fuzzed (not the platform's own registrable domain):", ""]
    lines += [f"- `{d}` ({slug}): {why}" for d, slug, why in recall.skipped] or ["- none"]
    lines += ["", "Left out of the count:", ""]
    for key, found in sorted(recall.not_judged.items()):
        shown = ", ".join(f"`{d}` ({f})" for d, f in sorted(found)[:examples])
        why = (
            "are in the benign set (real, unrelated companies)"
            if key == IN_BENIGN_SET
            else f"came back `{key}`"
        )
        lines.append(f"- {len(found)} {why}: {shown}")
    fuzzers = Counter(f for _, f, _ in recall.invalid)
    lines.append(
        f"- {len(recall.invalid)} came back `invalid` (the link does not parse)"
        + (": " + ", ".join(f"{f} {n}" for f, n in sorted(fuzzers.items())) if fuzzers else "")
    )
    for domain, fuzzer, codes in sorted(recall.invalid)[:examples]:
        lines.append(f"  - {_shown(domain)} ({fuzzer}): {codes}")
    lines.append(
        f"- {recall.shared} lookalikes were generated from more than one platform's domains; "
        "naming any of them counts"
    )
    lines += ["", f"Missed lookalikes, up to {examples} per fuzzer:", ""]
    for name, tally in sorted(recall.by_fuzzer.items()):
        if not tally.missed:
            continue
        lines += [
            f"<details><summary>{name}: {len(tally.missed)} missed</summary>",
            "",
            *(
                f"- {_shown(d)} imitating {slug}: {_why(v)}"
                for d, slug, v in _spread(tally.missed, examples)
            ),
            "",
            "</details>",
            "",
        ]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--benign", type=Path, default=BENIGN, help="the benign domain list")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the report")
    parser.add_argument("--examples", type=int, default=10, help="missed examples per fuzzer")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when a target is missed (for CI)"
    )
    args = parser.parse_args(argv)

    index = load_index()
    entries = read_benign(args.benign)
    started = time.perf_counter()
    recall = evaluate_recall(index, (domain for domain, _ in entries))
    seconds = time.perf_counter() - started
    benign = evaluate_benign(index, entries)
    text, met = report(recall, benign, args.benign.resolve(), index, args.examples, seconds)
    print(text, end="")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
