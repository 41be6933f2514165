"""The core is pure (STYLE.md rule 1): no web framework, no database, no I/O, no clock.

Two guards: importing the library must not pull Flask or SQLAlchemy in (checked in a fresh
interpreter, since this test process has already imported both through conftest), and no file
under verifier/core may even name a forbidden module.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import verifier.core

CORE = Path(verifier.core.__file__).parent

#: Modules the core must not import: frameworks and storage, the registry package (the core is
#: below it), and anything that reaches files, processes, the network or the clock.
FORBIDDEN_MODULES = (
    "flask",
    "flask_babel",
    "werkzeug",
    "sqlalchemy",
    "alembic",
    "registry",
    "os",
    "socket",
    "subprocess",
    "urllib.request",
    "http.client",
    "requests",
    "time",
)
#: Clock readings, however ``datetime`` or ``date`` was imported.
FORBIDDEN_CALLS = ("now", "utcnow", "today")


def _forbidden(module: str) -> bool:
    return any(module == bad or module.startswith(bad + ".") for bad in FORBIDDEN_MODULES)


def _violations(source: str) -> list[str]:
    """Forbidden imports and clock readings in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if _forbidden(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" for a in node.names]
            if _forbidden(node.module) or any(_forbidden(n) for n in names):
                found.append(f"from {node.module} import …")
            if node.module == "datetime" and any(a.name in FORBIDDEN_CALLS for a in node.names):
                found.append("from datetime import now")
        elif isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_CALLS:
            owner = node.value
            owner_name = (
                owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            )
            if owner_name in ("datetime", "date", "dt"):
                found.append(f"{owner_name}.{node.attr}")
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__":
            found.append("__import__(…)")
    return found


def test_importing_the_library_loads_neither_flask_nor_sqlalchemy() -> None:
    program = (
        "import json, sys\n"
        "import verifier.core, verifier\n"
        "from verifier import RegistryIndex, check\n"
        "check('95588', RegistryIndex.build([]))\n"
        "print(json.dumps(sorted(m for m in sys.modules\n"
        "    if m.split('.')[0] in ('flask', 'sqlalchemy', 'alembic', 'registry'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


@pytest.mark.parametrize("path", sorted(CORE.glob("*.py")), ids=lambda p: p.name)
def test_core_module_imports_nothing_impure(path: Path) -> None:
    assert _violations(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "source",
    [
        # The web framework.
        "from flask import Flask",
        "import flask.json",
        # The database, even a submodule.
        "import sqlalchemy.orm",
        "from sqlalchemy import select",
        # The registry package sits above the core.
        "from registry.store import RegistryStore",
        "import registry",
        # Files, processes and the network.
        "import os",
        "from os import path",
        "import socket",
        "import urllib.request",
        "from urllib import request",
        "from urllib.request import urlopen",
        # The clock.
        "import time",
        "from datetime import datetime\ndatetime.now()",
        "import datetime as dt\ndt.datetime.now()",
        "import datetime\ndatetime.date.today()",
        "from datetime import date\ndate.today()",
        # Sneaking an import past the scan.
        "__import__('os')",
    ],
)
def test_the_scan_catches_each_kind_of_violation(source: str) -> None:
    assert _violations(source)


@pytest.mark.parametrize(
    "source",
    [
        # What the core legitimately uses.
        "from urllib.parse import unquote, urlsplit",
        "import unicodedata",
        "import phonenumbers",
        "import tldextract",
        "from datetime import date\ndate.fromisoformat('2026-11-01')",
        "from verifier.core.normalize import fold",
    ],
)
def test_the_scan_allows_pure_modules(source: str) -> None:
    assert _violations(source) == []
