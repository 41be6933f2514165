"""Impersonation detection: does a host imitate a registered platform, which one, and how?

Each trick has its own reason code, and each rule names the trick it stops:

- typos of an official domain's name (insertion, omission, repetition, replacement, keyboard
  neighbours, bit flips, vowel swaps, transposition, hyphens): ``alipsy.com``, ``ali-pay.com``;
- homoglyphs: the same skeleton in other scripts or with ASCII lookalikes: ``аlipay.com``
  (Cyrillic а), ``rnicrosoft.com``;
- the brand inside another domain: ``icbc.com.cn.secure-login.top``, ``pinduoduo-kefu.com``,
  ``kefu-pdd.cn``, ``icbc95588.com``, Chinese brand names in IDN labels;
- suffix swaps: ``alipay.net`` when only ``alipay.com`` is registered;
- the name split by a dot: ``ali.pay.com``.

Precision matters as much as recall, so evidence is scaled to the brand: a name of three
letters or fewer (``jd``, ``boc``) is never matched by a typo and counts inside another domain
only at a word boundary *and* beside a service word (kefu, refund, login, …); longer names need
less. Detection never compares the host with every platform in turn: :class:`LookalikeIndex`
keeps exact-label, skeleton and deletion-neighbourhood maps and one Aho-Corasick automaton over
every brand token, so a check costs about the same with 10 000 platforms as with 50.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import ahocorasick

from verifier.core.confusables import is_mixed_script, loose_skeleton, skeleton
from verifier.core.index import Platform, RegistryIndex
from verifier.core.link import ParsedLink, display_host, split_registrable

__all__ = ["Lookalike", "LookalikeIndex", "find_lookalike", "lookalike_index"]

#: Words that turn a brand inside another name into bait: customer service, refunds, logins.
SERVICE_WORDS = frozenset(
    """
    kefu kf service services support help helpdesk care customer hotline call center
    refund refunds tuikuan tk claim lipei compensation pay payment payments bank banking
    login signin logon verify verification secure security safe account accounts auth update
    online official guanfang gf app download vip wallet card credit loan fund
    """.split()
)
#: Leftovers of a dropped dot: ``alipaycom.com``, ``icbccomcn.cn``.
_SUFFIX_WORDS = frozenset({"com", "cn", "comcn", "net", "netcn", "org", "www"})
_WORD = re.compile(r"[a-z]+|\d+")
#: Letters that stand in for digits in a number-named domain: o for 0, l and i for 1, ….
_LETTERS_FOR_DIGITS = str.maketrans("oOilIzsbgq", "0011125699")
_KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
_VOWELS = frozenset("aeiou")
#: Typos are only matched for names at least this long; shorter ones match too much.
MIN_TYPO_LENGTH = 4
#: Names this long or longer count inside another domain without a service word, and are
#: compared by their loose skeleton (i/l/1, c/e, m/n/r merged), which shorter names would share
#: with too many unrelated ones.
STRONG_TOKEN_LENGTH = 5


def _neighbours() -> dict[str, frozenset[str]]:
    near: dict[str, set[str]] = {}
    for r, row in enumerate(_KEYBOARD_ROWS):
        for c, char in enumerate(row):
            keys = {row[c - 1] if c else "", row[c + 1] if c + 1 < len(row) else ""}
            for other in (r - 1, r + 1):
                if 0 <= other < len(_KEYBOARD_ROWS):
                    keys |= set(_KEYBOARD_ROWS[other][max(c - 1, 0) : c + 2])
            near[char] = keys - {"", char}
    return {k: frozenset(v) for k, v in near.items()}


_KEYBOARD = _neighbours()


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


def _deletes(word: str) -> Iterator[str]:
    for i in range(len(word)):
        yield word[:i] + word[i + 1 :]


@dataclass
class LookalikeIndex:
    """The registry's brands, keyed for constant-time lookalike detection."""

    owned: frozenset[str] = frozenset()
    by_label: dict[str, list[Brand]] = field(default_factory=dict)
    by_skeleton: dict[str, list[Brand]] = field(default_factory=dict)
    by_deletion: dict[str, list[Brand]] = field(default_factory=dict)
    by_loose: dict[str, list[Brand]] = field(default_factory=dict)
    #: Lengths of the names that typos are matched against.
    lengths: frozenset[int] = frozenset()
    automaton: ahocorasick.Automaton = field(default_factory=ahocorasick.Automaton)

    @classmethod
    def build(cls, platforms: Iterable[Platform]) -> LookalikeIndex:
        """Index every official domain label, alias and name of ``platforms``."""
        index = cls()
        owned: set[str] = set()
        tokens: dict[str, list[Brand]] = {}
        for platform in platforms:
            for brand in _brands_of(platform):
                tokens.setdefault(brand.token, []).append(brand)
                if brand.domain:
                    owned.add(brand.domain)
                    index.by_label.setdefault(brand.token, []).append(brand)
                    sk = skeleton(brand.token)
                    index.by_skeleton.setdefault(sk, []).append(brand)
                    if len(brand.token) >= MIN_TYPO_LENGTH:
                        for variant in {*_deletes(brand.token), *_deletes(sk)}:
                            index.by_deletion.setdefault(variant, []).append(brand)
                    letters = sum(c.isalpha() for c in brand.token)
                    if len(brand.token) >= MIN_TYPO_LENGTH and letters >= MIN_LOOSE_LETTERS:
                        loose = loose_skeleton(brand.token)
                        variants = {loose}
                        if len(brand.token) >= STRONG_TOKEN_LENGTH:
                            variants.update(_deletes(loose))
                        for variant in variants:
                            index.by_loose.setdefault(variant, []).append(brand)
        for token, brands in tokens.items():
            index.automaton.add_word(token, (token, tuple(brands)))
        if tokens:
            index.automaton.make_automaton()
        index.owned = frozenset(owned)
        index.lengths = frozenset(len(t) for t in index.by_label if len(t) >= MIN_TYPO_LENGTH)
        return index


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
            yield Brand(platform, label, channel.value, suffix)
    for name in (*platform.aliases, platform.name_en, platform.name_zh):
        token = _token(name)
        if token and token not in seen:
            seen.add(token)
            yield Brand(platform, token)


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


