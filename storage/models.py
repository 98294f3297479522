"""ORM models: the organization tree, people and their roles, invites, reports, form drafts.

Portable between SQLite and PostgreSQL: no dialect-specific types, enums stored as strings,
timestamps stored as UTC.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite would otherwise hand back naive values)."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _str_enum(enum_cls: type[enum.Enum]) -> Enum:
    return Enum(
        enum_cls,
        native_enum=False,
        length=16,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON}


class OrgKind(enum.StrEnum):
    REGION = "region"
    DISTRICT = "district"
    PPO = "ppo"


class Role(enum.StrEnum):
    """Staff hold their role over a district or a region; chairs and curators over a ППО."""

    ADMIN = "admin"
    STAFF = "staff"
    CURATOR = "curator"
    CHAIR = "chair"


class Organization(Base):
    __tablename__ = "organizations"
    __table_args__ = (UniqueConstraint("parent_id", "name_key", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrgKind] = mapped_column(_str_enum(OrgKind))
    name: Mapped[str] = mapped_column(String(300))
    name_key: Mapped[str] = mapped_column(String(300), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    timezone: Mapped[str | None] = mapped_column(String(64))
    workers: Mapped[int | None]
    chair_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    archived_at: Mapped[datetime | None]


class Person(Base):
    """A Telegram user known to the bot."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    tg_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    username: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    unreachable_at: Mapped[datetime | None]
    reminders_paused_until: Mapped[date | None] = mapped_column(Date)
    # Consent to the processing of personal data (152-ФЗ): which text, and when.
    consent_version: Mapped[str | None] = mapped_column(String(16))
    consented_at: Mapped[datetime | None]
    # Set when an admin erased the person: name and Telegram id are gone, the id stays.
    erased_at: Mapped[datetime | None]


class RoleGrant(Base):
    """A role a person holds over an organization; revoked grants stay for the record."""

    __tablename__ = "role_grants"
    __table_args__ = (Index("ix_role_grants_org_role", "org_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    role: Mapped[Role] = mapped_column(_str_enum(Role))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    granted_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class Invite(Base):
    """A single-use deep-link code that makes its user the holder of a role over an org."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    role: Mapped[Role] = mapped_column(_str_enum(Role))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    revoked_at: Mapped[datetime | None]


class MembershipReport(Base):
    """One revision of a ППО's membership monitoring for a period (the month it is for)."""

    __tablename__ = "membership_reports"
    __table_args__ = (
        UniqueConstraint("org_id", "period", "revision"),
        Index("ix_membership_reports_org_period", "org_id", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    period: Mapped[date] = mapped_column(Date)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    workers: Mapped[int]
    members: Mapped[int]
    youth_workers: Mapped[int | None]
    youth_members: Mapped[int | None]
    managers: Mapped[int | None]
    managers_members: Mapped[int | None]
    joined: Mapped[int | None]
    left: Mapped[int | None]
    retired: Mapped[int | None]
    submitted_by: Mapped[int] = mapped_column(ForeignKey("people.id"))
    submitted_at: Mapped[datetime]
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    returned_at: Mapped[datetime | None]
    returned_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    return_comment: Mapped[str | None] = mapped_column(String(1000))


class FormDraft(Base):
    """A half-filled form; lives in the database so a restart loses nothing."""

    __tablename__ = "form_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    tg_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    form: Mapped[str] = mapped_column(String(32))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    step: Mapped[str] = mapped_column(String(32))
    answers: Mapped[dict[str, Any]]
    context: Mapped[dict[str, Any]]
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ProcessedUpdate(Base):
    """Telegram update ids already applied: a redelivered update after a crash is skipped."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    processed_at: Mapped[datetime] = mapped_column(index=True)


class Event(Base):
    """An event a ППО held: seminar, contest, meeting... Deleted events stay for the record."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_org_date", "org_id", "date_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    kind: Mapped[str] = mapped_column(String(32))
    kind_other: Mapped[str | None] = mapped_column(String(100))
    topic: Mapped[str] = mapped_column(String(300))
    date_from: Mapped[date] = mapped_column(Date)
    date_to: Mapped[date] = mapped_column(Date)
    online: Mapped[bool]
    place: Mapped[str | None] = mapped_column(String(300))
    views: Mapped[int | None]
    participants: Mapped[int]
    direction: Mapped[str] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(String(1000))
    photos: Mapped[list[str]] = mapped_column(JSON)
    created_by: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]
    deleted_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)


class Passport(Base):
    """The card of a ППО (паспорт ППО). Workers live on the organization, shared with reports."""

    __tablename__ = "passports"

    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    institution: Mapped[str | None] = mapped_column(String(500))
    address: Mapped[str | None] = mapped_column(String(500))
    chair_full_name: Mapped[str | None] = mapped_column(String(200))
    chair_phone: Mapped[str | None] = mapped_column(String(32))
    agreement: Mapped[bool | None]
    agreement_until: Mapped[date | None] = mapped_column(Date)
    youth_council: Mapped[bool | None]
    site_url: Mapped[str | None] = mapped_column(String(500))
    social_url: Mapped[str | None] = mapped_column(String(500))
    stand: Mapped[bool | None]
    corner: Mapped[bool | None]
    info_person: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime]
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


class AuditEntry(Base):
    """Who changed what, when, from what to what: data and rights alike."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_org_at", "org_id", "at"),
        Index("ix_audit_log_person_at", "person_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    action: Mapped[str] = mapped_column(String(48))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class CollectionKind(enum.StrEnum):
    MEMBERSHIP = "membership"
    PASSPORT = "passport"


class Collection(Base):
    """A data request with a deadline: a calendar monitoring period or a one-off request."""

    __tablename__ = "collections"
    __table_args__ = (UniqueConstraint("scope_org_id", "kind", "period", "one_off", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[CollectionKind] = mapped_column(_str_enum(CollectionKind))
    scope_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    period: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    one_off: Mapped[bool]
    opened_at: Mapped[datetime]
    deadline: Mapped[date] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


class CollectionTarget(Base):
    """One ППО due in a collection; ``submitted_at`` set the moment it delivers."""

    __tablename__ = "collection_targets"
    __table_args__ = (UniqueConstraint("collection_id", "org_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    tier: Mapped[str] = mapped_column(String(16))
    deadline: Mapped[date] = mapped_column(Date)
    submitted_at: Mapped[datetime | None]
    # The ППО's local date of delivery: late when after ``deadline`` (a local date too).
    submitted_on: Mapped[date | None] = mapped_column(Date)


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    UNREACHABLE = "unreachable"
    FAILED = "failed"


class OutboxMessage(Base):
    """A message the bot must deliver; ``key`` (recipient, purpose, period) makes it unique."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_due", "status", "not_before"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]]
    status: Mapped[OutboxStatus] = mapped_column(_str_enum(OutboxStatus))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(500))
