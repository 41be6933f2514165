"""What a link verdict with lookalike detection costs, and whether it grows with the registry.

In one run, a link verdict (``verifier.core.check.check``) is timed on the bundled registry and
on a synthetic registry of 10 000 platforms (bench/gen_registry.py), beside a bare tldextract
lookup of the same inputs. Targets: the 10 000-platform verdict costs at most 1.5x the bundled
one, and a verdict at most 3x the bare lookup. See bench/README.md.

Run from the repository root: ``python bench/bench_lookalike.py`` (``--help`` for options).
Prints Markdown and writes the same text to bench/results/lookalike-bench.md (git-ignored).
"""

# ruff: noqa: E402 -- the checkout is put first on sys.path before importing it (see below)

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Measure this checkout, not whatever copy of the package happens to be installed.
sys.path.insert(0, str(ROOT))

import tldextract
from bench_check import CHUNK, Timing, load_index, machine, measure_pair
from gen_registry import DEFAULT_SIZE, synthetic_registry

from verifier.core.check import check
from verifier.core.index import RegistryIndex

#: One input per path a link takes through the detector, each named for the table.
LINK_INPUTS = (
    ("official", "https://www.icbc.com.cn/"),
    ("unrelated, not registered", "https://www.weather-report.org/today"),
    ("typo", "alipya.com"),
    ("brand with a word", "pinduoduo-kefu.com"),
    ("IDN homoglyph", "alip\u0430y.com"),  # Cyrillic а (U+0430) for the Latin a
    ("brand in a subdomain", "icbc.com.cn.secure-login.top"),
)
#: The synthetic-registry verdict may cost at most this many bundled-registry verdicts.
SCALE_TARGET = 1.5
#: A verdict may cost at most this many bare tldextract lookups.
BARE_TARGET = 3.0
RESULTS = ROOT / "bench" / "results" / "lookalike-bench.md"


def build_times(n: int, seed: int, rounds: int = 3) -> tuple[RegistryIndex, float, float]:
    """The synthetic index; the median CPU seconds, over ``rounds``, of ``RegistryIndex.build``
    and of a first pass over the inputs on the fresh index (which builds whatever the detector
    derives from the registry on first use)."""
    data = synthetic_registry(n, seed)
    builds, firsts = [], []
    for _ in range(rounds):
        started = time.process_time()
        index = RegistryIndex.build(data.platforms, data.blocklist)
        built = time.process_time()
        for _, value in LINK_INPUTS:
            check(value, index, kind="url")
        builds.append(built - started)
        firsts.append(time.process_time() - built)
    return index, statistics.median(builds), statistics.median(firsts)


def _verdicts(inputs: Sequence[str], index: RegistryIndex) -> list[str]:
    out = []
    for value in inputs:
        v = check(value, index, kind="url")
        out.append(v.verdict + (f" → {v.impersonates.slug}" if v.impersonates else ""))
    return out


