"""Requests per second over HTTP: the check beside a bare Flask endpoint, and a load run.

In one run, with wrk on 127.0.0.1 and the same gunicorn settings for both (the workers, threads,
worker class, timeouts and access log of ``verifier serve``): a bare Flask "hello" app
(bench/hello_app.py), then ``verifier serve`` on a fresh SQLite database holding the bundled
registry, checked with an official, an unknown and a lookalike input, one URL per run. Target:
the check reaches at least 60% of the bare endpoint's requests per second, with no error. Then
a load run at 64 connections for 60 seconds rotating the three inputs: no socket error, no 5xx.
The anonymous rate limit is switched off (VERIFIER_RATE_LIMIT empty): wrk is one client.

Needs ``wrk`` (Debian: ``apt-get install wrk``). Run from the repository root:
``python bench/bench_throughput.py`` (about 2.5 minutes; ``--duration``/``--load-duration`` to
shorten). Prints Markdown and writes the same text to bench/results/throughput.md (git-ignored).
"""

# ruff: noqa: E402 -- the checkout is put first on sys.path before importing it (see below)

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
# Measure this checkout, not whatever copy of the package happens to be installed.
sys.path.insert(0, str(ROOT))

from bench_check import machine

#: The checks, one per path through the product, each named for the table.
INPUTS = (
    ("official", "95588"),
    ("unknown", "https://www.weather-report.org/today"),
    ("lookalike", "alipya.com"),
)
HELLO_PATH = "/hello"
#: The check may reach no fewer requests per second than this share of the bare endpoint's.
RATIO_TARGET = 0.60
#: gunicorn's settings in verifier/web/server.py ``run()``, which ``verifier serve`` uses; the
#: bare app is started with the same ones.
THREADS = 4
GUNICORN_SETTINGS = [
    "--worker-class",
    "gthread",
    "--threads",
    str(THREADS),
    "--access-logfile",
    "-",
    "--timeout",
    "30",
    "--graceful-timeout",
    "10",
]
RESULTS = ROOT / "bench" / "results" / "throughput.md"
#: wrk prints this line from the Lua ``done`` hook: the run's numbers as JSON.
_DONE_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, '
    .. '"timeout": %d, "non_2xx_3xx": %d, "p50": %d, "p90": %d, "p99": %d, "max": %d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""
