"""The verdict being assembled, and the steps every kind of value shares.

A :class:`Judgement` collects the verdict, the platforms named and the reasons while a value is
judged (``phone_verdict``, ``link_verdict``, ``check``), then becomes a frozen
:class:`~verifier.core.verdict.Verdict`. The shared steps live here: the blocklist, matching
official channels, a claim that names another platform, and values the registry does not list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from verifier.core.index import ChannelMatch, Platform, RegistryIndex
from verifier.core.messages import render
from verifier.core.phone import display_phone
from verifier.core.verdict import OfficialChannel, PlatformRef, Reason, Verdict, risk_for

__all__ = [
    "Judgement",
    "judge_blocked",
    "judge_blocked_host",
    "judge_blocklisted",
    "judge_community_claim",
    "judge_community_listed",
    "judge_matches",
    "judge_unlisted",
    "note_claim_mismatch",
]


@dataclass(slots=True)
class Judgement:
    """The verdict being assembled; turned into a frozen :class:`Verdict` at the end."""

    index: RegistryIndex
    lang: str
    verdict: str = "unverified"
    platform: Platform | None = None
    impersonates: Platform | None = None
    concrete_trick: bool = False
    #: The trust tier of the registry entry the value matched (``verified`` or ``community``).
    trust: str | None = None
    reasons: list[Reason] = field(default_factory=list)

    def reason(self, code: str, **params: object) -> None:
        self.reasons.append(Reason(code, render(code, self.lang, **params)))

    def registry_reason(self, code: str, **params: str) -> None:
        """:meth:`reason` for a message made only of what the registry says (platform names)
        and of words (a kind): the same for every value, so worded once per snapshot."""
        key = ("reason", code, self.lang, *params.items())
        self.reasons.append(self.index.memo(key, _worded, code, self.lang, params))

    def name(self, platform: Platform) -> str:
        return platform.name(self.lang)

    def finish(self, value: str, kind: str, normalized: str | None) -> Verdict:
        platform, impersonates, verdict = self.platform, self.impersonates, self.verdict
        shown = impersonates or platform
        # Most values name no platform: then neither the channels nor the refs are looked up.
        channels = official_channels(self.index, shown, self.lang) if shown else ()
        # Positional, in the order of Verdict's fields: a keyword call would make the class
        # call build a dict of eleven entries, a third of the cost of making the verdict.
        return Verdict(
            value,  # input
            kind,
            None if verdict == "invalid" else normalized,  # normalized
            verdict,
            risk_for(verdict, self.concrete_trick),  # risk
            self._ref(platform) if platform is not None else None,  # platform
            self._ref(impersonates) if impersonates is not None else None,  # impersonates
            tuple(self.reasons),  # reasons
            channels,  # official_channels
            self.index.version,  # registry_version
            self.trust if platform is not None else None,  # trust
        )

    def _ref(self, platform: Platform) -> PlatformRef | None:
        """:func:`platform_ref`, kept with the snapshot."""
        return self.index.memo(
            ("platform_ref", platform.slug, self.lang), platform_ref, platform, self.lang
        )


def official_channels(
    index: RegistryIndex, platform: Platform, lang: str
) -> tuple[OfficialChannel, ...]:
    """What to use instead, as shown in a verdict; kept with the snapshot, since most checks
    name one of a few popular platforms."""
    return index.memo(
        ("official_channels", platform.slug, lang), _build_official_channels, platform, lang
    )


def _build_official_channels(platform: Platform, lang: str) -> tuple[OfficialChannel, ...]:
    return tuple(
        OfficialChannel(
            c.kind,
            c.value,
            c.label(lang),
            display_phone(c.value) if c.kind == "phone" else c.value,
            c.trust,
        )
        for c in platform.active_channels()
    )


def _worded(code: str, lang: str, params: dict[str, str]) -> Reason:
    """A reason worded from ``params`` (see :meth:`Judgement.registry_reason`)."""
    return Reason(code, render(code, lang, **params))


def platform_ref(platform: Platform | None, lang: str) -> PlatformRef | None:
    return PlatformRef(platform.slug, platform.name(lang)) if platform else None


def judge_blocklisted(j: Judgement, kind: str, value: str) -> bool:
    entry = j.index.blocked(kind, value)
    if entry is None:
        return False
    judge_blocked(j, entry.impersonates, entry.evidence, entry.added_on)
    return True


def judge_blocked_host(j: Judgement, host: str) -> bool:
    entry = j.index.blocked_host(host)
    if entry is None:
        return False
    judge_blocked(j, entry.impersonates, entry.evidence, entry.added_on)
    return True


def judge_blocked(j: Judgement, impersonates: str | None, evidence: str, added_on: str) -> None:
    j.verdict, j.concrete_trick = "known_scam", True
    j.reason("known_scam", evidence=evidence, added_on=added_on)
    target = j.index.platform(impersonates) if impersonates else None
    if target is not None:
        j.impersonates = target
        j.registry_reason("impersonates_platform", platform=j.name(target))


def judge_matches(
    j: Judgement,
    matches: tuple[ChannelMatch, ...],
    claimed: Platform | None,
    kind: str,
    host: str = "",
) -> None:
    active = [m for m in matches if m.channel.status == "active"]
    verified = [m for m in active if m.channel.trust == "verified"]
    best = (verified or active or list(matches))[0]
    platform, channel = best.platform, best.channel
    j.platform = platform
    j.trust = channel.trust
    label = channel.label(j.lang) or kind
    if active and not verified:
        judge_community_listed(j, best)
        note_claim_mismatch(j, claimed)
        return
    if not active:
        j.verdict = "retired"
        j.reason("retired_channel", platform=j.name(platform), label=label)
        note_claim_mismatch(j, claimed)
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
    note_claim_mismatch(j, claimed)


def judge_community_listed(j: Judgement, match: ChannelMatch) -> None:
    """Only community entries list the value: named, never answered as official."""
    platform, channel = match.platform, match.channel
    j.platform, j.trust = platform, channel.trust
    common = {
        "platform": j.name(platform),
        "source": channel.source,
        "verified_on": channel.verified_on,
    }
    j.verdict = "unverified"
    if channel.kind == "domain":
        j.reason("community_listed_domain", domain=channel.value, **common)
    else:
        j.reason("community_listed", label=channel.label(j.lang) or channel.kind, **common)


def note_claim_mismatch(j: Judgement, claimed: Platform | None) -> None:
    """A real channel of one platform presented as another's is a red flag, not a green light."""
    if claimed is None or j.platform is None or claimed.slug == j.platform.slug:
        return
    j.verdict, j.impersonates = "suspicious", claimed
    j.registry_reason(
        "claimed_platform_mismatch", platform=j.name(j.platform), claimed=j.name(claimed)
    )


