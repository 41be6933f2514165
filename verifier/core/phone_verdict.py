"""Judging phone numbers: the registry first, then what a number presented as a platform's,
or leaning on an official one, gives away."""

from __future__ import annotations

from verifier.core.index import Platform
from verifier.core.judgement import (
    Judgement,
    judge_blocklisted,
    judge_community_claim,
    judge_matches,
    judge_unlisted,
)
from verifier.core.phone import InvalidPhone, ParsedPhone, is_mobile, parse_folded_phone
from verifier.core.phone_flags import digits_of, find_number_trick

__all__ = ["judge_phone"]

_SHORT_FAMILIES = ("95", "96")


def judge_phone(
    text: str,
    j: Judgement,
    region: str,
    claimed: Platform | None,
    *,
    parsed: ParsedPhone | None = None,
) -> str | None:
    """Judge the folded ``text``; ``parsed`` is it already parsed for ``region`` (see check)."""
    if parsed is None:
        try:
            parsed = parse_folded_phone(text, region, j.index.known_phones)
        except InvalidPhone as exc:
            # 0095588 is no valid number, but it is a known caller-ID spoofing tell: say so.
            if not _judge_number_trick(j, digits_of(text), claimed):
                j.verdict = "invalid"
                j.reason(exc.code)
                return None
            return digits_of(text)
    number = parsed.normalized
    if judge_blocklisted(j, "phone", number):
        return number
    matches = j.index.channels("phone", number)
    if not matches and parsed.local_short:
        matches = j.index.channels("phone", parsed.local_short)
        if matches:
            j.reason("local_short_number", number=number, short=parsed.local_short)
    if matches:
        judge_matches(j, matches, claimed, "phone")
    else:
        if claimed is not None:
            _judge_claimed_number(j, parsed, claimed)
        elif not _judge_number_trick(j, parsed.normalized.removeprefix("+86"), None):
            judge_unlisted(j, None, "phone")
        _explain_number_type(j, parsed)
    if parsed.extension:
        j.reason("extension_ignored", extension=parsed.extension)
    return number


def _judge_claimed_number(j: Judgement, parsed: ParsedPhone, claimed: Platform) -> None:
    """A number presented as a platform's that the platform does not list."""
    if judge_community_claim(j, claimed, "phone"):
        # No impersonation by absence; a number leaning on an official one still is one.
        _judge_number_trick(j, parsed.normalized.removeprefix("+86"), claimed)
        return
    j.impersonates = claimed
    name = j.name(claimed)
    j.registry_reason("not_listed_for_claimed", platform=name, kind="phone")
    if claimed.phone_support == "listed":
        j.verdict, j.concrete_trick = "lookalike", True
    elif claimed.phone_support == "none":
        j.verdict, j.concrete_trick = "lookalike", True
        j.registry_reason("platform_has_no_phone", platform=name)
    else:
        j.verdict = "suspicious"
        j.registry_reason("platform_phone_unknown", platform=name)
    if parsed.number is not None:
        if parsed.region and claimed.country and parsed.region != claimed.country:
            j.reason("foreign_number_as_hotline", platform=name, region=parsed.region)
        elif is_mobile(parsed):
            j.registry_reason("personal_mobile_as_hotline", platform=name)
    _judge_number_trick(j, parsed.normalized.removeprefix("+86"), claimed, reason_only=True)


def _judge_number_trick(
    j: Judgement, digits: str, claimed: Platform | None, *, reason_only: bool = False
) -> bool:
    """Record a number leaning on an official one (spoofed prefix, one digit off)."""
    trick = find_number_trick(digits, j.index)
    if trick is None:
        return False
    owner = trick.platforms[0] if len(trick.platforms) == 1 else None
    owner_name = j.name(owner) if owner else "/".join(j.name(p) for p in trick.platforms)
    j.reason(trick.code, official=trick.official, platform=owner_name, detail=trick.detail)
    if not reason_only:
        j.impersonates = claimed or owner
        j.verdict = "lookalike" if j.impersonates else "suspicious"
        j.concrete_trick = True
    return True


def _explain_number_type(j: Judgement, parsed: ParsedPhone) -> None:
    if parsed.emergency:
        j.registry_reason("emergency_number")
    elif parsed.is_short and parsed.normalized.startswith(_SHORT_FAMILIES):
        j.registry_reason("short_number_format_only")
    elif parsed.normalized.startswith(("+86400", "+86800")):
        j.registry_reason("business_number_anyone_can_rent")
