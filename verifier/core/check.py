"""Judge one value (phone number, link, e-mail address or account) against the registry index.

Gather, decide, render: the value is parsed to its canonical form, looked up in the index
(blocklist first, then official channels), and the verdict carries every reason in plain words
plus the official channels a person should use instead.
"""

from __future__ import annotations

import re

from verifier.core.index import Platform, RegistryIndex
from verifier.core.judgement import Judgement, judge_matches, judge_unlisted
from verifier.core.link_verdict import judge_email, judge_link
from verifier.core.normalize import MAX_INPUT_LENGTH, fold, has_control_characters
from verifier.core.phone import ParsedPhone, looks_like_phone
from verifier.core.phone_verdict import judge_phone
from verifier.core.verdict import Verdict

__all__ = ["KINDS", "check", "detect_kind"]

KINDS = ("phone", "url", "email", "handle")
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?(?:/.*)?$")


def detect_kind(value: str) -> str | None:
    """Guess what ``value`` is: ``phone``, ``url``, ``email``, or None when it is none of them.

    >>> detect_kind("400-820-8820"), detect_kind("icbc.com.cn"), detect_kind("a@b.cn")
    ('phone', 'url', 'email')
    """
    return _detect_folded(fold(value))


def _detect_folded(text: str) -> str | None:
    lowered = text.lower()
    if lowered.startswith("mailto:"):
        return "email"
    if "@" in text and "://" not in text and "/" not in text.partition("@")[0]:
        return "email"
    if _IPV4.match(text):
        return "url"  # 192.168.1.1 is made of digits and dots, but it is an address, not a number
    if looks_like_phone(text):
        return "phone"
    if "://" in text or ("." in text and not any(c.isspace() for c in text)):
        return "url"
    if lowered.startswith(("javascript:", "data:", "vbscript:")):
        return "url"
    return None


def check(
    value: str,
    index: RegistryIndex,
    *,
    kind: str = "auto",
    region: str = "CN",
    claimed: str | None = None,
    lang: str = "zh",
    parsed: ParsedPhone | None = None,
) -> Verdict:
    """Judge ``value`` against ``index`` and explain the verdict.

    Args:
        value: what the person was given: a number, link, e-mail address or account name.
        index: the registry snapshot to judge against.
        kind: ``auto`` (detect), ``phone``, ``url``, ``email`` or ``handle``.
        region: ISO region for numbers written without a country code.
        claimed: slug of the platform the value was presented as, if known.
        lang: ``zh`` or ``en``, the language of the reasons.
        parsed: for ``kind="phone"``, ``value`` as the caller already parsed it with
            :func:`~verifier.core.phone.parse_folded_phone` for ``region`` and the index's
            known phones (the scanner parses every number it finds); it is not parsed again.

    Never raises for any string input: unusable values get the verdict ``invalid``.
    """
    judgement = Judgement(index, "en" if lang == "en" else "zh")
    claimed_platform = index.platform(claimed) if claimed else None
    if claimed and claimed_platform is None:
        judgement.reason("unknown_platform", slug=claimed)
    guessed = kind if kind in KINDS else None
    # Folded once here; every parser below works on the folded text.
    text, problem = _usable_text(value)
    if problem is None and guessed is None:
        guessed = _detect_folded(text)
        if guessed is None:
            problem = "unrecognised_input"
    if problem is not None:
        judgement.verdict = "invalid"
        judgement.reason(problem)
        return judgement.finish(value, guessed or _fallback_kind(value), None)
    assert guessed is not None  # noqa: S101 -- narrowed above; keeps mypy exact
    if guessed == "phone":
        normalized = judge_phone(text, judgement, region, claimed_platform, parsed=parsed)
    else:
        normalized = _JUDGES[guessed](text, judgement, region, claimed_platform)
    return judgement.finish(value, guessed, normalized)


def _usable_text(value: str) -> tuple[str, str | None]:
    """The folded value, or the reason it cannot be judged."""
    if len(value) > MAX_INPUT_LENGTH:
        return "", "input_too_long"
    stripped = value.strip()
    if value.isascii():
        # The common case, made cheap: in ASCII the control characters are exactly the ones
        # isprintable() refuses (C0 and DEL), and folding ASCII only strips it.
        if not stripped.isprintable():
            return "", "control_characters"
        return stripped, (None if stripped else "empty_input")
    if has_control_characters(stripped):
        return "", "control_characters"
    text = fold(value)
    return text, (None if text else "empty_input")


def _fallback_kind(value: str) -> str:
    digits = sum(c.isdigit() for c in value)
    return "phone" if value and digits * 2 >= len(value.strip() or "x") else "url"


def _judge_handle(text: str, j: Judgement, region: str, claimed: Platform | None) -> str | None:
    handle = text.lstrip("@").lower()
    matches = j.index.channels("wechat", handle) + j.index.channels("weibo", handle)
    if matches:
        judge_matches(j, matches, claimed, "handle")
    else:
        judge_unlisted(j, claimed, "handle")
    return handle


_JUDGES = {
    "phone": judge_phone,
    "url": judge_link,
    "email": judge_email,
    "handle": _judge_handle,
}
