"""verifier.core.scan and verifier.core.attribution, on the small test registry.

The corpus of realistic messages (tests/test_scan_corpus.py) runs on the shipped data; these
tables pin each rule down on a registry built for the test, so a data update cannot move them.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from small_registry import SMALL_REGISTRY, VERDICT_KEYS

from registry.files import parse_registry
from verifier.core.attribution import attribute
from verifier.core.extract import Contact
from verifier.core.index import Platform, RegistryIndex
from verifier.core.mentions import Mention
from verifier.core.scan import MAX_SCAN_LENGTH, scan

# Hypothesis runs many examples per test call, so its test reads a module-level index rather
# than the function-scoped small_index fixture.
_SMALL_INDEX = RegistryIndex.build(parse_registry(SMALL_REGISTRY).platforms)

PDD = Platform("pinduoduo", "拼多多", "Pinduoduo")
ICBC = Platform("icbc", "中国工商银行", "ICBC")
CCB = Platform("ccb", "中国建设银行", "CCB")


def _claims(
    text: str, contacts: list[str], mentions: list[tuple[str, Platform]]
) -> list[str | None]:
    """Attribute each contact (given by its text) to a mention (given by its text), by position."""
    found = [Contact(text.index(c), text.index(c) + len(c), c, "phone", c) for c in contacts]
    named = []
    position = 0
    for name, platform in mentions:
        start = text.index(name, position)
        named.append(Mention(start, start + len(name), name, platform))
        position = start + len(name)
    return list(attribute(text, found, named))


@pytest.mark.parametrize(
    ("text", "contacts", "mentions", "expected"),
    [
        # The mention right before the contact, service words between them.
        ("拼多多官方客服 4008820000", ["4008820000"], [("拼多多", PDD)], ["pinduoduo"]),
        # A mention before beats a closer one after: each number is its own bank's.
        (
            "中国工商银行客服电话95588，中国建设银行客服电话95533",
            ["95588", "95533"],
            [("中国工商银行", ICBC), ("中国建设银行", CCB)],
            ["icbc", "ccb"],
        ),
        # A mention after the contact still claims it when it is the only one in the sentence.
        ("请拨打 4008820000（拼多多）", ["4008820000"], [("拼多多", PDD)], ["pinduoduo"]),
        # A claim does not cross a sentence end, but the sole platform of the text claims a
        # contact whose sentence uses a service word.
        (
            "拼多多订单异常。\n请联系客服 4008820000",
            ["4008820000"],
            [("拼多多", PDD)],
            ["pinduoduo"],
        ),
        # Without a service word in its sentence, a contact elsewhere stays unclaimed.
        ("拼多多订单异常。\n明天见 4008820000", ["4008820000"], [("拼多多", PDD)], [None]),
        # The SMS signature claims every contact when its sentence names no platform.
        (
            "【拼多多】您的订单异常。请回拨 4008820000",
            ["4008820000"],
            [("拼多多", PDD)],
            ["pinduoduo"],
        ),
        # ...also at the end of the message.
        (
            "您的包裹异常。回拨 4008820000。【拼多多】",
            ["4008820000"],
            [("拼多多", PDD)],
            ["pinduoduo"],
        ),
        # Two platforms named elsewhere, no signature: no claim.
        (
            "中国工商银行和中国建设银行。\n号码 4008820000",
            ["4008820000"],
            [("中国工商银行", ICBC), ("中国建设银行", CCB)],
            [None],
        ),
        # Nothing named at all.
        ("请拨打 4008820000", ["4008820000"], [], [None]),
    ],
)
def test_attribution_rules(
    text: str,
    contacts: list[str],
    mentions: list[tuple[str, Platform]],
    expected: list[str | None],
) -> None:
    assert _claims(text, contacts, mentions) == expected


def test_a_contact_presented_as_a_platform_is_judged_with_that_claim(
    small_index: RegistryIndex,
) -> None:
    result = scan("拼多多官方客服 4008820000，请加QQ 123456789 办理退款", small_index)
    phone, handle = result.findings
    assert (phone.text, phone.claimed_platform, phone.verdict.verdict) == (
        "4008820000",
        "pinduoduo",
        "suspicious",  # the small registry's Pinduoduo has no known phone support
    )
    assert phone.verdict.impersonates is not None
    assert phone.verdict.impersonates.slug == "pinduoduo"
    assert (handle.verdict.kind, handle.claimed_platform) == ("handle", "pinduoduo")
    assert [p.code for p in result.patterns] == ["pattern_refund", "pattern_other_app"]
    assert result.risk == "danger"


@pytest.mark.parametrize(
    ("text", "risk"),
    [
        # Every contact official, no pattern.
        ("中国工商银行客服 95588", "safe"),
        # Nothing at all.
        ("明天下午三点开会", "safe"),
        # An unverified contact and no pattern.
        ("号码 13800138000", "caution"),
        # A pattern and only official contacts: an honest bank message that says "immediately".
        ("中国工商银行提醒：如有疑问请立即致电 95588", "caution"),
        # A pattern with an unofficial contact.
        ("您的订单异常，请立即致电 13800138000 办理退款", "danger"),
        # Asking for a code is a scam on its own.
        ("请把收到的验证码告诉我", "danger"),
        # A lookalike link is danger whatever the text says.
        ("官网 pinduoduo-kefu.com", "danger"),
    ],
)
def test_message_risk(small_index: RegistryIndex, text: str, risk: str) -> None:
    assert scan(text, small_index).risk == risk


def test_a_platform_name_inside_a_link_is_not_a_mention(small_index: RegistryIndex) -> None:
    result = scan("访问 pinduoduo-kefu.com 领取", small_index)
    assert result.mentions == ()
    [finding] = result.findings
    assert finding.verdict.verdict == "lookalike"
    # The platform it imitates is listed with its official channels all the same.
    assert [p.platform.slug for p in result.platforms] == ["pinduoduo"]


def test_repeated_contacts_are_each_reported(small_index: RegistryIndex) -> None:
    text = "工行客服 95588。再说一遍：工行客服 95588"
    result = scan(text, small_index)
    second = text.rindex("95588")
    assert [(f.start, f.text) for f in result.findings] == [(5, "95588"), (second, "95588")]
    assert result.findings[0].verdict is result.findings[1].verdict  # judged once per scan


def test_the_scan_object_has_every_contract_field(small_index: RegistryIndex) -> None:
    body = scan("工行客服 95588", small_index, lang="en").to_dict()
    assert set(body) >= {"risk", "findings", "mentions"}
    [finding] = body["findings"]
    assert set(finding) >= VERDICT_KEYS | {"start", "end", "text", "claimed_platform"}
    [mention] = body["mentions"]
    assert mention == {
        "start": 0,
        "end": 2,
        "text": "工行",
        "platform": {"slug": "icbc", "name": "ICBC"},
    }
    json.dumps(body)


def test_text_beyond_the_limit_is_not_read(small_index: RegistryIndex) -> None:
    text = "今" * MAX_SCAN_LENGTH + " 工行客服 95588"
    assert scan(text, small_index).findings == ()


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "工行",
                    "拼多多",
                    "客服",
                    " 95588",
                    "4008820000",
                    "退款",
                    "加QQ 12345678",
                    "pinduoduo-kefu.com",
                    "。",
                    "\n",
                    "【拼多多】",
                    "😀",
                    "e\u0301",
                    "\u202e",
                    "\u200b",
                    "\x00",
                    "\ud800",
                ]
            ),
            st.text(st.characters(exclude_categories=()), max_size=4),
        )
    ).map("".join)
)
def test_scan_never_raises_and_every_span_holds(text: str) -> None:
    result = scan(text, _SMALL_INDEX)
    for item in (*result.findings, *result.mentions, *result.patterns):
        assert 0 <= item.start < item.end <= len(text)
        assert text[item.start : item.end] == item.text
    assert result.risk in ("safe", "caution", "danger")
