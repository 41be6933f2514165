"""check() and the registry index (verifier/core/check.py, index.py, verdict.py, messages.py).

Every case runs against the small registry of tests/conftest.py or a registry built in the test,
never the shipped data, so that a data update cannot break a logic test.
"""

from __future__ import annotations

import ast
import json
import random
from pathlib import Path

import pytest
from small_registry import VERDICT_EXTENSIONS, VERDICT_KEYS

import verifier.core
from verifier.core.check import KINDS, check, detect_kind
from verifier.core.index import BlockEntry, Channel, Platform, RegistryIndex
from verifier.core.messages import REASON_MESSAGES, render
from verifier.core.verdict import RISKS, VERDICTS, Verdict, risk_for

CORE = Path(verifier.core.__file__).parent


def _codes(result: Verdict) -> list[str]:
    return [r.code for r in result.reasons]


def _slug(ref: object) -> str | None:
    return getattr(ref, "slug", None)


# --- one case per verdict ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "claimed", "verdict", "risk", "platform", "impersonates", "codes"),
    [
        # An active official channel.
        ("95588", None, "official", "safe", "icbc", None, ["official_channel"]),
        # A channel the platform no longer uses.
        ("+86 400 000 1234", None, "retired", "caution", "icbc", None, ["retired_channel"]),
        # A blocklisted number that impersonates a platform.
        (
            "+86 400 999 8888",
            None,
            "known_scam",
            "danger",
            None,
            "pinduoduo",
            ["known_scam", "impersonates_platform"],
        ),
        # The "@" trick shows a registered domain and opens another.
        (
            "https://icbc.com.cn@evil.top/",
            None,
            "lookalike",
            "danger",
            None,
            "icbc",
            ["userinfo_in_link", "impersonates_platform"],
        ),
        # ICBC's real hotline presented as Pinduoduo's: a red flag, not a green light.
        (
            "95588",
            "pinduoduo",
            "suspicious",
            "caution",
            "icbc",
            "pinduoduo",
            ["official_channel", "claimed_platform_mismatch"],
        ),
        # The claimed platform is the owner: official.
        ("95588", "icbc", "official", "safe", "icbc", None, ["official_channel"]),
        # Not in the registry, nothing claimed.
        ("13800138000", None, "unverified", "caution", None, None, ["not_in_registry"]),
        # Not in the registry, presented as Pinduoduo, whose phone support is unknown: suspicious.
        (
            "+86 400 123 4567",
            "pinduoduo",
            "suspicious",
            "caution",
            None,
            "pinduoduo",
            [
                "not_listed_for_claimed",
                "platform_phone_unknown",
                "business_number_anyone_can_rent",
            ],
        ),
        # Presented as ICBC, whose numbers are listed: a number it does not list is a fake.
        (
            "+86 400 123 4567",
            "icbc",
            "lookalike",
            "danger",
            None,
            "icbc",
            ["not_listed_for_claimed", "business_number_anyone_can_rent"],
        ),
        # A link presented as ICBC's that is not ICBC's.
        (
            "https://evil.top/",
            "icbc",
            "suspicious",
            "caution",
            None,
            "icbc",
            ["not_listed_for_claimed"],
        ),
        # A claimed slug the registry does not know is explained and otherwise ignored.
        (
            "95588",
            "no-such",
            "official",
            "safe",
            "icbc",
            None,
            ["unknown_platform", "official_channel"],
        ),
        # Not a number, link or address.
        ("hello", None, "invalid", "caution", None, None, ["unrecognised_input"]),
        # Nothing at all.
        ("   ", None, "invalid", "caution", None, None, ["empty_input"]),
    ],
)
def test_verdicts(
    small_index: RegistryIndex,
    value: str,
    claimed: str | None,
    verdict: str,
    risk: str,
    platform: str | None,
    impersonates: str | None,
    codes: list[str],
) -> None:
    result = check(value, small_index, claimed=claimed)
    assert (result.verdict, result.risk) == (verdict, risk)
    assert (_slug(result.platform), _slug(result.impersonates)) == (platform, impersonates)
    assert _codes(result) == codes
    assert result.registry_version == 7