_ROTATE_LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i - 1) %% #paths + 1])
end
"""
#: gunicorn's access log line: ... "GET /path HTTP/1.1" 200 123 ...
_STATUS = re.compile(rb'" (\d{3}) ')


@dataclass(frozen=True)
class Run:
    """One wrk run: what wrk counted, and what the server logged and spent."""

    name: str
    requests: int
    seconds: float
    socket_errors: int
    non_2xx: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    #: Status codes in the server's access log for this run.
    statuses: Counter[str]
    #: CPU seconds the server's workers spent during the run.
    server_cpu_s: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_us_per_request(self) -> float:
        return self.server_cpu_s / max(self.requests, 1) * 1e6

    @property
    def server_errors(self) -> int:
        return sum(n for code, n in self.statuses.items() if code.startswith("5"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _children_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by the processes whose parent is ``pid``."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:  # ppid
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


class Server:
    """A gunicorn server started for the benchmark, its access log in a file."""

    def __init__(self, command: list[str], env: dict[str, str], port: int, log: Path) -> None:
        self.port = port
        self.log = log
        self._log_file = log.open("wb")
        self.process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=self._log_file, stderr=subprocess.STDOUT
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_ready(self, path: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited; see {self.log}")
            try:
                with urllib.request.urlopen(self.url(path), timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"the server did not answer {path} within {timeout:.0f} s")

    def log_size(self) -> int:
        self._log_file.flush()
        return self.log.stat().st_size

    def statuses_since(self, offset: int) -> Counter[str]:
        with self.log.open("rb") as log:
            log.seek(offset)
            return Counter(m.group(1).decode() for m in _STATUS.finditer(log.read()))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log_file.close()


@contextmanager
def serving(command: list[str], env: dict[str, str], port: int, log: Path) -> Iterator[Server]:
    server = Server(command, env, port, log)
    try:
        yield server
    finally:
        server.stop()


def wrk(
    server: Server,
    name: str,
    paths: Sequence[str],
    work: Path,
    *,
    threads: int,
    connections: int,
    seconds: int,
) -> Run:
    """One wrk run against ``paths`` (one URL, or a Lua script rotating several)."""
    script = work / f"run-{len(list(work.glob('*.lua')))}.lua"
    listed = ", ".join(json.dumps(p) for p in paths)
    script.write_text(
        (_ROTATE_LUA % listed if len(paths) > 1 else "") + _DONE_LUA, encoding="utf-8"
    )
    offset, cpu = server.log_size(), _children_cpu(server.process.pid)
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            server.url(paths[0]),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    cpu = _children_cpu(server.process.pid) - cpu
    time.sleep(0.5)  # let the workers write their last access-log lines
    found = json.loads(next(line[4:] for line in out.splitlines() if line.startswith("WRK ")))
    return Run(
        name=name,
        requests=found["requests"],
        seconds=found["duration_us"] / 1e6,
        socket_errors=sum(found[k] for k in ("connect", "read", "write", "timeout")),
        non_2xx=found["non_2xx_3xx"],
        p50_ms=found["p50"] / 1000,
        p90_ms=found["p90"] / 1000,
        p99_ms=found["p99"] / 1000,
        max_ms=found["max"] / 1000,
        statuses=server.statuses_since(offset),
        server_cpu_s=cpu,
    )


def check_path(value: str) -> str:
    return "/api/v1/check?q=" + quote(value, safe="")


def _row(run: Run, ratio: str) -> str:
    codes = ", ".join(f"{code}: {n}" for code, n in sorted(run.statuses.items()))
    return (
        f"| {run.name} | {run.rps:.0f} | {ratio} | {run.p50_ms:.1f} | {run.p90_ms:.1f} "
        f"| {run.p99_ms:.1f} | {run.non_2xx} | {run.socket_errors} "
        f"| {run.cpu_us_per_request:.0f} | {codes} |"
    )


_HEADER = (
    "| run | requests/s | of hello | p50 ms | p90 ms | p99 ms | non-2xx | socket errors "
    "| server CPU µs/request | access log |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per run (default 15)")
    parser.add_argument(
        "--load-duration", type=int, default=60, help="seconds of the load run (default 60)"
    )
    parser.add_argument("--warmup", type=int, default=2, help="warm-up seconds per target")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (32)")
    parser.add_argument(
        "--load-connections", type=int, default=64, help="connections of the load run (64)"
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the tables")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed (Debian: apt-get install wrk)")

    work = Path(tempfile.mkdtemp(prefix="bench-throughput-"))
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "VERIFIER_DATABASE_URL": f"sqlite:///{work / 'verifier.sqlite3'}",
        "VERIFIER_RATE_LIMIT": "",  # one client at thousands a second: the limit would refuse it
    }
    options = dict(threads=args.threads, connections=args.connections, seconds=args.duration)
    check_paths = [check_path(value) for _, value in INPUTS]

    port = free_port()
    hello_command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        *GUNICORN_SETTINGS,
        "--chdir",
        str(ROOT / "bench"),
        "hello_app:app",
    ]
    with serving(hello_command, env, port, work / "hello.log") as server:
        server.wait_ready(HELLO_PATH)
        wrk(server, "warm-up", [HELLO_PATH], work, **{**options, "seconds": args.warmup})
        hello = wrk(server, "bare Flask `GET /hello`", [HELLO_PATH], work, **options)

    port = free_port()
    verifier = Path(sys.executable).with_name("verifier")
    serve_command = [str(verifier), "serve", "--port", str(port), "--workers", str(args.workers)]
    with serving(serve_command, env, port, work / "verifier.log") as server:
        server.wait_ready("/healthz")
        wrk(server, "warm-up", check_paths, work, **{**options, "seconds": args.warmup})
        checks = [
            wrk(server, f"check, {name}: `{value}`", [path], work, **options)
            for (name, value), path in zip(INPUTS, check_paths, strict=True)
        ]
        load = wrk(
            server,
            f"load: the {len(INPUTS)} checks in turn, {args.load_connections} connections",
            check_paths,
            work,
            threads=args.threads,
            connections=args.load_connections,
            seconds=args.load_duration,
        )

    ratios = [run.rps / hello.rps for run in checks]
    clean = all(run.non_2xx == 0 and run.socket_errors == 0 for run in (hello, *checks))
    met = min(ratios) >= RATIO_TARGET and clean
    load_clean = load.socket_errors == 0 and load.server_errors == 0
    lines = [
        "# Throughput over HTTP: the check beside a bare Flask endpoint",
        "",
        *machine(),
        f"- server: gunicorn, {args.workers} workers x {THREADS} threads (gthread), access log "
        "on (the settings of `verifier serve`, for both apps); SQLite, bundled registry; "
        "anonymous rate limit off",
        f"- client: wrk {args.threads} threads, {args.connections} connections, "
        f"{args.duration} s per run after {args.warmup} s of warm-up, on the same machine",
        f"- the machine has {os.cpu_count()} CPUs shared by wrk, the server and other jobs "
        "running tests at the same time: absolute figures are low and noisy; compare the "
        "ratios, measured in one run. Server CPU µs/request counts the workers' CPU time and "
        "does not depend on how busy the machine was",
        "",
        *_HEADER,
        _row(hello, "1.00"),
        *(_row(run, f"{ratio:.0%}") for run, ratio in zip(checks, ratios, strict=True)),
        "",
        f"- target: a check reaches at least {RATIO_TARGET:.0%} of the bare endpoint's "
        f"requests per second, with no error: **{'met' if met else 'MISSED'}** "
        f"(lowest {min(ratios):.0%}; {'no' if clean else 'some'} errors)",
        "",
        f"## Load: {args.load_duration} s at {args.load_connections} connections",
        "",
        *_HEADER,
        _row(load, f"{load.rps / hello.rps:.0%}"),
        "",
        f"- target: no socket error and no 5xx: **{'met' if load_clean else 'MISSED'}** "
        f"({load.socket_errors} socket errors, {load.server_errors} 5xx in the access log, "
        f"max latency {load.max_ms:.0f} ms)",
    ]
    text = "\n".join(lines) + "\n"
    print(text, end="")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
