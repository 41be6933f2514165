"""Parse phone numbers in every common writing into E.164 or a short service number.

Chinese customer-service lines are mostly *short numbers*: 95xxx and 96xxx (business and local
service lines), 100xx (carriers), 12xxx (government), 11183/11185 (postal). libphonenumber only
judges their format, and rejects 11183 and 11185 outright, so short numbers of the default
region are recognised here by their families first and by libphonenumber's short-number data
second. Everything else goes through ``phonenumbers`` and comes out as E.164.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumberType, shortnumberinfo

from verifier.core.normalize import fold
from verifier.core.values import direct_init

__all__ = [
    "InvalidPhone",
    "ParsedPhone",
    "cn_number_type",
    "display_phone",
    "is_mobile",
    "looks_like_phone",
    "normalize_phone",
    "parse_folded_phone",
    "parse_phone_digits",
]

#: Characters people write between digits: spaces, dashes, dots, brackets, slashes.
_SEPARATORS = re.compile(r"[\s\-.()\[\]/\u2010-\u2015\u2212]+")
#: An extension after the number: "转 801", "ext. 12", "x12", "#12", "分机 3".
_EXTENSION = re.compile(
    r"(?:\s*(?:转|轉|分机|分機|ext\.?|extension|x|#|,)\s*)(\d{1,6})\s*$", re.IGNORECASE
)
_PHONE_CHARS = re.compile(r"^\+?[\d\s\-.()\[\]/\u2010-\u2015\u2212]+$")

# Short service numbers of mainland China, by family. libphonenumber has no data for 11183
# and 11185 (postal), which are real; it also accepts any 95xxx, which is why only the
# registry, never the format, can say who owns a number.
_CN_SHORT = re.compile(
    r"^(?:11[02]|119|12[02]|999"  # emergency: police, fire, ambulance, traffic
    r"|100\d{2}"  # carriers: 10086, 10010, 10000, 10099
    r"|1118[35]"  # postal: EMS 11183, China Post 11185
    r"|12\d{3}"  # government public-service lines: 12306, 12315, 12381
    r"|9[56]\d{3,4})$"  # 95xxx nationwide and 96xxx local service lines
)
_CN_EMERGENCY = frozenset({"110", "112", "119", "120", "122", "999"})
# A 96xxx local line written with its area code, e.g. 021-96110: national number = code + line.
_CN_AREA_LOCAL = re.compile(r"^(10|2\d|[3-9]\d{2})(96\d{3,4})$")


class InvalidPhone(ValueError):
    """The value is not a usable phone number; ``code`` names why (a reason code)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@direct_init
@dataclass(frozen=True, slots=True)
class ParsedPhone:
    """A phone number reduced to one canonical form."""

    #: E.164 (``+864008208820``) or, for short numbers, the bare digits (``95588``).
    normalized: str
    #: True for short service numbers.
    is_short: bool
    #: The extension, if one was written ("转 801" gives ``801``).
    extension: str | None = None
    #: ISO region of the number, when known.
    region: str | None = None
    #: True for emergency numbers (110, 120, …).
    emergency: bool = False
    #: For a local 96xxx line written with its area code, the short line itself.
    local_short: str | None = None
    #: The parsed number, for long numbers; used for number-type reasons.
    number: phonenumbers.PhoneNumber | None = None
    #: True for a mobile number (libphonenumber's number type, found while validating).
    mobile: bool = False


def looks_like_phone(value: str) -> bool:
    """True when ``value`` (already folded) is made only of digits and phone punctuation."""
    if _PHONE_CHARS.match(value):
        return any(c.isdigit() for c in value)
    if value[:1].isalpha() and value[:4].lower() != "tel:":
        return False  # a number starts with a digit, "+" or a bracket: spare the regexes
    body = _EXTENSION.sub("", value)
    if body.lower().startswith("tel:"):
        body = body[4:]
    return bool(_PHONE_CHARS.match(body)) and any(c.isdigit() for c in body)