def _met(ratio: float, target: float) -> str:
    return f"**{'met' if ratio <= target else 'MISSED'}** ({ratio:.2f}x)"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed rounds per case (default 7)")
    parser.add_argument("--number", type=int, default=1000, help="loops per round (default 1000)")
    parser.add_argument(
        "-n", type=int, default=DEFAULT_SIZE, help=f"synthetic platforms (default {DEFAULT_SIZE})"
    )
    parser.add_argument("--seed", type=int, default=0, help="synthetic registry seed (default 0)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the table")
    args = parser.parse_args(argv)

    bundled = load_index()
    synthetic, build_s, first_s = build_times(args.n, args.seed)
    extractor = tldextract.TLDExtract(
        cache_dir=None, suffix_list_urls=(), include_psl_private_domains=True
    )
    inputs = [value for _, value in LINK_INPUTS]
    on_bundled: Callable[[str], object] = lambda v: check(v, bundled, kind="url")  # noqa: E731
    on_synthetic: Callable[[str], object] = lambda v: check(v, synthetic, kind="url")  # noqa: E731
    # The floor: a registry with no platform, where no detector can find anything, so a verdict
    # is only parsing the link, looking it up and writing the answer in words.
    empty = RegistryIndex.build([], [])
    on_empty: Callable[[str], object] = lambda v: check(v, empty, kind="url")  # noqa: E731

    def pair(
        func: Callable[[str], object], base: Callable[[str], object], values: Sequence[str]
    ) -> tuple[Timing, Timing]:
        """``base`` and ``func`` timed side by side; the second Timing's ratio is func/base."""
        return measure_pair("", func, "", base, values, args.repeat, args.number)

    # Each ratio is measured directly, its two sides interleaved (bench_check.measure_pair).
    bare, verdict_b = pair(on_bundled, extractor, inputs)
    _, verdict_s_bare = pair(on_synthetic, extractor, inputs)
    _, verdict_s = pair(on_synthetic, on_bundled, inputs)
    _, floor = pair(on_empty, extractor, inputs)
    per_input = [
        (pair(on_bundled, extractor, [v]), pair(on_synthetic, on_bundled, [v])) for v in inputs
    ]
    b_verdicts, s_verdicts = _verdicts(inputs, bundled), _verdicts(inputs, synthetic)

    channels = sum(len(p.channels) for p in synthetic.platforms)
    lines = [
        "# Link verdict cost: bundled registry, 10 000 platforms, bare tldextract",
        "",
        *machine(),
        f"- registries: bundled, {len(bundled.platforms)} platforms; synthetic "
        f"(bench/gen_registry.py, seed {args.seed}), {len(synthetic.platforms)} platforms, "
        f"{channels} channels",
        f"- timing: timeit on CPU time, {args.repeat} rounds x {args.number} loops over each "
        f"input set, the two sides of each ratio interleaved every {CHUNK} loops; median per "
        "call; ratio = median of the rounds' ratios",
        "",
        "| case | median µs per call | ratio |",
        "|---|---:|---:|",
        f"| bare `TLDExtract(...)(v)` | {bare.median_us:.1f} | 1.00 (baseline) |",
        f"| link verdict, bundled registry | {verdict_b.median_us:.1f} "
        f"| {verdict_b.ratio:.2f}x bare |",
        f"| link verdict, {len(synthetic.platforms)} platforms | {verdict_s.median_us:.1f} "
        f"| {verdict_s_bare.ratio:.2f}x bare, {verdict_s.ratio:.2f}x bundled |",
        f"| floor: link verdict on an empty registry (parse, look up, answer; no detector "
        f"can fire) | {floor.median_us:.1f} | {floor.ratio:.2f}x bare |",
        "",
        f"- synthetic registry: `RegistryIndex.build` {build_s * 1000:.0f} ms; first check on "
        f"the fresh index over the {len(LINK_INPUTS)} inputs (builds what the detector derives "
        f"on first use) {first_s * 1000:.0f} ms "
        "(CPU, median of 3)",
        f"- target: {len(synthetic.platforms)} platforms cost at most {SCALE_TARGET}x the "
        f"bundled registry: {_met(verdict_s.ratio or 0.0, SCALE_TARGET)}",
        f"- target: a verdict costs at most {BARE_TARGET:.0f}x a bare tldextract lookup: "
        f"{_met(verdict_b.ratio or 0.0, BARE_TARGET)} on the bundled registry, "
        f"{_met(verdict_s_bare.ratio or 0.0, BARE_TARGET)} on the synthetic one",
        "",
        "## Per input",
        "",
        "| case | input | verdict | bare µs | bundled µs | x bare | synthetic µs | x bundled |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for (name, value), ((b_bare, b), (_, s)), bv, sv in zip(
        LINK_INPUTS, per_input, b_verdicts, s_verdicts, strict=True
    ):
        shown = bv if bv == sv else f"{bv} (synthetic: **{sv}**)"
        lines.append(
            f"| {name} | `{value}` | {shown} | {b_bare.median_us:.1f} | {b.median_us:.1f} "
            f"| {b.ratio:.2f}x | {s.median_us:.1f} | {s.ratio:.2f}x |"
        )
    lines += [
        "",
        "Each ratio compares two sides timed in the same rounds. The microseconds of different "
        "pairs come from different rounds; on a busy machine they differ by more than the ratios.",
    ]
    if b_verdicts != s_verdicts:
        lines += [
            "",
            "A verdict differs between the registries: the synthetic registry imitates a real "
            "brand; change its seed or its generator before comparing costs.",
        ]
    text = "\n".join(lines) + "\n"
    print(text, end="")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
