"""What a registry of 100 000 platforms and 1 000 000 channels costs a worker.

A large synthetic registry (bench/gen_registry.py ``large_registry``, in memory, never written to
a database) is indexed as a worker indexes its database's copy: ``RegistryIndex.build`` and then
the lookalike index, which workers build eagerly. Measured: the build's time, the process's
resident memory after it, and, in the same run, the median cost of a check on the large registry
beside the bundled one for a fixed set of inputs. Targets: build under 30 s, under 1.5 GB
resident, a check within 1.5x of the bundled registry's. See bench/README.md.

Run from the repository root: ``python bench/bench_large_registry.py`` (``--help`` for options).
Prints Markdown and writes the same text to bench/results/large-registry.md (git-ignored).
"""

# ruff: noqa: E402 -- the checkout is put first on sys.path before importing it (see below)

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import resource
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Measure this checkout, not whatever copy of the package happens to be installed.
sys.path.insert(0, str(ROOT))

from bench_check import CHUNK, Timing, load_index, machine, measure_pair
from gen_registry import LARGE_CHANNELS, LARGE_PLATFORMS, large_registry

from verifier.core.check import check
from verifier.core.index import RegistryIndex
from verifier.core.lookalike import lookalike_index

#: One input per path a check takes, each named for the table; all of them judged the same way
#: on both registries (the large one holds the bundled platforms too).
INPUTS = (
    ("official phone", "95588"),
    ("unknown phone", "+86 21 6888 1234"),
    ("official domain", "https://www.icbc.com.cn/"),
    ("lookalike domain", "alipya.com"),
    ("brand with a word", "pinduoduo-kefu.com"),
    ("unknown domain", "https://www.weather-report.org/today"),
)
BUILD_TARGET_S = 30.0
MEMORY_TARGET_MB = 1536.0  # 1.5 GB
LATENCY_TARGET = 1.5
RESULTS = ROOT / "bench" / "results" / "large-registry.md"


def resident_mb() -> float:
    """The process's resident memory now, in MiB (Linux /proc; else the peak so far)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
        return pages * resource.getpagesize() / 2**20
    except OSError:
        return peak_mb()


def peak_mb() -> float:
    """The process's peak resident memory so far, in MiB (``ru_maxrss`` is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(platforms: int, channels: int, seed: int) -> tuple[RegistryIndex, dict[str, float]]:
    """The large index with its lookalike index, and what each step cost."""
    facts = {"start_mb": resident_mb()}
    wall, cpu = time.perf_counter(), time.process_time()
    data = large_registry(platforms, channels, seed)
    facts["generate_s"] = time.perf_counter() - wall
    facts["generated_mb"] = resident_mb()
    wall, cpu = time.perf_counter(), time.process_time()
    index = RegistryIndex.build(data.platforms, data.blocklist)
    facts["index_s"], facts["index_cpu_s"] = time.perf_counter() - wall, time.process_time() - cpu
    facts["indexed_mb"] = resident_mb()
    wall, cpu = time.perf_counter(), time.process_time()
    lookalike_index(index)
    facts["lookalike_s"] = time.perf_counter() - wall
    facts["lookalike_cpu_s"] = time.process_time() - cpu
    del data  # the index holds the platforms; nothing else does
    gc.collect()
    facts["built_mb"] = resident_mb()
    facts["peak_mb"] = peak_mb()
    return index, facts


def _verdict(value: str, index: RegistryIndex) -> str:
    v = check(value, index)
    return v.verdict + (f" → {v.impersonates.slug}" if v.impersonates else "")


def _met(ok: bool, shown: str) -> str:
    return f"**{'met' if ok else 'MISSED'}** ({shown})"


