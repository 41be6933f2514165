"""Workers share nothing but the database: a registry change made through one worker is answered
by every worker within a few seconds, under the real ``verifier serve --workers 3``.

Which worker answered a request is read from gunicorn's access log, which ends each line with the
worker's pid (verifier/web/server.py); every check carries a numbered ``probe`` parameter, which
the API ignores, so that its line can be found.
"""

from __future__ import annotations

import itertools
import json
import re
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from databases import TestDatabases
from servers import LiveServer, serving_verifier

from registry.db import make_engine, make_sessionmaker
from registry.moderation import Moderation

WORKERS = 3
#: Not a number ICBC lists in the bundled registry.
NEW_NUMBER = "+86 400 123 4567"
#: Every worker re-reads the registry version at most once per VERIFIER_INDEX_REFRESH_SECONDS
#: (1 s by default) and rebuilds its index when it moved: "a few seconds" leaves room for a rebuild
#: on a loaded machine.
PROPAGATION_SECONDS = 5.0
#: How long probing may take to reach every worker, before and after the change.
MEET_WORKERS_SECONDS = 20.0
#: A pause between probes: a few dozen a second show every worker soon enough, and spare the log.
PROBE_INTERVAL_SECONDS = 0.02

#: A probe's access-log line: '... "GET /api/v1/check?q=…&probe=12 HTTP/1.1" 200 … <4242> 0.003'.
PROBE_LINE = re.compile(
    r'"GET /api/v1/check\?\S*&probe=(\d+) HTTP/[\d.]+" .* <(\d+)> [\d.]+$', re.M
)


@dataclass(frozen=True)
class Answer:
    verdict: str
    #: When the probe was sent (time.monotonic()).
    sent: float


@dataclass
class Probes:
    """Checks of NEW_NUMBER, each on a connection of its own (so that any worker may take it),
    matched to the worker that answered through the access log."""

    server: LiveServer
    answers: dict[int, Answer] = field(default_factory=dict)
    _numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def send(self) -> None:
        number = next(self._numbers)
        query = urllib.parse.urlencode({"q": NEW_NUMBER, "probe": number})
        sent = time.monotonic()
        body = _call(f"{self.server.url}/api/v1/check?{query}")
        self.answers[number] = Answer(body["verdict"], sent)

    def by_worker(self, since: int = 0) -> dict[int, list[Answer]]:
        """The answers of probes after number ``since``, in order, by the pid that gave them.

        gunicorn logs a request after sending its response: the latest probes may not be there.
        """
        log = self.server.log.read_text(encoding="utf-8", errors="replace")
        found: dict[int, list[Answer]] = {}
        for probe, pid in sorted((int(m[1]), int(m[2])) for m in PROBE_LINE.finditer(log)):
            if probe > since:
                found.setdefault(pid, []).append(self.answers[probe])
        return found

    @property
    def last(self) -> int:
        return len(self.answers)

    def wait_for_log(self) -> None:
        """Until every probe sent is in the log (or a couple of seconds have passed)."""
        deadline = time.monotonic() + 2
        while sum(map(len, self.by_worker().values())) < self.last and time.monotonic() < deadline:
            time.sleep(0.05)


def _call(url: str, token: str | None = None, body: Any = None) -> Any:
    """One request on a new connection (urllib sends ``Connection: close``), its JSON answer."""
    method = "GET" if body is None else "POST"
    request = urllib.request.Request(url, method=method)  # noqa: S310  # our loopback URL
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    if body is not None:
        request.add_header("Content-Type", "application/json")
        request.data = json.dumps(body).encode()
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310  # as above
        return json.load(response)


def _summary(by_worker: dict[int, list[Answer]], since: float) -> str:
    """Which worker answered what, asked when (seconds from ``since``): for a failure message.

    A run of one verdict is one line: "worker 4242: unverified ×12, asked at +0.00 to +0.81 s".
    """
    lines = []
    for pid, answers in sorted(by_worker.items()):
        for verdict, run in itertools.groupby(answers, key=lambda answer: answer.verdict):
            asked = [answer.sent - since for answer in run]
            lines.append(
                f"  worker {pid}: {verdict} ×{len(asked)}, "
                f"asked at {asked[0]:+.2f} to {asked[-1]:+.2f} s"
            )
    return "\n".join(lines)