def find_lookalike(link: ParsedLink, index: LookalikeIndex) -> Lookalike | None:
    """The platform ``link``'s host imitates, and how; None when it imitates none.

    The caller has already established that the host is not official.
    """
    if link.is_ip or not link.registrable or link.registrable in index.owned:
        return None
    suffix = link.suffix
    label = link.registrable[: -len(suffix) - 1] if suffix else link.registrable
    shown = display_host(label) if "xn--" in label else label
    subdomain = link.host[: -len(link.registrable)].rstrip(".")
    if link.private_suffix:
        # brand.github.io: the registrable name is someone's site on a free host; only the
        # brand inside it (or in the path) says it imitates anyone.
        return _free_hosting(link, index)
    found = (
        _same_name(label, shown, suffix, index)
        or _split_by_dot(subdomain, label, index)
        or _typo(label, shown, suffix, index)
        or _loose(shown, suffix, index)
    )
    if found is not None:
        return found
    if shown.isascii() and next(index.automaton.iter(link.host), None) is None:
        return None  # no brand name anywhere in the host: nothing for the token rules
    return (
        _embedded_domain(link.host, index)
        or _brand_in_subdomain(subdomain, link, index)
        or _brand_with_words(label, shown, link, index)
    )


def _pick(brands: Iterable[Brand]) -> Brand:
    return min(brands, key=lambda b: (b.platform.slug, b.domain))