def test_claimed_platform_without_phone_support(small_index: RegistryIndex) -> None:
    index = RegistryIndex.build(
        [Platform("video-app", "视频", "Video", phone_support="none")], version=1
    )
    result = check("+86 400 123 4567", index, claimed="video-app")
    # No phone support at all: any number presented as its customer service is fake.
    assert result.verdict == "lookalike"
    assert _codes(result)[:2] == ["not_listed_for_claimed", "platform_has_no_phone"]


@pytest.mark.parametrize(
    ("value", "claimed", "shown"),
    [
        # Official: the owner's active channels (not the retired one).
        ("95588", None, {"95588", "icbc.com.cn", "service@icbc.com.cn"}),
        # Retired: what to use instead.
        ("+86 400 000 1234", None, {"95588", "icbc.com.cn", "service@icbc.com.cn"}),
        # Suspicious: the claimed platform's channels, since that is who the person wants.
        ("95588", "pinduoduo", {"pinduoduo.com"}),
        # Known scam: the impersonated platform's channels.
        ("+86 400 999 8888", None, {"pinduoduo.com"}),
        # Unverified with a claim: the claimed platform's channels.
        ("+86 400 123 4567", "wechat-pay", {"95017", "pay.weixin.qq.com"}),
        # Unverified without a claim, and invalid: nothing to offer.
        ("13800138000", None, set()),
        ("hello", None, set()),
    ],
)
def test_official_channels_to_use_instead(
    small_index: RegistryIndex, value: str, claimed: str | None, shown: set[str]
) -> None:
    result = check(value, small_index, claimed=claimed)
    assert {c.value for c in result.official_channels} == shown


@pytest.mark.parametrize(
    ("verdict", "concrete_trick", "risk"),
    [
        # Only an active official channel is safe.
        ("official", False, "safe"),
        # Blocklisted and lookalikes are always danger.
        ("known_scam", False, "danger"),
        ("lookalike", False, "danger"),
        # Suspicious is danger only when it names a concrete trick.
        ("suspicious", True, "danger"),
        ("suspicious", False, "caution"),
        # Everything else is caution.
        ("retired", False, "caution"),
        ("unverified", False, "caution"),
        ("invalid", False, "caution"),
    ],
)
def test_risk_for(verdict: str, concrete_trick: bool, risk: str) -> None:
    assert risk_for(verdict, concrete_trick) == risk


def test_every_verdict_has_a_risk_rule() -> None:
    assert set(VERDICTS) == {
        "official",
        "retired",
        "known_scam",
        "lookalike",
        "suspicious",
        "unverified",
        "invalid",
    }
    assert set(RISKS) == {"safe", "caution", "danger"}
    assert {risk_for(v) for v in VERDICTS} <= set(RISKS)


# --- e-mail addresses -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "claimed", "verdict", "normalized", "platform", "codes"),
    [
        # The exact address is a registered channel.
        (
            "service@icbc.com.cn",
            None,
            "official",
            "service@icbc.com.cn",
            "icbc",
            ["official_channel"],
        ),
        # Case does not matter.
        (
            "Service@ICBC.com.cn",
            None,
            "official",
            "service@icbc.com.cn",
            "icbc",
            ["official_channel"],
        ),
        # Another address at an official domain.
        (
            "other@icbc.com.cn",
            None,
            "official",
            "other@icbc.com.cn",
            "icbc",
            ["official_email_domain"],
        ),
        # An address at a subdomain of a subdomain-scope domain.
        (
            "a@mail.icbc.com.cn",
            None,
            "official",
            "a@mail.icbc.com.cn",
            "icbc",
            ["official_email_domain"],
        ),
        # An address at an exact-scope host.
        (
            "a@pay.weixin.qq.com",
            None,
            "official",
            "a@pay.weixin.qq.com",
            "wechat-pay",
            ["official_email_domain"],
        ),
        # An address above an exact-scope host is not covered.
        ("a@qq.com", None, "unverified", "a@qq.com", None, ["not_in_registry"]),
        # An unknown domain.
        ("x@example.com", None, "unverified", "x@example.com", None, ["not_in_registry"]),
        # mailto: links.
        (
            "mailto:service@icbc.com.cn",
            None,
            "official",
            "service@icbc.com.cn",
            "icbc",
            ["official_channel"],
        ),
        # An address at a blocklisted host.
        (
            "x@hk.alipayc05.cc",
            None,
            "known_scam",
            "x@hk.alipayc05.cc",
            None,
            ["known_scam", "impersonates_platform"],
        ),
        # An official address presented as another platform's.
        (
            "other@icbc.com.cn",
            "pinduoduo",
            "suspicious",
            "other@icbc.com.cn",
            "icbc",
            ["official_email_domain", "claimed_platform_mismatch"],
        ),
        # Not an address.
        ("a@b.cn/x", None, "invalid", None, None, ["not_an_email_address"]),
    ],
)
def test_email_addresses(
    small_index: RegistryIndex,
    value: str,
    claimed: str | None,
    verdict: str,
    normalized: str | None,
    platform: str | None,
    codes: list[str],
) -> None:
    result = check(value, small_index, claimed=claimed)
    assert result.kind == "email"
    assert (result.verdict, result.normalized) == (verdict, normalized)
    assert _slug(result.platform) == platform
    assert _codes(result) == codes