@pytest.fixture(scope="module")
def server(
    databases: TestDatabases, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """``verifier serve --workers 3`` on the bundled registry."""
    # The probes are many and quick; the per-worker rate limit is not what is tested here.
    env = {"VERIFIER_RATE_LIMIT": ""}
    folder = tmp_path_factory.mktemp("many-workers")
    with serving_verifier(databases, folder, env, workers=WORKERS) as server:
        yield server


@pytest.fixture(scope="module")
def tokens(server: LiveServer) -> dict[str, str]:
    """API tokens of moderators alice and bob, made in the server's database as the CLI does."""
    engine = make_engine(server.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            moderation = Moderation(session)
            for name in ("alice", "bob"):
                moderation.create_user(name, "moderator", "correct horse battery staple")
            found = {name: moderation.new_token(name) for name in ("alice", "bob")}
            session.commit()
    finally:
        engine.dispose()
    return found


def test_a_registry_change_reaches_every_worker_within_seconds(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    probes = Probes(server)
    started = time.monotonic()
    deadline = started + MEET_WORKERS_SECONDS
    while len(probes.by_worker()) < WORKERS and time.monotonic() < deadline:
        probes.send()
        time.sleep(PROBE_INTERVAL_SECONDS)
    before = probes.by_worker()
    assert len(before) == WORKERS, (
        f"{probes.last} probes in {MEET_WORKERS_SECONDS:.0f} s reached {len(before)} of "
        f"{WORKERS} workers:\n{_summary(before, started)}"
    )
    assert all(a.verdict != "official" for answers in before.values() for a in answers), (
        f"{NEW_NUMBER} was official before the change:\n{_summary(before, started)}"
    )

    # Alice proposes the number as ICBC's, Bob approves: four eyes, through whichever workers.
    proposal = _call(
        f"{server.url}/api/v1/mod/proposals",
        tokens["alice"],
        {
            "action": "add_channel",
            "platform": "icbc",
            "channel": {
                "kind": "phone",
                "value": NEW_NUMBER,
                "label": {"zh": "新热线", "en": "New line"},
                "source": "https://www.icbc.com.cn/contact",
                "verified_on": "2026-11-10",
            },
            "note": "listed on the bank's contact page",
        },
    )
    approved = _call(
        f"{server.url}/api/v1/mod/proposals/{proposal['id']}/approve", tokens["bob"], {}
    )
    assert approved["status"] == "approved", approved
    changed = time.monotonic()
    first_after = probes.last

    def all_official() -> bool:
        after = probes.by_worker(since=first_after)
        return set(after) >= set(before) and all(
            any(a.verdict == "official" for a in after[pid]) for pid in before
        )

    deadline = changed + MEET_WORKERS_SECONDS
    while not all_official() and time.monotonic() < deadline:
        probes.send()
        time.sleep(PROBE_INTERVAL_SECONDS)
    probes.wait_for_log()
    after = probes.by_worker(since=first_after)
    report = _summary(after, changed)
    assert all_official(), (
        f"not every worker answered official within {MEET_WORKERS_SECONDS:.0f} s "
        f"of the approval:\n{report}"
    )
    assert set(after) == set(before), f"workers came or went during the test:\n{report}"
    for pid, answers in after.items():
        # A worker that the probes happened to miss for a while proves nothing by answering
        # late; what must not happen is an old answer to a question asked after the bound.
        late_and_stale = any(
            a.verdict != "official" and a.sent - changed > PROPAGATION_SECONDS for a in answers
        )
        assert not late_and_stale, (
            f"worker {pid} still gave the old verdict more than {PROPAGATION_SECONDS:.0f} s "
            f"after the approval:\n{report}"
        )
        first_official = next(i for i, a in enumerate(answers) if a.verdict == "official")
        assert all(a.verdict == "official" for a in answers[first_official:]), (
            f"worker {pid} went back to the old verdict after answering official:\n{report}"
        )
