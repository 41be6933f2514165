"""How often people check community entries: counted per worker, added up in the database.

Moderators review community entries (taken from community data sets, not yet checked against a
source) most-asked-about first. What is kept is deliberately poor: a running total per registry
value and the day of the latest check. Nothing about who asked, what they typed or the time of
day is held, in memory or in the database, and only values that are community entries of the
registry are counted, so no one's input is ever stored.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Executable, and_, case, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.base import ReadOnlyColumnCollection
from sqlalchemy.sql.elements import KeyedColumnElement

from registry.models import ChannelRow, CheckCountRow, PlatformRow
from verifier.core.index import ChannelMatch, RegistryIndex
from verifier.core.link import InvalidLink, normalize_email, normalize_link
from verifier.core.phone import InvalidPhone, normalize_phone
from verifier.core.verdict import Verdict

__all__ = [
    "CheckCounter",
    "CommunityEntry",
    "add_counts",
    "community_channel",
    "community_entries_by_checks",
]

log = logging.getLogger(__name__)

#: Rows per INSERT: four parameters each stays far below SQLite's limit on bound parameters.
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class CommunityEntry:
    """An active community channel and how often it was checked."""

    platform_slug: str
    platform_name_zh: str
    platform_name_en: str
    #: The channel's kind and normalised value, as in the registry.
    kind: str
    value: str
    #: Checks counted so far; 0 when nobody checked it yet.
    count: int
    #: The day of the latest counted check, or None when never checked.
    last_checked: dt.date | None


def add_counts(session: Session, counts: Mapping[tuple[str, str], int], day: dt.date) -> None:
    """Add ``counts`` of ``(kind, value)`` checks made on ``day`` to the stored totals.

    One upsert per chunk, so that workers flushing at the same moment add up instead of
    overwriting each other. The caller commits.
    """
    dialect = session.get_bind().dialect.name
    # Sorted: concurrent flushes of other workers lock the rows in the same order (no deadlock).
    rows = [
        {"kind": kind, "value": value, "count": count, "last_checked": day}
        for (kind, value), count in sorted(counts.items())
        if count > 0
    ]
    for start in range(0, len(rows), _CHUNK):
        session.execute(_upsert(dialect, rows[start : start + _CHUNK]))


def _upsert(dialect: str, rows: list[dict[str, object]]) -> Executable:
    """INSERT … ON CONFLICT (kind, value) DO UPDATE adding the counts: SQLite and PostgreSQL
    spell it alike, but SQLAlchemy has a construct per dialect."""
    key = [CheckCountRow.kind, CheckCountRow.value]
    if dialect == "postgresql":
        on_postgresql = postgresql.insert(CheckCountRow).values(rows)
        return on_postgresql.on_conflict_do_update(
            index_elements=key, set_=_added(on_postgresql.excluded)
        )
    on_sqlite = sqlite.insert(CheckCountRow).values(rows)
    return on_sqlite.on_conflict_do_update(index_elements=key, set_=_added(on_sqlite.excluded))


def _added(new: ReadOnlyColumnCollection[str, KeyedColumnElement[Any]]) -> dict[str, Any]:
    """The stored row with the ``new`` one (``excluded``) added to it."""
    return {
        "count": CheckCountRow.count + new.count,
        # A worker may flush yesterday's counts after another wrote today's.
        "last_checked": case(
            (new.last_checked > CheckCountRow.last_checked, new.last_checked),
            else_=CheckCountRow.last_checked,
        ),
    }


def community_entries_by_checks(
    session: Session, limit: int, offset: int = 0
) -> list[CommunityEntry]:
    """Active community channels, most checked first, then by platform slug, kind and value."""
    count = func.coalesce(CheckCountRow.count, 0)
    rows = session.execute(
        select(
            PlatformRow.slug,
            PlatformRow.name_zh,
            PlatformRow.name_en,
            ChannelRow.kind,
            ChannelRow.value,
            count,
            CheckCountRow.last_checked,
        )
        .join(ChannelRow.platform)
        .outerjoin(
            CheckCountRow,
            and_(CheckCountRow.kind == ChannelRow.kind, CheckCountRow.value == ChannelRow.value),
        )
        .where(ChannelRow.trust == "community", ChannelRow.status == "active")
        .order_by(count.desc(), PlatformRow.slug, ChannelRow.kind, ChannelRow.value)
        .limit(limit)
        .offset(offset)
    )
    return [CommunityEntry(*row) for row in rows]


def community_channel(verdict: Verdict, index: RegistryIndex) -> tuple[str, str] | None:
    """The community channel ``verdict`` was reached on, as ``(kind, value)``; None for any
    verdict that did not stand on a community entry.

    The verdict names the platform but not the channel (a link's ``normalized`` is a whole URL,
    a local 96xxx line's is the long number): the channel is found again in ``index``, the
    snapshot the verdict came from, among that platform's community entries.
    """
    if verdict.trust != "community" or verdict.platform is None or verdict.normalized is None:
        return None
    slug = verdict.platform.slug
    found = [
        m.channel
        for m in _matches(verdict.kind, verdict.normalized, index)
        if m.platform.slug == slug and m.channel.trust == "community"
    ]
    # As the judgement picks: an active entry before a retired one.
    chosen = [c for c in found if c.status == "active"] or found
    return (chosen[0].kind, chosen[0].value) if chosen else None


def _matches(kind: str, normalized: str, index: RegistryIndex) -> tuple[ChannelMatch, ...]:
    """The channels a value of ``kind`` is looked up in, as the core's judges look."""
    try:
        if kind == "phone":
            direct = index.channels("phone", normalized)
            if direct:
                return direct
            short = normalize_phone(normalized, known=index.known_phones).local_short
            return index.channels("phone", short) if short else ()
        if kind == "url":
            return index.domain_channels(normalize_link(normalized).host)
        if kind == "email":
            return index.channels("email", normalized) or index.domain_channels(
                normalize_email(normalized).link.host
            )
    except (InvalidPhone, InvalidLink):
        return ()  # not expected: ``normalized`` came out of the same parsers
    if kind == "handle":
        return index.channels("wechat", normalized) + index.channels("weibo", normalized)
    return ()


class CheckCounter:
    """One worker's checks of community entries, not yet added to the database.

    Recording is a dictionary increment under a lock. :meth:`flush` writes at most once per
    ``flush_seconds`` (0: whenever there is something to write); when the database cannot take
    them, the counts stay here for the next flush and the failure is logged once per outage, so
    counting never fails or holds up a check.
    """

    def __init__(self, flush_seconds: float) -> None:
        self._flush_seconds = flush_seconds
        self._lock = threading.Lock()
        self._pending: Counter[tuple[str, str]] = Counter()
        self._flushed_at = time.monotonic()
        self._failing = False

    def record(self, index: RegistryIndex, verdicts: Iterable[Verdict]) -> None:
        """Count the community entries of ``index`` that ``verdicts`` (one request's) stood on.

        Each entry once per request: a message naming a number twice, or a batch repeating
        it, is one person asking, and a single request cannot push an entry up the list.
        """
        channels = {c for c in (community_channel(v, index) for v in verdicts) if c is not None}
        if channels:
            with self._lock:
                self._pending.update(channels)

    def pending(self) -> dict[tuple[str, str], int]:
        """A copy of the counts not yet written."""
        with self._lock:
            return dict(self._pending)

    def due(self) -> bool:
        """Whether :meth:`flush` would write now (cheap: read without the lock)."""
        return bool(self._pending) and (time.monotonic() - self._flushed_at >= self._flush_seconds)

    def flush(self, sessions: sessionmaker[Session]) -> None:
        """Add the pending counts to the database, if due; keep them on a database error."""
        with self._lock:
            if not self.due():
                return
            # Taken out under the lock: a concurrent flush finds nothing to write twice.
            taken, self._pending = self._pending, Counter()
            self._flushed_at = time.monotonic()
        try:
            with sessions() as session:
                add_counts(session, taken, dt.datetime.now(dt.UTC).date())
                session.commit()
        except SQLAlchemyError as exc:
            with self._lock:
                self._pending.update(taken)
            if not self._failing:
                self._failing = True
                log.error("check counts not written, kept in memory: %s", type(exc).__name__)
            return
        if self._failing:
            self._failing = False
            log.warning("check counts written again")
