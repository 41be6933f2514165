"""Typed SQLAlchemy 2.x models of the registry."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "ApiTokenRow",
    "AuditRow",
    "Base",
    "BlockEntryRow",
    "ChannelRow",
    "CheckCountRow",
    "PlatformRow",
    "ProposalRow",
    "RegistryMeta",
    "ReportItemRow",
    "ReportRow",
    "ReviewedDomainRow",
    "SettingRow",
    "TombstoneRow",
    "UserRow",
]

# Named constraints, so that Alembic migrations can alter them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class PlatformRow(Base):
    """A company, bank, app or agency."""

    __tablename__ = "platform"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    category: Mapped[str] = mapped_column(String(64), default="")
    country: Mapped[str] = mapped_column(String(2), default="CN")
    phone_support: Mapped[str] = mapped_column(String(16), default="unknown")
    #: ``verified`` (moderators created or reviewed it) or ``community`` (only a community data
    #: set knows it); see ``verifier.core.index.TRUSTS``.
    trust: Mapped[str] = mapped_column(String(16), default="verified", server_default="verified")
    #: Raised by every change to the platform or its channels: an edit made against an older
    #: revision is refused as a conflict instead of silently overwriting someone else's.
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    #: The registry version that last changed the platform or one of its channels, so that
    #: ``/api/v1/snapshot?since=N`` can send only what changed after version N.
    changed_in: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    channels: Mapped[list[ChannelRow]] = relationship(
        back_populates="platform", cascade="all, delete-orphan", order_by="ChannelRow.position"
    )


class ChannelRow(Base):
    """One official channel of a platform; ``value`` is normalised."""

    __tablename__ = "channel"
    __table_args__ = (UniqueConstraint("platform_id", "kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(
        ForeignKey("platform.id", ondelete="CASCADE"), index=True
    )
    #: Order within the platform, as in the registry file.
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(512), index=True)
    label_zh: Mapped[str] = mapped_column(String(200), default="")
    label_en: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="active")
    scope: Mapped[str] = mapped_column(String(16), default="subdomains")
    source: Mapped[str] = mapped_column(Text)
    verified_on: Mapped[dt.date] = mapped_column(Date)
    #: ``verified`` (a moderator checked it against ``source``) or ``community`` (taken from the
    #: community data set at ``source``, dated ``verified_on``, not yet reviewed).
    trust: Mapped[str] = mapped_column(String(16), default="verified", server_default="verified")
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    platform: Mapped[PlatformRow] = relationship(back_populates="channels")


class BlockEntryRow(Base):
    """A phone, domain or URL known to be used by scammers."""

    __tablename__ = "block_entry"
    __table_args__ = (UniqueConstraint("kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(2048))
    #: Slug of the impersonated platform (kept as a slug so an entry survives a platform's removal).
    impersonates: Mapped[str | None] = mapped_column(String(64), nullable=True)
    evidence: Mapped[str] = mapped_column(Text)
    added_on: Mapped[dt.date] = mapped_column(Date)
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    #: The registry version that last changed the entry (see ``PlatformRow.changed_in``).
    changed_in: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ReviewedDomainRow(Base):
    """A domain a moderator reviewed and found not to be an impersonation."""

    __tablename__ = "reviewed_domain"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The normalised host or registrable domain; it covers the hosts below it too.
    value: Mapped[str] = mapped_column(String(512), unique=True)
    #: Slug of the platform it was mistaken for (a slug, like ``BlockEntryRow.impersonates``).
    resembles: Mapped[str | None] = mapped_column(String(64), nullable=True)
    note: Mapped[str] = mapped_column(Text)
    reviewed_on: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text, default="")
    #: The registry version that last changed the review (see ``PlatformRow.changed_in``).
    changed_in: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class TombstoneRow(Base):
    """The registry version that removed a platform, block entry or reviewed domain.

    Changed rows carry their version in ``changed_in``; removed rows are gone, so their removal
    is remembered here for clients that ask what changed since an older version.
    """

    __tablename__ = "registry_tombstone"
    __table_args__ = (UniqueConstraint("kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``platform``, ``blocklist`` or ``reviewed``.
    kind: Mapped[str] = mapped_column(String(16))
    #: The slug, ``<entry kind>:<value>`` for a block entry, or the reviewed domain.
    key: Mapped[str] = mapped_column(String(2100))
    deleted_in: Mapped[int] = mapped_column(Integer, index=True)


class RegistryMeta(Base):
    """A single row holding the registry version, raised by every change."""

    __tablename__ = "registry_meta"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    #: Changes (``changed_in`` stamps and tombstones) are recorded from this version on; a client
    #: holding an older version needs the whole snapshot again.
    changes_since: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


# --- moderation ----------------------------------------------------------------------------


class UserRow(Base):
    """A moderator or an admin. Passwords are stored as scrypt hashes only."""

    __tablename__ = "app_user"  # "user" is reserved in PostgreSQL

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(256), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    #: Failed logins since the last good one; reaching the limit locks the account a while.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: Raised when the password changes or the user is disabled: older login sessions end.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)


class ApiTokenRow(Base):
    """A user's API token, kept as its SHA-256 only; shown once when created."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The first characters of the token, so a user can tell their tokens apart.
    hint: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ProposalRow(Base):
    """A change to the registry waiting for a second moderator (four eyes)."""

    __tablename__ = "proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: add_channel, edit_channel, retire_channel, add_platform, edit_platform, add_blocklist,
    #: remove_blocklist, or import (a whole registry file as one batch).
    action: Mapped[str] = mapped_column(String(32))
    #: The platform concerned (a slug), or "" for blocklist entries and imports.
    platform: Mapped[str] = mapped_column(String(64), default="", index=True)
    #: What would be written, in registry-file fields (validated when proposed).
    payload: Mapped[dict] = mapped_column(JSON)  # type: ignore[type-arg]
    #: The entry as it was when proposed, for the diff (None for additions).
    before: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # type: ignore[type-arg]
    #: The revision of the entry the change was made against (0 for additions).
    base_revision: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    proposer_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    proposer: Mapped[UserRow] = relationship(foreign_keys=[proposer_id], lazy="joined")
    reviewer: Mapped[UserRow | None] = relationship(foreign_keys=[reviewer_id], lazy="joined")


