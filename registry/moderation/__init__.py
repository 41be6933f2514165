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

from sqlalchemy.orm import Session

from registry.moderation.accounts import AccountsMixin
from registry.moderation.changes import ChangesMixin
from registry.moderation.common import (
    ACTIONS,
    OPERATOR,
    ROLES,
    audit_entry,
    aware,
    iso_time,
    parse_moment,
    utcnow,
)

# Also importable from here (the web API, the commands and the tests use them), though not part
# of ``*``: the redundant aliases say they are re-exported on purpose.
from registry.moderation.common import LOCK_MINUTES as LOCK_MINUTES
from registry.moderation.common import MAX_FAILED_LOGINS as MAX_FAILED_LOGINS
from registry.moderation.common import MAX_TEXT as MAX_TEXT
from registry.moderation.common import MIN_PASSWORD_LENGTH as MIN_PASSWORD_LENGTH
from registry.moderation.common import REPORT_STATUSES as REPORT_STATUSES
from registry.moderation.common import SINGLE_APPROVAL as SINGLE_APPROVAL
from registry.moderation.common import STATUSES as STATUSES
from registry.moderation.common import TOKEN_PREFIX as TOKEN_PREFIX
from registry.moderation.common import USER_NAME as USER_NAME
from registry.moderation.common import token_hash as token_hash
from registry.moderation.entries import EntriesMixin
from registry.moderation.errors import Conflict, Forbidden, Invalid, ModerationError, NotFound
from registry.moderation.proposals import ProposalsMixin
from registry.moderation.reports import ReportsMixin
from registry.store import RegistryStore

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


class Moderation(AccountsMixin, ProposalsMixin, EntriesMixin, ChangesMixin, ReportsMixin):
    """Every moderation operation, on one SQLAlchemy session; the caller commits."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.store = RegistryStore(session)
