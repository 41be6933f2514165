"""Scan a whole message or page: every contact in it, whom the text presents it as, and the risk.

Gather, decide, render, over a text instead of one value: contacts are extracted with their
spans (``extract``), platform names found in one automaton pass (``mentions``), each contact is
attributed to the platform the text presents it as (``attribution``) and judged with that claim
by the same rules as a single check, and the message's scam patterns (``patterns``) weigh on the
overall risk. Spans are code-point offsets into the text as submitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from verifier.core.attribution import attribute_spans
from verifier.core.check import check
from verifier.core.extract import ContactSpan, find_contact_spans
from verifier.core.index import Platform, RegistryIndex, gc_paused
from verifier.core.judgement import official_channels
from verifier.core.mentions import Mention, find_mention_spans
from verifier.core.messages import render
from verifier.core.normalize import fold_with_offsets
from verifier.core.patterns import PatternHit, find_patterns
from verifier.core.values import direct_init
from verifier.core.verdict import OfficialChannel, Reason, Verdict

__all__ = ["MAX_SCAN_LENGTH", "Finding", "ScanResult", "scan", "scan_risk"]

#: Longer texts are refused at the edges (413, a page message, a CLI error) before scanning.
MAX_SCAN_LENGTH = 100_000

#: Patterns that are a scam on their own: no official service asks for these.
_DANGEROUS_ON_THEIR_OWN = frozenset({"pattern_secrets", "pattern_screen_sharing"})


@direct_init
@dataclass(frozen=True, slots=True)
class Finding:
    """One contact in the text and its verdict, judged with the platform the text claims."""

    #: Code-point offsets of the contact in the text as submitted; ``end`` is exclusive.
    start: int
    end: int
    #: The contact as written in the text (``text[start:end]``).
    text: str
    #: The slug of the platform the text presents this contact as belonging to, or None.
    claimed_platform: str | None
    #: The verdict, as ``check`` gives it for the contact with that claim.
    verdict: Verdict

    def to_dict(self) -> dict[str, Any]:
        """A finding of CONTRACT.md's scan object: the span, the claim and every verdict field."""
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "claimed_platform": self.claimed_platform,
            **self.verdict.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class PlatformChannels:
    """A platform the text names or imitates, with the channels to use instead."""

    platform: Platform
    name: str
    official_channels: tuple[OfficialChannel, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "slug": self.platform.slug,
            "name": self.name,
            "official_channels": [c.to_dict() for c in self.official_channels],
        }


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What a scan found: the risk of the whole text and every finding, mention and pattern."""

    #: ``safe``, ``caution`` or ``danger`` for the text as a whole (:func:`scan_risk`).
    risk: str
    findings: tuple[Finding, ...]
    #: Platform names in the text, outside the contacts, in order.
    mentions: tuple[Mention, ...]
    #: The scam patterns found in the text, each with the span of its first cue.
    patterns: tuple[PatternHit, ...]
    #: One reason per pattern, in the requested language.
    reasons: tuple[Reason, ...]
    #: Every platform mentioned, claimed or imitated, with its official channels.
    platforms: tuple[PlatformChannels, ...]
    registry_version: int
    lang: str = "zh"

    def to_dict(self) -> dict[str, Any]:
        """The scan object of CONTRACT.md, with the patterns and platforms as extensions."""
        return {
            "risk": self.risk,
            "findings": [f.to_dict() for f in self.findings],
            "mentions": [
                {
                    "start": m.start,
                    "end": m.end,
                    "text": m.text,
                    "platform": {"slug": m.platform.slug, "name": m.platform.name(self.lang)},
                }
                for m in self.mentions
            ],
            "patterns": [
                {
                    "code": p.code,
                    "start": p.start,
                    "end": p.end,
                    "text": p.text,
                    "message": r.message,
                }
                for p, r in zip(self.patterns, self.reasons, strict=True)
            ],
            "platforms": [p.to_dict() for p in self.platforms],
            "registry_version": self.registry_version,
        }


def scan(text: str, index: RegistryIndex, *, region: str = "CN", lang: str = "zh") -> ScanResult:
    """Find every contact in ``text``, attribute it, judge it, and weigh the whole message.

    Args:
        text: the message or page as the person received it, at most :data:`MAX_SCAN_LENGTH`
            characters (callers refuse longer texts; here they are cut, never an error).
        index: the registry snapshot to judge against.
        region: ISO region for numbers written without a country code.
        lang: ``zh`` or ``en``, the language of every message.

    Never raises for any string input.
    """
    # A long page makes tens of thousands of short-lived objects and no lasting cycles: the
    # cycle collector, woken every few hundred of them, would spend a twentieth of the scan.
    with gc_paused():
        return _scan(text[:MAX_SCAN_LENGTH], index, region, "en" if lang == "en" else "zh")


def _scan(text: str, index: RegistryIndex, region: str, lang: str) -> ScanResult:
    folded = fold_with_offsets(text)
    contacts = find_contact_spans(text, index.known_phones, prefolded=folded)
    # Mentions and patterns search the folded text lower-cased. Lower-casing the whole string
    # keeps the offsets unless a character lower-cases to several ("İ"); then fold again.
    lowered = folded[0].lower()
    if len(lowered) == len(folded[0]):
        folded = (lowered, folded[1])
    else:
        folded = fold_with_offsets(text, lower=True)
    mentions = tuple(
        Mention(start, end, text[start:end], platform)
        for start, end, platform in _outside(
            find_mention_spans(text, index, prefolded=folded), contacts
        )
    )
    claims = attribute_spans(text, contacts, mentions)
    # An article repeats its numbers; each (contact, claim) is judged once per scan.
    verdicts: dict[tuple[str, str, str | None], Verdict] = {}
    findings: list[Finding] = []
    for (start, end, kind, value, _, parsed), claim in zip(contacts, claims, strict=True):
        key = (kind, value, claim)
        verdict = verdicts.get(key)
        if verdict is None:
            verdict = verdicts[key] = check(
                value,
                index,
                kind=kind,
                region=region,
                claimed=claim,
                lang=lang,
                # Extraction parsed every number it found, for CN: no need to parse it again.
                parsed=parsed if region == "CN" else None,
            )
        # The verdict's input is what was judged (the contact with its obfuscation undone);
        # the finding's text is the contact as written.
        findings.append(Finding(start, end, text[start:end], claim, verdict))
    patterns = find_patterns(text, prefolded=folded)
    reasons = tuple(Reason(p.code, render(p.code, lang, cue=p.text)) for p in patterns)
    found = tuple(findings)
    return ScanResult(
        risk=scan_risk(found, patterns),
        findings=found,
        mentions=mentions,
        patterns=patterns,
        reasons=reasons,
        platforms=_platforms(index, mentions, found, lang),
        registry_version=index.version,
        lang=lang,
    )


def scan_risk(findings: tuple[Finding, ...], patterns: tuple[PatternHit, ...]) -> str:
    """The risk of the whole text.

    The highest risk of any finding; at least ``caution`` when a scam pattern appears; ``danger``
    when a pattern comes with a contact that is not official (the call to action of a scam), or
    when the text asks for codes, passwords or card numbers, or for screen sharing, which no
    official service does. ``safe`` when every contact is official and no pattern is found.
    """
    risks = {f.verdict.risk for f in findings}
    codes = {p.code for p in patterns}
    unofficial = any(f.verdict.verdict != "official" for f in findings)
    if "danger" in risks or codes & _DANGEROUS_ON_THEIR_OWN or (codes and unofficial):
        return "danger"
    if "caution" in risks or codes:
        return "caution"
    return "safe"


def _outside(
    mentions: list[tuple[int, int, Platform]], contacts: list[ContactSpan]
) -> list[tuple[int, int, Platform]]:
    """Mentions that are not part of a contact: "pinduoduo" inside pinduoduo-kefu.com is the
    contact's own business (the lookalike rules judge it), not the text naming a platform."""
    if not contacts:
        return mentions
    kept = []
    # Both are sorted and neither overlaps its own kind: the only contact that can overlap a
    # mention is the last one starting before the mention ends, found by walking forwards.
    at, last = -1, len(contacts) - 1
    for mention in mentions:
        start, end, _ = mention
        while at < last and contacts[at + 1][0] < end:
            at += 1
        if at < 0 or contacts[at][1] <= start:
            kept.append(mention)
    return kept


def _platforms(
    index: RegistryIndex, mentions: tuple[Mention, ...], findings: tuple[Finding, ...], lang: str
) -> tuple[PlatformChannels, ...]:
    slugs: dict[str, None] = {}
    for m in mentions:
        slugs.setdefault(m.platform.slug)
    for f in findings:
        for ref in (f.verdict.impersonates, f.verdict.platform):
            if ref is not None:
                slugs.setdefault(ref.slug)
    out = []
    for slug in slugs:
        platform = index.platform(slug)
        if platform is not None:
            channels = official_channels(index, platform, lang)
            out.append(PlatformChannels(platform, platform.name(lang), channels))
    return tuple(out)
