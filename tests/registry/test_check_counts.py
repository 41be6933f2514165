"""Counts of checked community entries (registry/check_counts.py) on a real database per test."""

from __future__ import annotations

import copy
import datetime as dt
import logging
from typing import Any

import pytest
from small_registry import SMALL_REGISTRY, SOURCE
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session, sessionmaker

from registry.check_counts import (
    CheckCounter,
    add_counts,
    community_channel,
    community_entries_by_checks,
)
from registry.files import parse_registry
from registry.models import CheckCountRow
from registry.store import RegistryStore
from verifier.core.check import check
from verifier.core.index import RegistryIndex

DAY = dt.date(2026, 12, 1)


def _channel(kind: str, value: str, **extra: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "value": value,
        "trust": "community",
        "source": SOURCE,
        "verified_on": "2025-06-01",
        **extra,
    }


#: Two community platforms and a community hotline of a verified one (ICBC).
COMMUNITY_PLATFORMS: list[dict[str, Any]] = [
    {
        "slug": "zeta-bank",
        "name": {"zh": "泽塔银行", "en": "Zeta Bank"},
        "trust": "community",
        "channels": [
            _channel("phone", "95399"),
            _channel("domain", "zeta-bank.cn"),
            _channel("phone", "95398", status="retired"),
        ],
    },
    {
        "slug": "alpha-bank",
        "name": {"zh": "阿尔法银行"},
        "trust": "community",
        "channels": [_channel("phone", "95397"), _channel("wechat", "alphabank")],
    },
]


def community_registry() -> dict[str, Any]:
    data = copy.deepcopy(SMALL_REGISTRY)
    data["platforms"] += copy.deepcopy(COMMUNITY_PLATFORMS)
    icbc = next(p for p in data["platforms"] if p["slug"] == "icbc")
    icbc["channels"].append(_channel("phone", "+864008200000"))
    return data


@pytest.fixture
def community_store(session: Session) -> RegistryStore:
    store = RegistryStore(session)
    store.import_data(parse_registry(community_registry()), replace=True)
    session.commit()
    return store


@pytest.fixture
def index() -> RegistryIndex:
    data = parse_registry(community_registry())
    return RegistryIndex.build(data.platforms, data.blocklist, version=1)


def _stored(session: Session) -> dict[tuple[str, str], tuple[int, dt.date]]:
    rows = session.scalars(select(CheckCountRow))
    return {(r.kind, r.value): (r.count, r.last_checked) for r in rows}


def test_counts_are_added_to_what_is_stored(session: Session) -> None:
    add_counts(session, {("phone", "95399"): 2, ("domain", "zeta-bank.cn"): 1}, DAY)
    session.commit()
    add_counts(session, {("phone", "95399"): 3}, DAY + dt.timedelta(days=1))
    session.commit()
    assert _stored(session) == {
        ("phone", "95399"): (5, DAY + dt.timedelta(days=1)),
        ("domain", "zeta-bank.cn"): (1, DAY),
    }


def test_an_older_day_flushed_late_does_not_move_the_last_check_back(session: Session) -> None:
    add_counts(session, {("phone", "95399"): 1}, DAY)
    add_counts(session, {("phone", "95399"): 1}, DAY - dt.timedelta(days=1))
    session.commit()
    assert _stored(session) == {("phone", "95399"): (2, DAY)}


def test_nothing_to_add_writes_nothing(session: Session) -> None:
    add_counts(session, {}, DAY)
    add_counts(session, {("phone", "95399"): 0}, DAY)
    assert _stored(session) == {}


def test_community_entries_are_listed_most_checked_first(
    session: Session, community_store: RegistryStore
) -> None:
    add_counts(session, {("phone", "95397"): 2, ("domain", "zeta-bank.cn"): 7}, DAY)
    session.commit()
    listed = [
        (e.platform_slug, e.kind, e.value, e.count, e.last_checked)
        for e in community_entries_by_checks(session, limit=100)
    ]
    assert listed == [
        ("zeta-bank", "domain", "zeta-bank.cn", 7, DAY),
        ("alpha-bank", "phone", "95397", 2, DAY),
        # Never checked: 0, then by platform slug, kind and value.
        ("alpha-bank", "wechat", "alphabank", 0, None),
        # A community hotline of a verified platform is a community entry too.
        ("icbc", "phone", "+864008200000", 0, None),
        ("zeta-bank", "phone", "95399", 0, None),
    ]
    # Verified channels (95588, icbc.com.cn, …) and retired ones (95398) are not listed.


