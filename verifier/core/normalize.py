"""Unicode folding shared by every parser in the core.

People paste values out of chat apps, SMS and web pages: full-width digits (``９５５８８``), the
ideographic full stop (``icbc。com。cn``), invisible zero-width and bidi-control characters that a
scammer inserts to dodge filters, and NUL or other control characters from broken encodings.
Folding removes all of that before any parser sees the value.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "MAX_INPUT_LENGTH",
    "Folded",
    "fold",
    "fold_with_offsets",
    "has_control_characters",
    "is_unicode_text",
    "span_in_original",
]

#: Longer values are not phone numbers, links or addresses; they are rejected before parsing.
MAX_INPUT_LENGTH = 2048

# Dots that people (and scammers) use instead of ".": ideographic, full-width and half-width
# ideographic full stops. NFKC maps the full-width one but not the ideographic ones.
_DOTS = {"\u3002": ".", "\uff0e": ".", "\uff61": "."}

# Characters that render as nothing. Bidi controls (U+202A..U+202E, U+2066..U+2069) can make
# "moc.kab" display as "bak.com"; zero-width ones split a brand so that naive matching misses it.
_INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)

# Unicode categories Cc (C0, DEL, C1) and Cs (surrogates), as one character class.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")

_TRANSLATION = {ord(k): v for k, v in _DOTS.items()} | {ord(c): None for c in _INVISIBLE}


def fold(value: str) -> str:
    """Return ``value`` in the form every parser expects.

    NFKC folding (full-width letters and digits to ASCII), ideographic full stops to ".",
    invisible characters removed, and surrounding white space stripped.

    >>> fold("  ９５５８８\u200b ")
    '95588'
    >>> fold("icbc。com。cn")
    'icbc.com.cn'
    """
    if value.isascii():
        return value.strip()  # NFKC and the translation leave ASCII alone
    return unicodedata.normalize("NFKC", value).translate(_TRANSLATION).strip()


def is_unicode_text(value: str) -> bool:
    """False when ``value`` holds a lone surrogate: JSON and Python strings allow one
    (``"\\ud800"``), but it is not text, and an answer that echoes it cannot be encoded."""
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def has_control_characters(value: str) -> bool:
    """True when ``value`` holds a C0/C1 control character, a lone surrogate or a NUL."""
    return _CONTROL.search(value) is not None


def _fold_char(char: str, lower: bool) -> str:
    """One character folded as :func:`fold_with_offsets` folds it (nothing stripped)."""
    out = unicodedata.normalize("NFKC", char).translate(_TRANSLATION)
    return out.lower() if lower else out


class _FoldTable(dict[int, str]):
    """``str.translate`` table folding one character at a time, filled on first sight.

    Most characters fold to exactly one character; the few that do not (invisible ones to
    nothing, ligatures and squared units to several) are remembered in ``irregular`` so that
    :func:`fold_with_offsets` only walks those to build its offset table. Only characters of the
    Basic Multilingual Plane are kept, so hostile text cannot grow the table without bound.
    """

    def __init__(self, lower: bool) -> None:
        super().__init__()
        self.lower = lower
        #: character -> length of its folding, for foldings that are not one character long.
        self.irregular: dict[str, int] = {}

    def __missing__(self, code: int) -> str:
        char = chr(code)
        out = _fold_char(char, self.lower)
        if code <= 0xFFFF:
            # irregular first: a thread that finds the character cached must also find this.
            if len(out) != 1:
                self.irregular[char] = len(out)
            self[code] = out
        return out


#: A folded text and its origin table, as :func:`fold_with_offsets` returns them.
Folded = tuple[str, tuple[int, ...]]

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_FOLD_TABLES = {False: _FoldTable(lower=False), True: _FoldTable(lower=True)}
_IRREGULAR_PATTERNS: dict[frozenset[str], re.Pattern[str]] = {}
_CHANGING_PATTERNS: dict[bool, re.Pattern[str]] = {}
# Searches for changing characters before folding falls back to ``str.translate``.
_MAX_REPLACEMENTS = 64
# Offsets of texts up to a scan's limit (scan.MAX_SCAN_LENGTH and the final offset) are kept.
_MAX_KEPT_IDENTITY = 100_001
_IDENTITY: tuple[int, ...] = ()


def fold_with_offsets(text: str, *, lower: bool = False) -> Folded:
    """Fold ``text`` character by character, remembering where each folded character came from.

    The scanner searches the folded text but must report spans in the text as submitted, so
    every folded character keeps the code-point offset of the character it came from.
    ``origin`` has one entry per folded character plus a final ``len(text)``, so a folded span
    ``[i, j)`` is ``text[origin[i]:origin[j]]`` when ``j`` ends a character (use
    :func:`span_in_original` for the general case). Nothing is stripped; invisible characters
    are dropped, and ``lower=True`` also lower-cases.

    >>> folded, origin = fold_with_offsets("拨打\u200b９５５８８")
    >>> folded, origin
    ('拨打95588', (0, 1, 3, 4, 5, 6, 7, 8))
    """
    table = _FOLD_TABLES[lower]
    replaced = _replace_folded(text, table)
    identity = _identity(len(text) + 1)
    if replaced is not None:
        # Every character that folding changes in ``text`` was met, so only those can be
        # irregular; most texts have none.
        folded, met = replaced
        irregular = {c: len(out) for c in met if len(out := table[ord(c)]) != 1}
        if not irregular:
            return folded, identity  # every character folded to one: the common case
    else:
        folded = text.translate(table)
        irregular = dict(table.irregular)
        # Characters outside the BMP are not cached; the few that fold irregularly are
        # found here.
        for char in set(_ASTRAL.findall(text)):
            out = table[ord(char)]
            if len(out) != 1:
                irregular[char] = len(out)
    pattern = _irregular_pattern(frozenset(irregular))
    if pattern.search(text) is None:
        return folded, identity  # every character folded to one
    origin: list[int] = []
    last = 0
    for match in pattern.finditer(text):
        position = match.start()
        origin.extend(identity[last:position])
        origin.extend([position] * irregular[text[position]])
        last = position + 1
    origin.extend(identity[last:])
    return folded, tuple(origin)


def _replace_folded(text: str, table: _FoldTable) -> tuple[str, set[str]] | None:
    """``text.translate(table)`` and the characters it met that folding may change (those it
    changed, and the characters outside the BMP, which are not cached), or None when the text
    is better left to ``translate``.

    ``translate`` looks every character up (about 0.1 µs each: most of the cost of folding a
    100 KB page), though most texts hold only a handful of distinct characters that folding
    changes (the full-width punctuation of Chinese). Each of those is found by a search for
    any changing character and replaced everywhere in one C pass. Text with many of them
    (hostile, or full-width throughout) goes back to ``translate``; so does a character whose
    folding holds another changing one, which a later replacement would fold twice.
    """
    changing = _changing_pattern(table.lower)
    folded = text
    met: set[str] = set()
    at = 0
    for _ in range(_MAX_REPLACEMENTS):
        match = changing.search(folded, at)
        if match is None:
            return folded, met
        char = match.group()
        out = table[ord(char)]
        met.add(char)
        if ord(char) > 0xFFFF and out == char:
            at = match.end()  # the pattern takes every astral character; most stay
            continue
        if changing.search(out) is not None:
            return None
        folded = folded.replace(char, out)
        at = match.start()  # nothing before it changes, and ``out`` holds nothing that does
    return None


def _changing_pattern(lower: bool) -> re.Pattern[str]:
    """A character class of every BMP character that folding changes, and of every character
    outside the BMP (not cached, so judged when met). Built on first use: one pass over the
    BMP, some 30 ms, once per process."""
    pattern = _CHANGING_PATTERNS.get(lower)
    if pattern is None:
        codes = [c for c in range(0x10000) if _fold_char(chr(c), lower) != chr(c)]
        ranges: list[str] = []
        first = 0
        for k, code in enumerate(codes):
            if k + 1 < len(codes) and codes[k + 1] == code + 1:
                continue  # inside a range of consecutive code points
            low, high = codes[first], code
            ranges.append(re.escape(chr(low)) + ("-" + re.escape(chr(high)) if high > low else ""))
            first = k + 1
        body = "".join(ranges)
        pattern = _CHANGING_PATTERNS[lower] = re.compile(f"[{body}\U00010000-\U0010ffff]")
    return pattern


def _identity(length: int) -> tuple[int, ...]:
    """``tuple(range(length))``, sliced from a kept one up to scan-sized texts.

    Building the offsets of a 100 KB text means creating 100 000 int objects, a large part of a
    scan's cost; slicing a kept tuple only copies references to them.
    """
    global _IDENTITY
    if length > len(_IDENTITY):
        if length > _MAX_KEPT_IDENTITY:
            return tuple(range(length))
        _IDENTITY = tuple(range(length))
    return _IDENTITY[:length]


def _irregular_pattern(chars: frozenset[str]) -> re.Pattern[str]:
    pattern = _IRREGULAR_PATTERNS.get(chars)
    if pattern is None:
        if len(_IRREGULAR_PATTERNS) > 64:
            _IRREGULAR_PATTERNS.clear()
        body = "".join(re.escape(c) for c in sorted(chars))
        # "(?!)" never matches: with no irregular character, offsets are the identity.
        pattern = _IRREGULAR_PATTERNS[chars] = re.compile(f"[{body}]" if body else "(?!)")
    return pattern


def span_in_original(origin: tuple[int, ...], start: int, end: int) -> tuple[int, int]:
    """The span of the submitted text that the folded span ``[start, end)`` came from.

    ``end`` is mapped through the folded character before it, so a span that ends inside the
    expansion of one character (NFKC turns "㎏" into "kg") still covers that whole character.
    """
    if end <= start:
        return origin[start], origin[start]
    return origin[start], origin[end - 1] + 1
