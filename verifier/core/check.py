"""Judge one value (phone number, link, e-mail address or account) against the registry index.

Gather, decide, render: the value is parsed to its canonical form, looked up in the index
(blocklist first, then official channels), and the verdict carries every reason in plain words
plus the official channels a person should use instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from verifier.core.index import ChannelMatch, Platform, RegistryIndex
from verifier.core.link import InvalidLink, ParsedLink, normalize_email, normalize_link
from verifier.core.lookalike import find_lookalike, lookalike_index
from verifier.core.messages import render
from verifier.core.normalize import MAX_INPUT_LENGTH, fold, has_control_characters
from verifier.core.phone import (
    InvalidPhone,
    ParsedPhone,
    display_phone,
    is_mobile,
    looks_like_phone,
    parse_folded_phone,
)
from verifier.core.phone_flags import digits_of, find_number_trick
from verifier.core.shorteners import is_shortener
from verifier.core.verdict import OfficialChannel, PlatformRef, Reason, Verdict, risk_for

__all__ = ["KINDS", "check", "detect_kind"]

KINDS = ("phone", "url", "email", "handle")
_SHORT_FAMILIES = ("95", "96")
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


@dataclass
class _Judgement:
    """The verdict being assembled; turned into a frozen :class:`Verdict` at the end."""

    index: RegistryIndex
    lang: str
    verdict: str = "unverified"
    platform: Platform | None = None
    impersonates: Platform | None = None
    concrete_trick: bool = False
    reasons: list[Reason] = field(default_factory=list)

    def reason(self, code: str, **params: object) -> None:
        self.reasons.append(Reason(code, render(code, self.lang, **params)))

    def name(self, platform: Platform) -> str:
        return platform.name(self.lang)

    def finish(self, value: str, kind: str, normalized: str | None) -> Verdict:
        shown = self.impersonates or self.platform
        channels = _official_channels(self.index, shown, self.lang) if shown else ()
        return Verdict(
            input=value,
            kind=kind,
            normalized=None if self.verdict == "invalid" else normalized,
            verdict=self.verdict,
            risk=risk_for(self.verdict, self.concrete_trick),
            platform=_ref(self.platform, self.lang),
            impersonates=_ref(self.impersonates, self.lang),
            reasons=tuple(self.reasons),
            official_channels=channels,
            registry_version=self.index.version,
        )


def _official_channels(
    index: RegistryIndex, platform: Platform, lang: str
) -> tuple[OfficialChannel, ...]:
    """What to use instead, as shown in a verdict; kept with the snapshot, since most checks
    name one of a few popular platforms."""

    def build() -> tuple[OfficialChannel, ...]:
        return tuple(
            OfficialChannel(
                c.kind,
                c.value,
                c.label(lang),
                display_phone(c.value) if c.kind == "phone" else c.value,
            )
            for c in platform.active_channels()
        )

    return index.memo(("official_channels", platform.slug, lang), build)


def _ref(platform: Platform | None, lang: str) -> PlatformRef | None:
    return PlatformRef(platform.slug, platform.name(lang)) if platform else None


def check(
    value: str,
    index: RegistryIndex,
    *,
    kind: str = "auto",
    region: str = "CN",
    claimed: str | None = None,
    lang: str = "zh",
) -> Verdict:
    """Judge ``value`` against ``index`` and explain the verdict.

    Args:
        value: what the person was given: a number, link, e-mail address or account name.
        index: the registry snapshot to judge against.
        kind: ``auto`` (detect), ``phone``, ``url``, ``email`` or ``handle``.
        region: ISO region for numbers written without a country code.
        claimed: slug of the platform the value was presented as, if known.
        lang: ``zh`` or ``en``, the language of the reasons.

    Never raises for any string input: unusable values get the verdict ``invalid``.
    """
    judgement = _Judgement(index, "en" if lang == "en" else "zh")
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
    judge = _JUDGES[guessed]
    normalized = judge(text, judgement, region, claimed_platform)
    return judgement.finish(value, guessed, normalized)


def _usable_text(value: str) -> tuple[str, str | None]:
    """The folded value, or the reason it cannot be judged."""
    if len(value) > MAX_INPUT_LENGTH:
        return "", "input_too_long"
    if has_control_characters(value.strip()):
        return "", "control_characters"
    text = fold(value)
    return text, (None if text else "empty_input")


def _fallback_kind(value: str) -> str:
    digits = sum(c.isdigit() for c in value)
    return "phone" if value and digits * 2 >= len(value.strip() or "x") else "url"


def _judge_phone(text: str, j: _Judgement, region: str, claimed: Platform | None) -> str | None:
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
    if _blocklisted(j, "phone", number):
        return number
    matches = j.index.channels("phone", number)
    if not matches and parsed.local_short:
        matches = j.index.channels("phone", parsed.local_short)
        if matches:
            j.reason("local_short_number", number=number, short=parsed.local_short)
    if matches:
        _judge_matches(j, matches, claimed, "phone")
    else:
        if claimed is not None:
            _judge_claimed_number(j, parsed, claimed)
        elif not _judge_number_trick(j, parsed.normalized.removeprefix("+86"), None):
            _judge_unlisted(j, None, "phone")
        _explain_number_type(j, parsed)
    if parsed.extension:
        j.reason("extension_ignored", extension=parsed.extension)
    return number


def _judge_claimed_number(j: _Judgement, parsed: ParsedPhone, claimed: Platform) -> None:
    """A number presented as a platform's that the platform does not list."""
    j.impersonates = claimed
    name = j.name(claimed)
    j.reason("not_listed_for_claimed", platform=name, kind="phone")
    if claimed.phone_support == "listed":
        j.verdict, j.concrete_trick = "lookalike", True
    elif claimed.phone_support == "none":
        j.verdict, j.concrete_trick = "lookalike", True
        j.reason("platform_has_no_phone", platform=name)
    else:
        j.verdict = "suspicious"
        j.reason("platform_phone_unknown", platform=name)
    if parsed.number is not None:
        if parsed.region and claimed.country and parsed.region != claimed.country:
            j.reason("foreign_number_as_hotline", platform=name, region=parsed.region)
        elif is_mobile(parsed):
            j.reason("personal_mobile_as_hotline", platform=name)
    _judge_number_trick(j, parsed.normalized.removeprefix("+86"), claimed, reason_only=True)


