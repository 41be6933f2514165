"""Platform names in a text (verifier/core/mentions.py): what a scanned message talks about."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verifier.core.index import Platform, RegistryIndex
from verifier.core.mentions import (
    _WHITE_SPACE,
    ORDINARY_WORDS,
    Mention,
    _collapse_whitespace,
    _spanned_runs,
    find_mention_spans,
    find_mentions,
)
from verifier.core.normalize import fold_with_offsets

# A hand-built registry with the names that make mention-finding hard: nested Chinese names,
# short capital abbreviations, an abbreviation that is the start of another, names with spaces,
# and aliases that are ordinary words.
PLATFORMS = (
    Platform("icbc", "中国工商银行", "ICBC Bank", ("工商银行", "工行", "ICBC")),
    Platform("ccb", "中国建设银行", "China Construction Bank", ("建设银行", "建设", "CCB")),
    Platform("cmb", "招商银行", "China Merchants Bank", ("招行", "招商", "CMB")),
    Platform("cmbc", "中国民生银行", "China Minsheng Bank", ("民生银行", "CMBC")),
    Platform("ceb", "中国光大银行", "China Everbright Bank", ("光大银行", "光大", "CEB")),
    Platform("boc", "中国银行", "Bank of China", ("BOC",)),
    Platform("pingan", "平安银行", "Ping An Bank", ("中国平安", "Ping An", "平安")),
    Platform("china-post", "中国邮政", "China Post", ("邮政", "EMS")),
    Platform("pinduoduo", "拼多多", "Pinduoduo", ("PDD",)),
    Platform("alipay", "支付宝", "Alipay", ("支付",)),
    Platform("apple", "苹果", "Apple"),
    Platform("jd", "京东", "JD.com", ("JD",)),
    Platform("railway", "中国铁路 12306", "China Railway 12306", ("中国铁路",)),
    Platform("bocom", "交通银行", "Bank of Communications", ("BoCom",)),
    Platform("line", "连我", "Line", ("宝",)),
)  # fmt: skip
INDEX = RegistryIndex.build(PLATFORMS)


def found(text: str) -> list[tuple[str, str]]:
    """The mentions of ``text`` as (text, slug) pairs, in order."""
    return [(m.text, m.platform.slug) for m in find_mentions(text, INDEX)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A Chinese name in a sentence.
        ("我是拼多多官方客服", [("拼多多", "pinduoduo")]),
        # A Chinese alias.
        ("工行客服电话95588", [("工行", "icbc")]),
        # Two platforms in one message, in order.
        ("招商银行转账到建设银行", [("招商银行", "cmb"), ("建设银行", "ccb")]),
        # An SMS signature.
        ("【支付宝】您的账户存在风险", [("支付宝", "alipay")]),
        # A name with a space, written without it next to the Chinese characters.
        ("中国铁路12306提醒您", [("中国铁路12306", "railway")]),
        # ...and with it.
        ("中国铁路 12306提醒您", [("中国铁路 12306", "railway")]),
        # 苹果 names the company in the messages people check (Apple ID scams).
        ("您的苹果ID已被锁定", [("苹果", "apple")]),
        # No name at all.
        ("今天天气不错", []),
    ],
)
def test_chinese_names(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The English name, as written.
        ("Call Pinduoduo support", [("Pinduoduo", "pinduoduo")]),
        # In any case: names longer than an abbreviation are not case-sensitive.
        ("pinduoduo refund", [("pinduoduo", "pinduoduo")]),
        ("PINDUODUO", [("PINDUODUO", "pinduoduo")]),
        # A multi-word name across a line break and a double space.
        ("Ping\nAn  Bank notice", [("Ping\nAn  Bank", "pingan")]),
        # A multi-word alias.
        ("ping an customer service", [("ping an", "pingan")]),
        # A mixed-case alias is not an abbreviation: any case counts.
        ("bocom hotline", [("bocom", "bocom")]),
        # A name with a dot.
        ("Order on JD.com", [("JD.com", "jd")]),
        # Right after Chinese text: Chinese characters are not letters of a Latin word.
        ("联系Alipay客服", [("Alipay", "alipay")]),
        # A full-width name.
        ("Ａｌｉｐａｙ", [("Ａｌｉｐａｙ", "alipay")]),
    ],
)
def test_english_names_case_insensitive(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Capital abbreviations count.
        ("CCB hotline", [("CCB", "ccb")]),
        ("Call CMB now", [("CMB", "cmb")]),
        ("EMS快递", [("EMS", "china-post")]),
        ("PDD客服", [("PDD", "pinduoduo")]),
        ("BOC", [("BOC", "boc")]),
        # A four-letter one.
        ("ICBC客服", [("ICBC", "icbc")]),
        # Lower case: a word or chat, not the bank.
        ("ccb hotline", []),
        ("ems", []),
        # Mixed case: "Boc" and "Ceb" in an English sentence are not banks.
        ("Boc and Ceb said", []),
        # Full-width capitals are capitals.
        ("ＩＣＢＣ官网", [("ＩＣＢＣ", "icbc")]),
        # Full-width lower case is not.
        ("ｃｃｂ", []),
        # Latin names of two letters never count, even in capitals.
        ("JD快递", []),
    ],
)
def test_abbreviations_count_only_in_capitals(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The full name, not also the alias inside it.
        ("中国工商银行", [("中国工商银行", "icbc")]),
        ("中国光大银行提醒", [("中国光大银行", "ceb")]),
        # The longer of two overlapping names.
        ("中国民生银行", [("中国民生银行", "cmbc")]),
        # CMBC is one name, not CMB followed by a C.
        ("CMBC客服", [("CMBC", "cmbc")]),
        # "Ping An Bank" is one mention, not "Ping An" and then "Bank".
        ("Ping An Bank", [("Ping An Bank", "pingan")]),
        # "Bank of China" is one mention.
        ("Bank of China hotline", [("Bank of China", "boc")]),
        # The same name twice: two mentions.
        ("拼多多和拼多多", [("拼多多", "pinduoduo"), ("拼多多", "pinduoduo")]),
    ],
)
def test_longest_match_wins(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # An abbreviation inside a longer word.
        ("items shipped", []),
        ("ITEMS shipped", []),
        # ...and inside another abbreviation.
        ("CMBCX", []),
        # A letter or digit on either side.
        ("xCCB", []),
        ("CCB2", []),
        ("2CCB", []),
        # Punctuation, spaces and Chinese characters are boundaries.
        ("(CCB)", [("CCB", "ccb")]),
        ("CCB-ICBC", [("CCB", "ccb"), ("ICBC", "icbc")]),
        ("建行CCB客服", [("CCB", "ccb")]),
        # A name ending in digits is not found inside a longer number.
        ("中国铁路 123067", [("中国铁路", "railway")]),
        # A Latin name inside a domain is still a mention; the scanner drops it when the domain
        # is a contact (not this module's concern).
        ("pinduoduo.com", [("pinduoduo", "pinduoduo")]),
    ],
)
def test_latin_names_match_at_word_boundaries(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        # A zero-width space inside the name: still a mention, and the span covers it.
        ("拼\u200b多多", 0, 4),
        # A soft hyphen and a bidi control inside it.
        ("拼\u00ad多\u202e多", 0, 5),
        # An invisible character before the name is not part of it.
        ("\u200b拼多多", 1, 4),
        # Emoji (outside the Basic Multilingual Plane) before the name: one code point each.
        ("😀🎉拼多多", 2, 5),
        # A CJK Extension B character before it.
        ("𠀀拼多多", 1, 4),
        # A combining mark before it.
        ("e\u0301拼多多", 2, 5),
        # A character that NFKC expands ("㎏" → "kg") before it.
        ("㎏拼多多", 1, 4),
        # A character that lower-casing expands ("İ" → "i̇") before it.
        ("İ 拼多多", 2, 5),
        # A full-width name keeps its full-width span.
        ("您好ＰＤＤ客服", 2, 5),
        # A zero-width joiner inside a full-width abbreviation.
        ("ＰＤ\u200dＤ", 0, 4),
    ],
)
def test_spans_are_offsets_in_the_submitted_text(text: str, start: int, end: int) -> None:
    (mention,) = find_mentions(text, INDEX)
    assert (mention.start, mention.end) == (start, end)
    assert mention.text == text[start:end]
    assert mention.platform.slug == "pinduoduo"


@pytest.mark.parametrize(
    "text",
    [
        # Ordinary Chinese words that are aliases in the registry: 平安 (safe), 招商 (attracting
        # investment), 光大 (to carry forward), 建设 (construction), 邮政 (the postal service).
        "祝你一路平安",
        "招商引资",
        "发扬光大",
        "城市建设",
        "邮政编码",
        # A generic word used as an alias.
        "支付成功",
        # A single Chinese character never counts.
        "宝贝",
        # An ordinary English word that a platform uses as its name.
        "Stand in line",
        "LINE",
    ],
)
def test_ordinary_words_are_not_mentions(text: str) -> None:
    assert found(text) == []


def test_longer_names_containing_ordinary_words_still_count() -> None:
    assert found("中国平安和平安银行都平安") == [("中国平安", "pingan"), ("平安银行", "pingan")]


def test_ordinary_words_are_lower_case_names() -> None:
    assert all(w == w.lower().strip() for w in ORDINARY_WORDS)
    assert {"平安", "招商", "光大", "中信", "银行", "客服", "line", "shell"} <= ORDINARY_WORDS


def test_a_name_of_two_platforms_goes_to_the_one_it_names_first() -> None:
    index = RegistryIndex.build(
        [
            Platform("a-bank", "甲银行", aliases=("乙银行",)),
            Platform("b-bank", "乙银行"),
        ]
    )
    assert [m.platform.slug for m in find_mentions("乙银行", index)] == ["b-bank"]


def test_an_abbreviation_that_is_also_a_name_in_words_counts_in_any_case() -> None:
    # "Cmb" is written as a word by one platform: that platform's name counts in any case.
    index = RegistryIndex.build([Platform("cmb", "招商银行", "Cmb", ("CMB",))])
    assert [m.text for m in find_mentions("cmb", index)] == ["cmb"]


def test_empty_text_and_empty_registry() -> None:
    assert find_mentions("", INDEX) == ()
    assert find_mentions("拼多多", RegistryIndex.build([])) == ()


def test_the_automaton_is_built_once_per_snapshot() -> None:
    index = RegistryIndex.build(PLATFORMS)
    find_mentions("拼多多", index)
    automaton = index._memo[("mentions",)]
    find_mentions("招商银行", index)
    assert index._memo[("mentions",)] is automaton


def test_mention_fields() -> None:
    (mention,) = find_mentions("请联系拼多多", INDEX)
    assert mention == Mention(3, 6, "拼多多", INDEX.platform("pinduoduo") or PLATFORMS[0])


# Pieces that parsers trip on, mixed with pieces of names so that mentions are often found.
_PIECES = st.sampled_from(
    [
        "拼", "多", "拼多多", "中国", "工商银行", "ICBC", "ＩＣＢＣ", "CCB", "ccb", "Ping", "An",
        " ", "\n", "\t", "\u3000", "\u200b", "\u200d", "\u202e", "\u2066", "\ufeff", "\x00",
        "\ud800", "\udfff", "😀", "𠀀", "\u0301", "㎏", "İ", "ß", "ﬁ", "。", "，", ".", "-",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=5)), max_size=30).map("".join))
def test_never_raises_and_every_span_is_its_text(text: str) -> None:
    mentions = find_mentions(text, INDEX)
    previous_end = 0
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.text
        assert m.start >= previous_end, "mentions overlap or are out of order"
        previous_end = m.end


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        # Any character, and often a surrogate, control or format (bidi, zero-width) one.
        st.one_of(st.characters(), st.characters(categories=["Cs", "Cc", "Cf"])),
        max_size=50,
    )
)
def test_never_raises_on_any_code_points(text: str) -> None:
    for m in find_mentions(text, INDEX):
        assert text[m.start : m.end] == m.text


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Ping", "An", "ping an", "China", "Mobile", "中国铁路", "12306", "x"]),
            st.lists(st.sampled_from(_WHITE_SPACE), max_size=3).map("".join),
        ).map("".join),
        max_size=6,
    ).map("".join)
)
def test_names_across_odd_white_space_as_if_every_run_were_collapsed(text: str) -> None:
    # The automaton marks the runs a name may span, and only then is the text collapsed and
    # searched again: the result must be that of collapsing every such run up front.
    folded, origin = fold_with_offsets(text, lower=True)
    collapsed = _collapse_whitespace(folded, origin, _spanned_runs(INDEX))
    assert find_mention_spans(text, INDEX) == find_mention_spans(text, INDEX, prefolded=collapsed)


def test_two_names_in_the_folding_of_one_character() -> None:
    # "㌕" folds to "キログラム": both names start in the one character as submitted, and the
    # longer comes first, as the names were taken, though it comes second in the folding.
    index = RegistryIndex.build(
        [Platform("kilo", "キロ", "Kilo"), Platform("gram", "グラム", "Gram")]
    )
    assert [(m.start, m.end, m.platform.slug) for m in find_mentions("见㌕客服", index)] == [
        (1, 2, "gram"),
        (1, 2, "kilo"),
    ]
