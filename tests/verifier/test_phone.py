"""Phone numbers (verifier/core/phone.py): every common writing reduces to one canonical form.

The second half judges numbers with check() against the small hand-built registry of
tests/conftest.py, never the shipped data.
"""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verifier.core.check import check
from verifier.core.index import RegistryIndex
from verifier.core.phone import (
    InvalidPhone,
    cn_number_type,
    is_mobile,
    looks_like_phone,
    normalize_phone,
)


@pytest.mark.parametrize(
    ("value", "normalized", "is_short"),
    [
        # A nationwide 95xxx service line, bare.
        ("95588", "95588", True),
        # The same short number with the country code: short numbers stay bare digits.
        ("+86 95588", "95588", True),
        # The international call prefix 00, the first zero typed full-width.
        ("０086 95588", "95588", True),
        # The country code written without "+".
        ("86 95588", "95588", True),
        # Full-width digits throughout.
        ("９５５８８", "95588", True),
        # A tel: link.
        ("tel:95588", "95588", True),
        # A zero-width space inside the number.
        ("955\u200b88", "95588", True),
        # Arabic-Indic and Persian digits, which NFKC leaves alone but libphonenumber reads.
        ("٩٥٥٨٨", "95588", True),
        ("+٨٦ ۹۵۵۸۸", "95588", True),
        ("١٣٨٠٠١٣٨٠٠٠", "+8613800138000", False),
        # Brackets, a space and a dash around a Beijing landline.
        ("(010) 6552-9988", "+861065529988", False),
        # Dots as separators.
        ("010.6552.9988", "+861065529988", False),
        # Square brackets and slashes.
        ("[010]/6552/9988", "+861065529988", False),
        # "+86 (0)10": the trunk zero is written but never dialled after the country code.
        ("+86 (0)10 6552 9988", "+861065529988", False),
        # 0086 with dashes.
        ("0086-10-6552-9988", "+861065529988", False),
        # Postal short numbers that libphonenumber rejects outright.
        ("11183", "11183", True),
        ("11185", "11185", True),
        # A carrier short number.
        ("10086", "10086", True),
        # A carrier short number with the country code written without "+".
        ("86 10086", "10086", True),
        # A government public-service line.
        ("12306", "12306", True),
        # A local 96xxx service line, bare.
        ("96110", "96110", True),
        # The emergency number.
        ("110", "110", True),
        # A 400 business number written with spaces, dashes, or run together.
        ("400 820 8820", "+864008208820", False),
        ("400-820-8820", "+864008208820", False),
        ("4008208820", "+864008208820", False),
        ("+86 400 820 8820", "+864008208820", False),
        # A mobile number without and with the country code (with "+", with "00", without).
        ("13800138000", "+8613800138000", False),
        ("+86 138 0013 8000", "+8613800138000", False),
        ("0086 13800138000", "+8613800138000", False),
        ("8613800138000", "+8613800138000", False),
        # A United States number keeps its own country code.
        ("+1 650-253-0000", "+16502530000", False),
        # A United Kingdom number.
        ("+44 20 7946 0958", "+442079460958", False),
    ],
)
def test_normalize_phone(value: str, normalized: str, is_short: bool) -> None:
    parsed = normalize_phone(value)
    assert parsed.normalized == normalized
    assert parsed.is_short is is_short


@pytest.mark.parametrize(
    ("value", "normalized", "extension"),
    [
        # "转" (transfer to) after a landline.
        ("010 6552 9988 转 801", "+861065529988", "801"),
        # "转" after a short number.
        ("95588 转 801", "95588", "801"),
        # "ext." in English.
        ("+86 10 6552 9988 ext. 12", "+861065529988", "12"),
        # "x" run against the digits.
        ("+8610 6552 9988 x12", "+861065529988", "12"),
        # "#" as on a keypad.
        ("95588#3", "95588", "3"),
        # "分机" (extension).
        ("+86 10 6552 9988 分机 3", "+861065529988", "3"),
        # A comma: a dialling pause before the extension.
        ("(010)65529988,12", "+861065529988", "12"),
        # No extension.
        ("95588", "95588", None),
    ],
)
def test_extensions_are_split_off(value: str, normalized: str, extension: str | None) -> None:
    parsed = normalize_phone(value)
    assert (parsed.normalized, parsed.extension) == (normalized, extension)


