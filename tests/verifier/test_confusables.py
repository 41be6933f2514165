"""Confusable characters (verifier/core/confusables.py): what a name looks like, whatever it is
written in."""

from __future__ import annotations

import pytest

from verifier.core.confusables import (
    ascii_fold,
    is_mixed_script,
    loose_skeleton,
    reads_as,
    scripts_of,
    skeleton,
    visual_key,
)


@pytest.mark.parametrize(
    ("written", "looks_like"),
    [
        # A Cyrillic а (U+0430) among Latin letters.
        ("alip\u0430y", "alipay"),
        # Every letter Cyrillic that has a Latin twin (і с с for i c c).
        ("\u0456\u0441b\u0441", "icbc"),
        # A Greek alpha.
        ("\u03b1lipay", "alipay"),
        # An accent dropped.
        ("\u00e0lipay", "alipay"),
        # Several accents.
        ("\u00e1l\u00efp\u00e2y", "alipay"),
        # Capitals.
        ("ALIPAY", "alipay"),
        # Full-width letters.
        ("\uff21\uff2c\uff29\uff30\uff21\uff39", "alipay"),
        # The Latin alpha ɑ.
        ("\u0251lipay", "alipay"),
        # rn reads as m.
        ("rnicrosoft", "microsoft"),
        # vv reads as w.
        ("vveibo", "weibo"),
        # cl reads as d.
        ("clouyin", "douyin"),
        # The digit 0 for o.
        ("taoba0", "taobao"),
        # The digit 1 for l.
        ("a1ipay", "alipay"),
        # A pipe for l.
        ("a|ipay", "alipay"),
        # Both sides are folded: rn and m are one skeleton.
        ("rn", "m"),
        # A Kangxi radical (U+2F40) that looks like the ideograph 支.
        ("\u2f40付宝", "支付宝"),
    ],
)
def test_skeletons_that_match(written: str, looks_like: str) -> None:
    assert skeleton(written) == skeleton(looks_like)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        # Different companies.
        ("alipay", "alibaba"),
        # Same letters, another order.
        ("icbc", "cibc"),
        # One letter changed is a typo, not a homoglyph.
        ("alipay", "alipey"),
        ("pinduoduo", "pinterest"),
        # A Chinese name is not any Latin name.
        ("支付宝", "alipay"),
        # Two different Chinese names.
        ("支付宝", "拼多多"),
    ],
)
def test_skeletons_that_differ(one: str, other: str) -> None:
    assert skeleton(one) != skeleton(other)


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        # ASCII is lower-cased and folded.
        ("AliPay", "alipay"),
        ("g00gle", "google"),
        # Digits that are not lookalikes stay.
        ("95588", "95588"),
        # A hyphen stays.
        ("ali-pay", "ali-pay"),
    ],
)
def test_skeleton_values(label: str, expected: str) -> None:
    assert skeleton(label) == expected


@pytest.mark.parametrize(
    ("char", "base"),
    [
        # Letters with a hook.
        ("\u0188", "c"),  # ƈ
        ("\u0253", "b"),  # ɓ
        ("\u0257", "d"),  # ɗ
        ("\u0199", "k"),  # ƙ
        ("\u01a5", "p"),  # ƥ
        ("\u0266", "h"),  # ɦ
        # Letters with a stroke or bar.
        ("\u0167", "t"),  # ŧ
        ("\u00f8", "o"),  # ø
        ("\u0142", "l"),  # ł
        ("\u0111", "d"),  # đ
        ("\u2c61", "l"),  # ⱡ (double bar)
        # Small capitals.
        ("\u0299", "b"),  # ʙ
        ("\u0262", "g"),  # ɢ
        ("\u026a", "i"),  # ɪ
        ("\u029c", "h"),  # ʜ
        ("\u0280", "r"),  # ʀ
        ("\u0274", "n"),  # ɴ
        # Letters named by a word: eng.
        ("\u014b", "n"),  # ŋ
        # Letters confusables.txt sends elsewhere, read by their shape: schwa and turned e are
        # a's bowl and hook, wynn is drawn as p, small capital M is not a turned w.
        ("\u0259", "a"),  # ə
        ("\u01dd", "a"),  # ǝ
        ("\u01bf", "p"),  # ƿ
        ("\u1d0d", "m"),  # ᴍ
        ("\u1d1b", "t"),  # ᴛ
        ("\u1d8c", "v"),  # ᶌ
    ],
)
def test_latin_letters_with_marks_read_as_their_base_letter(char: str, base: str) -> None:
    assert skeleton(char) == base
    # Inside a name too.
    assert skeleton(f"ali{char}") == f"ali{base}"


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        # m read as rn, n as r: bankcomm.
        ("barkconm", "bankcomm", True),
        # i, l and 1 merge.
        ("aiipay", "alipay", True),
        ("a1ipay", "alipay", True),
        # c and e merge.
        ("alipcy", "alipey", True),
        # u and v merge.
        ("douyin", "dovyin", True),
        # clhina for china: cl read as d, then d merged with b, and lh read as h.
        ("clhina", "china", True),
        # lc read as k, and a dotted n: banlc-of-chiṇa for bank-of-china.
        ("banlc-of-chi\u1e47a", "bank-of-china", True),
        # Still not everything: different names stay different.
        ("alipay", "alibaba", False),
        ("pinduoduo", "pinterest", False),
    ],
)
def test_loose_skeleton(one: str, other: str, same: bool) -> None:
    assert (loose_skeleton(one) == loose_skeleton(other)) is same