def _same_name(label: str, shown: str, suffix: str, index: LookalikeIndex) -> Lookalike | None:
    """Suffix swaps, homoglyphs and hyphens: the name reads as a brand's, but is not its."""
    exact = index.by_label.get(label)
    if exact:
        brand = _pick(exact)
        if len(label) >= MIN_TYPO_LENGTH or not suffix.startswith(("com", "net", "org")):
            # alipay.net beside alipay.com; icbc.cn beside icbc.com.cn. A name of three letters
            # under .com or .net is too often another company's (abc.com, boc.com).
            return Lookalike(brand.platform, "lookalike_suffix_swap", label, brand.domain, suffix)
        return None
    sk = skeleton(shown)
    found = index.by_skeleton.get(sk)
    if found:
        brand = _pick(found)
        code = "lookalike_homoglyph" if not shown.isascii() else "lookalike_ascii_lookalike"
        if code == "lookalike_ascii_lookalike" and len(brand.token) < MIN_TYPO_LENGTH:
            return None
        return Lookalike(
            brand.platform, code, brand.token, brand.domain, shown, is_mixed_script(shown)
        )
    if any(c.isdigit() for c in label) and not label.isdigit():
        # 1oo86.cn, i0086.cn: a number-named brand (10086.cn) written with letters for digits.
        as_digits = label.translate(_LETTERS_FOR_DIGITS)
        numeric = [b for b in index.by_label.get(as_digits, ()) if b.suffix == suffix]
        if as_digits.isdigit() and numeric:
            brand = _pick(numeric)
            return Lookalike(
                brand.platform, "lookalike_ascii_lookalike", brand.token, brand.domain, label
            )
    unhyphenated = label.replace("-", "")
    if unhyphenated != label and unhyphenated in index.by_label:
        brand = _pick(index.by_label[unhyphenated])
        return Lookalike(brand.platform, "lookalike_hyphenation", brand.token, brand.domain)
    return None


def _typo(label: str, shown: str, suffix: str, index: LookalikeIndex) -> Lookalike | None:
    """One keystroke away from a brand's name: the classic typosquat."""
    if len(label) < MIN_TYPO_LENGTH - 1:
        return None
    size = len(shown)  # an IDN label is measured as people read it, not as punycode
    if index.lengths.isdisjoint((size - 1, size, size + 1)):
        # No brand name within one keystroke of this length.
        return None
    candidates: set[Brand] = set()
    sk = skeleton(shown)
    keys = {label, *_deletes(label)}
    if sk != label:
        keys.update((sk, *_deletes(sk)))
    for key in keys:
        candidates.update(index.by_deletion.get(key, ()))
        candidates.update(b for b in index.by_label.get(key, ()) if len(b.token) >= MIN_TYPO_LENGTH)
    # Two brands one keystroke away (cmbchina.com, cgbchina.com.cn): the one under the same
    # suffix is the one imitated.
    for brand in sorted(candidates, key=lambda b: (b.suffix != suffix, b.token, b.domain)):
        token = brand.token
        if suffix != brand.suffix and shown.isascii():
            # A one-letter difference under another suffix is, far more often than not, another
            # company's own name: cibc.com (icbc.com.cn), citibank.com.cn (citicbank.com),
            # enpay.co.jp (tenpay.com). Typosquats keep the brand's suffix; other suffixes are
            # caught by the skeleton, loose and brand-with-words rules instead.
            continue
        code, detail = classify_typo(label, token)
        if (code == "lookalike_typo_replacement" and len(token) < GENERIC_REPLACEMENT_LENGTH) or (
            code == "lookalike_typo_bit_flip" and len(token) < BIT_FLIP_LENGTH
        ):
            # An arbitrary letter changed in a short name makes another word (apple → apply,
            # tmall → dmall, vmall): only keyboard and vowel slips count there.
            code = None
        if code is None and not shown.isascii():
            code, detail = classify_typo(sk, skeleton(token))
            code = "lookalike_homoglyph" if code else None
        if code is not None:
            return Lookalike(
                brand.platform, code, token, brand.domain, detail, is_mixed_script(shown)
            )
    return None


