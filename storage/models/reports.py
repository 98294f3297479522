"""What chairs report (monitoring, events, passports, the reserve), drafts of forms, the
audit log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, IntPk, OrgId, PersonId, SubmissionKey


class MembershipReport(Base):
    """One revision of a ППО's membership monitoring for a period (the month it is for)."""

    __tablename__ = "membership_reports"
    __table_args__ = (
        sa.UniqueConstraint("org_id", "period", "revision"),
        sa.Index("ix_membership_reports_org_period", "org_id", "period"),
    )

    id: Mapped[IntPk]
    org_id: Mapped[OrgId]
    period: Mapped[date]
    revision: Mapped[int] = mapped_column(sa.Integer, default=1)
    workers: Mapped[int]
    members: Mapped[int]
    youth_workers: Mapped[int | None]
    youth_members: Mapped[int | None]
    managers: Mapped[int | None]
    managers_members: Mapped[int | None]
    joined: Mapped[int | None]
    left: Mapped[int | None]
    retired: Mapped[int | None]
    # Why «выбыло» left, split by the documents' four reasons; all None: the chair did not know.
    left_own_will: Mapped[int | None]
    left_dismissed: Mapped[int | None]
    left_retired: Mapped[int | None]
    left_other: Mapped[int | None]
    submitted_by: Mapped[PersonId]
    submitted_at: Mapped[datetime]
    submission_key: Mapped[SubmissionKey]
    returned_at: Mapped[datetime | None]
    returned_by: Mapped[PersonId | None]
    # HTML (``bot.texts.markup.SafeHtml``): the formatting staff typed kept, the text escaped.
    return_comment: Mapped[str | None] = mapped_column(sa.Text)
    # Loaded by staff from a past table (/loadhistory), not filed by a chair: revision 0.
    imported_at: Mapped[datetime | None]


class FormDraft(Base):
    """A half-filled form; lives in the database so a restart loses nothing."""

    __tablename__ = "form_drafts"

    id: Mapped[IntPk]
    tg_user_id: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    form: Mapped[str] = mapped_column(sa.String(32))
    org_id: Mapped[OrgId | None]
    step: Mapped[str] = mapped_column(sa.String(32))
    answers: Mapped[dict[str, Any]]
    context: Mapped[dict[str, Any]]
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ProcessedUpdate(Base):
    """Telegram update ids already applied: a redelivered update after a crash is skipped."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    processed_at: Mapped[datetime] = mapped_column(index=True)


class Event(Base):
    """An event a ППО held: seminar, contest, meeting... Deleted events stay for the record."""

    __tablename__ = "events"
    __table_args__ = (sa.Index("ix_events_org_date", "org_id", "date_from"),)

    id: Mapped[IntPk]
    org_id: Mapped[OrgId]
    kind: Mapped[str] = mapped_column(sa.String(32))
    kind_other: Mapped[str | None] = mapped_column(sa.String(100))
    topic: Mapped[str] = mapped_column(sa.String(300))
    date_from: Mapped[date]
    date_to: Mapped[date]
    online: Mapped[bool]
    place: Mapped[str | None] = mapped_column(sa.String(300))
    views: Mapped[int | None]
    participants: Mapped[int]
    direction: Mapped[str] = mapped_column(sa.String(32))
    description: Mapped[str | None] = mapped_column(sa.String(1000))
    photos: Mapped[list[str]] = mapped_column(sa.JSON)
    created_by: Mapped[PersonId]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]
    deleted_by: Mapped[PersonId | None]
    submission_key: Mapped[SubmissionKey]


class Passport(Base):
    """The card of a ППО (паспорт ППО). Workers live on the organization, shared with reports."""

    __tablename__ = "passports"

    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), primary_key=True)
    institution: Mapped[str | None] = mapped_column(sa.String(500))
    address: Mapped[str | None] = mapped_column(sa.String(500))
    chair_full_name: Mapped[str | None] = mapped_column(sa.String(200))
    chair_phone: Mapped[str | None] = mapped_column(sa.String(32))
    agreement: Mapped[bool | None]
    agreement_until: Mapped[date | None]
    youth_council: Mapped[bool | None]
    site_url: Mapped[str | None] = mapped_column(sa.String(500))
    social_url: Mapped[str | None] = mapped_column(sa.String(500))
    stand: Mapped[bool | None]
    corner: Mapped[bool | None]
    info_person: Mapped[str | None] = mapped_column(sa.String(200))
    public_report_on: Mapped[date | None]
    """The day the ППО last gave its yearly public report (seed 002 item 26)."""
    members_registry: Mapped[bool | None]
    """Keeps its members in the АИС «Единый реестр» (seed 002 item 3 and section VI)."""
    updated_at: Mapped[datetime]
    updated_by: Mapped[PersonId | None]


class ReservePerson(Base):
    """One person of a ППО's leadership reserve (кадровый резерв, seeds 001 item 6, 002 item 7).

    Removed people are deleted (names are personal data); the audit log keeps the change."""

    __tablename__ = "reserve_people"

    id: Mapped[IntPk]
    org_id: Mapped[OrgId] = mapped_column(index=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    position: Mapped[str] = mapped_column(sa.String(200))
    under_35: Mapped[bool]
    trained: Mapped[bool | None]
    """In union training (seed 002 item 7: «организация работы по его обучению»); None: added
    before the form asked."""
    added_at: Mapped[datetime]
    added_by: Mapped[PersonId | None]
    submission_key: Mapped[SubmissionKey]


class AuditEntry(Base):
    """Who changed what, when, from what to what: data and rights alike."""

    __tablename__ = "audit_log"
    __table_args__ = (
        sa.Index("ix_audit_log_org_at", "org_id", "at"),
        sa.Index("ix_audit_log_person_at", "person_id", "at"),
        # The entries of one action since a moment (``storage.audit.since``): every minute the
        # announcements of the last week; the log is never pruned.
        sa.Index("ix_audit_log_action_at", "action", "at"),
    )

    id: Mapped[IntPk]
    at: Mapped[datetime]
    actor_id: Mapped[PersonId | None]
    action: Mapped[str] = mapped_column(sa.String(48))
    org_id: Mapped[OrgId | None]
    person_id: Mapped[PersonId | None]
    before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
