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

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Event, Organization, OrgKind
from storage.orgs import PPO_DISTRICT, scope_ppos


@dataclass(frozen=True, slots=True)
class EventLine:
    """One live event with the names of its ППО and district; a district event a ППО attended
    has the event's id negated (``storage.district_events``): no /showevent number."""

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

    @property
    def number(self) -> int | None:
        """The № /showevent opens; None for a district event (not a ППО's record)."""
        return self.event_id if self.event_id > 0 else None


@dataclass(frozen=True, slots=True)
class PpoName:
    org_id: int
    name: str
    district_name: str


async def scope_events(
    session: AsyncSession, scope_org_id: int, start: date, end: date
) -> list[EventLine]:
    """Not deleted events of the scope's ППО that started within [start, end], by date.

    An event belongs to the period its first day falls in, so an event spanning two months is
    counted once.
    """
    stmt = (
        select(Event, Organization.name, PPO_DISTRICT.name)
        .join(Organization, Organization.id == Event.org_id)
        .join(PPO_DISTRICT, PPO_DISTRICT.id == Organization.parent_id)
        .where(
            Organization.kind == OrgKind.PPO,
            PPO_DISTRICT.kind == OrgKind.DISTRICT,
            or_(PPO_DISTRICT.id == scope_org_id, PPO_DISTRICT.parent_id == scope_org_id),
            Event.deleted_at.is_(None),
            Event.date_from >= start,
            Event.date_from <= end,
        )
        .order_by(Event.date_from, PPO_DISTRICT.sort_key, Organization.sort_key, Event.id)
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
    """The scope's ППО (``scope_ppos``: non-archived ones of non-archived districts), by
    district and name."""
    stmt = scope_ppos(scope_org_id, Organization.id, Organization.name, PPO_DISTRICT.name).order_by(
        PPO_DISTRICT.sort_key, PPO_DISTRICT.id, Organization.sort_key, Organization.id
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
        select(Event, Organization.name, PPO_DISTRICT.id, PPO_DISTRICT.name, PPO_DISTRICT.parent_id)
        .join(Organization, Organization.id == Event.org_id)
        .join(PPO_DISTRICT, PPO_DISTRICT.id == Organization.parent_id)
        .where(Event.id == event_id, Event.deleted_at.is_(None))
    )
    row = (await session.execute(stmt)).first()
    return None if row is None else EventPlace(*row)
