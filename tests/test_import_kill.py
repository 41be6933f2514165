"""An import killed with SIGKILL halfway leaves the registry exactly as it was.

The real ``verifier registry import --replace`` runs as a subprocess on a SQLite file and is
killed once it has started writing (its rollback journal exists): no handler, no ``finally``
runs. The registry read afterwards must export to the same bytes and have the same version,
which holds only if the whole import is one transaction. Always SQLite: the test watches the
journal file.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from verifier.core.link import normalize_host

pytestmark = pytest.mark.sqlite_only(
    reason="kills an import and checks the SQLite file it was writing"
)

VERIFIER = Path(sys.executable).parent / "verifier"
#: Enough that writing takes a second or more (2 000 platforms, 6 000 channels).
PLATFORMS = 2000
SOURCE = "https://example.org/source"


def big_registry(size: int) -> dict[str, Any]:
    """``size`` invented platforms with three channels each, in the registry-file format."""

    def channel(kind: str, value: str) -> dict[str, str]:
        return {"kind": kind, "value": value, "source": SOURCE, "verified_on": "2026-01-01"}

    return {
        "platforms": [
            {
                "slug": f"synthetic-{i}",
                "name": {"zh": f"合成平台{i}", "en": f"Synthetic {i}"},
                "category": "ecommerce",
                "channels": [
                    channel("domain", f"synthetic-{i}.example.com"),
                    channel("domain", f"www.synthetic-{i}.example.net"),
                    channel("email", f"help@synthetic-{i}.example.com"),
                ],
            }
            for i in range(size)
        ]
    }


def verifier(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[bytes]:
    done = subprocess.run(  # our own command, fixed arguments
        [str(VERIFIER), *args], env=env, capture_output=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr.decode()
    return done


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "VERIFIER_DATABASE_URL": f"sqlite:///{tmp_path / 'registry.sqlite3'}"}


def test_sigkill_during_import_leaves_the_registry_as_it_was(
    tmp_path: Path, env: dict[str, str]
) -> None:
    assert normalize_host("synthetic-1.example.com")  # the invented values are valid
    database = tmp_path / "registry.sqlite3"
    journal = tmp_path / "registry.sqlite3-journal"
    big = tmp_path / "big.json"  # JSON: a 2 MB YAML file takes longer to parse than to write
    big.write_text(json.dumps(big_registry(PLATFORMS), ensure_ascii=False), encoding="utf-8")
    stats_before = json.loads(verifier(env, "registry", "stats", "--json").stdout)  # bundled
    export_before = verifier(env, "registry", "export").stdout
    assert database.is_file() and not journal.exists()

    importing = subprocess.Popen(  # our own command, fixed arguments
        [str(VERIFIER), "registry", "import", "--replace", str(big)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not journal.exists():
            assert importing.poll() is None, "the import ended before it began writing"
            assert time.monotonic() < deadline, "the import never began writing"
            time.sleep(0.005)
        time.sleep(0.3)  # well into the writing: rows deleted, thousands inserted
        assert importing.poll() is None, "the import finished before it could be killed"
        importing.send_signal(signal.SIGKILL)
        importing.wait(timeout=10)
    finally:
        if importing.poll() is None:
            importing.kill()
            importing.wait()
        assert importing.stderr is not None
        importing.stderr.close()
    assert importing.returncode == -signal.SIGKILL
    # A hot journal: the killed transaction left its undo log, which the next reader plays back.
    assert journal.stat().st_size > 0

    assert verifier(env, "registry", "export").stdout == export_before
    assert json.loads(verifier(env, "registry", "stats", "--json").stdout) == stats_before
