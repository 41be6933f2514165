"""Moderation: accounts, API tokens, proposals under four eyes, the audit log, public reports.

One wrong "official" number sends victims straight to a scammer, so no single account changes
the registry: a moderator *proposes* a change (with its source and a note), and it takes effect
only when a different moderator approves it. Every proposal, decision, import, account change and
failed login is appended to the audit log, which the application never edits or deletes.

Views, API endpoints and commands all go through :class:`Moderation`; it raises
:class:`ModerationError` subclasses carrying an HTTP-like status, and never commits: the caller
commits (or rolls back) the whole unit of work.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from collections.abc import Mapping
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session, selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from registry.files import (
    RegistryData,
    RegistryFileError,
    block_dict,
    channel_dict,
    parse_block_entry,
    parse_channel,
    parse_platform,
    parse_registry,
    platform_dict,
    registry_to_dict,
)
from registry.models import (
    ApiTokenRow,
    AuditRow,
    BlockEntryRow,
    ChannelRow,
    PlatformRow,
    ProposalRow,
    ReportItemRow,
    ReportRow,
    SettingRow,
    UserRow,
)
from registry.store import RegistryStore, block_key, channel_record, platform_record

__all__ = [
    "ACTIONS",
    "OPERATOR",
    "ROLES",
    "Conflict",
    "Forbidden",
    "Invalid",
    "Moderation",
    "ModerationError",
    "NotFound",
    "audit_entry",
    "aware",
    "iso_time",
    "parse_moment",
    "utcnow",
]

ROLES = ("moderator", "admin")
#: What a proposal can do; "import" is a whole registry file as one batch.
ACTIONS = (
    "add_channel",
    "edit_channel",
    "retire_channel",
    "add_platform",
    "edit_platform",
    "add_blocklist",
    "remove_blocklist",
    "import",
)
STATUSES = ("pending", "approved", "rejected", "withdrawn")
REPORT_STATUSES = ("open", "confirmed", "rejected", "duplicate")
#: The actor recorded for a command run on the server without a user (shell access to the
#: database is already every power there is; the audit log still says who acted).
OPERATOR = "operator"
#: Failed logins in a row before an account is locked for LOCK_MINUTES.
MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 10
USER_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")
TOKEN_PREFIX = "cvt_"  # noqa: S105 -- a marker at the start of every token, not a secret
#: Longest free text kept from a report (its text, where it was seen) and from a note.
MAX_TEXT = 4000
SINGLE_APPROVAL = "single_approval"


class ModerationError(Exception):
    """A refused moderation request; ``status`` and ``code`` are what the API answers."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class Invalid(ModerationError):
    status, code = 400, "invalid"


class Forbidden(ModerationError):
    status, code = 403, "forbidden"


class NotFound(ModerationError):
    status, code = 404, "not_found"