#: Names at least this long count any one-letter replacement as a typo, and a bit flip.
GENERIC_REPLACEMENT_LENGTH = 7
BIT_FLIP_LENGTH = 6
#: Names need this many letters for the loose comparison; digits merge too easily (11183 and 18).
MIN_LOOSE_LETTERS = 3
#: Names at least this long also match a loose skeleton one change away (ASCII labels).
LOOSE_NEAR_LENGTH = 8


def _loose(shown: str, suffix: str, index: LookalikeIndex) -> Lookalike | None:
    """``bamkconnm``, ``clhinaunicom``, ``banlc-of-chiṇa``: letters a hurried reader takes for
    the brand's (i/l/1, c/e, b/d, m/n/r/rn, u/v, lc/k …), possibly with one more change."""
    loose = loose_skeleton(shown)
    code = "lookalike_homoglyph" if not shown.isascii() else "lookalike_ascii_lookalike"

    def order(brand: Brand) -> tuple[bool, str, str]:
        return (brand.suffix != suffix, brand.platform.slug, brand.token)

    candidates = sorted(index.by_loose.get(loose, ()), key=order)
    for brand in candidates:
        brand_loose = loose_skeleton(brand.token)
        if brand_loose != loose:
            continue
        if len(brand.token) < STRONG_TOKEN_LENGTH and suffix != brand.suffix:
            continue  # four letters: only under the brand's own suffix
        return Lookalike(
            brand.platform, code, brand.token, brand.domain, shown, is_mixed_script(shown)
        )
    if shown.isascii() and len(shown) < LOOSE_NEAR_LENGTH - 1:
        return None
    near: list[Brand] = []
    for key in (loose, *_deletes(loose)):
        near.extend(index.by_loose.get(key, ()))
    for brand in sorted(near, key=order):
        if shown.isascii() and (len(brand.token) < LOOSE_NEAR_LENGTH or suffix != brand.suffix):
            continue  # citibank.com.cn is Citibank, not a lookalike of citicbank.com
        if len(brand.token) < STRONG_TOKEN_LENGTH:
            continue
        edit, _ = classify_typo(loose, loose_skeleton(brand.token))
        if edit is not None:
            return Lookalike(
                brand.platform, code, brand.token, brand.domain, shown, is_mixed_script(shown)
            )
    return None


def classify_typo(seen: str, meant: str) -> tuple[str | None, str]:
    """Name the single edit that turns ``meant`` into ``seen``, or (None, "").

    >>> classify_typo("alipsy", "alipay")
    ('lookalike_typo_keyboard', 'a→s')
    >>> classify_typo("aliapy", "alipay")
    ('lookalike_typo_transposition', 'pa→ap')
    >>> classify_typo("alippay", "alipay")
    ('lookalike_typo_repetition', 'p')
    """
    if len(seen) == len(meant) + 1:
        for i in range(len(seen)):
            if seen[:i] + seen[i + 1 :] == meant:
                extra = seen[i]
                repeated = (i > 0 and seen[i - 1] == extra) or (
                    i + 1 < len(seen) and seen[i + 1] == extra
                )
                if extra == "-":
                    return "lookalike_hyphenation", "-"
                code = "lookalike_typo_repetition" if repeated else "lookalike_typo_insertion"
                return code, extra
        return None, ""
    if len(seen) == len(meant) - 1:
        for i in range(len(meant)):
            if meant[:i] + meant[i + 1 :] == seen:
                return "lookalike_typo_omission", meant[i]
        return None, ""
    if len(seen) != len(meant):
        return None, ""
    diff = [i for i in range(len(seen)) if seen[i] != meant[i]]
    if len(diff) == 1:
        i = diff[0]
        a, b = meant[i], seen[i]
        if b in _KEYBOARD.get(a, ()):
            return "lookalike_typo_keyboard", f"{a}→{b}"
        if a in _VOWELS and b in _VOWELS:
            return "lookalike_typo_vowel_swap", f"{a}→{b}"
        if a.isascii() and b.isascii() and bin(ord(a) ^ ord(b)).count("1") == 1:
            return "lookalike_typo_bit_flip", f"{a}→{b}"
        return "lookalike_typo_replacement", f"{a}→{b}"
    if len(diff) == 2 and diff[1] == diff[0] + 1:
        i = diff[0]
        if seen[i] == meant[i + 1] and seen[i + 1] == meant[i]:
            return "lookalike_typo_transposition", f"{meant[i : i + 2]}→{seen[i : i + 2]}"
    return None, ""


