"""The events a digest reports: those staff learn of in its window, by the later of the day
an event was held and the day it was entered (see ``_events_of``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Event, Organization, OrgKind


def _start_of(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant the local ``day`` begins."""
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


def _events_of(scope_org_id: int, since: date, until: date, tz: ZoneInfo) -> ColumnElement[bool]:
    """Not deleted events of the scope (itself, its districts and their ППО, archived ППО too:
    an event held is held) that staff learn of in ``[since, until)``: on the later of the day
    the event started and the (local) day it was entered. One held last month and entered
    this week is news this week; one entered ahead is news the week it is held. Each event
    has one such day, so consecutive windows never count it twice; an edit (even of the
    date) keeps it where it was counted unless its new date is a later window's.
    """
    districts = select(Organization.id).where(
        Organization.kind == OrgKind.DISTRICT,
        or_(Organization.id == scope_org_id, Organization.parent_id == scope_org_id),
    )
    start, end = _start_of(since, tz), _start_of(until, tz)
    return and_(
        or_(
            Event.org_id == scope_org_id,
            Event.org_id.in_(districts),
            Event.org_id.in_(select(Organization.id).where(Organization.parent_id.in_(districts))),
        ),
        Event.deleted_at.is_(None),
        Event.date_from < until,
        Event.created_at < end,
        or_(Event.date_from >= since, Event.created_at >= start),
    )


async def event_totals(
    session: AsyncSession,
    scope_org_id: int,
    since: date,
    until: date,
    tz: ZoneInfo,
) -> tuple[int, int]:
    """(events, participants) of the events staff learn of in ``[since, until)``, local days
    in ``tz`` (``_events_of``). The window is half-open so consecutive digests never count an
    event twice."""
    stmt = select(func.count(Event.id), func.coalesce(func.sum(Event.participants), 0)).where(
        _events_of(scope_org_id, since, until, tz)
    )
    count, participants = (await session.execute(stmt)).one()
    return int(count), int(participants)


async def events_entered_late(
    session: AsyncSession, scope_org_id: int, since: date, until: date, tz: ZoneInfo
) -> int:
    """How many of ``event_totals``' events were held before ``since``: entered late."""
    stmt = select(func.count(Event.id)).where(
        _events_of(scope_org_id, since, until, tz), Event.date_from < since
    )
    return int(await session.scalar(stmt) or 0)
