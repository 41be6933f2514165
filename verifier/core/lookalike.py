"""Impersonation detection: does a host imitate a registered platform, which one, and how?

Each trick has its own reason code, and each rule names the trick it stops:

- typos of an official domain's name (insertion, omission, repetition, replacement, keyboard
  neighbours, bit flips, vowel swaps, transposition, hyphens): ``alipsy.com``, ``ali-pay.com``;
- homoglyphs: the same skeleton in other scripts or with ASCII lookalikes: ``аlipay.com``
  (Cyrillic а), ``rnicrosoft.com``; short names and numbers in accented or hooked letters
  (``ccḓ.com``), numbers with letters for digits (``l1188.com.cn``), and long names with
  several shapes at once (``dlidiglobal.com``);
- the brand inside another domain: ``icbc.com.cn.secure-login.top``, ``pinduoduo-kefu.com``,
  ``kefu-pdd.cn``, ``icbc95588.com``, Chinese brand names in IDN labels;
- suffix swaps: ``alipay.net`` when only ``alipay.com`` is registered;
- the name split by a dot: ``ali.pay.com``.

Precision matters as much as recall, so evidence is scaled to the brand: a name of three
letters or fewer (``jd``, ``boc``) is never matched by a typo and counts inside another domain
only at a word boundary *and* beside a service word (kefu, refund, login, …); longer names need
less. Names only a community data set gives (``Brand.community``) are matched by the precise
rules alone: their official domain written out in another host, their name with a service word,
their name with a dot left out or split, and letters from other scripts; never by a typo, an
ASCII spelling, a hyphen or another suffix, which are as often the company's own sites (a phone
book lists one of them) or another company's name.

Detection never compares the host with every platform in turn: :class:`LookalikeIndex` keeps
exact-label, skeleton and deletion-neighbourhood maps and one Aho-Corasick automaton over every
brand token, so a check costs about the same with 10 000 platforms as with 50.
"""

from __future__ import annotations

from verifier.core.brand_tokens import (
    brand_in_subdomain,
    brand_with_words,
    disguised_brand_with_words,
    embedded_domain,
    free_hosting,
)
from verifier.core.brands import (
    MIN_TYPO_LENGTH,
    STRONG_TOKEN_LENGTH,
    Brand,
    Lookalike,
    LookalikeIndex,
    deletes,
    lookalike_index,
    pick,
    verified_only,
)
from verifier.core.confusables import (
    is_mixed_script,
    loose_skeleton,
    reads_as,
    skeleton,
    visual_key,
)
from verifier.core.link import ParsedLink, display_host

__all__ = ["Lookalike", "LookalikeIndex", "classify_typo", "find_lookalike", "lookalike_index"]

#: Letters that stand in for digits in a number-named domain: o for 0, l and i for 1, ….
_LETTERS_FOR_DIGITS = str.maketrans("oOilIzsbgq", "0011125699")
_KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
_VOWELS = frozenset("aeiou")


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


def find_lookalike(link: ParsedLink, index: LookalikeIndex) -> Lookalike | None:
    """The platform ``link``'s host imitates, and how; None when it imitates none.

    The caller has already established that the host is not official.
    """
    if link.is_ip or not link.registrable or link.registrable in index.owned:
        return None
    if not len(index.automaton):
        return None  # an empty registry: no name to imitate (and no automaton to search)
    suffix = link.suffix
    label = link.registrable[: -len(suffix) - 1] if suffix else link.registrable
    shown = display_host(label) if "xn--" in label else label
    subdomain = link.host[: -len(link.registrable)].rstrip(".")
    if link.private_suffix:
        # brand.github.io: the registrable name is someone's site on a free host; only the
        # brand inside it (or in the path) says it imitates anyone.
        return free_hosting(link, index)
    found = (
        _same_name(label, shown, suffix, index)
        or _split_by_dot(subdomain, label, index)
        or _missing_dot(label, index)
        or _typo(label, shown, suffix, index)
        or _loose(shown, suffix, index)
    )
    if found is not None:
        return found
    found = disguised_brand_with_words(label, link, index)
    if found is not None:
        return found
    if shown.isascii() and next(index.automaton.iter(link.host), None) is None:
        return None  # no brand name anywhere in the host: nothing for the token rules
    return (
        embedded_domain(link.host, index)
        or brand_in_subdomain(subdomain, link, index)
        or brand_with_words(label, shown, link, index)
    )


