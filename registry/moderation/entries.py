"""The registry entries a proposal is about: finding them, and validating the proposed change
against them (its payload, the entry as it is now, and its revision)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from registry.files import (
    RegistryData,
    block_dict,
    channel_dict,
    check_platform_trust,
    parse_block_entry,
    parse_channel,
    parse_platform,
    parse_registry,
    platform_dict,
    registry_to_dict,
)
from registry.models import BlockEntryRow, ChannelRow, PlatformRow
from registry.moderation.base import ModerationBase
from registry.moderation.common import utcnow
from registry.moderation.errors import Conflict, Invalid, NotFound
from registry.store import channel_record, platform_record
from verifier.core.index import Channel


class EntriesMixin(ModerationBase):
    """Looking up platforms, channels and blocklist entries, and preparing a proposal's change."""

    # The proposal's entry: validated payload, the entry as it is now, and its revision.
    def _prepare(
        self,
        action: str,
        platform: str | Mapping[str, Any] | None,
        channel: Mapping[str, Any] | None,
        entry: Mapping[str, Any] | None,
        source: str,
        registry: Mapping[str, Any] | None,
        replace_all: bool,
    ) -> tuple[str, dict[str, Any], dict[str, Any] | None, int]:
        if action == "import":
            if not isinstance(registry, Mapping):
                raise Invalid("an import needs the registry file's contents")
            data = parse_registry(registry)
            payload = {"registry": registry_to_dict(data), "replace": replace_all}
            # The diff is kept as proposed: what the reviewers approve is what they saw, and the
            # registry version it was made against turns any later change into a conflict.
            payload["diff"] = [list(change) for change in _import_diff(self.store.data(), payload)]
            return "", payload, None, self.store.version()
        if action in ("add_blocklist", "remove_blocklist"):
            return self._prepare_block(action, entry, source)
        if action in ("add_platform", "edit_platform"):
            return self._prepare_platform(action, platform)
        slug = platform if isinstance(platform, str) else ""
        prow = self._platform_row(slug)
        if not isinstance(channel, Mapping):
            raise Invalid("'channel' must be an object of registry-file channel fields")
        if action == "add_channel":
            parsed = parse_channel(channel, "channel", prow.country)
            if parsed.status != "active":
                raise Invalid("a new channel is active; propose retiring it separately")
            if self._channel_row(prow, parsed.kind, parsed.value, missing_ok=True) is not None:
                raise Conflict(f"{prow.slug} already lists {parsed.kind} {parsed.value}")
            check_platform_trust(prow.trust, [parsed], prow.slug)
            return prow.slug, {"channel": _channel_fields(parsed)}, None, 0
        kind, value = self._channel_key(channel, prow.country)
        crow = self._channel_row(prow, kind, value)
        current = _channel_fields(channel_record(crow))
        if action == "retire_channel":
            if crow.status == "retired":
                raise Conflict(f"{kind} {value} of {prow.slug} is already retired")
            if not source:
                raise Invalid("retiring a channel needs a source saying it is out of service")
            after = {
                **current,
                "status": "retired",
                "source": source,
                "verified_on": utcnow().date().isoformat(),
            }
            return prow.slug, {"channel": after}, current, crow.revision
        merged = {**current, **{k: v for k, v in channel.items() if k not in ("kind", "value")}}
        parsed = parse_channel(merged, "channel", prow.country)
        if crow.trust == "community" and parsed.trust == "verified":
            _check_promotion(channel)
        check_platform_trust(prow.trust, [parsed], prow.slug)
        if _channel_fields(parsed) == current:
            raise Invalid("the edit changes nothing")
        return prow.slug, {"channel": _channel_fields(parsed)}, current, crow.revision

    def _prepare_block(
        self, action: str, entry: Mapping[str, Any] | None, source: str
    ) -> tuple[str, dict[str, Any], dict[str, Any] | None, int]:
        if not isinstance(entry, Mapping):
            raise Invalid("'entry' must be an object of registry-file blocklist fields")
        slugs = set(self.session.scalars(select(PlatformRow.slug)))
        if action == "add_blocklist":
            fields = {"added_on": utcnow().date().isoformat(), **entry}
            parsed = parse_block_entry(fields, slugs)
            if self._block_row(parsed.kind, parsed.value, missing_ok=True) is not None:
                raise Conflict(f"{parsed.kind} {parsed.value} is already on the blocklist")
            return "", {"entry": block_dict(parsed)}, None, 0
        fields = {"evidence": "-", "added_on": "2000-01-01", "impersonates": None, **entry}
        parsed = parse_block_entry(fields, slugs | {fields.get("impersonates") or ""})
        brow = self._block_row(parsed.kind, parsed.value)
        if not source:
            raise Invalid("removing a blocklist entry needs a source saying why it is wrong")
        current = _block_row_dict(brow)
        return "", {"entry": current, "source": source}, current, brow.revision

    def _prepare_platform(
        self, action: str, platform: str | Mapping[str, Any] | None
    ) -> tuple[str, dict[str, Any], dict[str, Any] | None, int]:
        if not isinstance(platform, Mapping):
            raise Invalid("'platform' must be an object of registry-file platform fields")
        fields = {k: v for k, v in platform.items() if k not in ("channels", "revision")}
        slug = fields.get("slug")
        prow = self._platform_row(slug, missing_ok=True) if isinstance(slug, str) else None
        if action == "add_platform":
            parsed = parse_platform(fields)
            if prow is not None:
                raise Conflict(f"a platform {parsed.slug!r} already exists")
            return parsed.slug, {"platform": _platform_fields(platform_dict(parsed))}, None, 0
        if prow is None:
            raise NotFound(f"no platform {slug!r}")
        record = platform_record(prow)
        current = _platform_fields(platform_dict(record))
        # Fields left out of an edit keep their current values.
        parsed = parse_platform({**current, **fields})
        check_platform_trust(parsed.trust, record.channels, prow.slug)
        payload = _platform_fields(platform_dict(parsed))
        if payload == current:
            raise Invalid("the edit changes nothing")
        return prow.slug, {"platform": payload}, current, prow.revision

    def _platform_row(self, slug: str, missing_ok: bool = False) -> PlatformRow:
        row = None
        # No slug holds NUL, and PostgreSQL refuses it even in a comparison.
        if "\x00" not in slug:
            row = self.session.scalar(
                select(PlatformRow)
                .options(selectinload(PlatformRow.channels))
                .where(PlatformRow.slug == slug)
            )
        if row is None and not missing_ok:
            raise NotFound(f"no platform {slug!r}")
        return row  # type: ignore[return-value]

    def _channel_key(self, channel: Mapping[str, Any], country: str) -> tuple[str, str]:
        from registry.files import normalize_value

        kind = channel.get("kind")
        value = channel.get("value")
        if not isinstance(kind, str) or not isinstance(value, str):
            raise Invalid("'channel' needs the 'kind' and 'value' of the channel to change")
        return kind, normalize_value(kind, value, "channel.value", country)

    def _channel_row(
        self, prow: PlatformRow, kind: str, value: str, missing_ok: bool = False
    ) -> ChannelRow:
        for row in prow.channels:
            if row.kind == kind and row.value == value:
                return row
        if not missing_ok:
            raise NotFound(f"{prow.slug} lists no {kind} {value}")
        return None  # type: ignore[return-value]

    def _block_row(self, kind: str, value: str, missing_ok: bool = False) -> BlockEntryRow:
        row = self.session.scalar(
            select(BlockEntryRow).where(BlockEntryRow.kind == kind, BlockEntryRow.value == value)
        )
        if row is None and not missing_ok:
            raise NotFound(f"{kind} {value} is not on the blocklist")
        return row  # type: ignore[return-value]


