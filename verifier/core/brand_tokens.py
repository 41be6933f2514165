"""Brand names inside other hosts: the official domain written out in front of another site, the
brand as a label in front of someone else's domain, the brand joined with other words, and
brands on free hosting.

Evidence is scaled to the name (:func:`strong_enough`): a long brand name counts at a word
boundary, a short one needs a boundary *and* a service word (kefu, refund, login, …) beside it,
and a short alias that is no domain name counts only with both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from verifier.core.brands import (
    MIN_TYPO_LENGTH,
    STRONG_TOKEN_LENGTH,
    Brand,
    Lookalike,
    LookalikeIndex,
    official_domain,
    pick,
)
from verifier.core.confusables import is_mixed_script, skeleton
from verifier.core.link import ParsedLink

__all__ = [
    "SERVICE_WORDS",
    "brand_in_subdomain",
    "brand_with_words",
    "disguised_brand_with_words",
    "embedded_domain",
    "free_hosting",
    "strong_enough",
]

#: Words that turn a brand inside another name into bait: customer service, refunds, logins.
SERVICE_WORDS = frozenset(
    """
    kefu kf service services support help helpdesk care customer hotline call center
    refund refunds tuikuan tk claim lipei compensation pay payment payments bank banking
    login signin logon verify verification secure security safe account accounts auth update
    online official guanfang gf app download vip wallet card credit loan fund
    notice notify alert unlock unblock locked suspend suspended limited confirm validate
    activate reset recover recovery
    """.split()
)
#: Leftovers of a dropped dot: ``alipaycom.com``, ``icbccomcn.cn``.
_SUFFIX_WORDS = frozenset({"com", "cn", "comcn", "net", "netcn", "org", "www"})
_WORD = re.compile(r"[a-z]+|\d+")
#: A community name inside another host counts only with this many letters (not ``18``, ``12306``).
MIN_COMMUNITY_LETTERS = 3


def embedded_domain(host: str, index: LookalikeIndex) -> Lookalike | None:
    """``icbc.com.cn.secure-login.top``, ``www.pinduoduo.com-refund.cn``: the official domain
    written out at the start of a longer host, which people read left to right and stop."""
    for end, (token, brands) in index.automaton.iter(host):
        for brand in brands:
            domain = brand.domain
            if not domain:
                continue
            start = end - len(token) + 1
            stop = start + len(domain)
            written_out = host.startswith(domain, start) and stop < len(host)
            if written_out and host[stop] in ".-" and (start == 0 or host[start - 1] == "."):
                return Lookalike(brand.platform, "lookalike_official_domain_inside", token, domain)
    return None


def _hits(text: str, index: LookalikeIndex) -> Iterator[tuple[int, int, str, tuple[Brand, ...]]]:
    for end, (token, brands) in index.automaton.iter(text):
        yield end - len(token) + 1, end + 1, token, brands


def _bounded(text: str, start: int, stop: int) -> tuple[bool, bool]:
    """Whether the match has a boundary (start/end, dot, hyphen, digit) before and after."""
    before = start == 0 or not text[start - 1].isalpha() or text[start].isdigit()
    after = stop == len(text) or not text[stop].isalpha() or text[stop - 1].isdigit()
    return before, after


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text))


def _has_bait(words: set[str], leftover: str) -> bool:
    if words & SERVICE_WORDS:
        return True
    rest = leftover.strip("-.0123456789")
    return not rest or rest in _SUFFIX_WORDS or rest in SERVICE_WORDS


def strong_enough(
    token: str, text: str, start: int, stop: int, words: set[str], brands: tuple[Brand, ...]
) -> bool:
    """The evidence rule: longer names need less, short names need a boundary and bait."""
    before, after = _bounded(text, start, stop)
    leftover = text[:start] + text[stop:]
    bait = _has_bait(words, leftover)
    if all(b.community for b in brands):
        return _community_strong_enough(token, before, after, bait)
    if not token.isascii():
        return True  # a Chinese brand name inside an IDN label is deliberate
    if len(token) >= STRONG_TOKEN_LENGTH:
        return (before and after) or bait
    if not any(b.domain for b in brands):
        # A short alias that is no domain name ("trip" for Trip.com, "ems") is an ordinary
        # word as often as not: only bait makes it a brand.
        return before and after and bait
    if len(token) == MIN_TYPO_LENGTH:
        return (before or after) and bait
    return before and after and bait


def _community_strong_enough(token: str, before: bool, after: bool, bait: bool) -> bool:
    """A name only a community data set gives always needs bait, and an ASCII one a word
    boundary on both sides and letters enough to be a name: the company's other sites
    (``bilibiligame.com``) and other companies' names (``18183.com`` beside ``18.cn``) contain
    it as often as tricks do."""
    if not token.isascii():
        return bait
    letters = sum(c.isalpha() for c in token)
    return (
        len(token) >= MIN_TYPO_LENGTH
        and letters >= MIN_COMMUNITY_LETTERS
        and before
        and after
        and bait
    )


def brand_in_subdomain(subdomain: str, link: ParsedLink, index: LookalikeIndex) -> Lookalike | None:
    """``alipay.secure-check.top``: the brand as a label in front of someone else's domain."""
    if not subdomain:
        return None
    words = _words(link.host) | _words(link.normalized.partition(link.host)[2])
    for start, stop, token, brands in _hits(subdomain, index):
        if strong_enough(token, subdomain, start, stop, words, brands):
            brand = pick(brands)
            return Lookalike(
                brand.platform,
                "lookalike_brand_in_subdomain",
                token,
                official_domain(brand),
                subdomain,
            )
    return None