class AuditRow(Base):
    """One line of the audit log. The application only ever inserts these."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    #: The user's name, or "operator" for a command run on the server without one.
    actor: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    #: What was acted on: "platform:alipay", "proposal:12", "user:alice", "report:3".
    target: Mapped[str] = mapped_column(String(600), index=True)
    before: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # type: ignore[type-arg]
    after: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # type: ignore[type-arg]


class ReportRow(Base):
    """Public reports of one value, grouped: the first as submitted, and how many came."""

    __tablename__ = "report"
    __table_args__ = (UniqueConstraint("kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: The normalised value (E.164, canonical host, …), or the text as given when invalid.
    value: Mapped[str] = mapped_column(String(2048))
    #: The first report's value as the reporter wrote it.
    input: Mapped[str] = mapped_column(Text)
    claimed_platform: Mapped[str | None] = mapped_column(String(64), nullable=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    #: open, confirmed (became a blocklist proposal), rejected, duplicate.
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("report.id"), nullable=True)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id"), nullable=True)
    first_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    items: Mapped[list[ReportItemRow]] = relationship(
        back_populates="report", order_by="ReportItemRow.id", cascade="all, delete-orphan"
    )


class ReportItemRow(Base):
    """One submitted report. Its text is untrusted and always shown escaped."""

    __tablename__ = "report_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    input: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text, default="")
    #: Where the reporter saw it (free text: "SMS", "a search result", a page address).
    seen_at: Mapped[str] = mapped_column(Text, default="")
    claimed_platform: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    report: Mapped[ReportRow] = relationship(back_populates="items")


class SettingRow(Base):
    """A deployment setting changed at run time by an admin (audited)."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# --- usage -----------------------------------------------------------------------------------


class CheckCountRow(Base):
    """How often people checked one community entry, so review effort goes where people ask.

    Deliberately nothing about who checked or when within the day: no address, no time, no
    input, only the registry value matched and the day of the latest check.
    """

    __tablename__ = "check_count"

    #: The channel's kind and normalised value, as in ``ChannelRow`` (no foreign key: a count
    #: outlives its channel being edited or removed, and is shown only while it exists).
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(512), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    last_checked: Mapped[dt.date] = mapped_column(Date)
