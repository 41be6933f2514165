"""Reviewed domains, "not an impersonation": file format, store, index, messages and migration 0002.

A moderator who finds that a real, unrelated site was mistaken for a registered platform records
it under ``reviewed``; it is exported and imported like the rest of the registry.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from alembic import command
from click.testing import CliRunner
from databases import TestDatabases
from small_registry import SMALL_REGISTRY
from sqlalchemy import Engine, inspect, text
from sqlalchemy.orm import Session

from registry import db
from registry.db import make_engine, make_sessionmaker, upgrade
from registry.files import RegistryData, RegistryFileError, dump_registry, parse_registry
from registry.store import RegistryStore
from verifier.cli import main
from verifier.core.index import RegistryIndex, ReviewedDomain
from verifier.core.messages import render

#: Two reviews: one naming the platform the site was mistaken for, one naming none.
PINTEREST = {
    "value": "pinterest.com",
    "resembles": "pinduoduo",
    "note": "A picture-sharing site, unrelated to Pinduoduo",
    "source": "https://about.pinterest.com/",
    "reviewed_on": "2026-11-03",
}
DUOLINGO = {"value": "duolingo.com", "note": "A language course", "reviewed_on": "2026-11-04"}
SOURCE_URL = "https://example.org/review"


def _registry(*reviewed: dict[str, Any]) -> dict[str, Any]:
    """SMALL_REGISTRY (a deep copy) with ``reviewed`` as its reviewed list."""
    raw: dict[str, Any] = copy.deepcopy(SMALL_REGISTRY)
    raw["reviewed"] = [dict(entry) for entry in reviewed]
    return raw


def _reviewed(**fields: Any) -> ReviewedDomain:
    """The one review parsed from a registry holding DUOLINGO with ``fields`` changed."""
    return parse_registry(_registry({**DUOLINGO, **fields})).reviewed[0]


# --- parsing ----------------------------------------------------------------------------------


def test_a_full_entry_is_read() -> None:
    data = parse_registry(_registry(PINTEREST, DUOLINGO))
    assert data.reviewed == (
        ReviewedDomain(
            value="pinterest.com",
            note="A picture-sharing site, unrelated to Pinduoduo",
            reviewed_on="2026-11-03",
            resembles="pinduoduo",
            source="https://about.pinterest.com/",
        ),
        ReviewedDomain("duolingo.com", "A language course", "2026-11-04"),
    )
    # The rest of the registry is read as before.
    assert data.platforms == parse_registry(SMALL_REGISTRY).platforms


def test_resembles_and_source_are_optional_and_the_list_itself_too() -> None:
    review = _reviewed()
    assert (review.resembles, review.source) == (None, "")
    assert parse_registry(SMALL_REGISTRY).reviewed == ()
    assert parse_registry({"reviewed": None}) == RegistryData((), ())
    # Existing callers build RegistryData from two lists.
    assert RegistryData((), ()).reviewed == ()


def test_the_review_date_may_be_a_yaml_date_or_text() -> None:
    assert _reviewed(reviewed_on=dt.date(2026, 11, 4)) == _reviewed(reviewed_on="2026-11-04")


@pytest.mark.parametrize(
    ("written", "normalized"),
    [
        # Upper case and a trailing dot.
        ("WWW.Duolingo.COM.", "www.duolingo.com"),
        # An ideographic full stop.
        ("duolingo。com", "duolingo.com"),
        # A Unicode label becomes punycode, as a looked-up host is.
        ("拼多多.com", "xn--cssa207e.com"),
        # A site under a hosting suffix is a site of its own.
        ("Someone.GitHub.io", "someone.github.io"),
    ],
)
def test_values_are_normalised_like_domain_channels(written: str, normalized: str) -> None:
    assert _reviewed(value=written).value == normalized


def _change(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    raw = _registry(PINTEREST, DUOLINGO)
    change(raw)
    return raw


def _set(index: int, **fields: Any) -> Callable[[dict[str, Any]], object]:
    return lambda raw: raw["reviewed"][index].update(fields)


def _drop(index: int, key: str) -> Callable[[dict[str, Any]], object]:
    return lambda raw: raw["reviewed"][index].pop(key)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # The moderator's reason is what the verdict shows: required.
        (_drop(1, "note"), ["reviewed[1] (duolingo.com)", "note", "required"]),
        (_set(1, note="  "), ["reviewed[1] (duolingo.com)", "note", "required"]),
        # And the date of the review.
        (_drop(0, "reviewed_on"), ["reviewed[0] (pinterest.com)", "reviewed_on", "required"]),
        (_set(0, reviewed_on="2026-02-30"), ["reviewed[0] (pinterest.com)", "2026-02-30"]),
        # A note is one line of text, not a list or a mapping.
        (_set(1, note=["a", "b"]), ["reviewed[1] (duolingo.com)", "note", "text"]),
        # The platform it resembles must be in the file, like a block entry's impersonates.
        (_set(0, resembles="nobody"), ["reviewed[0] (pinterest.com)", "resembles", "nobody"]),
        # A value that is no host name.
        (_set(0, value="not a domain"), ["reviewed[0].value", "not a domain"]),
        (_drop(0, "value"), ["reviewed[0].value", "required"]),
        # A public suffix, private or not: the review would cover every site registered under it.
        (_set(0, value="github.io"), ["reviewed[0].value", "github.io", "suffix"]),
        (_set(0, value="COM.CN"), ["reviewed[0].value", "com.cn", "suffix"]),
        # An IP address is not a site name anyone could mistake for a brand.
        (_set(0, value="1.2.3.4"), ["reviewed[0].value", "1.2.3.4"]),
        # The same domain twice, written differently.
        (
            lambda raw: raw["reviewed"].append({**DUOLINGO, "value": "DUOLINGO.com."}),
            ["reviewed[2] (duolingo.com)", "duplicate"],
        ),
        # Reviewed as harmless and blocklisted as a scam in one file: a contradiction.
        (
            lambda raw: raw["reviewed"].append({**DUOLINGO, "value": "hk.alipayc05.cc"}),
            ["reviewed[2] (hk.alipayc05.cc)", "blocklist"],
        ),
        # Lists that are not lists, entries that are not mappings.
        (lambda raw: raw.update(reviewed={"value": "x.com"}), ["reviewed", "must be a list"]),
        (lambda raw: raw["reviewed"].append("duolingo.com"), ["reviewed[2]", "mapping"]),
    ],
)
def test_errors_name_the_entry_and_field(
    change: Callable[[dict[str, Any]], object], expected: list[str]
) -> None:
    with pytest.raises(RegistryFileError) as caught:
        parse_registry(_change(change))
    for fragment in expected:
        assert fragment in str(caught.value)


# --- dumping ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "load"),
    [
        # YAML, as written by hand.
        ("yaml", yaml.safe_load),
        # JSON, for programs.
        ("json", json.loads),
    ],
)
def test_dump_parse_dump_is_identical(fmt: str, load: Callable[[str], Any]) -> None:
    data = parse_registry(_registry(PINTEREST, DUOLINGO))
    first = dump_registry(data, fmt)
    mapping = load(first)
    # After the blocklist, by value; a missing resembles and source are written out empty.
    assert list(mapping) == ["platforms", "blocklist", "reviewed"]
    assert [r["value"] for r in mapping["reviewed"]] == ["duolingo.com", "pinterest.com"]
    assert mapping["reviewed"][0] == {**DUOLINGO, "resembles": None, "source": ""}
    again = parse_registry(mapping)
    assert set(again.reviewed) == set(data.reviewed)
    assert dump_registry(again, fmt) == first


def test_the_order_reviews_arrive_in_does_not_change_a_dump() -> None:
    data = parse_registry(_registry(PINTEREST, DUOLINGO))
    shuffled = parse_registry(_registry(DUOLINGO, PINTEREST))
    for fmt in ("yaml", "json", "csv"):
        assert dump_registry(shuffled, fmt) == dump_registry(data, fmt)


def test_a_registry_without_reviews_dumps_an_empty_list() -> None:
    assert yaml.safe_load(dump_registry(parse_registry(SMALL_REGISTRY)))["reviewed"] == []


def test_csv_has_one_row_per_reviewed_domain() -> None:
    rows = list(
        csv.DictReader(
            io.StringIO(dump_registry(parse_registry(_registry(PINTEREST, DUOLINGO)), "csv"))
        )
    )
    reviewed = [r for r in rows if r["record"] == "reviewed"]
    assert [r["value"] for r in reviewed] == ["duolingo.com", "pinterest.com"]
    # Reviews come last; channels and block entries keep their rows.
    assert [r["record"] for r in rows[-2:]] == ["reviewed", "reviewed"]
    assert len(rows) == 10 + 2 + 2
    pinterest = reviewed[1]
    assert {k: v for k, v in pinterest.items() if v} == {"record": "reviewed", **PINTEREST}
    # A review naming no platform leaves the column empty, as a block entry's impersonates.
    assert reviewed[0]["resembles"] == ""


# --- the index --------------------------------------------------------------------------------


@pytest.fixture
def index() -> RegistryIndex:
    data = parse_registry(_registry(PINTEREST, DUOLINGO, {**DUOLINGO, "value": "a.b.example.com"}))
    return RegistryIndex.build(data.platforms, data.blocklist, version=3, reviewed=data.reviewed)


@pytest.mark.parametrize(
    ("host", "value"),
    [
        # The reviewed domain itself.
        ("duolingo.com", "duolingo.com"),
        # Any host below it belongs to the same owner.
        ("www.duolingo.com", "duolingo.com"),
        ("a.b.c.duolingo.com", "duolingo.com"),
        ("pinterest.com", "pinterest.com"),
        # A reviewed host covers the hosts below it ...
        ("a.b.example.com", "a.b.example.com"),
        ("x.a.b.example.com", "a.b.example.com"),
        # ... but not its parents or siblings, which may have other owners.
        ("b.example.com", None),
        ("example.com", None),
        ("c.b.example.com", None),
        # The reviewed name inside another domain is that other domain: the trick it is.
        ("duolingo.com.refund-center.top", None),
        ("duolingo.com-refund.cn", None),
        # Sharing a suffix of the name is not being below it.
        ("myduolingo.com", None),
        # A different suffix is a different site.
        ("duolingo.net", None),
        # Nothing matches the empty host or a bare suffix.
        ("", None),
        ("com", None),
    ],
)
def test_reviewed_matches_the_host_and_the_domains_above_it(
    index: RegistryIndex, host: str, value: str | None
) -> None:
    found = index.reviewed(host)
    assert (found.value if found else None) == value


def test_the_index_keeps_the_reviews_by_value(index: RegistryIndex) -> None:
    assert [r.value for r in index.reviewed_domains] == [
        "a.b.example.com",
        "duolingo.com",
        "pinterest.com",
    ]
    review = index.reviewed("www.pinterest.com")
    assert review is not None and review.resembles == "pinduoduo"
    platform = index.platform(review.resembles)
    assert platform is not None and platform.name("en") == "Pinduoduo"


def test_indexes_built_without_reviews_have_none(small_index: RegistryIndex) -> None:
    # Positional platforms and blocklist, as every existing caller builds them.
    assert small_index.reviewed_domains == ()
    assert small_index.reviewed("duolingo.com") is None


# --- the reason messages ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "lang", "expected"),
    [
        (
            "reviewed_not_impersonation",
            "en",
            "Our moderators reviewed www.pinterest.com: it is not an impersonation of Pinduoduo "
            "(2026-11-03: A picture-sharing site, unrelated to Pinduoduo).",
        ),
        (
            "reviewed_not_impersonation",
            "zh",
            "我们的审核员核查过 www.pinterest.com：它不是冒充拼多多的网站"
            "（2026-11-03，A picture-sharing site, unrelated to Pinduoduo）。",
        ),
        # When the review names no platform, a second code keeps the sentence whole.
        (
            "reviewed_not_impersonation_of_any",
            "en",
            "Our moderators reviewed www.pinterest.com: it is not an impersonation of any "
            "registered platform (2026-11-03: A picture-sharing site, unrelated to Pinduoduo).",
        ),
        (
            "reviewed_not_impersonation_of_any",
            "zh",
            "我们的审核员核查过 www.pinterest.com：它不是冒充任何登记平台的网站"
            "（2026-11-03，A picture-sharing site, unrelated to Pinduoduo）。",
        ),
    ],
)
def test_reason_messages(code: str, lang: str, expected: str) -> None:
    review = parse_registry(_registry(PINTEREST)).reviewed[0]
    platform = "Pinduoduo" if lang == "en" else "拼多多"
    rendered = render(
        code,
        lang,
        host="www.pinterest.com",
        platform=platform,
        reviewed_on=review.reviewed_on,
        note=review.note,
    )
    assert rendered == expected


# --- the store --------------------------------------------------------------------------------


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with make_sessionmaker(engine)() as session:
        yield session


@pytest.fixture
def store(session: Session) -> RegistryStore:
    """A store holding the small registry and both reviews, committed (registry version 1)."""
    store = RegistryStore(session)
    store.import_data(parse_registry(_registry(PINTEREST, DUOLINGO)), replace=True)
    session.commit()
    return store


def test_import_gives_back_the_same_reviews(store: RegistryStore) -> None:
    expected = parse_registry(_registry(PINTEREST, DUOLINGO)).reviewed
    assert store.reviewed_domains() == sorted(expected, key=lambda r: r.value)
    assert store.data().reviewed == tuple(store.reviewed_domains())


def test_import_counts_and_stats(session: Session) -> None:
    store = RegistryStore(session)
    counts = store.import_data(parse_registry(_registry(PINTEREST, DUOLINGO)), replace=True)
    assert counts == {"platforms": 5, "channels": 10, "blocklist": 2, "reviewed": 2}
    assert store.stats()["reviewed"] == 2


def test_a_registry_holding_only_reviews_is_not_empty(session: Session) -> None:
    store = RegistryStore(session)
    assert store.is_empty()
    store.import_data(RegistryData((), (), (ReviewedDomain("duolingo.com", "ok", "2026-11-04"),)))
    assert not store.is_empty()


def test_merge_upserts_by_value_and_keeps_the_rest(store: RegistryStore) -> None:
    changed = ReviewedDomain("duolingo.com", "Checked again", "2026-11-09", "icbc", SOURCE_URL)
    added = ReviewedDomain("alibaba.com", "Alibaba's trading site", "2026-11-09")
    store.import_data(RegistryData((), (), (changed, added)))
    assert store.reviewed_domains() == [
        added,
        changed,
        parse_registry(_registry(PINTEREST)).reviewed[0],
    ]
    # The platforms and block entries are untouched by a file holding only reviews.
    assert store.stats()["platforms"] == 5 and store.stats()["blocklist"] == 2
    assert store.version() == 2


def test_replace_removes_reviews_not_in_the_file(store: RegistryStore) -> None:
    store.import_data(parse_registry(_registry(DUOLINGO)), replace=True)
    assert [r.value for r in store.reviewed_domains()] == ["duolingo.com"]
    store.import_data(parse_registry(SMALL_REGISTRY), replace=True)
    assert store.reviewed_domains() == []
    assert store.stats()["reviewed"] == 0


def test_build_index_finds_a_reviewed_domain_from_its_subdomain(store: RegistryStore) -> None:
    review = store.build_index().reviewed("www.duolingo.com")
    assert review == ReviewedDomain("duolingo.com", "A language course", "2026-11-04")
    assert store.build_index().version == 1


# --- the migration ----------------------------------------------------------------------------


def test_migration_0002_adds_and_removes_only_the_reviewed_table(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0001")
        assert not inspect(engine).has_table("reviewed_domain")
        with make_sessionmaker(engine)() as session:
            # Rows written under 0001 (no reviews: that table does not exist yet).
            session.execute(text("UPDATE registry_meta SET version = 5"))
            session.commit()

        upgrade(engine, "0002")
        assert inspect(engine).has_table("reviewed_domain")
        unique = inspect(engine).get_unique_constraints("reviewed_domain")
        assert [(u["name"], u["column_names"]) for u in unique] == [
            ("uq_reviewed_domain_value", ["value"])
        ]
        upgrade(engine)  # the models are the head schema's
        with make_sessionmaker(engine)() as session:
            store = RegistryStore(session)
            assert store.version() == 5
            store.import_data(parse_registry(_registry(DUOLINGO)), replace=True)
            session.commit()

        # registry.db offers upgrade() only; downgrades use the same Alembic configuration.
        command.downgrade(db._alembic_config(engine), "0001")
        assert not inspect(engine).has_table("reviewed_domain")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).all() == [
                ("0001",)
            ]
            # The rest of the registry survives the downgrade.
            assert connection.execute(text("SELECT count(*) FROM platform")).scalar() == 5

        upgrade(engine)
        with make_sessionmaker(engine)() as session:
            assert RegistryStore(session).reviewed_domains() == []
    finally:
        engine.dispose()


# --- export, import --replace, export -------------------------------------------------------


def test_export_import_export_round_trip_with_reviews(
    runner: CliRunner,
    databases: TestDatabases,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """CONTRACT.md: export then import --replace into an empty database gives the same registry."""
    source = tmp_path / "reviewed.yaml"
    source.write_text(
        yaml.safe_dump(_registry(PINTEREST, DUOLINGO), allow_unicode=True), encoding="utf-8"
    )

    def invoke(*args: str) -> str:
        result = runner.invoke(main, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        return result.stdout

    invoke("registry", "import", "--replace", str(source))
    assert "reviewed: 2" in invoke("registry", "stats").splitlines()
    first = invoke("registry", "export")
    exported = tmp_path / "exported.yaml"
    exported.write_text(first, encoding="utf-8")

    monkeypatch.setenv("VERIFIER_DATABASE_URL", databases.new(tmp_path / "second.sqlite3"))
    invoke("registry", "import", "--replace", str(exported))
    second = invoke("registry", "export")

    assert second == first
    assert [r["value"] for r in yaml.safe_load(second)["reviewed"]] == [
        "duolingo.com",
        "pinterest.com",
    ]
