"""How many links a worker checks per second in batches of 1000, and the snapshot's size.

Batches of 1000 links (official sites, unknown sites and lookalikes, few repeats) are checked
through the Flask test client (``POST /api/v1/check/batch``: JSON in, verdicts, JSON out) and
through the core (``check()`` alone, and with ``to_dict()`` and JSON), in one process, on the
bundled registry. Targets: at least 20 000 items per second per worker; the bundled registry's
``GET /api/v1/snapshot`` under 100 KB gzipped. See bench/README.md.

Run from the repository root: ``python bench/bench_batch.py`` (``--help`` for options). Prints
Markdown and writes the same text to bench/results/batch.md (git-ignored).
"""

# ruff: noqa: E402 -- the checkout is put first on sys.path before importing it (see below)

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]
# Measure this checkout, not whatever copy of the package happens to be installed.
sys.path.insert(0, str(ROOT))

from bench_check import machine
from flask import Flask

from verifier.core.check import check
from verifier.core.index import RegistryIndex
from verifier.web import create_app
from verifier.web.registry_api import Encoded, lookup_table, snapshot_payload

T = TypeVar("T")
RESULTS = ROOT / "bench" / "results" / "batch.md"
BATCH = 1000
TARGET_ITEMS_PER_SECOND = 20_000
SNAPSHOT_TARGET_BYTES = 100 * 1024
#: Shares of a batch: links to official sites, to sites the registry does not know, lookalikes.
MIX = (("official", 0.3), ("unknown", 0.5), ("lookalike", 0.2))

_SYLLABLES = (
    "ba be bo da de di fa fe go ha he ji ka ko la le li lu ma me mi mo na ne no pa pe "
    "po ra re ri ro sa se si so ta te ti to va ve vi wa xi ya yo za ze zi zu".split()
)
_TLDS = ("com", "cn", "net", "org", "com.cn", "top", "xyz", "io", "shop", "info")
_WORDS = ("kefu", "login", "service", "secure", "vip", "pay", "app", "help", "cs", "online")
_HOMOGLYPHS = {"a": "а", "o": "о", "e": "е", "c": "с", "p": "р", "i": "і"}  # Cyrillic


def _path(rng: random.Random) -> str:
    return rng.choice(
        ("", "/", "/index.html", f"/p/{rng.randrange(10**6)}", f"/?id={rng.randrange(10**9)}")
    )


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 5)))


def _lookalike(rng: random.Random, domain: str) -> str:
    name, _, suffix = domain.partition(".")
    trick = rng.randrange(5)
    if trick == 0 and len(name) > 3:  # swap two letters
        i = rng.randrange(len(name) - 1)
        name = name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    elif trick == 1:  # the brand with a word
        name = (
            f"{name}-{rng.choice(_WORDS)}" if rng.random() < 0.5 else f"{rng.choice(_WORDS)}{name}"
        )
        suffix = rng.choice(_TLDS)
    elif trick == 2:  # the brand's whole domain as a subdomain of another
        return f"{domain}.{_word(rng)}.{rng.choice(_TLDS)}"
    elif trick == 3:  # a homoglyph (an IDN)
        spots = [i for i, c in enumerate(name) if c in _HOMOGLYPHS]
        if spots:
            i = rng.choice(spots)
            name = name[:i] + _HOMOGLYPHS[name[i]] + name[i + 1 :]
    else:  # a letter doubled
        i = rng.randrange(len(name))
        name = name[:i] + name[i] + name[i:]
    return f"{name}.{suffix}"


def make_batch(index: RegistryIndex, seed: int, size: int = BATCH) -> list[str]:
    """``size`` links in the proportions of MIX, shuffled; the same seed gives the same batch."""
    rng = random.Random(seed)  # noqa: S311 -- test data, not secrets
    domains = sorted(
        c.value
        for p in index.platforms
        for c in p.channels
        if c.kind == "domain" and c.status == "active"
    )
    links: list[str] = []
    for kind, share in MIX:
        for _ in range(round(size * share)):
            if kind == "official":
                host = rng.choice(("", "www.", "m.", "help.")) + rng.choice(domains)
            elif kind == "unknown":
                host = f"{rng.choice(('', 'www.'))}{_word(rng)}.{rng.choice(_TLDS)}"
            else:
                host = _lookalike(rng, rng.choice(domains))
            links.append(f"{rng.choice(('https://', 'http://', ''))}{host}{_path(rng)}")
    rng.shuffle(links)
    return links[:size]


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def _encoded(links: list[str]) -> bytes:
    return json.dumps({"items": links}, ensure_ascii=False).encode("utf-8")


def bundled_app(folder: Path) -> Flask:
    """The app on a fresh database, which loads the bundled registry as in production."""
    return create_app(
        {
            "VERIFIER_ENV": "testing",
            "VERIFIER_DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            # One client sends every batch: the per-client limit is not what is measured.
            "VERIFIER_RATE_LIMIT": "1000000/minute",
        }
    )


