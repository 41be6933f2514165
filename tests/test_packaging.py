"""The wheel carries everything the app reads at run time, and works installed away from a checkout.

Templates live at the top of the checkout and are moved into the package by the build
(pyproject's force-include); data, migrations and static files are package data. A file missing
from the wheel only shows once someone installs it, so build one here and use it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FILES_THE_APP_READS = [
    "verifier/templates/base.html",
    "verifier/templates/pages/check.html",
    "verifier/web/static/style.css",
    "registry/data/registry.yaml",
    "registry/data/community.json",
    "registry/migrations/env.py",
    "registry/migrations/versions/0001_first_schema.py",
]


def _run(
    command: list[str],
    timeout: float,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> str:
    """Run ``command``; on failure show its output, which says why far better than a status."""
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, check=False, cwd=cwd, env=env
    )
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel of the project, built the way pip builds it for an install."""
    out = tmp_path_factory.mktemp("wheel")
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        timeout=120,
    )
    wheels = list(out.glob("contact_verifier-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_carries_templates_data_migrations_and_static_files(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    missing = [name for name in FILES_THE_APP_READS if name not in names]
    assert not missing, f"missing from {wheel.name}: {missing}"
    assert not any(name.startswith(("tests/", "templates/")) for name in names)


# Run by the installed interpreter, from a folder that holds no checkout: only the wheel's files
# can be found. It checks the pages render from the packaged templates and the bundled registry.
INSTALLED_APP_SMOKE = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    import verifier
    from verifier.web import _template_folder, create_app

    site = Path(verifier.__file__).resolve().parent
    assert Path(_template_folder()) == site / "templates", _template_folder()
    client = create_app().test_client()
    page = client.get("/check?q=95588")
    assert page.status_code == 200, page.status_code
    assert 'data-verdict="official"' in page.get_data(as_text=True)
    assert client.get("/static/style.css").status_code == 200
    assert client.get("/healthz").get_json()["status"] == "ok"
    print("installed app ok")
    """
)


def test_installed_wheel_serves_pages_from_packaged_files(
    wheel: Path, tmp_path: Path, database_url: str
) -> None:
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], timeout=60)
    python = venv / "bin" / "python"
    # Dependencies come from the package index (or pip's cache, warm after the dev install).
    _run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-compile", str(wheel)],
        timeout=180,
    )
    away = tmp_path / "elsewhere"
    away.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("VERIFIER_", "PYTHON"))
    }
    env["VERIFIER_DATABASE_URL"] = database_url
    out = _run([str(python), "-c", INSTALLED_APP_SMOKE], timeout=60, cwd=away, env=env)
    assert "installed app ok" in out
    # The console script works too, on the database the app set up from the bundled registry.
    verdict = _run(
        [str(venv / "bin" / "verifier"), "check", "--json", "95588"], timeout=60, cwd=away, env=env
    )
    assert '"verdict": "official"' in verdict
