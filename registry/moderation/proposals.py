"""Proposals under four eyes: propose, approve, reject, withdraw, and what a proposal changes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update

from registry.files import RegistryFileError
from registry.models import ProposalRow, UserRow
from registry.moderation.base import ModerationBase
from registry.moderation.common import (
    ACTIONS,
    STATUSES,
    _clean_text,
    _require_active,
    utcnow,
)
from registry.moderation.errors import Conflict, Forbidden, Invalid, NotFound


class ProposalsMixin(ModerationBase):
    """A proposal's life from its creation to its decision."""

    # --- proposals -----------------------------------------------------------------------------

    def proposals(
        self, status: str | None = None, platform: str | None = None, limit: int | None = None
    ) -> list[ProposalRow]:
        """Proposals, newest first, optionally of one status or platform."""
        if status is not None and status not in STATUSES:
            raise Invalid(f"status must be one of {', '.join(STATUSES)}")
        stmt = select(ProposalRow).order_by(ProposalRow.id.desc())
        if status:
            stmt = stmt.where(ProposalRow.status == status)
        if platform:
            stmt = stmt.where(ProposalRow.platform == platform)
        if limit is not None:
            stmt = stmt.limit(limit)
        return list(self.session.scalars(stmt))

    def proposal(self, proposal_id: int) -> ProposalRow:
        row = self.session.get(ProposalRow, proposal_id)
        if row is None:
            raise NotFound(f"no proposal {proposal_id}")
        return row

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
    ) -> ProposalRow:
        """Record a proposed change, validated now so that approving it cannot fail on bad data.

        ``platform`` is a slug, or for add_platform and edit_platform a mapping of registry-file
        platform fields (with its ``slug``). ``channel`` and ``entry`` are registry-file channel
        and blocklist fields. Retiring a channel and removing a blocklist entry need ``source``
        (why it is no longer true). ``revision``, when given, is the revision of the entry the
        moderator saw: if it has changed since, the proposal is refused as a conflict.
        ``registry`` (action "import") is a whole registry file's mapping.
        """
        _require_active(actor)
        if action not in ACTIONS:
            raise Invalid(f"action must be one of {', '.join(ACTIONS)}")
        note = _clean_text(note, "note", required=True)
        source = _clean_text(source, "source", required=False)
        try:
            slug, payload, before, base = self._prepare(
                action, platform, channel, entry, source, registry, replace_all
            )
        except RegistryFileError as exc:
            raise Invalid(str(exc)) from exc
        if revision is not None and base and revision != base:
            raise Conflict(
                f"{_entry_words(action, slug)} was changed by someone else since you opened it "
                f"(revision {revision}, now {base}); reload it and make your change again"
            )
        row = ProposalRow(
            action=action,
            platform=slug,
            payload=payload,
            before=before,
            base_revision=base,
            note=note,
            status="pending",
            proposer_id=actor.id,
            reason="",
            created_at=utcnow(),
        )
        self.session.add(row)
        self.session.flush()
        self.log(
            actor.name,
            "proposal.create",
            f"proposal:{row.id}",
            before,
            {"action": action, "platform": slug, "payload": _logged(action, payload), "note": note},
        )
        return row

    def approve(self, actor: UserRow, proposal_id: int) -> ProposalRow:
        """Apply a pending proposal. Its proposer may not approve it unless an admin switched
        on single approval; an entry changed since the proposal is a conflict."""
        _require_active(actor)
        row = self._pending(proposal_id)
        own = row.proposer_id == actor.id
        if own and not self.single_approval():
            raise Forbidden("a proposal needs a second moderator: you cannot approve your own")
        self._apply(row, actor.name)
        row.status = "approved"
        row.reviewer_id = actor.id
        row.decided_at = utcnow()
        self.log(
            actor.name,
            "proposal.approve",
            f"proposal:{row.id}",
            {"status": "pending"},
            {"status": "approved", "single_approval": own},
        )
        self.store.bump_version()
        return row

    def reject(self, actor: UserRow, proposal_id: int, reason: str) -> ProposalRow:
        _require_active(actor)
        reason = _clean_text(reason, "reason", required=True)
        row = self._pending(proposal_id)
        if row.proposer_id == actor.id:
            raise Forbidden("you cannot reject your own proposal: withdraw it instead")
        row.status = "rejected"
        row.reason = reason
        row.reviewer_id = actor.id
        row.decided_at = utcnow()
        self.log(
            actor.name,
            "proposal.reject",
            f"proposal:{row.id}",
            {"status": "pending"},
            {"status": "rejected", "reason": reason},
        )
        return row

    def withdraw(self, actor: UserRow, proposal_id: int) -> ProposalRow:
        _require_active(actor)
        row = self._pending(proposal_id)
        if row.proposer_id != actor.id:
            raise Forbidden("only the moderator who proposed it can withdraw a proposal")
        row.status = "withdrawn"
        row.decided_at = utcnow()
        self.log(
            actor.name,
            "proposal.withdraw",
            f"proposal:{row.id}",
            {"status": "pending"},
            {"status": "withdrawn"},
        )
        return row

    def diff(self, row: ProposalRow) -> list[tuple[str, Any, Any]]:
        """What the proposal changes, as ``(field, before, after)`` rows for a side-by-side
        view. For an import, one row per platform or blocklist entry that differs."""
        if row.action == "import":
            return [(entry, before, after) for entry, before, after in row.payload["diff"]]
        before = row.before or {}
        after = _after(row)
        keys = list(dict.fromkeys([*before, *after]))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]

    def _pending(self, proposal_id: int) -> ProposalRow:
        """The pending proposal, claimed for this transaction: a conditional UPDATE takes the
        row's write lock first, so two moderators deciding at once cannot both apply it."""
        row = self.proposal(proposal_id)
        claimed = self.session.execute(
            update(ProposalRow)
            .where(ProposalRow.id == proposal_id, ProposalRow.status == "pending")
            .values(decided_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if getattr(claimed, "rowcount", 1) != 1:
            self.session.refresh(row)
            raise Conflict(f"proposal {proposal_id} is already {row.status}")
        self.session.refresh(row)
        return row


# --- helpers -------------------------------------------------------------------------------------


def _logged(action: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as the audit log keeps it: an import is summed up by its size and digest
    (the whole file stays in its proposal), everything else in full."""
    if action != "import":
        return payload
    text = json.dumps(payload["registry"], ensure_ascii=False, sort_keys=True)
    return {
        "replace": payload["replace"],
        "changes": len(payload["diff"]),
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
    }


def _entry_words(action: str, slug: str) -> str:
    return f"platform {slug}" if slug else "the blocklist entry"


def _after(row: ProposalRow) -> dict[str, Any]:
    payload = row.payload
    if row.action == "remove_blocklist":
        return {}
    for key in ("channel", "platform", "entry"):
        if key in payload:
            return dict(payload[key])
    return {}
