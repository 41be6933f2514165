"""Confusable characters: the skeleton of a domain label, in the manner of UTS #39.

``аlipay`` (Cyrillic а), ``ａlipay`` and ``alipay`` look the same; so do ``rn`` and ``m``,
``vv`` and ``w``, ``cl`` and ``d``, ``0`` and ``o``, ``1`` and ``l``. Comparing skeletons, not
strings, is how a lookalike written in other scripts or with ASCII lookalikes is caught.

The character data is Unicode's confusables.txt as packaged by the maintained
``confusable-homoglyphs`` library (its ``confusables.json``); nothing is downloaded.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from importlib import resources

__all__ = [
    "ascii_fold",
    "is_mixed_script",
    "loose_skeleton",
    "reads_as",
    "scripts_of",
    "skeleton",
    "visual_key",
]

# ASCII sequences that read as another letter at a glance. Applied to both sides of every
# comparison, so "rnicrosoft" and "microsoft" share one skeleton.
_ASCII_LOOKALIKES = (("rn", "m"), ("vv", "w"), ("cl", "d"), ("0", "o"), ("1", "l"), ("|", "l"))


def _prefer(candidate: str) -> tuple[bool, bool, int, str]:
    """Order for choosing a group's representative: lower-case ASCII letters, then other
    ASCII, then the shortest."""
    plain = candidate.isascii() and candidate.isalpha() and candidate.islower()
    return (not plain, not candidate.isascii(), len(candidate), candidate)


@lru_cache(maxsize=1)
def _prototypes() -> dict[str, str]:
    """Single character -> its representative, built once from the packaged data."""
    data = json.loads(
        resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8")
    )
    table: dict[str, str] = {}
    for char, entries in data.items():
        if len(char) != 1 or char.isascii():
            continue  # ASCII stays itself; its lookalikes are folded by ascii_fold alone
        group = [char] + [e["c"].strip("\u200e\u200f") for e in entries]
        best = min((g for g in group if g), key=_prefer)
        if best != char:
            table[char] = best.lower()
    return table


# Latin letters with a hook, stroke, bar or tail, small capitals and the like read as their base
# letter ("ƈ" is c, "ɓ" is b, "ʙ" is b); confusables.txt leaves many of them alone.
_LATIN_NAME = re.compile(
    r"^LATIN (?:SMALL |CAPITAL )?LETTER (?:SMALL CAPITAL |DOTLESS |TURNED |REVERSED |CLOSED |"
    r"OPEN |BARRED |SCRIPT |LONG |INSULAR |BROKEN |MIDDLE-WELSH |SIDEWAYS )*([A-Z])(?: |$)"
)
_LATIN_WORDS = {"ENG": "n", "KRA": "k", "ALPHA": "a", "IOTA": "i", "TONE SIX": "b"}
# Letters read as a Latin letter or digit by their shape, whatever confusables.txt says (it maps
# none of these to an ASCII character), applied first:
# - Cyrillic lower-case letters drawn like Latin small capitals (м, т, к, н): in a name of Latin
#   letters they read as m, t, k, h;
# - Latin small capitals M and T, which confusables.txt sends to turned w (ʍ) and Greek tau;
# - schwa and turned e (one glyph): a's bowl and hook, the "a" of homoglyph tables such as
#   dnstwist's ("pəypəl");
# - wynn (ƿ) is drawn as p, v with palatal hook as v, two with stroke as 2, ezh as 3.
_READ_AS = str.maketrans(
    {"м": "m", "т": "t", "к": "k", "н": "h", "в": "b", "п": "n", "г": "r", "ь": "b", "и": "u",
     "ᴍ": "m", "ᴛ": "t", "ə": "a", "ǝ": "a", "ƿ": "p", "ᶌ": "v", "ƻ": "2", "ʒ": "3"}
)  # fmt: skip


@lru_cache(maxsize=4096)
def _latin_base(char: str) -> str:
    name = unicodedata.name(char, "")
    found = _LATIN_NAME.match(name)
    if found:
        return found.group(1).lower()
    if name.startswith("LATIN "):
        for word, base in _LATIN_WORDS.items():
            if name.endswith(" " + word) or f" {word} WITH " in name:
                return base
    return char


# Visual classes for the loose comparison of a whole name: shapes a hurried reader confuses.
# Single characters go to their class first, then sequences that read as one letter ("lc" as k,
# "cl" as d, "vv" as w), then runs of one class collapse ("rn", "nn" and "m" all become "n").
_LOOSE_CLASSES = str.maketrans(
    {"i": "l", "1": "l", "j": "l", "|": "l", "0": "o", "e": "c", "d": "b", "q": "g",
     "m": "n", "r": "n", "u": "v", "3": "8", "9": "6", "5": "s", "2": "z"}
)  # fmt: skip
_LOOSE_SEQUENCES = (("lh", "h"), ("lc", "k"), ("lb", "b"), ("cl", "b"), ("vv", "w"))
_RUNS = re.compile(r"(.)\1+")


@lru_cache(maxsize=65536)
def loose_skeleton(label: str) -> str:
    """The skeleton with visually similar letters merged (i/l/1, c/e, b/d, m/n/r, u/v, …).

    Coarser than :func:`skeleton`: it catches ``bamkcomm`` for ``bankcomm`` and ``clhina`` for
    ``china``, so it is only used for names long enough not to collide by chance.

    >>> loose_skeleton("barkconm") == loose_skeleton("bankcomm")
    True
    >>> loose_skeleton("banlc-of-chiṇa") == loose_skeleton("bank-of-china")
    True
    """
    text = _unicode_skeleton(label).translate(_LOOSE_CLASSES)
    for seen, meant in _LOOSE_SEQUENCES:
        if seen in text:
            text = text.replace(seen, meant)
    return _RUNS.sub(r"\1", text)


# Pairs of letters (after _LOOSE_CLASSES) that read as one: "cl" and "dl" as d, "lb" as b, "lh"
# as h, "lc" as k, "rn" and "nn" as m, "vv" as w. A homoglyph generator applies them in chains
# (d → dl → cll), which a left-to-right replacement cannot undo; :func:`reads_as` can.
_UNITS = {"cl": "b", "bl": "b", "lb": "b", "lh": "h", "lc": "k", "nn": "n", "vv": "w"}
_LONGEST_UNIT = 4
# Pairs in the brand's own name that a single letter can stand for (rn or nn as m, cl as d, vv as
# w). Not dl, lb, lh or lc: a lone d for the brand's "di" is a letter left out, not a shape.
_BRAND_UNITS = {"cl": "b", "nn": "n", "vv": "w"}
# The coarsest reading: every letter a unit can stand beside (l) dropped, every letter a unit can
# stand for merged with the unit's other letter (b, c, k; v, w).
_KEY_CLASSES = str.maketrans({"l": None, "c": "b", "k": "b", "w": "v"})


@lru_cache(maxsize=65536)
def _readings(segment: str) -> frozenset[str]:
    """The letters (in loose classes) that ``segment`` can be read as."""
    if len(segment) == 1:
        return frozenset(segment)
    found = set()
    for cut in range(1, len(segment)):
        for left in _readings(segment[:cut]):
            for right in _readings(segment[cut:]):
                if left + right in _UNITS:
                    found.add(_UNITS[left + right])
    return frozenset(found)


def _loose_letters(label: str) -> str:
    return _unicode_skeleton(label).translate(_LOOSE_CLASSES)


@lru_cache(maxsize=65536)
def visual_key(label: str) -> str:
    """A key that every visual spelling of a name shares (and many other names too): the
    index's way to find the names :func:`reads_as` may accept without comparing with each.

    >>> visual_key("didiglobal") == visual_key("dlidlglobal") == visual_key("cllidiglobal")
    True
    """
    return _RUNS.sub(r"\1", _loose_letters(label).translate(_KEY_CLASSES))


def reads_as(seen: str, meant: str) -> bool:
    """True when ``seen`` reads as ``meant`` letter by letter, each letter written as itself,
    as a letter of its shape (i/l/1, c/e, b/d, m/n/r, u/v, o/0, …) or as a sequence that reads as
    it (cl or dl for d, lb for b, rn for m, vv for w, and chains of those such as cll for d).

    >>> reads_as("dlidiglobal", "didiglobal"), reads_as("pindluodluo", "pinduoduo")
    (True, True)
    >>> reads_as("didaglobal", "didiglobal")
    False
    """
    s, t = _loose_letters(seen), _loose_letters(meant)
    # reachable[i] holds the positions j of ``t`` that s[:i] can be read as.
    reachable: list[set[int]] = [set() for _ in range(len(s) + 1)]
    reachable[0].add(0)
    for i in range(len(s)):
        for j in reachable[i]:
            for size in range(1, min(_LONGEST_UNIT, len(s) - i) + 1):
                if j < len(t) and t[j] in _readings(s[i : i + size]):
                    reachable[i + size].add(j + 1)
            if _BRAND_UNITS.get(t[j : j + 2]) == s[i]:
                reachable[i + 1].add(j + 2)
    return len(t) in reachable[len(s)]


def ascii_fold(text: str) -> str:
    """Replace ASCII lookalike sequences: ``rn``→``m``, ``vv``→``w``, ``cl``→``d``, ``0``→``o``,
    ``1``→``l``.

    >>> ascii_fold("rnicrosoft"), ascii_fold("g00gle"), ascii_fold("paypa1")
    ('microsoft', 'google', 'paypal')
    """
    for seen, meant in _ASCII_LOOKALIKES:
        if seen in text:
            text = text.replace(seen, meant)
    return text


@lru_cache(maxsize=65536)
def skeleton(label: str) -> str:
    """The skeleton of ``label``: what it looks like, whatever script it was written in.

    Lower-cased, decomposed, each character mapped to its confusable representative, accents
    dropped, and ASCII lookalike sequences folded.

    >>> skeleton("аlipаy") == skeleton("alipay")   # Cyrillic а
    True
    >>> skeleton("àlipay") == skeleton("alipay")
    True
    """
    return ascii_fold(_unicode_skeleton(label))


@lru_cache(maxsize=65536)
def _unicode_skeleton(label: str) -> str:
    """Lower case, confusables mapped to their representative, accents and hooks dropped."""
    if label.isascii():
        return label.lower()
    table = _prototypes()
    decomposed = unicodedata.normalize("NFD", label.lower().translate(_READ_AS))
    mapped = "".join(table.get(c, c) for c in decomposed)
    stripped = "".join(
        c if c.isascii() else _latin_base(c)
        for c in unicodedata.normalize("NFD", mapped)
        if unicodedata.category(c) != "Mn"
    )
    return stripped.lower()


def scripts_of(label: str) -> frozenset[str]:
    """The scripts of the letters in ``label`` (by Unicode character name), digits and
    punctuation ignored.

    >>> sorted(scripts_of("аlipay"))
    ['CYRILLIC', 'LATIN']
    """
    found = set()
    for char in label:
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        found.add(name.split(" ", 1)[0] if name else "UNKNOWN")
    # CJK ideographs are named "CJK UNIFIED IDEOGRAPH-…"; kana mixes with them legitimately.
    return frozenset("HAN" if s in ("CJK", "HIRAGANA", "KATAKANA") else s for s in found)


def is_mixed_script(label: str) -> bool:
    """True when ``label`` mixes letters of several scripts (other than Han with kana).

    >>> is_mixed_script("аlipay"), is_mixed_script("支付宝"), is_mixed_script("alipay")
    (True, False, False)
    """
    return len(scripts_of(label)) > 1
