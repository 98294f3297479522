"""Opening the monitoring calendar's periods: each district's collection for the month.

A plain async function a scheduler calls every minute; running it again at the same moment
(or after a restart) changes nothing, because a collection is opened once per (district,
period).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.calendar import (
    CalendarSettings,
    calendar_months,
    due_months,
    local_today,
    opening_deadline,
    tier_of,
)
from bot.domain.coverage import coverage
from bot.domain.tick import Planning
from bot.domain.timezones import zone_of
from bot.texts import reminders as t
from storage import collections as store
from storage import orgs
from storage.models import Collection, CollectionKind, Organization, OrgKind
from storage.reports import counted_before, latest_reports

log = logging.getLogger(__name__)


async def open_due_periods(planning: Planning) -> list[Collection]:
    """Open this month's membership monitoring in every district where it is due.

    For each district whose local today falls in a calendar month and that has no calendar
    collection for this month yet (its deadline: :func:`opening_deadline`): the targets are its
    ППО due this month by their tier, from their latest report before the period (a report
    already filed for the period marks the target submitted). A district with no ППО due gets
    no collection. Returns those opened. Each district is a unit of its own (``isolation``):
    one that fails is logged and skipped.
    """
    isolation, now = planning.isolation, planning.clock.now()
    months = calendar_months(planning.calendar)
    async with planning.session_pool() as session:
        districts = list(await orgs.active_districts(session))
    opened: list[Collection] = []
    for district in districts:
        async with isolation.unit(f"opening the period of district {district.id}"):
            today = local_today(now, zone_of(district, planning.default_tz))
            if today.month not in months:
                continue
            async with planning.session_pool() as session, session.begin():
                collection = await _open_district_period(
                    session, district.id, today, planning.calendar, now
                )
            if collection is not None:
                log.info("opened %s for district %s", collection.title, district.id)
                opened.append(collection)
    return opened


async def _open_district_period(
    session: AsyncSession,
    district_id: int,
    today: date,
    settings: CalendarSettings,
    now: datetime,
) -> Collection | None:
    period = today.replace(day=1)
    if await _calendar_monitoring(session, district_id, period) is not None:
        return None
    due: list[tuple[int, str]] = []
    submitted: dict[int, datetime] = {}
    for org in await orgs.ppo_in_scope(session, district_id):
        standing = await _due_standing(session, org.id, period, settings)
        if standing is not None:
            due.append((org.id, standing.tier))
            if standing.submitted_at is not None:
                submitted[org.id] = standing.submitted_at
    if not due:
        return None
    return await store.open_collection(
        session,
        kind=CollectionKind.MEMBERSHIP,
        scope_org_id=district_id,
        period=period,
        title=t.collection_title(period),
        one_off=False,
        deadline_for_target=opening_deadline(period, today, settings),
        targets=due,
        now=now,
        already_submitted=submitted,
    )


@dataclass(frozen=True)
class _Due:
    tier: str
    submitted_at: datetime | None  # a report for the period already filed and standing


async def _due_standing(
    session: AsyncSession, org_id: int, period: date, settings: CalendarSettings
) -> _Due | None:
    """Whether the ППО is due for ``period`` by its tier (its latest report before the period),
    and whether a report for it is already in; None: not due."""
    reports = await latest_reports(session, org_id)
    basis = counted_before(reports, period)
    tier = tier_of(coverage(basis.members, basis.workers) if basis is not None else None)
    if period.month not in due_months(tier, settings):
        return None
    filed = reports and reports[0].period == period and reports[0].returned_at is None
    return _Due(tier.value, reports[0].submitted_at if filed else None)


async def rejoin_open_periods(
    session: AsyncSession,
    org: Organization,
    settings: CalendarSettings,
    now: datetime,
    default_tz: str,
) -> int:
    """An organization restored from the archive: each of its ППО (itself, or those under it)
    is asked for the period its district opened meanwhile (:func:`join_open_period`); returns
    how many were."""
    ppos = [org] if org.kind is OrgKind.PPO else list(await orgs.ppo_in_scope(session, org.id))
    return sum([await join_open_period(session, ppo, settings, now, default_tz) for ppo in ppos])


async def open_without(
    session: AsyncSession, district_id: int, org_id: int, period: date
) -> Collection | None:
    """The district's calendar monitoring of ``period`` when it does not ask the ППО (opened
    while the ППО was archived or not yet due); None when there is none, or it asks it."""
    collection = await _calendar_monitoring(session, district_id, period)
    if collection is None or await store.has_target(session, collection.id, org_id):
        return None
    return collection


async def _calendar_monitoring(
    session: AsyncSession, district_id: int, period: date
) -> Collection | None:
    """The district's monitoring of ``period`` the calendar opened (not a one-off request)."""
    return await store.find_collection(
        session,
        kind=CollectionKind.MEMBERSHIP,
        scope_org_id=district_id,
        period=period,
        one_off=False,
    )


async def join_open_period(
    session: AsyncSession,
    org: Organization,
    settings: CalendarSettings,
    now: datetime,
    default_tz: str,
) -> bool:
    """The period a ППО's district has open asks it too, when its tier (by the figures standing
    now) makes it due and it is not asked yet, by the deadline a late opening gets (no chair is
    told of a deadline already gone). True if it was added.

    Called when the ППО comes back from the archive, and after figures are stored for an
    earlier period (a correction of a report sent back, a late one, past figures loaded):
    December corrected from 81,5 % to 79,6 % after March opened without it is asked for March,
    as the opening's rule (the tier of the latest report before the period) now says. Figures
    that take it out of this month's tier keep its target: it was asked, and dropping a request
    already reminded of is for the district to decide."""
    district = await orgs.get_org(session, org.parent_id) if org.parent_id else None
    if org.kind is not OrgKind.PPO or district is None or district.archived_at is not None:
        return False
    today = local_today(now, zone_of(district, default_tz))
    period = today.replace(day=1)
    collection = await open_without(session, district.id, org.id, period)
    if collection is None:
        return False
    standing = await _due_standing(session, org.id, period, settings)
    if standing is None:
        return False
    deadline = opening_deadline(period, today, settings)
    await store.add_target(
        session, collection, org.id, standing.tier, deadline, standing.submitted_at
    )
    return True
