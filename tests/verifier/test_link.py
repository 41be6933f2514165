"""Links and e-mail addresses (verifier/core/link.py): the host that really receives the visit.

The second half judges links with check() against the small hand-built registry of
tests/conftest.py, never the shipped data.
"""

from __future__ import annotations

import pytest

from verifier.core.check import check
from verifier.core.index import Channel, Platform, RegistryIndex
from verifier.core.link import InvalidLink, normalize_email, normalize_host, normalize_link


@pytest.mark.parametrize(
    ("value", "normalized", "host", "registrable"),
    [
        # No scheme: http is assumed.
        ("icbc.com.cn", "http://icbc.com.cn/", "icbc.com.cn", "icbc.com.cn"),
        # With a scheme.
        ("https://icbc.com.cn", "https://icbc.com.cn/", "icbc.com.cn", "icbc.com.cn"),
        # Upper case scheme and host; the path keeps its case.
        (
            "HTTPS://WWW.ICBC.COM.CN/X",
            "https://www.icbc.com.cn/X",
            "www.icbc.com.cn",
            "icbc.com.cn",
        ),
        # The trailing dot of a fully qualified name.
        ("https://www.icbc.com.cn./", "https://www.icbc.com.cn/", "www.icbc.com.cn", "icbc.com.cn"),
        # The ideographic full stop typed by a Chinese input method.
        ("icbc。com。cn", "http://icbc.com.cn/", "icbc.com.cn", "icbc.com.cn"),
        # Full-width letters and full stops.
        ("ｉｃｂｃ．ｃｏｍ．ｃｎ", "http://icbc.com.cn/", "icbc.com.cn", "icbc.com.cn"),
        # A scheme-relative link.
        ("//icbc.com.cn/x", "http://icbc.com.cn/x", "icbc.com.cn", "icbc.com.cn"),
        # The query is kept, the fragment (never sent to the server) is dropped.
        (
            "www.icbc.com.cn/x?y=1#frag",
            "http://www.icbc.com.cn/x?y=1",
            "www.icbc.com.cn",
            "icbc.com.cn",
        ),
        # User info: everything before "@" is a user name, the visit goes to evil.top.
        ("https://icbc.com.cn@evil.top/", "https://evil.top/", "evil.top", "evil.top"),
        # User name and password.
        ("https://user:pw@evil.top/", "https://evil.top/", "evil.top", "evil.top"),
        # The default port is dropped...
        ("https://icbc.com.cn:443/", "https://icbc.com.cn/", "icbc.com.cn", "icbc.com.cn"),
        ("http://icbc.com.cn:80/a", "http://icbc.com.cn/a", "icbc.com.cn", "icbc.com.cn"),
        # ...an unusual one is kept.
        ("https://icbc.com.cn:8443/", "https://icbc.com.cn:8443/", "icbc.com.cn", "icbc.com.cn"),
        # A port without a scheme is not mistaken for a scheme.
        ("example.com:8080/x", "http://example.com:8080/x", "example.com", "example.com"),
        # A percent-encoded host: %65 is "e".
        ("https://%65vil.top/", "https://evil.top/", "evil.top", "evil.top"),
        # An IDN in Unicode becomes punycode...
        ("https://中国.cn/", "https://xn--fiqs8s.cn/", "xn--fiqs8s.cn", "xn--fiqs8s.cn"),
        # ...and punycode stays punycode, whatever its case.
        ("https://XN--FIQS8S.CN", "https://xn--fiqs8s.cn/", "xn--fiqs8s.cn", "xn--fiqs8s.cn"),
        # A private (hosting) suffix: each user's site is its own registrable domain.
        ("foo.github.io", "http://foo.github.io/", "foo.github.io", "foo.github.io"),
        (
            "https://a.b.foo.github.io/x",
            "https://a.b.foo.github.io/x",
            "a.b.foo.github.io",
            "foo.github.io",
        ),
        # IPv4 and IPv6 literals have no registrable domain.
        ("http://1.2.3.4/login", "http://1.2.3.4/login", "1.2.3.4", ""),
        ("http://[2001:DB8::1]:8080/x", "http://[2001:db8::1]:8080/x", "2001:db8::1", ""),
    ],
)
def test_normalize_link(value: str, normalized: str, host: str, registrable: str) -> None:
    link = normalize_link(value)
    assert (link.normalized, link.host, link.registrable) == (normalized, host, registrable)


