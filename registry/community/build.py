"""Build the registry's community tier from the vCards phone book (and, optionally, domain lists).

Gather, decide, apply: the command reads the registry and the data sets, this module decides,
and the store writes (``RegistryStore.replace_community_tier``). Only the registry's *verified*
entries are the basis: the community tier of an earlier run is rebuilt from scratch, except that
its slugs are kept so a platform keeps its address across runs.

Precision over recall, since a wrong entry names a scammer's number as a company's:

- An org is **matched** to a verified platform by three signals, its site's domain, its name
  and its numbers (:mod:`registry.community.matching`). All signals pointing to one platform
  match it; signals pointing to several make the org **uncertain**: reported, neither merged
  nor created.
- A match by domain alone is **uncertain** too, unless the org's site is one of the platform's
  domains itself (``www.`` aside): a subsidiary's site under its parent's domain (阿里通信 at
  ``aliqin.tmall.com``, 中国建设银行（亚洲） at ``www.asia.ccb.com``) is not the parent. So is a
  match by number alone when the org has a site that is not the platform's (an org listing the
  anti-fraud line beside its own site and numbers); 国家反诈中心, which gives 96110 and no site,
  is matched.
- A value that a verified channel gives to *another* platform, or that two organisations claim,
  is a **conflict**: kept out of the tier (so never answered) and reported with both sides.
- Domain lists only extend platforms the tier already knows; a list matching no platform never
  becomes one (1,500 mostly foreign brands would feed the lookalike detector). A list lends its
  plain domains to a platform only when (1) it holds a domain of that platform and of no other,
  (2) its *name* names the platform (:func:`registry.community.domain_lists.list_name_keys`
  against the platform's slug, the labels of its domains, or its English name, letters and
  digits only), so that ``58tongcheng`` does not extend 转转 because it lists one of its domains,
  and (3) it has at most :data:`MAX_LIST_DOMAINS` (300) plain domains, as a company's own sites
  do, where Apple's 1,571 or Google's 826 are mostly CDNs, subsidiaries and typo domains. Lists
  failing (2) or (3) are reported in ``lists_not_applied``, with the reason.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from registry.community.matching import (
    SIGNALS,
    OrgMatcher,
    covers,
    name_key,
    verified_owners,
)
from registry.community.vcards import DATASET_DATE, VCardOrg, VCards
from registry.files import (
    RegistryData,
    RegistryFileError,
    channel_dict,
    normalize_value,
    parse_registry,
    platform_dict,
)
from verifier.core.index import Channel
from verifier.core.link import split_registrable

if TYPE_CHECKING:
    from registry.community.domain_lists import DomainList

__all__ = ["CATEGORIES", "CommunityReport", "CommunityTier", "build_community_tier"]

#: vCards category folders in the registry's category words (registry/data/registry.yaml).
CATEGORIES = {
    "金融银行": "bank",
    "证券保险": "insurance",
    "通讯服务": "telecom",
    "电商购物": "ecommerce",
    "快递物流": "logistics",
    "政府机构": "government",
    "本地生活": "local-services",
    "外卖订餐": "local-services",
    "租车代驾": "ride-hailing",
    "出行购票": "travel",
    "民用航空": "airline",
    "酒店住宿": "hotel",
    "互联网": "technology",
    "云服务": "technology",
    "应用软件": "technology",
    "影音娱乐": "video",
    "汽车行业": "automotive",
    "房产中介": "real-estate",
    "其它": "other",
}
SLUG_OK = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
KIND_ORDER = {"phone": 0, "email": 1, "domain": 2}
SITE_LABEL = {"zh": "官方网站", "en": "Official website"}
#: A domain list with more plain domains than this is not applied. A company's own sites under
#: many country suffixes stay below it (PayPal 244, Amazon 235, Mastercard 184 in the pinned
#: data); above it, routing lists are mostly CDNs, subsidiaries and defensively registered names
#: (BMW 730, Google 826, Alphabet 836, Apple 1,571), which a checker must not call official-ish.
MAX_LIST_DOMAINS = 300


@dataclass
class CommunityReport:
    """What a build decided, for people to review (``as_dict`` for JSON, ``text`` for a tty)."""

    orgs: int = 0
    #: ``{"org", "file", "platform", "by"}``: ``by`` joins the signals that agree with ``+``, in
    #: the order ``domain``, ``name``, ``phone`` (``domain+name``, ``phone``).
    matched: list[dict[str, Any]] = field(default_factory=list)
    #: ``{"org", "file", "by_domain", "by_name", "by_phone", "reason"}``: slugs each signal
    #: points to; ``reason`` is ``several_platforms``, ``domain_only`` (a subsidiary's site
    #: under a platform's domain, its name none of the platform's) or ``other_site`` (a
    #: platform's number on an org whose site is not the platform's).
    uncertain: list[dict[str, Any]] = field(default_factory=list)
    #: ``{"org", "file", "platform"}``: new community platforms.
    created: list[dict[str, Any]] = field(default_factory=list)
    #: ``{"org", "file"}``: orgs that would be new platforms but kept no value (not created).
    empty: list[dict[str, Any]] = field(default_factory=list)
    #: Values a matched platform already lists as verified channels.
    duplicates: int = 0
    #: ``{"kind", "value", "claims": [{"org", "source", "platform"}], "verified": slug | None}``.
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    #: ``{"file", "org", "kind", "value", "reason"}``.
    invalid: list[dict[str, Any]] = field(default_factory=list)
    #: Domain lists: ``{"list", "platform"}`` applied, and counts of those skipped.
    lists_applied: list[dict[str, Any]] = field(default_factory=list)
    lists_skipped: int = 0
    #: ``{"list", "platforms"}``: lists naming domains of several platforms (not applied).
    lists_uncertain: list[dict[str, Any]] = field(default_factory=list)
    #: ``{"list", "platform", "domains", "reason"}``: lists holding a domain of one platform but
    #: not applied: ``name_differs`` (the list's name does not name it) or ``too_large`` (more
    #: than :data:`MAX_LIST_DOMAINS` plain domains); ``domains`` is how many the list has.
    lists_not_applied: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "orgs": self.orgs,
            "matched": len(self.matched),
            "uncertain": len(self.uncertain),
            "created": len(self.created),
            "empty": len(self.empty),
            "duplicates": self.duplicates,
            "conflicts": len(self.conflicts),
            "invalid": len(self.invalid),
            "lists_applied": len(self.lists_applied),
            "lists_skipped": self.lists_skipped,
            "lists_uncertain": len(self.lists_uncertain),
            "lists_not_applied": len(self.lists_not_applied),
        }

    def as_dict(self) -> dict[str, Any]:
        return {"counts": self.counts(), **asdict(self)}

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2) + "\n"

    def text(self, limit: int = 10) -> str:
        """Counts, then the first conflicts and uncertain matches (the ones to review)."""
        lines = [", ".join(f"{k} {v}" for k, v in self.counts().items())]
        for c in self.conflicts[:limit]:
            sides = "; ".join(f"{s['org']} ({s['platform']})" for s in c["claims"])
            verified = f"verified for {c['verified']}; " if c["verified"] else ""
            lines.append(f"conflict {c['kind']} {c['value']}: {verified}claimed by {sides}")
        for u in self.uncertain[:limit]:
            signals = ", ".join(
                f"{signal} → {', '.join(u['by_' + signal]) or '-'}" for signal in SIGNALS
            )
            lines.append(f"uncertain {u['org']} ({u['file']}): {signals} ({u['reason']})")
        hidden = max(0, len(self.conflicts) - limit) + max(0, len(self.uncertain) - limit)
        if hidden:
            lines.append(f"… and {hidden} more (see --report)")
        return "\n".join(lines)


@dataclass(frozen=True)
class CommunityTier:
    """The tier as a registry-file mapping (``registry``), its parsed form, and the report."""

    registry: dict[str, Any]
    data: RegistryData
    report: CommunityReport


def build_community_tier(
    current: RegistryData,
    vcards: VCards,
    domain_lists: Mapping[str, DomainList] | None = None,
    *,
    lists_date: str = "",
) -> CommunityTier:
    """Decide the community tier for ``current`` (see the module docstring for the rules)."""
    verified = [p for p in current.platforms if p.trust == "verified"]
    report = CommunityReport(orgs=len(vcards.orgs))
    report.invalid = [asdict(i) for i in vcards.invalid]
    owner = verified_owners(verified)
    matcher = OrgMatcher(verified, vcards.orgs)

    # Decide each org's target: a verified platform's slug, a new slug, or None (uncertain).
    targets: dict[str, str] = {}
    new_orgs: dict[str, VCardOrg] = {}
    for org in vcards.orgs:
        match = matcher.match(org)
        entry = {"org": org.organization, "file": org.file}
        if match.reason:
            by_signal = {f"by_{signal}": slugs for signal, slugs in match.signals.items()}
            report.uncertain.append({**entry, **by_signal, "reason": match.reason})
        elif match.platform:
            report.matched.append({**entry, "platform": match.platform, "by": match.by})
            targets[org.file] = match.platform
        else:
            new_orgs[org.file] = org
    _name_new_platforms(current, new_orgs, targets, report)

    # Every value each target would get, with who claimed it. A matched platform whose own
    # domain already covers the org's site gets no site channel: 微信支付's pay.weixin.qq.com
    # must not make the whole of qq.com a community domain of WeChat Pay.
    verified_by_slug = {p.slug: p for p in verified}
    claims: dict[tuple[str, str], dict[str, list[tuple[str, Channel]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for org in vcards.orgs:
        target = targets.get(org.file)
        if target is None:
            continue
        site = () if covers(verified_by_slug.get(target), org.host) else _site_channel(org)
        for channel in (*org.channels, *site):
            claims[(channel.kind, channel.value)][target].append((org.organization, channel))
    if domain_lists:
        english = {p.slug: p.name_en for p in verified}
        english |= {
            targets[f]: o.organization for f, o in new_orgs.items() if o.organization.isascii()
        }
        _claim_list_domains(domain_lists, lists_date, targets, english, claims, owner, report)

    channels: dict[str, list[Channel]] = defaultdict(list)
    countries = {p.slug: p.country for p in verified}
    for (kind, value), by_target in sorted(claims.items()):
        holder = owner.get((kind, value))
        if holder is not None and set(by_target) == {holder}:
            report.duplicates += 1
            continue
        if holder is not None or len(by_target) > 1:
            report.conflicts.append(
                {
                    "kind": kind,
                    "value": value,
                    "verified": holder,
                    "claims": [
                        {"org": who, "source": c.source, "platform": slug}
                        for slug, items in sorted(by_target.items())
                        for who, c in items
                    ],
                }
            )
            continue
        ((slug, items),) = by_target.items()
        if kind == "phone" and not value.startswith("+") and countries.get(slug, "CN") != "CN":
            # A short number is national: the registry reads it in the platform's country,
            # where the mainland's short number means nothing (or something else).
            report.invalid.append(
                {
                    "file": items[0][1].source,
                    "org": items[0][0],
                    "kind": kind,
                    "value": value,
                    "reason": "short_number_of_a_platform_outside_cn",
                }
            )
            continue
        channels[slug].append(items[0][1])

    # A stable order, whatever the claims' order: numbers, then addresses, then sites.
    for listed in channels.values():
        listed.sort(key=lambda c: (KIND_ORDER.get(c.kind, 9), c.value))
    platforms: list[dict[str, Any]] = []
    for p in sorted(verified, key=lambda p: p.slug):
        if channels.get(p.slug):
            # A verified platform as the tier lists it: its identity, its community channels.
            platforms.append(platform_dict(p, channels[p.slug]))
    for org in new_orgs.values():
        slug = targets[org.file]
        if not channels.get(slug):
            # Every value conflicted (or there was none): a platform with nothing to check
            # would only add a name for the scanner and the lookalike detector to match.
            report.empty.append({"org": org.organization, "file": org.file})
            continue
        platforms.append(_new_platform_dict(org, slug, channels[slug]))
    empty = {e["file"] for e in report.empty}
    report.created = [c for c in report.created if c["file"] not in empty]
    platforms.sort(key=lambda p: p["slug"])
    registry = {"platforms": platforms}
    # Verified platforms' own channels are not part of the tier; parsing checks the rest.
    return CommunityTier(registry, parse_registry(registry), report)


def _name_new_platforms(
    current: RegistryData,
    orgs: Mapping[str, VCardOrg],
    targets: dict[str, str],
    report: CommunityReport,
) -> None:
    """Give each org no platform matched a new slug (into ``targets``) and report it created.

    Orgs an earlier run named pick first, so their slugs stay theirs; then orgs whose site is
    their domain itself, so that ``tencent`` goes to 腾讯 (``www.tencent.com``) rather than to
    腾讯云 (``cloud.tencent.com``); file order settles the rest, so the same data always gives
    the same slugs.
    """
    taken = {p.slug for p in current.platforms if p.trust == "verified"}
    # Slugs earlier runs gave community platforms, by name: kept, so addresses stay stable.
    earlier = {
        name_key(p.name_zh or p.name_en): p.slug for p in current.platforms if p.slug not in taken
    }

    def turn(org: VCardOrg) -> tuple[bool, bool, str]:
        on_own_site = org.host.removeprefix("www.") == org.registrable
        return name_key(org.organization) not in earlier, not on_own_site, org.file

    for org in sorted(orgs.values(), key=turn):
        slug = _new_slug(org, taken, earlier)
        taken.add(slug)
        targets[org.file] = slug
    report.created = [
        {"org": org.organization, "file": org.file, "platform": targets[org.file]}
        for org in orgs.values()
    ]


def _site_channel(org: VCardOrg) -> tuple[Channel, ...]:
    if not org.registrable:
        return ()
    return (
        Channel(
            kind="domain",
            value=org.registrable,
            label_zh=SITE_LABEL["zh"],
            label_en=SITE_LABEL["en"],
            scope="subdomains",
            source=org.source,
            verified_on=DATASET_DATE,
            trust="community",
        ),
    )


def _new_slug(org: VCardOrg, taken: set[str], earlier: Mapping[str, str]) -> str:
    """The registry's style (``[a-z0-9-]+``): the slug an earlier run gave this org, else its
    site's domain label, else its ASCII name, else ``org-`` and a hash of its name; a taken one
    gets the hash appended, so the same data always gives the same slugs."""
    digest = hashlib.sha256(org.organization.encode("utf-8")).hexdigest()[:8]
    previous = earlier.get(name_key(org.organization))
    candidates = [previous] if previous else []
    ascii_name = re.sub(r"[^a-z0-9]+", "-", org.organization.lower()).strip("-")
    # A site on a public suffix such as gov.cn has a registrable domain like "www.gov.cn", whose
    # label says nothing about the org.
    label = org.label.replace(".", "-") if org.label.split(".")[0] != "www" else ""
    for base in (label, ascii_name if org.organization.isascii() else ""):
        if base and SLUG_OK.match(base[:50].strip("-")):
            candidates += [base[:50].strip("-"), f"{base[:50].strip('-')}-{digest[:6]}"]
    candidates += [f"org-{digest}", f"org-{hashlib.sha256(org.file.encode()).hexdigest()[:12]}"]
    for slug in candidates:
        if slug not in taken:
            return slug
    raise RegistryFileError(f"{org.file}: no free slug")  # two files with one name and path


def _new_platform_dict(org: VCardOrg, slug: str, channels: list[Channel]) -> dict[str, Any]:
    ascii_name = org.organization.isascii()
    return {
        "slug": slug,
        "name": {
            "zh": "" if ascii_name else org.organization,
            "en": org.organization if ascii_name else "",
        },
        "aliases": [],
        "category": CATEGORIES.get(org.category, "other"),
        "country": "CN",
        "phone_support": "listed" if any(c.kind == "phone" for c in channels) else "unknown",
        "trust": "community",
        "channels": [channel_dict(c) for c in channels],
    }


def _claim_list_domains(
    lists: Mapping[str, DomainList],
    lists_date: str,
    targets: Mapping[str, str],
    english: Mapping[str, str],
    claims: dict[tuple[str, str], dict[str, list[tuple[str, Channel]]]],
    owner: Mapping[tuple[str, str], str],
    report: CommunityReport,
) -> None:
    """A non-excluded list holding a domain of exactly one target platform, named for it and not
    too large, lends that platform its other plain domains (community, sourced to the list).

    ``english`` gives the target platforms' English names (a list's name is compared with them).
    """
    from registry.community.domain_lists import is_excluded_list, list_name_keys, name_token

    # Domains each target platform has: its verified ones and those claimed for it here.
    domains: dict[str, str] = {}
    ambiguous: set[str] = set()
    target_slugs = set(targets.values())
    for (kind, value), slug in owner.items():
        if kind == "domain" and slug in target_slugs:
            domains[value] = slug
    for (kind, value), by_target in claims.items():
        if kind != "domain":
            continue
        for slug in by_target:
            if domains.setdefault(value, slug) != slug:
                ambiguous.add(value)
    # What a list's name must be to name a platform: its slug, its English name, or one of its
    # domains, as the label (``cebbank`` for cebbank.com) or whole (``eleme`` for ele.me),
    # letters and digits only.
    known: dict[str, set[str]] = defaultdict(set)
    for slug in target_slugs:
        known[slug] |= {name_token(slug), name_token(english.get(slug, ""))}
    for domain, slug in domains.items():
        label, suffix = split_registrable(domain)
        if domain not in ambiguous and f"{label}.{suffix}" == domain:
            known[slug] |= {name_token(label), name_token(domain)}
    for keys in known.values():
        keys.discard("")  # a Chinese-only English name gives no token
    for name in sorted(lists):
        domain_list = lists[name]
        if is_excluded_list(name):
            report.lists_skipped += 1
            continue
        hits = {domains[d] for d in domain_list.domains if d in domains and d not in ambiguous}
        if not hits:
            report.lists_skipped += 1
            continue
        if len(hits) > 1:
            report.lists_uncertain.append({"list": name, "platforms": sorted(hits)})
            continue
        slug = hits.pop()
        reason = ""
        if known[slug].isdisjoint(list_name_keys(name)):
            reason = "name_differs"  # 58tongcheng holds one of 转转's domains; it is not 转转
        elif len(domain_list.domains) > MAX_LIST_DOMAINS:
            reason = "too_large"
        if reason:
            report.lists_not_applied.append(
                {
                    "list": name,
                    "platform": slug,
                    "domains": len(domain_list.domains),
                    "reason": reason,
                }
            )
            continue
        report.lists_applied.append({"list": name, "platform": slug})
        for raw in domain_list.domains:
            try:
                value = normalize_value("domain", raw, f"{name}: {raw}")
            except RegistryFileError:
                continue
            channel = Channel(
                kind="domain",
                value=value,
                scope="subdomains",
                source=domain_list.source,
                verified_on=lists_date,
                trust="community",
            )
            by_target = claims[("domain", value)]
            if slug not in by_target:
                by_target[slug].append((f"domain list {name}", channel))
