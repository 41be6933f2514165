"""RegistryIndex: the immutable, in-memory snapshot of the registry that every check reads.

The registry package builds one from its database rows; tests build small ones by hand. A check
never queries a database: it looks values up in the dictionaries prepared here.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

__all__ = [
    "TRUSTS",
    "BlockEntry",
    "Channel",
    "ChannelMatch",
    "Platform",
    "RegistryIndex",
    "ReviewedDomain",
    "gc_paused",
]

T = TypeVar("T")

CHANNEL_KINDS = ("phone", "domain", "email", "wechat", "weibo", "app")
BLOCK_KINDS = ("phone", "domain", "url")
PHONE_SUPPORT = ("listed", "none", "unknown")
#: How far an entry is to be trusted: ``verified`` (a moderator reviewed it against its source)
#: or ``community`` (taken from a community data set, not yet reviewed).
TRUSTS = ("verified", "community")


@dataclass(frozen=True, slots=True)
class Channel:
    """One official contact channel of a platform."""

    #: ``phone``, ``domain``, ``email``, ``wechat``, ``weibo`` or ``app``.
    kind: str
    #: The normalised value: E.164 or short-number digits, lower-case punycode host, address.
    value: str
    #: Label in Chinese and English, e.g. 客服热线 / Customer service hotline.
    label_zh: str = ""
    label_en: str = ""
    #: ``active`` or ``retired``.
    status: str = "active"
    #: Domains only: ``subdomains`` (the host and every host below it) or ``exact``.
    scope: str = "subdomains"
    #: Where the fact was verified (a URL).
    source: str = ""
    #: ISO date of the last verification.
    verified_on: str = ""
    #: ``verified`` or ``community`` (see :data:`TRUSTS`): a community entry is never answered
    #: as official, only as listed by the community.
    trust: str = "verified"

    def label(self, lang: str) -> str:
        """The label in ``lang`` (``zh`` or ``en``), falling back to the other language."""
        if lang == "en":
            return self.label_en or self.label_zh
        return self.label_zh or self.label_en


@dataclass(frozen=True, slots=True)
class Platform:
    """A company, bank, app or agency whose official channels the registry lists."""

    slug: str
    name_zh: str
    name_en: str = ""
    aliases: tuple[str, ...] = ()
    category: str = ""
    country: str = "CN"
    #: ``listed`` (its numbers are in the registry), ``none`` or ``unknown``.
    phone_support: str = "unknown"
    channels: tuple[Channel, ...] = ()
    #: ``verified`` for a platform moderators created or reviewed, ``community`` for one only a
    #: community data set knows (all its channels are community entries).
    trust: str = "verified"

    def name(self, lang: str) -> str:
        """The display name in ``lang``, falling back to the other language."""
        if lang == "en":
            return self.name_en or self.name_zh
        return self.name_zh or self.name_en

    def active_channels(self) -> tuple[Channel, ...]:
        """The channels people should use now: the verified ones, or, for a platform that has
        none, its community entries (each marked as such wherever it is shown)."""
        active = [c for c in self.channels if c.status == "active"]
        verified = tuple(c for c in active if c.trust == "verified")
        return verified or tuple(active)


@dataclass(frozen=True, slots=True)
class BlockEntry:
    """A moderated blocklist entry: a phone, domain or URL known to be used by scammers."""

    kind: str
    value: str
    impersonates: str | None = None
    evidence: str = ""
    added_on: str = ""


@dataclass(frozen=True, slots=True)
class ReviewedDomain:
    """A domain a moderator checked and found not to be an impersonation.

    Precision matters as much as recall: a real, unrelated site called an impersonator teaches
    people to ignore warnings. When the detector is wrong about a real site, a moderator records
    it here and the verdict says it was reviewed instead of raising an alarm.
    """

    #: The normalised host or registrable domain (lower-case punycode); it covers every host
    #: below it too, as a blocklisted domain does.
    value: str
    #: Why it is not an impersonation, in the moderator's words (shown in the verdict).
    note: str
    #: ISO date of the review.
    reviewed_on: str
    #: Slug of the platform it was mistaken for, or None when the review names none.
    resembles: str | None = None
    #: Where the moderator checked the site's owner (a URL); may be empty.
    source: str = ""


@dataclass(frozen=True, slots=True)
class ChannelMatch:
    """A channel found for a looked-up value, with the platform that owns it."""

    platform: Platform
    channel: Channel


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cycle collector while a registry's indexes are built.

    A build makes millions of small objects and no reference cycles, and each few hundred new
    objects wake the collector, which walks ever more of the heap: on 1 000 000 channels it spent
    three quarters of the build (bench/bench_large_registry.py). Reference counting still frees
    everything as usual; only cycles wait until the build is done. If the collector was already
    off, it stays off.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _host_and_parents(host: str) -> Iterator[str]:
    """Yield ``a.b.c``, ``b.c``, ``c``: the host and each domain above it."""
    while host:
        yield host
        _, _, host = host.partition(".")


@dataclass(frozen=True)
class RegistryIndex:
    """Everything a check needs, keyed for constant-time lookups."""

    version: int
    platforms: tuple[Platform, ...]
    blocklist: tuple[BlockEntry, ...] = ()
    #: Domains reviewed as not impersonations, by value (see :meth:`reviewed`).
    reviewed_domains: tuple[ReviewedDomain, ...] = ()
    _by_slug: dict[str, Platform] = field(default_factory=dict, repr=False)
    _by_value: dict[tuple[str, str], tuple[ChannelMatch, ...]] = field(
        default_factory=dict, repr=False
    )
    _blocked: dict[tuple[str, str], BlockEntry] = field(default_factory=dict, repr=False)
    _reviewed: dict[str, ReviewedDomain] = field(default_factory=dict, repr=False)
    #: Phone values the registry lists (short digits and E.164), on channels or the blocklist:
    #: valid without asking libphonenumber, which has no data for some real short numbers.
    known_phones: frozenset[str] = frozenset()
    #: Values derived from this snapshot on first use (see :meth:`memo`).
    _memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(
        cls,
        platforms: Iterable[Platform],
        blocklist: Iterable[BlockEntry] = (),
        version: int = 0,
        reviewed: Iterable[ReviewedDomain] = (),
    ) -> RegistryIndex:
        """Index ``platforms``, ``blocklist`` and ``reviewed`` domains; values must already be
        normalised."""
        with gc_paused():
            platforms = tuple(sorted(platforms, key=lambda p: p.slug))
            blocklist = tuple(blocklist)
            reviewed_domains = tuple(sorted(reviewed, key=lambda r: r.value))
            by_value: dict[tuple[str, str], list[ChannelMatch]] = {}
            for platform in platforms:
                for channel in platform.channels:
                    key = (channel.kind, channel.value)
                    by_value.setdefault(key, []).append(ChannelMatch(platform, channel))
            return cls(
                version=version,
                platforms=platforms,
                blocklist=blocklist,
                reviewed_domains=reviewed_domains,
                _by_slug={p.slug: p for p in platforms},
                _by_value={k: tuple(v) for k, v in by_value.items()},
                _blocked={(b.kind, b.value): b for b in blocklist},
                _reviewed={r.value: r for r in reviewed_domains},
                known_phones=frozenset(
                    [value for kind, value in by_value if kind == "phone"]
                    + [b.value for b in blocklist if b.kind == "phone"]
                ),
            )

    def memo(self, key: Any, compute: Callable[..., T], *args: Any) -> T:
        """``compute(*args)``, remembered under ``key`` for the life of this snapshot.

        The snapshot never changes, so anything derived from it stays true; a registry change
        builds a new index and so starts an empty memo. Passing ``args`` rather than a closure
        spares a hot caller making a new function on every call, when the value is almost
        always remembered already.
        """
        try:
            value: T = self._memo[key]
        except KeyError:
            value = self._memo.setdefault(key, compute(*args))
        return value

    def platform(self, slug: str) -> Platform | None:
        """The platform called ``slug``, or None."""
        return self._by_slug.get(slug)

    def channels(self, kind: str, value: str) -> tuple[ChannelMatch, ...]:
        """Every channel of ``kind`` whose normalised value is exactly ``value``."""
        return self._by_value.get((kind, value), ())

    def domain_channels(self, host: str) -> tuple[ChannelMatch, ...]:
        """Domain channels that cover ``host``: exact-scope ones equal to it, and
        subdomain-scope ones equal to it or to a domain above it (nearest first)."""
        for candidate in _host_and_parents(host):
            found = tuple(
                m
                for m in self._by_value.get(("domain", candidate), ())
                if candidate == host or m.channel.scope == "subdomains"
            )
            if found:
                return found
        return ()

    def blocked(self, kind: str, value: str) -> BlockEntry | None:
        """The blocklist entry for exactly this kind and value, or None."""
        return self._blocked.get((kind, value))

    def blocked_host(self, host: str) -> BlockEntry | None:
        """The blocklist entry for ``host`` or a domain above it, or None."""
        for candidate in _host_and_parents(host):
            entry = self._blocked.get(("domain", candidate))
            if entry is not None:
                return entry
        return None

    def reviewed(self, host: str) -> ReviewedDomain | None:
        """The review of ``host`` or of the nearest domain above it, or None.

        ``host`` is a normalised host (lower-case punycode), as
        :func:`verifier.core.link.normalize_link` gives it.

        >>> index = RegistryIndex.build(
        ...     [], reviewed=[ReviewedDomain("duolingo.com", "A language course", "2026-11-01")]
        ... )
        >>> index.reviewed("www.duolingo.com").value
        'duolingo.com'
        >>> index.reviewed("duolingo.com.evil.top") is None
        True
        """
        for candidate in _host_and_parents(host):
            entry = self._reviewed.get(candidate)
            if entry is not None:
                return entry
        return None