def _short_number(digits: str, region: str) -> ParsedPhone | None:
    if region == "CN" and _CN_SHORT.match(digits):
        return ParsedPhone(digits, True, region=region, emergency=digits in _CN_EMERGENCY)
    if 3 <= len(digits) <= 8:
        try:
            number = phonenumbers.parse(digits, region)
        except phonenumbers.NumberParseException:
            return None
        if shortnumberinfo.is_valid_short_number_for_region(number, region):
            emergency = shortnumberinfo.is_emergency_number(digits, region)
            return ParsedPhone(digits, True, region=region, emergency=emergency)
    return None


def normalize_phone(
    value: str, region: str = "CN", known: frozenset[str] = frozenset()
) -> ParsedPhone:
    """Parse ``value`` into a :class:`ParsedPhone`, or raise :class:`InvalidPhone`.

    ``region`` is used for numbers written without a country code. ``known`` holds the phone
    values the registry lists (short digits and E.164): they count as valid without asking
    libphonenumber, which has no data for some real short numbers (11183, 11185).

    >>> normalize_phone("+86 95588").normalized
    '95588'
    >>> normalize_phone("(010) 8888-8888 转 12").extension
    '12'
    >>> normalize_phone("０２１-９６１１０").local_short
    '96110'
    """
    return parse_folded_phone(fold(value), region, known)


def parse_folded_phone(
    text: str, region: str = "CN", known: frozenset[str] = frozenset()
) -> ParsedPhone:
    """:func:`normalize_phone` for text already passed through :func:`fold` (the hot path)."""
    if text[:4].lower() == "tel:":
        text = text[4:].strip()
    extension = None
    if not _PHONE_CHARS.match(text):  # only then can an extension ("转 801", "#3") follow
        found = _EXTENSION.search(text)
        if found and found.start() > 0:
            extension = found.group(1)
            text = text[: found.start()]
        if not text or not _PHONE_CHARS.match(text):
            raise InvalidPhone("not_a_phone_number")
    international = text.lstrip().startswith("+")
    parsed = _parse_digits(_SEPARATORS.sub("", text).lstrip("+"), international, region, known)
    if isinstance(parsed, InvalidPhone):
        raise parsed
    return _with_extension(parsed, extension)


def parse_phone_digits(
    value: str, region: str = "CN", known: frozenset[str] = frozenset()
) -> ParsedPhone | None:
    """:func:`parse_folded_phone` for ``value`` made of ASCII digits only, "+" first when it
    is written with a country code, as the number finder gives it; None where that raises.
    Without the clean-up of written punctuation and without an exception per invalid number:
    a page's digits are mostly not phone numbers.

    >>> parse_phone_digits("4008208820").normalized, parse_phone_digits("07551234567")
    ('+864008208820', None)
    """
    parsed = _parse_digits(value.lstrip("+"), value[:1] == "+", region, known)
    return None if isinstance(parsed, InvalidPhone) else parsed


