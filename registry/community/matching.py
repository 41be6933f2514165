"""Which verified platform, if any, a phone book's organisation is: the matching rules of the
community importer (:mod:`registry.community.build`), kept apart from the tier they decide.

An org is matched by three signals: its site's domain (:func:`domain_matches`); its name against
the platforms' names and aliases (:func:`name_forms`: the exact form first, then the forms
without a mainland qualifier in brackets or a company-form word such as 有限公司 or ``Inc.``);
and its numbers, a number counting when a verified channel lists it and no other org of the data
set gives it. Signals that agree match; signals that disagree, a subsidiary's site alone, or a
number alone beside a site of the org's own make it uncertain (:meth:`OrgMatcher.match`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from registry.community.vcards import VCardOrg
from verifier.core.index import Platform

__all__ = [
    "SIGNALS",
    "Match",
    "NameIndex",
    "OrgMatcher",
    "covers",
    "domain_matches",
    "name_forms",
    "name_key",
    "verified_owners",
]

#: The signals that match an org to a verified platform, in the order reports name them.
SIGNALS = ("domain", "name", "phone")
# A mainland qualifier in brackets names the same company (汇丰银行（中国）); any other bracket
# names another one (中国银行（香港）, 中国建设银行（亚洲）) and stays. Matched after name_key,
# so full-width brackets are already ASCII ones.
_MAINLAND = re.compile(r"\(\s*(?:中国|中国大陆|china|mainland\s*china|prc)\s*\)")
# Company-form words cut from the end of a name, longest first, as often as they end it.
_CJK_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "客服中心", "客服", "集团")
_LATIN_SUFFIXES = frozenset(
    {"co", "company", "corp", "corporation", "group", "holdings", "inc", "limited", "llc", "ltd"}
)


@dataclass(frozen=True)
class Match:
    """What the signals say of one org."""

    #: Slugs each signal points to, by signal (``domain``, ``name``, ``phone``).
    signals: dict[str, list[str]]
    #: The matched verified platform's slug, or "" (none, or uncertain).
    platform: str = ""
    #: Why the org is uncertain (``several_platforms``, ``domain_only``, ``other_site``), or "".
    reason: str = ""

    @property
    def by(self) -> str:
        """The signals that agree, joined with ``+`` (``domain+name``, ``phone``)."""
        return "+".join(signal for signal in SIGNALS if self.signals[signal])


class OrgMatcher:
    """The verified platforms, indexed to match a data set's organisations against."""

    def __init__(self, verified: Iterable[Platform], orgs: Iterable[VCardOrg]) -> None:
        self.verified = list(verified)
        self.owner = verified_owners(self.verified)
        self.names = NameIndex(self.verified)
        # How many orgs give each number: one that several give (a city's 12345, a group's
        # shared line) is no sign of which platform any of them is.
        self.givers = Counter(c.value for org in orgs for c in org.channels if c.kind == "phone")

    def match(self, org: VCardOrg) -> Match:
        signals = {
            "domain": domain_matches(org, self.verified),
            "name": self.names.matches(org.organization),
            "phone": sorted(
                {
                    self.owner[("phone", c.value)]
                    for c in org.channels
                    if ("phone", c.value) in self.owner and self.givers[c.value] == 1
                }
            ),
        }
        hits = {slug for slugs in signals.values() for slug in slugs}
        if len(hits) > 1:
            return Match(signals, reason="several_platforms")
        if not hits:
            return Match(signals)
        if (
            not signals["name"]
            and not signals["phone"]
            and not _site_is_own(org, self.verified, hits)
        ):
            # Only the site says so: a subsidiary's site under its parent's domain is no match.
            return Match(signals, reason="domain_only")
        if not signals["name"] and not signals["domain"] and org.registrable:
            # Only a number says so, and the org's own site is elsewhere: an org that lists the
            # anti-fraud line beside its own numbers is not the anti-fraud centre.
            return Match(signals, reason="other_site")
        return Match(signals, platform=hits.pop())


def verified_owners(verified: Iterable[Platform]) -> dict[tuple[str, str], str]:
    """``(kind, value)`` → slug of the verified platform listing it (each value has one)."""
    owner: dict[tuple[str, str], str] = {}
    for p in verified:
        for c in p.channels:
            if c.trust == "verified":
                owner.setdefault((c.kind, c.value), p.slug)
    return owner


def name_key(name: str) -> str:
    """A name as compared: NFKC, case folded, white space removed (``ＩＣＢＣ`` = ``icbc``)."""
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


