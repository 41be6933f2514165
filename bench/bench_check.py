"""How much a full verdict costs beside the one library call it cannot avoid.

A phone verdict (``verifier.core.check.check``) is compared with a bare ``phonenumbers.parse``
of the same input, and a link verdict with a bare tldextract lookup, on the bundled registry.
The target: a phone verdict costs at most 1.5x a bare parse. See bench/README.md.

Run from the repository root: ``python bench/bench_check.py`` (``--help`` for options). Prints
Markdown and writes the same text to bench/results/latest.md (git-ignored).
"""

# ruff: noqa: E402 -- the checkout is put first on sys.path before importing it (see below)

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import platform
import pstats
import statistics
import subprocess
import sys
import time
import timeit
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Measure this checkout, not whatever copy of the package happens to be installed.
sys.path.insert(0, str(ROOT))

import phonenumbers
import tldextract

from registry.db import bundled_registry
from verifier.core.check import check
from verifier.core.index import RegistryIndex

PHONE_INPUTS = ("95588", "+86 95588", "400-820-8820", "+86 138 0013 8000", "(010) 6552-9988")
LINK_INPUTS = (
    "https://www.icbc.com.cn/x",
    "https://icbc.com.cn@evil.top/",
    "http://pinduoduo-kefu.com/",
    "alipay.com",
    "https://xn--fiqs8s.cn/",
)
#: A phone verdict may cost at most this many bare ``phonenumbers.parse`` calls.
PHONE_TARGET = 1.5
#: Loops timed in one go before switching between the bare call and the verdict.
CHUNK = 100
RESULTS = ROOT / "bench" / "results" / "latest.md"


@dataclass(frozen=True)
class Timing:
    """One case: median microseconds per call, and how that compares with the bare call."""

    case: str
    median_us: float
    #: The bare library call's median on the same inputs; None for the bare call itself.
    baseline_us: float | None = None
    #: Median over runs of (this run's time / the paired bare run's time); None for the bare call.
    ratio: float | None = None


def _run_all(func: Callable[[str], object], inputs: Sequence[str]) -> Callable[[], None]:
    def run_all() -> None:
        for value in inputs:
            func(value)

    return run_all


def measure_pair(
    case: str,
    func: Callable[[str], object],
    bare_case: str,
    bare: Callable[[str], object],
    inputs: Sequence[str],
    repeat: int,
    number: int,
) -> tuple[Timing, Timing]:
    """Time ``bare`` and ``func`` over ``inputs`` side by side, and compare them.

    Each of the ``repeat`` rounds runs ``number`` loops of the bare call and ``number`` of the
    verdict, interleaved in chunks of at most ``CHUNK`` loops (alternating which goes first), so
    that load from other processes on a shared machine falls on both alike. The ratio is the
    median of the rounds' ratios. Time is this process's CPU time (``time.process_time``), not
    wall time, for the same reason.
    """
    timers = [timeit.Timer(_run_all(f, inputs), timer=time.process_time) for f in (bare, func)]
    for timer in timers:
        timer.timeit(1)  # warm up: lazy loading (metadata, suffix list) is not what is measured
    rounds: list[tuple[float, float]] = []
    for _ in range(repeat):
        spent = [0.0, 0.0]
        for chunk, start in enumerate(range(0, number, CHUNK)):
            loops = min(CHUNK, number - start)
            for which in (0, 1) if chunk % 2 == 0 else (1, 0):
                spent[which] += timers[which].timeit(loops)
        rounds.append((spent[0], spent[1]))
    per_call = number * len(inputs)
    bare_us = statistics.median(b for b, _ in rounds) / per_call * 1e6
    func_us = statistics.median(f for _, f in rounds) / per_call * 1e6
    ratio = statistics.median(f / b for b, f in rounds)
    return Timing(bare_case, bare_us), Timing(case, func_us, bare_us, ratio)


def load_index() -> RegistryIndex:
    """The bundled registry (both tiers), indexed as the app indexes the database's copy."""
    data = bundled_registry()
    return RegistryIndex.build(data.platforms, data.blocklist, reviewed=data.reviewed)


