"""Numbers in running text: digits in every writing, and which runs of them are phone numbers.

A number in a message is rarely a clean run of ASCII digits. Chinese numerals (四〇〇, 幺三八 with
幺 for 1 as it is read aloud), full-width and circled digits (４００, ①③⑧), and separators of every
kind (spaces, dashes, dots, slashes, brackets, emoji such as 🔸 or keycaps 4️⃣) are all used,
often on purpose: a filter that looks for ``\\d{11}`` misses ``400🔸882🔸0000``. Full-width and
circled digits are folded by :mod:`~verifier.core.normalize`; Chinese numerals are read here.
两 is not read as 2: it means "two of" far more often than it spells a digit. 十 and 百 are
counting words, never digits of a number.

Most digits in a text are not phone numbers: dates, times, prices, order and parcel numbers,
codes. A run becomes a phone only when its digits have a phone's shape (a mobile, a 400/800
line, a landline with its area code, an international number, a short service number), nothing
glues it to letters or to a time, amount or decimal, no unit follows it (元, 年, %), no order,
tracking or code label precedes it, and libphonenumber (through :mod:`~verifier.core.phone`)
accepts it. A short number such as 95588 is too common a string to trust alone: it counts when
the registry lists it or when a phone label (拨打, 客服, tel) comes right before it. Right after
such a label, digits that make no valid number still count, as written: "致电0095588" adds digits
to an official number to spoof caller ID, and it is for check() to say so.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

from verifier.core.phone import ParsedPhone, parse_phone_digits

__all__ = ["chinese_to_ascii", "find_parsed_phone_numbers", "find_phone_numbers"]

_CHINESE_DIGITS = "〇零一二三四五六七八九幺"
_TO_ASCII = str.maketrans(_CHINESE_DIGITS, "001234567891")

# Written between the digits of one number: spaces, dashes, dots, slashes, brackets, bullets,
# and emoji (with the variation selector and keycap mark that follow them). Colons and commas
# are not: they make times and amounts.
_SEPARATOR = (
    r"[ \t\-./()*·•\u2010-\u2015\u2212\u30fb\ufe0f\u20e3"
    r"\u2190-\u21ff\u2300-\u23ff\u25a0-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff]"
)
# ASCII digits (full-width ones are folded to them), Arabic-Indic and Persian digits (which
# NFKC leaves alone), and Chinese numerals. Ranges, not \d: a class of ranges is a bitmap
# the engine tests at C speed, a Unicode category is not.
_DECIMAL = "0-9\u0660-\u0669\u06f0-\u06f9"
_DIGIT = rf"[{_DECIMAL}{_CHINESE_DIGITS}]"
# Three digits or more, joined by at most three separator characters at a time, optionally led
# by "+". A character class comes first so that the search skips other text at C speed. Written
# as a lead and two digits, then whole groups: a repeat of one character class runs at C speed,
# where a repeat of "separators, then one digit" pays the engine's bookkeeping at every digit.
# The repeats are possessive ("+"): separators and digits are disjoint, so giving back a
# character could never let the pattern match differently, and keeping no backtrack state is
# cheaper.
_RUN = re.compile(
    rf"[+{_DECIMAL}{_CHINESE_DIGITS}]{_SEPARATOR}{{0,3}}+{_DIGIT}{_SEPARATOR}{{0,3}}+{_DIGIT}"
    rf"{_DIGIT}*+(?:{_SEPARATOR}{{1,3}}+{_DIGIT}++)*+"
)
# A group is a stretch of one kind of digit: "13800138000一个" is a number and then a word.
_GROUP = re.compile(rf"[{_DECIMAL}]+|[{_CHINESE_DIGITS}]+")
_ASCII_GROUP = re.compile(r"[0-9]+")


# Written between a label and its number: "电话：", "tel. ", "号码为".
_BETWEEN = ".:#号码为是-"

# What a character before a number means to :func:`_labelled`, walking back from the number.
_SKIP, _STOP, _END = 0, 1, 2


class _Steps(dict[str, int]):
    """Character -> :data:`_SKIP` (may stand between a label and its number), :data:`_END`
    (may end the label: the label's pattern decides) or :data:`_STOP` (no label ends here),
    filled on first sight; only characters of the Basic Multilingual Plane are kept."""

    def __init__(self, ends: frozenset[str]) -> None:
        super().__init__()
        self.ends = ends

    def __missing__(self, char: str) -> int:
        lowered = char.lower()
        if lowered in self.ends or len(lowered) != 1:
            step = _END
        elif lowered in _BETWEEN or lowered.isspace():
            step = _SKIP
        else:
            step = _STOP
        if ord(char) <= 0xFFFF:
            self[char] = step
        return step


class _Label(NamedTuple):
    """A label that ends right before a number (see :func:`_label_before`)."""

    pattern: re.Pattern[str]
    #: What a label can end with (lower-cased): its words' last characters and its suffixes'.
    ends: frozenset[str]
    #: How each character before a number is read (from ``ends`` and :data:`_BETWEEN`).
    steps: _Steps


def _label_before(cjk: str, english: str, suffixes: str = "") -> _Label:
    """A label that ends right before a number, read backwards.

    The text before a number is reversed and matched at its start: one attempt, where a
    search for a label anchored at the end would try every position of the window. Words are
    space-separated; an English word must not be the end of a longer word ("spin").
    ``suffixes`` are words that may follow the label ("order no.").
    """

    def words(text: str) -> str:
        return "|".join(re.escape(w[::-1]) for w in sorted(text.split(), key=len, reverse=True))

    between = rf"[\s{re.escape(_BETWEEN)}]*"
    suffix = rf"(?:(?:{words(suffixes)})\s*)?" if suffixes else ""
    pattern = re.compile(rf"{between}{suffix}(?:(?:{words(english)})(?![a-z])|{words(cjk)})")
    ends = frozenset(w[-1] for w in f"{cjk} {english} {suffixes}".split())
    return _Label(pattern, ends, _Steps(ends))


# Words that announce a phone number: a short number right after them is a service line.
_PHONE_LABEL = _label_before(
    "电话 致电 拨打 拨 热线 客服 回电 来电 联系 手机 座机 号码 专线 号码显示 来电显示",
    "call tel hotline phone dial",
)
# Labels of numbers that are not phones: orders, parcels, codes, accounts, money, versions.
_NOT_PHONE_LABEL = _label_before(
    "订单 订单编号 单号 运单 流水号 交易号 编号 批次 验证码 校验码 动态码 确认码 取件码 提取码"
    " 邀请码 优惠码 兑换码 激活码 识别码 密码 口令 卡号 银行卡 账号 帐号 户号 身份证 证件号 学号"
    " 工号 发票 版本 金额 价格 售价 原价 现价 总价 单价 合计 总计 余额 共计 积分",
    "order tracking waybill invoice code otp pin password passcode ref reference serial"
    " version amount price total balance id",
    # "order no.", "tracking number", "order id", "order #"
    suffixes="no number id #",
)
# Units after a number make it a quantity, a price or a date: 199元, 3000块, 50%, 2026年.
_UNITS = "元块圆角万亿%‰年月日号期页条天岁米斤克倍名位张份届楼层次个件秒折时"
_UNIT = re.compile(rf" *(?:[{_UNITS}]|人(?!工)|点(?![击开])|分(?!机))")
# What _UNIT can match first: any other character after a number saves the regex call.
_UNIT_FIRST = frozenset(f" {_UNITS}人点分")
_CURRENCY = frozenset("¥$€£₹₩")
_LONG_START = re.compile(r"00|0[1-9]|1[3-9]|[48]00|86")
# The digit strings of one to three digits that _LONG_START matches: it reads three digits at
# most, so ``digits[:3] in _LONG_HEADS`` says what ``_LONG_START.match(digits)`` says of any
# ASCII digits, as a set lookup instead of a regex call.
_LONG_HEADS = frozenset(
    head for size in (1, 2, 3) for n in range(10**size) if _LONG_START.match(head := f"{n:0{size}}")
)
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}$")
# More digits than this are never one number, even with "00" and a country code.
_MAX_DIGITS = 17

_Group = tuple[int, int, str]  # start, end, ASCII digits
_Found = tuple[int, int, str, ParsedPhone | None]  # start, end, value, parsed


def chinese_to_ascii(digits: str) -> str:
    """ASCII digits for decimal digits of any script and Chinese numerals.

    >>> chinese_to_ascii("四〇〇八八二〇〇〇〇"), chinese_to_ascii("幺三八"), chinese_to_ascii("٩٥")
    ('4008820000', '138', '95')
    """
    converted = digits.translate(_TO_ASCII)
    if converted.isascii():
        return converted
    return "".join(c if c.isascii() else str(unicodedata.decimal(c)) for c in converted)


def find_phone_numbers(
    folded: str, known: frozenset[str] = frozenset()
) -> Iterator[tuple[int, int, str]]:
    """Every phone number in ``folded`` text, as ``(start, end, value)``.

    ``folded`` is text passed through :func:`~verifier.core.normalize.fold_with_offsets`;
    spans are offsets into it. ``value`` is the digits, with "+" first when the number was
    written with a country code (``+86``, ``0086``, ``86-``); digits that make no valid number
    (kept only after a phone label) are given as written. ``known`` holds the phone values the
    registry lists: a listed short number needs no label.

    >>> list(find_phone_numbers("热线 400🔸882🔸0000，订单号 13800138000，拨打九五五八八"))
    [(3, 15, '4008820000'), (34, 39, '95588')]
    """
    for start, end, value, _ in find_parsed_phone_numbers(folded, known):
        yield start, end, value


def find_parsed_phone_numbers(
    folded: str, known: frozenset[str] = frozenset()
) -> Iterator[tuple[int, int, str, ParsedPhone | None]]:
    """:func:`find_phone_numbers`, each number with what libphonenumber made of it while it
    was found: ``(start, end, value, parsed)``, where ``parsed`` is
    ``parse_folded_phone(value, "CN", known)``, or None for digits kept after a phone label
    that make no valid number. The scanner hands it to ``check``, which need not parse again.
    """
    steps = _PHONE_LABEL.steps
    heads = _known_heads(known)
    for run in _RUN.finditer(folded):
        offset, written = run.start(), run.group()
        if written.isascii():
            if written.isdecimal():  # the common case: one group
                # Unless its digits may begin a long number, one group is a phone only when
                # the registry lists it or a phone label precedes it (what _longest_phone
                # decides first): most runs (counts, codes, parts of words) end here.
                if (
                    written[:3] not in _LONG_HEADS
                    and not (len(written) <= 6 and written in known)
                    # not _labelled(folded, offset), its common case inlined
                    and (
                        not offset
                        or steps[folded[offset - 1]] == _STOP
                        or not _labelled(folded, offset)
                    )
                ):
                    continue
                groups = [(offset, run.end(), written)]
            else:  # ASCII digits need no converting: "2026-03-14", "021 6123 4567"
                if _glued_quiet(folded, offset, written, known, heads):
                    continue
                groups = [
                    (offset + m.start(), offset + m.end(), m.group())
                    for m in _ASCII_GROUP.finditer(written)
                ]
        else:
            groups = [
                (offset + m.start(), offset + m.end(), chinese_to_ascii(m.group()))
                for m in _GROUP.finditer(written)
            ]
        plus_at = offset if written[0] == "+" else -1
        i = 0
        # Longest first from each group: "10:30 4008820000" holds one run whose whole is no
        # phone, but whose last group is.
        while i < len(groups):
            # No number starts in the middle of "2026-03-14" or "4.5": after a lone dash or dot
            # the digits go on the number before them.
            glued = i and folded[groups[i - 1][1] : groups[i][0]] in ("-", ".")
            found = None if glued else _longest_phone(folded, groups, i, plus_at, known)
            if found is None:
                i += 1
            else:
                yield found[0]
                i = found[1]
            plus_at = -1


def _glued_quiet(
    folded: str, offset: int, written: str, known: frozenset[str], heads: frozenset[str]
) -> bool:
    """True when the ASCII run ``written`` at ``offset`` holds no phone number because it is a
    date, a price or a time ("2026-03-14", "345.84", the "00-21" of "9:00-21:00").

    Decided as :func:`find_phone_numbers` would, without building its groups: the later groups
    of such a run go on the first, so only the first can start a number; glued by number
    punctuation to digits before it, every number it starts is blocked (:func:`_blocked`);
    otherwise, when three digits or more begin no long number (:func:`_longest_phone`), it
    needs a listed short number among its first digits or a phone label before it.
    ``heads`` is ``_known_heads(known)``.
    """
    # Only a run whose later groups are all glued to the first by a lone dash or dot: split at
    # them, nothing but digits is left and no group is empty (str methods, cheaper than a regex).
    groups = written.replace(".", "-").split("-")
    digits = "".join(groups)
    if not digits.isdecimal() or "" in groups:  # ASCII, so decimal means 0-9
        return False
    before = folded[offset - 1] if offset else ""
    if offset >= 2 and before in ".:," and folded[offset - 2].isdigit():
        return True
    head = digits[:3]
    if len(groups[0]) < 3 or head in _LONG_HEADS:
        return False
    # Every prefix _longest_phone would look up is one of these (it joins whole groups); none
    # is listed unless their first three digits begin a listed number of three to six.
    if head in heads and (
        head in known or digits[:4] in known or digits[:5] in known or digits[:6] in known
    ):
        return False
    # not _labelled(folded, offset), its common case inlined
    return not before or _PHONE_LABEL.steps[before] == _STOP or not _labelled(folded, offset)


def _longest_phone(
    folded: str, groups: list[_Group], i: int, plus_at: int, known: frozenset[str]
) -> tuple[_Found, int] | None:
    """The longest phone number made of ``groups[i:j]``, and that ``j``."""
    first = groups[i]
    start = first[0] if plus_at < 0 else plus_at
    # Only the first three digits matter to _LONG_HEADS.
    head = first[2] if len(first[2]) >= 3 else "".join([g[2] for g in groups[i : i + 3]])
    # Only "+", 00, 86, a trunk 0, a mobile's 1[3-9], 400 or 800 begin a long number; other
    # digits can only be a short one, which keeps a long run of stray digits cheap.
    limit = _MAX_DIGITS if plus_at >= 0 or head[:3] in _LONG_HEADS else 6
    prefixes: list[str] = []
    digits = ""
    for group in groups[i : i + limit]:
        digits += group[2]
        if len(digits) > limit:
            break
        prefixes.append(digits)
    labelled: bool | None = None  # looked up when first needed
    if limit == 6 and known.isdisjoint(prefixes):
        labelled = _labelled(folded, start)
        if not labelled:
            return None  # short only, and no label: only listed ones count
    for count in range(len(prefixes), 0, -1):
        digits = prefixes[count - 1]
        shape = _shape(digits, groups[i][2], count, plus_at >= 0)
        if shape is None:
            continue
        value, short = shape
        if short and digits not in known:
            if labelled is None:
                labelled = _labelled(folded, start)
            if not labelled:
                continue
        phone = _phone(folded, start, groups[i + count - 1][1], value, short, known)
        if phone is not None:
            return phone, i + count
    # Digits right after a phone label are a contact even when no such number exists: "致电
    # 0095588" adds digits to an official number to spoof caller ID, and check() says so.
    if (
        5 <= len(first[2]) <= 15
        and (labelled if labelled is not None else _labelled(folded, start))
        and not _blocked(folded, start, first[1], len(first[2]) <= 6)
    ):
        return (start, first[1], ("+" if plus_at >= 0 else "") + first[2], None), i + 1
    return None


def _shape(digits: str, first: str, count: int, plus: bool) -> tuple[str, bool] | None:
    """``(value, short)`` when ``digits`` (``count`` groups, the first ``first``) have the shape
    of a phone number; None otherwise. Cheap: no context, no libphonenumber."""
    if len(digits) < 3:
        return None
    # "+86", "0086", "86-138…" or "8613800138000": the country code, with or without "+".
    if (
        plus
        or digits.startswith("00")
        or (first == "86" and count > 1)
        or (len(digits) == 13 and digits.startswith("861"))
    ):
        body = digits[2:] if digits.startswith("00") else digits
        if body.startswith("86"):
            body = "86" + body[2:].lstrip("0")  # "+86 (0)10 …": the trunk zero is not dialled
        return "+" + body, False
    size = len(digits)
    if size <= 6:
        return digits, True
    # A phone's digits without a country code: a mobile (1[3-9] and nine digits), a 400/800 line
    # (and seven), or a landline with its area code (0[1-9] and six to ten). String tests: a
    # regex call costs more.
    if (
        (size == 11 and digits[0] == "1" and digits[1] in "3456789")
        or (size == 10 and digits[:3] in ("400", "800"))
        or (8 <= size <= 12 and digits[0] == "0" and digits[1] != "0")
    ):
        return digits, False
    return None


def _phone(
    folded: str, start: int, end: int, value: str, short: bool, known: frozenset[str]
) -> _Found | None:
    """The phone at ``[start, end)`` with its span completed, unless its context or
    libphonenumber says it is none."""
    if _blocked(folded, start, end, short):
        return None
    # An IPv4 address holds exactly three dots: counting them is cheaper than the regex.
    if folded.count(".", start, end) == 3 and _IPV4.match(folded, start, end):
        return None
    parsed = _parse(value, known)
    # Bare digits must be what their length says: a short number a service line, a long one not.
    if parsed is None or (value[0] != "+" and parsed.is_short is not short):
        return None
    if (
        start
        and folded[start - 1] == "("
        and folded.count(")", start, end) > folded.count("(", start, end)
    ):
        start -= 1  # "(021)61234567": the bracket opened before the first digit
    while end < len(folded) and folded[end] in "\ufe0f\u20e3":
        end += 1  # the keycap marks of a last digit written as 0️⃣
    return start, end, value, parsed


def _labelled(folded: str, start: int, label: _Label = _PHONE_LABEL) -> bool:
    """True when ``label`` ends right before ``start``."""
    # Most numbers follow a character that ends no label and may not stand between one and
    # the number ("2026-03-14" after "于", prices after "¥"): walking back past the characters
    # allowed between settles them without building and reversing the window.
    steps = label.steps
    window = max(0, start - 24)
    at = start - 1
    while at >= window:
        step = steps[folded[at]]
        if step == _STOP:
            return False  # right before the number, the common case
        if step == _END:
            return label.pattern.match(folded[window:start].lower()[::-1]) is not None
        at -= 1
    return False


def _blocked(folded: str, start: int, end: int, short: bool) -> bool:
    """True when the context says the digits at ``[start, end)`` are not a phone number."""
    before = folded[start - 1] if start else ""
    after = folded[end] if end < len(folded) else ""
    if after.isascii() and (after.isalpha() or after == "_"):
        return True  # 123abc, 12345_x: part of a code or a name
    if before.isascii() and (before.isalpha() or before == "_") and not _labelled(folded, start):
        return True  # SF1234567890123, v1.2.3, order_12345 (but tel13800138000 is a phone)
    # Glued by number punctuation to more digits: a time, an amount, a decimal, a version.
    glue = ".:,-/" if short else ".:,"
    if before and before in glue and start >= 2 and folded[start - 2].isdigit():
        return True
    if after and after in glue and end + 1 < len(folded) and folded[end + 1].isdigit():
        return True
    previous = folded[max(0, start - 2) : start].strip()
    if previous[-1:] in _CURRENCY or previous[-1:] == "第":
        return True  # ¥199, $45, 第12345期
    if after in _UNIT_FIRST and _UNIT.match(folded, end):
        return True
    # _labelled(folded, start, _NOT_PHONE_LABEL), its common case inlined
    return (
        start > 0
        and _NOT_PHONE_LABEL.steps[before] != _STOP
        and _labelled(folded, start, _NOT_PHONE_LABEL)
    )


@lru_cache(maxsize=8)
def _known_heads(known: frozenset[str]) -> frozenset[str]:
    """The first three digits of the listed numbers of three to six digits: a run whose first
    three are none of these starts no listed short number, one set lookup instead of four."""
    return frozenset(value[:3] for value in known if 3 <= len(value) <= 6)


@lru_cache(maxsize=4096)
def _parse(value: str, known: frozenset[str]) -> ParsedPhone | None:
    return parse_phone_digits(value, "CN", known)
