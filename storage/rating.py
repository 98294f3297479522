"""Set-based reads for the yearly rating of primary organizations (рейтингование, seed 002).

For one scope (a district, or a region: the ППО of all its districts) and one calendar year,
each non-archived ППО with:

* its counting reports: for every period the latest revision counts, and a period whose latest
  revision was returned for correction has no valid numbers (it is skipped, as in the digest).
  Of those: the last report of the year, and the baseline for the change over the year, which
  is the last report before the year or, when there is none, the first report of the year;
* youth figures (from the last report of the year);
* the data requests of collections whose period lies in the year, one per kind and month
  (a month asked for twice, by a calendar period and a one-off request, is one obligation:
  ``storage.obligations``): how many, and how many were delivered on time. On time means first
  delivered on or before the month's binding (earliest) deadline by the ППО's local date, the
  same rule that marks a report «сдан с опозданием» in the digest. A report filed late is
  stored under the period it is for, so a December report filed in January counts in
  December's year, late. A request never delivered is late once its deadline has passed; one
  not delivered whose deadline is today or later (``today`` given) is not yet due and is left
  out;
* the events of the year (by ``date_from``), not deleted, and the district events of the year
  it took part in (attendance above zero; by their local date): count and participants, as
  the per-ППО sheet of /eventsreport counts them.

A handful of grouped queries for the whole scope, whatever its size; rows come back as frozen
dataclasses, nothing is tracked by the session.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import NamedTuple

from sqlalchemy import CTE, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.district_events import attendance_lines
from storage.models import Collection, Event, MembershipReport, Organization
from storage.obligations import came_on_time, obligations
from storage.orgs import PPO_DISTRICT, scope_ppo_ids, scope_ppos
from storage.reports import counting_revisions, is_counting


@dataclass(frozen=True, slots=True)
class ReportFigures:
    """The numbers of one counting report the rating uses."""

    period: date
    workers: int
    members: int
    youth_workers: int | None
    youth_members: int | None


@dataclass(frozen=True, slots=True)
class RatingRow:
    """Everything the rating needs about one ППО for one year."""

    org_id: int
    name: str
    district_id: int
    district_name: str
    reports_in_year: int = 0  # counting (not returned) periods in the year
    last: ReportFigures | None = None  # the last counting report of the year
    baseline: ReportFigures | None = None  # last before the year, else the first of the year
    baseline_before_year: bool = False  # True: ``baseline`` is from an earlier year
    targets: int = 0  # data requests of the year that were due, a month asked twice once
    on_time: int = 0  # of them, delivered on or before their deadline
    events: int = 0
    participants: int = 0


class _YearReports(NamedTuple):
    """The report fields of a ``RatingRow``, named as there: ``rating_rows`` sets them by name."""

    reports_in_year: int
    last: ReportFigures
    baseline: ReportFigures
    baseline_before_year: bool


def year_bounds(year: int) -> tuple[date, date]:
    """The half-open range [1 January, next 1 January)."""
    return date(year, 1, 1), date(year + 1, 1, 1)


async def _ppos(session: AsyncSession, scope_org_id: int) -> list[RatingRow]:
    """The scope's ППО as rows with no figures yet: ``rating_rows`` fills them in."""
    stmt = scope_ppos(
        scope_org_id, Organization.id, Organization.name, PPO_DISTRICT.id, PPO_DISTRICT.name
    ).order_by(PPO_DISTRICT.sort_key, PPO_DISTRICT.id, Organization.sort_key, Organization.id)
    return [RatingRow(r[0], r[1], r[2], r[3]) for r in (await session.execute(stmt)).all()]


def _valid_reports(scope_org_id: int, end: date) -> CTE:
    """The counting revision of every period before ``end`` of the scope's ППО, returned ones
    dropped."""
    mr = MembershipReport
    latest = counting_revisions(mr.org_id.in_(scope_ppo_ids(scope_org_id)), mr.period < end)
    return (
        select(
            mr.org_id.label("org_id"),
            mr.period.label("period"),
            mr.workers.label("workers"),
            mr.members.label("members"),
            mr.youth_workers.label("youth_workers"),
            mr.youth_members.label("youth_members"),
        )
        .join(latest, is_counting(latest))
        .where(mr.returned_at.is_(None))
        .cte("valid")
    )


def _year_marks(valid: CTE, start: date) -> CTE:
    """Per ППО with a valid report in the year: its last and first period of the year, its
    last period before the year, and how many periods of the year it reported."""
    in_year = valid.c.period >= start
    return (
        select(
            valid.c.org_id.label("org_id"),
            func.max(case((in_year, valid.c.period))).label("last_in"),
            func.min(case((in_year, valid.c.period))).label("first_in"),
            func.max(case((valid.c.period < start, valid.c.period))).label("last_before"),
            func.count(case((in_year, 1))).label("count_in"),
        )
        .group_by(valid.c.org_id)
        .having(func.count(case((in_year, 1))) > 0)
        .cte("marks")
    )


