"""A synthetic registry of many platforms, to measure how a check scales with the registry's size.

``synthetic_index(n, seed)`` gives a :class:`RegistryIndex` of ``n`` platforms: the bundled
registry's own platforms (so that real inputs such as ``icbc.com.cn`` still resolve as they do in
production) plus invented ones. Each invented platform has a pronounceable brand name of 5 to 12
characters (some with digits or a hyphen), 1 to 3 domains under ``.com``, ``.cn``, ``.com.cn`` or
``.net``, 0 to 2 customer-service numbers (valid mainland 400 numbers, in E.164), a Chinese
name, and aliases: the brand capitalised, sometimes an abbreviation or a short Chinese name. The
same ``n`` and ``seed`` always give the same registry.

Invented names never equal, contain or sit inside a bundled brand's name, so the bundled
platforms' verdicts do not change; bench/bench_lookalike.py checks that they do not.

``large_registry(platforms, channels, seed)`` gives a registry the size of a large deployment
(by default 100 000 platforms and 1 000 000 channels, bench/bench_large_registry.py), in memory
only: every invented platform has one domain, and the other channels are spread over the
platforms at random in fixed proportions (phones, domains and hosts, e-mail addresses, WeChat
and Weibo accounts, app package names), every value distinct.

Run from the repository root: ``python bench/gen_registry.py`` prints the registry's size and
how long it takes to build; ``-o registry-10k.yaml`` also writes it as a registry file in the
CONTRACT's format (``verifier registry import`` reads it); ``--large`` makes the large registry
instead (``-n`` platforms, ``--channels`` channels).
"""

# ruff: noqa: E402 -- the checkout is put first on sys.path before importing it (see below)

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
# Measure this checkout, not whatever copy of the package happens to be installed.
sys.path.insert(0, str(ROOT))

import ahocorasick

from registry.db import BUNDLED_REGISTRY
from registry.files import RegistryData, dump_registry, load_registry_file
from verifier.core.index import Channel, Platform, RegistryIndex
from verifier.core.link import normalize_link

__all__ = ["large_registry", "synthetic_index", "synthetic_registry"]

T = TypeVar("T")

DEFAULT_SIZE = 10_000
LARGE_PLATFORMS = 100_000
LARGE_CHANNELS = 1_000_000
#: How the large registry's channels beyond each platform's first domain divide between kinds:
#: customer-service numbers first, then sites (a registrable domain, or a host inside one), then
#: addresses and accounts, roughly as the bundled registry's richest entries do.
LARGE_MIX = (
    ("phone", 0.40),
    ("domain", 0.25),
    ("email", 0.17),
    ("wechat", 0.08),
    ("weibo", 0.05),
    ("app", 0.05),
)
SUFFIXES = ("com", "com", "cn", "com.cn", "net")  # .com twice: the most common suffix
CATEGORIES = ("bank", "payment", "ecommerce", "telecom", "logistics", "travel", "video", "game")
_ONSETS = "b c d f g h j k l m n p r s t w x y z ch sh zh".split()
_VOWELS = "a e i o u ai ao ei ou ia ie ua uo".split()
_CODAS = ("", "", "", "n", "ng", "r")
#: Characters for invented Chinese names: no two neighbouring characters of a bundled platform's
#: Chinese name or alias are both in it (联 is left out for 联通), so none is spelt by accident.
_HANZI = "安宝滨晨达丰海恒华佳嘉锦凯乐林龙美明宁鹏奇瑞森盛泰天通拓旺伟鑫星信迅雅逸优云泽智卓"
VERIFIED_ON = "2026-01-01"


def _syllable(rng: random.Random) -> str:
    return rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)


