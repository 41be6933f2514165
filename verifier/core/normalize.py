"""Unicode folding shared by every parser in the core.

People paste values out of chat apps, SMS and web pages: full-width digits (``９５５８８``), the
ideographic full stop (``icbc。com。cn``), invisible zero-width and bidi-control characters that a
scammer inserts to dodge filters, and NUL or other control characters from broken encodings.
Folding removes all of that before any parser sees the value.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["MAX_INPUT_LENGTH", "fold", "has_control_characters"]

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