def compare(
    case: str,
    func: Callable[[str], object],
    bare_case: str,
    bare: Callable[[str], object],
    inputs: Sequence[str],
    repeat: int,
    number: int,
) -> list[Timing]:
    """The bare call and the verdict over the whole mix, then the verdict input by input."""
    rows = list(measure_pair(case, func, bare_case, bare, inputs, repeat, number))
    for value in inputs:
        rows.append(measure_pair(f"`{value}`", func, "", bare, [value], repeat, number)[1])
    return rows


def machine() -> list[str]:
    """What the numbers were measured on, as Markdown list items."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return [
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- python: {platform.python_implementation()} {platform.python_version()}",
        f"- platform: {platform.platform()} ({platform.machine()})",
        f"- cpus: {os.cpu_count()}",
        f"- phonenumbers {version('phonenumbers')}, tldextract {version('tldextract')}",
        f"- checkout: {commit}",
    ]


def _ratio(t: Timing) -> str:
    return "1.00 (baseline)" if t.ratio is None else f"{t.ratio:.2f}x"


def report(
    phone: list[Timing],
    link: list[Timing],
    verdicts: dict[str, str],
    index: RegistryIndex,
    repeat: int,
    number: int,
) -> str:
    channels = sum(len(p.channels) for p in index.platforms)
    lines = [
        "# Verdict cost against the bare library call",
        "",
        *machine(),
        f"- registry: bundled, {len(index.platforms)} platforms, {channels} channels, "
        f"{len(index.blocklist)} blocklist entries",
        f"- timing: timeit on CPU time, {repeat} rounds x {number} loops over each input set, "
        f"bare call and verdict interleaved every {CHUNK} loops; median per call; "
        "ratio = median of the rounds' ratios",
        "",
        "| case | median µs per call | ratio to the bare call |",
        "|---|---:|---:|",
    ]
    for t in (*phone[:2], *link[:2]):
        lines.append(f"| {t.case} | {t.median_us:.1f} | {_ratio(t)} |")
    phone_ratio = phone[1].ratio or 0.0
    verdict_word = "met" if phone_ratio <= PHONE_TARGET else "MISSED"
    lines += [
        "",
        f"Target: a phone verdict costs at most {PHONE_TARGET}x a bare parse: "
        f"**{verdict_word}** ({phone_ratio:.2f}x).",
        "",
        "## Per input",
        "",
        "| kind | input | verdict | verdict µs | bare µs | ratio |",
        "|---|---|---|---:|---:|---:|",
    ]
    for kind, rows in (("phone", phone[2:]), ("link", link[2:])):
        for t in rows:
            value = t.case.strip("`")
            lines.append(
                f"| {kind} | {t.case} | {verdicts[value]} | {t.median_us:.1f} "
                f"| {t.baseline_us:.1f} | {_ratio(t)} |"
            )
    return "\n".join(lines) + "\n"


def profile_phone(index: RegistryIndex, number: int) -> None:
    """Print where a phone verdict's time goes: cProfile over ``number`` passes of the mix."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(number):
        for value in PHONE_INPUTS:
            check(value, index)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.strip_dirs().sort_stats("cumulative").print_stats(30)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed rounds per case (default 7)")
    parser.add_argument("--number", type=int, default=2000, help="loops per round (default 2000)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the table")
    parser.add_argument(
        "--profile", action="store_true", help="profile the phone verdicts instead of timing"
    )
    args = parser.parse_args(argv)

    index = load_index()
    if args.profile:
        profile_phone(index, args.number)
        return 0
    extractor = tldextract.TLDExtract(
        cache_dir=None, suffix_list_urls=(), include_psl_private_domains=True
    )
    verdicts = {v: check(v, index).verdict for v in (*PHONE_INPUTS, *LINK_INPUTS)}
    phone = compare(
        "phone verdict `check()`",
        lambda v: check(v, index),
        "bare `phonenumbers.parse(v, 'CN')`",
        lambda v: phonenumbers.parse(v, "CN"),
        PHONE_INPUTS,
        args.repeat,
        args.number,
    )
    link = compare(
        "link verdict `check()`",
        lambda v: check(v, index),
        "bare `TLDExtract(...)(v)`",
        extractor,
        LINK_INPUTS,
        args.repeat,
        args.number,
    )
    text = report(phone, link, verdicts, index, args.repeat, args.number)
    print(text, end="")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