def judge_community_claim(j: Judgement, claimed: Platform, kind: str) -> bool:
    """A value presented as a platform's that only a community data set knows, and that lists
    another: said plainly, but no impersonation. A phone book lists some of a company's numbers
    and sites, not all of them (a courier's own mobile, a branch's line), so the value's absence
    is no evidence. True when it applied."""
    if claimed.trust != "community":
        return False
    j.registry_reason("community_platform_not_listed", platform=j.name(claimed), kind=kind)
    return True


def judge_unlisted(j: Judgement, claimed: Platform | None, kind: str) -> None:
    if claimed is None:
        j.registry_reason("not_in_registry", kind=kind)
        return
    if judge_community_claim(j, claimed, kind):
        return
    j.impersonates = claimed
    if j.verdict == "unverified":
        # Presented as the platform's, but not one of its channels: a red flag for every kind,
        # as it already is for links and numbers.
        j.verdict = "suspicious"
    j.registry_reason("not_listed_for_claimed", platform=j.name(claimed), kind=kind)
    if kind == "phone" and claimed.phone_support == "unknown":
        j.registry_reason("platform_phone_unknown", platform=j.name(claimed))
    elif kind == "phone" and claimed.phone_support == "none":
        j.registry_reason("platform_has_no_phone", platform=j.name(claimed))
