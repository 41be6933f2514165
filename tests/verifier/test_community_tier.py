"""The community tier (Channel.trust, Platform.trust): entries from community data sets are named,
never answered as official.

A small registry built here: ICBC with verified channels and one community-listed number, and a
regional bank that only a community phone book and a community domain list know.
"""

from __future__ import annotations

import dataclasses

import pytest
from small_registry import domain_channel, phone_channel

from verifier.core.check import check
from verifier.core.index import Channel, Platform, RegistryIndex
from verifier.core.scan import scan

COMMUNITY_SOURCE = "https://github.com/metowolf/vCards/blob/b1a346c/data/bank/hzbank.yaml"


def _community(channel: Channel) -> Channel:
    return dataclasses.replace(
        channel, trust="community", source=COMMUNITY_SOURCE, verified_on="2025-06-01"
    )


ICBC = Platform(
    "icbc",
    "中国工商银行",
    "ICBC",
    aliases=("工商银行", "工行"),
    category="bank",
    phone_support="listed",
    channels=(
        phone_channel("95588"),
        domain_channel("icbc.com.cn"),
        _community(phone_channel("+864006695588")),
    ),
)
HZBANK = Platform(
    "hzbank",
    "杭州银行",
    "Bank of Hangzhou",
    aliases=("杭州银行",),
    category="bank",
    phone_support="listed",
    channels=(_community(phone_channel("95398")), _community(domain_channel("hzbank.com.cn"))),
    trust="community",
)


@pytest.fixture(scope="module")
def index() -> RegistryIndex:
    return RegistryIndex.build([ICBC, HZBANK], version=3)


def test_a_number_only_the_community_lists_is_named_but_not_official(index: RegistryIndex) -> None:
    verdict = check("95398", index, lang="en")
    assert (verdict.verdict, verdict.risk, verdict.trust) == ("unverified", "caution", "community")
    assert verdict.platform is not None and verdict.platform.slug == "hzbank"
    assert [r.code for r in verdict.reasons] == ["community_listed"]
    message = verdict.reasons[0].message
    assert "community phone book" in message and "not yet verified" in message
    assert COMMUNITY_SOURCE in message
    # What to use instead: the bank's own entries, each marked as community.
    assert {(c.value, c.trust) for c in verdict.official_channels} == {
        ("95398", "community"),
        ("hzbank.com.cn", "community"),
    }
    assert verdict.to_dict()["trust"] == "community"


def test_the_chinese_wording_says_unverified_by_moderators(index: RegistryIndex) -> None:
    message = check("95398", index).reasons[0].message
    assert "社区电话簿" in message and "尚未核实" in message


def test_a_verified_number_stays_plainly_official(index: RegistryIndex) -> None:
    verdict = check("95588", index)
    assert (verdict.verdict, verdict.risk, verdict.trust) == ("official", "safe", "verified")
    # A platform with verified channels recommends only those.
    assert {c.trust for c in verdict.official_channels} == {"verified"}
    assert "+864006695588" not in {c.value for c in verdict.official_channels}


def test_a_community_number_of_a_verified_platform_is_not_official(index: RegistryIndex) -> None:
    verdict = check("400-669-5588", index)
    assert (verdict.verdict, verdict.trust) == ("unverified", "community")
    assert verdict.platform is not None and verdict.platform.slug == "icbc"
    assert [r.code for r in verdict.reasons] == ["community_listed"]


def test_a_community_domain_and_its_addresses(index: RegistryIndex) -> None:
    site = check("https://www.hzbank.com.cn/", index, lang="en")
    assert (site.verdict, site.trust) == ("unverified", "community")
    assert [r.code for r in site.reasons] == ["community_listed_domain"]
    email = check("service@hzbank.com.cn", index, lang="en")
    assert (email.verdict, email.trust) == ("unverified", "community")
    assert email.platform is not None and email.platform.slug == "hzbank"