def brand_with_words(
    label: str, shown: str, link: ParsedLink, index: LookalikeIndex
) -> Lookalike | None:
    """``pinduoduo-kefu.com``, ``kefu-pdd.cn``, ``icbc95588.com``: the brand joined with other
    words into a new name, or a Chinese brand name inside an IDN label."""
    words = _words(link.host) | _words(link.normalized.partition(link.host)[2])
    for text in (label, shown) if shown != label else (label,):
        for start, stop, token, brands in _hits(text, index):
            if token == text:
                continue
            if strong_enough(token, text, start, stop, words, brands):
                brand = pick(brands)
                added = (text[:start] + " " + text[stop:]).strip(" -.")
                return Lookalike(
                    brand.platform,
                    "lookalike_brand_with_words",
                    token,
                    official_domain(brand),
                    added,
                )
    return None


def disguised_brand_with_words(
    label: str, link: ParsedLink, index: LookalikeIndex
) -> Lookalike | None:
    """``paypa1-support.com``, ``a1ipay-refund.cn``: a brand spelt with look-alike characters
    and joined with a service word, two tricks at once. The part must read exactly as a brand
    of five letters or more, and another part must be bait."""
    if "-" not in label:
        return None
    parts = label.split("-")
    words = _words(link.host) | _words(link.normalized.partition(link.host)[2])
    for position, part in enumerate(parts):
        if len(part) < STRONG_TOKEN_LENGTH or part in index.by_label:
            continue  # short parts match too much; a plain brand is brand_with_words' case
        found = index.by_skeleton.get(skeleton(part))
        if not found:
            continue
        others = set(parts[:position] + parts[position + 1 :])
        if not (others & SERVICE_WORDS or words & SERVICE_WORDS - {part}):
            continue
        brand = pick(found)
        code = "lookalike_ascii_lookalike" if part.isascii() else "lookalike_homoglyph"
        return Lookalike(
            brand.platform, code, brand.token, official_domain(brand), part, is_mixed_script(part)
        )
    return None


def free_hosting(link: ParsedLink, index: LookalikeIndex) -> Lookalike | None:
    """``alipay-refund.github.io`` or a page builder's ``/icbc/login``: a brand on a host
    anyone can sign up to."""
    name = link.host[: -len(link.suffix) - 1]
    path = link.normalized.partition(link.host)[2].lower()
    words = _words(name) | _words(path)
    for text in (name, path):
        for start, stop, token, brands in _hits(text, index):
            if strong_enough(token, text, start, stop, words, brands) and token.isascii():
                brand = pick(brands)
                return Lookalike(
                    brand.platform,
                    "lookalike_free_hosting",
                    token,
                    official_domain(brand),
                    link.suffix,
                )
    return None