def test_idn_in_unicode_and_punycode_give_the_same_host() -> None:
    unicode, punycode = normalize_link("https://中国.cn/"), normalize_link("xn--fiqs8s.cn")
    assert unicode.host == punycode.host == "xn--fiqs8s.cn"
    # People are shown the Unicode form.
    assert unicode.display_host == punycode.display_host == "中国.cn"


@pytest.mark.parametrize(
    ("value", "field", "expected"),
    [
        # User info is recorded, so that check() can explain the trick.
        ("https://icbc.com.cn@evil.top/", "had_userinfo", True),
        ("https://evil.top/", "had_userinfo", False),
        # Ports: None when default or absent.
        ("https://icbc.com.cn:8443/", "port", 8443),
        ("https://icbc.com.cn:443/", "port", None),
        ("http://icbc.com.cn/", "port", None),
        # IP literals.
        ("http://1.2.3.4/", "is_ip", True),
        ("http://[::1]/", "is_ip", True),
        ("http://icbc.com.cn/", "is_ip", False),
        # Private suffixes.
        ("foo.github.io", "private_suffix", True),
        ("icbc.com.cn", "private_suffix", False),
        # Scheme, lower-cased, http by default.
        ("HTTPS://icbc.com.cn", "scheme", "https"),
        ("icbc.com.cn", "scheme", "http"),
    ],
)
def test_link_flags(value: str, field: str, expected: object) -> None:
    assert getattr(normalize_link(value), field) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        # Runs code in the page: never a site to visit.
        ("javascript:alert(1)", "dangerous_scheme"),
        # Case does not hide it.
        ("JavaScript:alert(1)", "dangerous_scheme"),
        # Full-width letters do not hide it either.
        ("ｊａｖａｓｃｒｉｐｔ:alert(1)", "dangerous_scheme"),
        # Embedded content.
        ("data:text/html,<script>alert(1)</script>", "dangerous_scheme"),
        ("vbscript:msgbox", "dangerous_scheme"),
        # Other schemes cannot be judged.
        ("ftp://example.com/", "unsupported_scheme"),
        # A suffix that is no top-level domain.
        ("example.invalidtld", "unknown_suffix"),
        # No dot at all.
        ("localhost", "not_a_link"),
        ("http://localhost/", "not_a_link"),
        # White space inside.
        ("icbc com", "not_a_link"),
        # Empty.
        ("", "not_a_link"),
        # A scheme and nothing else.
        ("http://", "not_a_link"),
        ("https:///x", "not_a_link"),
        # Broken IPv6 brackets.
        ("http://[::1", "bad_host"),
        # A port out of range.
        ("http://a.com:99999/", "bad_host"),
        # Broken punycode.
        ("https://xn--zz.cn/", "bad_host"),
        # A label with characters no host name may contain.
        ("https://ic!bc.com.cn/", "bad_host"),
    ],
)
def test_invalid_links_name_the_reason(value: str, code: str) -> None:
    with pytest.raises(InvalidLink) as caught:
        normalize_link(value)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("raw", "host"),
    [
        # Upper case, ideographic full stops and a trailing dot.
        ("ICBC。COM。CN.", "icbc.com.cn"),
        # Unicode to punycode.
        ("中国.cn", "xn--fiqs8s.cn"),
        # Full-width letters (NFKC).
        ("ｅｘａｍｐｌｅ.com", "example.com"),
        # Percent-encoding.
        ("%65vil.top", "evil.top"),
        # German IDN.
        ("bücher.de", "xn--bcher-kva.de"),
    ],
)
def test_normalize_host(raw: str, host: str) -> None:
    assert normalize_host(raw) == host


