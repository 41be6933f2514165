"""Cutting a scanned text into segments: the text comes back whole whatever spans are given."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verifier.web.highlight import Segment, segments


def span(start: int, end: int) -> SimpleNamespace:
    return SimpleNamespace(start=start, end=end)


TEXT = "工行客服 95588，或 icbc.com.cn"


@pytest.mark.parametrize(
    ("findings", "mentions", "signs", "expected"),
    [
        # nothing found: the whole text, plain
        ([], [], [], [(TEXT, "plain", -1)]),
        # one finding in the middle
        (
            [span(5, 10)],
            [],
            [],
            [
                ("工行客服 ", "plain", -1),
                ("95588", "finding", 0),
                ("，或 icbc.com.cn", "plain", -1),
            ],
        ),
        # a finding, a mention and a sign, given out of order, come back in text order
        (
            [span(13, 24)],
            [span(0, 2)],
            [span(2, 4)],
            [
                ("工行", "mention", 0),
                ("客服", "sign", 0),
                (" 95588，或 ", "plain", -1),
                ("icbc.com.cn", "finding", 0),
            ],
        ),
        # spans at both ends leave no empty plain segment
        (
            [span(0, 4), span(13, 24)],
            [],
            [],
            [
                ("工行客服", "finding", 0),
                (" 95588，或 ", "plain", -1),
                ("icbc.com.cn", "finding", 1),
            ],
        ),
        # a mention overlapping a finding loses: findings are marked first
        (
            [span(2, 10)],
            [span(0, 3)],
            [],
            [
                ("工行", "plain", -1),
                ("客服 95588", "finding", 0),
                ("，或 icbc.com.cn", "plain", -1),
            ],
        ),
        # a sign inside a finding, and a second finding overlapping the first, are not marked
        (
            [span(5, 10), span(8, 12)],
            [],
            [span(6, 7)],
            [
                ("工行客服 ", "plain", -1),
                ("95588", "finding", 0),
                ("，或 icbc.com.cn", "plain", -1),
            ],
        ),
        # spans outside the text, empty or reversed are ignored, never an error
        ([span(-1, 2), span(3, 3), span(9, 4), span(20, 99)], [], [], [(TEXT, "plain", -1)]),
        # touching spans are both marked
        (
            [span(0, 2), span(2, 4)],
            [],
            [],
            [
                ("工行", "finding", 0),
                ("客服", "finding", 1),
                (" 95588，或 icbc.com.cn", "plain", -1),
            ],
        ),
    ],
)
def test_segments(
    findings: list[SimpleNamespace],
    mentions: list[SimpleNamespace],
    signs: list[SimpleNamespace],
    expected: list[tuple[str, str, int]],
) -> None:
    assert segments(TEXT, findings, mentions, signs) == [Segment(*e) for e in expected]


def test_empty_text_has_no_segments() -> None:
    assert segments("", [span(0, 1)]) == []


_spans = st.lists(st.tuples(st.integers(-5, 60), st.integers(-5, 60)), max_size=12).map(
    lambda pairs: [span(a, b) for a, b in pairs]
)


@given(text=st.text(max_size=50), findings=_spans, mentions=_spans, signs=_spans)
def test_segments_always_give_the_text_back(
    text: str,
    findings: list[SimpleNamespace],
    mentions: list[SimpleNamespace],
    signs: list[SimpleNamespace],
) -> None:
    cut = segments(text, findings, mentions, signs)
    assert "".join(s.text for s in cut) == text
    assert all(s.text for s in cut)
    # Every marked segment is exactly the span it names.
    lists = {"finding": findings, "mention": mentions, "sign": signs}
    position = 0
    for segment in cut:
        if segment.kind != "plain":
            marked = lists[segment.kind][segment.index]
            assert (marked.start, marked.end) == (position, position + len(segment.text))
        position += len(segment.text)
    # Findings are never dropped when they do not overlap each other.
    taken = [f for f in findings if 0 <= f.start < f.end <= len(text)]
    disjoint = all(
        a.end <= b.start or b.end <= a.start for i, a in enumerate(taken) for b in taken[i + 1 :]
    )
    if disjoint:
        assert sum(s.kind == "finding" for s in cut) == len(taken)
