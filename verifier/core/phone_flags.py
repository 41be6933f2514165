"""Red flags on numbers that are not in the registry but lean on one that is.

- ``0095588``, ``95588 1234``: an official short number with digits added before or after it, a
  known caller-ID spoofing tell (a genuine 95588 call shows exactly 95588);
- ``955880``, ``95598``: one digit away from an official number, hoping nobody counts.

Both are found through maps built once per registry snapshot, never by comparing the number
with every official number in turn.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from verifier.core.index import Platform, RegistryIndex
from verifier.core.lookalike import classify_typo

__all__ = ["NumberTrick", "digits_of", "find_number_trick"]

#: Official numbers shorter than this are not used (110 inside a long number means nothing).
MIN_SHORT_LENGTH = 5
#: At most this many digits added around an official short number count as a spoofing tell.
MAX_ADDED_DIGITS = 4


@dataclass(frozen=True, slots=True)
class NumberTrick:
    """How a number leans on an official one."""

    #: ``official_number_with_extra_digits`` or ``near_official_number``.
    code: str
    #: The official number it leans on.
    official: str
    #: The platforms owning that number (one, almost always).
    platforms: tuple[Platform, ...]
    #: What was added or changed, for the message.
    detail: str


@dataclass(frozen=True)
class _NumberMaps:
    short: dict[str, tuple[Platform, ...]]
    deletions: dict[str, tuple[str, ...]]
    longest: int


def _maps(index: RegistryIndex) -> _NumberMaps:
    return index.memo("number_maps", _build_maps, index.platforms)


def _build_maps(platforms: tuple[Platform, ...]) -> _NumberMaps:
    owners: dict[str, list[Platform]] = {}
    for platform in platforms:
        for channel in platform.active_channels():
            value = channel.value
            if channel.kind == "phone" and value.isdigit() and len(value) >= MIN_SHORT_LENGTH:
                owners.setdefault(value, []).append(platform)
    deletions: dict[str, list[str]] = {}
    for number in owners:
        for i in range(len(number)):
            deletions.setdefault(number[:i] + number[i + 1 :], []).append(number)
    return _NumberMaps(
        {k: tuple(v) for k, v in owners.items()},
        {k: tuple(v) for k, v in deletions.items()},
        max(map(len, owners), default=0),
    )


def digits_of(text: str) -> str:
    """The digits of ``text``, in order, as ASCII (other scripts' digits converted).

    >>> digits_of("+86 ９５５-88")
    '8695588'
    """
    return "".join(str(unicodedata.decimal(c)) for c in text if c.isdecimal())


def find_number_trick(digits: str, index: RegistryIndex) -> NumberTrick | None:
    """The official short number ``digits`` leans on, and how; None when it leans on none.

    ``digits`` is the number as written, digits only, and is not itself in the registry.

    >>> from verifier.core.index import Channel
    >>> icbc = Platform("icbc", "工行", channels=(Channel("phone", "95588"),))
    >>> index = RegistryIndex.build([icbc])
    >>> find_number_trick("0095588", index).code
    'official_number_with_extra_digits'
    >>> find_number_trick("955880", index).code
    'near_official_number'
    """
    maps = _maps(index)
    if not maps.short or digits in maps.short or len(digits) > maps.longest + MAX_ADDED_DIGITS:
        return None  # (a full-length number cannot be a short one with a few digits added)
    for size in (6, 5):
        # One added digit is "one digit away" (955880); two or more (0095588) is the spoofing
        # pattern.
        if not 2 <= len(digits) - size <= MAX_ADDED_DIGITS:
            continue
        for official, added in ((digits[-size:], digits[:-size]), (digits[:size], digits[size:])):
            if official in maps.short:
                return NumberTrick(
                    "official_number_with_extra_digits", official, maps.short[official], added
                )
    if not MIN_SHORT_LENGTH - 1 <= len(digits) <= 7:
        return None
    near: set[str] = set()
    for key in (digits, *(digits[:i] + digits[i + 1 :] for i in range(len(digits)))):
        near.update(maps.deletions.get(key, ()))
        if key in maps.short and key != digits:
            near.add(key)
    found = [
        (official, detail)
        for official in sorted(near)
        for code, detail in [classify_typo(digits, official)]
        if code is not None
    ]
    if not found:
        return None
    # 95589 is one digit from 95588 (ICBC), 95559 (BoCom) and 95599 (ABC) alike: then no single
    # platform is imitated, and the trick names every official number it is close to.
    owners = tuple(dict.fromkeys(p for official, _ in found for p in maps.short[official]))
    officials = "/".join(official for official, _ in found)
    detail = found[0][1] if len(found) == 1 else ""
    return NumberTrick("near_official_number", officials, owners, detail)
