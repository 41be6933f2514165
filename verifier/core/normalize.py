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
    "fold",
    "fold_with_offsets",
    "has_control_characters",
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
    return unicodedata.normalize("NFKC", value).translate(_TRANSLATION).strip()


def has_control_characters(value: str) -> bool:
    """True when ``value`` holds a C0/C1 control character, a lone surrogate or a NUL."""
    return _CONTROL.search(value) is not None


def fold_with_offsets(text: str, *, lower: bool = False) -> tuple[str, tuple[int, ...]]:
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
    parts: list[str] = []
    origin: list[int] = []
    for position, char in enumerate(text):
        if char.isascii():
            out = char.lower() if lower else char
        else:
            out = unicodedata.normalize("NFKC", char).translate(_TRANSLATION)
            if lower:
                out = out.lower()
        parts.append(out)
        origin.extend([position] * len(out))
    origin.append(len(text))
    return "".join(parts), tuple(origin)


def span_in_original(origin: tuple[int, ...], start: int, end: int) -> tuple[int, int]:
    """The span of the submitted text that the folded span ``[start, end)`` came from.

    ``end`` is mapped through the folded character before it, so a span that ends inside the
    expansion of one character (NFKC turns "㎏" into "kg") still covers that whole character.
    """
    if end <= start:
        return origin[start], origin[start]
    return origin[start], origin[end - 1] + 1