def test_a_verified_entry_wins_over_a_community_one_for_the_same_value() -> None:
    other = dataclasses.replace(
        HZBANK, slug="other-bank", channels=(_community(phone_channel("95588")),)
    )
    verdict = check("95588", RegistryIndex.build([ICBC, other]))
    assert (verdict.verdict, verdict.trust) == ("official", "verified")
    assert verdict.platform is not None and verdict.platform.slug == "icbc"


def test_a_claim_of_another_platform_is_still_flagged(index: RegistryIndex) -> None:
    verdict = check("95398", index, claimed="icbc")
    assert verdict.verdict == "suspicious"
    assert "claimed_platform_mismatch" in [r.code for r in verdict.reasons]


def test_a_lookalike_of_a_community_only_bank_is_caught(index: RegistryIndex) -> None:
    verdict = check("hzbank.com.cn.verify-login.top", index)
    assert verdict.verdict == "lookalike"
    assert verdict.impersonates is not None and verdict.impersonates.slug == "hzbank"


def test_no_match_has_no_trust(index: RegistryIndex) -> None:
    verdict = check("4001234567", index)
    assert verdict.trust is None
    assert verdict.to_dict()["trust"] is None


def test_a_scan_presents_the_community_number_as_such(index: RegistryIndex) -> None:
    result = scan("杭州银行客服电话 95398，工商银行客服 95588。", index)
    by_value = {f.verdict.normalized: f.verdict for f in result.findings}
    assert (by_value["95398"].verdict, by_value["95398"].trust) == ("unverified", "community")
    assert (by_value["95588"].verdict, by_value["95588"].trust) == ("official", "verified")


def test_a_community_domain_resembling_a_verified_platform_says_both() -> None:
    # A community list gives this bank a host that reads as ICBC's customer service.
    odd = dataclasses.replace(
        HZBANK, channels=(*HZBANK.channels, _community(domain_channel("icbc-service.com")))
    )
    verdict = check("https://icbc-service.com/", RegistryIndex.build([ICBC, odd]), lang="en")
    assert (verdict.verdict, verdict.trust) == ("unverified", "community")
    assert verdict.platform is not None and verdict.platform.slug == "hzbank"
    codes = [r.code for r in verdict.reasons]
    assert codes == ["community_listed_domain", "community_domain_resembles"]
    assert "ICBC" in verdict.reasons[1].message and "icbc.com.cn" in verdict.reasons[1].message


def test_the_bank_s_own_community_domain_resembles_nobody(index: RegistryIndex) -> None:
    codes = [r.code for r in check("hzbank.com.cn", index).reasons]
    assert codes == ["community_listed_domain"]


# --- lookalikes: community names are matched by the precise rules only ------------------------

DIDI = Platform(
    "didi",
    "滴滴出行",
    "DiDi",
    category="ride-hailing",
    phone_support="listed",
    channels=(phone_channel("4000000999"), domain_channel("didichuxing.com")),
)
# A rival one letter away that only a phone book knows, and a company listed with one of its sites.
DIDA = Platform(
    "didachuxing",
    "嘀嗒出行",
    "",
    category="ride-hailing",
    phone_support="listed",
    channels=(_community(domain_channel("didachuxing.com")),),
    trust="community",
)
HSBC = Platform(
    "hsbc",
    "汇丰银行",
    "",
    category="bank",
    phone_support="listed",
    channels=(_community(phone_channel("95366")), _community(domain_channel("hsbc.com.cn"))),
    trust="community",
)
# A numeric name from a routing list.
EIGHTEEN = Platform(
    "eighteen",
    "十八",
    "",
    category="other",
    channels=(_community(domain_channel("18.cn")),),
    trust="community",
)


@pytest.fixture(scope="module")
def crowded() -> RegistryIndex:
    return RegistryIndex.build([ICBC, HZBANK, DIDI, DIDA, HSBC, EIGHTEEN])