def _parse_digits(
    digits: str, international: bool, region: str, known: frozenset[str]
) -> ParsedPhone | InvalidPhone:
    """The number whose digits (separators removed) are ``digits``, without its extension;
    or the error saying why it is none, returned, not raised: most digits of a page are not
    numbers, and the scanner wants no exception per run."""
    if not digits.isdecimal():
        return InvalidPhone("not_a_phone_number")
    # NFKC leaves other scripts' digits (Arabic-Indic "٩٥٥٨٨") alone and libphonenumber reads
    # them as digits, so the short-number path must too: registry values are ASCII.
    # (ASCII digits map to themselves; skipping the join saves ~3% of a phone verdict.)
    if not digits.isascii():
        digits = "".join(str(unicodedata.decimal(c)) for c in digits)
    if len(digits) > 17:
        return InvalidPhone("too_many_digits")
    if len(digits) < 3:
        return InvalidPhone("too_few_digits")
    if not international and digits.startswith("00"):
        digits, international = digits[2:], True  # 0086 …: the international call prefix
    if not international and region == "CN" and digits.startswith("86"):
        rest = digits[2:]
        # "86 95588" or "8613800138000": a country code written without its "+".
        if _CN_SHORT.match(rest) or rest in known or (len(digits) == 13 and rest[0] == "1"):
            digits, international = rest, False
    if international and digits.startswith("86"):
        national = digits[2:].lstrip("0")  # "+86 (0)10 …": the trunk zero is not dialled
        if _CN_SHORT.match(national) or national in known:
            return ParsedPhone(national, True, region="CN")
        digits, international = national, False
        region = "CN"
        if len(national) < 3:
            # "0086", "+86 000": the country code and nothing after it (this used to reach
            # _cn_national with no digits and raise IndexError: a 500 on /api/v1/check).
            return InvalidPhone("too_few_digits")
    if not international:
        if digits in known:
            return ParsedPhone(digits, True, region=region)
        short = _short_number(digits, region)
        if short is not None:
            return short
        if region == "CN":
            fast = _cn_national(digits, known)
            if fast is not None:
                return fast
            if digits[0] == "0" and digits[1:2] != "0":
                # A trunk zero and a national number _cn_national found invalid: the full
                # parser strips the same zero (its other prefixes, carrier and IP-call codes,
                # begin with 1) and would find the same number invalid.
                return InvalidPhone("not_a_valid_number")
    try:
        number = phonenumbers.parse("+" + digits if international else digits, region)
    except phonenumbers.NumberParseException:
        return InvalidPhone("not_a_phone_number")
    # number_type() is UNKNOWN exactly when is_valid_number() is False, and the type is
    # wanted anyway (a mobile presented as a hotline): one call does both.
    kind = phonenumbers.number_type(number)
    if kind == PhoneNumberType.UNKNOWN:
        return InvalidPhone("not_a_valid_number")
    return _long_number(number, kind)


def _cn_national(digits: str, known: frozenset[str]) -> ParsedPhone | None:
    """Mainland numbers without a country code, the common case, without a full parse.

    A plain mainland number is the digits after the trunk zero; building the PhoneNumber
    directly costs a fraction of ``phonenumbers.parse``. Anything this does not accept (IP-call
    prefixes such as 17951, odd writings) falls through to the full parser, so no number that
    libphonenumber would accept is lost.
    """
    national = digits[1:] if digits[0] == "0" else digits
    if not national or national[0] == "0":
        return None
    # +86 belongs to CN alone, so the number type is CN's: UNKNOWN exactly when
    # is_valid_number_for_region(number, "CN") is False.
    kind = cn_number_type(national)
    if kind != PhoneNumberType.UNKNOWN or "+86" + national in known:
        number = phonenumbers.PhoneNumber(country_code=86, national_number=int(national))
        return _long_number(number, kind)
    return None


_Desc = tuple[frozenset[int], re.Pattern[str]] | None


@cache
def _cn_descs() -> tuple[_Desc, tuple[tuple[int, _Desc], ...], _Desc, _Desc, bool]:
    """libphonenumber's descriptions of mainland numbers, each compiled once: the general one,
    the special types in the order it tries them, fixed line, mobile, and whether those two
    share their pattern."""
    metadata = PhoneMetadata.metadata_for_region("CN")
    if metadata is None:  # pragma: no cover -- libphonenumber always ships CN
        raise RuntimeError("phonenumbers has no metadata for CN")

    def compiled(desc: phonenumbers.PhoneNumberDesc | None) -> _Desc:
        if desc is None or not desc.national_number_pattern:
            return None
        return frozenset(desc.possible_length), re.compile(desc.national_number_pattern)

    special = (
        (PhoneNumberType.PREMIUM_RATE, metadata.premium_rate),
        (PhoneNumberType.TOLL_FREE, metadata.toll_free),
        (PhoneNumberType.SHARED_COST, metadata.shared_cost),
        (PhoneNumberType.VOIP, metadata.voip),
        (PhoneNumberType.PERSONAL_NUMBER, metadata.personal_number),
        (PhoneNumberType.PAGER, metadata.pager),
        (PhoneNumberType.UAN, metadata.uan),
        (PhoneNumberType.VOICEMAIL, metadata.voicemail),
    )
    return (
        compiled(metadata.general_desc),
        tuple((kind, compiled(desc)) for kind, desc in special if compiled(desc) is not None),
        compiled(metadata.fixed_line),
        compiled(metadata.mobile),
        bool(metadata.same_mobile_and_fixed_line_pattern),
    )


