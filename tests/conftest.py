"""Shared fixtures: a small, hand-built registry and an app on a fresh database per test.

Core and web tests use the small registry below, never the shipped data, so that a data update
cannot break a logic test. Tests of the bundled data itself load it explicitly.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from registry.files import parse_registry
from registry.store import RegistryStore
from verifier.core.index import RegistryIndex
from verifier.web import create_app
from verifier.web.extensions import app_session

SOURCE = "https://example.org/source"

#: A tiny registry in the file format: enough platforms to exercise every verdict.
SMALL_REGISTRY: dict[str, Any] = {
    "platforms": [
        {
            "slug": "icbc",
            "name": {"zh": "中国工商银行", "en": "ICBC"},
            "aliases": ["工行", "ICBC"],
            "category": "bank",
            "country": "CN",
            "phone_support": "listed",
            "channels": [
                {
                    "kind": "phone",
                    "value": "95588",
                    "label": {"zh": "客服热线", "en": "Hotline"},
                    "source": SOURCE,
                    "verified_on": "2026-11-01",
                },
                {
                    "kind": "phone",
                    "value": "+86 400 000 1234",
                    "label": {"zh": "旧热线", "en": "Old line"},
                    "status": "retired",
                    "source": SOURCE,
                    "verified_on": "2026-11-01",
                },
                {
                    "kind": "domain",
                    "value": "icbc.com.cn",
                    "label": {"zh": "官网", "en": "Website"},
                    "source": SOURCE,
                    "verified_on": "2026-11-01",
                },
                {
                    "kind": "email",
                    "value": "service@icbc.com.cn",
                    "source": SOURCE,
                    "verified_on": "2026-11-01",
                },
            ],
        },
        {
            "slug": "wechat-pay",
            "name": {"zh": "微信支付", "en": "WeChat Pay"},
            "category": "payment",
            "phone_support": "listed",
            "channels": [
                {"kind": "phone", "value": "95017", "source": SOURCE, "verified_on": "2026-11-01"},
                {
                    "kind": "domain",
                    "value": "pay.weixin.qq.com",
                    "scope": "exact",
                    "source": SOURCE,
                    "verified_on": "2026-11-01",
                },
            ],
        },
        {
            "slug": "china-post",
            "name": {"zh": "中国邮政", "en": "China Post"},
            "category": "logistics",
            "phone_support": "listed",
            "channels": [
                {"kind": "phone", "value": "11185", "source": SOURCE, "verified_on": "2026-11-01"},
                {"kind": "phone", "value": "11183", "source": SOURCE, "verified_on": "2026-11-01"},
            ],
        },
        {
            "slug": "anti-fraud",
            "name": {"zh": "反诈专线", "en": "Anti-fraud line"},
            "category": "government",
            "phone_support": "listed",
            "channels": [
                {"kind": "phone", "value": "96110", "source": SOURCE, "verified_on": "2026-11-01"}
            ],
        },
        {
            "slug": "pinduoduo",
            "name": {"zh": "拼多多", "en": "Pinduoduo"},
            "category": "ecommerce",
            "phone_support": "unknown",
            "channels": [
                {
                    "kind": "domain",
                    "value": "pinduoduo.com",
                    "source": SOURCE,
                    "verified_on": "2026-11-01",
                },
            ],
        },
    ],
    "blocklist": [
        {
            "kind": "domain",
            "value": "hk.alipayc05.cc",
            "impersonates": "icbc",
            "evidence": "https://example.org/notice",
            "added_on": "2026-11-02",
        },
        {
            "kind": "phone",
            "value": "+86 400 999 8888",
            "impersonates": "pinduoduo",
            "evidence": "https://example.org/report",
            "added_on": "2026-11-02",
        },
    ],
}


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
    app = create_app({"VERIFIER_ENV": "testing", "VERIFIER_INDEX_REFRESH_SECONDS": 0})
    with app_session(app) as session:
        RegistryStore(session).import_data(parse_registry(SMALL_REGISTRY), replace=True)
        session.commit()
    yield app
    app.extensions["verifier.engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CLI runner whose commands use the test's own database."""
    monkeypatch.setenv("VERIFIER_DATABASE_URL", database_url)
    return CliRunner()