def _judge_number_trick(
    j: _Judgement, digits: str, claimed: Platform | None, *, reason_only: bool = False
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


def _explain_number_type(j: _Judgement, parsed: ParsedPhone) -> None:
    if parsed.emergency:
        j.reason("emergency_number")
    elif parsed.is_short and parsed.normalized.startswith(_SHORT_FAMILIES):
        j.reason("short_number_format_only")
    elif parsed.normalized.startswith(("+86400", "+86800")):
        j.reason("business_number_anyone_can_rent")


def _judge_link(text: str, j: _Judgement, region: str, claimed: Platform | None) -> str | None:
    try:
        link = normalize_link(text)
    except InvalidLink as exc:
        if exc.code == "dangerous_scheme":
            # javascript: and data: links run code or carry a whole page: a trick, not a typo.
            j.verdict, j.concrete_trick = "suspicious", True
            j.reason("dangerous_scheme")
            return text.split(":", 1)[0].lower() + ":"
        j.verdict = "invalid"
        j.reason(exc.code)
        return None
    if _blocklisted(j, "url", link.normalized) or _blocklisted_host(j, link.host):
        return link.normalized
    matches = j.index.domain_channels(link.host)
    if matches:
        if link.had_userinfo:
            j.reason("userinfo_in_link", host=link.display_host)
        if link.port is not None:
            j.reason("unusual_port", port=link.port)
        _judge_matches(j, matches, claimed, "url", host=link.display_host)
        return link.normalized
    _note_link_flags(j, link, text)
    if j.verdict == "unverified":
        _judge_lookalike(j, link)
    if j.verdict != "lookalike" and claimed is not None:
        # Presented as a platform's site, but not one of its domains.
        j.impersonates = claimed
        j.verdict = "suspicious"
        j.reason("not_listed_for_claimed", platform=j.name(claimed), kind="url")
    elif j.verdict == "unverified":
        _judge_unlisted(j, None, "url")
    return link.normalized


def _judge_lookalike(j: _Judgement, link: ParsedLink) -> None:
    review = j.index.reviewed(link.host)
    if review is not None:
        # Moderators looked at this site and found it is not an impersonation: say so instead
        # of guessing. URL tricks (user info, shorteners, ports) are still reported above.
        resembles = j.index.platform(review.resembles) if review.resembles else None
        if resembles is None:
            j.reason(
                "reviewed_not_impersonation_of_any",
                host=link.display_host,
                reviewed_on=review.reviewed_on,
                note=review.note,
            )
        else:
            j.reason(
                "reviewed_not_impersonation",
                host=link.display_host,
                platform=j.name(resembles),
                reviewed_on=review.reviewed_on,
                note=review.note,
            )
        return
    found = find_lookalike(link, lookalike_index(j.index))
    if found is None:
        return
    j.verdict, j.impersonates, j.concrete_trick = "lookalike", found.platform, True
    j.reason(
        found.code,
        host=link.display_host,
        registrable=link.registrable,
        platform=j.name(found.platform),
        brand=found.brand,
        official=found.official or "-",
        detail=found.detail,
    )
    if found.mixed_script:
        j.reason("mixed_script_name", host=link.display_host)


def _note_link_flags(j: _Judgement, link: ParsedLink, text: str) -> None:
    """Record the URL tricks that are visible without knowing the host."""
    if link.had_userinfo:
        j.reason("userinfo_in_link", host=link.display_host)
        fake_host = _userinfo_host(text)
        owner = j.index.domain_channels(fake_host) if fake_host else ()
        if owner:
            # https://icbc.com.cn@evil.top/ shows ICBC's domain but opens evil.top.
            j.verdict, j.impersonates, j.concrete_trick = "lookalike", owner[0].platform, True
            j.reason("impersonates_platform", platform=j.name(owner[0].platform))
    if link.is_ip:
        # Real companies send people to names, not raw addresses that show no owner.
        j.reason("ip_address_host", host=link.host)
        if j.verdict == "unverified":
            j.verdict, j.concrete_trick = "suspicious", True
    if link.port is not None:
        j.reason("unusual_port", port=link.port)
        if j.verdict == "unverified":
            j.verdict = "suspicious"
    if is_shortener(link.host):
        j.reason("url_shortener", host=link.display_host)
        if j.verdict == "unverified":
            j.verdict = "suspicious"
    if link.private_suffix:
        # Anyone can put a page at brand.github.io; the domain proves nothing about the owner.
        j.reason("free_hosting_suffix", host=link.display_host, suffix=link.suffix)


def _userinfo_host(text: str) -> str | None:
    netloc = text.split("://", 1)[-1].split("/", 1)[0]
    userinfo = netloc.rpartition("@")[0].split(":", 1)[0]
    try:
        return normalize_link(userinfo).host if "." in userinfo else None
    except InvalidLink:
        return None


def _judge_email(text: str, j: _Judgement, region: str, claimed: Platform | None) -> str | None:
    try:
        email = normalize_email(text)
    except InvalidLink as exc:
        j.verdict = "invalid"
        j.reason(exc.code if exc.code == "not_an_email_address" else "not_an_email_address")
        return None
    if _blocklisted_host(j, email.link.host):
        return email.normalized
    matches = j.index.channels("email", email.normalized)
    if matches:
        _judge_matches(j, matches, claimed, "email")
        return email.normalized
    domains = j.index.domain_channels(email.link.host)
    active = [m for m in domains if m.channel.status == "active"]
    if active:
        platform = active[0].platform
        j.verdict, j.platform = "official", platform
        j.reason("official_email_domain", domain=email.link.host, platform=j.name(platform))
        _note_claim_mismatch(j, claimed)
    else:
        _judge_unlisted(j, claimed, "email")
    return email.normalized


def _judge_handle(text: str, j: _Judgement, region: str, claimed: Platform | None) -> str | None:
    handle = text.lstrip("@").lower()
    matches = j.index.channels("wechat", handle) + j.index.channels("weibo", handle)
    if matches:
        _judge_matches(j, matches, claimed, "handle")
    else:
        _judge_unlisted(j, claimed, "handle")
    return handle


_JUDGES = {
    "phone": _judge_phone,
    "url": _judge_link,
    "email": _judge_email,
    "handle": _judge_handle,
}


def _blocklisted(j: _Judgement, kind: str, value: str) -> bool:
    entry = j.index.blocked(kind, value)
    if entry is None:
        return False
    _judge_blocked(j, entry.impersonates, entry.evidence, entry.added_on)
    return True


def _blocklisted_host(j: _Judgement, host: str) -> bool:
    entry = j.index.blocked_host(host)
    if entry is None:
        return False
    _judge_blocked(j, entry.impersonates, entry.evidence, entry.added_on)
    return True


def _judge_blocked(j: _Judgement, impersonates: str | None, evidence: str, added_on: str) -> None:
    j.verdict, j.concrete_trick = "known_scam", True
    j.reason("known_scam", evidence=evidence, added_on=added_on)
    target = j.index.platform(impersonates) if impersonates else None
    if target is not None:
        j.impersonates = target
        j.reason("impersonates_platform", platform=j.name(target))


def _judge_matches(
    j: _Judgement,
    matches: tuple[ChannelMatch, ...],
    claimed: Platform | None,
    kind: str,
    host: str = "",
) -> None:
    active = [m for m in matches if m.channel.status == "active"]
    best = (active or list(matches))[0]
    platform, channel = best.platform, best.channel
    j.platform = platform
    label = channel.label(j.lang) or kind
    if not active:
        j.verdict = "retired"
        j.reason("retired_channel", platform=j.name(platform), label=label)
        _note_claim_mismatch(j, claimed)
        return
    j.verdict = "official"
    common = {"platform": j.name(platform), "source": channel.source}
    if host and host != channel.value:
        j.reason(
            "official_domain",
            host=host,
            domain=channel.value,
            **common,
            verified_on=channel.verified_on,
        )
    else:
        j.reason("official_channel", label=label, **common, verified_on=channel.verified_on)
    _note_claim_mismatch(j, claimed)


def _note_claim_mismatch(j: _Judgement, claimed: Platform | None) -> None:
    """A real channel of one platform presented as another's is a red flag, not a green light."""
    if claimed is None or j.platform is None or claimed.slug == j.platform.slug:
        return
    j.verdict, j.impersonates = "suspicious", claimed
    j.reason("claimed_platform_mismatch", platform=j.name(j.platform), claimed=j.name(claimed))


def _judge_unlisted(j: _Judgement, claimed: Platform | None, kind: str) -> None:
    if claimed is None:
        j.reason("not_in_registry", kind=kind)
        return
    j.impersonates = claimed
    j.reason("not_listed_for_claimed", platform=j.name(claimed), kind=kind)
    if kind == "phone" and claimed.phone_support == "unknown":
        j.reason("platform_phone_unknown", platform=j.name(claimed))
    elif kind == "phone" and claimed.phone_support == "none":
        j.reason("platform_has_no_phone", platform=j.name(claimed))