def profile_checks(index: RegistryIndex, number: int) -> None:
    """Print where the large registry's checks spend their time (cProfile)."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(number):
        for _, value in INPUTS:
            check(value, index)
    profiler.disable()
    pstats.Stats(profiler, stream=sys.stdout).strip_dirs().sort_stats("cumulative").print_stats(25)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed rounds per case (default 7)")
    parser.add_argument("--number", type=int, default=1000, help="loops per round (default 1000)")
    parser.add_argument(
        "--platforms", type=int, default=LARGE_PLATFORMS, help="platforms (default 100 000)"
    )
    parser.add_argument(
        "--channels", type=int, default=LARGE_CHANNELS, help="channels (default 1 000 000)"
    )
    parser.add_argument("--seed", type=int, default=0, help="registry seed (default 0)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the tables")
    parser.add_argument(
        "--profile", action="store_true", help="profile the large registry's checks instead"
    )
    args = parser.parse_args(argv)

    bundled = load_index()
    lookalike_index(bundled)
    large, facts = build(args.platforms, args.channels, args.seed)
    if args.profile:
        profile_checks(large, args.number)
        return 0
    values = [value for _, value in INPUTS]
    on_bundled: Callable[[str], object] = lambda v: check(v, bundled)  # noqa: E731
    on_large: Callable[[str], object] = lambda v: check(v, large)  # noqa: E731

    def pair(values: Sequence[str]) -> tuple[Timing, Timing]:
        """The bundled registry's check and the large one's, interleaved; ratio large/bundled."""
        return measure_pair("", on_large, "", on_bundled, values, args.repeat, args.number)

    mix_bundled, mix_large = pair(values)
    per_input = [pair([v]) for v in values]
    verdicts = [(_verdict(v, bundled), _verdict(v, large)) for v in values]

    build_s = facts["index_s"] + facts["lookalike_s"]
    build_cpu_s = facts["index_cpu_s"] + facts["lookalike_cpu_s"]
    peak = facts["peak_mb"]
    channels = sum(len(p.channels) for p in large.platforms)
    lines = [
        "# A large registry: build time, memory, check latency",
        "",
        *machine(),
        f"- registry: bench/gen_registry.py `large_registry` (seed {args.seed}): "
        f"{len(large.platforms)} platforms, {channels} channels (bundled registry: "
        f"{len(bundled.platforms)} platforms, "
        f"{sum(len(p.channels) for p in bundled.platforms)} channels); generated in memory in "
        f"{facts['generate_s']:.1f} s",
        "- the machine is shared: other jobs ran tests at the same time, so wall-clock times "
        "are upper bounds; the latency ratios are measured in one run with both sides "
        "interleaved and are the numbers to compare",
        "",
        "## Build and memory",
        "",
        "| step | wall s | CPU s | resident MiB after |",
        "|---|---:|---:|---:|",
        f"| process start (imports, bundled index) | | | {facts['start_mb']:.0f} |",
        f"| generate the registry (not part of a worker's build) | {facts['generate_s']:.1f} "
        f"| | {facts['generated_mb']:.0f} |",
        f"| `RegistryIndex.build` | {facts['index_s']:.1f} | {facts['index_cpu_s']:.1f} "
        f"| {facts['indexed_mb']:.0f} |",
        f"| `lookalike_index(index)` | {facts['lookalike_s']:.1f} "
        f"| {facts['lookalike_cpu_s']:.1f} | {facts['built_mb']:.0f} |",
        f"| **build in all** | **{build_s:.1f}** | **{build_cpu_s:.1f}** "
        f"| peak {facts['peak_mb']:.0f} |",
        "",
        f"- target: build under {BUILD_TARGET_S:.0f} s: "
        f"{_met(build_cpu_s < BUILD_TARGET_S, f'{build_cpu_s:.1f} s CPU, {build_s:.1f} s wall')}"
        "; judged on CPU time, which is the build's wall time on an idle core (on a shared "
        "machine the wall time adds the time other processes held the CPU)",
        f"- target: under {MEMORY_TARGET_MB / 1024:.1f} GB resident: "
        f"{_met(peak < MEMORY_TARGET_MB, f'peak {peak:.0f} MiB')}, "
        f"of which {facts['built_mb'] - facts['start_mb']:.0f} MiB stay held by the registry "
        "and its indexes",
        "",
        "## Check latency, large registry against bundled",
        "",
        f"timeit on CPU time, {args.repeat} rounds x {args.number} loops, the two registries "
        f"interleaved every {CHUNK} loops; median per call; ratio = median of the rounds' ratios",
        "",
        "| input | value | verdict | bundled µs | large µs | large / bundled |",
        "|---|---|---|---:|---:|---:|",
        f"| all {len(values)}, in turn | | | {mix_bundled.median_us:.1f} "
        f"| {mix_large.median_us:.1f} | **{mix_large.ratio:.2f}x** |",
    ]
    for (name, value), (b, s), (bv, sv) in zip(INPUTS, per_input, verdicts, strict=True):
        shown = bv if bv == sv else f"{bv} (large: **{sv}**)"
        lines.append(
            f"| {name} | `{value}` | {shown} | {b.median_us:.1f} | {s.median_us:.1f} "
            f"| {s.ratio:.2f}x |"
        )
    worst = max(s.ratio or 0.0 for _, s in per_input)
    lines += [
        "",
        f"- target: a check within {LATENCY_TARGET}x of the bundled registry's: "
        f"{_met((mix_large.ratio or 0.0) <= LATENCY_TARGET, f'{mix_large.ratio:.2f}x')} "
        f"over the mix; worst single input {worst:.2f}x",
    ]
    if any(bv != sv for bv, sv in verdicts):
        lines += [
            "",
            "A verdict differs between the registries: the large registry holds a name that "
            "reads as one of the inputs; the costs compare different paths.",
        ]
    text = "\n".join(lines) + "\n"
    print(text, end="")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
