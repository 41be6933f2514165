"""Numbers that lean on an official one, and numbers presented as a platform's
(verifier/core/phone_flags.py, and how check.py turns them into verdicts and reasons).

Every case runs against a small registry built here, never the shipped data.
"""

from __future__ import annotations

import pytest
from small_registry import domain_channel as _domain
from small_registry import phone_channel as _phone

from verifier.core.check import check
from verifier.core.index import Channel, Platform, RegistryIndex
from verifier.core.messages import REASON_MESSAGES
from verifier.core.phone_flags import digits_of, find_number_trick
from verifier.core.verdict import Verdict

PLATFORMS = (
    Platform(
        "icbc",
        "中国工商银行",
        "ICBC",
        phone_support="listed",
        channels=(_phone("95588"), _domain("icbc.com.cn")),
    ),
    # Two more banks one digit from ICBC's number: 95589 is near all three.
    Platform(
        "bocom",
        "交通银行",
        "Bank of Communications",
        phone_support="listed",
        channels=(_phone("95559"), _domain("bankcomm.com")),
    ),
    Platform(
        "abc",
        "中国农业银行",
        "Agricultural Bank of China",
        phone_support="listed",
        channels=(_phone("95599"), _domain("abchina.com")),
    ),
    Platform(
        "alipay",
        "支付宝",
        "Alipay",
        phone_support="listed",
        channels=(_phone("95188"), _domain("alipay.com")),
    ),
    # A number no longer in use is no longer leaned on.
    Platform(
        "oldbank",
        "旧银行",
        "Old Bank",
        phone_support="listed",
        channels=(Channel("phone", "95577", status="retired"),),
    ),
    # A three-digit number: too short to mean anything inside a longer one.
    Platform("police", "公安", "Police", phone_support="listed", channels=(_phone("110"),)),
    # Whether it has a customer-service number is not known.
    Platform(
        "pinduoduo",
        "拼多多",
        "Pinduoduo",
        phone_support="unknown",
        channels=(_domain("pinduoduo.com"),),
    ),
    # It has no phone support at all.
    Platform("douyin", "抖音", "Douyin", phone_support="none", channels=(_domain("douyin.com"),)),
)


@pytest.fixture(scope="module")
def index() -> RegistryIndex:
    return RegistryIndex.build(PLATFORMS, version=5)


def _codes(result: Verdict) -> list[str]:
    return [r.code for r in result.reasons]


def _slug(ref: object) -> str | None:
    return getattr(ref, "slug", None)


# --- find_number_trick -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("digits", "code", "official", "owners", "detail"),
    [
        # An international-call prefix in front of ICBC's short number: a spoofing tell.
        ("0095588", "official_number_with_extra_digits", "95588", ["icbc"], "00"),
        # Digits after the short number ("95588 1234").
        ("955881234", "official_number_with_extra_digits", "95588", ["icbc"], "1234"),
        # Two digits in front.
        ("1195588", "official_number_with_extra_digits", "95588", ["icbc"], "11"),
        # Four added digits: the most that still counts.
        ("000095588", "official_number_with_extra_digits", "95588", ["icbc"], "0000"),
        # One digit appended: the "one digit away" example (955880 against 95588).
        ("955880", "near_official_number", "95588", ["icbc"], "0"),
        # One digit changed (8→0).
        ("95580", "near_official_number", "95588", ["icbc"], "8→0"),
        # One digit dropped.
        ("9558", "near_official_number", "95588", ["icbc"], "8"),
        # One digit changed in Alipay's number.
        ("95187", "near_official_number", "95188", ["alipay"], "8→7"),
        # 95589 is one digit from ICBC's, BoCom's and ABC's numbers: no single owner, every
        # near number named.
        (
            "95589",
            "near_official_number",
            "95559/95588/95599",
            ["bocom", "icbc", "abc"],
            "",
        ),
    ],
)
def test_number_tricks(
    index: RegistryIndex, digits: str, code: str, official: str, owners: list[str], detail: str
) -> None:
    trick = find_number_trick(digits, index)
    assert trick is not None
    assert (trick.code, trick.official, trick.detail) == (code, official, detail)
    assert sorted(p.slug for p in trick.platforms) == sorted(owners)


