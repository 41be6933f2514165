"""Public reports: recording them grouped by value, and the moderators' triage of them."""

from __future__ import annotations

from sqlalchemy import select

from registry.models import ProposalRow, ReportItemRow, ReportRow, UserRow
from registry.moderation.base import ModerationBase
from registry.moderation.common import (
    MAX_TEXT,
    REPORT_STATUSES,
    _clean_text,
    _require_active,
    utcnow,
)
from registry.moderation.errors import Conflict, Invalid, NotFound


class ReportsMixin(ModerationBase):
    """Public reports and their triage: confirm (as a blocklist proposal), reject, duplicate."""

    # --- public reports --------------------------------------------------------------------------

    def submit_report(
        self,
        *,
        kind: str,
        value: str,
        input: str,
        text: str = "",
        seen_at: str = "",
        claimed_platform: str | None = None,
    ) -> ReportRow:
        """Record one public report, grouped with earlier reports of the same value."""
        now = utcnow()
        group = self.session.scalar(
            select(ReportRow).where(ReportRow.kind == kind, ReportRow.value == value[:2048])
        )
        if group is None:
            group = ReportRow(
                kind=kind,
                value=value[:2048],
                input=input[:MAX_TEXT],
                claimed_platform=claimed_platform,
                count=0,
                status="open",
                first_at=now,
                last_at=now,
            )
            self.session.add(group)
        group.count = (group.count or 0) + 1
        group.last_at = now
        if group.status == "rejected":
            # Rejected once, reported again: the moderators look again rather than never.
            group.status = "open"
        if group.claimed_platform is None and claimed_platform:
            group.claimed_platform = claimed_platform
        group.items.append(
            ReportItemRow(
                input=input[:MAX_TEXT],
                text=text[:MAX_TEXT],
                seen_at=seen_at[:MAX_TEXT],
                claimed_platform=claimed_platform,
                created_at=now,
            )
        )
        self.session.flush()
        return group

    def reports(self, status: str | None = "open", limit: int | None = None) -> list[ReportRow]:
        """Report groups, most reported first."""
        if status is not None and status not in REPORT_STATUSES:
            raise Invalid(f"status must be one of {', '.join(REPORT_STATUSES)}")
        stmt = select(ReportRow).order_by(ReportRow.count.desc(), ReportRow.last_at.desc())
        if status:
            stmt = stmt.where(ReportRow.status == status)
        if limit is not None:
            stmt = stmt.limit(limit)
        return list(self.session.scalars(stmt))

    def report(self, report_id: int) -> ReportRow:
        row = self.session.get(ReportRow, report_id)
        if row is None:
            raise NotFound(f"no report {report_id}")
        return row

    def _open_report(self, report_id: int) -> ReportRow:
        row = self.report(report_id)
        if row.status != "open":
            raise Conflict(f"report {report_id} is already {row.status}")
        return row

    def confirm_report(self, actor: UserRow, report_id: int, note: str) -> ProposalRow:
        """Turn a report into a blocklist proposal carrying the reports as evidence."""
        _require_active(actor)
        row = self._open_report(report_id)
        if row.kind not in ("phone", "url"):
            raise Invalid("only phone numbers and links can go on the blocklist")
        kind, value = ("phone", row.value) if row.kind == "phone" else _link_entry(row.value)
        evidence = f"{row.count} public report(s), report #{row.id}, first {row.first_at:%Y-%m-%d}"
        proposal = self.propose(
            actor,
            "add_blocklist",
            note=note,
            entry={
                "kind": kind,
                "value": value,
                "impersonates": row.claimed_platform,
                "evidence": evidence,
            },
        )
        row.status = "confirmed"
        row.proposal_id = proposal.id
        self.log(
            actor.name,
            "report.confirm",
            f"report:{row.id}",
            {"status": "open"},
            {"status": "confirmed", "proposal": proposal.id},
        )
        return proposal

    def reject_report(self, actor: UserRow, report_id: int, reason: str) -> ReportRow:
        _require_active(actor)
        reason = _clean_text(reason, "reason", required=True)
        row = self._open_report(report_id)
        row.status = "rejected"
        self.log(
            actor.name,
            "report.reject",
            f"report:{row.id}",
            {"status": "open"},
            {"status": "rejected", "reason": reason},
        )
        return row

    def mark_duplicate(self, actor: UserRow, report_id: int, of_id: int) -> ReportRow:
        _require_active(actor)
        row = self._open_report(report_id)
        original = self.report(of_id)
        while original.duplicate_of is not None:  # point at the first report, never a chain
            original = self.report(original.duplicate_of)
        if original.id == row.id:
            raise Invalid("a report cannot be a duplicate of itself")
        row.status = "duplicate"
        row.duplicate_of = original.id
        original.count += row.count
        self.log(
            actor.name,
            "report.duplicate",
            f"report:{row.id}",
            {"status": "open"},
            {"status": "duplicate", "of": original.id},
        )
        return row


# --- helpers -------------------------------------------------------------------------------------


def _link_entry(url: str) -> tuple[str, str]:
    """The blocklist entry for a reported link: its host, or the link itself when the host is
    shared (a free hosting suffix, a shortener), where blocking the host would block everyone."""
    from verifier.core.link import InvalidLink, normalize_link
    from verifier.core.shorteners import is_shortener

    try:
        link = normalize_link(url)
    except InvalidLink as exc:
        raise Invalid(f"{url!r} is not a link that can be blocklisted") from exc
    if link.private_suffix or is_shortener(link.host):
        return "url", link.normalized
    return "domain", link.host
