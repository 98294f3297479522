"""District events and their invitations: one query per question the domain asks.

An event belongs to the district or region that announced it (``scope_org_id``); its invites
are the ППО expected, fixed when it was announced. Rows handed to rendering are frozen
dataclasses: the table is drawn after the commit, so nothing may be an ORM object loaded lazily.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import join

from storage.contacts import name_of_record
from storage.event_report import EventLine
from storage.models import (
    DistrictEvent,
    DistrictEventAnswer,
    DistrictEventInvite,
    Organization,
    OutboxMessage,
    OutboxStatus,
    Passport,
)
from storage.orgs import PPO_DISTRICT
from storage.outbox_keys import KeyPurpose, org_of_key, outbox_key_prefix
from storage.outbox_prefix import keys_starting

LISTED = 20

_INVITED_PPO = join(
    DistrictEventInvite, Organization, Organization.id == DistrictEventInvite.org_id
).join(PPO_DISTRICT, PPO_DISTRICT.id == Organization.parent_id)
"""Invites with their ППО (``Organization``) and its district (``PPO_DISTRICT``): the FROM of
every read that names an invite's district."""


@dataclass(frozen=True, slots=True)
class InviteRow:
    """One expected ППО of an event with its answer and attendance, as plain data.

    ``chair``: the chair's name of record (the passport's, else the organization list's),
    never a Telegram name: it goes into a presidium's resolution.
    """

    org_id: int
    org_name: str
    district_name: str
    chair: str | None
    answer: DistrictEventAnswer | None
    people: int | None
    reason: str | None
    attended: int | None


async def add_event(
    session: AsyncSession, event: DistrictEvent, org_ids: Sequence[int]
) -> DistrictEvent:
    """Store an announced event with one invite per expected ППО."""
    session.add(event)
    await session.flush()
    session.add_all(DistrictEventInvite(event_id=event.id, org_id=org_id) for org_id in org_ids)
    await session.flush()
    return event


async def get_event(session: AsyncSession, event_id: int) -> DistrictEvent | None:
    return await session.get(DistrictEvent, event_id)