class _CnTypes(NamedTuple):
    """The descriptions of :func:`_cn_descs` that apply to mainland numbers of one length
    (None where the description's possible lengths leave that length out)."""

    general: re.Pattern[str] | None
    special: tuple[tuple[int, re.Pattern[str]], ...]
    fixed: re.Pattern[str] | None
    mobile: re.Pattern[str] | None
    same: bool


@lru_cache(maxsize=64)
def _cn_types(length: int) -> _CnTypes:
    """:func:`_cn_descs` for numbers of ``length`` digits: each description's possible lengths
    checked once, not on every number."""
    general, special, fixed, mobile, same = _cn_descs()

    def applying(desc: _Desc) -> re.Pattern[str] | None:
        if desc is None:
            return None
        lengths, pattern = desc
        return pattern if not lengths or length in lengths else None

    return _CnTypes(
        applying(general),
        tuple((kind, p) for kind, desc in special if (p := applying(desc)) is not None),
        applying(fixed),
        applying(mobile),
        same,
    )


def cn_number_type(national: str) -> int:
    """``phonenumbers.number_type`` of the mainland number whose national significant number
    is ``national`` (digits, no trunk zero), decided from the same metadata in the same order,
    without building a PhoneNumber or looking the region up on every call: a fifth of the cost,
    on the scanner's hot path (tests compare the two over arbitrary digits).

    >>> cn_number_type("13800138000") == PhoneNumberType.MOBILE
    True
    """
    general, special, fixed, mobile, same = _cn_types(len(national))
    if general is None or general.fullmatch(national) is None:
        return PhoneNumberType.UNKNOWN
    for kind, pattern in special:
        if pattern.fullmatch(national) is not None:
            return kind
    in_mobile = mobile is not None and mobile.fullmatch(national) is not None
    if fixed is not None and fixed.fullmatch(national) is not None:
        if same or in_mobile:
            return PhoneNumberType.FIXED_LINE_OR_MOBILE
        return PhoneNumberType.FIXED_LINE
    if not same and in_mobile:
        return PhoneNumberType.MOBILE
    return PhoneNumberType.UNKNOWN


def _long_number(number: phonenumbers.PhoneNumber, kind: int) -> ParsedPhone:
    national = str(number.national_number)
    cn = number.country_code == 86
    local = _CN_AREA_LOCAL.match(national) if cn else None
    return ParsedPhone(
        normalized=f"+{number.country_code}{national}",
        is_short=False,
        region="CN" if cn else phonenumbers.region_code_for_number(number),
        local_short=local.group(2) if local else None,
        number=number,
        mobile=kind == PhoneNumberType.MOBILE,
    )


def _with_extension(parsed: ParsedPhone, extension: str | None) -> ParsedPhone:
    if extension is None:
        return parsed
    return dataclasses.replace(parsed, extension=extension)


@lru_cache(maxsize=65536)
def display_phone(normalized: str) -> str:
    """A normalised number written for people: short numbers as they are, others grouped.

    >>> display_phone("+864008208820")
    '+86 400 820 8820'
    >>> display_phone("95588")
    '95588'
    """
    if not normalized.startswith("+"):
        return normalized
    try:
        number = phonenumbers.parse(normalized, None)
    except phonenumbers.NumberParseException:
        return normalized
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))


def is_mobile(parsed: ParsedPhone) -> bool:
    """True for a mobile number: a person's phone, not a company hotline."""
    return parsed.mobile