@pytest.mark.parametrize(
    ("value", "normalized", "local_short"),
    [
        # Shanghai's area code before the local anti-fraud line.
        ("021-96110", "+862196110", "96110"),
        # The same, written internationally with the trunk zero in brackets.
        ("+86 (0) 21 96110", "+862196110", "96110"),
        # Full-width.
        ("０２１-９６１１０", "+862196110", "96110"),
        # Beijing (a two-digit area code).
        ("010 96110", "+861096110", "96110"),
        # A normal landline is not a local short line.
        ("010 6552 9988", "+861065529988", None),
    ],
)
def test_local_short_lines_written_with_an_area_code(
    value: str, normalized: str, local_short: str | None
) -> None:
    parsed = normalize_phone(value)
    assert (parsed.normalized, parsed.local_short) == (normalized, local_short)


def test_regions() -> None:
    # Without a country code the region decides; with one, the number's own region is reported.
    assert normalize_phone("020 7946 0958", region="GB").normalized == "+442079460958"
    assert normalize_phone("020 7946 0958", region="CN").normalized == "+862079460958"
    assert normalize_phone("+1 650-253-0000").region == "US"
    assert normalize_phone("13800138000").region == "CN"


def test_emergency_numbers_are_marked() -> None:
    assert normalize_phone("110").emergency is True
    assert normalize_phone("95588").emergency is False


def test_known_short_numbers_count_even_without_libphonenumber_data() -> None:
    # 10107888 is not in any short-number family: libphonenumber reads it as a Beijing landline.
    assert normalize_phone("10107888").normalized == "+8610107888"
    # Once the registry lists it as a short number, every writing of it stays short.
    known = frozenset({"10107888"})
    for written in ("10107888", "86 10107888", "+86 10107888"):
        parsed = normalize_phone(written, known=known)
        assert (parsed.normalized, parsed.is_short) == ("10107888", True), written


@pytest.mark.parametrize(
    ("value", "code"),
    [
        # Eighteen digits: longer than any number in any plan.
        ("123456789012345678", "too_many_digits"),
        # Seventeen digits fit the length limit but are no number.
        ("12345678901234567", "not_a_valid_number"),
        # Letters inside the digits: a vanity number or a typo, never dialable as written.
        ("400abc8820", "not_a_phone_number"),
        # A word.
        ("hello", "not_a_phone_number"),
        # An unbalanced bracket around a bare area code: three digits that are no number.
        ("(010", "not_a_valid_number"),
        # Empty.
        ("", "not_a_phone_number"),
        # Only punctuation.
        ("---", "not_a_phone_number"),
        # Only an extension.
        ("转 801", "not_a_phone_number"),
        # One and two digits.
        ("1", "too_few_digits"),
        ("12", "too_few_digits"),
        # Two plus signs.
        ("++86 95588", "not_a_phone_number"),
        # A plus in the middle.
        ("95+588", "not_a_phone_number"),
    ],
)
def test_invalid_numbers_name_the_reason(value: str, code: str) -> None:
    with pytest.raises(InvalidPhone) as caught:
        normalize_phone(value)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # Digits with phone punctuation.
        ("(010) 6552-9988", True),
        # With an extension.
        ("95588 转 801", True),
        # A tel: link.
        ("tel:95588", True),
        # International.
        ("+86 95588", True),
        # Letters are not phone punctuation.
        ("400abc8820", False),
        # A word.
        ("hello", False),
        # No digit at all.
        ("()-", False),
        # Empty.
        ("", False),
    ],
)
def test_looks_like_phone(value: str, expected: bool) -> None:
    assert looks_like_phone(value) is expected


# --- judged by check() against the small registry ---------------------------------------------


