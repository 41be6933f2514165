"""The bundled registry (registry/data/registry.yaml): valid, sourced, and holding what it must.

The only tests that read the shipped data; logic tests use the small registry of conftest.py.
The expectations come from registry/data/README.md (inclusion rule and exclusion table).
"""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources

import pytest
import yaml

from registry.db import BUNDLED_REGISTRY
from registry.files import RegistryData, dump_registry, load_registry_file, parse_registry
from verifier.core.check import check
from verifier.core.index import Platform, RegistryIndex

REQUIRED_SLUGS = [
    "icbc",
    "ccb",
    "abc",
    "boc",
    "bocom",
    "cmb",
    "spdb",
    "cmbc",
    "citic",
    "ceb",
    "hxb",
    "cib",
    "cgb",
    "pingan",
    "psbc",
    "unionpay",
    "china-mobile",
    "china-unicom",
    "china-telecom",
    "china-broadnet",
    "alipay",
    "wechat-pay",
    "pinduoduo",
    "jd",
    "taobao",
    "tmall",
    "meituan",
    "didi",
    "ctrip",
    "12306",
    "sf-express",
    "china-post",
    "ecny",
    "mugua",
    "yaojing",
]

#: Numbers the research rates low (or contradicted), with the platform they were claimed for.
LEFT_OUT_NUMBERS = [
    # One source, no corroboration.
    ("pinduoduo", "+864008822528"),
    # One community source.
    ("taobao", "9510211"),
    ("meituan", "10107888"),
    ("didi", "95066"),
    ("ctrip", "95010"),
    # Low-medium: one community source.
    ("china-broadnet", "10099"),
    # An SEO page only, contradicted by every other source.
    ("alipay", "95055"),
]


@pytest.fixture(scope="module")
def bundled() -> RegistryData:
    with resources.as_file(BUNDLED_REGISTRY) as path:
        return load_registry_file(path)


@pytest.fixture(scope="module")
def index(bundled: RegistryData) -> RegistryIndex:
    return RegistryIndex.build(bundled.platforms, bundled.blocklist, version=1)


def _platform(bundled: RegistryData, slug: str) -> Platform:
    return next(p for p in bundled.platforms if p.slug == slug)


def test_it_validates(bundled: RegistryData) -> None:
    assert bundled.platforms and bundled.blocklist


def test_the_required_platforms_exist(bundled: RegistryData) -> None:
    slugs = {p.slug for p in bundled.platforms}
    assert [s for s in REQUIRED_SLUGS if s not in slugs] == []


def test_slugs_are_lower_case_letters_digits_and_dashes(bundled: RegistryData) -> None:
    assert [p.slug for p in bundled.platforms if not re.fullmatch(r"[a-z0-9-]+", p.slug)] == []


def test_every_channel_is_sourced_and_dated(bundled: RegistryData) -> None:
    for platform in bundled.platforms:
        for channel in platform.channels:
            where = f"{platform.slug} {channel.kind} {channel.value}"
            assert channel.source.startswith(("http://", "https://")), where
            assert dt.date.fromisoformat(channel.verified_on), where
    for entry in bundled.blocklist:
        assert entry.evidence.startswith(("http://", "https://")), entry.value
        assert dt.date.fromisoformat(entry.added_on), entry.value


def test_no_source_is_a_research_key(bundled: RegistryData) -> None:
    # The research's [LM] and [code#…] keys were corroboration only; they are never a source.
    sources = [c.source for p in bundled.platforms for c in p.channels]
    sources += [b.evidence for b in bundled.blocklist]
    assert [s for s in sources if "[LM]" in s or "[code#" in s] == []


def test_icbc_hotline_and_website_are_official(index: RegistryIndex) -> None:
    for value in ("95588", "https://www.icbc.com.cn/x"):
        result = check(value, index)
        assert result.verdict == "official", value
        assert result.platform is not None and result.platform.slug == "icbc", value


def test_wechat_pay_does_not_make_all_of_qq_com_official(index: RegistryIndex) -> None:
    assert check("https://pay.weixin.qq.com/", index).verdict == "official"
    assert check("https://www.qq.com/", index).verdict == "unverified"


def test_blocklisted_hosts_are_known_scams(index: RegistryIndex) -> None:
    result = check("https://hk.alipayc05.cc/login", index)
    assert result.verdict == "known_scam"
    assert result.impersonates is not None and result.impersonates.slug == "alipay"


@pytest.mark.parametrize(("slug", "number"), LEFT_OUT_NUMBERS)
def test_low_confidence_numbers_are_absent(
    bundled: RegistryData, index: RegistryIndex, slug: str, number: str
) -> None:
    listed = {c.value for p in bundled.platforms for c in p.channels if c.kind == "phone"}
    assert number not in listed
    # Presented as the platform's, the number is never confirmed: suspicious where the platform's
    # phone support is unknown, a fake where it lists other numbers. (9510211 has seven digits,
    # which no short-number family allows, so it is judged not a valid number at all.)
    result = check(number, index, claimed=slug)
    assert result.verdict in ("suspicious", "lookalike", "invalid")
    if result.verdict != "invalid":
        assert result.normalized not in listed
        assert result.impersonates is not None and result.impersonates.slug == slug
        assert result.impersonates is not None and result.impersonates.slug == slug


@pytest.mark.parametrize(
    "slug", sorted({slug for slug, _ in LEFT_OUT_NUMBERS} - {"alipay"} | {"tmall", "ecny"})
)
def test_platforms_without_a_sourced_number_have_unknown_phone_support(
    bundled: RegistryData, index: RegistryIndex, slug: str
) -> None:
    platform = _platform(bundled, slug)
    assert platform.phone_support == "unknown"
    assert [c for c in platform.channels if c.kind == "phone"] == []
    codes = [r.code for r in check("+86 400 123 4567", index, claimed=slug).reasons]
    assert "platform_phone_unknown" in codes


def test_alipay_keeps_its_sourced_hotline(bundled: RegistryData) -> None:
    # Only the bogus 95055 was left out; 95188 is sourced, so Alipay's numbers are listed.
    alipay = _platform(bundled, "alipay")
    assert alipay.phone_support == "listed"
    assert "95188" in {c.value for c in alipay.channels if c.kind == "phone"}


def test_phone_support_is_listed_exactly_when_a_number_is(bundled: RegistryData) -> None:
    # The inclusion rule: "listed" with at least one phone channel, else "unknown"; never "none",
    # since no source says a platform has no phone support.
    for platform in bundled.platforms:
        has_phone = any(c.kind == "phone" for c in platform.channels)
        assert platform.phone_support == ("listed" if has_phone else "unknown"), platform.slug


def test_ecny_has_its_app_and_no_phone(bundled: RegistryData) -> None:
    ecny = _platform(bundled, "ecny")
    assert ("app", "cn.gov.pbc.dcep") in {(c.kind, c.value) for c in ecny.channels}
    assert [c for c in ecny.channels if c.kind == "phone"] == []


def test_export_then_import_gives_the_same_registry(bundled: RegistryData) -> None:
    exported = dump_registry(bundled, "yaml")
    again = parse_registry(yaml.safe_load(exported))
    assert dump_registry(again, "yaml") == exported
    assert {p.slug: p for p in again.platforms} == {p.slug: p for p in bundled.platforms}
