"""Scam patterns in a message: what it asks the reader to do, whoever it claims to come from.

A message can name a real bank and give its real number and still be a scam, because of what it
asks for: a refund that needs your card number, a move to a QQ group, a deadline, the code the
bank just texted you, a screen-sharing session. Each pattern is a reason code; the scanner
weighs them with the contacts it found (``verifier.core.scan``).

Cues are searched in the text folded as everywhere else (full-width letters, invisible
characters, lower case), with one precompiled regex per pattern. Official messages quote the
same words to warn people ("请勿向任何人透露验证码"), so a cue preceded in its clause by a
negation or a warning ("请勿", "不要", "绝不会", "never", "do not") or followed in its sentence by
"…都是诈骗" does not count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from verifier.core.normalize import Folded, fold_with_offsets, span_in_original
from verifier.core.values import direct_init

__all__ = ["PATTERN_CODES", "PatternHit", "find_patterns"]

PATTERN_CODES = (
    "pattern_refund",
    "pattern_other_app",
    "pattern_urgency",
    "pattern_secrets",
    "pattern_screen_sharing",
)


@direct_init
@dataclass(frozen=True, slots=True)
class PatternHit:
    """A scam pattern found in a text, located by its first cue."""

    #: One of :data:`PATTERN_CODES`.
    code: str
    #: Code-point offsets of the cue in the text as submitted; ``end`` is exclusive.
    start: int
    end: int
    #: The cue as written (``text[start:end]``).
    text: str


# How the cues are written: every alternative of a pattern's regex starts with a literal
# character, so that ``re`` jumps straight to the characters that can start a cue instead of
# trying every alternative at every position (twenty times faster on a 100 KB text). Hence
# :func:`_each` instead of a leading group, and the start of an English word checked in
# :func:`find_patterns` instead of a leading look-behind.

#: After an English word: no letter or digit follows ("refund", not "refundable").
_END = r"(?![a-z0-9])"


def _each(heads: str, rest: str = "") -> str:
    """``head + rest`` for each of the ``|``-separated literal ``heads``, as alternatives.

    >>> _each("进|加", "群")
    '进群|加群'
    """
    return "|".join(head + rest for head in heads.split("|"))


# Text that stays inside one clause: the folded text has ASCII punctuation (NFKC turns "，" into
# ","; fold turns "。" into ".").
_IN_CLAUSE = r"[^,.!?;\n\r]"
_CLAUSE_END = re.compile(r"[,.!?;\n\r]")
_SENTENCE_END = re.compile(r"[.!?;\n\r]")

# --- the cues, one regex per pattern ---------------------------------------------------------

_REFUND = [
    "双倍赔偿|退款|退费|退还|退回|理赔|赔付|赔偿|补偿|返还|丢件|快递丢失|包裹丢失",
    r"订单(?:出现|存在|显示)?异常",
    r"refund(?:s|ed|ing)?" + _END,
    r"compensat(?:e|ed|es|ing|ion)" + _END,
    r"reimburs(?:e|ed|es|ing|ement)" + _END,
    r"lost (?:parcel|package)" + _END,
    r"order (?:issue|problem|exception|error)" + _END,
]

# What a message asks you to add: a chat app account (V, VX: WeChat written past keyword
# filters) or a friend.
_ADDED = r"(?:qq|微信|v信|vx|wx|威信|薇信|企业微信|企微|v(?![a-z0-9])|好友)"
_EN_CHAT_APPS = r"(?:wechat|weixin|qq|whatsapp|telegram|line|signal|skype|viber|kakaotalk)"
_OTHER_APP = [
    # 加QQ, 加客服微信, 加V, 添加好友.
    _each("加|添加", rf"(?:一下|个|上)?(?:我|我们|客服|专员|老师|工作人员)?的?{_ADDED}"),
    # 进群, 扫码进群; not "融入群体" or "促进群众".
    r"扫码(?:添加|加|进|入)|拉你进群|拉您进群|进群(?![众体])|加群(?![众体])|入(?<!融入)群(?![众体])",
    "群号|私聊|私信我|纸飞机|电报群",
    # 下载…App, 下载会议软件: the scammer's own app or a meeting app to share a screen.
    rf"下载{_IN_CLAUSE}{{0,12}}?(?:app|apk|软件|客户端)(?![a-z])",
    rf"add (?:me|us|my|our)(?: (?:on|in|via|at))? {_EN_CHAT_APPS}{_END}",
    _each(
        "message|text|contact|chat with|reach", rf" (?:me|us) (?:on|via|at) {_EN_CHAT_APPS}{_END}"
    ),
    r"join (?:our|the|my|this) (?:[a-z]+ ){0,2}(?:group|chat|channel)" + _END,
    _each("download|install", r" (?:the |our |this )?(?:[a-z0-9]+ ){0,3}(?:app|apk)" + _END),
]

_URGENCY = [
    "立即|立刻|马上|尽快|尽早|赶紧|抓紧|即刻|火速",
    # (A deadline in hours, "24小时内", is found by _Cue.search from its "小时内".)
    "今天内|今日内|当天内|当日内|逾期|否则|冻结|注销|过期|即将到期|限时|最后期限|封号",
    _each("影响|上|纳入|进入", "(?:个人)?征信"),
    "征信(?:受损|受影响|黑名单|不良|污点)",
    r"urgent(?:ly)?" + _END,
    _each("immediately|right away|as soon as possible|asap|act now|otherwise", _END),
    r"within (?:\d{1,3}|twenty[- ]four|one|two|three|a few) (?:hours?|days?)" + _END,
    r"today only|final (?:notice|warning|reminder)|last (?:chance|warning)" + _END,
    r"expire[sd]?|expiring" + _END,
    _each(
        "will|would|has|have|had|is|are|was",
        r" (?:be |been )?(?:permanently )?"
        r"(?:suspended|frozen|closed|locked|blocked|terminated|deactivated|disabled)" + _END,
    ),
]

# Secrets: a code, password or card number, with a verb that hands it to someone. The words
# alone are in every genuine one-time-code SMS ("您的验证码为123456"), so only a request counts:
# "告诉我验证码", "验证码发给我", "卡号是多少".
_CODES = (
    "短信验证码|手机验证码|验证码|校验码|确认码|动态码|短信码|支付密码|取款密码|交易密码|登录密码|"
    "动态密码|网银密码|密码|银行卡号|信用卡号|卡号|身份证号码|身份证号"
)
# Verbs that hand a code over, before it ("告诉我验证码") and after it ("验证码发给我"). Not "发送":
# "已向您发送验证码" is the bank sending one.
_GIVE_BEFORE = (
    "告诉|告知|提供|提交|上传|回复|转发|给我|报给|报一下|报下|报出|读给|读一下|读出|念给|念一下|"
    "念出|说一下|说出|发给我|发我|发送给我|发过来"
)
_GIVE_AFTER = (
    "告诉|告知|提供给|报给|报一下|报下|报出|读给|读一下|念给|念一下|发给我|发我|发过来|发一下|"
    "给我|是多少|截图"
)
# "code" alone is also a promo or referral code: only a code that proves who you are counts.
_EN_CODES = (
    "verification code|security code|one-time code|one time code|sms code|login code|"
    "access code|confirmation code|otp code|digit code|code we sent|code i sent|"
    "code we just sent|code you received|code you got|password|passcode|otp|pin|card number|"
    "cvv|cvv2|cvc|cvc2"
)
# The rest of a clause up to an English code word, as a whole word.
_THEN_EN_CODE = rf"{_IN_CLAUSE}{{0,30}}?(?<![a-z0-9])(?:{_EN_CODES}){_END}"
_SECRETS = [
    _each(_GIVE_BEFORE, rf"{_IN_CLAUSE}{{0,12}}?(?:{_CODES})"),
    _each(_CODES, rf"{_IN_CLAUSE}{{0,12}}?(?:{_GIVE_AFTER})"),
    # "请将银行卡号发送至…": sent somewhere by you. Without 把/将, "验证码已发送至尾号1234的手机"
    # is the bank sending it.
    _each(
        "把|将(?<!即将)",
        rf"{_IN_CLAUSE}{{0,12}}?(?:{_CODES}){_IN_CLAUSE}{{0,12}}?(?:发送|发到|发至|发给|提交|上传)",
    ),
    # A card number together with its password or code ("银行卡号和支付密码"): no service needs
    # both from a message, whatever the verb ("使用银行卡号和支付密码登录激活").
    _each("银行卡号|信用卡号|卡号", rf"[和及与、/或]{{1,2}}(?:{_CODES})"),
    _each(_CODES, r"[和及与、/或]{1,2}(?:银行|信用)?卡号"),
    # The three digits on the back of a card are never needed by anyone who calls you.
    "安全码|卡背面的?(?:三|3)位",
    _each("cvv|cvv2|cvc|cvc2", _END),
    _each("tell|give|share|provide|read|forward|reply with|confirm", _THEN_EN_CODE),
    r"send (?:it |them )?(?:to )?(?:me|us)" + _THEN_EN_CODE,
    r"what(?:'s| is) (?:your|the)" + _THEN_EN_CODE,
    _each(_EN_CODES, rf"{_END}{_IN_CLAUSE}{{0,20}}?(?<![a-z0-9])(?:to|with) (?:me|us){_END}"),
]

_SCREEN_SHARING = [
    r"屏幕共享|共享(?:你|您)?的?屏幕|屏幕分享|分享屏幕|开启共享|打开共享|开共享|共享桌面",
    "远程(?:协助|控制|操控|操作|桌面|软件)",
    # 向日葵 (Sunlogin) is also the sunflower: only as software.
    _each("下载|安装|打开|使用|用", rf"{_IN_CLAUSE}{{0,4}}?向日葵"),
    "向日葵(?:远程|软件|app|客户端|控制|识别码)",
    r"腾讯会议[^.!?;\n\r]{0,20}?共享",
    r"screen[- ]?shar(?:e|es|ed|ing)" + _END,
    r"shar(?:e|ing) (?:your|my|the|their) screens?" + _END,
    r"remote (?:access|control|desktop|assistance)" + _END,
    _each("anydesk|teamviewer|todesk|rustdesk|sunlogin|quick support|quicksupport", _END),
]

# A deadline in hours: "24小时内", "二十四小时内" (one to three numerals, 个, 小时内).
_HOURS = frozenset("0123456789一二两三四五六七八九十")
_IN_HOURS = "小时内"


@dataclass(frozen=True, slots=True)
class _Cue:
    """The cues of one pattern: a regex, and for urgency the deadline in hours.

    A deadline in hours can start at any digit of a page, and as an alternative of the regex it
    made the engine try the whole pattern at every digit (a dense page has tens of thousands:
    three times the cost of every other pattern together). It is found instead from its rare
    "小时内", looking back for its numerals, and reported exactly where the alternative
    ``[numeral][numeral]{0,2}个?小时内`` would match; no other alternative starts with a numeral,
    so the leftmost of the two searches is the leftmost cue.
    """

    pattern: re.Pattern[str]
    in_hours: bool = False

    def search(self, folded: str, at: int) -> tuple[int, int] | None:
        """The span of the leftmost cue starting at or after ``at``, or None."""
        match = self.pattern.search(folded, at)
        found = None if match is None else match.span()
        if self.in_hours:
            deadline = _deadline_in_hours(folded, at, len(folded) if found is None else found[0])
            if deadline is not None:
                return deadline
        return found


def _deadline_in_hours(folded: str, at: int, before: int) -> tuple[int, int] | None:
    """The leftmost "24小时内" starting in ``[at, before)``: one to three numerals of
    :data:`_HOURS`, an optional 个, then 小时内."""
    hours = folded.find(_IN_HOURS, at)
    # A cue starting before ``before`` has its 小时内 at most four characters later.
    while 0 <= hours <= before + 4:
        end = hours - 1 if folded[hours - 1 : hours] == "个" and hours - 1 >= at else hours
        # The numerals run back from ``end``; a longer run's cue is its last three numerals.
        start = end
        while start > max(at, end - 3) and folded[start - 1] in _HOURS:
            start -= 1
        if start < end:
            return (start, hours + len(_IN_HOURS)) if start < before else None
        hours = folded.find(_IN_HOURS, hours + 1)
    return None


_ALTERNATIVES = dict(
    zip(PATTERN_CODES, (_REFUND, _OTHER_APP, _URGENCY, _SECRETS, _SCREEN_SHARING), strict=True)
)
_CUES = {
    code: _Cue(re.compile("|".join(alternatives)), in_hours=code == "pattern_urgency")
    for code, alternatives in _ALTERNATIVES.items()
}


def _by_first_character(alternatives: list[str]) -> dict[str, list[str]]:
    """The top-level alternatives of the regexes ``alternatives``, grouped by their first
    character (a literal, see above): first character -> the rests of its alternatives."""
    groups: dict[str, list[str]] = {}
    for regex in alternatives:
        depth, start, in_class = 0, 0, False
        chars = iter(enumerate(regex + "|"))
        for at, char in chars:
            if char == "\\":
                next(chars)  # an escaped character is never a bracket or a bar
            elif in_class:
                in_class = char != "]"
            elif char == "[":
                in_class = True
            elif char in "()":
                depth += 1 if char == "(" else -1
            elif char == "|" and depth == 0:
                first, rest = regex[start], regex[start + 1 : at]
                if first in "\\[(.^$?*+{":
                    raise ValueError(f"a cue must start with a literal: {regex[start:at]!r}")
                groups.setdefault(first, []).append(rest)
                start = at + 1
    return groups


_BY_FIRST = {code: _by_first_character(alts) for code, alts in _ALTERNATIVES.items()}


@lru_cache(maxsize=64)
def _any_cue(codes: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for the cues of every pattern in ``codes``: one search finds the next place
    where any of them starts.

    Alternatives are grouped by their first character ("立即|立刻" is "立(?:即|刻)"): where the
    search stops on a character that can start a cue, the engine compares it with each group's
    first character instead of each alternative's: 101 comparisons instead of 223 for every
    pattern, and the group's own alternatives only where the first character matches."""
    groups: dict[str, list[str]] = {}
    for code in codes:
        for first, rests in _BY_FIRST[code].items():
            groups.setdefault(first, []).extend(rests)
    return re.compile(
        "|".join(f"{re.escape(first)}(?:{'|'.join(rests)})" for first, rests in groups.items())
    )