def _brand(rng: random.Random) -> tuple[str, str]:
    """A pronounceable name of 5 to 12 characters (one in ten with digits, one in ten with a
    hyphen between syllables) and its initials (``zhaolinmei``, ``ZLM``)."""
    while True:
        syllables = [_syllable(rng) for _ in range(rng.randint(2, 4))]
        initials = "".join(s[0] for s in syllables).upper()
        roll = rng.random()
        if roll < 0.1:
            name = "".join(syllables) + str(rng.randint(1, 999))
        elif roll < 0.2:
            cut = rng.randint(1, len(syllables) - 1)
            name = "".join(syllables[:cut]) + "-" + "".join(syllables[cut:])
        else:
            name = "".join(syllables)
        if 5 <= len(name) <= 12:
            return name, initials


def _squash(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


class _BundledNames:
    """Bundled brands as bare lower-case names (slugs, ASCII aliases, domain names), and a
    constant-time test of whether an invented name clashes with one."""

    def __init__(self, platforms: Iterable[Platform]) -> None:
        names: set[str] = set()
        for p in platforms:
            names.add(_squash(p.slug))
            names.update(_squash(a) for a in p.aliases if a.isascii())
            for c in p.channels:
                if c.kind == "domain":
                    link = normalize_link(c.value)
                    names.add(_squash(link.registrable[: -len(link.suffix) - 1]))
        self.names = names - {""}
        long_names = [b for b in self.names if len(b) >= 3]
        # Every piece of a bundled name, so that "sits inside one" is a set lookup, and one
        # automaton over them, so that "contains one" is one pass over the invented name.
        self._inside = {
            b[i:j] for b in long_names for i in range(len(b)) for j in range(i + 1, len(b) + 1)
        }
        self._automaton = ahocorasick.Automaton()
        for b in long_names:
            self._automaton.add_word(b, b)
        if long_names:
            self._automaton.make_automaton()

    def clashes(self, name: str, initials: str) -> bool:
        """True when ``name`` equals, contains or sits inside a bundled name, or its initials
        spell one (``JD``)."""
        flat = _squash(name)
        return (
            initials.lower() in self.names
            or flat in self._inside
            or (len(self._automaton) > 0 and next(self._automaton.iter(flat), None) is not None)
        )


def _channel(kind: str, value: str, label_zh: str, label_en: str, source: str) -> Channel:
    return Channel(kind, value, label_zh, label_en, source=source, verified_on=VERIFIED_ON)


def _platform(rng: random.Random, brand: str, initials: str, used: set[str]) -> Platform:
    """One invented platform; ``used`` holds every domain and number taken so far."""
    source = f"https://synthetic.invalid/{brand}"
    channels: list[Channel] = []
    for i in range(rng.randint(1, 3)):
        for _ in range(20):  # a later domain is the brand elsewhere, or the brand with a word
            label = brand if i == 0 else rng.choice((brand, f"{brand}{_syllable(rng)}"))
            domain = f"{label}.{rng.choice(SUFFIXES)}"
            if domain not in used:
                used.add(domain)
                channels.append(_channel("domain", domain, "官方网站", "Official website", source))
                break
    for _ in range(rng.choice((0, 1, 1, 2))):
        number = f"+86400{rng.randrange(10**7):07d}"
        if number not in used:
            used.add(number)
            channels.append(
                _channel("phone", number, "客服热线", "Customer service hotline", source)
            )
    name_zh = "".join(rng.choice(_HANZI) for _ in range(rng.randint(2, 4)))
    aliases = [brand.replace("-", " ").title()]
    if rng.random() < 0.3:
        aliases.append(initials)
    if rng.random() < 0.3:
        aliases.append(name_zh[:2] + rng.choice("宝通付购"))
    has_phone = any(c.kind == "phone" for c in channels)
    return Platform(
        slug=brand,
        name_zh=name_zh,
        name_en=brand.replace("-", " ").title(),
        aliases=tuple(dict.fromkeys(aliases)),
        category=rng.choice(CATEGORIES),
        country="CN",
        phone_support="listed" if has_phone else rng.choice(("unknown", "none")),
        channels=tuple(channels),
    )


def synthetic_registry(n: int = DEFAULT_SIZE, seed: int = 0) -> RegistryData:
    """The bundled registry plus invented platforms, ``n`` platforms in all (module doc)."""
    bundled = load_registry_file(str(BUNDLED_REGISTRY))
    rng = random.Random(seed)  # noqa: S311 -- a reproducible benchmark registry, no secret
    names = _BundledNames(bundled.platforms)
    slugs = {p.slug for p in bundled.platforms}
    used = {c.value for p in bundled.platforms for c in p.channels}
    platforms = list(bundled.platforms)
    while len(platforms) < n:
        brand, initials = _brand(rng)
        if brand in slugs or names.clashes(brand, initials):
            continue
        slugs.add(brand)
        platforms.append(_platform(rng, brand, initials, used))
    return RegistryData(tuple(platforms), bundled.blocklist)


#: Numbers a large registry lists: a format, and how many random digits follow its prefix.
_PHONE_FORMATS = (
    ("+86400", 7),  # national customer-service numbers
    ("+86400", 7),
    ("+86800", 7),
    ("+8610", 8),  # landlines in Beijing, Shanghai, Guangzhou, Shenzhen
    ("+8621", 8),
    ("+8620", 8),
    ("+86755", 8),
    ("+1800", 7),  # toll-free abroad
    ("+852", 8),
)
_HOSTS = ("www", "m", "pay", "app", "help", "service", "kefu", "login", "vip", "shop")
#: Labels so common in hosts that no invented brand may be called by them.
_COMMON_LABELS = frozenset((*_HOSTS, "wap", "mail", "web", "api", "cdn", "img", "static"))
_MAILBOXES = ("service", "kefu", "support", "help", "cs", "vip", "ir", "press", "hr", "info")
_HANDLE_WORDS = ("", "kefu", "service", "official", "vip", "app", "pay", "help")


def _pick(rng: random.Random, options: Sequence[T]) -> T:
    """``rng.choice(options)`` at a third of the cost: a million channels take a few seconds."""
    return options[int(rng.random() * len(options))]


def _value(rng: random.Random, kind: str, brand: str, used: set[str]) -> tuple[str, str, str]:
    """A new ``kind`` value for the platform called ``brand``, with its labels; not in ``used``."""
    while True:
        if kind == "phone":
            prefix, digits = _pick(rng, _PHONE_FORMATS)
            value = f"{prefix}{int(rng.random() * 10**digits):0{digits}d}"
            labels = ("客服热线", "Customer service hotline")
        elif kind == "domain":
            roll = rng.random()
            suffix = _pick(rng, SUFFIXES)
            if roll < 0.4:  # a host inside the brand's domain (not a name of its own)
                value = f"{_pick(rng, _HOSTS)}{int(rng.random() * 100)}.{brand}.{suffix}"
            elif roll < 0.7:  # the brand elsewhere
                value = f"{brand}{int(rng.random() * 100) or ''}.{suffix}"
            else:  # the brand with a word
                value = f"{brand}{_syllable(rng)}.{suffix}"
            labels = ("官方网站", "Official website")
        elif kind == "email":
            mailbox = f"{_pick(rng, _MAILBOXES)}{int(rng.random() * 1000)}"
            value = f"{mailbox}@{brand}.{_pick(rng, SUFFIXES)}"
            labels = ("客服邮箱", "Customer service e-mail")
        elif kind == "app":
            value = f"com.{brand.replace('-', '')}.{_syllable(rng)}{int(rng.random() * 100)}"
            labels = ("官方App（安卓包名）", "Official app (Android package name)")
        else:  # wechat, weibo: lower-case account names
            word = _pick(rng, _HANDLE_WORDS)
            value = f"{brand.replace('-', '_')}{word}{int(rng.random() * 1000)}"
            labels = ("官方账号", "Official account")
        if value not in used:
            used.add(value)
            return value, *labels


def large_registry(
    platforms: int = LARGE_PLATFORMS, channels: int = LARGE_CHANNELS, seed: int = 0
) -> RegistryData:
    """The bundled registry plus invented platforms and channels: ``platforms`` platforms and
    ``channels`` channels in all, in memory (module doc). A few seconds for the defaults."""
    bundled = load_registry_file(str(BUNDLED_REGISTRY))
    rng = random.Random(seed)  # noqa: S311 -- a reproducible benchmark registry, no secret
    names = _BundledNames(bundled.platforms)
    slugs = {p.slug for p in bundled.platforms}
    used = {c.value for p in bundled.platforms for c in p.channels}
    brands: list[tuple[str, str]] = []
    while len(slugs) < platforms:
        brand, initials = _brand(rng)
        if brand not in slugs and not names.clashes(brand, initials):
            slugs.add(brand)
            brands.append((brand, initials))
    # Each invented platform has its own domain; the rest go to platforms at random.
    spare = channels - sum(len(p.channels) for p in bundled.platforms) - len(brands)
    kinds, weights = zip(*LARGE_MIX, strict=True)
    owners: list[list[str]] = [["domain"] for _ in brands]
    for owner, kind in zip(
        rng.choices(range(len(brands)), k=max(spare, 0)),
        rng.choices(kinds, weights, k=max(spare, 0)),
        strict=True,
    ):
        owners[owner].append(kind)
    invented = []
    for (brand, initials), owned in zip(brands, owners, strict=True):
        source = f"https://synthetic.invalid/{brand}"
        first = f"{brand}.{_pick(rng, SUFFIXES)}"
        used.add(first)
        made = [_channel("domain", first, "官方网站", "Official website", source)]
        for kind in owned[1:]:
            value, label_zh, label_en = _value(rng, kind, brand, used)
            made.append(_channel(kind, value, label_zh, label_en, source))
        name_zh = "".join(_pick(rng, _HANZI) for _ in range(2 + int(rng.random() * 3)))
        title = brand.replace("-", " ").title()
        aliases = (title, initials) if rng.random() < 0.3 else (title,)
        if initials.lower() in _COMMON_LABELS:
            # An alias WWW would make every www. host read as this brand in a subdomain.
            aliases = (title,)
        invented.append(
            Platform(
                slug=brand,
                name_zh=name_zh,
                name_en=title,
                aliases=aliases,
                category=_pick(rng, CATEGORIES),
                country="CN",
                phone_support="listed" if "phone" in owned else "unknown",
                channels=tuple(made),
            )
        )
    return RegistryData((*bundled.platforms, *invented), bundled.blocklist)


def synthetic_index(n: int = DEFAULT_SIZE, seed: int = 0) -> RegistryIndex:
    """:func:`synthetic_registry` indexed as the app indexes its database's copy."""
    data = synthetic_registry(n, seed)
    return RegistryIndex.build(data.platforms, data.blocklist)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "-n", type=int, default=DEFAULT_SIZE, help=f"platforms in all (default {DEFAULT_SIZE})"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("-o", "--output", type=Path, help="write the registry as YAML here")
    parser.add_argument(
        "--large", action="store_true", help="the large registry: -n platforms, --channels"
    )
    parser.add_argument(
        "--channels",
        type=int,
        default=LARGE_CHANNELS,
        help=f"channels in all, with --large (default {LARGE_CHANNELS})",
    )
    args = parser.parse_args(argv)

    started = time.process_time()
    if args.large:
        data = large_registry(args.n, args.channels, args.seed)
    else:
        data = synthetic_registry(args.n, args.seed)
    generated = time.process_time()
    index = RegistryIndex.build(data.platforms, data.blocklist)
    built = time.process_time()
    channels = sum(len(p.channels) for p in index.platforms)
    print(
        f"{len(index.platforms)} platforms, {channels} channels, "
        f"{len(index.blocklist)} blocklist entries (seed {args.seed}); "
        f"generated in {generated - started:.2f} s, indexed in {built - generated:.2f} s CPU"
    )
    if args.output is not None:
        args.output.write_text(dump_registry(data, "yaml"), encoding="utf-8")
        print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
