"""Judging links and e-mail addresses: the blocklist and official domains first, then URL tricks
and impersonation (``lookalike``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from verifier.core.brands import verified_lookalike_index
from verifier.core.index import Platform, RegistryIndex
from verifier.core.judgement import (
    Judgement,
    judge_blocked_host,
    judge_blocklisted,
    judge_community_claim,
    judge_community_listed,
    judge_matches,
    judge_unlisted,
    note_claim_mismatch,
)
from verifier.core.link import InvalidLink, ParsedLink, normalize_email, normalize_link
from verifier.core.lookalike import Lookalike, find_lookalike, lookalike_index
from verifier.core.shorteners import is_shortener

__all__ = ["judge_email", "judge_link"]


def judge_link(text: str, j: Judgement, region: str, claimed: Platform | None) -> str | None:
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
    if judge_blocklisted(j, "url", link.normalized) or judge_blocked_host(j, link.host):
        return link.normalized
    matches = j.index.domain_channels(link.host)
    if matches:
        if link.had_userinfo:
            j.reason("userinfo_in_link", host=link.display_host)
        if link.port is not None:
            j.reason("unusual_port", port=link.port)
        judge_matches(j, matches, claimed, "url", host=link.display_host)
        if j.trust == "community":
            _note_resemblance(j, link)
        return link.normalized
    _note_link_flags(j, link, text)
    if j.verdict == "unverified":
        _judge_lookalike(j, link)
    if (
        claimed is not None
        and j.verdict == "unverified"
        and judge_community_claim(j, claimed, "url")
    ):
        return link.normalized
    if j.verdict != "lookalike" and claimed is not None:
        # Presented as a platform's site, but not one of its domains.
        j.impersonates = claimed
        j.verdict = "suspicious"
        j.registry_reason("not_listed_for_claimed", platform=j.name(claimed), kind="url")
    elif j.verdict == "unverified":
        judge_unlisted(j, None, "url")
    return link.normalized


#: How many links' lookalike findings each registry snapshot keeps (see _lookalike_of).
LOOKALIKE_RESULTS_KEPT = 8192


def _lookalike_of(index: RegistryIndex) -> Callable[[ParsedLink], Lookalike | None]:
    """:func:`find_lookalike` on ``index``, remembering the last links asked about.

    The same sites are checked over and over (an extension asks about each page's host, a
    message is forwarded to many people), and the answer depends only on the link and the
    snapshot: each snapshot keeps its own bounded cache, dropped with it when the registry
    changes. ``cache_clear`` empties it (the scanning benchmark does, to time a new text).
    """
    lookalikes = lookalike_index(index)
    return index.memo(
        ("lookalike_results",),
        lambda: lru_cache(maxsize=LOOKALIKE_RESULTS_KEPT)(
            lambda link: find_lookalike(link, lookalikes)
        ),
    )


def _note_resemblance(j: Judgement, link: ParsedLink) -> None:
    """A host only a community data set gives a platform, that also imitates a verified
    platform's domain: say both (the community listing, and whom it resembles)."""
    verified = verified_lookalike_index(j.index)
    found = find_lookalike(link, verified) if verified is not None else None
    if found is None or j.platform is None or found.platform.slug == j.platform.slug:
        return
    j.reason(
        "community_domain_resembles",
        host=link.display_host,
        platform=j.name(found.platform),
        official=found.official or "-",
    )


def _judge_lookalike(j: Judgement, link: ParsedLink) -> None:
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
    found = _lookalike_of(j.index)(link)
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


def _note_link_flags(j: Judgement, link: ParsedLink, text: str) -> None:
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


def judge_email(text: str, j: Judgement, region: str, claimed: Platform | None) -> str | None:
    try:
        email = normalize_email(text)
    except InvalidLink as exc:
        j.verdict = "invalid"
        j.reason(exc.code if exc.code == "not_an_email_address" else "not_an_email_address")
        return None
    if judge_blocked_host(j, email.link.host):
        return email.normalized
    matches = j.index.channels("email", email.normalized)
    if matches:
        judge_matches(j, matches, claimed, "email")
        return email.normalized
    domains = j.index.domain_channels(email.link.host)
    active = [m for m in domains if m.channel.status == "active"]
    verified = [m for m in active if m.channel.trust == "verified"]
    if active and not verified:  # a domain only a community list gives the platform
        judge_community_listed(j, active[0])
        note_claim_mismatch(j, claimed)
        return email.normalized
    if verified:
        platform = verified[0].platform
        j.verdict, j.platform, j.trust = "official", platform, "verified"
        j.reason("official_email_domain", domain=email.link.host, platform=j.name(platform))
        note_claim_mismatch(j, claimed)
        return email.normalized
    # service@pinduoduo-kefu.com imitates Pinduoduo exactly as the site pinduoduo-kefu.com does.
    _judge_lookalike(j, email.link)
    if j.verdict != "lookalike":
        judge_unlisted(j, claimed, "email")
    return email.normalized
