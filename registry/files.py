"""The registry file format (CONTRACT.md): parse and validate YAML or JSON, dump YAML, JSON, CSV.

Parsing turns a file into the core's plain records with every value normalised, or raises
:class:`RegistryFileError` naming the entry and field at fault; nothing is half-read. Dumping is
deterministic, so export, import and export again gives the same bytes.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from verifier.core.index import (
    BLOCK_KINDS,
    CHANNEL_KINDS,
    PHONE_SUPPORT,
    TRUSTS,
    BlockEntry,
    Channel,
    Platform,
    ReviewedDomain,
)
from verifier.core.link import (
    DANGEROUS_SCHEMES,
    InvalidLink,
    normalize_email,
    normalize_host,
    normalize_link,
)
from verifier.core.phone import InvalidPhone, normalize_phone

__all__ = [
    "RegistryData",
    "RegistryFileError",
    "block_dict",
    "channel_dict",
    "check_platform_trust",
    "dump_registry",
    "load_registry_file",
    "parse_block_entry",
    "parse_channel",
    "parse_platform",
    "parse_registry",
    "platform_dict",
    "with_community_tier",
]

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
FORMATS = ("yaml", "json", "csv")
MAX_FILE_BYTES = 50 * 1024 * 1024


class RegistryFileError(ValueError):
    """A registry file that cannot be imported; the message names the entry and field."""


@dataclass(frozen=True)
class RegistryData:
    """A whole registry as plain records, values normalised."""

    platforms: tuple[Platform, ...]
    blocklist: tuple[BlockEntry, ...]
    #: Domains moderators reviewed as not impersonations (optional in the file).
    reviewed: tuple[ReviewedDomain, ...] = ()


def load_registry_file(path: str | Path) -> RegistryData:
    """Read and validate a registry file (``.json`` is JSON, anything else YAML)."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise RegistryFileError(f"{path}: larger than {MAX_FILE_BYTES // 2**20} MiB")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryFileError(f"{path}: cannot read: {exc}") from exc
    try:
        raw = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise RegistryFileError(
            f"{path}: not valid {path.suffix.lstrip('.') or 'YAML'}: {exc}"
        ) from exc
    except RecursionError as exc:
        raise RegistryFileError(f"{path}: nested too deeply") from exc
    try:
        return parse_registry(raw)
    except RegistryFileError as exc:
        raise RegistryFileError(f"{path}: {exc}") from None


def parse_registry(raw: Any) -> RegistryData:
    """Validate a decoded registry file and normalise every value."""
    if not isinstance(raw, Mapping):
        raise RegistryFileError("the file must be a mapping with 'platforms' and 'blocklist'")
    unknown = set(raw) - {"platforms", "blocklist", "reviewed"}
    if unknown:
        raise RegistryFileError(f"unknown top-level key(s): {', '.join(sorted(map(str, unknown)))}")
    platforms = tuple(
        _parse_platform(entry, f"platforms[{i}]")
        for i, entry in enumerate(_list(raw.get("platforms"), "platforms"))
    )
    slugs: set[str] = set()
    for i, platform in enumerate(platforms):
        if platform.slug in slugs:
            raise RegistryFileError(f"platforms[{i}] ({platform.slug}): slug: duplicate")
        slugs.add(platform.slug)
    blocklist = tuple(
        _parse_block_entry(entry, f"blocklist[{i}]", slugs)
        for i, entry in enumerate(_list(raw.get("blocklist"), "blocklist"))
    )
    seen: set[tuple[str, str]] = set()
    for i, entry in enumerate(blocklist):
        if (entry.kind, entry.value) in seen:
            raise RegistryFileError(f"blocklist[{i}] ({entry.value}): value: duplicate")
        seen.add((entry.kind, entry.value))
    reviewed = tuple(
        _parse_reviewed(entry, f"reviewed[{i}]", slugs)
        for i, entry in enumerate(_list(raw.get("reviewed"), "reviewed"))
    )
    values: set[str] = set()
    for i, review in enumerate(reviewed):
        where = f"reviewed[{i}] ({review.value})"
        if review.value in values:
            raise RegistryFileError(f"{where}: value: duplicate")
        # One file saying both "scam" and "not an impersonation" is a mistake to resolve, not
        # a choice to make silently (the blocklist would win in every verdict).
        if ("domain", review.value) in seen:
            raise RegistryFileError(f"{where}: value: also on the blocklist")
        values.add(review.value)
    return RegistryData(platforms, blocklist, reviewed)


def with_community_tier(data: RegistryData, tier: RegistryData) -> RegistryData:
    """``data`` (a registry's verified entries) with the community tier ``tier`` laid over it,
    as ``RegistryStore.replace_community_tier`` would store it: community platforms added whole,
    and verified platforms, which the tier names by slug, given its community channels after
    their own (a value the platform already lists is left out). The tier names no verified
    platform ``data`` lacks and no community platform whose slug ``data`` holds."""
    by_slug = {p.slug: p for p in data.platforms}
    extra: dict[str, tuple[Channel, ...]] = {}
    added: list[Platform] = []
    for platform in tier.platforms:
        where = f"community tier: {platform.slug}"
        if platform.trust == "community":
            if platform.slug in by_slug:
                raise RegistryFileError(f"{where}: slug: the registry already has it")
            added.append(platform)
        elif platform.slug not in by_slug:
            raise RegistryFileError(f"{where}: no verified platform of that slug")
        else:
            own = {(c.kind, c.value) for c in by_slug[platform.slug].channels}
            extra[platform.slug] = tuple(
                c for c in platform.channels if (c.kind, c.value) not in own
            )
    platforms = tuple(
        dataclasses.replace(p, channels=p.channels + extra[p.slug]) if p.slug in extra else p
        for p in data.platforms
    )
    return dataclasses.replace(data, platforms=platforms + tuple(added))


def parse_platform(entry: Any, where: str = "platform") -> Platform:
    """One platform in registry-file fields (channels optional), validated and normalised."""
    return _parse_platform(entry, where)


def parse_channel(entry: Any, where: str = "channel", country: str = "CN") -> Channel:
    """One channel in registry-file fields, validated and normalised."""
    return _parse_channel(entry, where, country)


def parse_block_entry(entry: Any, slugs: set[str], where: str = "entry") -> BlockEntry:
    """One blocklist entry in registry-file fields; ``impersonates`` must be one of ``slugs``."""
    return _parse_block_entry(entry, where, slugs)


def _list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise RegistryFileError(f"{where}: must be a list")
    return value


def _text(
    entry: Mapping[str, Any], key: str, where: str, *, required: bool = True, default: str = ""
) -> str:
    value = entry.get(key)
    if isinstance(value, str):
        # White space alone is as empty as nothing: a blank note or source says nothing.
        value = value.strip()
    if value is None or value == "":
        if required:
            raise RegistryFileError(f"{where}.{key}: required")
        return default
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RegistryFileError(f"{where}.{key}: must be text")
    text = str(value).strip()
    if len(text) > 2048 or any(ord(c) < 32 for c in text):
        raise RegistryFileError(f"{where}.{key}: too long or contains control characters")
    return text


def _choice(
    entry: Mapping[str, Any], key: str, where: str, choices: tuple[str, ...], default: str
) -> str:
    value = _text(entry, key, where, required=False, default=default)
    if value not in choices:
        raise RegistryFileError(
            f"{where}.{key}: must be one of {', '.join(choices)}, not {value!r}"
        )
    return value


def _date(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or value == "":
        # Checked outside the try: RegistryFileError is a ValueError, and the handler below
        # used to turn "required" into "must be a date …, not None".
        return _missing(where, key)
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError as exc:
        raise RegistryFileError(f"{where}.{key}: must be a date YYYY-MM-DD, not {value!r}") from exc


_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")


def _web_address(text: str, where: str) -> str:
    """A channel's source: the http(s) address of the page it was verified on (pages show it as
    a link, so a ``javascript:`` one must never get in)."""
    if not text.lower().startswith(("https://", "http://")):
        raise RegistryFileError(
            f"{where}: must be the http(s) address of the page it was verified on"
        )
    return text


def _harmless(text: str, where: str) -> str:
    """Evidence or a note: free text, or a link, but never a link that runs code."""
    found = _SCHEME.match(text)
    if found and found.group(1).lower() in DANGEROUS_SCHEMES:
        raise RegistryFileError(f"{where}: a {found.group(1).lower()}: address is not allowed")
    return text


def _missing(where: str, key: str) -> str:
    raise RegistryFileError(f"{where}.{key}: required")


def _names(entry: Mapping[str, Any], key: str, where: str, required: bool) -> tuple[str, str]:
    value = entry.get(key)
    if value is None and not required:
        return "", ""
    if isinstance(value, str):
        return value.strip(), ""
    if not isinstance(value, Mapping):
        raise RegistryFileError(f"{where}.{key}: must be a mapping {{zh: …, en: …}}")
    zh = _text(value, "zh", f"{where}.{key}", required=required and not value.get("en"))
    en = _text(value, "en", f"{where}.{key}", required=False)
    return zh, en


def _parse_platform(entry: Any, where: str) -> Platform:
    if not isinstance(entry, Mapping):
        raise RegistryFileError(f"{where}: must be a mapping")
    slug = _text(entry, "slug", where)
    if not SLUG.match(slug):
        raise RegistryFileError(
            f"{where}.slug: {slug!r} must be lower-case letters, digits and '-'"
        )
    where = f"{where} ({slug})"
    name_zh, name_en = _names(entry, "name", where, required=True)
    aliases = tuple(
        _text({"alias": a}, "alias", f"{where}.aliases[{i}]")
        for i, a in enumerate(_list(entry.get("aliases"), f"{where}.aliases"))
    )
    country = _text(entry, "country", where, required=False, default="CN").upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise RegistryFileError(f"{where}.country: must be a two-letter ISO code, not {country!r}")
    channels = tuple(
        _parse_channel(c, f"{where}.channels[{i}]", country)
        for i, c in enumerate(_list(entry.get("channels"), f"{where}.channels"))
    )
    seen: set[tuple[str, str]] = set()
    for i, channel in enumerate(channels):
        if (channel.kind, channel.value) in seen:
            raise RegistryFileError(f"{where}.channels[{i}].value: duplicate {channel.value}")
        seen.add((channel.kind, channel.value))
    trust = _choice(entry, "trust", where, TRUSTS, "verified")
    check_platform_trust(trust, channels, where)
    return Platform(
        slug=slug,
        name_zh=name_zh,
        name_en=name_en,
        aliases=aliases,
        category=_text(entry, "category", where, required=False),
        country=country,
        phone_support=_choice(entry, "phone_support", where, PHONE_SUPPORT, "unknown"),
        channels=channels,
        trust=trust,
    )


def check_platform_trust(trust: str, channels: Iterable[Channel], where: str = "platform") -> None:
    """Refuse a ``community`` platform that lists a ``verified`` channel: a platform only a
    community data set knows has no moderator-reviewed channel (promote the platform first)."""
    if trust != "community":
        return
    for channel in channels:
        if channel.trust == "verified":
            raise RegistryFileError(
                f"{where}.trust: a community platform cannot list the verified "
                f"{channel.kind} {channel.value}; make the platform verified first"
            )


def _parse_channel(entry: Any, where: str, country: str) -> Channel:
    if not isinstance(entry, Mapping):
        raise RegistryFileError(f"{where}: must be a mapping")
    kind = _choice(entry, "kind", where, CHANNEL_KINDS, "")
    value = normalize_value(kind, _text(entry, "value", where), f"{where}.value", country)
    label_zh, label_en = _names(entry, "label", where, required=False)
    scope = _choice(entry, "scope", where, ("subdomains", "exact"), "subdomains")
    if kind != "domain" and "scope" in entry and scope != "subdomains":
        raise RegistryFileError(f"{where}.scope: only domains have a scope")
    return Channel(
        kind=kind,
        value=value,
        label_zh=label_zh,
        label_en=label_en,
        status=_choice(entry, "status", where, ("active", "retired"), "active"),
        scope=scope if kind == "domain" else "subdomains",
        # A community entry's source is the data set's address, and verified_on its date.
        source=_web_address(_text(entry, "source", where), f"{where}.source"),
        verified_on=_date(entry, "verified_on", where),
        trust=_choice(entry, "trust", where, TRUSTS, "verified"),
    )


def _parse_block_entry(entry: Any, where: str, slugs: set[str]) -> BlockEntry:
    if not isinstance(entry, Mapping):
        raise RegistryFileError(f"{where}: must be a mapping")
    kind = _choice(entry, "kind", where, BLOCK_KINDS, "")
    value = normalize_value(kind, _text(entry, "value", where), f"{where}.value", "CN")
    impersonates = _text(entry, "impersonates", where, required=False) or None
    if impersonates is not None and impersonates not in slugs:
        raise RegistryFileError(f"{where} ({value}).impersonates: no platform {impersonates!r}")
    return BlockEntry(
        kind=kind,
        value=value,
        impersonates=impersonates,
        evidence=_harmless(_text(entry, "evidence", f"{where} ({value})"), f"{where}.evidence"),
        added_on=_date(entry, "added_on", f"{where} ({value})"),
    )


def _parse_reviewed(entry: Any, where: str, slugs: set[str]) -> ReviewedDomain:
    if not isinstance(entry, Mapping):
        raise RegistryFileError(f"{where}: must be a mapping")
    value = normalize_value("domain", _text(entry, "value", where), f"{where}.value")
    link = normalize_link(value)
    if link.is_ip or link.suffix == value:
        # A review covers the hosts below its value, so one of "github.io" or "com.cn" would
        # silence the warnings on every site anyone can register there.
        raise RegistryFileError(
            f"{where}.value: {value!r} is not a site but a suffix or an address; "
            "review a host or a registrable domain"
        )
    where = f"{where} ({value})"
    resembles = _text(entry, "resembles", where, required=False) or None
    if resembles is not None and resembles not in slugs:
        raise RegistryFileError(f"{where}.resembles: no platform {resembles!r}")
    return ReviewedDomain(
        value=value,
        note=_text(entry, "note", where),
        reviewed_on=_date(entry, "reviewed_on", where),
        resembles=resembles,
        source=_harmless(_text(entry, "source", where, required=False), f"{where}.source"),
    )


def _phone(value: str, country: str) -> str:
    return normalize_phone(value, country if country != "ZZ" else "CN").normalized


def _domain(value: str) -> str:
    host = normalize_host(value)
    if "." not in host or normalize_link(host).host != host:
        raise InvalidLink("bad_host")
    return host


_NORMALIZERS: dict[str, Callable[[str, str], str]] = {
    "phone": _phone,
    "domain": lambda v, _c: _domain(v),
    "email": lambda v, _c: normalize_email(v).normalized,
    "url": lambda v, _c: normalize_link(v).normalized,
    "wechat": lambda v, _c: v.strip().lstrip("@").lower(),
    "weibo": lambda v, _c: v.strip().lstrip("@").lower(),
    "app": lambda v, _c: v.strip(),
}


def normalize_value(kind: str, value: str, where: str, country: str = "CN") -> str:
    """Normalise a channel or blocklist value of ``kind``, or raise :class:`RegistryFileError`."""
    try:
        return _NORMALIZERS[kind](value, country)
    except (InvalidPhone, InvalidLink) as exc:
        raise RegistryFileError(f"{where}: {value!r} is not a valid {kind} ({exc.code})") from exc


# --- dumping ---------------------------------------------------------------------------------


def registry_to_dict(data: RegistryData) -> dict[str, Any]:
    """The registry as the file format's mapping, in a stable order."""
    return {
        "platforms": [_platform_dict(p) for p in sorted(data.platforms, key=lambda p: p.slug)],
        "blocklist": [
            _block_dict(b) for b in sorted(data.blocklist, key=lambda b: (b.kind, b.value))
        ],
        "reviewed": [_reviewed_dict(r) for r in sorted(data.reviewed, key=lambda r: r.value)],
    }


def platform_dict(p: Platform, channels: Iterable[Channel] | None = None) -> dict[str, Any]:
    """A platform as the registry file writes it, with ``channels`` instead of its own when
    given (the community importer lists a verified platform with its community channels)."""
    out = _platform_dict(p)
    if channels is not None:
        out["channels"] = [_channel_dict(c) for c in channels]
    return out


def channel_dict(c: Channel) -> dict[str, Any]:
    """A channel as the registry file writes it."""
    return _channel_dict(c)


def block_dict(b: BlockEntry) -> dict[str, Any]:
    """A blocklist entry as the registry file writes it."""
    return _block_dict(b)


def _platform_dict(p: Platform) -> dict[str, Any]:
    return {
        "slug": p.slug,
        "name": {"zh": p.name_zh, "en": p.name_en},
        "aliases": list(p.aliases),
        "category": p.category,
        "country": p.country,
        "phone_support": p.phone_support,
        # Written only when not the default, so files without community entries stay as they were.
        **({"trust": p.trust} if p.trust != "verified" else {}),
        "channels": [_channel_dict(c) for c in p.channels],
    }


def _channel_dict(c: Channel) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": c.kind,
        "value": c.value,
        "label": {"zh": c.label_zh, "en": c.label_en},
        "status": c.status,
    }
    if c.kind == "domain":
        out["scope"] = c.scope
    out["source"] = c.source
    out["verified_on"] = c.verified_on
    if c.trust != "verified":
        out["trust"] = c.trust
    return out


def _block_dict(b: BlockEntry) -> dict[str, Any]:
    return {
        "kind": b.kind,
        "value": b.value,
        "impersonates": b.impersonates,
        "evidence": b.evidence,
        "added_on": b.added_on,
    }


def _reviewed_dict(r: ReviewedDomain) -> dict[str, Any]:
    return {
        "value": r.value,
        "resembles": r.resembles,
        "note": r.note,
        "reviewed_on": r.reviewed_on,
        "source": r.source,
    }


CSV_COLUMNS = (
    "record", "platform", "kind", "value", "label_zh", "label_en", "status", "scope",
    "source", "verified_on", "impersonates", "evidence", "added_on",
    "resembles", "note", "reviewed_on",
)  # fmt: skip


def dump_registry(data: RegistryData, fmt: str = "yaml") -> str:
    """Serialise ``data`` as ``yaml``, ``json`` or ``csv`` (one row per channel, block entry or
    reviewed domain)."""
    mapping = registry_to_dict(data)
    if fmt == "json":
        return json.dumps(mapping, ensure_ascii=False, indent=2) + "\n"
    if fmt == "yaml":
        return yaml.safe_dump(mapping, allow_unicode=True, sort_keys=False, width=100)
    if fmt != "csv":
        raise ValueError(f"unknown format {fmt!r}")
    out = io.StringIO()
    # The trust column appears only when some channel is a community entry, so the export of a
    # registry without any stays what it was; a reader should take a missing column as verified.
    community = any(c.trust != "verified" for p in data.platforms for c in p.channels)
    columns = (*CSV_COLUMNS, "trust") if community else CSV_COLUMNS
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    for platform in mapping["platforms"]:
        for c in platform["channels"]:
            writer.writerow(
                {
                    "record": "channel",
                    "platform": platform["slug"],
                    **{k: v for k, v in c.items() if k != "label"},
                    "label_zh": c["label"]["zh"],
                    "label_en": c["label"]["en"],
                    **({"trust": c.get("trust", "verified")} if community else {}),
                }
            )
    for b in mapping["blocklist"]:
        writer.writerow({"record": "blocklist", **b, "impersonates": b["impersonates"] or ""})
    for r in mapping["reviewed"]:
        writer.writerow({"record": "reviewed", **r, "resembles": r["resembles"] or ""})
    return out.getvalue()