async def event_to_change(session: AsyncSession, event_id: int) -> DistrictEvent | None:
    """The event read afresh and locked until the transaction ends (a row lock on PostgreSQL;
    SQLite has one writer anyway): two staff moving or calling it off at once then act one
    after the other, the second seeing what the first did rather than what it read before."""
    stmt = (
        select(DistrictEvent)
        .where(DistrictEvent.id == event_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(stmt)).one_or_none()


async def invite_of(
    session: AsyncSession, event_id: int, org_id: int
) -> DistrictEventInvite | None:
    stmt = select(DistrictEventInvite).where(
        DistrictEventInvite.event_id == event_id, DistrictEventInvite.org_id == org_id
    )
    return (await session.scalars(stmt)).first()


async def scope_events(session: AsyncSession, scope_org_id: int) -> Sequence[DistrictEvent]:
    """The latest events announced by the scope or by a district inside it, newest first."""
    inside = select(Organization.id).where(Organization.parent_id == scope_org_id)
    stmt = (
        select(DistrictEvent)
        .where(
            or_(
                DistrictEvent.scope_org_id == scope_org_id,
                DistrictEvent.scope_org_id.in_(inside),
            )
        )
        .order_by(DistrictEvent.starts_at.desc(), DistrictEvent.id.desc())
        .limit(LISTED)
    )
    return (await session.scalars(stmt)).all()


async def events_since(session: AsyncSession, since: datetime) -> Sequence[DistrictEvent]:
    """Events starting at or after ``since``, not called off: those the clockwork may still
    write about."""
    stmt = (
        select(DistrictEvent)
        .where(DistrictEvent.starts_at >= since, DistrictEvent.cancelled_at.is_(None))
        .order_by(DistrictEvent.id)
    )
    return (await session.scalars(stmt)).all()


async def cancel_event(
    session: AsyncSession, event: DistrictEvent, *, by: int, now: datetime
) -> list[Organization]:
    """Mark the event called off; what was waiting to go out about it is dropped
    (:func:`recall_unsent`). The ППО whose invitation had gone out: who alone heard of it."""
    event.cancelled_at, event.cancelled_by = now, by
    return await recall_unsent(session, event)


async def recall_unsent(session: AsyncSession, event: DistrictEvent) -> list[Organization]:
    """Delete the event's invitations and reminders still waiting in the outbox (what they say
    is about to be wrong) and mark the ППО whose invitation was among them as not invited yet,
    so that the clockwork writes to them afresh; the ППО whose invitation went out."""
    waiting = or_(
        *(
            keys_starting(purpose, event.id, status=OutboxStatus.PENDING)
            for purpose in (KeyPurpose.DISTRICT_INVITATION, KeyPurpose.DISTRICT_REMINDER)
        )
    )
    unsent = list((await session.scalars(select(OutboxMessage.key).where(waiting))).all())
    await session.execute(
        delete(OutboxMessage).where(waiting).execution_options(synchronize_session=False)
    )
    told = []
    for invite, org in await invites_with_orgs(session, event.id):
        if _among(unsent, event.id, org.id):
            invite.invited_at = None
        elif invite.invited_at is not None:
            told.append(org)
    await session.flush()
    return told


async def invited_while_called_off(
    session: AsyncSession, now: datetime
) -> list[tuple[DistrictEvent, list[Organization]]]:
    """The events called off and still ahead, each with the ППО whose invitation was on its
    way when it was: :func:`recall_unsent` marked them not invited, but it went all the same
    and is recorded sent (``storage/outbox_flight.py``). They are marked invited now, when it
    went, so that each is found once."""
    stmt = (
        select(DistrictEvent, DistrictEventInvite, Organization)
        .join(DistrictEventInvite, DistrictEventInvite.event_id == DistrictEvent.id)
        .join(Organization, Organization.id == DistrictEventInvite.org_id)
        .where(
            DistrictEvent.cancelled_at.is_not(None),
            DistrictEvent.starts_at > now,
            DistrictEventInvite.invited_at.is_(None),
        )
        .order_by(DistrictEvent.id, Organization.sort_key, Organization.id)
    )
    uninvited: dict[DistrictEvent, list[tuple[DistrictEventInvite, Organization]]] = {}
    for event, invite, org in (await session.execute(stmt)).all():
        uninvited.setdefault(event, []).append((invite, org))
    found = []
    for event, rows in uninvited.items():
        went = await _invitations_went(session, event.id)
        for invite, org in (late := [(i, o) for i, o in rows if o.id in went]):
            invite.invited_at = went[org.id]
        if late:
            found.append((event, [org for _, org in late]))
    await session.flush()
    return found


async def _invitations_went(session: AsyncSession, event_id: int) -> dict[int, datetime]:
    """When the invitation of each ППО to the event that is recorded sent went, by ППО."""
    stmt = select(OutboxMessage.key, OutboxMessage.sent_at).where(
        keys_starting(KeyPurpose.DISTRICT_INVITATION, event_id, status=OutboxStatus.SENT)
    )
    return {
        org_id: sent_at
        for key, sent_at in (await session.execute(stmt)).all()
        if (org_id := org_of_key(key)) is not None and sent_at is not None
    }


def _among(keys: Sequence[str], event_id: int, org_id: int) -> bool:
    """Whether one of ``keys`` is the invitation of that ППО to that event."""
    prefix = outbox_key_prefix(KeyPurpose.DISTRICT_INVITATION, event_id, org_id)
    return any(key.startswith(prefix) for key in keys)


async def invites_with_orgs(
    session: AsyncSession, event_id: int
) -> Sequence[tuple[DistrictEventInvite, Organization]]:
    stmt = (
        select(DistrictEventInvite, Organization)
        .join(Organization, Organization.id == DistrictEventInvite.org_id)
        .where(DistrictEventInvite.event_id == event_id)
        .order_by(Organization.sort_key, Organization.id)
    )
    return [(invite, org) for invite, org in (await session.execute(stmt)).all()]


async def invite_rows(session: AsyncSession, event_id: int) -> list[InviteRow]:
    """Every expected ППО of an event, by district and name, with its chair of record."""
    stmt = (
        select(DistrictEventInvite, Organization, PPO_DISTRICT.name, Passport.chair_full_name)
        .select_from(_INVITED_PPO)
        .outerjoin(Passport, Passport.org_id == Organization.id)
        .where(DistrictEventInvite.event_id == event_id)
        .order_by(PPO_DISTRICT.sort_key, Organization.sort_key, Organization.id)
    )
    return [
        InviteRow(
            org_id=org.id,
            org_name=org.name,
            district_name=district_name,
            chair=name_of_record(passport_chair, org.chair_name),
            answer=invite.answer,
            people=invite.people,
            reason=invite.reason,
            attended=invite.attended,
        )
        for invite, org, district_name, passport_chair in (await session.execute(stmt)).all()
    ]


async def attendance_lines(
    session: AsyncSession, scope_org_id: int, start: date, end: date
) -> list[EventLine]:
    """District events of the scope's ППО held within [start, end] (their local date),
    one line per ППО that sent someone, shaped as that ППО's event for the events report.

    The line's ``event_id`` is the district event's id negated, so it never equals an
    event a chair reported."""
    stmt = (
        select(DistrictEventInvite, DistrictEvent, Organization.name, PPO_DISTRICT.name)
        .select_from(_INVITED_PPO)
        .join(DistrictEvent, DistrictEvent.id == DistrictEventInvite.event_id)
        .where(
            or_(PPO_DISTRICT.id == scope_org_id, PPO_DISTRICT.parent_id == scope_org_id),
            DistrictEventInvite.attended > 0,
            DistrictEvent.starts_on >= start,
            DistrictEvent.starts_on <= end,
        )
        .order_by(DistrictEvent.starts_at, PPO_DISTRICT.sort_key, Organization.sort_key)
    )
    return [
        EventLine(
            event_id=-event.id,
            org_id=invite.org_id,
            org_name=org_name,
            district_name=district_name,
            kind=event.kind,
            kind_other=event.kind_other,
            topic=event.title,
            date_from=event.starts_on,
            date_to=event.starts_on,
            online=event.online,
            place=event.place,
            views=None,
            participants=invite.attended or 0,
            direction=event.direction,
            photos=0,
        )
        for invite, event, org_name, district_name in (await session.execute(stmt)).all()
    ]


async def events_of_ppo(session: AsyncSession, org_id: int) -> Sequence[DistrictEvent]:
    """The events a ППО is invited to, newest first."""
    stmt = (
        select(DistrictEvent)
        .join(DistrictEventInvite, DistrictEventInvite.event_id == DistrictEvent.id)
        .where(DistrictEventInvite.org_id == org_id)
        .order_by(DistrictEvent.starts_at.desc(), DistrictEvent.id.desc())
        .limit(LISTED)
    )
    return (await session.scalars(stmt)).all()


async def refused_invitations(session: AsyncSession, event_id: int) -> set[int]:
    """The ППО whose chair's invitation to the event was refused as unreachable (the bot was
    blocked when it went out): to be invited again once the chair is back."""
    prefix = outbox_key_prefix(KeyPurpose.DISTRICT_INVITATION, event_id)
    stmt = select(OutboxMessage.key).where(
        keys_starting(KeyPurpose.DISTRICT_INVITATION, event_id, status=OutboxStatus.UNREACHABLE)
    )
    keys = (await session.scalars(stmt)).all()
    return {int(key.removeprefix(prefix).split(":", 1)[0]) for key in keys}