# --- what cancels a cue ----------------------------------------------------------------------


def _en(*alternatives: str) -> str:
    """English alternatives that match only as whole words.

    Not ``\\b``: between Chinese and Latin letters there is no ``\\b`` ("退款refund").
    """
    return r"(?<![a-z0-9])(?:" + "|".join(alternatives) + ")" + _END


#: How far before a cue (in folded characters, within its clause) a negation still applies:
#: "绝不会以任何理由向您索要验证码", "we will never ask you to share your code".
NEGATION_WINDOW = 24

# A negation or a warning's framing before the cue: the official warning "请勿向任何人透露验证码",
# "如有人要求您共享屏幕". Not "不" alone: "如不提供验证码，账户将被冻结" is the scam itself; and
# "别" only as "don't", not inside 识别码, 区别 or 别人.
_NEGATION = re.compile(
    "|".join(
        "勿 不要 不得 不会 不能 不可 不应 绝不 从不 从未 禁止 严禁 谨防 警惕 当心 提防 防范 "
        "以防 以免 任何人 凡是 凡 如有人 若有人 如果有人 一旦有人 陌生人".split()
    )
    + r"|(?<![识区分差类特级派性辨鉴告离])别(?![人处的])|"
    + _en(
        r"never|not|don'?t|do not|won'?t|will not|cannot|can'?t|no one|nobody|beware",
        r"anyone|someone|if anybody|scammers?",
    )
)
# Words that end a negation's reach inside a clause: "请勿挂断电话并把验证码告诉我" asks for it.
_NEGATION_ENDS = re.compile(r"然后|并且|并|接着|之后|只需|只要|但是|但|" + _en("then|but|just"))
# A warning's conclusion after the cue: "要求共享屏幕的都是诈骗", "银行卡号和密码请妥善保管".
# Only whether one is there matters, so "都是诈骗" is found as "是诈骗"; every alternative is led
# by a literal, the English ones checking the start of their word behind it, so that a search
# skips to the characters that can start one.
_WARNING_AFTER = re.compile(
    r"(?:是|为|属于?)(?:诈骗|骗子|骗局)|妥善保管|保管好|保护好|"
    + _each(
        "i(?<![a-z0-9]i)s|a(?<![a-z0-9]a)re", r" (?:all |always )?(?:a )?(?:scams?|fraud)" + _END
    )
)
_WARNING_REACH = 16


