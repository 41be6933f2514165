"""RegistryStore: every query the application makes of the registry.

Views and commands ask the store; they never build queries themselves. The store turns rows into
the core's plain records, and builds the :class:`RegistryIndex` that checks read.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import String, delete, func, or_, select
from sqlalchemy.orm import Session, selectinload

from registry.files import RegistryData
from registry.models import (
    BlockEntryRow,
    ChannelRow,
    PlatformRow,
    RegistryMeta,
    ReviewedDomainRow,
)
from verifier.core.index import BlockEntry, Channel, Platform, RegistryIndex, ReviewedDomain

__all__ = ["RegistryStore", "channel_record", "platform_record"]


class RegistryStore:
    """Reads and writes the registry through one SQLAlchemy session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # --- reading -----------------------------------------------------------------------------

    def version(self) -> int:
        """The registry version: a cheap read, done before deciding to rebuild an index."""
        return self.session.scalar(select(RegistryMeta.version).where(RegistryMeta.id == 1)) or 0

    def is_empty(self) -> bool:
        """True when the registry holds no platform, no block entry and no reviewed domain."""
        return all(
            self.session.scalar(select(row.id).limit(1)) is None
            for row in (PlatformRow, BlockEntryRow, ReviewedDomainRow)
        )

    def platforms(self, query: str = "", limit: int | None = None) -> list[Platform]:
        """Platforms whose slug, names or aliases contain ``query`` (all when empty), by slug."""
        stmt = (
            select(PlatformRow)
            .options(selectinload(PlatformRow.channels))
            .order_by(PlatformRow.slug)
        )
        # Control characters cut SQLite's LIKE short, and JSON punctuation would match the
        # aliases column's syntax rather than an alias: neither is part of any name.
        query = "".join(c for c in query if c.isprintable() and c not in '"[],\\').strip()
        if query:
            pattern = (
                "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            )
            stmt = stmt.where(
                or_(
                    PlatformRow.slug.ilike(pattern, escape="\\"),
                    PlatformRow.name_zh.ilike(pattern, escape="\\"),
                    PlatformRow.name_en.ilike(pattern, escape="\\"),
                    PlatformRow.aliases.cast(String).ilike(pattern, escape="\\"),
                )
            )
        if limit is not None:
            stmt = stmt.limit(limit)
        return [_platform(row) for row in self.session.scalars(stmt)]

    def platform(self, slug: str) -> Platform | None:
        """The platform called ``slug`` with its channels, or None."""
        row = self.session.scalar(
            select(PlatformRow)
            .options(selectinload(PlatformRow.channels))
            .where(PlatformRow.slug == slug)
        )
        return _platform(row) if row else None

    def blocklist(self) -> list[BlockEntry]:
        """Every block entry, by kind and value."""
        rows = self.session.scalars(
            select(BlockEntryRow).order_by(BlockEntryRow.kind, BlockEntryRow.value)
        )
        return [_block_entry(row) for row in rows]

    def reviewed_domains(self) -> list[ReviewedDomain]:
        """Every domain reviewed as not an impersonation, by value."""
        rows = self.session.scalars(select(ReviewedDomainRow).order_by(ReviewedDomainRow.value))
        return [_reviewed_domain(row) for row in rows]

    def data(self) -> RegistryData:
        """The whole registry as plain records."""
        return RegistryData(
            tuple(self.platforms()), tuple(self.blocklist()), tuple(self.reviewed_domains())
        )

    def build_index(self) -> RegistryIndex:
        """A fresh in-memory index of the whole registry, stamped with its version."""
        version = self.version()
        data = self.data()
        return RegistryIndex.build(
            data.platforms, data.blocklist, version=version, reviewed=data.reviewed
        )

    def stats(self) -> dict[str, Any]:
        """Counts for ``verifier registry stats`` and the about page."""
        # Rows unpack like tuples; Result.tuples() is deprecated since SQLAlchemy 2.1.
        kinds = Counter(
            {
                kind: count
                for kind, count in self.session.execute(
                    select(ChannelRow.kind, func.count()).group_by(ChannelRow.kind)
                )
            }
        )
        statuses = {
            status: count
            for status, count in self.session.execute(
                select(ChannelRow.status, func.count()).group_by(ChannelRow.status)
            )
        }
        return {
            "registry_version": self.version(),
            "platforms": self.session.scalar(select(func.count()).select_from(PlatformRow)) or 0,
            "channels": sum(kinds.values()),
            "channels_by_kind": dict(sorted(kinds.items())),
            "channels_by_status": dict(sorted(statuses.items())),
            "blocklist": self.session.scalar(select(func.count()).select_from(BlockEntryRow)) or 0,
            "reviewed": self.session.scalar(select(func.count()).select_from(ReviewedDomainRow))
            or 0,
        }

    # --- writing -----------------------------------------------------------------------------

    def import_data(self, data: RegistryData, *, replace: bool = False) -> dict[str, int]:
        """Write ``data`` into the registry and raise its version; the caller commits.

        With ``replace`` the registry becomes exactly ``data``. Without it, platforms, block
        entries and reviewed domains in ``data`` are added or overwritten (a platform's channels
        are replaced as a whole) and everything else is kept.
        """
        if replace:
            self.session.execute(delete(ChannelRow))
            self.session.execute(delete(PlatformRow))
            self.session.execute(delete(BlockEntryRow))
            self.session.execute(delete(ReviewedDomainRow))
            self.session.flush()
        existing = {
            row.slug: row
            for row in self.session.scalars(
                select(PlatformRow).options(selectinload(PlatformRow.channels))
            )
        }
        for platform in data.platforms:
            row = existing.get(platform.slug)
            if row is None:
                row = PlatformRow(slug=platform.slug)
                self.session.add(row)
            self._fill_platform(row, platform)
        self.session.flush()
        for entry in data.blocklist:
            block = self.session.scalar(
                select(BlockEntryRow).where(
                    BlockEntryRow.kind == entry.kind, BlockEntryRow.value == entry.value
                )
            )
            if block is None:
                block = BlockEntryRow(kind=entry.kind, value=entry.value)
                self.session.add(block)
            block.impersonates = entry.impersonates
            block.evidence = entry.evidence
            block.added_on = dt.date.fromisoformat(entry.added_on)
            block.revision = (block.revision or 0) + 1
        for review in data.reviewed:
            reviewed = self.session.scalar(
                select(ReviewedDomainRow).where(ReviewedDomainRow.value == review.value)
            )
            if reviewed is None:
                reviewed = ReviewedDomainRow(value=review.value)
                self.session.add(reviewed)
            reviewed.resembles = review.resembles
            reviewed.note = review.note
            reviewed.reviewed_on = dt.date.fromisoformat(review.reviewed_on)
            reviewed.source = review.source
        self.bump_version()
        return {
            "platforms": len(data.platforms),
            "channels": sum(len(p.channels) for p in data.platforms),
            "blocklist": len(data.blocklist),
            "reviewed": len(data.reviewed),
        }

    def bump_version(self) -> int:
        """Raise the registry version by one; every worker's index rebuilds when it sees it."""
        meta = self.session.get(RegistryMeta, 1)
        if meta is None:
            meta = RegistryMeta(id=1, version=0)
            self.session.add(meta)
        meta.version = (meta.version or 0) + 1
        self.session.flush()
        return meta.version

    def _fill_platform(self, row: PlatformRow, platform: Platform) -> None:
        """Overwrite ``row`` with ``platform``. Old channels are deleted (and flushed) before new
        ones are added, since the unit of work would otherwise insert first and break uniqueness."""
        row.name_zh = platform.name_zh
        row.name_en = platform.name_en
        row.aliases = list(platform.aliases)
        row.category = platform.category
        row.country = platform.country
        row.phone_support = platform.phone_support
        # An import overwrites the platform: edits proposed against the old one now conflict.
        row.revision = (row.revision or 0) + 1
        if row.channels:
            row.channels.clear()
            self.session.flush()
        for position, channel in enumerate(platform.channels):
            row.channels.append(
                ChannelRow(
                    position=position,
                    kind=channel.kind,
                    value=channel.value,
                    label_zh=channel.label_zh,
                    label_en=channel.label_en,
                    status=channel.status,
                    scope=channel.scope,
                    source=channel.source,
                    verified_on=dt.date.fromisoformat(channel.verified_on),
                )
            )


def _platform(row: PlatformRow) -> Platform:
    return Platform(
        slug=row.slug,
        name_zh=row.name_zh,
        name_en=row.name_en,
        aliases=tuple(row.aliases or ()),
        category=row.category,
        country=row.country,
        phone_support=row.phone_support,
        channels=tuple(channel_record(c) for c in row.channels),
    )


#: A platform row as the core's record (public for the moderation layer).
platform_record = _platform


def channel_record(c: ChannelRow) -> Channel:
    """A channel row as the core's record."""
    return Channel(
        kind=c.kind,
        value=c.value,
        label_zh=c.label_zh,
        label_en=c.label_en,
        status=c.status,
        scope=c.scope,
        source=c.source,
        verified_on=c.verified_on.isoformat(),
    )


def _block_entry(row: BlockEntryRow) -> BlockEntry:
    return BlockEntry(
        kind=row.kind,
        value=row.value,
        impersonates=row.impersonates,
        evidence=row.evidence,
        added_on=row.added_on.isoformat(),
    )


def _reviewed_domain(row: ReviewedDomainRow) -> ReviewedDomain:
    return ReviewedDomain(
        value=row.value,
        note=row.note,
        reviewed_on=row.reviewed_on.isoformat(),
        resembles=row.resembles,
        source=row.source,
    )