@pytest.mark.parametrize(
    ("value", "code"),
    [
        # The brand joined with a service word, as the site pinduoduo-kefu.com is judged.
        ("service@pinduoduo-kefu.com", "lookalike_brand_with_words"),
        # The official domain written out in front of the scammer's own.
        ("refund@icbc.com.cn.verify-login.top", "lookalike_official_domain_inside"),
    ],
)
def test_email_at_a_lookalike_domain_is_a_lookalike(
    small_index: RegistryIndex, value: str, code: str
) -> None:
    result = check(value, small_index)
    assert result.kind == "email"
    assert result.verdict == "lookalike"
    assert result.impersonates is not None
    assert code in _codes(result)


# --- handles and explicit kinds ---------------------------------------------------------------


def test_handles_are_looked_up_among_wechat_and_weibo_accounts() -> None:
    index = RegistryIndex.build(
        [
            Platform(
                "icbc",
                "中国工商银行",
                channels=(Channel("wechat", "icbc-wx"), Channel("weibo", "icbcweibo")),
            )
        ]
    )
    assert check("@ICBC-WX", index, kind="handle").verdict == "official"
    assert check("icbcweibo", index, kind="handle").verdict == "official"
    other = check("icbc_official", index, kind="handle", claimed="icbc")
    assert (other.verdict, _slug(other.impersonates)) == ("suspicious", "icbc")


@pytest.mark.parametrize(
    ("value", "kind", "verdict", "code"),
    [
        # A number judged as a link is not a link.
        ("95588", "url", "invalid", "not_a_link"),
        # A link judged as a number is not a number.
        ("icbc.com.cn", "phone", "invalid", "not_a_phone_number"),
        # A number judged as an address is not an address.
        ("95588", "email", "invalid", "not_an_email_address"),
        # An unknown kind falls back to detection.
        ("95588", "fax", "official", "official_channel"),
    ],
)
def test_explicit_kind_is_obeyed(
    small_index: RegistryIndex, value: str, kind: str, verdict: str, code: str
) -> None:
    result = check(value, small_index, kind=kind)
    assert (result.verdict, _codes(result)[0]) == (verdict, code)
    if kind in KINDS:
        assert result.kind == kind


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        # Numbers in every writing.
        ("400-820-8820", "phone"),
        ("+86 95588", "phone"),
        ("(010) 6552-9988 转 801", "phone"),
        ("tel:95588", "phone"),
        ("９５５８８", "phone"),
        # Links with and without a scheme.
        ("icbc.com.cn", "url"),
        ("https://a.b", "url"),
        ("icbc。com。cn", "url"),
        # "@" inside a link's user info is still a link.
        ("https://icbc.com.cn@evil.top/", "url"),
        ("http://a@b.cn", "url"),
        # Dangerous schemes are links (to be refused as such).
        ("javascript:alert(1)", "url"),
        ("data:text/html,hi", "url"),
        # Addresses.
        ("a@b.cn", "email"),
        ("mailto:x@y.cn", "email"),
        ("service＠icbc.com.cn", "email"),
        # Nothing recognisable.
        ("hello world", None),
        ("icbc", None),
        ("", None),
    ],
)
def test_detect_kind(value: str, kind: str | None) -> None:
    assert detect_kind(value) == kind


# --- messages ---------------------------------------------------------------------------------