@pytest.mark.parametrize(
    "digits",
    [
        # A registered number itself.
        "95588",
        "95188",
        # A long landline that happens to end in 95588: nine digits before it, not a tell.
        "02112345695588",
        # Five added digits are already too many.
        "1234595588",
        # 95588 in the middle of a long number.
        "0109558812",
        # An ordinary mobile number.
        "13800138000",
        # A retired number is not leaned on.
        "0095577",
        # Three-digit numbers (110) are too short to lean on.
        "0110",
        "1101",
        # Two digits from every official number.
        "95500",
        # Nothing at all.
        "",
    ],
)
def test_numbers_that_lean_on_nothing(index: RegistryIndex, digits: str) -> None:
    assert find_number_trick(digits, index) is None


def test_no_trick_without_official_short_numbers() -> None:
    # A registry with no short numbers has nothing to lean on.
    empty = RegistryIndex.build([Platform("web", "网站", channels=(_domain("web.cn"),))])
    assert find_number_trick("0095588", empty) is None


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        # Spaces.
        ("95588 1234", "955881234"),
        # Plus, brackets and hyphens.
        ("+86 (21) 5555-0100", "862155550100"),
        # No digits.
        ("kefu", ""),
    ],
)
def test_digits_of(text: str, digits: str) -> None:
    assert digits_of(text) == digits


# --- through check(): verdicts and reasons ------------------------------------------------------


PHONE_CASES = [
    # An official short number with a prefix: imitates its owner.
    ("0095588", None, "lookalike", "danger", "icbc", ["official_number_with_extra_digits"]),
    # The same, typed in full-width digits.
    ("００９５５８８", None, "lookalike", "danger", "icbc", ["official_number_with_extra_digits"]),
    # Digits after it.
    ("95588 1234", None, "lookalike", "danger", "icbc", ["official_number_with_extra_digits"]),
    # One digit away from a single official number.
    ("95580", None, "lookalike", "danger", "icbc", ["near_official_number"]),
    # One digit away from several: a concrete trick, but no single platform imitated.
    ("95589", None, "suspicious", "danger", None, ["near_official_number"]),
    # Presented as ICBC, whose numbers are listed: any other number is a fake.
    (
        "13800138000",
        "icbc",
        "lookalike",
        "danger",
        "icbc",
        ["not_listed_for_claimed", "personal_mobile_as_hotline"],
    ),
    # A number abroad presented as ICBC's hotline.
    (
        "+1 415 555 0100",
        "icbc",
        "lookalike",
        "danger",
        "icbc",
        ["not_listed_for_claimed", "foreign_number_as_hotline"],
    ),
    # A Hong Kong number is abroad for a platform registered in mainland China.
    (
        "+852 2189 5588",
        "icbc",
        "lookalike",
        "danger",
        "icbc",
        ["not_listed_for_claimed", "foreign_number_as_hotline"],
    ),
    # One digit off ICBC's number, presented as ICBC's: both the claim and the trick are named.
    (
        "955880",
        "icbc",
        "lookalike",
        "danger",
        "icbc",
        ["not_listed_for_claimed", "near_official_number"],
    ),
    # Presented as Pinduoduo, whose phone support is not known: suspicious, not proven fake.
    (
        "13800138000",
        "pinduoduo",
        "suspicious",
        "caution",
        "pinduoduo",
        ["not_listed_for_claimed", "platform_phone_unknown", "personal_mobile_as_hotline"],
    ),
    # Presented as Douyin, which has no phone support: any number is fake.
    (
        "13800138000",
        "douyin",
        "lookalike",
        "danger",
        "douyin",
        ["not_listed_for_claimed", "platform_has_no_phone", "personal_mobile_as_hotline"],
    ),
    # A 400 number presented as Douyin's: the prefix proves nothing either.
    (
        "+86 400 123 4567",
        "douyin",
        "lookalike",
        "danger",
        "douyin",
        ["not_listed_for_claimed", "platform_has_no_phone", "business_number_anyone_can_rent"],
    ),
]


@pytest.mark.parametrize(
    ("value", "claimed", "verdict", "risk", "impersonates", "codes"), PHONE_CASES
)
def test_phone_verdicts(
    index: RegistryIndex,
    value: str,
    claimed: str | None,
    verdict: str,
    risk: str,
    impersonates: str | None,
    codes: list[str],
) -> None:
    result = check(value, index, claimed=claimed)
    assert (result.verdict, result.risk, _slug(result.impersonates)) == (
        verdict,
        risk,
        impersonates,
    ), _codes(result)
    assert set(codes) <= set(_codes(result)), _codes(result)


