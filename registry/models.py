"""Typed SQLAlchemy 2.x models of the registry."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, ForeignKey, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "Base",
    "BlockEntryRow",
    "ChannelRow",
    "PlatformRow",
    "RegistryMeta",
    "ReviewedDomainRow",
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


class RegistryMeta(Base):
    """A single row holding the registry version, raised by every change."""

    __tablename__ = "registry_meta"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