def test_languages_give_different_messages(small_index: RegistryIndex) -> None:
    zh = check("95588", small_index, claimed="pinduoduo", lang="zh")
    en = check("95588", small_index, claimed="pinduoduo", lang="en")
    assert _codes(zh) == _codes(en)
    for zh_reason, en_reason in zip(zh.reasons, en.reasons, strict=True):
        assert zh_reason.message != en_reason.message
    # Names follow the language too.
    assert zh.platform is not None and zh.platform.name == "中国工商银行"
    assert en.platform is not None and en.platform.name == "ICBC"
    assert "ICBC" in en.reasons[0].message and "https://example.org/source" in en.reasons[0].message
    assert "中国工商银行" in zh.reasons[0].message


def test_unknown_language_falls_back_to_chinese(small_index: RegistryIndex) -> None:
    assert check("95588", small_index, lang="fr") == check("95588", small_index, lang="zh")


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


@pytest.mark.parametrize("code", sorted(REASON_MESSAGES))
def test_every_reason_has_both_messages(code: str) -> None:
    zh, en = REASON_MESSAGES[code]
    assert zh.strip() and en.strip()
    assert zh != en
    assert _has_cjk(zh), "the Chinese message is not Chinese"
    assert not _has_cjk(en), "the English message holds Chinese"
    # Placeholders never leak as braces, whatever parameters are missing.
    for lang in ("zh", "en"):
        rendered = render(code, lang)
        assert "{" not in rendered and "}" not in rendered


def _codes_raised_in_core() -> set[str]:
    """Every reason code the core can emit, read from its source.

    Codes reach a verdict through ``.reason("…")``, ``InvalidPhone("…")``, ``InvalidLink("…")``
    (whose code check() renders), and the input checks of ``_usable_text``.
    """
    emitters = {"reason", "InvalidPhone", "InvalidLink", "render"}
    found: set[str] = set()
    for path in CORE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args:
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                first = node.args[0]
                if name in emitters and isinstance(first, ast.Constant):
                    found.add(str(first.value))
            elif isinstance(node, ast.FunctionDef) and node.name == "_usable_text":
                # It returns (text, code): every non-empty string constant it returns is a code.
                found |= {
                    str(c.value)
                    for r in ast.walk(node)
                    if isinstance(r, ast.Return) and r.value is not None
                    for c in ast.walk(r.value)
                    if isinstance(c, ast.Constant) and isinstance(c.value, str) and c.value
                }
            elif (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant)
                and any(isinstance(t, ast.Name) and t.id == "problem" for t in node.targets)
            ):
                found.add(str(node.value.value))
    return found


def test_every_code_the_core_emits_has_messages() -> None:
    codes = _codes_raised_in_core()
    # The scan itself works: it sees codes from each way of emitting one.
    assert {"official_channel", "too_many_digits", "dangerous_scheme", "input_too_long"} <= codes
    assert {"unrecognised_input"} <= codes
    assert codes - set(REASON_MESSAGES) == set()


# --- the verdict object -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        # One of each shape: official, with a platform and channels...
        "95588",
        # ...known scam with impersonates...
        "+86 400 999 8888",
        # ...and invalid, with nulls.
        "hello",
    ],
)
def test_to_dict_has_exactly_the_contract_keys(small_index: RegistryIndex, value: str) -> None:
    data = check(value, small_index).to_dict()
    assert set(data) == VERDICT_KEYS | VERDICT_EXTENSIONS
    assert data["input"] == value
    assert data["registry_version"] == 7
    for ref in ("platform", "impersonates"):
        assert data[ref] is None or {"slug", "name"} <= set(data[ref])
    for reason in data["reasons"]:
        assert set(reason) == {"code", "message"}
    for channel in data["official_channels"]:
        assert {"kind", "value", "label"} <= set(channel)
    assert json.loads(json.dumps(data)) == data


def test_to_dict_values(small_index: RegistryIndex) -> None:
    data = check("+86 400 999 8888", small_index, lang="en").to_dict()
    assert data["kind"] == "phone"
    assert data["normalized"] == "+864009998888"
    assert (data["verdict"], data["risk"]) == ("known_scam", "danger")
    assert data["platform"] is None
    assert data["impersonates"] == {"slug": "pinduoduo", "name": "Pinduoduo"}
    assert [c["value"] for c in data["official_channels"]] == ["pinduoduo.com"]
    invalid = check("hello", small_index).to_dict()
    assert (invalid["normalized"], invalid["official_channels"]) == (None, [])


