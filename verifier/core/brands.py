"""The registry's brand names, indexed for impersonation detection.

A :class:`Brand` is a name to protect: an official domain's label (``alipay`` of alipay.com) or
a platform's alias or name (``pdd``, ``拼多多``). :class:`LookalikeIndex` keys them every way the
detector asks (exact label, skeleton, loose skeleton, visual key, deletion neighbourhood, and
one Aho-Corasick automaton over all tokens), so that no check ever loops over the platforms. It is
built once per registry snapshot (:func:`lookalike_index`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import ahocorasick

from verifier.core.confusables import loose_skeleton, skeleton, visual_key
from verifier.core.index import Platform, RegistryIndex, gc_paused
from verifier.core.link import split_registrable

__all__ = [
    "MIN_TYPO_LENGTH",
    "STRONG_TOKEN_LENGTH",
    "Brand",
    "Lookalike",
    "LookalikeIndex",
    "deletes",
    "lookalike_index",
    "official_domain",
    "pick",
    "verified_lookalike_index",
    "verified_only",
]

#: Typos are only matched for names at least this long; shorter ones match too much.
MIN_TYPO_LENGTH = 4
#: Names this long or longer count inside another domain without a service word, and are
#: compared by their loose skeleton (i/l/1, c/e, m/n/r merged), which shorter names would share
#: with too many unrelated ones.
STRONG_TOKEN_LENGTH = 5
#: Names need this many letters for the loose comparison; digits merge too easily (11183 and 18).
MIN_LOOSE_LETTERS = 3
#: Names this long are matched by a spelling that reads as them through several visual
#: substitutions at once (``dlidiglobal``), under their own suffix.
VISUAL_READING_LENGTH = 8


@dataclass(frozen=True, slots=True)
class Brand:
    """A registered name to protect: an official domain's label, or a platform's alias."""

    platform: Platform
    #: The name as it appears in hosts: ``alipay``, ``pdd``, or ``支付宝`` for IDN labels.
    token: str
    #: The official domain it comes from (``alipay.com``), or "" for an alias.
    domain: str = ""
    #: That domain's public suffix (``com``), or "".
    suffix: str = ""
    #: True for a name only a community data set gives (a community platform's name, or a
    #: community domain): matched with more caution (see :class:`LookalikeIndex`).
    community: bool = False


@dataclass(frozen=True, slots=True)
class Lookalike:
    """How a host imitates a platform."""

    platform: Platform
    #: The reason code of the trick (``lookalike_typo_omission``, ``brand_with_words``, …).
    code: str
    #: The brand name that was imitated.
    brand: str
    #: The platform's official domain the trick was measured against (may be "").
    official: str
    #: What was added, changed or swapped, for the message (``kefu``, ``net``, ``a→s``).
    detail: str = ""
    #: True when the imitated name mixes scripts (``аlipay``: Cyrillic and Latin).
    mixed_script: bool = False


def deletes(word: str) -> Iterator[str]:
    for i in range(len(word)):
        yield word[:i] + word[i + 1 :]


@dataclass
class LookalikeIndex:
    """The registry's brands, keyed for constant-time lookalike detection.

    Community brands (names only a community data set gives) are not proof of a company's whole
    set of names: a phone book lists one of its sites, a routing list a few, and the same
    name under another suffix or one letter away is as likely the company's own, or a
    neighbour's, as a trick. They are filed only under the keys of the precise rules (exact
    label, skeleton, short loose skeleton, and the automaton), never under the deletion, loose
    or visual keys of the typo rules, and the detector asks more of them (see
    :mod:`verifier.core.brand_tokens` and :mod:`verifier.core.lookalike`).

    Each map holds tuples, and a brand alone under a key (nearly every key of the deletion and
    loose maps) is the same one-brand tuple under all its keys: a registry of 100 000 platforms
    has five million such keys, and a list of its own under each cost half a gigabyte.
    """

    owned: frozenset[str] = frozenset()
    by_label: dict[str, tuple[Brand, ...]] = field(default_factory=dict)
    by_skeleton: dict[str, tuple[Brand, ...]] = field(default_factory=dict)
    by_deletion: dict[str, tuple[Brand, ...]] = field(default_factory=dict)
    by_loose: dict[str, tuple[Brand, ...]] = field(default_factory=dict)
    #: Loose skeletons of the official names too short or too numeric for ``by_loose`` (``ccb``,
    #: ``jd``, ``95516``): only labels with non-ASCII letters are compared with them.
    by_short_loose: dict[str, tuple[Brand, ...]] = field(default_factory=dict)
    #: Visual keys (:func:`visual_key`) of the official names of ``VISUAL_READING_LENGTH``
    #: characters or more: candidates for a spelling made of several visual substitutions.
    by_visual_key: dict[str, tuple[Brand, ...]] = field(default_factory=dict)
    #: Lengths of the names that typos are matched against.
    lengths: frozenset[int] = frozenset()
    automaton: ahocorasick.Automaton = field(default_factory=ahocorasick.Automaton)

    @classmethod
    def build(cls, platforms: Iterable[Platform]) -> LookalikeIndex:
        """Index every official domain label, alias and name of ``platforms``."""
        with gc_paused():
            return cls._build(platforms)

    @classmethod
    def _build(cls, platforms: Iterable[Platform]) -> LookalikeIndex:
        index = cls()
        owned: set[str] = set()
        tokens: dict[str, list[Brand]] = {}
        for platform in platforms:
            for brand in _brands_of(platform):
                tokens.setdefault(brand.token, []).append(brand)
                if not brand.domain:
                    continue
                one = (brand,)
                owned.add(brand.domain)
                _add(index.by_label, brand.token, one)
                sk = skeleton(brand.token)
                _add(index.by_skeleton, sk, one)
                if brand.community:
                    _add(index.by_short_loose, loose_skeleton(brand.token), one)
                    continue
                if len(brand.token) >= MIN_TYPO_LENGTH:
                    for variant in {*deletes(brand.token), *deletes(sk)}:
                        _add(index.by_deletion, variant, one)
                letters = sum(c.isalpha() for c in brand.token)
                if len(brand.token) >= MIN_TYPO_LENGTH and letters >= MIN_LOOSE_LETTERS:
                    loose = loose_skeleton(brand.token)
                    variants = {loose}
                    if len(brand.token) >= STRONG_TOKEN_LENGTH:
                        variants.update(deletes(loose))
                    for variant in variants:
                        _add(index.by_loose, variant, one)
                else:
                    _add(index.by_short_loose, loose_skeleton(brand.token), one)
                if len(brand.token) >= VISUAL_READING_LENGTH:
                    _add(index.by_visual_key, visual_key(brand.token), one)
        for token, brands in tokens.items():
            index.automaton.add_word(token, (token, tuple(brands)))
        if tokens:
            index.automaton.make_automaton()
        index.owned = frozenset(owned)
        index.lengths = frozenset(
            len(brand.token)
            for brands in index.by_label.values()
            for brand in brands
            if len(brand.token) >= MIN_TYPO_LENGTH and not brand.community
        )
        return index


def _add(brands_by: dict[str, tuple[Brand, ...]], key: str, one: tuple[Brand]) -> None:
    """File the brand in ``one`` under ``key``, after the brands already there (if any)."""
    found = brands_by.get(key)
    brands_by[key] = one if found is None else found + one


def _brands_of(platform: Platform) -> Iterator[Brand]:
    seen: set[str] = set()
    for channel in platform.channels:
        if channel.kind != "domain" or channel.scope != "subdomains":
            continue
        label, suffix = split_registrable(channel.value)
        if f"{label}.{suffix}" != channel.value:
            continue  # a host inside the registrable domain (mobile.example.com): not a name
        if label and suffix and not label.startswith("xn--"):
            seen.add(label)  # amazon.com and amazon.cn: one name, a brand under each suffix
            yield Brand(platform, label, channel.value, suffix, channel.trust == "community")
    for name in (*platform.aliases, platform.name_en, platform.name_zh):
        token = _token(name)
        if token and token not in seen:
            seen.add(token)
            yield Brand(platform, token, community=platform.trust == "community")


def _token(name: str) -> str:
    """``Ping An`` → ``pingan``; ``Trip.com`` → ``trip``; Chinese names stay as they are."""
    name = name.strip().lower()
    if name.isascii():
        name = name.split(".", 1)[0]
        token = "".join(c for c in name if c.isalnum())
        return token if 2 <= len(token) <= 24 else ""
    return name if 2 <= len(name) <= 12 and not any(c.isspace() for c in name) else ""


def lookalike_index(index: RegistryIndex) -> LookalikeIndex:
    """The lookalike index of a registry snapshot, built once per snapshot."""
    return index.memo("lookalike_index", lambda: LookalikeIndex.build(index.platforms))


def verified_lookalike_index(index: RegistryIndex) -> LookalikeIndex | None:
    """The lookalike index of the verified entries alone, to tell whether a community entry
    resembles a verified platform; None when the registry has no community entry (it would be
    :func:`lookalike_index` again). Built once per snapshot, and only then."""

    def build() -> LookalikeIndex | None:
        verified = [
            dataclasses.replace(p, channels=tuple(c for c in p.channels if c.trust == "verified"))
            for p in index.platforms
            if p.trust == "verified"
        ]
        if len(verified) == len(index.platforms) and all(
            len(v.channels) == len(p.channels)
            for v, p in zip(verified, index.platforms, strict=True)
        ):
            return None
        return LookalikeIndex.build(verified)

    return index.memo("lookalike_index_verified", build)


def pick(brands: Iterable[Brand]) -> Brand:
    """The brand to name among several under one key: a verified one before a community one
    (a typo of DiDi names DiDi, not a community rival one letter away), then by slug."""
    return min(brands, key=lambda b: (b.community, b.platform.slug, b.domain))


def verified_only(brands: Iterable[Brand]) -> tuple[Brand, ...]:
    return tuple(b for b in brands if not b.community)


def official_domain(brand: Brand) -> str:
    """The official domain to name in a message: the brand's own, or its platform's first."""
    if brand.domain:
        return brand.domain
    for channel in brand.platform.active_channels():
        if channel.kind == "domain":
            return channel.value
    return ""