@pytest.mark.parametrize("raw", ["", ".", "a..b", "-a.com", "a-.com", "a b.com", "x" * 64 + ".com"])
def test_bad_hosts_are_refused(raw: str) -> None:
    with pytest.raises(InvalidLink):
        normalize_host(raw)


@pytest.mark.parametrize(
    ("value", "normalized", "host"),
    [
        # Lower-cased as a whole.
        ("Service@ICBC.com.cn", "service@icbc.com.cn", "icbc.com.cn"),
        # A mailto: link.
        ("mailto:a@b.cn", "a@b.cn", "b.cn"),
        # An IDN domain becomes punycode.
        ("x@中国.cn", "x@xn--fiqs8s.cn", "xn--fiqs8s.cn"),
        # A full-width at sign.
        ("service＠icbc.com.cn", "service@icbc.com.cn", "icbc.com.cn"),
    ],
)
def test_normalize_email(value: str, normalized: str, host: str) -> None:
    email = normalize_email(value)
    assert (email.normalized, email.link.host) == (normalized, host)


@pytest.mark.parametrize(
    "value",
    [
        # No local part, no domain, no "@".
        "@b.cn",
        "a@",
        "icbc.com.cn",
        # White space in the local part.
        "a b@c.cn",
        # An IP address as the domain.
        "a@1.2.3.4",
        # A path after the domain.
        "a@b.cn/x",
        # A port after the domain.
        "a@b.cn:25",
    ],
)
def test_invalid_email_addresses(value: str) -> None:
    with pytest.raises(InvalidLink) as caught:
        normalize_email(value)
    assert caught.value.code == "not_an_email_address"


# --- judged by check() against the small registry ---------------------------------------------


@pytest.mark.parametrize(
    ("value", "verdict", "platform", "impersonates", "codes"),
    [
        # ICBC's registered domain, any writing.
        ("icbc.com.cn", "official", "icbc", None, ["official_channel"]),
        ("HTTPS://ICBC.COM.CN./", "official", "icbc", None, ["official_channel"]),
        ("icbc。com。cn", "official", "icbc", None, ["official_channel"]),
        ("ｉｃｂｃ．ｃｏｍ．ｃｎ", "official", "icbc", None, ["official_channel"]),
        # A subdomain of a subdomain-scope channel.
        ("https://www.icbc.com.cn/x", "official", "icbc", None, ["official_domain"]),
        # Exact scope: only that host is official...
        ("https://pay.weixin.qq.com/x", "official", "wechat-pay", None, ["official_channel"]),
        # ...not the domains above it...
        ("https://www.qq.com/", "unverified", None, None, ["not_in_registry"]),
        ("weixin.qq.com", "unverified", None, None, ["not_in_registry"]),
        ("qq.com", "unverified", None, None, ["not_in_registry"]),
        # ...and not the hosts below it.
        ("www.pay.weixin.qq.com", "unverified", None, None, ["not_in_registry"]),
        # The "@" trick shows ICBC's domain but opens evil.top.
        (
            "https://icbc.com.cn@evil.top/",
            "lookalike",
            None,
            "icbc",
            ["userinfo_in_link", "impersonates_platform"],
        ),
        # User info that names no registered domain is still explained.
        (
            "https://user@evil.top/",
            "unverified",
            None,
            None,
            ["userinfo_in_link", "not_in_registry"],
        ),
        # An unusual port on an official host is explained, not hidden.
        (
            "https://icbc.com.cn:8443/",
            "official",
            "icbc",
            None,
            ["unusual_port", "official_channel"],
        ),
        # The default port is no red flag.
        ("https://icbc.com.cn:443/", "official", "icbc", None, ["official_channel"]),
        # IP literals.
        # IP literals: no name, no owner; a concrete trick.
        ("http://1.2.3.4/login", "suspicious", None, None, ["ip_address_host"]),
        ("http://[::1]/", "suspicious", None, None, ["ip_address_host"]),
        # A blocklisted host, and a host below it, are known scams.
        (
            "https://hk.alipayc05.cc/x",
            "known_scam",
            None,
            "icbc",
            ["known_scam", "impersonates_platform"],
        ),
        (
            "https://login.hk.alipayc05.cc/",
            "known_scam",
            None,
            "icbc",
            ["known_scam", "impersonates_platform"],
        ),
        # The domain above a blocklisted host is not itself blocklisted.
        ("https://alipayc05.cc/", "unverified", None, None, ["not_in_registry"]),
        # A free-hosting site is someone's own site, not its host's; the suffix is flagged.
        ("foo.github.io", "unverified", None, None, ["free_hosting_suffix", "not_in_registry"]),
        # Code, not a site.
        ("javascript:alert(1)", "suspicious", None, None, ["dangerous_scheme"]),
        ("data:text/html,hi", "suspicious", None, None, ["dangerous_scheme"]),
        # Unknown suffix.
        ("example.invalidtld", "invalid", None, None, ["unknown_suffix"]),
        # Nothing after the scheme.
        ("http://", "invalid", None, None, ["not_a_link"]),
    ],
)
def test_links_are_judged(
    small_index: RegistryIndex,
    value: str,
    verdict: str,
    platform: str | None,
    impersonates: str | None,
    codes: list[str],
) -> None:
    result = check(value, small_index)
    assert result.kind == "url"
    assert result.verdict == verdict
    assert (result.platform.slug if result.platform else None) == platform
    assert (result.impersonates.slug if result.impersonates else None) == impersonates
    assert [r.code for r in result.reasons] == codes