# --- hostile input ----------------------------------------------------------------------------

HOSTILE = [
    "\x00",
    "95588\x00",
    "\x00" * 100,
    "\u202e95588",
    "\u202emoc.cbci",
    "https://icbc.com.cn\u202e/",
    "\u200b",
    "9\u200b5\u200b5\u200b8\u200b8",
    "\ud800",
    "95588\udfff",
    "a" * 10_000,
    "9" * 10_000,
    "https://" + "a." * 5_000 + "com",
    bytes(range(256)).decode("latin-1"),
    bytes(range(32, 256)).decode("latin-1"),
    "\ufdfa" * 2_000,  # one character that NFKC turns into eighteen
    "。" * 100,
    "@",
    "@@@",
    "mailto:",
    "tel:",
    "http://",
    "http://[",
    "http://a@",
    "http://%00.com",
    "https://%zz.cn/",
    "xn--",
    "http://xn--.com",
    "a@b@c.cn",
    "+",
    "++++",
    "(((((",
    "转",
    "#" * 50,
    "💳" * 30,
    "\u0301" * 30,
    "\t\n\r",
    "\\x00",
    "javascript:alert(document.cookie)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "http://[::ffff:1.2.3.4]/",
    "http://1.2.3.4:0/",
    "https://a.com:65536/",
]


@pytest.mark.parametrize(
    ("value", "verdict", "code"),
    [
        # NUL from a broken encoding.
        ("95588\x00", "invalid", "control_characters"),
        # A lone surrogate (cannot be encoded).
        ("\ud800", "invalid", "control_characters"),
        # 10 kB of letters, and of digits.
        ("a" * 10_000, "invalid", "input_too_long"),
        ("9" * 10_000, "invalid", "input_too_long"),
        # Binary junk.
        (bytes(range(256)).decode("latin-1"), "invalid", "control_characters"),
        # Only invisible characters.
        ("\u200b\u200b", "invalid", "empty_input"),
        # A bidi override before a real number is removed, not trusted or feared.
        ("\u202e95588", "official", "official_channel"),
        # Zero-width spaces inside a real number are removed.
        ("9\u200b5\u200b5\u200b8\u200b8", "official", "official_channel"),
        # A bidi override that reverses a host name.
        ("\u202emoc.cbci", "invalid", "unknown_suffix"),
        # Code.
        ("javascript:alert(document.cookie)", "suspicious", "dangerous_scheme"),
    ],
)
def test_hostile_input(small_index: RegistryIndex, value: str, verdict: str, code: str) -> None:
    result = check(value, small_index)
    assert (result.verdict, _codes(result)[0]) == (verdict, code)
    assert result.input == value


def _junk(seed: int, count: int) -> list[str]:
    """Deterministic strings built from the pieces parsers trip on (no hypothesis needed)."""
    pieces = [
        *"0123456789+-.()[]/#@:%?&=, ",
        "转", "ext.", "x", "https://", "http://", "mailto:", "tel:", "javascript:", "xn--",
        "[::1]", ":443", ":0", ":99999", "%00", "%2e", "%zz", "。", "．", "＠", "９",
        "\u200b", "\u202e", "\ud800", "\x00", "\u3000", "中国", "ü", "icbc", "com", "cn",
    ]  # fmt: skip
    rng = random.Random(seed)  # noqa: S311 -- reproducible test data, not secrets
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) for _ in range(count)]


def test_check_never_raises(small_index: RegistryIndex) -> None:
    values = HOSTILE + _junk(seed=20261122, count=300)
    for value in values:
        for kind in ("auto", *KINDS, "bogus"):
            for lang, claimed, region in (("zh", None, "CN"), ("en", "icbc", "US")):
                result = check(
                    value, small_index, kind=kind, lang=lang, claimed=claimed, region=region
                )
                case = (value[:40], kind, lang)
                assert result.verdict in VERDICTS, case
                assert result.risk in RISKS, case
                assert result.kind in KINDS, case
                assert (result.normalized is None) == (result.verdict == "invalid"), case
                assert result.reasons, case
                json.dumps(result.to_dict())
    # Hostile claims and regions are explained, not fatal.
    for claimed, region in (("\x00", "ZZ"), ("\ud800", ""), ("x" * 10_000, "cn")):
        result = check("95588", small_index, claimed=claimed, region=region)
        assert result.verdict in VERDICTS


