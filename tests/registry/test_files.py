"""The registry file format (registry/files.py): validation, normalisation, deterministic dumps."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from small_registry import SMALL_REGISTRY

from registry.files import (
    RegistryData,
    RegistryFileError,
    dump_registry,
    load_registry_file,
    parse_registry,
)

SOURCE = "https://example.org/source"


def _registry(**platform: Any) -> dict[str, Any]:
    """A one-platform registry file with one phone channel; keyword arguments override."""
    entry: dict[str, Any] = {
        "slug": "example",
        "name": {"zh": "示例", "en": "Example"},
        "channels": [
            {"kind": "phone", "value": "95588", "source": SOURCE, "verified_on": "2026-11-01"}
        ],
    }
    entry.update(platform)
    return {"platforms": [entry], "blocklist": []}


def _channel(**fields: Any) -> dict[str, Any]:
    return _registry(channels=[{"source": SOURCE, "verified_on": "2026-11-01", **fields}])


def _small(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    """SMALL_REGISTRY with ``change`` applied to a deep copy."""
    data = copy.deepcopy(SMALL_REGISTRY)
    change(data)
    return data


# --- parsing valid files ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "written", "normalized"),
    [
        # A 400 number written with spaces becomes E.164.
        ("phone", "+86 400 820 8820", "+864008208820"),
        # Dashes, no country code.
        ("phone", "400-820-8820", "+864008208820"),
        # A short number stays bare digits, even written with the country code.
        ("phone", "+86 95588", "95588"),
        # Full-width digits.
        ("phone", "９５５８８", "95588"),
        # Upper case and a trailing dot.
        ("domain", "WWW.Example.COM.", "www.example.com"),
        # An ideographic full stop and a Unicode label.
        ("domain", "中国。cn", "xn--fiqs8s.cn"),
        # Addresses are lower-cased.
        ("email", "Service@ICBC.com.cn", "service@icbc.com.cn"),
        # Accounts lose "@" and case.
        ("wechat", "@ICBC_WX", "icbc_wx"),
        ("weibo", "ICBC", "icbc"),
        # App package names are kept as written.
        ("app", " cn.gov.pbc.dcep ", "cn.gov.pbc.dcep"),
    ],
)
def test_channel_values_are_normalised(kind: str, written: str, normalized: str) -> None:
    data = parse_registry(_channel(kind=kind, value=written))
    assert data.platforms[0].channels[0].value == normalized


def test_a_full_platform_is_read() -> None:
    data = parse_registry(SMALL_REGISTRY)
    assert [p.slug for p in data.platforms] == [
        "icbc",
        "wechat-pay",
        "china-post",
        "anti-fraud",
        "pinduoduo",
    ]
    icbc = data.platforms[0]
    assert (icbc.name_zh, icbc.name_en, icbc.aliases) == ("中国工商银行", "ICBC", ("工行", "ICBC"))
    assert (icbc.category, icbc.country, icbc.phone_support) == ("bank", "CN", "listed")
    hotline, old, website, email = icbc.channels
    assert (hotline.kind, hotline.value, hotline.label_zh, hotline.label_en) == (
        "phone",
        "95588",
        "客服热线",
        "Hotline",
    )
    assert (hotline.status, hotline.source, hotline.verified_on) == (
        "active",
        SOURCE,
        "2026-11-01",
    )
    assert (old.value, old.status) == ("+864000001234", "retired")
    # Domains default to subdomain scope; exact scope is kept.
    assert website.scope == "subdomains"
    assert data.platforms[1].channels[1].scope == "exact"
    assert email.value == "service@icbc.com.cn"
    blocked = data.blocklist[1]
    assert (blocked.kind, blocked.value, blocked.impersonates) == (
        "phone",
        "+864009998888",
        "pinduoduo",
    )
    assert blocked.added_on == "2026-11-02"


def test_defaults() -> None:
    data = parse_registry(_registry())
    platform = data.platforms[0]
    assert (platform.country, platform.phone_support, platform.aliases) == ("CN", "unknown", ())
    assert platform.channels[0].status == "active"
    # Both lists are optional.
    assert parse_registry({}) == RegistryData((), ())


def test_dates_may_be_yaml_dates_or_text() -> None:
    as_date = parse_registry(
        _channel(kind="phone", value="95588", verified_on=dt.date(2026, 11, 1))
    )
    as_text = parse_registry(_channel(kind="phone", value="95588", verified_on="2026-11-01"))
    assert as_date == as_text


def test_numbers_without_country_code_use_the_platforms_country() -> None:
    raw = _channel(kind="phone", value="(650) 253-0000")
    raw["platforms"][0]["country"] = "us"
    data = parse_registry(raw)
    assert data.platforms[0].country == "US"
    assert data.platforms[0].channels[0].value == "+16502530000"


# --- errors name the entry and the field ------------------------------------------------------


def _drop(key: str) -> Callable[[dict[str, Any]], object]:
    return lambda d: d["platforms"][0]["channels"][0].pop(key)


def _set_channel(**fields: Any) -> Callable[[dict[str, Any]], object]:
    return lambda d: d["platforms"][0]["channels"][0].update(fields)


def _set_platform(index: int, **fields: Any) -> Callable[[dict[str, Any]], object]:
    return lambda d: d["platforms"][index].update(fields)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # Every channel needs its source.
        (_drop("source"), ["platforms[0] (icbc)", "channels[0]", "source", "required"]),
        # And its verification date.
        (_drop("verified_on"), ["platforms[0] (icbc)", "channels[0]", "verified_on", "required"]),
        # A kind the format does not have.
        (_set_channel(kind="fax"), ["platforms[0] (icbc)", "channels[0]", "kind", "fax"]),
        # A date that does not exist, and one that is no date.
        (
            _set_channel(verified_on="2026-13-01"),
            ["platforms[0] (icbc)", "verified_on", "2026-13-01"],
        ),
        (
            _set_channel(verified_on="yesterday"),
            ["platforms[0] (icbc)", "verified_on", "yesterday"],
        ),
        # A value that is no phone number.
        (_set_channel(value="hello"), ["platforms[0] (icbc)", "channels[0].value", "hello"]),
        # A status the format does not have.
        (_set_channel(status="gone"), ["platforms[0] (icbc)", "status", "gone"]),
        # Only domains have a scope.
        (_set_channel(scope="exact"), ["platforms[0] (icbc)", "scope"]),
        # A slug with upper case, or with a space.
        (_set_platform(0, slug="ICBC"), ["platforms[0]", "slug", "ICBC"]),
        (_set_platform(0, slug="ic bc"), ["platforms[0]", "slug", "ic bc"]),
        # A slug used twice.
        (_set_platform(1, slug="icbc"), ["platforms[1] (icbc)", "slug", "duplicate"]),
        # A phone_support value the format does not have.
        (_set_platform(0, phone_support="maybe"), ["platforms[0] (icbc)", "phone_support"]),
        # A country that is no ISO code.
        (_set_platform(0, country="CHN"), ["platforms[0] (icbc)", "country"]),
        # A channel listed twice, written differently.
        (
            lambda d: d["platforms"][0]["channels"].append(
                dict(d["platforms"][0]["channels"][0], value="+86 95588")
            ),
            ["platforms[0] (icbc)", "channels[4]", "duplicate", "95588"],
        ),
        # A domain that is no host name.
        (
            lambda d: d["platforms"][0]["channels"][2].update(value="not a domain"),
            ["platforms[0] (icbc)", "channels[2].value", "not a domain"],
        ),
        # A block entry impersonating a platform that does not exist.
        (
            lambda d: d["blocklist"][0].update(impersonates="nobody"),
            ["blocklist[0]", "hk.alipayc05.cc", "impersonates", "nobody"],
        ),
        # A source is the web page the channel was verified on: pages show it as a link, so a
        # script address or plain words are refused.
        (
            _set_channel(source="javascript:alert(1)"),
            ["platforms[0] (icbc)", "channels[0].source", "http(s)"],
        ),
        (_set_channel(source="the bank told me"), ["channels[0].source", "http(s)"]),
        # Evidence may be words or a link, never a link that runs code.
        (
            lambda d: d["blocklist"][0].update(evidence="javascript:alert(1)"),
            ["blocklist[0]", "evidence", "javascript:"],
        ),
        # A block entry without evidence.
        (lambda d: d["blocklist"][0].pop("evidence"), ["blocklist[0]", "evidence", "required"]),
        # A block entry of a kind the blocklist does not have.
        (lambda d: d["blocklist"][0].update(kind="email"), ["blocklist[0]", "kind", "email"]),
        # A block entry listed twice.
        (
            lambda d: d["blocklist"].append(dict(d["blocklist"][0])),
            ["blocklist[2]", "hk.alipayc05.cc", "duplicate"],
        ),
        # An unknown top-level key (a typo would silently drop data otherwise).
        (lambda d: d.update(platfroms=[]), ["unknown top-level key", "platfroms"]),
        # Lists that are not lists, entries that are not mappings.
        (lambda d: d.update(platforms={"slug": "x"}), ["platforms", "must be a list"]),
        (lambda d: d["platforms"].append("x"), ["platforms[5]", "mapping"]),
    ],
)
def test_errors_name_the_entry_and_field(
    change: Callable[[dict[str, Any]], object], expected: list[str]
) -> None:
    with pytest.raises(RegistryFileError) as caught:
        parse_registry(_small(change))
    for fragment in expected:
        assert fragment in str(caught.value)


def test_evidence_may_be_words() -> None:
    data = _small(lambda d: d["blocklist"][0].update(evidence="3 public reports, report #12"))
    assert parse_registry(data).blocklist[0].evidence == "3 public reports, report #12"


@pytest.mark.parametrize("raw", [[], "platforms", None, 3, [{"slug": "x"}]])
def test_the_top_level_must_be_a_mapping(raw: object) -> None:
    with pytest.raises(RegistryFileError, match="mapping"):
        parse_registry(raw)


def test_load_registry_file_reads_yaml_and_json(registry_file: Path, tmp_path: Path) -> None:
    as_json = tmp_path / "small.json"
    as_json.write_text(json.dumps(SMALL_REGISTRY, ensure_ascii=False), encoding="utf-8")
    assert load_registry_file(registry_file) == load_registry_file(as_json)
    assert load_registry_file(registry_file) == parse_registry(SMALL_REGISTRY)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        # Broken YAML.
        ("bad.yaml", "platforms: [", "not valid"),
        # Broken JSON.
        ("bad.json", "{", "not valid json"),
        # Not UTF-8.
        ("bad.yaml", b"\xff\xfe\x00", "cannot read"),
        # Valid YAML, wrong shape.
        ("list.yaml", "- a\n- b\n", "mapping"),
    ],
)
def test_unreadable_files_raise_registry_file_errors(
    tmp_path: Path, name: str, content: str | bytes, expected: str
) -> None:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(RegistryFileError, match=expected):
        load_registry_file(path)


def test_a_missing_file_raises_a_registry_file_error(tmp_path: Path) -> None:
    with pytest.raises(RegistryFileError, match="cannot read"):
        load_registry_file(tmp_path / "missing.yaml")


# --- dumping ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["yaml", "json", "csv"])
def test_dumps_are_deterministic(fmt: str) -> None:
    data = parse_registry(SMALL_REGISTRY)
    shuffled = RegistryData(tuple(reversed(data.platforms)), tuple(reversed(data.blocklist)))
    assert dump_registry(data, fmt) == dump_registry(data, fmt)
    # The order entries arrive in does not matter: platforms by slug, block entries by value.
    assert dump_registry(shuffled, fmt) == dump_registry(data, fmt)


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
    first = dump_registry(parse_registry(SMALL_REGISTRY), fmt)
    again = parse_registry(load(first))
    assert again == RegistryData(
        tuple(sorted(parse_registry(SMALL_REGISTRY).platforms, key=lambda p: p.slug)),
        tuple(sorted(parse_registry(SMALL_REGISTRY).blocklist, key=lambda b: (b.kind, b.value))),
    )
    assert dump_registry(again, fmt) == first


def test_yaml_dump_keeps_chinese_readable_and_values_as_text() -> None:
    text = dump_registry(parse_registry(SMALL_REGISTRY), "yaml")
    assert "中国工商银行" in text
    raw = yaml.safe_load(text)
    # Numbers and dates must come back as text, not as an int or a date.
    assert raw["platforms"][0]["channels"][0]["value"] == "96110"
    assert raw["platforms"][0]["channels"][0]["verified_on"] == "2026-11-01"


def test_csv_has_a_header_and_one_row_per_channel_and_block_entry() -> None:
    data = parse_registry(SMALL_REGISTRY)
    rows = list(csv.DictReader(io.StringIO(dump_registry(data, "csv"))))
    channels = [r for r in rows if r["record"] == "channel"]
    blocked = [r for r in rows if r["record"] == "blocklist"]
    assert len(channels) == sum(len(p.channels) for p in data.platforms) == 10
    assert len(blocked) == len(data.blocklist) == 2
    assert len(rows) == 12
    hotline = next(r for r in channels if r["value"] == "95588")
    assert (hotline["platform"], hotline["kind"], hotline["label_zh"], hotline["label_en"]) == (
        "icbc",
        "phone",
        "客服热线",
        "Hotline",
    )
    assert hotline["verified_on"] == "2026-11-01" and hotline["source"] == SOURCE
    exact = next(r for r in channels if r["value"] == "pay.weixin.qq.com")
    assert exact["scope"] == "exact"
    scam = next(r for r in blocked if r["kind"] == "phone")
    assert (scam["value"], scam["impersonates"], scam["added_on"]) == (
        "+864009998888",
        "pinduoduo",
        "2026-11-02",
    )
    header = dump_registry(data, "csv").splitlines()[0].split(",")
    assert header[:4] == ["record", "platform", "kind", "value"]


def test_unknown_dump_format_is_refused() -> None:
    with pytest.raises(ValueError, match="xml"):
        dump_registry(parse_registry(SMALL_REGISTRY), "xml")


# --- trust tiers ------------------------------------------------------------------------------


def _community(**platform: Any) -> dict[str, Any]:
    """A community platform whose one phone channel comes from a community data set."""
    return _registry(
        trust="community",
        channels=[
            {
                "kind": "phone",
                "value": "95588",
                "source": "https://example.org/dataset.csv",
                "verified_on": "2026-10-01",
                "trust": "community",
            }
        ],
        **platform,
    )


def test_trust_defaults_to_verified() -> None:
    platform = parse_registry(_registry()).platforms[0]
    assert platform.trust == "verified" and platform.channels[0].trust == "verified"


def test_community_entries_are_read() -> None:
    platform = parse_registry(_community()).platforms[0]
    assert platform.trust == "community"
    channel = platform.channels[0]
    # The data set's address is the source and its date the verification date.
    assert (channel.trust, channel.source, channel.verified_on) == (
        "community",
        "https://example.org/dataset.csv",
        "2026-10-01",
    )
    # A verified platform may list community channels beside its verified ones.
    mixed = parse_registry(_channel(kind="phone", value="95588", trust="community"))
    assert mixed.platforms[0].trust == "verified"
    assert mixed.platforms[0].channels[0].trust == "community"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # A tier the format does not have.
        (_set_channel(trust="official"), ["platforms[0] (icbc)", "channels[0].trust", "official"]),
        (_set_platform(0, trust="trusted"), ["platforms[0] (icbc).trust", "trusted"]),
        # A community channel still needs the data set's address and date.
        (
            lambda d: (
                d["platforms"][0]["channels"][0].update(trust="community"),
                d["platforms"][0]["channels"][0].pop("source"),
            ),
            ["platforms[0] (icbc)", "channels[0].source", "required"],
        ),
        (
            lambda d: (
                d["platforms"][0]["channels"][0].update(trust="community"),
                d["platforms"][0]["channels"][0].pop("verified_on"),
            ),
            ["platforms[0] (icbc)", "channels[0].verified_on", "required"],
        ),
        # A platform only a community data set knows has no moderator-reviewed channel.
        (_set_platform(0, trust="community"), ["platforms[0] (icbc).trust", "verified", "95588"]),
    ],
)
def test_trust_errors_name_the_entry_and_field(
    change: Callable[[dict[str, Any]], object], expected: list[str]
) -> None:
    with pytest.raises(RegistryFileError) as caught:
        parse_registry(_small(change))
    for fragment in expected:
        assert fragment in str(caught.value)


def test_export_writes_trust_only_for_community_entries() -> None:
    verified = dump_registry(parse_registry(SMALL_REGISTRY), "yaml")
    assert "trust" not in verified
    assert "trust" not in dump_registry(parse_registry(SMALL_REGISTRY), "json")
    # The CSV of a registry without community entries keeps its columns.
    assert "trust" not in dump_registry(parse_registry(SMALL_REGISTRY), "csv").splitlines()[0]
    raw = yaml.safe_load(dump_registry(parse_registry(_community()), "yaml"))
    platform = raw["platforms"][0]
    assert platform["trust"] == "community" and platform["channels"][0]["trust"] == "community"


@pytest.mark.parametrize(("fmt", "load"), [("yaml", yaml.safe_load), ("json", json.loads)])
def test_community_entries_round_trip(fmt: str, load: Callable[[str], Any]) -> None:
    raw = _small(lambda d: d["platforms"].append(_community(slug="dataset-bank")["platforms"][0]))
    raw["platforms"][0]["channels"][1]["trust"] = "community"
    data = parse_registry(raw)
    first = dump_registry(data, fmt)
    again = parse_registry(load(first))
    assert {p.slug: p for p in again.platforms} == {p.slug: p for p in data.platforms}
    assert dump_registry(again, fmt) == first


def test_csv_has_a_trust_column_when_a_channel_is_a_community_entry() -> None:
    raw = _small(lambda d: d["platforms"][0]["channels"][1].update(trust="community"))
    rows = list(csv.DictReader(io.StringIO(dump_registry(parse_registry(raw), "csv"))))
    trusts = {r["value"]: r["trust"] for r in rows if r["record"] == "channel"}
    assert trusts["+864000001234"] == "community" and trusts["95588"] == "verified"
    assert {r["trust"] for r in rows if r["record"] != "channel"} == {""}