def test_the_listing_pages_through_limit_and_offset(
    session: Session, community_store: RegistryStore
) -> None:
    everything = community_entries_by_checks(session, limit=100)
    pages = [community_entries_by_checks(session, limit=2, offset=o) for o in (0, 2, 4)]
    assert [e for page in pages for e in page] == everything
    assert [len(page) for page in pages] == [2, 2, 1]


def test_counts_of_verified_values_are_never_listed(
    session: Session, community_store: RegistryStore
) -> None:
    add_counts(session, {("phone", "95588"): 9}, DAY)
    session.commit()
    assert "95588" not in {e.value for e in community_entries_by_checks(session, limit=100)}


@pytest.mark.parametrize(
    ("value", "counted"),
    [
        # A community hotline: counted as itself.
        ("95399", ("phone", "95399")),
        # A link: the community domain it is on, not the URL that was typed.
        ("https://www.zeta-bank.cn/login?next=1", ("domain", "zeta-bank.cn")),
        # An address at a community domain: the domain.
        ("help@zeta-bank.cn", ("domain", "zeta-bank.cn")),
        # A handle (asked as one): the community WeChat account.
        ("handle:@AlphaBank", ("wechat", "alphabank")),
        # A community hotline of a verified platform, written as people do.
        ("400-820-0000", ("phone", "+864008200000")),
        # A retired community number: the entry it matched.
        ("95398", ("phone", "95398")),
        # Verified entries, unknown values and lookalikes are not counted.
        ("95588", None),
        ("https://icbc.com.cn/", None),
        ("13800138000", None),
        ("https://zeta-bank.cn.evil.top/", None),
        ("not a contact at all", None),
    ],
)
def test_a_verdict_counts_as_the_community_entry_it_stood_on(
    index: RegistryIndex, value: str, counted: tuple[str, str] | None
) -> None:
    kind, _, text = value.rpartition(":") if value.startswith("handle:") else ("auto", "", value)
    assert community_channel(check(text, index, kind=kind), index) == counted


def test_the_counter_writes_nothing_about_requests_only_entry_totals(
    session: Session, sessions: sessionmaker[Session], index: RegistryIndex
) -> None:
    counter = CheckCounter(flush_seconds=0)
    # One request naming the number twice is one check; a second request is another.
    counter.record(index, [check("95399", index), check("+86 95399", index)])
    counter.record(index, [check("95399", index), check("95588", index)])
    counter.flush(sessions)
    assert counter.pending() == {}
    assert {k: c for k, (c, _day) in _stored(session).items()} == {("phone", "95399"): 2}


def test_counts_wait_for_the_interval(
    sessions: sessionmaker[Session], index: RegistryIndex
) -> None:
    counter = CheckCounter(flush_seconds=3600)
    counter.record(index, [check("95399", index)])
    assert not counter.due()
    counter.flush(sessions)
    assert counter.pending() == {("phone", "95399"): 1}


def test_counts_survive_a_database_that_fails_and_the_failure_is_logged_once(
    session: Session,
    sessions: sessionmaker[Session],
    index: RegistryIndex,
    caplog: pytest.LogCaptureFixture,
) -> None:
    broken = create_engine("sqlite://")  # no tables: every write fails
    counter = CheckCounter(flush_seconds=0)
    with caplog.at_level(logging.WARNING, logger="registry.check_counts"):
        for _ in range(3):
            counter.record(index, [check("95399", index)])
            counter.flush(sessionmaker(broken))
        assert counter.pending() == {("phone", "95399"): 3}
        assert [r.levelname for r in caplog.records] == ["ERROR"]
        counter.flush(sessions)
    broken.dispose()
    assert [r.levelname for r in caplog.records] == ["ERROR", "WARNING"]
    assert counter.pending() == {}
    assert _stored(session)[("phone", "95399")][0] == 3