def _same_name(label: str, shown: str, suffix: str, index: LookalikeIndex) -> Lookalike | None:
    """Suffix swaps, homoglyphs and hyphens: the name reads as a brand's, but is not its."""
    exact = index.by_label.get(label)
    if exact:
        exact = verified_only(exact)
        if not exact:
            # hsbc.com beside a phone book's hsbc.com.cn: a community data set lists one of a
            # company's sites, not all of them, so the name under another suffix is as likely
            # its own as a swap.
            return None
        brand = pick(exact)
        if len(label) >= MIN_TYPO_LENGTH or not suffix.startswith(("com", "net", "org")):
            # alipay.net beside alipay.com; icbc.cn beside icbc.com.cn. A name of three letters
            # under .com or .net is too often another company's (abc.com, boc.com).
            return Lookalike(brand.platform, "lookalike_suffix_swap", label, brand.domain, suffix)
        return None
    sk = skeleton(shown)
    found = index.by_skeleton.get(sk)
    if found and shown.isascii():
        # An ASCII spelling of a community name (rn for m, 0 for o) is too often another
        # company's own; letters from other scripts are never chosen by chance.
        found = verified_only(found)
    if found:
        brand = pick(found)
        code = "lookalike_homoglyph" if not shown.isascii() else "lookalike_ascii_lookalike"
        if code == "lookalike_ascii_lookalike" and len(brand.token) < MIN_TYPO_LENGTH:
            return None
        return Lookalike(
            brand.platform, code, brand.token, brand.domain, shown, is_mixed_script(shown)
        )
    if any(c.isdigit() for c in label) and not label.isdigit():
        # 1oo86.cn, i0086.cn: a number-named brand (10086.cn) written with letters for digits.
        as_digits = label.translate(_LETTERS_FOR_DIGITS)
        numeric = [
            b for b in verified_only(index.by_label.get(as_digits, ())) if b.suffix == suffix
        ]
        if as_digits.isdigit() and not numeric and len(label) >= MIN_NUMBER_LENGTH:
            # l1188.com.cn, i0036.cn: the letters show the label was made to pass for a number,
            # so the digits that look alike (3/8, 6/9, 5/s) count as well. Without a letter
            # (11188, 10036) it is just another number, which someone may well own.
            numeric = [
                b
                for b in verified_only(index.by_short_loose.get(loose_skeleton(label), ()))
                if b.suffix == suffix and b.token.isdigit() and reads_as(label, b.token)
            ]
        if as_digits.isdigit() and numeric:
            brand = pick(numeric)
            return Lookalike(
                brand.platform, "lookalike_ascii_lookalike", brand.token, brand.domain, label
            )
    unhyphenated = label.replace("-", "")
    hyphenated = (
        verified_only(index.by_label.get(unhyphenated, ())) if unhyphenated != label else ()
    )
    if hyphenated:
        brand = pick(hyphenated)
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
    keys = {label, *deletes(label)}
    if sk != label:
        keys.update((sk, *deletes(sk)))
    for key in keys:
        candidates.update(index.by_deletion.get(key, ()))
        candidates.update(
            b
            for b in index.by_label.get(key, ())
            if len(b.token) >= MIN_TYPO_LENGTH and not b.community
        )
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


#: Numbers at least this long (95516, 12306) match a spelling with letters and look-alike digits.
MIN_NUMBER_LENGTH = 5
#: Names at least this long count any one-letter replacement as a typo, and a bit flip.
GENERIC_REPLACEMENT_LENGTH = 7
BIT_FLIP_LENGTH = 6
#: Names at least this long also match a loose skeleton one change away (ASCII labels).
LOOSE_NEAR_LENGTH = 8


def _loose(shown: str, suffix: str, index: LookalikeIndex) -> Lookalike | None:
    """``bamkconnm``, ``clhinaunicom``, ``banlc-of-chiṇa``: letters a hurried reader takes for
    the brand's (i/l/1, c/e, b/d, m/n/r/rn, u/v, lc/k …), possibly with one more change."""
    loose = loose_skeleton(shown)
    code = "lookalike_homoglyph" if not shown.isascii() else "lookalike_ascii_lookalike"

    def order(brand: Brand) -> tuple[bool, bool, str, str]:
        return (brand.suffix != suffix, brand.community, brand.platform.slug, brand.token)

    if not shown.isascii():
        # ``ccḓ.com``, ``ʝb.com``, ``9ƽƽ16.com``: a short name or number written with accented,
        # hooked or small-capital letters that read as its own. Nobody registers such a label
        # by accident, so it counts even for two or three characters, where the same change in
        # ASCII (ccd.com, jb.com) is another company's name. It must keep the brand's suffix (a
        # typosquat imitates the whole address) and read as the name letter by letter.
        for brand in sorted(index.by_short_loose.get(loose, ()), key=order):
            if brand.suffix == suffix and reads_as(shown, brand.token):
                return Lookalike(
                    brand.platform, code, brand.token, brand.domain, shown, is_mixed_script(shown)
                )
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
    for key in (loose, *deletes(loose)):
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
    return _visual_reading(shown, suffix, code, index)


def _visual_reading(shown: str, suffix: str, code: str, index: LookalikeIndex) -> Lookalike | None:
    """``dlidiglobal``, ``dicllichuxing``, ``pindluodluo``: a long name with several of its
    letters written as shapes that read as them (dl or cl for d, lb for b, 1 for i, e for c),
    chained or side by side, which a one-pass skeleton cannot undo. Under the brand's own suffix
    only: a long name that differs from a brand by shape alone is not chosen by chance."""
    candidates = index.by_visual_key.get(visual_key(shown), ())
    for brand in sorted(candidates, key=lambda b: (b.platform.slug, b.token)):
        if brand.suffix == suffix and reads_as(shown, brand.token):
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
        brand = pick(found)
        return Lookalike(brand.platform, "lookalike_split_name", brand.token, brand.domain)
    return None


def _missing_dot(label: str, index: LookalikeIndex) -> Lookalike | None:
    """``ccbcom.com``, ``icbccom.cn``: the official domain with its dot left out, registered as a
    name of its own. Precise even for short names: the brand's own suffix is spelled out."""
    for cut in range(len(label) - 2, 1, -1):
        head, tail = label[:cut], label[cut:]
        for brand in index.by_label.get(head, ()):
            if brand.suffix.replace(".", "").startswith(tail):
                return Lookalike(brand.platform, "lookalike_missing_dot", brand.token, brand.domain)
    return None