class Conflict(ModerationError):
    status, code = 409, "conflict"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def aware(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives back naive datetimes for timezone-aware columns: they were stored in UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment


def iso_time(moment: dt.datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z`` (no ``+``, which a query string would turn into a space)."""
    found = aware(moment)
    return found.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if found else None


def parse_moment(text: str, end_of_day: bool = False) -> dt.datetime:
    """A date (``2026-11-01``) or an ISO 8601 time as an aware UTC moment; without an offset it
    is UTC. With ``end_of_day`` a date alone means the end of that day ("until 2026-11-01"
    includes that day). Raises :class:`Invalid`."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text) + dt.timedelta(days=1 if end_of_day else 0)
            return dt.datetime.combine(day, dt.time.min, dt.UTC)
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise Invalid(
            f"{text[:40]!r} is not an ISO 8601 date or time such as 2026-11-01 or "
            "2026-11-01T08:00:00Z"
        ) from None
    return aware(moment).astimezone(dt.UTC)  # type: ignore[union-attr]


def audit_entry(row: AuditRow) -> dict[str, Any]:
    """One audit line as every export shows it: ``at`` (ISO 8601 UTC), ``actor``, ``action``,
    ``target``, ``before``, ``after``."""
    return {
        "at": iso_time(row.at),
        "actor": row.actor,
        "action": row.action,
        "target": row.target,
        "before": row.before,
        "after": row.after,
    }


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@event.listens_for(Session, "before_flush")
def _audit_is_append_only(session: Session, _context: Any, _instances: Any) -> None:
    for row in (*session.dirty, *session.deleted):
        if isinstance(row, AuditRow):
            raise RuntimeError("the audit log is append-only")


class Moderation:
    """Every moderation operation, on one SQLAlchemy session; the caller commits."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.store = RegistryStore(session)

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

    # --- users ---------------------------------------------------------------------------------

    def user(self, name: str) -> UserRow | None:
        return self.session.scalar(select(UserRow).where(UserRow.name == name))

    def user_by_id(self, user_id: int) -> UserRow | None:
        return self.session.get(UserRow, user_id)

    def users(self) -> list[UserRow]:
        return list(self.session.scalars(select(UserRow).order_by(UserRow.name)))

    def has_users(self) -> bool:
        return self.session.scalar(select(UserRow.id).limit(1)) is not None

    def create_user(self, name: str, role: str, password: str, actor: str = OPERATOR) -> UserRow:
        """A new active account; the password is stored as a scrypt hash only."""
        if not USER_NAME.match(name):
            raise Invalid(
                "a user name is 2-63 lower-case letters, digits, '.', '_' or '-', "
                "starting with a letter or digit"
            )
        if role not in ROLES:
            raise Invalid(f"the role must be one of {', '.join(ROLES)}")
        _check_password(password)
        if self.user(name) is not None:
            raise Conflict(f"a user called {name!r} already exists")
        row = UserRow(
            name=name,
            role=role,
            password_hash=generate_password_hash(password, method="scrypt"),
            active=True,
            created_at=utcnow(),
            failed_logins=0,
            session_epoch=0,
        )
        self.session.add(row)
        self.session.flush()
        self.log(actor, "user.create", f"user:{name}", after={"name": name, "role": role})
        return row

    def _existing_user(self, name: str) -> UserRow:
        row = self.user(name)
        if row is None:
            raise NotFound(f"no user called {name!r}")
        return row

    def disable_user(self, name: str, actor: str = OPERATOR) -> UserRow:
        """Disable an account: its logins, sessions and tokens stop working at once."""
        row = self._existing_user(name)
        before = {"active": row.active}
        row.active = False
        row.session_epoch += 1
        self.log(actor, "user.disable", f"user:{name}", before, {"active": False})
        return row

    def enable_user(self, name: str, actor: str = OPERATOR) -> UserRow:
        row = self._existing_user(name)
        before = {"active": row.active}
        row.active = True
        row.failed_logins = 0
        row.locked_until = None
        self.log(actor, "user.enable", f"user:{name}", before, {"active": True})
        return row

    def set_password(self, name: str, password: str, actor: str = OPERATOR) -> UserRow:
        row = self._existing_user(name)
        _check_password(password)
        row.password_hash = generate_password_hash(password, method="scrypt")
        row.session_epoch += 1
        self.log(actor, "user.password", f"user:{name}")
        return row

    def new_token(self, name: str, actor: str = OPERATOR) -> str:
        """A new API token for ``name``, returned once; only its SHA-256 is kept."""
        row = self._existing_user(name)
        if not row.active:
            raise Invalid(f"user {name!r} is disabled")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        hint = token[: len(TOKEN_PREFIX) + 6]
        self.session.add(
            ApiTokenRow(
                user_id=row.id, token_hash=token_hash(token), hint=hint, created_at=utcnow()
            )
        )
        self.session.flush()
        self.log(actor, "user.token", f"user:{name}", after={"token": hint + "…"})
        return token

    def revoke_tokens(self, name: str, actor: str = OPERATOR) -> int:
        """Revoke every live token of ``name``; how many were revoked."""
        row = self._existing_user(name)
        live = self.session.scalars(
            select(ApiTokenRow).where(
                ApiTokenRow.user_id == row.id, ApiTokenRow.revoked_at.is_(None)
            )
        ).all()
        for token in live:
            token.revoked_at = utcnow()
        self.log(actor, "user.revoke_tokens", f"user:{name}", after={"revoked": len(live)})
        return len(live)

    def user_for_token(self, token: str) -> UserRow | None:
        """The active user a live token belongs to, or None."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        found = self.session.scalar(
            select(ApiTokenRow).where(
                ApiTokenRow.token_hash == token_hash(token), ApiTokenRow.revoked_at.is_(None)
            )
        )
        if found is None:
            return None
        user = self.session.get(UserRow, found.user_id)
        return user if user is not None and user.active else None

    def login(self, name: str, password: str) -> UserRow | None:
        """The user when ``password`` is right and the account is usable; None otherwise.

        Failures are audited; after MAX_FAILED_LOGINS in a row the account is locked for
        LOCK_MINUTES, and during the lock even the right password is refused.
        """
        row = self.user(name) if USER_NAME.match(name or "") else None
        now = utcnow()
        if row is None:
            # The same work as a real check, so that timing does not reveal which names exist.
            check_password_hash(_DUMMY_HASH, password)
            self.log(
                name[:64] or "?", "login.failed", f"user:{name[:64]}", after={"why": "unknown"}
            )
            return None
        locked_until = aware(row.locked_until)
        if locked_until is not None and locked_until > now:
            self.log(name, "login.failed", f"user:{name}", after={"why": "locked"})
            return None
        if not check_password_hash(row.password_hash, password) or not row.active:
            row.failed_logins += 1
            why = "disabled" if row.active is False else "password"
            if row.failed_logins >= MAX_FAILED_LOGINS:
                row.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
                row.failed_logins = 0
                why += ", account locked"
            self.log(name, "login.failed", f"user:{name}", after={"why": why})
            return None
        row.failed_logins = 0
        row.locked_until = None
        self.log(name, "login", f"user:{name}")
        return row

    # --- settings ------------------------------------------------------------------------------

    def single_approval(self) -> bool:
        """True when an admin allowed a proposer to approve their own proposals."""
        row = self.session.get(SettingRow, SINGLE_APPROVAL)
        return row is not None and row.value == "on"

    def set_single_approval(self, actor: UserRow, on: bool) -> None:
        if actor.role != "admin":
            raise Forbidden("only an admin may change the approval rule")
        row = self.session.get(SettingRow, SINGLE_APPROVAL)
        before = {"single_approval": row is not None and row.value == "on"}
        if row is None:
            row = SettingRow(key=SINGLE_APPROVAL, value="off")
            self.session.add(row)
        row.value = "on" if on else "off"
        self.log(
            actor.name,
            "setting.single_approval",
            "setting:single_approval",
            before,
            {"single_approval": on},
        )

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
            return prow.slug, {"channel": channel_dict(parsed)}, None, 0
        kind, value = self._channel_key(channel, prow.country)
        crow = self._channel_row(prow, kind, value)
        current = channel_dict(channel_record(crow))
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
        if channel_dict(parsed) == current:
            raise Invalid("the edit changes nothing")
        return prow.slug, {"channel": channel_dict(parsed)}, current, crow.revision

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
        current = _platform_fields(platform_dict(platform_record(prow)))
        # Fields left out of an edit keep their current values.
        payload = _platform_fields(platform_dict(parse_platform({**current, **fields})))
        if payload == current:
            raise Invalid("the edit changes nothing")
        return prow.slug, {"platform": payload}, current, prow.revision

    def _platform_row(self, slug: str, missing_ok: bool = False) -> PlatformRow:
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

_DUMMY_HASH = generate_password_hash("not a password of anyone", method="scrypt")


def _check_password(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > 1024:
        raise Invalid("a password of more than 1024 characters is not accepted")


def _require_active(actor: UserRow) -> None:
    if not actor.active:
        raise Forbidden(f"user {actor.name!r} is disabled")


def _clean_text(value: Any, field: str, *, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(f"'{field}' must be text")
    value = "".join(c for c in value if c.isprintable() or c in "\n\t").strip()
    if required and not value:
        raise Invalid(f"'{field}' is required")
    if len(value) > MAX_TEXT:
        raise Invalid(f"'{field}' is longer than {MAX_TEXT} characters")
    return str(value)


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


def _platform_fields(mapping: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if k != "channels"}


def _block_row_dict(row: BlockEntryRow) -> dict[str, Any]:
    return {
        "kind": row.kind,
        "value": row.value,
        "impersonates": row.impersonates,
        "evidence": row.evidence,
        "added_on": row.added_on.isoformat(),
    }


def _after(row: ProposalRow) -> dict[str, Any]:
    payload = row.payload
    if row.action == "remove_blocklist":
        return {}
    for key in ("channel", "platform", "entry"):
        if key in payload:
            return dict(payload[key])
    return {}


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
