"""The direct public-suffix lookup agrees with tldextract, whose bundled list it reads."""

from __future__ import annotations

from pathlib import Path

import pytest
import tldextract

from verifier.core.suffixes import split_host

COMMUNITY = Path(__file__).resolve().parents[3] / "shared" / "data" / "community"


@pytest.fixture(scope="module")
def extractor() -> tldextract.TLDExtract:
    return tldextract.TLDExtract(
        cache_dir=None, suffix_list_urls=(), include_psl_private_domains=True
    )


def _expected(extractor: tldextract.TLDExtract, host: str) -> tuple[str, str, bool] | None:
    found = extractor.extract_str(host)
    if not found.suffix:
        return None
    return found.suffix, found.top_domain_under_public_suffix, found.is_private


def _got(host: str) -> tuple[str, str, bool] | None:
    parts = split_host(host)
    return (parts.suffix, parts.registrable, parts.private) if parts else None


@pytest.mark.parametrize(
    "host",
    [
        # Plain and multi-label public suffixes.
        "www.icbc.com.cn",
        "alipay.com",
        "com.cn",
        # Private (hosting) suffixes.
        "brand.github.io",
        "github.io",
        "x.y.blogspot.com",
        # A wildcard rule (*.ck) and its exception (!www.ck).
        "a.b.ck",
        "b.ck",
        "www.ck",
        # Exceptions deeper down (!city.kobe.jp under *.kobe.jp).
        "x.city.kobe.jp",
        "a.b.kobe.jp",
        # IDN suffixes written in punycode.
        "foo.xn--55qx5d.cn",
        "xn--55qx5d.cn",
        # No known suffix.
        "foo.notatld",
        "localhost",
    ],
)
def test_agrees_with_tldextract(extractor: tldextract.TLDExtract, host: str) -> None:
    assert _got(host) == _expected(extractor, host)


def test_agrees_with_tldextract_on_the_community_domain_lists(
    extractor: tldextract.TLDExtract,
) -> None:
    # Thousands of real domains (and hosts below them) from v2fly's lists, when present.
    folder = COMMUNITY / "domain-list-community"
    if not folder.is_dir():
        pytest.fail(f"{folder} is missing: the shared data sets sit beside the repository")
    hosts: set[str] = set()
    for path in sorted(folder.iterdir())[:400]:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            value = line.split("#", 1)[0].strip()
            if value and (":" not in value or value.startswith("full:")):
                host = value.removeprefix("full:").split()[0].split("@")[0].lower().rstrip(".")
                if host.isascii():
                    hosts.update({host, f"www.{host}"})
    assert len(hosts) > 1000
    mismatches = [h for h in sorted(hosts) if _got(h) != _expected(extractor, h)]
    assert mismatches == []
