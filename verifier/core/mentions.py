"""Platform names in a text: which registered platforms a message or page talks about.

A scam message presents its phone number or link as a platform's ("拼多多官方客服 400-…"); the
scanner needs every platform the text names, with its span in the text as submitted, to tell
whom each contact claims to be. Names are found in one pass of an Aho-Corasick automaton
(pyahocorasick) over every name and alias in the registry, built once per registry snapshot, so
the cost of a scan does not grow with the number of platforms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise

import ahocorasick

from verifier.core.index import Platform, RegistryIndex
from verifier.core.normalize import Folded, fold, fold_with_offsets, span_in_original
from verifier.core.values import direct_init

__all__ = ["ORDINARY_WORDS", "Mention", "find_mention_spans", "find_mentions"]

#: Names that never count as a mention, even when a registry entry uses one as a name or alias:
#: on their own they are ordinary words ("平安" is safe and sound, "招商" is attracting investment,
#: "交通" is traffic, "line" and "shell" are English words), generic service words ("客服",
#: "银行", "支付"), or half of a longer name that people use for other things. The longer names
#: that contain them ("平安银行", "中国平安", "招商银行") still count. Brands that are also common
#: words but that a customer-service message means as the brand (苹果 and Apple for Apple ID
#: scams, Amazon) are not listed: in the messages people check, they name the company.
ORDINARY_WORDS = frozenset(
    {
        # Chinese: short forms of bank names that are everyday words.
        "平安", "招商", "光大", "中信", "华夏", "兴业", "民生", "广发", "交通", "建设", "农业",
        "工商", "邮政", "移动", "联通", "电信", "广电", "铁路",
        # Chinese: what every platform's message says.
        "支付", "银行", "客服", "官方", "快递", "物流", "速运", "速递", "外卖", "出行", "钱包",
        "金融", "保险", "证券", "信用卡", "视频", "影视", "会员", "商城", "中国", "报警", "公安",
        # English: ordinary words and generic service words.
        "bank", "pay", "payment", "post", "mail", "express", "mobile", "telecom", "line",
        "shell", "service", "support", "official", "china", "app", "mall", "travel", "video",
        "card", "police", "wallet", "delivery",
    }
)  # fmt: skip

#: Abbreviations this short (CCB, CMB, EMS, PDD, ICBC) count only when written in capitals:
#: in lower case they are parts of English words or chat ("boc", "ems", "ceb").
MAX_ABBREVIATION_LENGTH = 4

# Whitespace that is not a single space: collapsed to one space, so "Ping  An" and "Ping\nAn"
# match the name "Ping An".
_ODD_SPACE = re.compile(r"[^\S ]\s*| \s+")
#: Every white-space character, as ``\s`` matches them (all in the Basic Multilingual Plane).
_WHITE_SPACE = tuple(chr(code) for code in range(0x10000) if chr(code).isspace())


@direct_init
@dataclass(frozen=True, slots=True)
class Mention:
    """A platform named in a text."""

    #: Code-point offset of the name in the text as submitted.
    start: int
    #: Offset just past the name (exclusive).
    end: int
    #: The name as written: ``text[start:end]`` of the submitted text, invisible characters
    #: and odd spacing included.
    text: str
    #: The platform the name belongs to.
    platform: Platform


@dataclass(frozen=True, slots=True)
class _Owner:
    """A platform that owns a searched name, and how the name must be written to count."""

    platform: Platform
    #: The name is a short capital abbreviation: it counts only written in capitals.
    capitals_only: bool
    #: The name is the platform's own Chinese or English name, not an alias.
    primary: bool


def find_mentions(
    text: str, index: RegistryIndex, *, prefolded: Folded | None = None
) -> tuple[Mention, ...]:
    """Every platform name and alias in ``text``, in one pass, longest match first,
    non-overlapping, sorted by start.

    Rules, each against a way a naive search goes wrong:

    * Names are compared after Unicode folding and lower-casing, so full-width letters
      (``ＩＣＢＣ``) and invisible characters inserted inside a name (``拼\\u200b多多``) do not
      hide it; spans are mapped back to the text as submitted and cover those characters.
    * The longest name wins and shorter names overlapping it are dropped: "中国工商银行" is one
      mention, not also "工商银行".
    * Latin names match only at word boundaries (no ASCII letter or digit right before or
      after): "CMB" is not found inside "CMBC", nor "EMS" inside "items".
    * Capital abbreviations of at most four letters (CCB, CMB, EMS, PDD, BOC) count only when
      every letter is written in capitals, so "ceb" or "Boc" in a sentence is not a bank.
    * A space in a name matches any run of white space ("Ping  An"); a space next to a Chinese
      character may also be left out ("中国铁路12306").
    * Names in :data:`ORDINARY_WORDS`, single Chinese characters and Latin names of one or two
      letters never count: alone they are words, not a brand.

    ``prefolded`` is ``fold_with_offsets(text, lower=True)`` when the caller has it already.

    A name of two platforms (rare) is attributed to the platform whose own name it is, then to
    the first by slug.

    >>> pdd = Platform("pinduoduo", "拼多多", "Pinduoduo", aliases=("PDD",))
    >>> index = RegistryIndex.build([pdd])
    >>> [(m.start, m.end, m.text) for m in find_mentions("【拼多多】PDD客服, not pdd", index)]
    [(1, 4, '拼多多'), (5, 8, 'PDD')]
    """
    return tuple(
        Mention(start, end, text[start:end], platform)
        for start, end, platform in find_mention_spans(text, index, prefolded=prefolded)
    )


def find_mention_spans(
    text: str, index: RegistryIndex, *, prefolded: Folded | None = None
) -> list[tuple[int, int, Platform]]:
    """:func:`find_mentions` as ``(start, end, platform)`` tuples: the scanner makes a
    :class:`Mention` only of those it keeps (the names inside contacts are not)."""
    names = _names(index)
    if not text or not names.keys:
        return []
    folded, origin = prefolded or fold_with_offsets(text, lower=True)
    candidates, spaced = _found_names(text, folded, origin, names)
    if spaced:
        # A run of odd white space follows a character that comes before a space in a name:
        # where the run lies between the two characters of a name's space ("Ping\nAn"), it
        # is made one space and the text searched again. Most texts have no such run.
        collapsed = _collapse_whitespace(folded, origin, _spanned_runs(index))
        if collapsed[0] is not folded:
            folded, origin = collapsed
            candidates, _ = _found_names(text, folded, origin, names)
    candidates.sort()  # by start: the automaton finds them by end
    kept: list[tuple[int, int, Platform]] = []
    # Names overlap in small clusters ("中国工商银行" and "工商银行"), most of them in none: each
    # cluster is settled on its own, which keeps what settling them all together would.
    cluster: list[tuple[int, int, Platform]] = []
    cluster_end = 0
    for candidate in candidates:
        if candidate[0] >= cluster_end:
            _settle(cluster, kept)
            cluster = [candidate]
        else:
            cluster.append(candidate)
        if candidate[1] > cluster_end:
            cluster_end = candidate[1]
    _settle(cluster, kept)
    # span_in_original(origin, start, end), inlined: names are never empty. The origin table
    # never decreases, so the spans stay sorted by start.
    spans = [(origin[start], origin[end - 1] + 1, platform) for start, end, platform in kept]
    if all(a[0] != b[0] for a, b in pairwise(spans)):
        return spans
    # Two names start in one character of the text (in its folding: "㍿" is "株式会社"): the
    # longest first, as the names were taken.
    ordered = sorted(
        (origin[start], start - end, start, origin[end - 1] + 1, platform)
        for start, end, platform in kept
    )
    return [(start, end, platform) for start, _, _, end, platform in ordered]


def _found_names(
    text: str, folded: str, origin: tuple[int, ...], names: _Names
) -> tuple[list[tuple[int, int, Platform]], bool]:
    """Every name the automaton finds in ``folded`` that counts as written, as ``(start, end,
    platform)`` in the folded text, unsorted; and whether it met a :data:`_SPACED_RUN` marker.
    No two names share a span, so the platform is never compared when they are sorted."""
    size = len(folded)
    candidates: list[tuple[int, int, Platform]] = []
    spaced = False
    for last, (length, owners, latin_start, latin_end, platform) in names.search(folded):
        end = last + 1
        start = end - length
        # A Latin name's ends must not touch an ASCII letter or digit ("CMB" in "CMBC").
        if latin_start and start > 0 and _is_word_char(folded[start - 1]):
            continue
        if latin_end and end < size and _is_word_char(folded[end]):
            continue
        if platform is None:  # the first owner's name counts only in capitals
            if not owners:  # the marker of a run of odd white space, not a name
                spaced = True
                continue
            o_start, o_end = span_in_original(origin, start, end)
            owner = _owner_as_written(owners, text[o_start:o_end])
            if owner is None:
                continue
            platform = owner.platform
        candidates.append((start, end, platform))
    return candidates, spaced


def _settle(
    cluster: list[tuple[int, int, Platform]], kept: list[tuple[int, int, Platform]]
) -> None:
    """Append to ``kept`` the names of ``cluster`` (overlapping names, sorted by start) that
    count: the longest first; a shorter name overlapping one already taken is part of it."""
    if len(cluster) == 1:  # the common case: a name that overlaps no other
        kept.append(cluster[0])
        return
    taken: list[tuple[int, int, Platform]] = []
    for name in sorted(cluster, key=lambda c: (c[0] - c[1], c[0])):
        if not any(name[0] < t[1] and t[0] < name[1] for t in taken):
            taken.append(name)
    kept.extend(sorted(taken, key=lambda c: c[0]))


#: A match of the automaton: the index of the name's last character in the searched text, and
#: what :func:`find_mention_spans` needs of the name (see :func:`_build_names`).
_Match = tuple[int, tuple[int, tuple[_Owner, ...], bool, bool, Platform | None]]

#: What the automaton holds for a run of odd white space after a character that comes before a
#: space in a name: no owners, so never a name.
_SPACED_RUN: tuple[int, tuple[_Owner, ...], bool, bool, Platform | None] = (
    2,
    (),
    False,
    False,
    None,
)

# Characters outside the Basic Multilingual Plane (emoji): UTF-16 writes each as two code units.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@dataclass(frozen=True, slots=True)
class _Names:
    """Every countable name of a snapshot, ready to be searched for.

    pyahocorasick finds a node's child by a linear search over its children, so each character
    of the text costs a comparison with every distinct first character of a name at the root:
    with the community tier, 183 of them (401 searched names), which made reading a page for
    names three times as costly as with the verified tier alone (130 names). The automaton
    therefore holds each name written as the hexadecimal digits of its UTF-16 code units ("中"
    is "4e2d"), where no node has more than 16 children, and searches the text written the
    same way: one character is four steps that each compare with at most 16, whatever the size
    of the registry.
    """

    #: The names as searched (folded, lower-cased, spaces single).
    keys: tuple[str, ...]
    automaton: ahocorasick.Automaton
    #: True when the automaton holds the names in hexadecimal (every name is in the Basic
    #: Multilingual Plane, as every registered name is); False: as written.
    in_hex: bool
    #: A character of the Basic Multilingual Plane in no name: it stands in for each astral
    #: character of a text, which no name contains either, so that every character of the text
    #: is four hexadecimal digits and the text keeps its offsets.
    stand_in: str

    def search(self, text: str) -> list[_Match]:
        """Every occurrence of a name in ``text`` (folded as the names are), as
        ``automaton.iter(text)`` would give it for the names as written."""
        if not self.in_hex:
            return list(self.automaton.iter(text))
        # Lone surrogates (which a str may hold) are one code unit each, like any character.
        encoded = text.encode("utf-16-be", "surrogatepass")
        if len(encoded) != 2 * len(text):
            encoded = _ASTRAL.sub(self.stand_in, text).encode("utf-16-be", "surrogatepass")
        # A match counts only when it ends on a character's last digit; since every name is a
        # whole number of characters, it then also starts on one.
        return [
            (last >> 2, value)
            for last, value in self.automaton.iter(encoded.hex())
            if last & 3 == 3
        ]


def _names(index: RegistryIndex) -> _Names:
    """The names of ``index``, ready to be searched for, built once per snapshot."""
    return index.memo(("mentions",), lambda: _build_names(index.platforms))


def _spanned_runs(index: RegistryIndex) -> re.Pattern[str] | None:
    """Runs of odd white space (as :data:`_ODD_SPACE` finds them) that a name of ``index``
    could span, each found with the character before it; None when no name has a space.

    A name holds white space only as single spaces between two other characters. A run
    between characters that come before and after no space of any name (a line break after
    "。") is no part of any match, collapsed or not: only the others need collapsing. Starting
    from the character before the run keeps the search on a plain class, which the engine
    skips through at C speed. Searched only when the automaton has met a :data:`_SPACED_RUN`
    marker: a pass of its own cost 8M instructions on the dense bench page, to find nothing.
    """

    def compute() -> re.Pattern[str] | None:
        pairs = [
            (key[at - 1], key[at + 1])
            for key in _names(index).keys
            for at, char in enumerate(key)
            if char == " "
        ]
        if not pairs:
            return None
        before = "".join(re.escape(c) for c in sorted({b for b, _ in pairs}))
        after = "".join(re.escape(c) for c in sorted({a for _, a in pairs}))
        # The runs are maximal (neither the character before nor the one after is white
        # space), so this finds exactly the runs of _ODD_SPACE that sit between the two.
        return re.compile(rf"[{before}](?:{_ODD_SPACE.pattern})(?=[{after}])")

    return index.memo(("mentions", "spanned runs"), compute)


def _build_names(platforms: Iterable[Platform]) -> _Names:
    owners: dict[str, dict[str, _Owner]] = {}
    for platform in platforms:
        primary = {platform.name_zh, platform.name_en}
        for name in dict.fromkeys((platform.name_zh, platform.name_en, *platform.aliases)):
            folded = fold(name)
            capitals_only = _is_abbreviation(folded)
            for key in _keys(folded):
                by_slug = owners.setdefault(key, {})
                previous = by_slug.get(platform.slug)
                if previous is not None:
                    # One platform, two names with one key (CMB and Cmb): the laxer rule wins.
                    capitals_only = capitals_only and previous.capitals_only
                by_slug[platform.slug] = _Owner(
                    platform,
                    capitals_only,
                    name in primary or (previous is not None and previous.primary),
                )
    in_hex = all(char <= "\uffff" for key in owners for char in key)

    def searched(key: str) -> str:
        return key.encode("utf-16-be", "surrogatepass").hex() if in_hex else key

    automaton = ahocorasick.Automaton()
    for key, by_slug in owners.items():
        ranked = tuple(by_slug.values())
        if len(ranked) > 1:
            ranked = tuple(sorted(ranked, key=lambda o: (not o.primary, o.platform.slug)))
        # What find_mentions needs of a match: the name's length, its owners, whether it
        # starts and ends with a Latin letter or digit (then it must stand at word boundaries),
        # and the platform it names unless the case it is written in decides.
        automaton.add_word(
            searched(key),
            (
                len(key),
                ranked,
                _is_word_char(key[0]),
                _is_word_char(key[-1]),
                None if ranked[0].capitals_only else ranked[0].platform,
            ),
        )
    # Marks where odd white space follows a character that comes before a space in a name, so
    # that the one pass for names also says whether a name may span such a run (see
    # find_mention_spans): a run of white space other than a single space starts with
    # white space other than a space, or with a space and more white space.
    before_space = {key[at - 1] for key in owners for at, char in enumerate(key) if char == " "}
    for char in before_space:
        for space in _WHITE_SPACE:
            runs = (char + space, char + " " + space) if space != " " else (char + "  ",)
            for run in runs:
                automaton.add_word(searched(run), _SPACED_RUN)
    if len(automaton):
        automaton.make_automaton()
    in_names = {char for key in owners for char in key}
    stand_in = next(chr(c) for c in range(0xFFFF, 0, -1) if chr(c) not in in_names)
    return _Names(tuple(owners), automaton, in_hex, stand_in)


def _is_abbreviation(name: str) -> bool:
    """True for a short capital abbreviation (``name`` folded): CCB, EMS, ICBC."""
    return (
        name.isascii()
        and name.isalpha()
        and name.isupper()
        and len(name) <= MAX_ABBREVIATION_LENGTH
    )


def _keys(name: str) -> Iterator[str]:
    """The searched forms of ``name`` (folded): lower-cased, white space as single spaces, and
    without the spaces next to a Chinese character. Nothing for names that never count."""
    words = name.lower().split()
    if not words:
        return
    key = " ".join(words)
    if not _countable(key):
        return
    yield key
    # "中国铁路 12306" is also written "中国铁路12306"; "Ping An" is not "PingAn".
    joined = words[0]
    for word in words[1:]:
        joined += word if not (joined[-1].isascii() and word[0].isascii()) else " " + word
    if joined != key and _countable(joined):
        yield joined


def _countable(key: str) -> bool:
    if key in ORDINARY_WORDS or len(key) < 2:
        return False
    return not (key.isascii() and len(key) <= 2)


def _collapse_whitespace(
    folded: str, origin: tuple[int, ...], spanned: re.Pattern[str] | None
) -> tuple[str, tuple[int, ...]]:
    """``folded`` with every run of white space that a name could span (``spanned``, from
    :func:`_spanned_runs`) made one space, and its origin table. Most texts need no copy."""
    runs = [] if spanned is None else [(m.start() + 1, m.end()) for m in spanned.finditer(folded)]
    if not runs:
        return folded, origin
    parts: list[str] = []
    offsets: list[int] = []
    last = 0
    for start, end in runs:
        parts.append(folded[last:start])
        offsets.extend(origin[last:start])
        parts.append(" ")
        offsets.append(origin[start])
        last = end
    parts.append(folded[last:])
    offsets.extend(origin[last:])
    return "".join(parts), tuple(offsets)


def _is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _owner_as_written(owners: tuple[_Owner, ...], written: str) -> _Owner | None:
    """The first owner whose case rule the name as written satisfies, or None."""
    if not owners[0].capitals_only:
        return owners[0]
    in_capitals = not any(c.islower() for c in fold(written))
    for owner in owners:
        if in_capitals or not owner.capitals_only:
            return owner
    return None
