"""The calendar's collections and their targets; the outbox every scheduled message goes
through."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, IntPk, OrgId, PersonId, str_enum

_FOLLOWS = sa.text("after_key IS NOT NULL")


class CollectionKind(enum.StrEnum):
    MEMBERSHIP = "membership"
    PASSPORT = "passport"


class Collection(Base):
    """A data request with a deadline: a calendar monitoring period or a one-off request."""

    __tablename__ = "collections"
    __table_args__ = (sa.UniqueConstraint("scope_org_id", "kind", "period", "one_off", "title"),)

    id: Mapped[IntPk]
    kind: Mapped[CollectionKind] = mapped_column(str_enum(CollectionKind))
    scope_org_id: Mapped[OrgId]
    period: Mapped[date]
    title: Mapped[str] = mapped_column(sa.String(200))
    one_off: Mapped[bool]
    opened_at: Mapped[datetime]
    deadline: Mapped[date]
    created_by: Mapped[PersonId | None]


class CollectionTarget(Base):
    """One ППО due in a collection; ``submitted_at`` set the moment it delivers."""

    __tablename__ = "collection_targets"
    __table_args__ = (sa.UniqueConstraint("collection_id", "org_id"),)

    id: Mapped[IntPk]
    collection_id: Mapped[int] = mapped_column(sa.ForeignKey("collections.id"), index=True)
    org_id: Mapped[OrgId] = mapped_column(index=True)
    tier: Mapped[str] = mapped_column(sa.String(16))
    deadline: Mapped[date]
    submitted_at: Mapped[datetime | None]
    # The ППО's local date of delivery: late when after ``deadline`` (a local date too).
    submitted_on: Mapped[date | None]


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    UNREACHABLE = "unreachable"
    FAILED = "failed"


class OutboxMessage(Base):
    """A message the bot must deliver; ``key`` (recipient, purpose, period) makes it unique.

    ``claimed_until``/``claimed_by``: the lease of the sender that took the row to send it
    (``storage.outbox.claim_due``); while it runs the row is due for no other sender.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        sa.Index("ix_outbox_status_due", "status", "not_before"),
        # The nightly prune's walk over sent rows past their retention (storage/outbox_prune.py).
        sa.Index("ix_outbox_status_sent", "status", "sent_at", "id"),
        # The rows that follow another, found when it fails for good (storage/outbox.py).
        sa.Index(
            "ix_outbox_after_key",
            "after_key",
            sqlite_where=_FOLLOWS,
            postgresql_where=_FOLLOWS,
        ),
        # An id is never given again (SQLite would reuse the highest after a delete): a sender
        # records a call that went by its row's id, and the row may be deleted on its way.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[IntPk]
    key: Mapped[str] = mapped_column(
        # Compared as ranges by prefix (``storage.outbox.keys_starting``): in code point order,
        # which PostgreSQL follows only under "C", whatever the server's locale.
        sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql"),
        unique=True,
    )
    chat_id: Mapped[int] = mapped_column(sa.BigInteger)
    kind: Mapped[str] = mapped_column(sa.String(32))
    payload: Mapped[dict[str, Any]]
    status: Mapped[OutboxStatus] = mapped_column(str_enum(OutboxStatus))
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    outages: Mapped[int] = mapped_column(sa.Integer, server_default=sa.text("0"))
    """Of ``attempts``, those the network was down for: they never count toward giving up."""
    not_before: Mapped[datetime]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(sa.String(500))
    claimed_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(sa.String(64))
    after_key: Mapped[str | None] = mapped_column(
        # Compared with ``key``: the same collation, or PostgreSQL cannot tell which applies.
        sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")
    )
    """The key of the row this one must follow into its chat (an announcement's file, its
    text): not due while that row is pending, and given its outcome if it fails for good."""