@pytest.mark.parametrize(
    ("value", "claimed", "code", "named"),
    [
        # The owner of the official number leaned on.
        ("0095588", None, "official_number_with_extra_digits", ["icbc"]),
        # The owner, even when the number is presented as another platform's.
        ("0095588", "alipay", "official_number_with_extra_digits", ["icbc"]),
        ("95580", None, "near_official_number", ["icbc"]),
        # Every owner of every number it is near.
        ("95589", None, "near_official_number", ["icbc", "bocom", "abc"]),
        # The platform it is presented as.
        ("13800138000", "icbc", "not_listed_for_claimed", ["icbc"]),
        ("13800138000", "icbc", "personal_mobile_as_hotline", ["icbc"]),
        ("+1 415 555 0100", "icbc", "foreign_number_as_hotline", ["icbc"]),
        ("13800138000", "pinduoduo", "platform_phone_unknown", ["pinduoduo"]),
        ("13800138000", "douyin", "platform_has_no_phone", ["douyin"]),
    ],
)
def test_phone_reasons_name_the_platform(
    index: RegistryIndex, value: str, claimed: str | None, code: str, named: list[str]
) -> None:
    for lang, template in zip(("zh", "en"), REASON_MESSAGES[code], strict=True):
        result = check(value, index, claimed=claimed, lang=lang)
        messages = [r.message for r in result.reasons if r.code == code]
        assert len(messages) == 1, (lang, _codes(result))
        assert "{" not in messages[0]
        if "{platform}" not in template:
            continue  # see test_personal_mobile_message_names_the_platform
        for slug in named:
            platform = index.platform(slug)
            assert platform is not None
            assert platform.name(lang) in messages[0], (lang, messages[0])


@pytest.mark.parametrize(
    ("value", "code", "parts"),
    [
        # The official number and what was added to it.
        ("0095588", "official_number_with_extra_digits", ["95588", "00"]),
        ("95588 1234", "official_number_with_extra_digits", ["95588", "1234"]),
        # The official number it is one digit from.
        ("95580", "near_official_number", ["95588"]),
        # Every official number it is one digit from.
        ("95589", "near_official_number", ["95559", "95588", "95599"]),
    ],
)
def test_number_trick_messages_name_the_official_number(
    index: RegistryIndex, value: str, code: str, parts: list[str]
) -> None:
    for lang in ("zh", "en"):
        result = check(value, index, lang=lang)
        message = next(r.message for r in result.reasons if r.code == code)
        for part in parts:
            assert part in message, (lang, message)


def test_foreign_number_message_names_the_region(index: RegistryIndex) -> None:
    for lang in ("zh", "en"):
        result = check("+1 415 555 0100", index, claimed="icbc", lang=lang)
        message = next(r.message for r in result.reasons if r.code == "foreign_number_as_hotline")
        assert "US" in message


@pytest.mark.parametrize(
    ("value", "claimed", "lang"),
    [
        # The mobile-number reason names the platform it is presented as, in both languages.
        ("13800138000", "icbc", "zh"),
        ("13800138000", "icbc", "en"),
    ],
)
def test_personal_mobile_message_names_the_platform(
    index: RegistryIndex, value: str, claimed: str, lang: str
) -> None:
    result = check(value, index, claimed=claimed, lang=lang)
    message = next(r.message for r in result.reasons if r.code == "personal_mobile_as_hotline")
    icbc = index.platform("icbc")
    assert icbc is not None
    assert icbc.name(lang) in message


@pytest.mark.parametrize(
    ("value", "claimed", "verdict", "codes"),
    [
        # A registered number is official, claimed by its owner or not.
        ("95588", None, "official", ["official_channel"]),
        ("95588", "icbc", "official", ["official_channel"]),
        # A mobile number with nothing claimed: unverified, not accused.
        ("13800138000", None, "unverified", ["not_in_registry"]),
        # A Shanghai landline that happens to end in 95588 is not a trick.
        ("021 5229 5588", None, "unverified", ["not_in_registry"]),
    ],
)
def test_numbers_that_are_not_flagged(
    index: RegistryIndex, value: str, claimed: str | None, verdict: str, codes: list[str]
) -> None:
    result = check(value, index, claimed=claimed)
    assert result.verdict == verdict
    assert set(codes) <= set(_codes(result))
    flags = {
        "official_number_with_extra_digits",
        "near_official_number",
        "personal_mobile_as_hotline",
        "foreign_number_as_hotline",
    }
    assert not flags & set(_codes(result))