# --- helpers -------------------------------------------------------------------------------------


def _platform_fields(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """A platform's own fields, ``trust`` always written: a proposal's diff and the audit log
    then show a change of trust as ``verified`` against ``community``."""
    fields = {k: v for k, v in mapping.items() if k != "channels"}
    return {**fields, "trust": mapping.get("trust", "verified")}


def _channel_fields(channel: Channel) -> dict[str, Any]:
    """A channel in registry-file fields with ``trust`` always written (see above)."""
    return {**channel_dict(channel), "trust": channel.trust}


def _check_promotion(channel: Mapping[str, Any]) -> None:
    """A community channel becomes verified only with the moderator's own check: the edit must
    give the ``source`` it was verified on and its ``verified_on`` date, not inherit the
    community data set's."""
    missing = [key for key in ("source", "verified_on") if not channel.get(key)]
    if missing:
        raise Invalid(
            "promoting a community channel to verified needs the channel's "
            f"{' and '.join(missing)} of your own verification"
        )


def _block_row_dict(row: BlockEntryRow) -> dict[str, Any]:
    return {
        "kind": row.kind,
        "value": row.value,
        "impersonates": row.impersonates,
        "evidence": row.evidence,
        "added_on": row.added_on.isoformat(),
    }


def _import_diff(current: RegistryData, payload: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    now = registry_to_dict(current)
    new = payload["registry"]
    replace_all = bool(payload.get("replace"))
    rows: list[tuple[str, Any, Any]] = []
    old_platforms = {p["slug"]: p for p in now["platforms"]}
    new_platforms = {p["slug"]: p for p in new["platforms"]}
    for slug, platform in new_platforms.items():
        if old_platforms.get(slug) != platform:
            rows.append((f"platform {slug}", old_platforms.get(slug), platform))
    old_block = {(b["kind"], b["value"]): b for b in now["blocklist"]}
    new_block = {(b["kind"], b["value"]): b for b in new["blocklist"]}
    for key, entry in new_block.items():
        if old_block.get(key) != entry:
            rows.append((f"blocklist {key[0]} {key[1]}", old_block.get(key), entry))
    old_reviewed = {r["value"]: r for r in now["reviewed"]}
    for review in new.get("reviewed", []):
        if old_reviewed.get(review["value"]) != review:
            rows.append((f"reviewed {review['value']}", old_reviewed.get(review["value"]), review))
    if replace_all:
        rows += [
            (f"platform {s}", p, None) for s, p in old_platforms.items() if s not in new_platforms
        ]
        rows += [
            (f"blocklist {k[0]} {k[1]}", b, None)
            for k, b in old_block.items()
            if k not in new_block
        ]
        new_reviewed = {r["value"] for r in new.get("reviewed", [])}
        rows += [
            (f"reviewed {v}", r, None) for v, r in old_reviewed.items() if v not in new_reviewed
        ]
    return rows
