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

__all__ = ["ascii_fold", "is_mixed_script", "loose_skeleton", "scripts_of", "skeleton"]

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
_LATIN_WORDS = {"ENG": "n", "SCHWA": "e", "KRA": "k", "ALPHA": "a", "IOTA": "i", "TONE SIX": "b"}
# Cyrillic lower-case letters drawn like Latin small capitals (м, т, к, н), which confusables.txt
# does not map: in a name of Latin letters they read as m, t, k, h.
_SMALL_CAPITAL_LOOKALIKES = str.maketrans(
    {"м": "m", "т": "t", "к": "k", "н": "h", "в": "b", "п": "n", "г": "r", "ь": "b", "и": "u"}
)


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
    decomposed = unicodedata.normalize("NFD", label.lower().translate(_SMALL_CAPITAL_LOOKALIKES))
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
