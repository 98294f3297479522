"""Reads for the staff events report: the events of a scope's ППО in a date range, and the
scope's active ППО (those expected to hold events).

A scope is a district (its ППО) or a region (the ППО of every district in it). Events count
for every ППО of the scope, archived ones too (an event held is held, as in the digest); the
list of active ППО leaves archived organizations and archived districts out, so the report's
«no events» list names only organizations that still exist. Rows are small frozen dataclasses:
the report is drawn after the commit, so nothing may be an ORM object loaded lazily.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import Event, Organization, OrgKind


@dataclass(frozen=True, slots=True)
class EventLine:
    """One live event with the names of its ППО and district."""

    event_id: int
    org_id: int
    org_name: str
    district_name: str
    kind: str
    kind_other: str | None
    topic: str
    date_from: date
    date_to: date
    online: bool
    place: str | None
    views: int | None
    participants: int
    direction: str
    photos: int


@dataclass(frozen=True, slots=True)
class PpoName:
    org_id: int
    name: str
    district_name: str


_district = aliased(Organization)


def _in_scope(scope_org_id: int, *, active_only: bool) -> ColumnElement[bool]:
    """A ППО (``Organization``) whose district (``_district``) lies in the scope."""
    conditions = [
        Organization.kind == OrgKind.PPO,
        _district.kind == OrgKind.DISTRICT,
        or_(_district.id == scope_org_id, _district.parent_id == scope_org_id),
    ]
    if active_only:
        conditions += [Organization.archived_at.is_(None), _district.archived_at.is_(None)]
    return and_(*conditions)


async def scope_events(
    session: AsyncSession, scope_org_id: int, start: date, end: date
) -> list[EventLine]:
    """Not deleted events of the scope's ППО that started within [start, end], by date.

    An event belongs to the period its first day falls in, so an event spanning two months is
    counted once.
    """
    stmt = (
        select(Event, Organization.name, _district.name)
        .join(Organization, Organization.id == Event.org_id)
        .join(_district, _district.id == Organization.parent_id)
        .where(
            _in_scope(scope_org_id, active_only=False),
            Event.deleted_at.is_(None),
            Event.date_from >= start,
            Event.date_from <= end,
        )
        .order_by(Event.date_from, _district.name_key, Organization.name_key, Event.id)
    )
    return [
        EventLine(
            event_id=event.id,
            org_id=event.org_id,
            org_name=org_name,
            district_name=district_name,
            kind=event.kind,
            kind_other=event.kind_other,
            topic=event.topic,
            date_from=event.date_from,
            date_to=event.date_to,
            online=event.online,
            place=event.place,
            views=event.views,
            participants=event.participants,
            direction=event.direction,
            photos=len(event.photos or []),
        )
        for event, org_name, district_name in (await session.execute(stmt)).all()
    ]


async def active_ppo(session: AsyncSession, scope_org_id: int) -> list[PpoName]:
    """The scope's non-archived ППО of non-archived districts, by district and name."""
    stmt = (
        select(Organization.id, Organization.name, _district.name)
        .join(_district, _district.id == Organization.parent_id)
        .where(_in_scope(scope_org_id, active_only=True))
        .order_by(_district.name_key, _district.id, Organization.name_key, Organization.id)
    )
    return [PpoName(*row) for row in (await session.execute(stmt)).all()]


@dataclass(frozen=True)
class EventPlace:
    """A live event with where it sits in the tree: what rights to open it depend on."""

    event: Event
    org_name: str
    district_id: int
    district_name: str
    region_id: int | None


async def event_place(session: AsyncSession, event_id: int) -> EventPlace | None:
    """The event (not deleted) with its ППО's name, district and region; None if none."""
    stmt = (
        select(Event, Organization.name, _district.id, _district.name, _district.parent_id)
        .join(Organization, Organization.id == Event.org_id)
        .join(_district, _district.id == Organization.parent_id)
        .where(Event.id == event_id, Event.deleted_at.is_(None))
    )
    row = (await session.execute(stmt)).first()
    return None if row is None else EventPlace(*row)