def find_patterns(text: str, *, prefolded: Folded | None = None) -> tuple[PatternHit, ...]:
    """The scam patterns in ``text``, at most one hit per code, in :data:`PATTERN_CODES` order.

    * ``pattern_refund``: refunds, compensation, claims, a lost parcel, an "abnormal order".
    * ``pattern_other_app``: adding a QQ or WeChat account, joining a group, downloading an app.
    * ``pattern_urgency``: "immediately", a deadline in hours, frozen or closed accounts, the
      credit record.
    * ``pattern_secrets``: asking for a code, password, card or ID number (the word alone is in
      every genuine code SMS: only with a verb that hands it over, a card number together with
      its password, or the CVV).
    * ``pattern_screen_sharing``: screen sharing and remote-control software.

    Each hit is the first cue of its pattern that no negation or warning cancels: a negation
    before it in its clause, within :data:`NEGATION_WINDOW` characters and not cut off by "并",
    "然后" or "but" ("请勿向任何人提供验证码", "we will never ask for your password"), or a
    warning's conclusion after it in its sentence ("…的都是诈骗", "…请妥善保管").
    ``prefolded`` is ``fold_with_offsets(text, lower=True)`` when the caller has it already.

    >>> [(h.code, h.text) for h in find_patterns("您的订单异常，请立即加微信办理退款")]
    [('pattern_refund', '订单异常'), ('pattern_other_app', '加微信'), ('pattern_urgency', '立即')]
    >>> find_patterns("【某银行】验证码123456，请勿向任何人透露。")
    ()
    """
    if not text:
        return ()
    folded, origin = prefolded or fold_with_offsets(text, lower=True)
    spans = _first_cues(folded)
    hits = []
    for code in PATTERN_CODES:
        if code in spans:
            o_start, o_end = span_in_original(origin, *spans[code])
            hits.append(PatternHit(code, o_start, o_end, text[o_start:o_end]))
    return tuple(hits)


