"""A tiny registry in the file format: enough platforms to exercise every verdict.

Core and web tests use it instead of the shipped data, so a data update cannot break a logic
test. Importable from any test module (``pythonpath = ["tests"]`` in pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask

from registry.files import parse_registry
from registry.store import RegistryStore
from verifier.core.index import Channel
from verifier.web import create_app
from verifier.web.extensions import app_session

#: The keys of the verdict object, exactly as CONTRACT.md lists them.
VERDICT_KEYS = frozenset(
    {
        "input",
        "kind",
        "normalized",
        "verdict",
        "risk",
        "platform",
        "impersonates",
        "reasons",
        "official_channels",
        "registry_version",
    }
)
#: Fields this verifier adds to the verdict object: the trust tier of the entry that names the
#: platform (``verified``, ``community``, or null).
VERDICT_EXTENSIONS = frozenset({"trust"})

SOURCE = "https://example.org/source"

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


@contextmanager
def open_app(database_url: str) -> Iterator[Flask]:
    """An app on ``database_url`` that sees every registry change at its next request; its
    engine is disposed at the end of the ``with`` block."""
    app = create_app(
        {
            "VERIFIER_ENV": "testing",
            "VERIFIER_DATABASE_URL": database_url,
            "VERIFIER_INDEX_REFRESH_SECONDS": 0,
        }
    )
    try:
        yield app
    finally:
        app.extensions["verifier.engine"].dispose()


@contextmanager
def small_registry_app(
    database_url: str, registry: dict[str, Any] | None = None
) -> Iterator[Flask]:
    """An app on a fresh database at ``database_url`` holding the small registry (or
    ``registry``, a registry file's data).

    Importing it over the bundled registry takes about a second: a test that only needs the small
    registry starts :func:`open_app` on a copy of the ``small_registry_database`` fixture.
    """
    with open_app(database_url) as app:
        with app_session(app) as session:
            RegistryStore(session).import_data(
                parse_registry(SMALL_REGISTRY if registry is None else registry), replace=True
            )
            session.commit()
        yield app


def domain_channel(value: str) -> Channel:
    """An official website channel for registries built in core tests."""
    return Channel("domain", value, "官网", "Website", source=SOURCE, verified_on="2026-11-01")


def phone_channel(value: str) -> Channel:
    """An official hotline channel for registries built in core tests."""
    return Channel("phone", value, "客服热线", "Hotline", source=SOURCE, verified_on="2026-11-01")


#: A platform the small registry lacks, for tests that change the registry behind an app's back.
NEW_PLATFORM: dict[str, Any] = {
    "slug": "example-bank",
    "name": {"zh": "示例银行", "en": "Example Bank"},
    "category": "bank",
    "phone_support": "listed",
    "channels": [
        {"kind": "phone", "value": "95599", "source": SOURCE, "verified_on": "2026-11-03"},
    ],
}
