"""URL shorteners (verifier/core/shorteners.py): a link whose destination cannot be seen.

check() cases run against a small registry built here, never the shipped data.
"""

from __future__ import annotations

import pytest

from verifier.core.check import check
from verifier.core.index import Channel, Platform, RegistryIndex
from verifier.core.link import normalize_host
from verifier.core.shorteners import SHORTENERS, is_shortener


@pytest.fixture(scope="module")
def index() -> RegistryIndex:
    icbc = Platform(
        "icbc",
        "中国工商银行",
        "ICBC",
        phone_support="listed",
        channels=(Channel("domain", "icbc.com.cn"), Channel("phone", "95588")),
    )
    return RegistryIndex.build([icbc])


@pytest.mark.parametrize(
    ("host", "shortener"),
    [
        # International shorteners.
        ("bit.ly", True),
        ("tinyurl.com", True),
        # Chinese shorteners.
        ("t.cn", True),
        ("url.cn", True),
        # A host below a shortener.
        ("www.bit.ly", True),
        ("www.t.cn", True),
        # A site that only starts with a shortener's name.
        ("bit.ly.evil.top", False),
        # A name that ends like one, but is another domain.
        ("notbit.ly", False),
        ("st.cn", False),
        # An ordinary site.
        ("alipay.com", False),
        # A bare suffix.
        ("ly", False),
    ],
)
def test_is_shortener(host: str, shortener: bool) -> None:
    assert is_shortener(host) is shortener


@pytest.mark.parametrize("host", sorted(SHORTENERS))
def test_shorteners_are_listed_as_normalised_hosts(host: str) -> None:
    # A host is compared as check() writes it: lower-case punycode, no trailing dot.
    assert normalize_host(host) == host


@pytest.mark.parametrize(
    ("value", "claimed", "verdict", "impersonates"),
    [
        # A short link: its destination cannot be verified.
        ("https://bit.ly/3abcd", None, "suspicious", None),
        # Without a scheme.
        ("t.cn/A6xyz", None, "suspicious", None),
        # In capitals.
        ("HTTPS://BIT.LY/3abcd", None, "suspicious", None),
        # A brand in the path proves nothing about where it leads.
        ("https://t.cn/icbc-refund", None, "suspicious", None),
        # Presented as ICBC's site: it is not one of ICBC's domains.
        ("https://bit.ly/3abcd", "icbc", "suspicious", "icbc"),
    ],
)
def test_short_links_cannot_be_verified(
    index: RegistryIndex, value: str, claimed: str | None, verdict: str, impersonates: str | None
) -> None:
    result = check(value, index, claimed=claimed)
    assert (result.verdict, result.risk) == (verdict, "caution")
    assert getattr(result.impersonates, "slug", None) == impersonates
    assert "url_shortener" in [r.code for r in result.reasons]


@pytest.mark.parametrize(
    ("lang", "parts"),
    [
        # Names the shortener, says it cannot be verified, and says what to do instead.
        ("en", ["bit.ly", "cannot be verified", "official app"]),
        ("zh", ["bit.ly", "无法核实", "官方 App"]),
    ],
)
def test_shortener_message_says_what_to_do(
    index: RegistryIndex, lang: str, parts: list[str]
) -> None:
    result = check("https://bit.ly/3abcd", index, lang=lang)
    message = next(r.message for r in result.reasons if r.code == "url_shortener")
    for part in parts:
        assert part in message