def _first_cues(folded: str) -> dict[str, tuple[int, int]]:
    """The span of each pattern's first cue that counts (see :func:`_counts`).

    Patterns are searched together, not one after another: a text holds cues of one or two
    patterns, and each pattern it does not hold would otherwise cost a search through the whole
    text of its own. One regex for the cues of the patterns still open finds the next place
    where any starts; there each open pattern tries its own, so each finds the leftmost cue
    its own search would, then the next after it when one does not count.
    """
    open_codes = list(PATTERN_CODES)
    found: dict[str, tuple[int, int]] = {}
    # A deadline in hours ends in "小时内" and starts on a numeral before it, which no search
    # from the cues' first characters meets: in the rare text with one, urgency is searched on
    # its own as its cue finds it.
    if _IN_HOURS in folded:
        open_codes.remove("pattern_urgency")
        span = _first_counting(folded, _CUES["pattern_urgency"])
        if span is not None:
            found["pattern_urgency"] = span
    at = 0
    while open_codes:
        match = _any_cue(tuple(open_codes)).search(folded, at)
        if match is None:
            break
        start = match.start()
        for code in tuple(open_codes):
            cue = _CUES[code].pattern.match(folded, start)
            if cue is not None and _counts(folded, start, cue.end()):
                found[code] = cue.span()
                open_codes.remove(code)
        at = start + 1
    return found