def name_forms(name: str) -> tuple[str, ...]:
    """The forms a name is compared in: its :func:`name_key` first, then shorter forms.

    The shorter forms drop a mainland qualifier in brackets and company-form words at the end
    (有限公司, 股份有限公司, 集团, 客服; ``Inc.``, ``Ltd``, ``Group``), and a Latin name is also
    taken as its letters and digits only (``LOUIS VUITTON`` = ``Louis-Vuitton``). A shorter form
    under two CJK characters or three Latin letters or digits is left out: ``X Corp`` must not
    become ``x``.

    >>> name_forms("汇丰银行（中国）有限公司")
    ('汇丰银行(中国)有限公司', '汇丰银行')
    >>> name_forms("Apple Inc.")
    ('appleinc.', 'appleinc', 'apple')
    >>> name_forms("中国银行（香港）")
    ('中国银行(香港)',)
    """
    key = name_key(name)
    forms = [key, _strip_cjk_suffixes(_MAINLAND.sub("", key))]
    if key.isascii():
        folded = unicodedata.normalize("NFKC", name).casefold()
        words = re.findall(r"[0-9a-z]+", _MAINLAND.sub(" ", folded))
        forms.append("".join(words))
        while words and words[-1] in _LATIN_SUFFIXES:
            words.pop()
        forms.append("".join(words))
    shorter = [f for f in dict.fromkeys(forms[1:]) if f != key and _long_enough(f)]
    return (key, *shorter)


def _strip_cjk_suffixes(key: str) -> str:
    stripped = True
    while stripped:
        stripped = False
        for suffix in _CJK_SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix):
                key, stripped = key[: -len(suffix)], True
                break
    return key


def _long_enough(form: str) -> bool:
    cjk = sum(not ch.isascii() for ch in form)
    return cjk >= 2 or sum(ch.isascii() and ch.isalnum() for ch in form) >= 3


def domain_matches(org: VCardOrg, platforms: Iterable[Platform]) -> list[str]:
    """Slugs of the platforms whose verified domain channel covers the org's site most closely
    (``pay.weixin.qq.com`` exact beats ``qq.com``), or whose domain is its registrable domain."""
    if not org.host:
        return []
    best: dict[str, int] = {}
    for p in platforms:
        for c in p.channels:
            if c.kind != "domain" or c.trust != "verified":
                continue
            covers = org.host == c.value or (
                c.scope == "subdomains" and org.host.endswith("." + c.value)
            )
            if covers or org.registrable == c.value:
                best[p.slug] = max(best.get(p.slug, 0), len(c.value))
    if not best:
        return []
    top = max(best.values())
    return sorted(slug for slug, length in best.items() if length == top)


def _site_is_own(org: VCardOrg, platforms: Iterable[Platform], slugs: set[str]) -> bool:
    """Whether the org's site (``www.`` aside) is itself a verified domain of one of ``slugs``,
    not a host under it: ``www.icbc.com.cn`` is ICBC's, ``aliqin.tmall.com`` only under Tmall's."""
    site = org.host.removeprefix("www.")
    return any(
        c.kind == "domain" and c.trust == "verified" and c.value == site
        for p in platforms
        if p.slug in slugs
        for c in p.channels
    )


class NameIndex:
    """The verified platforms' names and aliases, in every form :func:`name_forms` gives."""

    def __init__(self, platforms: Iterable[Platform]) -> None:
        self.exact: dict[str, set[str]] = defaultdict(set)
        self.loose: dict[str, set[str]] = defaultdict(set)
        for p in platforms:
            for name in (p.name_zh, p.name_en, *p.aliases):
                if not name:
                    continue
                forms = name_forms(name)
                self.exact[forms[0]].add(p.slug)
                for form in forms:
                    self.loose[form].add(p.slug)

    def matches(self, name: str) -> list[str]:
        """Slugs a name names: those its exact form names, else those any of its forms names
        (several make the org uncertain, as any disagreement does)."""
        forms = name_forms(name)
        if forms[0] in self.exact:
            return sorted(self.exact[forms[0]])
        return sorted({slug for form in forms for slug in self.loose.get(form, ())})


def covers(platform: Platform | None, host: str) -> bool:
    """Whether one of ``platform``'s verified domain channels covers ``host``."""
    if platform is None or not host:
        return False
    return any(
        c.kind == "domain"
        and c.trust == "verified"
        and (host == c.value or (c.scope == "subdomains" and host.endswith("." + c.value)))
        for c in platform.channels
    )
