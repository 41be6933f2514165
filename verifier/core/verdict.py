"""The verdict object: what the verifier answers for one value, and the risk rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from verifier.core.values import direct_init

__all__ = ["RISKS", "VERDICTS", "OfficialChannel", "PlatformRef", "Reason", "Verdict", "risk_for"]

VERDICTS = ("official", "retired", "known_scam", "lookalike", "suspicious", "unverified", "invalid")
RISKS = ("safe", "caution", "danger")


@direct_init
@dataclass(frozen=True, slots=True)
class Reason:
    """One reason behind a verdict: a stable code and a message in the request's language."""

    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@direct_init
@dataclass(frozen=True, slots=True)
class PlatformRef:
    """A platform as named in a verdict."""

    slug: str
    name: str

    def to_dict(self) -> dict[str, str]:
        return {"slug": self.slug, "name": self.name}


@direct_init
@dataclass(frozen=True, slots=True)
class OfficialChannel:
    """A channel to use instead, as shown in a verdict."""

    kind: str
    #: The normalised value, as in the registry.
    value: str
    label: str
    #: The value written for people (``+86 400 820 8820``); the same as ``value`` for most kinds.
    display: str = ""
    #: ``verified``, or ``community`` for an entry of a platform only a community data set
    #: lists (shown so, never as confirmed).
    trust: str = "verified"

    def to_dict(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "value": self.value,
            "label": self.label,
            "display": self.display or self.value,
            "trust": self.trust,
        }


def risk_for(verdict: str, concrete_trick: bool = False) -> str:
    """The risk level of a verdict (CONTRACT.md).

    >>> risk_for("official"), risk_for("known_scam"), risk_for("unverified")
    ('safe', 'danger', 'caution')
    """
    if verdict == "official":
        return "safe"
    if verdict in ("known_scam", "lookalike") or (verdict == "suspicious" and concrete_trick):
        return "danger"
    return "caution"


@direct_init
@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer for one value."""

    #: The value as submitted.
    input: str
    #: ``phone``, ``url``, ``email`` or ``handle``.
    kind: str
    #: The canonical form (E.164, short-number digits, canonical URL, address); None if invalid.
    normalized: str | None
    #: One of :data:`VERDICTS`.
    verdict: str
    #: One of :data:`RISKS`.
    risk: str
    #: The platform whose official channel this is.
    platform: PlatformRef | None
    #: The platform this imitates or is presented as, when it is not that platform's channel.
    impersonates: PlatformRef | None
    #: Every reason that led to the verdict.
    reasons: tuple[Reason, ...]
    #: What to use instead: the official channels of ``platform`` or ``impersonates``.
    official_channels: tuple[OfficialChannel, ...]
    #: The registry version the verdict was reached on.
    registry_version: int
    #: The trust tier of the entry that names ``platform``: ``verified`` (an official verdict
    #: stands on it) or ``community`` (listed by a community data set only: the verdict is
    #: ``unverified``); None when the value matched no entry.
    trust: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The verdict object of CONTRACT.md, ready for JSON."""
        return {
            "input": self.input,
            "kind": self.kind,
            "normalized": self.normalized,
            "verdict": self.verdict,
            "risk": self.risk,
            "platform": self.platform.to_dict() if self.platform else None,
            "impersonates": self.impersonates.to_dict() if self.impersonates else None,
            "reasons": [r.to_dict() for r in self.reasons],
            "official_channels": [c.to_dict() for c in self.official_channels],
            "registry_version": self.registry_version,
            "trust": self.trust,
        }
