"""Unicode folding (verifier/core/normalize.py): what every parser sees before it parses."""

from __future__ import annotations

import pytest

from verifier.core.normalize import (
    MAX_INPUT_LENGTH,
    fold,
    fold_with_offsets,
    has_control_characters,
    is_unicode_text,
    span_in_original,
)


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        # Full-width digits, as typed with a Chinese input method.
        ("９５５８８", "95588"),
        # Full-width letters and the full-width full stop.
        ("ｉｃｂｃ．ｃｏｍ．ｃｎ", "icbc.com.cn"),
        # The ideographic full stop that phones insert in Chinese text.
        ("icbc。com。cn", "icbc.com.cn"),
        # The half-width ideographic full stop.
        ("icbc｡com｡cn", "icbc.com.cn"),
        # A zero-width space splitting a number so that naive matching misses it.
        ("955\u200b88", "95588"),
        # Zero-width joiner and non-joiner, word joiner and BOM.
        ("\ufeff95\u200c5\u200d8\u20608", "95588"),
        # Bidi overrides that make "moc.kab" display as "bak.com".
        ("\u202ebak.com\u202c", "bak.com"),
        # Bidi isolates.
        ("\u2066icbc.com.cn\u2069", "icbc.com.cn"),
        # A soft hyphen inside a brand name.
        ("ic\u00adbc.com.cn", "icbc.com.cn"),
        # Surrounding white space, including the ideographic space (NFKC makes it a space).
        ("\u3000 95588 \t", "95588"),
        # Inner white space is kept: parsers decide what it means.
        ("010 6552 9988", "010 6552 9988"),
        # Plain ASCII is left alone.
        ("https://www.icbc.com.cn/x", "https://www.icbc.com.cn/x"),
        # Empty stays empty.
        ("", ""),
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # NUL from a broken encoding.
        ("95\x00588", True),
        # Another C0 control character.
        ("\x1b[31m95588", True),
        # A C1 control character.
        ("95588\x85", True),
        # DEL.
        ("95588\x7f", True),
        # A lone surrogate, which cannot be encoded at all.
        ("\ud800", True),
        # A tab is a control character too (callers strip surrounding white space first).
        ("a\tb", True),
        # Full-width digits are not control characters.
        ("９５５８８", False),
        # Zero-width and bidi characters are format characters, removed by fold instead.
        ("\u200b\u202e", False),
        # Chinese text.
        ("中国工商银行", False),
        # Empty.
        ("", False),
    ],
)
def test_has_control_characters(value: str, expected: bool) -> None:
    assert has_control_characters(value) is expected


def test_max_input_length_is_generous_but_bounded() -> None:
    # Long enough for any real URL people paste, short enough to refuse 10 kB junk.
    assert 1024 <= MAX_INPUT_LENGTH < 10_000


@pytest.mark.parametrize(
    ("text", "span", "expected"),
    [
        # full-width digits fold to ASCII one for one
        ("拨打９５５８８吧", (2, 7), "９５５８８"),
        # a zero-width space inside the number is dropped from the folded text, kept in the span
        ("call 955\u200b88 now", (5, 10), "955\u200b88"),
        # an emoji outside the BMP is one code point, so later offsets do not shift
        ("📞95588", (1, 6), "95588"),
        # NFKC expands ㎏ to two characters; a span ending inside it covers the whole ㎏
        ("1㎏", (0, 2), "1㎏"),
    ],
)
def test_fold_with_offsets_maps_folded_spans_back(
    text: str, span: tuple[int, int], expected: str
) -> None:
    folded, origin = fold_with_offsets(text, lower=True)
    assert len(origin) == len(folded) + 1
    start, end = span_in_original(origin, *span)
    assert text[start:end] == expected


def test_fold_with_offsets_lowercases_only_when_asked() -> None:
    assert fold_with_offsets("ICBC")[0] == "ICBC"
    assert fold_with_offsets("ＩＣＢＣ", lower=True)[0] == "icbc"


def test_lone_surrogate_is_not_unicode_text() -> None:
    # A browser's form post cannot carry one, but JSON can ("\ud800"); answering with it would
    # fail to encode, so the API and the scan page refuse it.
    assert not is_unicode_text("a\ud800b")
    assert is_unicode_text("工行 95588 😀")
    assert is_unicode_text("plain ascii")