def _first_counting(folded: str, cue: _Cue) -> tuple[int, int] | None:
    """The span of the first cue of ``cue`` that counts, searched on its own."""
    span = cue.search(folded, 0)
    while span is not None:
        if _counts(folded, *span):
            return span
        # A later cue may start inside this one ("不要告诉他，把验证码告诉我").
        span = cue.search(folded, span[0] + 1)
    return None


def _counts(folded: str, start: int, end: int) -> bool:
    """True when the cue at ``[start, end)`` counts: an English one starts a word, and no
    negation or warning around it quotes it (:func:`_negated`)."""
    return not _mid_word(folded, start) and not _negated(folded, start, end)


def _is_ascii_letter(char: str) -> bool:
    return char.isascii() and char.isalpha()


def _mid_word(folded: str, start: int) -> bool:
    """True when an English cue starts inside a word ("prefund", "sasap")."""
    return (
        start > 0
        and _is_ascii_letter(folded[start])
        and (_is_ascii_letter(folded[start - 1]) or folded[start - 1].isdigit())
    )


def _negated(folded: str, start: int, end: int) -> bool:
    """True when the cue at ``[start, end)`` is quoted by a warning, not made as a request."""
    # A warning's conclusion after the cue, first: it is the shorter search.
    after = folded[end : end + _WARNING_REACH]
    sentence_end = _SENTENCE_END.search(after)
    if sentence_end is not None:
        after = after[: sentence_end.start()]
    if _WARNING_AFTER.search(after) is not None:
        return True
    before = folded[max(0, start - NEGATION_WINDOW) : start]
    clause_breaks = list(_CLAUSE_END.finditer(before))
    if clause_breaks:
        before = before[clause_breaks[-1].end() :]
    # Inside the cue too: "验证码请勿告诉他人" puts the negation between the noun and the verb.
    scope = before + folded[start:end]
    negations = list(_NEGATION.finditer(scope))
    return bool(negations) and _NEGATION_ENDS.search(scope, negations[-1].end()) is None
