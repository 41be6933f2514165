"""Cut a scanned text into segments for the page: plain text, findings, mentions, scam signs.

The page shows the message as received with each finding marked in place. Marking it up by
inserting HTML into the text would mean trusting the text; instead the text is cut here into
plain strings and the template renders each one with autoescaping, wrapping only the marked
ones. Nothing the person pasted is ever marked safe.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = ["KINDS", "Segment", "segments"]

#: What a segment is, in the order a span wins when two overlap.
KINDS = ("finding", "mention", "sign")


class Spanned(Protocol):
    """Anything with code-point offsets into the text (findings, mentions, pattern hits)."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of the text, in order; joined together they give the text back exactly."""

    #: The characters of the text this segment covers, as submitted.
    text: str
    #: ``plain``, or one of :data:`KINDS`.
    kind: str = "plain"
    #: The position of the finding, mention or sign in its own list; -1 for plain text.
    index: int = -1


def segments(
    text: str,
    findings: Sequence[Spanned] = (),
    mentions: Sequence[Spanned] = (),
    signs: Sequence[Spanned] = (),
) -> list[Segment]:
    """Cut ``text`` at the spans of ``findings``, ``mentions`` and ``signs``.

    The scanner promises sorted spans and findings that overlap nothing; this does not rely on
    it: a span outside the text, empty, or overlapping one already taken is left unmarked
    (findings are taken first, then mentions, then signs), so any input gives a valid cut.

    >>> from types import SimpleNamespace as S
    >>> [(s.text, s.kind) for s in segments("call 95588 now", [S(start=5, end=10)])]
    [('call ', 'plain'), ('95588', 'finding'), (' now', 'plain')]
    """
    taken = _Taken()
    marked: list[tuple[int, int, str, int]] = []
    for kind, spans in zip(KINDS, (findings, mentions, signs), strict=True):
        for index, (start, end) in _valid(spans, len(text)):
            if taken.add(start, end):
                marked.append((start, end, kind, index))
    marked.sort()
    out: list[Segment] = []
    position = 0
    for start, end, kind, index in marked:
        if position < start:
            out.append(Segment(text[position:start]))
        out.append(Segment(text[start:end], kind, index))
        position = end
    if position < len(text):
        out.append(Segment(text[position:]))
    return out


def _valid(spans: Iterable[Spanned], length: int) -> Iterable[tuple[int, tuple[int, int]]]:
    for index, span in enumerate(spans):
        if 0 <= span.start < span.end <= length:
            yield index, (span.start, span.end)


class _Taken:
    """Disjoint half-open intervals, kept sorted so that each test is a binary search."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def add(self, start: int, end: int) -> bool:
        """Take ``[start, end)`` unless it overlaps a taken interval; True when taken."""
        at = bisect_right(self._starts, start)
        if at and self._ends[at - 1] > start:
            return False  # the interval starting before this one reaches into it
        if at < len(self._starts) and self._starts[at] < end:
            return False  # the next interval starts inside this one
        self._starts.insert(at, start)
        self._ends.insert(at, end)
        return True
