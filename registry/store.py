"""RegistryStore: every query the application makes of the registry.

Views and commands ask the store; they never build queries themselves. The store turns rows into
the core's plain records, and builds the :class:`RegistryIndex` that checks read.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import String, delete, func, or_, select
from sqlalchemy.orm import Session, selectinload

from registry.files import RegistryData
from registry.models import (
    BlockEntryRow,
    ChannelRow,
    PlatformRow,
    RegistryMeta,
    ReviewedDomainRow,
    TombstoneRow,
)
from verifier.core.index import (
    TRUSTS,
    BlockEntry,
    Channel,
    Platform,
    RegistryIndex,
    ReviewedDomain,
)

__all__ = ["RegistryChanges", "RegistryStore", "block_key", "channel_record", "platform_record"]

R = TypeVar("R")
K = TypeVar("K", bound=Hashable)
#: Where a session keeps the version its current transaction's changes are stamped with.
_STAMP = "registry.change_stamp"


@dataclass(frozen=True)
class RegistryChanges:
    """What changed in the registry after version ``since``, up to ``version``.

    Added and changed entries are given whole; removed ones by their key. An entry removed and
    added again since is listed as changed, not removed; one added and removed since is listed
    as removed (the client never had it: removing it does nothing).
    """

    version: int
    since: int
    platforms: tuple[Platform, ...]
    removed_platforms: tuple[str, ...]
    blocklist: tuple[BlockEntry, ...]
    #: ``(kind, value)`` of each removed block entry.
    removed_blocklist: tuple[tuple[str, str], ...]
    reviewed: tuple[ReviewedDomain, ...]
    removed_reviewed: tuple[str, ...]


def block_key(kind: str, value: str) -> str:
    """A block entry's tombstone key: ``<kind>:<value>`` (a kind never holds a colon)."""
    return f"{kind}:{value}"


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
        if "\x00" in slug:
            return None  # no slug holds NUL, and PostgreSQL refuses it even in a comparison
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

    def changes_tracked_since(self) -> int:
        """The oldest version :meth:`changes` can answer from (changes were recorded since)."""
        return (
            self.session.scalar(select(RegistryMeta.changes_since).where(RegistryMeta.id == 1)) or 0
        )

    def changes(self, since: int) -> RegistryChanges:
        """Entries changed and removed after version ``since`` (see :class:`RegistryChanges`).

        The version is read first: on a database whose reads are not one snapshot (PostgreSQL's
        read committed) a change committed meanwhile is sent now and again next time, never lost.
        """
        version = self.version()
        platforms = self.session.scalars(
            select(PlatformRow)
            .options(selectinload(PlatformRow.channels))
            .where(PlatformRow.changed_in > since)
            .order_by(PlatformRow.slug)
        )
        blocks = self.session.scalars(
            select(BlockEntryRow)
            .where(BlockEntryRow.changed_in > since)
            .order_by(BlockEntryRow.kind, BlockEntryRow.value)
        )
        reviews = self.session.scalars(
            select(ReviewedDomainRow)
            .where(ReviewedDomainRow.changed_in > since)
            .order_by(ReviewedDomainRow.value)
        )
        removed: dict[str, list[str]] = {"platform": [], "blocklist": [], "reviewed": []}
        for kind, key in self.session.execute(
            select(TombstoneRow.kind, TombstoneRow.key)
            .where(TombstoneRow.deleted_in > since)
            .order_by(TombstoneRow.kind, TombstoneRow.key)
        ):
            removed.setdefault(kind, []).append(key)
        # A tombstone outlives its entry's return: what exists now was not removed.
        slugs = set(self.session.scalars(select(PlatformRow.slug)))
        blocked = {
            block_key(k, v)
            for k, v in self.session.execute(select(BlockEntryRow.kind, BlockEntryRow.value))
        }
        reviewed = set(self.session.scalars(select(ReviewedDomainRow.value)))
        return RegistryChanges(
            version=version,
            since=since,
            platforms=tuple(_platform(row) for row in platforms),
            removed_platforms=tuple(k for k in removed["platform"] if k not in slugs),
            blocklist=tuple(_block_entry(row) for row in blocks),
            removed_blocklist=tuple(
                (kind, value)
                for kind, _, value in (k.partition(":") for k in removed["blocklist"])
                if block_key(kind, value) not in blocked
            ),
            reviewed=tuple(_reviewed_domain(row) for row in reviews),
            removed_reviewed=tuple(k for k in removed["reviewed"] if k not in reviewed),
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
            "by_trust": self._stats_by_trust(),
        }

    def _stats_by_trust(self) -> dict[str, dict[str, Any]]:
        """Platforms and channels (in all and by kind) of each trust tier, every tier listed."""

        def tier(trust: str) -> dict[str, Any]:
            return tiers.setdefault(trust, {"platforms": 0, "channels": 0, "channels_by_kind": {}})

        tiers: dict[str, dict[str, Any]] = {}
        for trust in TRUSTS:
            tier(trust)
        for trust, count in self.session.execute(
            select(PlatformRow.trust, func.count()).group_by(PlatformRow.trust)
        ):
            tier(trust)["platforms"] = count
        for trust, kind, count in self.session.execute(
            select(ChannelRow.trust, ChannelRow.kind, func.count())
            .group_by(ChannelRow.trust, ChannelRow.kind)
            .order_by(ChannelRow.trust, ChannelRow.kind)
        ):
            tier(trust)["channels"] += count
            tier(trust)["channels_by_kind"][kind] = count
        return tiers

    # --- writing -----------------------------------------------------------------------------

    def import_data(self, data: RegistryData, *, replace: bool = False) -> dict[str, int]:
        """Write ``data`` into the registry and raise its version; the caller commits.

        With ``replace`` the registry becomes exactly ``data``. Without it, platforms, block
        entries and reviewed domains in ``data`` are added or overwritten (a platform's channels
        are replaced as a whole) and everything else is kept. Only entries that differ from what
        was there are stamped as changed, so re-importing a file changes nothing for a client
        asking what changed since.
        """
        stamp = self.change_stamp()
        old_platforms, old_blocks, old_reviews = self._stamped()
        if replace:
            self.session.execute(delete(ChannelRow))
            self.session.execute(delete(PlatformRow))
            self.session.execute(delete(BlockEntryRow))
            self.session.execute(delete(ReviewedDomainRow))
            self.session.flush()
            kept_slugs = {p.slug for p in data.platforms}
            kept_blocks = {(b.kind, b.value) for b in data.blocklist}
            kept_reviews = {r.value for r in data.reviewed}
            for slug in old_platforms.keys() - kept_slugs:
                self.record_removal("platform", slug)
            for kind, value in old_blocks.keys() - kept_blocks:
                self.record_removal("blocklist", block_key(kind, value))
            for value in old_reviews.keys() - kept_reviews:
                self.record_removal("reviewed", value)
        existing = self._platform_rows()
        for platform in data.platforms:
            row = existing.get(platform.slug)
            if row is None:
                row = PlatformRow(slug=platform.slug)
                self.session.add(row)
            self._fill_platform(row, platform)
            row.changed_in = _stamp_for(old_platforms, platform.slug, platform, stamp)
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
            block.changed_in = _stamp_for(old_blocks, (entry.kind, entry.value), entry, stamp)
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
            reviewed.changed_in = _stamp_for(old_reviews, review.value, review, stamp)
        self.bump_version()
        return {
            "platforms": len(data.platforms),
            "channels": sum(len(p.channels) for p in data.platforms),
            "blocklist": len(data.blocklist),
            "reviewed": len(data.reviewed),
        }

    def replace_community_tier(self, data: RegistryData) -> dict[str, int]:
        """Make the registry's community tier exactly ``data``; the caller commits.

        ``data`` lists community platforms whole, and verified platforms by slug with their
        community channels only. Every community channel and community platform ``data`` no
        longer has is deleted; verified platforms' fields and verified channels are never
        touched (a community channel repeating a verified one of its platform is left out). The
        version is raised once; only platforms whose channels changed are stamped as changed.
        Raises ``ValueError`` when ``data`` names a verified platform that does not exist, or a
        community platform whose slug a verified one holds, before anything is written.
        """
        rows = self._platform_rows()
        for platform in data.platforms:
            row = rows.get(platform.slug)
            if platform.trust == "verified" and (row is None or row.trust != "verified"):
                raise ValueError(f"{platform.slug}: no verified platform of that slug")
            if platform.trust == "community" and row is not None and row.trust == "verified":
                raise ValueError(f"{platform.slug}: a verified platform holds that slug")
        stamp = self.change_stamp()
        counts = dict.fromkeys(
            ("platforms_added", "platforms_changed", "platforms_removed", "channels"), 0
        )
        wanted = {p.slug: p for p in data.platforms}
        for slug, row in rows.items():
            if row.trust == "community" and slug not in wanted:
                self.session.delete(row)
                self.record_removal("platform", slug)
                counts["platforms_removed"] += 1
        self.session.flush()
        for slug, row in sorted(rows.items()):
            if row.trust != "verified":
                continue
            community = [c for c in wanted[slug].channels] if slug in wanted else []
            if self._replace_community_channels(row, community):
                row.revision = (row.revision or 0) + 1
                row.changed_in = stamp
                counts["platforms_changed"] += 1
        for platform in data.platforms:
            if platform.trust != "community":
                continue
            row = rows.get(platform.slug)
            if row is not None and row.trust == "community" and _platform(row) == platform:
                continue
            if row is None or row.trust != "community":
                row = PlatformRow(slug=platform.slug)
                self.session.add(row)
                counts["platforms_added"] += 1
            else:
                counts["platforms_changed"] += 1
            self._fill_platform(row, platform)
            row.changed_in = stamp
        self.session.flush()
        counts["channels"] = sum(len(p.channels) for p in data.platforms)
        self.bump_version()
        return counts

    def _platform_rows(self) -> dict[str, PlatformRow]:
        """Every platform row by slug, its channels loaded with it."""
        return {
            row.slug: row
            for row in self.session.scalars(
                select(PlatformRow).options(selectinload(PlatformRow.channels))
            )
        }

    def _replace_community_channels(self, row: PlatformRow, channels: list[Channel]) -> bool:
        """Make a verified platform's community channels ``channels`` (after its verified
        ones, which stay as they are); True when anything changed."""
        verified = [c for c in row.channels if c.trust == "verified"]
        taken = {(c.kind, c.value) for c in verified}
        channels = [c for c in channels if (c.kind, c.value) not in taken]
        old = [channel_record(c) for c in row.channels if c.trust != "verified"]
        if old == channels:
            return False
        for channel_row in [c for c in row.channels if c.trust != "verified"]:
            row.channels.remove(channel_row)
        self.session.flush()
        start = max((c.position for c in verified), default=-1) + 1
        for position, channel in enumerate(channels, start):
            row.channels.append(_channel_row(channel, position))
        return True

    def _stamped(
        self,
    ) -> tuple[
        dict[str, tuple[Platform, int]],
        dict[tuple[str, str], tuple[BlockEntry, int]],
        dict[str, tuple[ReviewedDomain, int]],
    ]:
        """Every entry as a record with the version that last changed it, by key."""
        platforms = self.session.scalars(
            select(PlatformRow).options(selectinload(PlatformRow.channels))
        )
        return (
            {row.slug: (_platform(row), row.changed_in) for row in platforms},
            {
                (row.kind, row.value): (_block_entry(row), row.changed_in)
                for row in self.session.scalars(select(BlockEntryRow))
            },
            {
                row.value: (_reviewed_domain(row), row.changed_in)
                for row in self.session.scalars(select(ReviewedDomainRow))
            },
        )

    def change_stamp(self) -> int:
        """The registry version this transaction's changes are stamped with (``changed_in``).

        The version is raised at the first change of a transaction rather than at its end, and
        the changes carry the result: raising it takes the version row's write lock until commit,
        so two writers at once cannot stamp their changes with the same version (on PostgreSQL
        the second waits for the first). :meth:`bump_version` then does not raise it again.
        """
        held = self.session.info.get(_STAMP)
        if held is not None and held[0] is self.session.get_transaction():
            return int(held[1])
        stamp = self._raise_version()
        self.session.info[_STAMP] = (self.session.get_transaction(), stamp)
        return stamp

    def record_removal(self, kind: str, key: str) -> None:
        """Remember that the entry ``key`` of ``kind`` (``platform``, ``blocklist``: see
        :func:`block_key`, ``reviewed``) was removed in this transaction's version."""
        stamp = self.change_stamp()
        row = self.session.scalar(
            select(TombstoneRow).where(TombstoneRow.kind == kind, TombstoneRow.key == key)
        )
        if row is None:
            self.session.add(TombstoneRow(kind=kind, key=key, deleted_in=stamp))
        else:
            row.deleted_in = stamp

    def bump_version(self) -> int:
        """Raise the registry version by one, unless this transaction's changes already raised
        it (:meth:`change_stamp`); every worker's index rebuilds when it sees the new version."""
        held = self.session.info.pop(_STAMP, None)
        if held is not None and held[0] is self.session.get_transaction():
            return int(held[1])
        return self._raise_version()

    def _raise_version(self) -> int:
        # FOR UPDATE (ignored by SQLite, which locks the whole file on write): a concurrent
        # writer waits here and then reads the version this one committed.
        meta = self.session.get(RegistryMeta, 1, with_for_update=True, populate_existing=True)
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
        row.trust = platform.trust
        # An import overwrites the platform: edits proposed against the old one now conflict.
        row.revision = (row.revision or 0) + 1
        if row.channels:
            row.channels.clear()
            self.session.flush()
        for position, channel in enumerate(platform.channels):
            row.channels.append(_channel_row(channel, position))


def _channel_row(channel: Channel, position: int) -> ChannelRow:
    return ChannelRow(
        position=position,
        kind=channel.kind,
        value=channel.value,
        label_zh=channel.label_zh,
        label_en=channel.label_en,
        status=channel.status,
        scope=channel.scope,
        source=channel.source,
        verified_on=dt.date.fromisoformat(channel.verified_on),
        trust=channel.trust,
    )


def _stamp_for(old: Mapping[K, tuple[R, int]], key: K, record: R, stamp: int) -> int:
    """``stamp``, or the entry's old stamp when ``record`` is what was there already."""
    found = old.get(key)
    return found[1] if found is not None and found[0] == record else stamp


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
        trust=row.trust,
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
        trust=c.trust,
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