async def _reports(session: AsyncSession, scope_org_id: int, year: int) -> dict[int, _YearReports]:
    """Per ППО with a counting report in the year: its ``_YearReports``.

    The final select fetches just the (at most three) reports ``_year_marks`` points at.
    """
    start, end = year_bounds(year)
    valid = _valid_reports(scope_org_id, end)
    marks = _year_marks(valid, start)
    stmt = select(
        valid.c.org_id,
        valid.c.period,
        valid.c.workers,
        valid.c.members,
        valid.c.youth_workers,
        valid.c.youth_members,
        marks.c.last_in,
        marks.c.first_in,
        marks.c.last_before,
        marks.c.count_in,
    ).join(
        marks,
        and_(
            marks.c.org_id == valid.c.org_id,
            or_(
                valid.c.period == marks.c.last_in,
                valid.c.period == marks.c.first_in,
                valid.c.period == marks.c.last_before,
            ),
        ),
    )
    found: dict[int, dict[date, ReportFigures]] = {}
    marks_of: dict[int, tuple[date, date, date | None, int]] = {}
    for row in (await session.execute(stmt)).all():
        org_id, period = row[0], row[1]
        found.setdefault(org_id, {})[period] = ReportFigures(period, row[2], row[3], row[4], row[5])
        marks_of[org_id] = (row[6], row[7], row[8], int(row[9]))
    result: dict[int, _YearReports] = {}
    for org_id, (last_in, first_in, last_before, count) in marks_of.items():
        reports = found[org_id]
        baseline = reports[last_before] if last_before is not None else reports[first_in]
        result[org_id] = _YearReports(count, reports[last_in], baseline, last_before is not None)
    return result


async def _targets(
    session: AsyncSession, scope_org_id: int, year: int, today: date | None
) -> dict[int, tuple[int, int]]:
    """Per ППО: (requests due, delivered on time) of the collections of the year, a month asked
    for twice being one request judged by its binding deadline (``storage.obligations``)."""
    start, end = year_bounds(year)
    owed = (
        obligations(scope_ppo_ids(scope_org_id))
        .where(Collection.period >= start, Collection.period < end)
        .subquery()
    )
    on_time = case((came_on_time(owed.c.delivered_on, owed.c.deadline), 1), else_=0)
    stmt = select(owed.c.org_id, func.count(), func.sum(on_time)).group_by(owed.c.org_id)
    if today is not None:  # not delivered and the deadline not yet passed: not due yet
        stmt = stmt.where(or_(owed.c.delivered_on.is_not(None), owed.c.deadline < today))
    return {
        org_id: (int(total), int(good or 0))
        for org_id, total, good in (await session.execute(stmt)).all()
    }


async def _events(
    session: AsyncSession, scope_org_id: int, year: int
) -> dict[int, tuple[int, int]]:
    """Per ППО: (events, participants) of not deleted events that started in the year, and of
    the district events of the year it took part in with their attendance, as /eventsreport
    counts a ППО's events (``storage.district_events.attendance_lines``)."""
    start, end = year_bounds(year)
    stmt = (
        select(Event.org_id, func.count(Event.id), func.coalesce(func.sum(Event.participants), 0))
        .where(
            Event.org_id.in_(scope_ppo_ids(scope_org_id)),
            Event.deleted_at.is_(None),
            Event.date_from >= start,
            Event.date_from < end,
        )
        .group_by(Event.org_id)
    )
    found = {
        org_id: (int(count), int(people))
        for org_id, count, people in (await session.execute(stmt)).all()
    }
    for line in await attendance_lines(session, scope_org_id, start, end - timedelta(days=1)):
        count, people = found.get(line.org_id, (0, 0))
        found[line.org_id] = (count + 1, people + line.participants)
    return found


async def rating_rows(
    session: AsyncSession, scope_org_id: int, year: int, *, today: date | None = None
) -> list[RatingRow]:
    """Every non-archived ППО of the scope with its figures for ``year``, by district and name.

    ``today`` (the scope's local date) leaves out requests not delivered whose deadline has
    not passed yet; without it every request of the year counts.
    """
    ppos = await _ppos(session, scope_org_id)
    reports = await _reports(session, scope_org_id, year)
    targets = await _targets(session, scope_org_id, year, today)
    events = await _events(session, scope_org_id, year)
    rows: list[RatingRow] = []
    for ppo in ppos:
        total, good = targets.get(ppo.org_id, (0, 0))
        held, people = events.get(ppo.org_id, (0, 0))
        row = replace(ppo, targets=total, on_time=good, events=held, participants=people)
        if ppo.org_id in reports:
            row = replace(row, **reports[ppo.org_id]._asdict())
        rows.append(row)
    return rows
