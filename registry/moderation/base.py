"""The state every moderation mixin shares (its session and store) and the append-only audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from registry.models import AuditRow, BlockEntryRow, ChannelRow, PlatformRow, ProposalRow, UserRow
from registry.moderation.common import utcnow
from registry.store import RegistryStore


@event.listens_for(Session, "before_flush")
def _audit_is_append_only(session: Session, _context: Any, _instances: Any) -> None:
    for row in (*session.dirty, *session.deleted):
        if isinstance(row, AuditRow):
            raise RuntimeError("the audit log is append-only")


class ModerationBase:
    """What the mixins of :class:`registry.moderation.Moderation` share: the session and store
    it was made with, the audit log, and (for the type checker only) the methods one mixin calls
    on another."""

    session: Session
    store: RegistryStore

    if TYPE_CHECKING:
        # Defined by AccountsMixin.
        def single_approval(self) -> bool: ...

        # Defined by ProposalsMixin.
        def propose(
            self,
            actor: UserRow,
            action: str,
            *,
            note: str,
            platform: str | Mapping[str, Any] | None = None,
            channel: Mapping[str, Any] | None = None,
            entry: Mapping[str, Any] | None = None,
            source: str = "",
            revision: int | None = None,
            registry: Mapping[str, Any] | None = None,
            replace_all: bool = False,
        ) -> ProposalRow: ...

        # Defined by EntriesMixin.
        def _prepare(
            self,
            action: str,
            platform: str | Mapping[str, Any] | None,
            channel: Mapping[str, Any] | None,
            entry: Mapping[str, Any] | None,
            source: str,
            registry: Mapping[str, Any] | None,
            replace_all: bool,
        ) -> tuple[str, dict[str, Any], dict[str, Any] | None, int]: ...

        def _platform_row(self, slug: str, missing_ok: bool = False) -> PlatformRow: ...

        def _channel_row(
            self, prow: PlatformRow, kind: str, value: str, missing_ok: bool = False
        ) -> ChannelRow: ...

        def _block_row(self, kind: str, value: str, missing_ok: bool = False) -> BlockEntryRow: ...

        # Defined by ChangesMixin.
        def _apply(self, row: ProposalRow, actor: str) -> None: ...

    # --- audit ---------------------------------------------------------------------------------

    def log(
        self,
        actor: str,
        action: str,
        target: str,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
    ) -> AuditRow:
        """Append one line to the audit log."""
        row = AuditRow(
            at=utcnow(),
            actor=actor,
            action=action,
            target=target[:600],
            before=dict(before) if before is not None else None,
            after=dict(after) if after is not None else None,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def audit(
        self,
        *,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        actor: str | None = None,
        action: str | None = None,
        target: str | None = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> list[AuditRow]:
        """Audit lines, oldest first (or newest first), filtered. ``target`` matches a prefix
        (``platform:alipay`` finds the platform and its channels)."""
        if any("\x00" in (text or "") for text in (actor, action, target)):
            return []  # no line holds NUL, and PostgreSQL refuses it even in a comparison
        stmt = select(AuditRow)
        if since is not None:
            stmt = stmt.where(AuditRow.at >= since)
        if until is not None:
            stmt = stmt.where(AuditRow.at < until)
        if actor:
            stmt = stmt.where(AuditRow.actor == actor)
        if action:
            stmt = stmt.where(AuditRow.action.startswith(action, autoescape=True))
        if target:
            stmt = stmt.where(AuditRow.target.startswith(target, autoescape=True))
        order = AuditRow.id.desc() if newest_first else AuditRow.id
        stmt = stmt.order_by(order)
        if limit is not None:
            stmt = stmt.limit(limit)
        return list(self.session.scalars(stmt))
