"""v2fly domain lists (registry/community/domain_lists.py): parsing, includes, exclusion, index."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from registry.community.domain_lists import (
    SOURCE_COMMIT,
    DomainList,
    is_excluded_list,
    list_name_keys,
    lists_by_domain,
    load_domain_lists,
    name_token,
)

# The data set as published (see /work/shared/data/community/README.md); read-only.
#: The shared folder sits beside the checkout (../shared), as in CI.
REAL_DATA = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "community" / "domain-list-community"
)


def _tree(root: Path, **lists: str) -> Path:
    """A data folder with one file per keyword argument (``_`` in a name stands for ``-``)."""
    for name, text in lists.items():
        (root / name.replace("_", "-")).write_text(text, encoding="utf-8")
    return root


def _one(tmp_path: Path, text: str) -> DomainList:
    return load_domain_lists(_tree(tmp_path, only=text))["only"]


@pytest.mark.parametrize(
    ("text", "domains", "full", "skipped"),
    [
        # a plain rule: the domain and its subdomains
        ("example.com\n", ("example.com",), (), 0),
        # the same with the optional prefix
        ("domain:example.com\n", ("example.com",), (), 0),
        # exactly one host
        ("full:www.example.com\n", (), ("www.example.com",), 0),
        # patterns are not hosts: skipped and counted
        ("regexp:^ex[0-9]+\\.example\\.com$\nkeyword:example\n", (), (), 2),
        # comments, inline comments and blank lines give nothing and are not counted
        ("# heading\n\n  \nexample.com # the main site\n#example.org\n", ("example.com",), (), 0),
        # case, a trailing dot and surrounding white space are normalised away
        ("  EXAMPLE.COM.  \nFULL:WWW.Example.com\n", ("example.com",), ("www.example.com",), 0),
        # Unicode names become punycode; punycode is lower-cased
        ("中国.cn\nxn--80AGLFYFK.xn--p1ai\n", ("xn--80aglfyfk.xn--p1ai", "xn--fiqs8s.cn"), (), 0),
        # broken punycode (as in the real eduhk list) is not a host name
        ("xn--wcvs22d1m.hk\n", (), (), 1),
        # wildcards, empty values, unknown prefixes and extra colons are not rules
        ("*.example.com\nfull:\nhost:example.com\nfull:a:b\n", (), (), 4),
        # a stray word after the rule means the line is not what it seems
        ("example.com cn\nexample.org\n", ("example.org",), (), 1),
        # attributes are read and kept out of the host; an empty one spoils the line
        ("example.cn @cn\nexample.hk @!cn\nexample.mo @\n", ("example.cn", "example.hk"), (), 1),
        # advertising rules are dropped, whatever their kind, and not counted as skipped
        (
            "ads.example.com @ads\nfull:ad.example.com @cn @ads\nexample.com\n",
            ("example.com",),
            (),
            0,
        ),
        # an affiliation (&other) is ignored, the rule kept
        ("example.com &other\n", ("example.com",), (), 0),
        # duplicates collapse; output is sorted
        ("b.com\na.com\nb.com @cn\nB.COM\n", ("a.com", "b.com"), (), 0),
        # a bare top-level domain (a brand TLD) is a valid plain rule
        ("icbc\n", ("icbc",), (), 0),
    ],
)
def test_rules_are_parsed(
    tmp_path: Path, text: str, domains: tuple[str, ...], full: tuple[str, ...], skipped: int
) -> None:
    parsed = _one(tmp_path, text)
    assert (parsed.domains, parsed.full, parsed.skipped) == (domains, full, skipped)


def test_source_names_the_list_at_the_pinned_commit(tmp_path: Path) -> None:
    parsed = _one(tmp_path, "example.com\n")
    assert parsed.name == "only"
    assert parsed.source == (
        f"https://github.com/v2fly/domain-list-community/blob/{SOURCE_COMMIT}/data/only"
    )


def test_files_that_are_not_lists_are_ignored(tmp_path: Path) -> None:
    _tree(tmp_path, LICENSE="MIT License\n", acme="acme.com\n")
    (tmp_path / "README.md").write_text("# lists\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    assert list(load_domain_lists(tmp_path)) == ["acme"]


ATTRIBUTED = "both.cn @cn\nout.com @!cn\nin.cn @cn @!cn\nplain.com\nfull:www.plain.com @cn\n"


@pytest.mark.parametrize(
    ("include", "domains", "full"),
    [
        # no filter: every rule
        (
            "include:acme",
            ("both.cn", "in.cn", "out.com", "own.com", "plain.com"),
            ("www.plain.com",),
        ),
        # @cn: only rules carrying cn
        ("include:acme @cn", ("both.cn", "in.cn", "own.com"), ("www.plain.com",)),
        # @-!cn: only rules lacking !cn (how geolocation-cn takes a company's Chinese domains)
        ("include:acme @-!cn", ("both.cn", "own.com", "plain.com"), ("www.plain.com",)),
        # @!cn: only rules carrying !cn (how geolocation-!cn takes the rest)
        ("include:acme @!cn", ("in.cn", "out.com", "own.com"), ()),
        # both: carrying cn and lacking !cn
        ("include:acme @cn @-!cn", ("both.cn", "own.com"), ("www.plain.com",)),
        # @ads: advertising rules never come through, so nothing does
        ("include:acme @ads", ("own.com",), ()),
    ],
)
def test_include_applies_its_attribute_filter(
    tmp_path: Path, include: str, domains: tuple[str, ...], full: tuple[str, ...]
) -> None:
    lists = load_domain_lists(
        _tree(tmp_path, acme=ATTRIBUTED + "ad.acme.com @ads\n", group=f"own.com\n{include}\n")
    )
    assert (lists["group"].domains, lists["group"].full) == (domains, full)


def test_includes_resolve_transitively_with_the_filter_on_the_resolved_list(
    tmp_path: Path,
) -> None:
    lists = load_domain_lists(
        _tree(
            tmp_path,
            top="include:middle @cn\n",
            middle="middle.com\ninclude:bottom\n",
            bottom="tagged.cn @cn\nuntagged.com\nad.bottom.com @ads @cn\n",
        )
    )
    assert lists["middle"].domains == ("middle.com", "tagged.cn", "untagged.com")
    assert lists["top"].domains == ("tagged.cn",)
    # each list keeps only what it and its includes give: nothing leaks upwards
    assert lists["bottom"].domains == ("tagged.cn", "untagged.com")


@pytest.mark.parametrize(
    ("lists", "expected"),
    [
        # a list that includes itself
        (
            {"a": "a.com\ninclude:a\n", "b": "b.com\ninclude:a\n"},
            {"a": ("a.com",), "b": ("a.com", "b.com")},
        ),
        # two lists that include each other
        (
            {"a": "a.com\ninclude:b\n", "b": "b.com\ninclude:a\n"},
            {"a": ("a.com", "b.com"), "b": ("a.com", "b.com")},
        ),
        # a longer cycle
        (
            {"a": "a.com\ninclude:c\n", "b": "b.com\ninclude:a\n", "c": "c.com\ninclude:b\n"},
            {name: ("a.com", "b.com", "c.com") for name in "abc"},
        ),
    ],
)
def test_include_cycles_end_with_the_union(
    tmp_path: Path, lists: dict[str, str], expected: dict[str, tuple[str, ...]]
) -> None:
    loaded = load_domain_lists(_tree(tmp_path, **lists))
    assert {name: found.domains for name, found in loaded.items()} == expected


def test_filtered_include_cycle_keeps_the_filter(tmp_path: Path) -> None:
    loaded = load_domain_lists(
        _tree(tmp_path, a="a.cn @cn\na.com\ninclude:b\n", b="b.cn @cn\nb.com\ninclude:a @cn\n")
    )
    assert loaded["b"].domains == ("a.cn", "b.cn", "b.com")
    assert loaded["a"].domains == ("a.cn", "a.com", "b.cn", "b.com")


def test_missing_include_is_reported_and_counted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="registry.community.domain_lists"):
        parsed = _one(tmp_path, "example.com\ninclude:nowhere\ninclude:nowhere @cn\n")
    assert parsed.domains == ("example.com",)
    assert parsed.skipped == 2
    assert "only includes nowhere, which does not exist" in caplog.text


def test_malformed_includes_are_skipped(tmp_path: Path) -> None:
    parsed = _one(tmp_path, "include:\ninclude:a b\ninclude:x @-\n")
    assert (parsed.domains, parsed.skipped) == ((), 3)


REAL_NAMES = [
    # advertising
    ("category-ads-all", True),
    ("category-ads", True),
    ("category-ads-ir", True),
    # broad categories naming many companies, even one industry
    ("category-bank-cn", True),
    ("category-porn", True),
    # geography, top-level domains and special-use names
    ("geolocation-cn", True),
    ("geolocation-!cn", True),
    ("cn", True),
    ("tld-cn", True),
    ("private", True),
    # the name says CDN
    ("bilibili-cdn", True),
    ("bootcdn", True),
    ("cdn77", True),
    # multi-vendor lists named one by one
    ("connectivity-check", True),
    ("test-ipv6", True),
    ("rsshub-3rd", True),
    # single companies, including ones whose lists hold CDN or ad hosts
    ("icbc", False),
    ("alibaba", False),
    ("google", False),
    ("sf-express", False),
    ("pinduoduo", False),
    # "ads" inside a word is not the word ads
    ("goodreads", False),
    ("threads", False),
]


@pytest.mark.parametrize(("name", "excluded"), REAL_NAMES)
def test_exclusion_rule_on_real_names(name: str, excluded: bool) -> None:
    assert is_excluded_list(name) is excluded


@pytest.mark.parametrize(
    ("name", "excluded"),
    [
        # v2fly removed its xxx-ads lists; one coming back is still advertising
        ("xiaomi-ads", True),
        ("ads-tracking", True),
        ("Category-Ads-All", True),
    ],
)
def test_exclusion_rule_on_names_not_in_the_data(name: str, excluded: bool) -> None:
    assert is_excluded_list(name) is excluded


def test_lists_by_domain_indexes_company_lists_only(tmp_path: Path) -> None:
    lists = load_domain_lists(
        _tree(
            tmp_path,
            acme="acme.com\nfull:www.acme.net\nshared.com\nacme\n",
            acmebank="acmebank.com\nshared.com\n",
            category_ads_all="acme.com\ntracker.com\n",
            acme_cdn="acmecdn.com\n",
        )
    )
    assert lists_by_domain(lists) == {
        "acme.com": ("acme",),
        "acmebank.com": ("acmebank",),
        "shared.com": ("acme", "acmebank"),
        "www.acme.net": ("acme",),
    }


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        # a company's list: its name, letters and digits only
        ("icbc", ("icbc",)),
        ("chinamobile", ("chinamobile",)),
        # a region or edition qualifier also comes off
        ("hsbc-cn", ("hsbccn", "hsbc")),
        ("mihoyo-cn", ("mihoyocn", "mihoyo")),
        ("lark-global", ("larkglobal", "lark")),
        ("bytedance-ai-!cn", ("bytedanceaicn", "bytedanceai")),
        # so does a courier's "express" (sto-express is STO, at sto.cn)
        ("sto-express", ("stoexpress", "sto")),
        # any other word is part of the name: tencent-tme is Tencent Music, not Tencent
        ("tencent-tme", ("tencenttme",)),
        ("58tongcheng", ("58tongcheng",)),
    ],
)
def test_list_name_keys(name: str, keys: tuple[str, ...]) -> None:
    assert list_name_keys(name) == keys


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("China Mobile", "chinamobile"),
        ("china-mobile", "chinamobile"),
        ("ＬＯＵＩＳ　ＶＵＩＴＴＯＮ", "louisvuitton"),  # full-width, NFKC
        ("ele.me", "eleme"),
        ("京东", ""),  # no Latin letters: nothing to compare with a list's name
    ],
)
def test_name_token(text: str, token: str) -> None:
    assert name_token(text) == token


# Real data: the published folder, loaded once. These check the module against what v2fly really
# ships; logic tests above use small trees, so a data refresh cannot break them.


@pytest.fixture(scope="module")
def real_lists() -> dict[str, DomainList]:
    # The checkout sits beside ../shared (README, .ci/run): missing data is a failure, not a skip.
    assert REAL_DATA.is_dir(), f"the v2fly data set is not at {REAL_DATA}"
    return load_domain_lists(REAL_DATA)


def test_real_icbc_list_holds_icbc_com_cn(real_lists: dict[str, DomainList]) -> None:
    icbc = real_lists["icbc"]
    assert "icbc.com.cn" in icbc.domains
    assert icbc.skipped == 0
    assert icbc.source.endswith(f"{SOURCE_COMMIT}/data/icbc")


def test_real_folder_loads_every_list_and_only_lists(real_lists: dict[str, DomainList]) -> None:
    assert len(real_lists) > 1400
    assert "LICENSE" not in real_lists


def test_real_exclusion_table_names_real_lists(real_lists: dict[str, DomainList]) -> None:
    assert [name for name, _ in REAL_NAMES if name not in real_lists] == []


def test_real_ads_rules_are_dropped(real_lists: dict[str, DomainList]) -> None:
    # xiaomi tags ad.xiaomi.com @ads; category-ads takes it with include:xiaomi @ads
    assert "ad.xiaomi.com" not in real_lists["xiaomi"].domains
    assert "ad.xiaomi.com" not in real_lists["category-ads"].domains
    assert "xiaomi.com" in real_lists["xiaomi"].domains


def test_real_include_filters_split_espressif(real_lists: dict[str, DomainList]) -> None:
    # espressif.com is tagged @!cn; category-electronic-cn takes @-!cn, geolocation-!cn @!cn
    assert "espressif.cn" in real_lists["category-electronic-cn"].domains
    assert "espressif.com" not in real_lists["category-electronic-cn"].domains
    assert "espressif.com" in real_lists["geolocation-!cn"].domains
    assert "espressif.cn" not in real_lists["geolocation-!cn"].domains


def test_real_broken_punycode_is_skipped(real_lists: dict[str, DomainList]) -> None:
    # eduhk lists xn--wcvs22d1m.hk and .xn--j6w193g, which do not decode
    assert real_lists["eduhk"].skipped == 2
    assert not any("xn--wcvs22d1m" in host for host in real_lists["eduhk"].domains)


def test_real_lists_by_domain(real_lists: dict[str, DomainList]) -> None:
    index = lists_by_domain(real_lists)
    assert index["icbc.com.cn"] == ("icbc",)
    assert index["alipay.com"] == ("alibaba",)
    # 12306.cn is only in geolocation-cn, which names no company
    assert "12306.cn" not in index
    assert all("." in host for host in index)