def timed(rounds: int, run: Callable[[T], object], batches: Callable[[int], T]) -> list[float]:
    """CPU seconds of ``run`` on a fresh batch per round (after one untimed warm-up), so that the
    caches keyed by host (IDN labels, display names) start cold for each batch, as in use."""
    run(batches(-1))
    spent = []
    for r in range(rounds):
        batch = batches(r)
        start = time.process_time()
        run(batch)
        spent.append(time.process_time() - start)
    return spent


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rounds", type=int, default=15, help="timed batches per case (default 15)"
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the report")
    parser.add_argument("--profile", action="store_true", help="profile the HTTP batches instead")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as folder:
        app = bundled_app(Path(folder))
        index: RegistryIndex = app.extensions["verifier.index"].get()
        client = app.test_client()

        def http(body: bytes) -> None:
            response = client.post(
                "/api/v1/check/batch", data=body, content_type="application/json"
            )
            assert response.status_code == 200, response.get_data(as_text=True)[:200]

        def core(links: list[str]) -> None:
            for link in links:
                check(link, index)

        def core_json(links: list[str]) -> None:
            json.dumps(
                {"results": [check(link, index).to_dict() for link in links]}, ensure_ascii=False
            )

        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for r in range(args.rounds):
                http(_encoded(make_batch(index, 10_000 + r)))
            profiler.disable()
            pstats.Stats(profiler, stream=sys.stdout).strip_dirs().sort_stats(
                "tottime"
            ).print_stats(30)
            return 0

        verdicts = Counter(check(link, index).verdict for link in make_batch(index, 0))
        repeats = BATCH - len(set(make_batch(index, 0)))
        # The request body is encoded before the clock starts: that is the client's work.
        cases: list[tuple[str, Callable[[Any], object], Callable[[int], Any]]] = [
            ("core `check()`", core, lambda r: make_batch(index, 1_000 + r)),
            (
                "core `check()` + `to_dict()` + `json.dumps`",
                core_json,
                lambda r: make_batch(index, 2_000 + r),
            ),
            (
                "HTTP `POST /api/v1/check/batch` (test client)",
                http,
                lambda r: _encoded(make_batch(index, 3_000 + r)),
            ),
        ]
        rows = []
        for name, run, batches in cases:
            spent = timed(args.rounds, run, batches)
            median = statistics.median(spent)
            rows.append((name, median * 1e3, min(spent) * 1e3, BATCH / median))

        with app.test_request_context():
            start = time.process_time()
            body = Encoded.of(snapshot_payload(index))
            snapshot_ms = (time.process_time() - start) * 1e3
            start = time.process_time()
            table = lookup_table(index)
            lookup_ms = (time.process_time() - start) * 1e3
        zipped = client.get("/api/v1/snapshot", headers={"Accept-Encoding": "gzip"})
        assert zipped.headers.get("Content-Encoding") == "gzip"
        app.extensions["verifier.engine"].dispose()

    http_rate = rows[-1][3]
    channels = sum(len(p.channels) for p in index.platforms)
    lines = [
        "# Batch checks per second, and the snapshot's size",
        "",
        *machine(),
        f"- registry: bundled, version {index.version}, {len(index.platforms)} platforms, "
        f"{channels} channels, {len(index.blocklist)} blocklist entries",
        f"- batches: {BATCH} links each, {', '.join(f'{int(s * 100)}% {k}' for k, s in MIX)}; "
        f"a fresh batch per round ({repeats} repeated links in one); verdicts in one batch: "
        + ", ".join(f"{v} {n}" for v, n in verdicts.most_common()),
        f"- timing: CPU time (`time.process_time`) of one batch, {args.rounds} rounds per case "
        "after one warm-up batch; one process, one thread",
        "",
        "| case | median ms per batch | best ms | items per second |",
        "|---|---:|---:|---:|",
        *(
            f"| {name} | {median:.1f} | {best:.1f} | {rate:,.0f} |"
            for name, median, best, rate in rows
        ),
        "",
        f"Target: at least {TARGET_ITEMS_PER_SECOND:,} items per second per worker through "
        f"the API: **{_verdict(http_rate >= TARGET_ITEMS_PER_SECOND)}** ({http_rate:,.0f}).",
        "",
        "Beyond the core's verdicts the API parses and encodes JSON and validates each item "
        "(`python bench/bench_batch.py --profile` shows where); the index and the language are "
        "looked up once per batch.",
        "",
        "| snapshot of the bundled registry | bytes |",
        "|---|---:|",
        f"| JSON | {len(body.plain):,} |",
        f"| gzip (as served with `Accept-Encoding: gzip`) | {len(zipped.data):,} |",
        "",
        f"Target: under {SNAPSHOT_TARGET_BYTES // 1024} KB gzipped: "
        f"**{_verdict(len(zipped.data) < SNAPSHOT_TARGET_BYTES)}** "
        f"({len(zipped.data) / 1024:.1f} KB). Built once per registry version per worker: "
        f"snapshot (JSON and gzip) {snapshot_ms:.1f} ms, lookup table ({len(table)} prefixes) "
        f"{lookup_ms:.1f} ms of CPU.",
    ]
    text = "\n".join(lines) + "\n"
    print(text, end="")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
