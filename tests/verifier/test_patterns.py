"""Scam patterns in a message (verifier/core/patterns.py): what it asks the reader to do."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verifier.core.messages import REASON_MESSAGES, render
from verifier.core.normalize import fold_with_offsets
from verifier.core.patterns import (
    _CUES,
    PATTERN_CODES,
    PatternHit,
    _by_first_character,
    _first_counting,
    find_patterns,
)


def codes(text: str) -> list[str]:
    return [hit.code for hit in find_patterns(text)]


def cue(text: str, code: str) -> str | None:
    """The text of the hit for ``code``, or None."""
    return next((h.text for h in find_patterns(text) if h.code == code), None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The classic e-commerce lure.
        ("亲，您购买的商品有质量问题，我们给您办理退款", "退款"),
        # Compensation for a lost parcel.
        ("您的快递丢失了，可以申请理赔", "快递丢失"),
        # Double compensation: the longer cue is the one reported.
        ("我们将为您办理双倍赔偿", "双倍赔偿"),
        # An order "problem".
        ("您的订单出现异常", "订单出现异常"),
        # A fee returned.
        ("会员费将全额退还给您", "退还"),
        # English.
        ("You are eligible for a refund", "refund"),
        ("We will compensate you", "compensate"),
        ("Your expenses will be reimbursed", "reimbursed"),
        # Right after Chinese text, without a space.
        ("申请Refund", "Refund"),
    ],
)
def test_refund(text: str, expected: str) -> None:
    assert cue(text, "pattern_refund") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Add a QQ, in full-width letters.
        ("请加ＱＱ123456", "加ＱＱ"),
        # Add the agent's WeChat.
        ("请加客服微信处理", "加客服微信"),
        # V and VX: WeChat written past keyword filters.
        ("加V了解详情", "加V"),
        ("加我vx", "加我vx"),
        # Join a group, by scanning a code.
        ("扫码进群领取", "扫码进"),
        ("拉你进群", "拉你进群"),
        # Add as a friend.
        ("添加好友后私聊", "添加好友"),
        # Download an app or a meeting program.
        ("请下载会议软件", "下载会议软件"),
        ("下载“安全中心”App", "下载“安全中心”App"),
        # English.
        ("Add me on WhatsApp", "Add me on WhatsApp"),
        ("Please join our VIP group", "join our VIP group"),
        ("message us on Telegram", "message us on Telegram"),
    ],
)
def test_other_app(text: str, expected: str) -> None:
    assert cue(text, "pattern_other_app") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("请立即处理", "立即"),
        ("请您尽快联系", "尽快"),
        # A deadline in hours, with full-width digits.
        ("请于２４小时内完成", "２４小时内"),
        ("今天内不处理将扣费", "今天内"),
        # Threats: a frozen account, the credit record.
        ("您的账户已被冻结", "冻结"),
        ("逾期将影响征信", "逾期"),
        ("否则将注销您的账户", "否则"),
        # English.
        ("URGENT: verify your account", "URGENT"),
        ("Your account will be suspended", "will be suspended"),
        ("Reply within 24 hours", "within 24 hours"),
    ],
)
def test_urgency(text: str, expected: str) -> None:
    assert cue(text, "pattern_urgency") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Tell me the code (noun then verb).
        ("请把收到的验证码告诉我", "验证码告诉"),
        # Verb then noun.
        ("请告诉我短信验证码", "告诉我短信验证码"),
        ("请提供您的银行卡号和密码", "提供您的银行卡号"),
        ("把支付密码报一下", "支付密码报一下"),
        ("你的验证码是多少", "验证码是多少"),
        ("动态码发给我", "动态码发给我"),
        ("请读一下身份证号码", "读一下身份证号码"),
        # Sent somewhere by you (把/将 … 发送至).
        ("请将身份证正反面照片及银行卡号发送至 a@b.com", "将身份证正反面照片及银行卡号发送"),
        # Submitted on a claims page.
        ("请在理赔页面提交收款银行卡号及短信验证码", "提交收款银行卡号"),
        # A card number with its password, whatever the verb: a fake app's "activation".
        ("安装后请使用银行卡号和支付密码登录激活", "银行卡号和支付密码"),
        ("输入密码和卡号即可领取", "密码和卡号"),
        # The three digits on the back of a card: asking for them at all is the scam.
        ("卡背面三位数字发给我", "卡背面三位"),
        ("please provide the CVV", "provide the CVV"),
        # A negation in an earlier clause does not cancel the request.
        ("不要告诉别人，把验证码发给我", "把验证码发给"),
        # A negation whose reach a conjunction ends: "don't hang up, and tell me the code".
        ("请勿挂断电话并把验证码告诉我", "验证码告诉"),
        # English.
        ("Please share the verification code we sent", "share the verification code"),
        ("Tell me your password", "Tell me your password"),
        ("send me the OTP", "send me the OTP"),
        ("What is your PIN?", "What is your PIN"),
    ],
)
def test_secrets(text: str, expected: str) -> None:
    assert cue(text, "pattern_secrets") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("请开启屏幕共享", "屏幕共享"),
        ("您需要共享屏幕给我看", "共享屏幕"),
        ("在会议里点开启共享", "开启共享"),
        ("我们可以远程协助您", "远程协助"),
        # 向日葵 (Sunlogin) as software.
        ("下载向日葵", "下载向日葵"),
        ("告诉我向日葵识别码", "向日葵识别码"),
        # "别" in 识别码 is not a negation; "别" as "don't" is.
        ("把识别码发我，我来远程控制", "远程控制"),
        ("请安装ToDesk", "ToDesk"),
        # Tencent Meeting with sharing later in the sentence.
        ("进入腾讯会议后点击共享", "腾讯会议后点击共享"),
        # English.
        ("Start a screen share", "screen share"),
        ("Install AnyDesk so I can help", "AnyDesk"),
        ("We need remote access to your phone", "remote access"),
    ],
)
def test_screen_sharing(text: str, expected: str) -> None:
    assert cue(text, "pattern_screen_sharing") == expected


@pytest.mark.parametrize(
    "text",
    [
        # Genuine one-time-code SMS: the code is given to you, not asked for.
        "【工商银行】您的验证码为123456，请勿向任何人透露。",
        "验证码：654321，您正在进行转账，工作人员不会向您索要验证码，请勿泄露。",
        "验证码123456，用于登录，请勿告诉他人",
        "验证码请勿告诉他人",
        "我们已向您发送验证码，请在页面中填写",
        "验证码已发送至尾号1234的手机",
        "您的密码即将过期，请将密码修改",
        # Advice to keep them safe.
        "您的银行卡号和密码请妥善保管",
        "您的登录密码已修改成功",
        # Official warnings quoting the cue.
        "银行工作人员绝不会要求您提供验证码",
        "请不要把收到的短信验证码告诉任何人",
        "切勿向他人提供银行卡号和密码",
        "请勿向他人透露银行卡号和密码",
        "任何人让你报验证码都是诈骗",
        "凡是要求提供卡背面三位数字的，都是诈骗。",
        "Never share this code with anyone.",
        "We will never ask you to share your password.",
        "Do not tell anyone your PIN",
        # "Code" alone is not a secret: a promo code.
        "Share your promo code with friends!",
    ],
)
def test_secrets_not_asked(text: str) -> None:
    assert "pattern_secrets" not in codes(text)


@pytest.mark.parametrize(
    "text",
    [
        # Official warnings quoting the cue.
        "请不要与陌生人共享屏幕",
        "凡是要求您共享屏幕的都是诈骗",
        "如有人要求您下载向日葵，请挂断",
        "切勿下载ToDesk等远程控制软件",
        "别开屏幕共享",
        "We will never ask for remote access.",
        # The sunflower.
        "向日葵花开得很漂亮",
        # A meeting invitation that does not ask for sharing.
        "腾讯会议：会议号123 456 789",
    ],
)
def test_screen_sharing_not_asked(text: str) -> None:
    assert "pattern_screen_sharing" not in codes(text)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # Official anti-fraud notices name every cue, and each is negated.
        ("我们不会以退款为由联系您", "pattern_refund"),
        ("请勿添加陌生人微信", "pattern_other_app"),
        ("不要加入陌生的QQ群", "pattern_other_app"),
        ("您的账户不会被冻结", "pattern_urgency"),
        # Words that contain a cue's characters but are not the cue.
        ("参加活动", "pattern_other_app"),
        ("融入群体", "pattern_other_app"),
        ("加vip会员", "pattern_other_app"),
        ("The items were refundable", "pattern_refund"),
        # An English cue at the end of a longer word.
        ("prefund the account", "pattern_refund"),
        ("asapp", "pattern_urgency"),
    ],
)
def test_cue_not_counted(text: str, code: str) -> None:
    assert code not in codes(text)


def test_a_full_scam_message_hits_every_pattern_in_order() -> None:
    text = (
        "【拼多多】您的订单异常，需给您办理双倍赔偿。请立即加客服QQ，下载腾讯会议开启屏幕共享，"
        "并把收到的验证码告诉我。"
    )
    assert codes(text) == list(PATTERN_CODES)


def test_one_hit_per_code_at_its_first_cue() -> None:
    hits = find_patterns("立即退款，马上退款")
    assert [(h.code, h.start, h.text) for h in hits] == [
        ("pattern_refund", 2, "退款"),
        ("pattern_urgency", 0, "立即"),
    ]


def test_a_negated_cue_is_skipped_for_a_later_one() -> None:
    (hit,) = find_patterns("请勿泄露验证码。现在请把验证码告诉我")
    assert (hit.code, hit.text) == ("pattern_secrets", "验证码告诉")
    assert hit.start == 12


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        # Plain text.
        ("您好，退款", 3, 5),
        # Emoji before the cue: one code point each.
        ("😀🎉退款", 2, 4),
        # A zero-width space inside the cue: still found, and the span covers it.
        ("退\u200b款", 0, 3),
        # Full-width letters.
        ("ＲＥＦＵＮＤ", 0, 6),
        # A character that NFKC expands before the cue.
        ("㎏退款", 1, 3),
        # A combining mark before it.
        ("e\u0301 refund", 3, 9),
    ],
)
def test_spans_are_offsets_in_the_submitted_text(text: str, start: int, end: int) -> None:
    (hit,) = find_patterns(text)
    assert hit == PatternHit("pattern_refund", start, end, text[start:end])


@pytest.mark.parametrize("code", PATTERN_CODES)
def test_every_pattern_has_messages(code: str) -> None:
    zh, en = REASON_MESSAGES[code]
    assert zh and en
    assert render(code, "en", cue="x") == en


def test_empty_text() -> None:
    assert find_patterns("") == ()


def test_a_long_text_is_scanned() -> None:
    text = "今天天气很好，" * 15_000 + "请把验证码告诉我"
    (hit,) = find_patterns(text)
    assert hit.start == 105_000 + 2


_PIECES = st.sampled_from(
    [
        "退款", "验证码", "告诉我", "请勿", "不要", "，", "。", ".", "\n", " ", "refund", "never",
        "ＱＱ", "加", "\u200b", "\u202e", "\x00", "\ud800", "😀", "㎏", "İ", "\u0301", "ﬁ",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=5)), max_size=30).map("".join))
def test_never_raises_and_every_span_is_its_text(text: str) -> None:
    hits = find_patterns(text)
    assert [h.code for h in hits] == [c for c in PATTERN_CODES if c in {h.code for h in hits}]
    for h in hits:
        assert 0 <= h.start < h.end <= len(text)
        assert text[h.start : h.end] == h.text


@settings(max_examples=200, deadline=None)
@given(
    st.text(st.one_of(st.characters(), st.characters(categories=["Cs", "Cc", "Cf"])), max_size=50)
)
def test_never_raises_on_any_code_points(text: str) -> None:
    for h in find_patterns(text):
        assert text[h.start : h.end] == h.text


_CUE_PIECES = st.sampled_from(
    [
        "退款", "理赔", "加微信", "加QQ", "进群", "立即", "24小时内", "二十四个小时内", "小时内",
        "冻结", "验证码", "告诉我", "把银行卡号发给我", "屏幕共享", "向日葵", "下载", "app",
        "请勿", "不要", "并", "都是诈骗", "is a scam", "refund", "urgent", "share your screen",
        "never", "，", "。", ".", " ", "\n", "的", "您", "a", "1", "24",
    ]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_CUE_PIECES, max_size=40).map("".join))
def test_patterns_searched_together_find_what_each_search_alone_finds(text: str) -> None:
    # Searching every pattern in one sweep is an optimisation: each pattern must get the span
    # its own search (first cue, then the next, until one counts) gives.
    folded, origin = fold_with_offsets(text, lower=True)
    alone = {code: _first_counting(folded, cue) for code, cue in _CUES.items()}
    expected = [code for code in PATTERN_CODES if alone[code] is not None]
    hits = find_patterns(text)
    assert [h.code for h in hits] == expected
    for h in hits:
        start, end = alone[h.code]  # type: ignore[misc]
        assert (h.start, h.end) == (origin[start], origin[end - 1] + 1)


def test_cue_alternatives_are_split_at_top_level_bars_only() -> None:
    # The sweep's regex groups the alternatives by first character: a bar inside a class, a
    # group or after a backslash does not separate two of them.
    groups = _by_first_character([r"ab|a[|)]c|d(?:e|f)|g\|h", "ax"])
    assert groups == {"a": ["b", "[|)]c", "x"], "d": ["(?:e|f)"], "g": [r"\|h"]}
    with pytest.raises(ValueError, match="literal"):
        _by_first_character([r"a|(?:b)"])