@pytest.mark.parametrize(
    "host",
    [
        "hsbc.com",  # the company's own site under another suffix: a phone book lists one of many
        "hsbc.net",
        "hzbank.com",
        "hzbamk.com.cn",  # a typo of a community name: as often a neighbour's own name
        "hz-bank.com.cn",
        "18183.com",  # a community number-name inside another: another company's
        "hsbcbank.com",  # a community name with a word that is no bait
    ],
)
def test_community_names_do_not_make_lookalikes_of_ordinary_hosts(
    crowded: RegistryIndex, host: str
) -> None:
    verdict = check(host, crowded)
    assert verdict.verdict == "unverified", [r.code for r in verdict.reasons]
    assert verdict.impersonates is None


@pytest.mark.parametrize(
    ("host", "code"),
    [
        ("hsbc.com.cn.verify-login.top", "lookalike_official_domain_inside"),
        ("hsbc-kefu.com", "lookalike_brand_with_words"),
        ("hzbank-refund.cn", "lookalike_brand_with_words"),
        ("hzbank.secure-login.top", "lookalike_brand_in_subdomain"),
        ("hsbccom.cn", "lookalike_missing_dot"),
        ("hzb\u0430nk.com.cn", "lookalike_homoglyph"),  # Cyrillic а
    ],
)
def test_tricks_on_a_community_bank_are_still_caught(
    crowded: RegistryIndex, host: str, code: str
) -> None:
    verdict = check(host, crowded)
    assert verdict.verdict == "lookalike"
    assert verdict.impersonates is not None
    assert verdict.impersonates.slug in {"hsbc", "hzbank"}
    assert code in [r.code for r in verdict.reasons]


def test_a_typo_names_the_verified_platform_not_a_community_rival(crowded: RegistryIndex) -> None:
    # did1chuxing is one letter from DiDi's didichuxing and from the rival's didachuxing.
    verdict = check("did1chuxing.com", crowded)
    assert verdict.verdict == "lookalike"
    assert verdict.impersonates is not None and verdict.impersonates.slug == "didi"


def test_the_rival_s_own_domain_is_listed_and_resembles_didi(crowded: RegistryIndex) -> None:
    verdict = check("didachuxing.com", crowded)
    assert (verdict.verdict, verdict.trust) == ("unverified", "community")
    assert [r.code for r in verdict.reasons] == [
        "community_listed_domain",
        "community_domain_resembles",
    ]


# --- claims of a platform only the community tier knows ----------------------------------------


def test_a_number_presented_as_a_community_platform_s_is_no_impersonation(
    crowded: RegistryIndex,
) -> None:
    # A courier's own mobile, or a branch's line: a phone book lists some numbers, not all.
    verdict = check("13912345678", crowded, claimed="hzbank", lang="en")
    assert (verdict.verdict, verdict.risk) == ("unverified", "caution")
    assert verdict.impersonates is None
    assert [r.code for r in verdict.reasons] == ["community_platform_not_listed"]
    message = verdict.reasons[0].message
    assert "Bank of Hangzhou" in message and "community data set" in message


def test_a_link_presented_as_a_community_platform_s_is_no_impersonation(
    crowded: RegistryIndex,
) -> None:
    verdict = check("https://example.org/", crowded, claimed="hzbank")
    assert verdict.verdict == "unverified"
    assert "community_platform_not_listed" in [r.code for r in verdict.reasons]


def test_a_trick_number_presented_as_a_community_platform_s_is_still_a_lookalike(
    crowded: RegistryIndex,
) -> None:
    # 0095588 and 95588 with a digit added lean on ICBC's number, whoever they are presented as.
    for number in ("0095588", "955880"):
        verdict = check(number, crowded, claimed="hzbank")
        assert (verdict.verdict, verdict.risk) == ("lookalike", "danger"), number
        assert verdict.impersonates is not None and verdict.impersonates.slug == "hzbank"
        codes = [r.code for r in verdict.reasons]
        assert {"official_number_with_extra_digits", "near_official_number"} & set(codes), codes


def test_a_number_presented_as_a_verified_platform_s_is_still_flagged(
    crowded: RegistryIndex,
) -> None:
    verdict = check("13912345678", crowded, claimed="icbc")
    assert verdict.verdict == "lookalike"
    assert verdict.impersonates is not None and verdict.impersonates.slug == "icbc"
