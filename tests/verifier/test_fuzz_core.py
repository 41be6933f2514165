"""Property tests: every public function of the core, fed arbitrary Unicode (issue 7, "Fuzzing").

Each test draws text that mixes any code point (lone surrogates included) with the characters
scammers and broken encodings bring: bidi overrides, zero-width characters, NUL, combining marks,
emoji, full-width digits and the fragments parsers branch on ("http://", "@", "95588", "客服").
No exception escapes except the ones a function documents (InvalidPhone, InvalidLink), and every
result keeps its documented invariants: spans inside the text and equal to what they cover, sorted
and non-overlapping where promised, verdicts from the contract's enums, answers that serialise.

The index is the small test registry, built once for the module (hypothesis reruns a test body
many times, and a function-scoped fixture would be shared between examples anyway).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from small_registry import SMALL_REGISTRY

from registry.files import parse_registry
from verifier.core import attribution, brand_tokens, brands, confusables, lookalike, numerals
from verifier.core.check import KINDS, check, detect_kind
from verifier.core.extract import extract_contacts
from verifier.core.index import RegistryIndex
from verifier.core.link import (
    InvalidLink,
    display_host,
    normalize_email,
    normalize_host,
    normalize_link,
    split_registrable,
)
from verifier.core.mentions import find_mentions
from verifier.core.messages import LANGUAGES, REASON_MESSAGES, render
from verifier.core.normalize import (
    fold,
    fold_with_offsets,
    has_control_characters,
    is_unicode_text,
    span_in_original,
)
from verifier.core.patterns import PATTERN_CODES, find_patterns
from verifier.core.phone import (
    InvalidPhone,
    display_phone,
    is_mobile,
    looks_like_phone,
    normalize_phone,
    parse_folded_phone,
)
from verifier.core.phone_flags import digits_of, find_number_trick
from verifier.core.scan import MAX_SCAN_LENGTH, scan
from verifier.core.shorteners import is_shortener
from verifier.core.suffixes import split_host
from verifier.core.verdict import RISKS, VERDICTS, risk_for

_DATA = parse_registry(SMALL_REGISTRY)
INDEX = RegistryIndex.build(_DATA.platforms, _DATA.blocklist, version=7)
LOOKALIKES = brands.lookalike_index(INDEX)

# Characters and fragments that hostile or mangled input is made of.
SPECIAL = [
    *"\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",  # bidi embeddings and isolates
    *"\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad",  # zero-width and soft hyphen
    "\x00",
    "\x7f",
    "\x85",
    "\u0301",  # combining acute
    "\u0338",  # combining long solidus overlay
    "\u20e3",  # combining enclosing keycap
    "\ufe0f",  # variation selector
    "\ud800",  # lone high surrogate
    "\udfff",  # lone low surrogate
    "😀",
    "📞",
    "🔸",
    "👨\u200d👩\u200d👧",
    "İ",  # lower-cases to two characters
    "ﬃ",  # NFKC expands to three
    "㎏",
    "\u3002",  # ideographic full stop
    "\uff0e",
    "９",
    "〇",
    "零",
    "٩",
    "а",  # Cyrillic a
    "ı",
    " ",
    "\n",
    "\t",
    "@",
    ".",
    "-",
    "+",
    "/",
    ":",
    "#",
    "%",
    "[.]",
    "(点)",
    " dot ",
    "http://",
    "https://",
    "hxxps://",
    "mailto:",
    "tel:",
    "javascript:",
    "www.",
    "xn--",
    "xn--fiqs8s",
    "95588",
    "400",
    "4008208820",
    "+86",
    "0086",
    "13800138000",
    "icbc",
    "pinduoduo",
    "alipay",
    "com",
    "cn",
    "github.io",
    "客服",
    "电话",
    "工行",
    "拼多多",
    "微信",
    "QQ",
    "退款",
    "验证码",
    "转",
]

_ANY_CHAR = st.characters(exclude_categories=())  # every code point, surrogates included
TEXT = st.lists(st.one_of(_ANY_CHAR, st.sampled_from(SPECIAL)), max_size=40).map("".join)
SHORT_TEXT = st.lists(st.one_of(_ANY_CHAR, st.sampled_from(SPECIAL)), max_size=12).map("".join)
REGIONS = st.sampled_from(["CN", "US", "GB", "HK", "ZZ", "", "cn", "\x00", "\ud800"])
LANGS = st.sampled_from(["zh", "en", "fr", "", "\ud800"])
CLAIMS = st.one_of(st.none(), st.sampled_from(["icbc", "pinduoduo", "nope", ""]), SHORT_TEXT)

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# A few huge inputs, each a different way a parser can go quadratic or recurse.
HUGE = [
    pytest.param("9" * 100_000, id="digits"),
    pytest.param("a." * 50_000, id="dots"),
    pytest.param("客服电话" * 25_000, id="labels"),
    pytest.param("\u200b" * 100_000, id="zero-width"),
    pytest.param(("http://icbc.com.cn@" * 6_000)[:100_000], id="user-infos"),
    pytest.param(("\u202e📞９５５８８ " * 20_000)[:100_000], id="bidi-emoji-digits"),
    pytest.param("\ud800" * 100_000, id="surrogates"),
]


def assert_json(value: object) -> None:
    """Serialisable as the API serialises it (lone surrogates allowed: json escapes them)."""
    json.dumps(value, ensure_ascii=True)


def assert_verdict(verdict: object, value: str) -> None:
    from verifier.core.verdict import Verdict

    assert isinstance(verdict, Verdict)
    assert verdict.verdict in VERDICTS
    assert verdict.risk in RISKS
    assert verdict.kind in KINDS
    assert verdict.reasons, "every verdict says why"
    assert verdict.input == value
    body = verdict.to_dict()
    assert body["verdict"] == verdict.verdict
    assert body["registry_version"] == 7
    assert_json(body)
    if verdict.verdict == "invalid":
        assert verdict.normalized is None
    if verdict.verdict == "official":
        assert verdict.risk == "safe" and verdict.platform is not None


def assert_spans(text: str, spans: Sequence[object], *, disjoint: bool = True) -> None:
    """Every span lies in ``text`` and covers its ``text`` field; sorted, maybe non-overlapping."""
    last_end = 0
    last_start = 0
    for item in spans:
        start, end, written = item.start, item.end, item.text  # type: ignore[attr-defined]
        assert 0 <= start < end <= len(text), (start, end, len(text))
        assert text[start:end] == written
        assert start >= last_start
        if disjoint:
            assert start >= last_end
        last_start, last_end = start, end


# --- normalize -----------------------------------------------------------------------------------


@FUZZ
@given(TEXT, st.booleans())
def test_fold_with_offsets_maps_every_character_into_the_text(text: str, lower: bool) -> None:
    folded, origin = fold_with_offsets(text, lower=lower)
    assert len(origin) == len(folded) + 1
    assert origin[-1] == len(text)
    assert all(0 <= o <= len(text) for o in origin)
    assert list(origin) == sorted(origin)
    for i in range(len(folded)):
        start, end = span_in_original(origin, i, i + 1)
        assert 0 <= start < end <= len(text)
    assert span_in_original(origin, 0, 0) == (origin[0], origin[0])


@FUZZ
@given(TEXT)
def test_fold_is_stable_and_removes_what_hides(text: str) -> None:
    once = fold(text)
    assert isinstance(once, str)
    assert once == once.strip()
    for hidden in "\u200b\u200c\u200d\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff":
        assert hidden not in once
    assert isinstance(has_control_characters(text), bool)
    assert is_unicode_text(text) == _encodes(text)


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# --- check ---------------------------------------------------------------------------------------


@FUZZ
@given(TEXT, st.sampled_from(["auto", *KINDS, "bogus", ""]), REGIONS, CLAIMS, LANGS)
def test_check_always_answers_a_contract_verdict(
    value: str, kind: str, region: str, claimed: str | None, lang: str
) -> None:
    verdict = check(value, INDEX, kind=kind, region=region, claimed=claimed, lang=lang)
    assert_verdict(verdict, value)
    if kind in KINDS:
        assert verdict.kind == kind


@FUZZ
@given(TEXT)
def test_detect_kind_names_a_kind_or_none(value: str) -> None:
    assert detect_kind(value) in (None, *KINDS)


@FUZZ
@given(
    st.sampled_from(["http://", "https://", "", "www.", "mailto:"]),
    SHORT_TEXT,
    st.sampled_from(["icbc", "pinduoduo", "a1ipay", "pay.weixin.qq", "xn--fiqs8s", "icbc.com"]),
    SHORT_TEXT,
    st.sampled_from([".com", ".com.cn", ".cn", ".github.io", ".top", ".qq.com", ""]),
    SHORT_TEXT,
)
def test_check_of_link_shaped_values(
    scheme: str, before: str, brand: str, inside: str, suffix: str, path: str
) -> None:
    # Near-links reach the lookalike rules (find_lookalike and every brand_tokens rule) far more
    # often than free text does.
    for value in (
        f"{scheme}{before}{brand}{inside}{suffix}/{path}",
        f"{scheme}{brand}-{inside}{suffix}",
        f"{scheme}{inside}.{brand}{suffix}",
        f"{before}@{brand}{suffix}",
    ):
        for kind in ("auto", "url", "email"):
            assert_verdict(check(value, INDEX, kind=kind), value)


@FUZZ
@given(SHORT_TEXT, st.sampled_from(["95588", "4008208820", "4009998888", "11185", "138"]), TEXT)
def test_check_of_phone_shaped_values(before: str, digits: str, after: str) -> None:
    for value in (before + digits + after, f"+86 {digits}{after}", f"{digits} 转 {after}"):
        for kind in ("auto", "phone"):
            assert_verdict(check(value, INDEX, kind=kind, claimed="icbc"), value)


# --- scan and its parts --------------------------------------------------------------------------


@FUZZ
@given(TEXT, REGIONS, LANGS)
def test_scan_spans_are_inside_the_text_and_in_order(text: str, region: str, lang: str) -> None:
    result = scan(text, INDEX, region=region, lang=lang)
    assert result.risk in RISKS
    assert_spans(text, result.findings)
    assert_spans(text, result.mentions)
    for finding in result.findings:
        assert finding.verdict.verdict in VERDICTS
        assert finding.claimed_platform is None or INDEX.platform(finding.claimed_platform)
    for hit in result.patterns:
        assert hit.code in PATTERN_CODES
        assert 0 <= hit.start < hit.end <= len(text) and text[hit.start : hit.end] == hit.text
    assert_json(result.to_dict())


@FUZZ
@given(TEXT)
def test_extract_find_and_attribute(text: str) -> None:
    contacts = extract_contacts(text, INDEX.known_phones)
    assert_spans(text, contacts)
    for contact in contacts:
        assert contact.kind in KINDS
        assert contact.value
    folded = fold_with_offsets(text, lower=True)
    mentions = find_mentions(text, INDEX, prefolded=folded)
    assert_spans(text, mentions)
    assert mentions == find_mentions(text, INDEX)
    claims = attribution.attribute(text, contacts, mentions)
    assert len(claims) == len(contacts)
    assert all(c is None or INDEX.platform(c) for c in claims)
    hits = find_patterns(text)
    assert [h.code for h in hits] == [c for c in PATTERN_CODES if c in {h.code for h in hits}]
    for hit in hits:
        assert 0 <= hit.start < hit.end <= len(text) and text[hit.start : hit.end] == hit.text


@FUZZ
@given(TEXT)
def test_phone_numbers_in_folded_text(text: str) -> None:
    folded, _ = fold_with_offsets(text)
    for start, end, value in numerals.find_phone_numbers(folded, INDEX.known_phones):
        assert 0 <= start < end <= len(folded)
        assert value
    for start, end, _value, parsed in numerals.find_parsed_phone_numbers(folded):
        assert 0 <= start < end <= len(folded)
        if parsed is not None:
            assert parsed.normalized


@FUZZ
@given(
    st.lists(
        st.one_of(st.characters(categories=["Nd"]), st.sampled_from("〇零一二三四五六七八九幺"))
    )
)
def test_chinese_to_ascii_gives_ascii_digits(chars: list[str]) -> None:
    digits = "".join(chars)
    out = numerals.chinese_to_ascii(digits)
    assert (out.isascii() and out.isdigit()) or out == ""
    assert len(out) == len(digits)


@pytest.mark.parametrize("text", HUGE)
def test_huge_texts(text: str) -> None:
    result = scan(text, INDEX)
    assert result.risk in RISKS
    assert_spans(text[:MAX_SCAN_LENGTH], result.findings)
    assert_spans(text[:MAX_SCAN_LENGTH], result.mentions)
    assert_verdict(check(text, INDEX), text)  # over MAX_INPUT_LENGTH: refused, not parsed
    folded, origin = fold_with_offsets(text)
    assert len(origin) == len(folded) + 1 and origin[-1] == len(text)
    assert_spans(text, extract_contacts(text, INDEX.known_phones))
    find_patterns(text)


# --- phones --------------------------------------------------------------------------------------


@FUZZ
@given(TEXT, REGIONS)
def test_phone_parsers_raise_only_invalid_phone(value: str, region: str) -> None:
    assert isinstance(looks_like_phone(fold(value)), bool)
    for parse in (
        lambda: normalize_phone(value, region, INDEX.known_phones),
        lambda: parse_folded_phone(fold(value), region),
    ):
        try:
            parsed = parse()
        except InvalidPhone as exc:
            assert exc.code in REASON_MESSAGES
            continue
        assert parsed.normalized
        assert isinstance(is_mobile(parsed), bool)
        assert isinstance(display_phone(parsed.normalized), str)
    assert isinstance(display_phone(value), str)
    digits = digits_of(value)
    assert digits == "" or (digits.isascii() and digits.isdigit())
    trick = find_number_trick(digits, INDEX)
    assert trick is None or trick.code in REASON_MESSAGES


@pytest.mark.parametrize("value", ["0086", "+860", "+86 000", "+86-0"])
def test_country_code_86_and_zeros(value: str) -> None:
    # "0086" and "+86 000" once reached _cn_national() with no digits: IndexError, a 500.
    assert check(value, INDEX).verdict == "invalid"


# --- links, hosts, e-mail ------------------------------------------------------------------------


@FUZZ
@given(TEXT)
def test_link_parsers_raise_only_invalid_link(value: str) -> None:
    for parse in (normalize_link, normalize_host, normalize_email):
        try:
            parsed = parse(value)
        except InvalidLink as exc:
            assert exc.code in REASON_MESSAGES
            continue
        if parse is normalize_link:
            assert parsed.host and parsed.host.isascii()  # type: ignore[union-attr]
            assert parsed.normalized.startswith(("http://", "https://"))  # type: ignore[union-attr]
            found = lookalike.find_lookalike(parsed, LOOKALIKES)  # type: ignore[arg-type]
            assert found is None or INDEX.platform(found.platform.slug) is not None
            _brand_tokens(parsed)  # type: ignore[arg-type]


def _brand_tokens(link: object) -> None:
    """Every rule of brand_tokens, called directly on a parsed link."""
    label, suffix = split_registrable(link.host)  # type: ignore[attr-defined]
    subdomain = link.host[: -len(link.registrable)].rstrip(".") if link.registrable else ""  # type: ignore[attr-defined]
    shown = display_host(label) if "xn--" in label else label
    brand_tokens.embedded_domain(link.host, LOOKALIKES)  # type: ignore[attr-defined]
    brand_tokens.brand_in_subdomain(subdomain, link, LOOKALIKES)  # type: ignore[arg-type]
    brand_tokens.brand_with_words(label, shown, link, LOOKALIKES)  # type: ignore[arg-type]
    brand_tokens.disguised_brand_with_words(label, link, LOOKALIKES)  # type: ignore[arg-type]
    if link.suffix and link.private_suffix:  # type: ignore[attr-defined]
        brand_tokens.free_hosting(link, LOOKALIKES)  # type: ignore[arg-type]
    assert isinstance(suffix, str)


@FUZZ
@given(TEXT)
def test_host_helpers_take_any_text(value: str) -> None:
    host = value.lower()
    assert isinstance(display_host(host), str)
    name, suffix = split_registrable(host)
    assert isinstance(name, str) and isinstance(suffix, str)
    parts = split_host(host)
    assert parts is None or host.endswith(parts.suffix)
    assert isinstance(is_shortener(host), bool)
    found = brand_tokens.embedded_domain(host, LOOKALIKES)
    assert found is None or found.code in REASON_MESSAGES


# --- confusables and lookalike helpers -----------------------------------------------------------


@FUZZ
@given(SHORT_TEXT, SHORT_TEXT)
def test_confusable_functions_take_any_label(seen: str, meant: str) -> None:
    for label in (seen, seen.lower()):
        assert isinstance(confusables.skeleton(label), str)
        assert isinstance(confusables.loose_skeleton(label), str)
        assert isinstance(confusables.visual_key(label), str)
        assert isinstance(confusables.ascii_fold(label), str)
        assert isinstance(confusables.is_mixed_script(label), bool)
        assert isinstance(confusables.scripts_of(label), frozenset)
    assert isinstance(confusables.reads_as(seen, meant), bool)
    assert confusables.reads_as(meant, meant) in (True, False)
    code, what = lookalike.classify_typo(seen, meant)
    assert code is None or code in REASON_MESSAGES
    assert isinstance(what, str)
    assert all(len(d) == len(seen) - 1 for d in brands.deletes(seen))


@FUZZ
@given(SHORT_TEXT, SHORT_TEXT.filter(bool), SHORT_TEXT, st.sets(SHORT_TEXT, max_size=3))
def test_strong_enough_takes_any_match(
    before: str, token: str, after: str, words: set[str]
) -> None:
    # Its callers pass a token found in ``text`` at ``[start, stop)``: any such match will do.
    text = before + token + after
    hits = tuple(b for bs in LOOKALIKES.by_label.values() for b in bs)[:3]
    start, stop = len(before), len(before) + len(token)
    assert isinstance(brand_tokens.strong_enough(token, text, start, stop, words, hits), bool)


# --- messages and risk ---------------------------------------------------------------------------


@FUZZ
@given(
    # Codes are the core's own snake_case words, never input (an unknown one with a "{" in it
    # would not render: str.format reads it as a placeholder). Parameters are anyone's text.
    st.one_of(
        st.sampled_from(sorted(REASON_MESSAGES)), st.from_regex(r"[a-z_]{0,20}", fullmatch=True)
    ),
    st.sampled_from([*LANGUAGES, "fr", ""]),
    st.dictionaries(
        st.sampled_from(["platform", "kind", "host", "slug", "source", "{x}"]), SHORT_TEXT
    ),
)
def test_render_fills_any_parameters(code: str, lang: str, params: dict[str, str]) -> None:
    message = render(code, lang, **params)
    assert isinstance(message, str)
    assert message or not code  # an unknown code renders as itself


@pytest.mark.parametrize("verdict", VERDICTS)
@pytest.mark.parametrize("trick", [False, True])
def test_risk_for_every_verdict(verdict: str, trick: bool) -> None:
    assert risk_for(verdict, trick) in RISKS
