"""The district's own work: its events with invitations and attendance, its plans of measures."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, IntPk, OrgId, PersonId, SubmissionKey, str_enum


class DistrictEventAnswer(enum.StrEnum):
    COMING = "coming"
    DECLINED = "declined"


class DistrictEvent(Base):
    """An event a district (or region) holds for its ППО: a seminar, a school, a contest."""

    __tablename__ = "district_events"

    id: Mapped[IntPk]
    scope_org_id: Mapped[OrgId] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    # The kind's name staff typed for «Другое» (NULL for any other kind, and for events
    # announced before it was asked: those show as «Другое»).
    kind_other: Mapped[str | None] = mapped_column(sa.String(100))
    direction: Mapped[str] = mapped_column(sa.String(32))
    title: Mapped[str] = mapped_column(sa.String(300))
    starts_at: Mapped[datetime]
    starts_on: Mapped[date]  # the local date where it is held
    place: Mapped[str] = mapped_column(sa.String(500))
    online: Mapped[bool]
    quota: Mapped[int | None]
    answer_by: Mapped[date]
    created_by: Mapped[PersonId]
    created_at: Mapped[datetime]
    submission_key: Mapped[SubmissionKey]
    # Called off before it began: the clockwork writes no more about it, answers are closed.
    cancelled_at: Mapped[datetime | None]
    cancelled_by: Mapped[PersonId | None]


class DistrictEventInvite(Base):
    """One ППО expected at a district event: its answer, and afterwards how many came."""

    __tablename__ = "district_event_invites"
    __table_args__ = (sa.UniqueConstraint("event_id", "org_id"),)

    id: Mapped[IntPk]
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("district_events.id"), index=True)
    org_id: Mapped[OrgId] = mapped_column(index=True)
    # Set when the invitation was queued: the outbox prunes sent keys after 30 days, while an
    # event may be announced a year ahead, so this row (not the key) says it went out.
    invited_at: Mapped[datetime | None]
    answer: Mapped[DistrictEventAnswer | None] = mapped_column(str_enum(DistrictEventAnswer))
    people: Mapped[int | None]
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    answered_at: Mapped[datetime | None]
    answered_by: Mapped[PersonId | None]
    attended: Mapped[int | None]
    attended_at: Mapped[datetime | None]
    attended_by: Mapped[PersonId | None]


class Plan(Base):
    """A plan of measures (план мероприятий) of a district or region, loaded by its staff."""

    __tablename__ = "plans"

    id: Mapped[IntPk]
    scope_org_id: Mapped[OrgId] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    created_by: Mapped[PersonId | None]
    created_at: Mapped[datetime]


class PlanItem(Base):
    """One numbered item: its deadline and who answers for it (``responsible``: «staff», «ppo»
    or «all_ppo»; ``person_id`` for a staff member, ``org_id`` for one ППО). An item due in
    stages («март, июнь, октябрь, декабрь») keeps them all in ``stages`` (ISO dates, earliest
    first; None for one deadline) and the last in ``deadline``. ``assigned_at``: when it was
    last given to another responsible (None: it has the one it was added with), the moment
    from which they owe its stages (``bot.domain.plans.owed_stages``)."""

    __tablename__ = "plan_items"

    id: Mapped[IntPk]
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id"), index=True)
    number: Mapped[str] = mapped_column(sa.String(16))
    text: Mapped[str] = mapped_column(sa.String(1000))
    deadline: Mapped[date]
    deadline_label: Mapped[str] = mapped_column(sa.String(64))
    stages: Mapped[list[str] | None] = mapped_column(sa.JSON)
    responsible: Mapped[str] = mapped_column(sa.String(16))
    person_id: Mapped[PersonId | None]
    org_id: Mapped[OrgId | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    assigned_at: Mapped[datetime | None]


class PlanMark(Base):
    """A stage of an item marked done by one who answers for it; ``unit``: the ППО id, 0 for
    staff; ``due``: the day of the stage it was made for (the one deadline of most items).
    Kept by the day, not by the stage's place, so a changed deadline never turns a March mark
    into June's: a mark whose day is no longer a stage of the item counts toward none (None:
    such a mark from before marks kept their day, its day unknown)."""

    __tablename__ = "plan_marks"
    __table_args__ = (sa.UniqueConstraint("item_id", "unit", "due"),)

    id: Mapped[IntPk]
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_items.id"), index=True)
    unit: Mapped[int] = mapped_column(sa.Integer)
    due: Mapped[date | None]
    done_at: Mapped[datetime]
    done_on: Mapped[date]
    done_by: Mapped[PersonId]
    note: Mapped[str | None] = mapped_column(sa.String(1000))
    number: Mapped[str | None] = mapped_column(sa.String(32))
    file_id: Mapped[str | None] = mapped_column(sa.String(200))
    file_kind: Mapped[str | None] = mapped_column(sa.String(16))
    file_name: Mapped[str | None] = mapped_column(sa.String(200))
