"""Impersonating links (verifier/core/lookalike.py, and how check.py turns a finding into a
verdict).

Every case runs against a small registry built here, never the shipped data, so that a data update
cannot break a logic test. Each reason code gets a table row with the trick it stands for; the
precision tables list real, unrelated names that must stay plain "unverified".
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator
from typing import Any

import ahocorasick
import pytest
from small_registry import domain_channel as _domain
from small_registry import phone_channel as _phone

from verifier.core.check import check
from verifier.core.index import BlockEntry, Channel, Platform, RegistryIndex, ReviewedDomain
from verifier.core.link import normalize_link
from verifier.core.lookalike import (
    Lookalike,
    LookalikeIndex,
    classify_typo,
    find_lookalike,
    lookalike_index,
)
from verifier.core.messages import REASON_MESSAGES
from verifier.core.scan import scan
from verifier.core.verdict import Verdict

PLATFORMS = (
    Platform(
        "alipay",
        "支付宝",
        "Alipay",
        phone_support="listed",
        channels=(_domain("alipay.com"), _phone("95188")),
    ),
    # A four-letter brand under a two-level suffix, with a Chinese alias.
    Platform(
        "icbc",
        "中国工商银行",
        "ICBC",
        aliases=("工行", "ICBC"),
        phone_support="listed",
        channels=(_domain("icbc.com.cn"), _phone("95588")),
    ),
    # A long name with a short alias (its stock ticker).
    Platform(
        "pinduoduo",
        "拼多多",
        "Pinduoduo",
        aliases=("PDD",),
        phone_support="unknown",
        channels=(_domain("pinduoduo.com"),),
    ),
    # A two-letter brand: typos of it are everyone's names.
    Platform("jd", "京东", "JD", phone_support="listed", channels=(_domain("jd.com"),)),
    Platform("apple", "苹果", "Apple", phone_support="listed", channels=(_domain("apple.com"),)),
    Platform("tmall", "天猫", "Tmall", channels=(_domain("tmall.com"),)),
    Platform("weibo", "微博", "Weibo", channels=(_domain("weibo.com"),)),
    Platform("taobao", "淘宝", "Taobao", channels=(_domain("taobao.com"),)),
    Platform("douyin", "抖音", "Douyin", phone_support="none", channels=(_domain("douyin.com"),)),
)
BLOCKLIST = (
    # A brand joined with a service word, already known to be a scam.
    BlockEntry("domain", "alipay-refund.top", "alipay", "https://example.org/notice", "2026-11-02"),
    # A typo of a brand, already known to be a scam.
    BlockEntry("domain", "alipsy.com", "alipay", "https://example.org/notice", "2026-11-02"),
)
REVIEWED = (
    ReviewedDomain("alipays.com", "A payments blog", "2026-11-03", resembles="alipay"),
    ReviewedDomain("icbcx.com", "An unrelated shop", "2026-11-04"),
)

# "alipаy.com" with a Cyrillic а (U+0430), and the punycode form a browser sends.
CYRILLIC_ALIPAY = "alip\u0430y.com"
CYRILLIC_ALIPAY_PUNYCODE = CYRILLIC_ALIPAY.encode("idna").decode()
# "支付宝kefu.com": Alipay's Chinese name with a service word, as punycode.
CHINESE_ALIPAY_KEFU_PUNYCODE = "支付宝kefu.com".encode("idna").decode()


@pytest.fixture(scope="module")
def index() -> RegistryIndex:
    return RegistryIndex.build(PLATFORMS, BLOCKLIST, version=3, reviewed=REVIEWED)


def _codes(result: Verdict) -> list[str]:
    return [r.code for r in result.reasons]


def _slug(ref: object) -> str | None:
    return getattr(ref, "slug", None)


def _assert_message_names(
    value: str, index: RegistryIndex, code: str, slug: str, official: str, **kwargs: Any
) -> None:
    """The reason ``code`` names the platform and its official domain in both languages,
    wherever its message has a place for them, and leaves no placeholder unfilled."""
    platform = index.platform(slug)
    assert platform is not None
    for lang, template in zip(("zh", "en"), REASON_MESSAGES[code], strict=True):
        result = check(value, index, lang=lang, **kwargs)
        messages = [r.message for r in result.reasons if r.code == code]
        assert len(messages) == 1, (lang, _codes(result))
        message = messages[0]
        assert "{" not in message
        if "{platform}" in template:
            assert platform.name(lang) in message, (lang, message)
        if "{official}" in template:
            assert official in message, (lang, message)


# --- every impersonation trick, through check() -----------------------------------------------

LOOKALIKES = [
    # Suffix swap: Alipay's name under .net, which Alipay does not own.
    ("alipay.net", "lookalike_suffix_swap", "alipay", "alipay.com"),
    # Suffix swap: icbc.cn beside the registered icbc.com.cn.
    ("icbc.cn", "lookalike_suffix_swap", "icbc", "icbc.com.cn"),
    # Suffix swap to a country suffix.
    ("tmall.hk", "lookalike_suffix_swap", "tmall", "tmall.com"),
    # Homoglyph: a Cyrillic а in an otherwise Latin name, written in Unicode...
    (CYRILLIC_ALIPAY, "lookalike_homoglyph", "alipay", "alipay.com"),
    # ...and as the punycode a browser sends.
    (CYRILLIC_ALIPAY_PUNYCODE, "lookalike_homoglyph", "alipay", "alipay.com"),
    # Homoglyph: a Greek alpha.
    ("\u03b1lipay.com", "lookalike_homoglyph", "alipay", "alipay.com"),
    # Homoglyph: an accented Latin letter (one script, still a lookalike).
    ("\u00e0lipay.com", "lookalike_homoglyph", "alipay", "alipay.com"),
    # Homoglyph: a Latin alpha (ɑ), one script.
    ("\u0251lipay.com", "lookalike_homoglyph", "alipay", "alipay.com"),
    # Homoglyph: the whole name in Cyrillic (а р р ӏ е), the classic "apple" demonstration.
    ("\u0430\u0440\u0440\u04cf\u0435.com", "lookalike_homoglyph", "apple", "apple.com"),
    # ASCII lookalike: rn reads as m.
    ("trnall.com", "lookalike_ascii_lookalike", "tmall", "tmall.com"),
    # ASCII lookalike: vv reads as w.
    ("vveibo.com", "lookalike_ascii_lookalike", "weibo", "weibo.com"),
    # ASCII lookalike: the digit 0 for the letter o.
    ("taoba0.com", "lookalike_ascii_lookalike", "taobao", "taobao.com"),
    # ASCII lookalike: the digit 1 for the letter l.
    ("a1ipay.com", "lookalike_ascii_lookalike", "alipay", "alipay.com"),
    # ASCII lookalike: cl reads as d.
    ("clouyin.com", "lookalike_ascii_lookalike", "douyin", "douyin.com"),
    # A hyphen added inside the name.
    ("ali-pay.com", "lookalike_hyphenation", "alipay", "alipay.com"),
    ("pinduo-duo.com", "lookalike_hyphenation", "pinduoduo", "pinduoduo.com"),
    # Typo: a letter inserted.
    ("alipqay.com", "lookalike_typo_insertion", "alipay", "alipay.com"),
    # Typo: a letter doubled.
    ("alipayy.com", "lookalike_typo_repetition", "alipay", "alipay.com"),
    ("aliipay.com", "lookalike_typo_repetition", "alipay", "alipay.com"),
    # Typo: a letter dropped.
    ("alipy.com", "lookalike_typo_omission", "alipay", "alipay.com"),
    ("pinduodo.com", "lookalike_typo_omission", "pinduoduo", "pinduoduo.com"),
    # Typo: a letter replaced by one that is neither near it, a vowel, nor one bit away (names
    # of seven letters or more; in shorter ones that makes another word).
    ("pinduoduq.com", "lookalike_typo_replacement", "pinduoduo", "pinduoduo.com"),
    # Typo: a keyboard neighbour (y→u).
    ("alipau.com", "lookalike_typo_keyboard", "alipay", "alipay.com"),
    # Typo: a single flipped bit (p→q).
    ("aliqay.com", "lookalike_typo_bit_flip", "alipay", "alipay.com"),
    # Typo: a vowel swapped (a→o).
    ("alipoy.com", "lookalike_typo_vowel_swap", "alipay", "alipay.com"),
    # Typo: two neighbouring letters swapped.
    ("aliapy.com", "lookalike_typo_transposition", "alipay", "alipay.com"),
    # A four-letter name is matched by a typo under its own suffix.
    ("icbd.com.cn", "lookalike_typo_keyboard", "icbc", "icbc.com.cn"),
    # The name split by a dot: the site really is pay.com.
    ("ali.pay.com", "lookalike_split_name", "alipay", "alipay.com"),
    # The official domain written out in front of another site.
    ("icbc.com.cn.secure-login.top", "lookalike_official_domain_inside", "icbc", "icbc.com.cn"),
    (
        "www.pinduoduo.com-refund.cn",
        "lookalike_official_domain_inside",
        "pinduoduo",
        "pinduoduo.com",
    ),
    (
        "pinduoduo.com.refund-center.top",
        "lookalike_official_domain_inside",
        "pinduoduo",
        "pinduoduo.com",
    ),
    # The brand as a label in front of someone else's domain.
    ("alipay.secure-check.top", "lookalike_brand_in_subdomain", "alipay", "alipay.com"),
    # A four-letter brand in a subdomain, beside service words.
    ("icbc.verify-account.top", "lookalike_brand_in_subdomain", "icbc", "icbc.com.cn"),
    # An alias (the ticker PDD) in a subdomain, beside a service word.
    ("pdd.refund-center.top", "lookalike_brand_in_subdomain", "pinduoduo", "pinduoduo.com"),
    # The brand joined with a service word.
    ("pinduoduo-kefu.com", "lookalike_brand_with_words", "pinduoduo", "pinduoduo.com"),
    # An alias joined with a service word, service word first.
    ("kefu-pdd.cn", "lookalike_brand_with_words", "pinduoduo", "pinduoduo.com"),
    # A four-letter brand with its hotline's digits.
    ("icbc95588.com", "lookalike_brand_with_words", "icbc", "icbc.com.cn"),
    # A four-letter brand with a service word after a hyphen.
    ("icbc-help.top", "lookalike_brand_with_words", "icbc", "icbc.com.cn"),
    # A two-letter brand at a word boundary beside a service word: enough evidence.
    ("jd-kefu.com", "lookalike_brand_with_words", "jd", "jd.com"),
    ("kefu-jd.cn", "lookalike_brand_with_words", "jd", "jd.com"),
    # The dot before the suffix dropped: alipaycom.com, and for a short name too (jdcom.com).
    ("alipaycom.com", "lookalike_missing_dot", "alipay", "alipay.com"),
    ("jdcom.com", "lookalike_missing_dot", "jd", "jd.com"),
    # A Chinese brand name inside an IDN label, in Unicode and as punycode.
    ("支付宝-kefu.com", "lookalike_brand_with_words", "alipay", "alipay.com"),
    (CHINESE_ALIPAY_KEFU_PUNYCODE, "lookalike_brand_with_words", "alipay", "alipay.com"),
    # A Chinese alias (工行 for ICBC) with "customer service" in Chinese.
    ("工行客服.com", "lookalike_brand_with_words", "icbc", "icbc.com.cn"),
    # Phishing words beyond customer service: notices, alerts, unlocking an account.
    ("icbc-notice.top", "lookalike_brand_with_words", "icbc", "icbc.com.cn"),
    ("appleid-unlock.top", "lookalike_brand_with_words", "apple", "apple.com"),
    # Two tricks at once: the brand in look-alike letters, joined with a service word.
    ("taoba0-kefu.com", "lookalike_ascii_lookalike", "taobao", "taobao.com"),
    ("a1ipay-refund.cn", "lookalike_ascii_lookalike", "alipay", "alipay.com"),
    # A free-hosting site (a private suffix) carrying the brand in its name...
    ("alipay-refund.github.io", "lookalike_free_hosting", "alipay", "alipay.com"),
    # ...or in the path of an innocuous-looking one.
    ("https://foo.github.io/alipay/login", "lookalike_free_hosting", "alipay", "alipay.com"),
]


@pytest.mark.parametrize(("value", "code", "slug", "official"), LOOKALIKES)
def test_lookalikes_name_the_platform_and_the_trick(
    index: RegistryIndex, value: str, code: str, slug: str, official: str
) -> None:
    result = check(value, index, lang="en")
    assert (result.verdict, result.risk) == ("lookalike", "danger"), _codes(result)
    assert _slug(result.impersonates) == slug
    assert result.platform is None
    assert code in _codes(result)
    # What to use instead: the imitated platform's official domain.
    assert ("domain", official) in {(c.kind, c.value) for c in result.official_channels}


@pytest.mark.parametrize(("value", "code", "slug", "official"), LOOKALIKES)
def test_lookalike_reasons_name_the_platform_and_its_official_domain(
    index: RegistryIndex, value: str, code: str, slug: str, official: str
) -> None:
    _assert_message_names(value, index, code, slug, official)


def test_a_lookalike_reason_is_concrete(index: RegistryIndex) -> None:
    # The example: this is not Pinduoduo's site; the address adds "kefu" to its name;
    # its official site is pinduoduo.com.
    result = check("pinduoduo-kefu.com", index, lang="en")
    message = next(r.message for r in result.reasons if r.code == "lookalike_brand_with_words")
    for part in ("not Pinduoduo's site", "pinduoduo-kefu.com", '"kefu"', "pinduoduo.com"):
        assert part in message
    zh = check("pinduoduo-kefu.com", index, lang="zh")
    message = next(r.message for r in zh.reasons if r.code == "lookalike_brand_with_words")
    for part in ("不是拼多多的网站", "pinduoduo-kefu.com", "kefu", "pinduoduo.com"):
        assert part in message


# --- the finding itself: which name was imitated and what changed -----------------------------


@pytest.mark.parametrize(
    ("value", "code", "brand", "official", "detail"),
    [
        # The swapped suffix is the detail.
        ("alipay.net", "lookalike_suffix_swap", "alipay", "alipay.com", "net"),
        # The keyboard slip, old→new.
        ("alipau.com", "lookalike_typo_keyboard", "alipay", "alipay.com", "y→u"),
        # The swapped pair.
        ("aliapy.com", "lookalike_typo_transposition", "alipay", "alipay.com", "pa→ap"),
        # The dropped letter.
        ("alipy.com", "lookalike_typo_omission", "alipay", "alipay.com", "a"),
        # The added letter.
        ("alipqay.com", "lookalike_typo_insertion", "alipay", "alipay.com", "q"),
        # The added words, for "adds kefu to Pinduoduo's name".
        ("pinduoduo-kefu.com", "lookalike_brand_with_words", "pinduoduo", "pinduoduo.com", "kefu"),
        # An alias is the brand; the official domain is the platform's.
        ("kefu-pdd.cn", "lookalike_brand_with_words", "pdd", "pinduoduo.com", "kefu"),
        # Digits added.
        ("icbc95588.com", "lookalike_brand_with_words", "icbc", "icbc.com.cn", "95588"),
        # A Chinese name in an IDN label is found in its decoded form.
        (
            CHINESE_ALIPAY_KEFU_PUNYCODE,
            "lookalike_brand_with_words",
            "支付宝",
            "alipay.com",
            "kefu",
        ),
        # The hosting suffix.
        ("alipay-refund.github.io", "lookalike_free_hosting", "alipay", "alipay.com", "github.io"),
    ],
)
def test_find_lookalike_details(
    index: RegistryIndex, value: str, code: str, brand: str, official: str, detail: str
) -> None:
    found = find_lookalike(normalize_link(value), lookalike_index(index))
    assert found is not None
    assert (found.code, found.brand, found.official, found.detail) == (
        code,
        brand,
        official,
        detail,
    )


@pytest.mark.parametrize(
    ("value", "mixed"),
    [
        # Cyrillic а among Latin letters.
        (CYRILLIC_ALIPAY, True),
        # The same as punycode: decoded before its scripts are read.
        (CYRILLIC_ALIPAY_PUNYCODE, True),
        # Greek alpha among Latin letters.
        ("\u03b1lipay.com", True),
        # An accented Latin letter is still one script.
        ("\u00e0lipay.com", False),
        # A name wholly in Cyrillic mixes nothing, though it is a homoglyph.
        ("\u0430\u0440\u0440\u04cf\u0435.com", False),
    ],
)
def test_mixed_script_names_are_called_out(index: RegistryIndex, value: str, mixed: bool) -> None:
    result = check(value, index, lang="en")
    assert result.verdict == "lookalike"
    assert ("mixed_script_name" in _codes(result)) is mixed
    if mixed:
        message = next(r.message for r in result.reasons if r.code == "mixed_script_name")
        assert normalize_link(value).display_host in message


# --- classify_typo: the name of each single edit ----------------------------------------------


@pytest.mark.parametrize(
    ("seen", "meant", "code", "detail"),
    [
        # One letter added, not next to its twin.
        ("alipqay", "alipay", "lookalike_typo_insertion", "q"),
        # One letter added next to its twin.
        ("alippay", "alipay", "lookalike_typo_repetition", "p"),
        # A hyphen added is its own trick.
        ("ali-pay", "alipay", "lookalike_hyphenation", "-"),
        # One letter dropped.
        ("alpay", "alipay", "lookalike_typo_omission", "i"),
        # A keyboard neighbour.
        ("alipsy", "alipay", "lookalike_typo_keyboard", "a→s"),
        # Keyboard neighbours include the rows above and below.
        ("alipaw", "alipaq", "lookalike_typo_keyboard", "q→w"),
        # A vowel for a vowel, not neighbours on the keyboard.
        ("alipoy", "alipay", "lookalike_typo_vowel_swap", "a→o"),
        # A single bit: p (0x70) and q (0x71).
        ("aliqay", "alipay", "lookalike_typo_bit_flip", "p→q"),
        # None of the above.
        ("alipaw", "alipay", "lookalike_typo_replacement", "y→w"),
        # Two neighbouring letters swapped.
        ("aliapy", "alipay", "lookalike_typo_transposition", "pa→ap"),
        # Digits: the same edits name a number one digit off.
        ("95587", "95588", "lookalike_typo_keyboard", "8→7"),
        ("9558", "95588", "lookalike_typo_omission", "8"),
        # Two changes are not one typo.
        ("alipxz", "alipay", None, ""),
        # Two letters added are not one typo.
        ("alipayxx", "alipay", None, ""),
        # Letters swapped that are not neighbours.
        ("ylipaa", "alipay", None, ""),
        # The same name is no typo of itself.
        ("alipay", "alipay", None, ""),
    ],
)
def test_classify_typo(seen: str, meant: str, code: str | None, detail: str) -> None:
    assert classify_typo(seen, meant) == (code, detail)


# --- URL tricks seen without knowing the host -------------------------------------------------


@pytest.mark.parametrize(
    ("value", "verdict", "risk", "impersonates", "codes"),
    [
        # A shortener hides the destination: cannot be verified.
        ("https://bit.ly/3abcd", "suspicious", "caution", None, ["url_shortener"]),
        # A Chinese shortener.
        ("t.cn/A6xyz", "suspicious", "caution", None, ["url_shortener"]),
        # A raw IPv4 address shows no owner: a concrete trick.
        ("http://1.2.3.4/login", "suspicious", "danger", None, ["ip_address_host"]),
        # A raw IPv6 address.
        ("http://[2001:db8::1]/", "suspicious", "danger", None, ["ip_address_host"]),
        # An unusual port on an unknown site.
        ("http://evil.top:8080/", "suspicious", "caution", None, ["unusual_port"]),
        # A registered domain before "@", another site after it.
        (
            "https://icbc.com.cn@evil.top/",
            "lookalike",
            "danger",
            "icbc",
            ["userinfo_in_link", "impersonates_platform"],
        ),
        # The same with an IP address after "@": both tricks are named.
        (
            "https://icbc.com.cn@1.2.3.4/",
            "lookalike",
            "danger",
            "icbc",
            ["userinfo_in_link", "impersonates_platform", "ip_address_host"],
        ),
        # A plain user name before "@" on an unknown site is still pointed out.
        ("https://user@evil.top/", "unverified", "caution", None, ["userinfo_in_link"]),
        # A javascript: link runs code.
        ("javascript:alert(1)", "suspicious", "danger", None, ["dangerous_scheme"]),
        # A data: link carries a whole page.
        ("data:text/html,<b>hi</b>", "suspicious", "danger", None, ["dangerous_scheme"]),
        # An official host on an unusual port is still the platform's own site.
        ("https://alipay.com:8443/", "official", "safe", None, ["unusual_port"]),
        # A registered domain before "@" and another official one after it: the visit is safe,
        # but the user name is still pointed out.
        ("https://icbc.com.cn@alipay.com/", "official", "safe", None, ["userinfo_in_link"]),
    ],
)
def test_url_tricks(
    index: RegistryIndex,
    value: str,
    verdict: str,
    risk: str,
    impersonates: str | None,
    codes: list[str],
) -> None:
    result = check(value, index)
    assert (result.verdict, result.risk, _slug(result.impersonates)) == (
        verdict,
        risk,
        impersonates,
    )
    assert set(codes) <= set(_codes(result)), _codes(result)


@pytest.mark.parametrize(
    ("value", "code", "shown"),
    [
        # The message names the host that really opens.
        ("https://icbc.com.cn@evil.top/", "userinfo_in_link", "evil.top"),
        # The raw address.
        ("http://1.2.3.4/login", "ip_address_host", "1.2.3.4"),
        # The port.
        ("http://evil.top:8080/", "unusual_port", "8080"),
        # The shortener.
        ("https://bit.ly/3abcd", "url_shortener", "bit.ly"),
    ],
)
def test_url_trick_messages_name_what_was_seen(
    index: RegistryIndex, value: str, code: str, shown: str
) -> None:
    for lang in ("zh", "en"):
        result = check(value, index, lang=lang)
        message = next(r.message for r in result.reasons if r.code == code)
        assert shown in message


def test_userinfo_trick_names_the_platform_shown_before_the_at(index: RegistryIndex) -> None:
    _assert_message_names(
        "https://icbc.com.cn@evil.top/", index, "impersonates_platform", "icbc", ""
    )


@pytest.mark.parametrize(
    ("value", "verdict", "codes"),
    [
        # An unknown site presented as ICBC's: not one of its domains.
        ("https://evil.top/", "suspicious", ["not_listed_for_claimed"]),
        # A lookalike presented as the platform it imitates stays a lookalike.
        ("icbc-help.top", "lookalike", ["lookalike_brand_with_words"]),
    ],
)
def test_links_presented_as_a_platform(
    index: RegistryIndex, value: str, verdict: str, codes: list[str]
) -> None:
    result = check(value, index, claimed="icbc")
    assert (result.verdict, _slug(result.impersonates)) == (verdict, "icbc")
    assert set(codes) <= set(_codes(result))
    _assert_message_names(value, index, codes[0], "icbc", "icbc.com.cn", claimed="icbc")


# --- moderators' reviews ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code", "resembles", "note", "reviewed_on"),
    [
        # A one-letter insertion of alipay that a moderator found is someone else's blog.
        ("alipays.com", "reviewed_not_impersonation", "alipay", "A payments blog", "2026-11-03"),
        # The review covers the hosts below it.
        (
            "www.alipays.com",
            "reviewed_not_impersonation",
            "alipay",
            "A payments blog",
            "2026-11-03",
        ),
        # A review that names no platform.
        ("icbcx.com", "reviewed_not_impersonation_of_any", None, "An unrelated shop", "2026-11-04"),
    ],
)
def test_reviewed_domains_are_not_called_lookalikes(
    index: RegistryIndex,
    value: str,
    code: str,
    resembles: str | None,
    note: str,
    reviewed_on: str,
) -> None:
    for lang in ("zh", "en"):
        result = check(value, index, lang=lang)
        assert (result.verdict, result.risk, result.impersonates) == ("unverified", "caution", None)
        message = next(r.message for r in result.reasons if r.code == code)
        assert not any(c.startswith("lookalike_") for c in _codes(result))
        for part in (value, note, reviewed_on):
            assert part in message
        if resembles is not None:
            platform = index.platform(resembles)
            assert platform is not None
            assert platform.name(lang) in message


def test_reviewed_domains_still_report_url_tricks(index: RegistryIndex) -> None:
    # The review says the site is not an impersonation; an odd port is still an odd port.
    result = check("http://alipays.com:8080/", index)
    assert result.verdict == "suspicious"
    assert "unusual_port" in _codes(result)
    assert result.impersonates is None


def test_a_review_does_not_cover_a_longer_host_it_only_starts(index: RegistryIndex) -> None:
    # alipays.com.evil.top is not below alipays.com: the review does not speak for it.
    result = check("alipays.com.evil.top", index)
    assert not any(c.startswith("reviewed_") for c in _codes(result))


# --- precision: real, unrelated names ----------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        # Shares "pin" with pinduoduo: an unrelated company.
        "pinterest.com",
        # Shares "duo" with pinduoduo.
        "duolingo.com",
        # Shares "ali" and the shape with alipay: a real, different company.
        "alibaba.com",
        # Four letters, an anagram of icbc, under another suffix: a Canadian bank.
        "cibc.com",
        # The two-letter jd at the start of a longer word, no service word.
        "jdsports.com",
        "jdpower.com",
        "jdate.com",
        # A three-letter name one keystroke from jd: short names are never typo-matched.
        "jf.com",
        # apple inside a longer brand.
        "applebees.com",
        "applesauce.com",
        "appleton.com",
        # apple at the end of an ordinary word.
        "pineapple.com",
        "snapple.com",
        # maple shares four letters with apple in order, but is two edits away.
        "maple.com",
        # tmall and mall inside ordinary words.
        "smallville.com",
        "tmallory.com",
        # A two-letter brand under .net is too often someone else's.
        "jd.net",
        # An ordinary English word one letter away from "apple" (e→y), by no known trick.
        "apply.com",
        # Another ordinary word one letter from "apple" (p→m), by no known trick.
        "ample.com",
        # A look-alike spelling joined with an ordinary word, no bait: not enough evidence.
        "taoba0-blog.com",
        # A bait word alone names no brand.
        "notice-board.com",
    ],
)
def test_unrelated_names_are_not_lookalikes(index: RegistryIndex, value: str) -> None:
    result = check(value, index)
    assert (result.verdict, result.impersonates) == ("unverified", None), _codes(result)
    assert find_lookalike(normalize_link(value), lookalike_index(index)) is None


@pytest.mark.parametrize(
    ("value", "slug"),
    [
        # The official domain itself.
        ("alipay.com", "alipay"),
        ("pinduoduo.com", "pinduoduo"),
        ("icbc.com.cn", "icbc"),
        ("jd.com", "jd"),
        # Its subdomains, however many.
        ("www.pinduoduo.com", "pinduoduo"),
        ("m.alipay.com", "alipay"),
        ("a.b.icbc.com.cn", "icbc"),
        # Written in capitals with a path.
        ("HTTPS://WWW.ALIPAY.COM/refund", "alipay"),
        # Subdomains that read like bait are still the platform's own.
        ("kefu.pinduoduo.com", "pinduoduo"),
    ],
)
def test_official_domains_stay_official(index: RegistryIndex, value: str, slug: str) -> None:
    result = check(value, index)
    assert (result.verdict, result.risk, _slug(result.platform)) == ("official", "safe", slug)
    assert result.impersonates is None
    assert not any(c.startswith("lookalike_") for c in _codes(result))


@pytest.mark.parametrize(
    "value",
    [
        # A brand-with-words name on the blocklist.
        "alipay-refund.top",
        # A host below it.
        "www.alipay-refund.top",
        # A typo on the blocklist.
        "alipsy.com",
    ],
)
def test_the_blocklist_beats_lookalike_detection(index: RegistryIndex, value: str) -> None:
    result = check(value, index)
    assert (result.verdict, result.risk, _slug(result.impersonates)) == (
        "known_scam",
        "danger",
        "alipay",
    )
    assert not any(c.startswith("lookalike_") for c in _codes(result))


# --- scale: the index, not a loop over platforms -----------------------------------------------

_SYLLABLES = ("ba", "ko", "mi", "ru", "te", "zu", "fa", "lo", "ne", "si")


def _generated_platforms() -> Iterator[Platform]:
    """10 000 platforms with pronounceable, made-up names (bakomiru.com …)."""
    for i, parts in enumerate(itertools.product(_SYLLABLES, repeat=4)):
        name = "".join(parts)
        suffix = "com" if i % 3 else "cn"
        yield Platform(
            f"gen-{i:05d}",
            f"平台{i}",
            name.title(),
            channels=(Channel("domain", f"{name}.{suffix}"),),
        )


@pytest.fixture(scope="module")
def big_index() -> RegistryIndex:
    """The test registry plus 10 000 generated platforms; built once for this module."""
    return RegistryIndex.build([*PLATFORMS, *_generated_platforms()], BLOCKLIST, reviewed=REVIEWED)


SCALE_HOSTS = [
    # A keyboard typo of alipay.
    "alipau.com",
    # A brand with a service word (the automaton's path).
    "pinduoduo-kefu.com",
    # The official domain written out in front of another site.
    "icbc.com.cn.secure-login.top",
    # A homoglyph, as punycode.
    CYRILLIC_ALIPAY_PUNYCODE,
    # A two-letter name in a hooked letter (the short-name map).
    "\u029db.com",
    # A long name with several letters written as shapes (the visual-key map).
    "pindluodluo.com",
    # An unrelated name: nothing found, with either registry.
    "pinterest.com",
]


def _summary(found: Lookalike | None) -> tuple[str, str, str, str] | None:
    if found is None:
        return None
    return found.platform.slug, found.code, found.brand, found.official


def test_the_big_registry_is_really_big(big_index: RegistryIndex) -> None:
    assert len(big_index.platforms) == len(PLATFORMS) + 10_000
    assert len(lookalike_index(big_index).automaton) >= 10_000


@pytest.mark.parametrize("value", SCALE_HOSTS)
def test_a_big_registry_finds_the_same_lookalike(
    index: RegistryIndex, big_index: RegistryIndex, value: str
) -> None:
    link = normalize_link(value)
    small = find_lookalike(link, lookalike_index(index))
    big = find_lookalike(link, lookalike_index(big_index))
    assert _summary(big) == _summary(small)
    small_verdict, big_verdict = check(value, index), check(value, big_index)
    assert (big_verdict.verdict, _slug(big_verdict.impersonates)) == (
        small_verdict.verdict,
        _slug(small_verdict.impersonates),
    )


def test_a_big_registry_still_finds_its_own_platforms(big_index: RegistryIndex) -> None:
    # A generated name's suffix swap and keyboard typo are found among 10 000 others.
    swap = check("bakomiru.net", big_index)
    assert (swap.verdict, _slug(swap.impersonates)) == ("lookalike", "gen-00123")
    assert "lookalike_suffix_swap" in _codes(swap)
    typo = check("bakomiry.cn", big_index)  # gen-00123 is bakomiru.cn
    assert typo.verdict == "lookalike"
    # Among 10 000 random names another may be one keystroke away too; either is right.
    near = {
        p.slug
        for p in big_index.platforms
        for c in p.channels
        if c.kind == "domain"
        and c.value.endswith(".cn")
        and classify_typo("bakomiry", c.value.removesuffix(".cn"))[0] is not None
    }
    assert "gen-00123" in near and _slug(typo.impersonates) in near


MAPS = ("by_label", "by_skeleton", "by_deletion", "by_loose", "by_short_loose", "by_visual_key")


def test_the_lookalike_index_is_maps_and_one_automaton(big_index: RegistryIndex) -> None:
    found = lookalike_index(big_index)
    for name in MAPS:
        assert type(getattr(found, name)) is dict, name
    assert isinstance(found.automaton, ahocorasick.Automaton)
    # make_automaton() has run: the automaton searches, it is not a mere trie.
    assert found.automaton.kind == ahocorasick.AHOCORASICK
    # Built once per snapshot.
    assert lookalike_index(big_index) is found


class _CountingMap(dict[str, Any]):
    """A map that counts keyed lookups and refuses to be walked: a walk over a whole map is a
    loop over every platform."""

    def __init__(self, data: dict[str, Any], counter: list[int]) -> None:
        super().__init__(data)
        self.counter = counter

    def get(self, key: str, default: Any = None) -> Any:
        self.counter[0] += 1
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.counter[0] += 1
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.counter[0] += 1
        return super().__contains__(key)

    def _walk(self, *args: Any) -> Any:
        raise AssertionError("find_lookalike walked a whole map")

    __iter__ = keys = values = items = _walk


class _RecordingAutomaton:
    """Records the texts searched, and searches with the real automaton."""

    def __init__(self, automaton: ahocorasick.Automaton) -> None:
        self.automaton = automaton
        self.searched: list[str] = []

    def iter(self, text: str) -> Any:
        self.searched.append(text)
        return self.automaton.iter(text)

    def __len__(self) -> int:
        return len(self.automaton)


def _instrumented(found: LookalikeIndex) -> tuple[LookalikeIndex, list[int], _RecordingAutomaton]:
    counter = [0]
    automaton = _RecordingAutomaton(found.automaton)
    maps = {name: _CountingMap(getattr(found, name), counter) for name in MAPS}
    return dataclasses.replace(found, automaton=automaton, **maps), counter, automaton


@pytest.mark.parametrize("value", SCALE_HOSTS)
def test_lookups_do_not_grow_with_the_registry(
    index: RegistryIndex, big_index: RegistryIndex, value: str
) -> None:
    # The same number of keyed lookups with 10 000 platforms as with 9, and no map walked: the
    # cost of a check does not depend on how many platforms there are.
    link = normalize_link(value)
    small, small_count, _ = _instrumented(lookalike_index(index))
    big, big_count, _ = _instrumented(lookalike_index(big_index))
    assert _summary(find_lookalike(link, big)) == _summary(find_lookalike(link, small))
    assert big_count[0] == small_count[0]


def test_brands_inside_other_names_are_found_by_the_automaton(big_index: RegistryIndex) -> None:
    instrumented, _, automaton = _instrumented(lookalike_index(big_index))
    found = find_lookalike(normalize_link("pinduoduo-kefu.com"), instrumented)
    assert found is not None and found.code == "lookalike_brand_with_words"
    assert automaton.searched, "the brand was found without the automaton"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # Letters written for the digits of a number-named brand: o for 0, l and i for 1.
        ("1oo86.cn", "carrier"),
        ("i0086.cn", "carrier"),
        # The same skeleton under another suffix still reads as the number (o/0, l/1 fold).
        ("1oo86.com", "carrier"),
        # One digit off under the brand's own suffix is a keyboard slip of the number.
        ("10087.cn", "carrier"),
        # Letters that stand for no digit leave an unrelated name.
        ("1xx86.cn", None),
        # Cyrillic letters drawn like Latin small capitals: т (t), м (m), ӏ (palochka).
        ("тмаӏӏ.com", "mall"),
    ],
)
def test_letters_for_digits_and_small_capital_lookalikes(value: str, expected: str | None) -> None:
    index = RegistryIndex.build(
        [
            Platform("carrier", "运营商", channels=(Channel("domain", "10086.cn"),)),
            Platform("mall", "商城", channels=(Channel("domain", "tmall.com"),)),
        ]
    )
    result = check(value, index)
    assert _slug(result.impersonates) == expected
    assert (result.verdict == "lookalike") == (expected is not None)


# --- shapes: short names in IDN, numbers with letters, several substitutions in long names -----

SHAPES_PLATFORMS = (
    Platform("bank", "银行", channels=(Channel("domain", "ccb.com"),)),
    Platform("shop", "商城", channels=(Channel("domain", "jd.com"),)),
    Platform("cards", "银联", channels=(Channel("domain", "95516.com"),)),
    Platform("carrier", "运营商", channels=(Channel("domain", "10086.cn"),)),
    Platform("post", "邮政", channels=(Channel("domain", "11183.com.cn"),)),
    Platform("rides", "出行", channels=(Channel("domain", "didiglobal.com"),)),
    Platform("group", "团购", channels=(Channel("domain", "pinduoduo.com"),)),
    Platform("pay", "支付", channels=(Channel("domain", "paypal.com"),)),
    Platform("mall", "商城", channels=(Channel("domain", "tmall.com"),)),
)


@pytest.fixture(scope="module")
def shapes_index() -> RegistryIndex:
    return RegistryIndex.build(SHAPES_PLATFORMS)


@pytest.mark.parametrize(
    ("value", "code", "slug"),
    [
        # A three-letter name in accented, hooked or small-capital letters that read as its own:
        # nobody registers ccḓ.com by accident (d with a mark below, and d reads as b).
        ("cc\u1e13.com", "lookalike_homoglyph", "bank"),
        ("cc\u1e13.com".encode("idna").decode(), "lookalike_homoglyph", "bank"),
        # Both c written as e with a cedilla (e reads as c).
        ("\u0229\u0229b.com", "lookalike_homoglyph", "bank"),
        # c with a hook, and d for b.
        ("\u0188\u0188d.com", "lookalike_homoglyph", "bank"),
        # Carons on the c, and b written as lb.
        ("\u010d\u010dlb.com", "lookalike_homoglyph", "bank"),
        # A two-letter name: j with a crossed tail, b for d.
        ("\u029db.com", "lookalike_homoglyph", "shop"),
        # A number with a letter drawn as 5 (tone five) for both its fives, and 6 for 9.
        ("6\u01bd\u01bd16.com", "lookalike_homoglyph", "cards"),
        # Schwa for a, wynn for p: pəypəl, ƿaypal.
        ("p\u0259yp\u0259l.com", "lookalike_homoglyph", "pay"),
        ("\u01bfaypal.com", "lookalike_homoglyph", "pay"),
        # A small capital M, which confusables.txt sends to a turned w.
        ("t\u1d0dall.com", "lookalike_homoglyph", "mall"),
        # A number written with letters for some digits, and look-alike digits for others.
        ("l1188.com.cn", "lookalike_ascii_lookalike", "post"),
        ("i0036.cn", "lookalike_ascii_lookalike", "carrier"),
        # A long name with several letters written as shapes: dl and 1 for d and i, cl for d,
        # dl for both d of pinduoduo.
        ("dl1diglobal.com", "lookalike_ascii_lookalike", "rides"),
        ("cllidiglobal.com", "lookalike_ascii_lookalike", "rides"),
        ("pindluodluo.com", "lookalike_ascii_lookalike", "group"),
    ],
)
def test_names_written_in_look_alike_shapes(
    shapes_index: RegistryIndex, value: str, code: str, slug: str
) -> None:
    result = check(value, shapes_index)
    assert (result.verdict, _slug(result.impersonates)) == ("lookalike", slug), _codes(result)
    assert code in _codes(result)


@pytest.mark.parametrize(
    "value",
    [
        # The same changes in plain ASCII make real names of three letters (and jbl.com is a
        # loudspeaker maker): short ASCII names are never matched by shape.
        "ccd.com",
        "eed.com",
        "cgb.com",
        "jb.com",
        "jbl.com",
        # An accented short name under another suffix: typosquats keep the suffix.
        "cc\u1e13.net",
        # Accented letters that do not read as the name (b for c).
        "\u00e7bb.com",
        # A single letter cannot stand for a two-letter name.
        "\u1e03.com",
        # Ordinary accented names.
        "m\u00fcller.com",
        "b\u00fccher.com",
        # Numbers in digits alone are other numbers, which someone may own.
        "11188.com.cn",
        "10036.cn",
        "65516.com",
        # Letters that stand for no digit.
        "1xx88.com.cn",
        # A long name read through shapes, but under another suffix.
        "dlidiglobal.net",
        # A long name with a letter of another shape and one left out: no reading.
        "didaglobl.com",
    ],
)
def test_look_alike_shapes_need_evidence(shapes_index: RegistryIndex, value: str) -> None:
    result = check(value, shapes_index)
    assert (result.verdict, result.impersonates) == ("unverified", None), _codes(result)


@pytest.mark.parametrize(
    "value", ["https://www.weather-report.org/", "alipya.com", "pinduoduo-kefu.com", "a@b.cn"]
)
def test_an_empty_registry_has_nothing_to_imitate(value: str) -> None:
    # A registry emptied by an import used to crash every link check: its automaton had no word.
    empty = RegistryIndex.build([], [])
    assert check(value, empty).verdict == "unverified"
    assert [f.verdict.verdict for f in scan(f"客服 {value}", empty).findings] == ["unverified"]