def _split_by_dot(subdomain: str, label: str, index: LookalikeIndex) -> Lookalike | None:
    """``ali.pay.com``: the brand's name cut in two by a dot, so it reads as one at a glance."""
    if not subdomain:
        return None
    joined = subdomain.rsplit(".", 1)[-1] + label
    found = index.by_label.get(joined)
    if found and len(joined) >= MIN_TYPO_LENGTH:
        brand = _pick(found)
        return Lookalike(brand.platform, "lookalike_split_name", brand.token, brand.domain)
    return None


def _embedded_domain(host: str, index: LookalikeIndex) -> Lookalike | None:
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


def _strong_enough(
    token: str, text: str, start: int, stop: int, words: set[str], brands: tuple[Brand, ...]
) -> bool:
    """The evidence rule: longer names need less, short names need a boundary and bait."""
    before, after = _bounded(text, start, stop)
    leftover = text[:start] + text[stop:]
    bait = _has_bait(words, leftover)
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


def _brand_in_subdomain(
    subdomain: str, link: ParsedLink, index: LookalikeIndex
) -> Lookalike | None:
    """``alipay.secure-check.top``: the brand as a label in front of someone else's domain."""
    if not subdomain:
        return None
    words = _words(link.host) | _words(link.normalized.partition(link.host)[2])
    for start, stop, token, brands in _hits(subdomain, index):
        if _strong_enough(token, subdomain, start, stop, words, brands):
            brand = _pick(brands)
            return Lookalike(
                brand.platform, "lookalike_brand_in_subdomain", token, _official(brand), subdomain
            )
    return None


def _brand_with_words(
    label: str, shown: str, link: ParsedLink, index: LookalikeIndex
) -> Lookalike | None:
    """``pinduoduo-kefu.com``, ``kefu-pdd.cn``, ``icbc95588.com``: the brand joined with other
    words into a new name, or a Chinese brand name inside an IDN label."""
    words = _words(link.host) | _words(link.normalized.partition(link.host)[2])
    for text in (label, shown) if shown != label else (label,):
        for start, stop, token, brands in _hits(text, index):
            if token == text:
                continue
            if _strong_enough(token, text, start, stop, words, brands):
                brand = _pick(brands)
                added = (text[:start] + " " + text[stop:]).strip(" -.")
                return Lookalike(
                    brand.platform, "lookalike_brand_with_words", token, _official(brand), added
                )
    return None


def _free_hosting(link: ParsedLink, index: LookalikeIndex) -> Lookalike | None:
    """``alipay-refund.github.io`` or a page builder's ``/icbc/login``: a brand on a host
    anyone can sign up to."""
    name = link.host[: -len(link.suffix) - 1]
    path = link.normalized.partition(link.host)[2].lower()
    words = _words(name) | _words(path)
    for text in (name, path):
        for start, stop, token, brands in _hits(text, index):
            if _strong_enough(token, text, start, stop, words, brands) and token.isascii():
                brand = _pick(brands)
                return Lookalike(
                    brand.platform, "lookalike_free_hosting", token, _official(brand), link.suffix
                )
    return None


def _official(brand: Brand) -> str:
    if brand.domain:
        return brand.domain
    for channel in brand.platform.active_channels():
        if channel.kind == "domain":
            return channel.value
    return ""