@pytest.mark.parametrize(
    ("value", "normalized", "verdict", "platform", "codes"),
    [
        # ICBC's hotline, in four writings.
        ("95588", "95588", "official", "icbc", ["official_channel"]),
        ("+86 95588", "95588", "official", "icbc", ["official_channel"]),
        ("０086 95588", "95588", "official", "icbc", ["official_channel"]),
        ("９５５８８", "95588", "official", "icbc", ["official_channel"]),
        # An extension does not change the verdict but is explained.
        ("95588 转 801", "95588", "official", "icbc", ["official_channel", "extension_ignored"]),
        # Postal short numbers libphonenumber rejects are still found in the registry.
        ("11183", "11183", "official", "china-post", ["official_channel"]),
        ("11185", "11185", "official", "china-post", ["official_channel"]),
        # The local anti-fraud line, bare and dialled with an area code.
        ("96110", "96110", "official", "anti-fraud", ["official_channel"]),
        (
            "021-96110",
            "+862196110",
            "official",
            "anti-fraud",
            ["local_short_number", "official_channel"],
        ),
        # ICBC's retired line.
        ("+86 400 000 1234", "+864000001234", "retired", "icbc", ["retired_channel"]),
        # Valid short numbers the small registry does not list.
        ("10086", "10086", "unverified", None, ["not_in_registry"]),
        ("12306", "12306", "unverified", None, ["not_in_registry"]),
        # A 95xxx number nobody listed: the format proves nothing.
        ("95599", "95599", "unverified", None, ["not_in_registry", "short_number_format_only"]),
        # A 400 number anyone can rent.
        (
            "400 820 8820",
            "+864008208820",
            "unverified",
            None,
            ["not_in_registry", "business_number_anyone_can_rent"],
        ),
        # An emergency number.
        ("110", "110", "unverified", None, ["not_in_registry", "emergency_number"]),
        # A mobile and a US number.
        ("13800138000", "+8613800138000", "unverified", None, ["not_in_registry"]),
        ("+1 650-253-0000", "+16502530000", "unverified", None, ["not_in_registry"]),
    ],
)
def test_numbers_are_judged(
    small_index: RegistryIndex,
    value: str,
    normalized: str,
    verdict: str,
    platform: str | None,
    codes: list[str],
) -> None:
    result = check(value, small_index)
    assert result.kind == "phone"
    assert result.normalized == normalized
    assert result.verdict == verdict
    assert (result.platform.slug if result.platform else None) == platform
    assert [r.code for r in result.reasons] == codes


@pytest.mark.parametrize(
    ("value", "code"),
    [
        # Too many digits.
        ("123456789012345678", "too_many_digits"),
        # Letters mixed in.
        ("400abc8820", "not_a_phone_number"),
        # A word presented as a number.
        ("hello", "not_a_phone_number"),
        # Unbalanced bracket.
        ("(010", "not_a_valid_number"),
    ],
)
def test_invalid_numbers_are_judged_invalid(
    small_index: RegistryIndex, value: str, code: str
) -> None:
    result = check(value, small_index, kind="phone")
    assert (result.verdict, result.normalized, result.risk) == ("invalid", None, "caution")
    assert [r.code for r in result.reasons] == [code]


def test_known_short_numbers_of_the_index_are_used(small_index: RegistryIndex) -> None:
    # The index hands its short numbers to the parser, so "+86 11185" is not a landline.
    assert {"95588", "11183", "11185", "96110", "95017"} <= small_index.known_phones
    assert check("+86 11185", small_index).normalized == "11185"


# Mainland national numbers: arbitrary digits, and digits after the prefixes that make numbers
# of every type (mobiles, landlines of two- and three-digit area codes, 400/800, IP-call codes).
_CN_PREFIXES = ("", "13", "15", "17", "18", "19", "10", "20", "21", "400", "800", "755", "17951")
_CN_NATIONALS = st.builds(
    lambda prefix, digits: (prefix + digits).lstrip("0") or "1",
    st.sampled_from(_CN_PREFIXES),
    st.text(alphabet="0123456789", min_size=1, max_size=14),
)


@settings(max_examples=2000, deadline=None)
@given(_CN_NATIONALS)
def test_cn_number_type_is_libphonenumbers_number_type(national: str) -> None:
    """The scanner's own reading of the mainland metadata gives libphonenumber's number type."""
    number = phonenumbers.PhoneNumber(country_code=86, national_number=int(national))
    assert cn_number_type(national) == phonenumbers.number_type(number)


@pytest.mark.parametrize(
    ("value", "mobile"),
    [
        ("138 0013 8000", True),
        ("+86 138 0013 8000", True),
        ("010-8888-8888", False),
        ("400-820-8820", False),
        ("+1 650 253 0000", False),  # FIXED_LINE_OR_MOBILE in the US: not known to be a mobile
        ("+44 7911 123456", True),
    ],
)
def test_is_mobile_comes_from_the_parse(value: str, mobile: bool) -> None:
    assert is_mobile(normalize_phone(value)) is mobile
