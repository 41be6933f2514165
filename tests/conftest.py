"""Shared fixtures: a small, hand-built registry and an app on a fresh database per test.

Core and web tests use the small registry of small_registry.py, never the shipped data, so that
a data update cannot break a logic test. Tests of the bundled data itself load it explicitly.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from small_registry import SMALL_REGISTRY, small_registry_app

from registry.files import parse_registry
from verifier.core.index import RegistryIndex


@pytest.fixture
def small_index() -> RegistryIndex:
    """The small registry as an index, for core tests."""
    data = parse_registry(SMALL_REGISTRY)
    return RegistryIndex.build(data.platforms, data.blocklist, version=7)


@pytest.fixture
def registry_file(tmp_path: Path) -> Path:
    """The small registry written as a YAML file."""
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(SMALL_REGISTRY, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
def app(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """An app on a fresh database holding the small registry (not the bundled one)."""
    monkeypatch.setenv("VERIFIER_DATABASE_URL", database_url)
    with small_registry_app(database_url) as app:
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CLI runner whose commands use the test's own database."""
    monkeypatch.setenv("VERIFIER_DATABASE_URL", database_url)
    return CliRunner()
