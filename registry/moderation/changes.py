"""Writing changes to the registry: an approved proposal, a direct import, and the list of
channels due for re-verification."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from registry.files import (
    RegistryData,
    RegistryFileError,
    check_platform_trust,
    parse_channel,
    parse_platform,
    parse_registry,
    registry_to_dict,
)
from registry.models import BlockEntryRow, ChannelRow, PlatformRow, ProposalRow
from registry.moderation.base import ModerationBase
from registry.moderation.common import utcnow
from registry.moderation.entries import _import_diff
from registry.moderation.errors import Conflict
from registry.store import block_key, channel_record


class ChangesMixin(ModerationBase):
    """Applying approved proposals and imports; finding channels to re-verify."""

    def _apply(self, row: ProposalRow, actor: str) -> None:
        """Write the proposal's change, refusing it if its entry moved since it was proposed."""
        payload = row.payload
        target = f"platform:{row.platform}" if row.platform else "blocklist"
        if row.action == "import":
            version = self.store.version()
            if version != row.base_revision:
                raise Conflict(
                    f"the registry changed after this import was proposed (version "
                    f"{row.base_revision}, now {version}); reject it and propose the file again, "
                    "so that its diff shows what it would overwrite"
                )
            data = parse_registry(payload["registry"])
            counts = self.store.import_data(data, replace=bool(payload.get("replace")))
            self.log(actor, "registry.import", f"proposal:{row.id}", None, counts)
            return
        if row.action in ("add_platform", "edit_platform"):
            fields = payload["platform"]
            prow = self._platform_row(row.platform, missing_ok=True)
            if row.action == "add_platform":
                if prow is not None:
                    raise Conflict(f"a platform {row.platform!r} was created meanwhile")
                prow = PlatformRow(slug=row.platform, revision=0)
                self.session.add(prow)
            else:
                self._same_revision(prow, row, f"platform {row.platform}")
            parsed = parse_platform(fields)
            prow.name_zh, prow.name_en = parsed.name_zh, parsed.name_en
            prow.aliases = list(parsed.aliases)
            prow.category, prow.country = parsed.category, parsed.country
            prow.phone_support = parsed.phone_support
            prow.trust = parsed.trust
            _check_trust(prow)
            prow.revision = (prow.revision or 0) + 1
            prow.changed_in = self.store.change_stamp()
            self.session.flush()
            self.log(actor, f"registry.{row.action}", target, row.before, fields)
            return
        if row.action in ("add_channel", "edit_channel", "retire_channel"):
            prow = self._platform_row(row.platform)
            channel = parse_channel(payload["channel"], "channel", prow.country)
            crow = self._channel_row(prow, channel.kind, channel.value, missing_ok=True)
            if row.action == "add_channel":
                if crow is not None:
                    raise Conflict(f"{row.platform} already lists {channel.kind} {channel.value}")
                crow = ChannelRow(
                    kind=channel.kind,
                    value=channel.value,
                    revision=0,
                    position=max((c.position for c in prow.channels), default=-1) + 1,
                )
                prow.channels.append(crow)
            else:
                self._same_revision(crow, row, f"{channel.kind} {channel.value} of {row.platform}")
            crow.label_zh, crow.label_en = channel.label_zh, channel.label_en
            crow.status, crow.scope, crow.source = channel.status, channel.scope, channel.source
            crow.verified_on = dt.date.fromisoformat(channel.verified_on)
            crow.trust = channel.trust
            _check_trust(prow)
            crow.revision = (crow.revision or 0) + 1
            # A snapshot sends a platform whole: a channel's change is its platform's.
            prow.changed_in = self.store.change_stamp()
            self.session.flush()
            self.log(
                actor,
                f"registry.{row.action}",
                f"{target}/{channel.kind}/{channel.value}",
                row.before,
                payload["channel"],
            )
            return
        entry = payload["entry"]
        brow = self._block_row(entry["kind"], entry["value"], missing_ok=True)
        if row.action == "add_blocklist":
            if brow is not None:
                raise Conflict(f"{entry['kind']} {entry['value']} was blocklisted meanwhile")
            self.session.add(
                BlockEntryRow(
                    kind=entry["kind"],
                    value=entry["value"],
                    impersonates=entry.get("impersonates"),
                    evidence=entry["evidence"],
                    added_on=dt.date.fromisoformat(entry["added_on"]),
                    revision=1,
                    changed_in=self.store.change_stamp(),
                )
            )
        else:
            self._same_revision(brow, row, f"blocklist entry {entry['value']}")
            self.session.delete(brow)
            self.store.record_removal("blocklist", block_key(brow.kind, brow.value))
        self.session.flush()
        self.log(
            actor,
            f"registry.{row.action}",
            f"blocklist:{entry['kind']}/{entry['value']}",
            row.before,
            entry if row.action == "add_blocklist" else None,
        )

    def _same_revision(self, entity: Any, row: ProposalRow, words: str) -> None:
        if entity is None:
            raise Conflict(f"{words} no longer exists; the proposal cannot be applied")
        if entity.revision != row.base_revision:
            raise Conflict(
                f"{words} was changed after this proposal was made (revision "
                f"{row.base_revision}, now {entity.revision}); reject it and propose again"
            )

    # --- import ----------------------------------------------------------------------------------

    def import_direct(self, actor: str, data: RegistryData, replace_all: bool) -> dict[str, int]:
        """Write a registry file at once (an operator's or an admin's ``--direct`` import)."""
        counts = self.store.import_data(data, replace=replace_all)
        self.log(actor, "registry.import", "registry", None, {**counts, "replace": replace_all})
        return counts

    def import_diff(self, data: RegistryData, replace_all: bool) -> list[tuple[str, Any, Any]]:
        """What importing ``data`` would change, as ``(entry, before, after)`` rows."""
        return _import_diff(
            self.store.data(), {"registry": registry_to_dict(data), "replace": replace_all}
        )

    # --- re-verification -------------------------------------------------------------------------

    def due(self, max_age_days: int = 365, today: dt.date | None = None) -> list[ChannelRow]:
        """Active channels last verified more than ``max_age_days`` ago, oldest first."""
        cutoff = (today or utcnow().date()) - dt.timedelta(days=max_age_days)
        stmt = (
            select(ChannelRow)
            .join(PlatformRow)
            .options(selectinload(ChannelRow.platform))
            .where(ChannelRow.status == "active", ChannelRow.verified_on < cutoff)
            .order_by(ChannelRow.verified_on, PlatformRow.slug, ChannelRow.position)
        )
        return list(self.session.scalars(stmt))


def _check_trust(prow: PlatformRow) -> None:
    """Checked again on approval: the platform's trust may have changed since the proposal
    (its own revision guards its fields, not its channels')."""
    try:
        check_platform_trust(prow.trust, [channel_record(c) for c in prow.channels], prow.slug)
    except RegistryFileError as exc:
        raise Conflict(f"{exc}; reject this proposal and propose again") from None
