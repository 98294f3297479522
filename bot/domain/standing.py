"""Where a chair's ППО stands: its coverage tier, how often it reports by that tier, and the
next deadline. Shown in /history and after each report, so a chair knows what is asked of
them without asking the district."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.calendar import CalendarSettings, Tier, deadline_for, due_months, tier_of
from bot.domain.coverage import coverage, format_percent
from bot.domain.due_periods import open_without
from bot.domain.timezones import zone_of
from bot.texts import chair as t
from storage import collections, reports
from storage.models import CollectionKind, Organization

MONTHS_AHEAD = 25  # every tier has a due month within two years


@dataclass(frozen=True)
class Standing:
    """``deadline``: of the open request not yet answered (``overdue`` if it has passed),
    else of the next calendar period due and not yet reported; None: no month is due."""

    coverage: float | None
    tier: Tier
    per_year: int
    deadline: date | None
    overdue: bool = False


def next_calendar_deadline(
    months: Collection[int], reported: Collection[date], today: date, calendar: CalendarSettings
) -> date | None:
    """The deadline of the first due month from ``today``'s on that has no report yet and
    whose deadline has not passed."""
    year, month = today.year, today.month
    for _ in range(MONTHS_AHEAD):
        period = date(year, month, 1)
        if month in months and period not in reported:
            deadline = deadline_for(period, calendar)
            if deadline >= today:
                return deadline
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


async def standing_of(
    session: AsyncSession,
    org: Organization,
    *,
    calendar: CalendarSettings,
    default_tz: str,
    now: datetime,
) -> Standing:
    """The ППО's standing at ``now``, by its latest report whose figures stand (one sent back
    and not corrected counts for nothing, as for the calendar) and its local date."""
    today = now.astimezone(zone_of(org, default_tz)).date()
    latest = await reports.standing_reports(session, org.id)
    value = coverage(latest[0].members, latest[0].workers) if latest else None
    tier = tier_of(value)
    months = due_months(tier, calendar)
    targets = await collections.open_targets(
        session, org.id, kind=CollectionKind.MEMBERSHIP, now=now, local_day=today
    )
    owed = [target.deadline for target in targets if not target.submitted]
    if owed:
        deadline = min(owed)
        return Standing(value, tier, len(months), deadline, overdue=deadline < today)
    reported = {report.period for report in latest} | await _left_out(session, org, today)
    return Standing(
        value, tier, len(months), next_calendar_deadline(months, reported, today, calendar)
    )


async def _left_out(session: AsyncSession, org: Organization, today: date) -> set[date]:
    """This month's period, when the district has opened it without the ППО (its tier at the
    opening did not make it due; it joined later; its figures were sent back since): it is not
    asked for it and staff see it «не требуется», so the chair is told of the next one."""
    period = today.replace(day=1)
    if org.parent_id is None or await open_without(session, org.parent_id, org.id, period) is None:
        return set()
    return {period}


async def standing_lines(
    session: AsyncSession,
    org: Organization,
    *,
    calendar: CalendarSettings,
    default_tz: str,
    now: datetime,
) -> list[str]:
    """«охват 72 %: мониторинг 4 раза в год, следующий — до 25.12.2026» and, below 50 %,
    a second line on what the district's programme does about it."""
    found = await standing_of(session, org, calendar=calendar, default_tz=default_tz, now=now)
    line = t.standing(
        None if found.coverage is None else format_percent(found.coverage),
        per_year=found.per_year,
        deadline=found.deadline,
        overdue=found.overdue,
    )
    return [line, t.LOW_COVERAGE] if found.tier is Tier.LOW else [line]