# --- the registry index -----------------------------------------------------------------------


def _domains_index() -> RegistryIndex:
    return RegistryIndex.build(
        [
            Platform("parent", "母公司", channels=(Channel("domain", "example.com"),)),
            Platform("shop", "商城", channels=(Channel("domain", "shop.example.com"),)),
            Platform(
                "pay", "支付", channels=(Channel("domain", "pay.example.com", scope="exact"),)
            ),
            Platform(
                "co-a",
                "甲",
                channels=(Channel("domain", "shared.cn"), Channel("phone", "+864008208820")),
            ),
            Platform("co-b", "乙", channels=(Channel("domain", "shared.cn"),)),
        ],
        [
            BlockEntry("domain", "bad.example.com", impersonates="shop"),
            BlockEntry("phone", "+864009998888"),
        ],
        version=3,
    )


@pytest.mark.parametrize(
    ("host", "owners"),
    [
        # The host itself.
        ("example.com", ["parent"]),
        # A host below a subdomain-scope channel.
        ("www.example.com", ["parent"]),
        # The nearest channel wins over one further up.
        ("shop.example.com", ["shop"]),
        ("x.y.shop.example.com", ["shop"]),
        # An exact-scope channel covers its own host...
        ("pay.example.com", ["pay"]),
        # ...but not the hosts below it, which fall through to the parent.
        ("www.pay.example.com", ["parent"]),
        # Two platforms on one domain are both returned.
        ("www.shared.cn", ["co-a", "co-b"]),
        # A host that merely ends with the same letters is not below the domain.
        ("notexample.com", []),
        # Nothing.
        ("example.org", []),
    ],
)
def test_domain_channels(host: str, owners: list[str]) -> None:
    matches = _domains_index().domain_channels(host)
    assert [m.platform.slug for m in matches] == owners


def test_exact_scope_alone_does_not_cover_parents_or_children() -> None:
    index = RegistryIndex.build(
        [Platform("pay", "支付", channels=(Channel("domain", "pay.example.com", scope="exact"),))]
    )
    assert index.domain_channels("pay.example.com")
    assert index.domain_channels("www.pay.example.com") == ()
    assert index.domain_channels("example.com") == ()


def test_index_lookups() -> None:
    index = _domains_index()
    assert index.version == 3
    # Platforms are sorted by slug, and found by slug.
    assert [p.slug for p in index.platforms] == ["co-a", "co-b", "parent", "pay", "shop"]
    assert index.platform("shop") is not None and index.platform("nope") is None
    # Channels by exact kind and value.
    assert [m.platform.slug for m in index.channels("phone", "+864008208820")] == ["co-a"]
    assert index.channels("domain", "+864008208820") == ()
    # The blocklist: exact entries, and hosts below a blocklisted domain.
    assert index.blocked("phone", "+864009998888") is not None
    assert index.blocked("phone", "+864009998889") is None
    entry = index.blocked_host("a.b.bad.example.com")
    assert entry is not None and entry.impersonates == "shop"
    assert index.blocked_host("example.com") is None


def test_known_phones_holds_every_listed_and_blocked_phone_number() -> None:
    index = RegistryIndex.build(
        [
            Platform(
                "p",
                "P",
                channels=(
                    Channel("phone", "95588"),
                    Channel("phone", "11185", status="retired"),
                    Channel("phone", "+864008208820"),
                    Channel("domain", "95588.cn"),
                    Channel("app", "12345"),
                ),
            )
        ],
        [BlockEntry("phone", "+864009998888"), BlockEntry("domain", "12345.cn")],
    )
    # Phone values only, short and E.164, channels and blocklist alike; never domains or apps.
    assert index.known_phones == frozenset({"95588", "11185", "+864008208820", "+864009998888"})


def test_platform_and_channel_helpers() -> None:
    active, retired = (
        Channel("phone", "95588", "热线", "Hotline"),
        Channel("phone", "1", status="retired"),
    )
    platform = Platform("p", "平台", "", channels=(active, retired))
    assert platform.active_channels() == (active,)
    # Names and labels fall back to the other language.
    assert platform.name("en") == "平台"
    assert Channel("phone", "1", label_en="Line").label("zh") == "Line"
    assert active.label("en") == "Hotline" and active.label("zh") == "热线"