def test_known_scam_link_offers_the_impersonated_platforms_channels(
    small_index: RegistryIndex,
) -> None:
    result = check("https://login.hk.alipayc05.cc/", small_index)
    assert (result.verdict, result.risk) == ("known_scam", "danger")
    icbc = small_index.platform("icbc")
    assert icbc is not None
    # Active channels only: the retired line is not something to use instead.
    assert [(c.kind, c.value) for c in result.official_channels] == [
        (c.kind, c.value) for c in icbc.active_channels()
    ]
    assert "+864000001234" not in {c.value for c in result.official_channels}


def test_userinfo_lookalike_is_danger_and_names_the_real_host(small_index: RegistryIndex) -> None:
    result = check("https://icbc.com.cn@evil.top/", small_index, lang="en")
    assert (result.verdict, result.risk, result.normalized) == (
        "lookalike",
        "danger",
        "https://evil.top/",
    )
    assert "evil.top" in result.reasons[0].message
    assert {c.value for c in result.official_channels} >= {"95588", "icbc.com.cn"}


def test_userinfo_on_an_official_host_is_not_a_lookalike(small_index: RegistryIndex) -> None:
    # "pinduoduo.com@icbc.com.cn" really opens ICBC's site: explained, but still official.
    result = check("https://pinduoduo.com@icbc.com.cn/", small_index)
    assert result.verdict == "official"
    assert result.platform is not None and result.platform.slug == "icbc"
    assert [r.code for r in result.reasons] == ["userinfo_in_link", "official_channel"]


def test_idn_and_punycode_are_judged_alike() -> None:
    index = RegistryIndex.build(
        [Platform("cn-nic", "中国", channels=(Channel("domain", "xn--fiqs8s.cn"),))]
    )
    for written in ("https://中国.cn/", "xn--fiqs8s.cn", "https://www.中国.cn/"):
        result = check(written, index)
        assert result.verdict == "official", written
        assert result.platform is not None and result.platform.slug == "cn-nic"