def test_loose_skeleton_is_coarser_than_skeleton() -> None:
    # Whatever has one skeleton has one loose skeleton.
    assert loose_skeleton("alip\u0430y") == loose_skeleton("alipay")
    assert skeleton("barkconm") != skeleton("bankcomm")


@pytest.mark.parametrize(
    ("seen", "meant", "reads"),
    [
        # Letters of one shape: i/l/1, c/e, b/d, o/0.
        ("d1dlglobal", "didiglobal", True),
        # dl and cl for d, several at once.
        ("dlidiglobal", "didiglobal", True),
        ("pindluodluo", "pinduoduo", True),
        # Chains: d written as dl, then its d as cl (cll); b as lb, then as llb.
        ("dicllichuxing", "didichuxing", True),
        ("ccllb", "ccb", True),
        # rn and nn for m, vv for w, lc for k, lh for h.
        ("bankconnrn", "bankcomm", True),
        ("vvechat", "wechat", True),
        ("banlcofchina", "bankofchina", True),
        ("clhina", "china", True),
        # The same name reads as itself.
        ("didiglobal", "didiglobal", True),
        # A letter of another shape is not a reading (didachuxing is another company).
        ("didachuxing", "didichuxing", False),
        ("didaglobal", "didiglobal", False),
        # Nor is a letter left out or added that is no part of a shape.
        ("didglobal", "didiglobal", False),
        ("didiglobals", "didiglobal", False),
        # Nor two letters of another shape merged into one.
        ("cbank", "cebbank", False),
    ],
)
def test_reads_as(seen: str, meant: str, reads: bool) -> None:
    assert reads_as(seen, meant) is reads
    if reads:
        # The index finds candidates by the visual key: every reading shares it.
        assert visual_key(seen) == visual_key(meant)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("rnicrosoft", "microsoft"),
        ("vvechat", "wechat"),
        ("clouyin", "douyin"),
        ("g00gle", "google"),
        ("paypa1", "paypal"),
        # Nothing to fold.
        ("alipay", "alipay"),
        # Digits that read as no letter stay.
        ("95588", "95588"),
    ],
)
def test_ascii_fold(text: str, folded: str) -> None:
    assert ascii_fold(text) == folded


@pytest.mark.parametrize(
    ("label", "scripts"),
    [
        # Latin only.
        ("alipay", {"LATIN"}),
        # A Cyrillic letter among Latin ones.
        ("alip\u0430y", {"LATIN", "CYRILLIC"}),
        # A Greek letter among Latin ones.
        ("\u03b1lipay", {"LATIN", "GREEK"}),
        # Chinese.
        ("支付宝", {"HAN"}),
        # Chinese with Latin letters.
        ("支付宝kefu", {"HAN", "LATIN"}),
        # Kana count as Han: Japanese writes them together.
        ("ひらがな漢字", {"HAN"}),
        ("カタカナ漢字", {"HAN"}),
        # Digits and hyphens are no script.
        ("alipay-95188", {"LATIN"}),
        ("123-", set()),
    ],
)
def test_scripts_of(label: str, scripts: set[str]) -> None:
    assert scripts_of(label) == frozenset(scripts)


@pytest.mark.parametrize(
    ("label", "mixed"),
    [
        # Cyrillic а among Latin letters: the homoglyph trick.
        ("alip\u0430y", True),
        # Greek alpha among Latin letters.
        ("\u03b1lipay", True),
        # A Chinese name beside a Latin word.
        ("支付宝kefu", True),
        # One script.
        ("alipay", False),
        ("支付宝", False),
        # All Cyrillic: one script, though it looks Latin.
        ("\u0430\u0440\u0440\u04cf\u0435", False),
        # Accents are Latin.
        ("\u00e0lipay", False),
        # Kana with Han.
        ("ひらがな漢字", False),
        # Digits only.
        ("95588", False),
    ],
)
def test_is_mixed_script(label: str, mixed: bool) -> None:
    assert is_mixed_script(label) is mixed
