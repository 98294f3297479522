"""Set-based reads for the district digest: the ППО of a scope, their counting reports, the open
collection (event totals: ``storage.digest_events``).

A scope is a district (its ППО) or a region (the ППО of every district in it). Every query works
on the whole scope at once (grouped subqueries that SQLite and PostgreSQL both run well), so
a region of 10,000 ППО with five years of quarterly reports is a handful of queries. Rows come
back as small frozen dataclasses, not ORM objects: nothing is tracked by the session, nothing is
lazily loaded later; for a region the rows of the three big reads (10,000 each) are turned into
them in a worker thread (``asyncio.to_thread``), so the event loop serves other chats meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.contacts import name_of_record, with_chairs
from storage.models import (
    Collection,
    CollectionKind,
    CollectionTarget,
    MembershipReport,
    Organization,
    OrgKind,
    Passport,
    Person,
    RoleGrant,
)
from storage.obligations import late_deliveries
from storage.orgs import PPO_DISTRICT, scope_districts, scope_ppo_ids, scope_ppos
from storage.reports import counting_revisions, is_counting, newest_counting_revisions


@dataclass(frozen=True, slots=True)
class ScopeInfo:
    org_id: int
    kind: OrgKind
    name: str
    timezone: str | None


@dataclass(frozen=True, slots=True)
class PpoRow:
    """A non-archived ППО of the scope with its district and its current chair (if any)."""

    org_id: int
    name: str
    district_id: int
    district_name: str
    workers: int | None  # as the organization list says; the report has its own figure
    listed_chair: str | None  # the chair's name from the imported list
    chair_person_id: int | None  # None: no chair has joined the bot
    chair_name: str | None
    chair_tg_id: int | None
    chair_unreachable: bool
    chair_paused_until: date | None
    passport_chair: str | None = None  # the chair's full name written in the passport
    timezone: str | None = None  # the ППО's own zone (None: the bot's default one)

    @property
    def record_chair(self) -> str | None:
        """The chair's name of record (``storage.contacts.name_of_record``)."""
        return name_of_record(self.passport_chair, self.listed_chair)


@dataclass(frozen=True, slots=True)
class ReportRow:
    """The counting (latest) revision of one ППО for one period."""

    org_id: int
    period: date
    revision: int
    workers: int
    members: int
    youth_workers: int | None
    youth_members: int | None
    managers: int | None
    managers_members: int | None
    joined: int | None
    left: int | None
    retired: int | None
    submitted_by: int
    submitted_by_name: str | None
    submitted_at: datetime
    returned_at: datetime | None
    return_comment: str | None
    # Why members left (None: the chair did not say), summing to ``left`` when all are given.
    left_own_will: int | None = None
    left_dismissed: int | None = None
    left_retired: int | None = None
    left_other: int | None = None


@dataclass(frozen=True, slots=True)
class PastReport:
    """The figures of a ППО's earlier counting report that the digest compares with."""

    org_id: int
    period: date
    workers: int
    members: int


@dataclass(frozen=True, slots=True)
class CollectionInfo:
    """The membership collection(s) of one period in a scope: who is due and by when.

    A district has one collection per period; a region digest joins the collections of that
    period of all its districts (and of the region itself).
    """

    period: date
    collection_ids: tuple[int, ...]  # empty: the scope asked nobody for the period
    deadline: date | None  # the latest of ``targets``': by then every due ППО owes the period
    targets: dict[int, date]  # ППО org id → its binding deadline, the earliest of its requests'
    late: frozenset[int] = frozenset()  # ППО whose report for the period came late


# --- The scope ------------------------------------------------------------------------------


async def scope_info(session: AsyncSession, scope_org_id: int) -> ScopeInfo | None:
    row = (
        await session.execute(
            select(
                Organization.id, Organization.kind, Organization.name, Organization.timezone
            ).where(Organization.id == scope_org_id)
        )
    ).first()
    return None if row is None else ScopeInfo(row[0], row[1], row[2], row[3])


async def ppo_rows(session: AsyncSession, scope_org_id: int) -> list[PpoRow]:
    """Every ППО of the scope (``storage.orgs.scope_ppos``) with district and chair (the Telegram
    profile and the names of record), by district and name.

    Chairs come from a plain outer join on the active chair grant (no grouped subquery: with
    stale planner statistics PostgreSQL nested-looped one, 12 s for 10,000 ППО). Should an
    organization ever have two active chair grants, the newest grant wins.
    """
    stmt = with_chairs(
        scope_ppos(
            scope_org_id,
            Organization.id,
            Organization.name,
            PPO_DISTRICT.id,
            PPO_DISTRICT.name,
            Organization.workers,
            Organization.chair_name,
            RoleGrant.id,
            Person.id,
            Person.full_name,
            Person.tg_user_id,
            Person.unreachable_at,
            Person.reminders_paused_until,
            Passport.chair_full_name,
            Organization.timezone,
        )
    ).order_by(PPO_DISTRICT.sort_key, PPO_DISTRICT.id, Organization.sort_key, Organization.id)
    fetched = (await session.execute(stmt)).all()
    return await asyncio.to_thread(_ppo_rows_of, fetched)


def _ppo_rows_of(fetched: Sequence[Sequence[Any]]) -> list[PpoRow]:
    """``ppo_rows``' dataclasses, built in a worker thread (see the module docstring)."""
    rows: dict[int, PpoRow] = {}
    grants: dict[int, int] = {}
    for r in fetched:
        if r[0] in rows and (r[6] is None or r[6] < grants.get(r[0], -1)):
            continue
        grants[r[0]] = -1 if r[6] is None else r[6]
        rows[r[0]] = _ppo_row(r)
    return list(rows.values())  # dicts keep the first insertion's place: the sort order holds


def _ppo_row(r: Sequence[Any]) -> PpoRow:
    """One row of ``ppo_rows``' query (column 6, the chair grant's id, only picks the grant)."""
    return PpoRow(
        org_id=r[0],
        name=r[1],
        district_id=r[2],
        district_name=r[3],
        workers=r[4],
        listed_chair=r[5],
        chair_person_id=r[7],
        chair_name=r[8],
        chair_tg_id=r[9],
        chair_unreachable=r[10] is not None,
        chair_paused_until=r[11],
        passport_chair=r[12],
        timezone=r[13],
    )


# --- Reports --------------------------------------------------------------------------------

_REPORT_COLUMNS = (
    MembershipReport.org_id,
    MembershipReport.period,
    MembershipReport.revision,
    MembershipReport.workers,
    MembershipReport.members,
    MembershipReport.youth_workers,
    MembershipReport.youth_members,
    MembershipReport.managers,
    MembershipReport.managers_members,
    MembershipReport.joined,
    MembershipReport.left,
    MembershipReport.retired,
    MembershipReport.submitted_by,
    Person.full_name,
    MembershipReport.submitted_at,
    MembershipReport.returned_at,
    MembershipReport.return_comment,
    MembershipReport.left_own_will,
    MembershipReport.left_dismissed,
    MembershipReport.left_retired,
    MembershipReport.left_other,
)


async def counting_reports(
    session: AsyncSession, scope_org_id: int, period: date
) -> dict[int, ReportRow]:
    """The counting (latest) revision for exactly ``period`` of each ППО in the scope."""
    mr = MembershipReport
    latest = counting_revisions(mr.org_id.in_(scope_ppo_ids(scope_org_id)), mr.period == period)
    stmt = (
        select(*_REPORT_COLUMNS)
        .join(latest, is_counting(latest))
        .outerjoin(Person, Person.id == mr.submitted_by)
    )
    fetched = (await session.execute(stmt)).all()
    return await asyncio.to_thread(_report_rows_of, fetched)


def _report_rows_of(fetched: Sequence[Sequence[Any]]) -> dict[int, ReportRow]:
    return {row[0]: ReportRow(*row) for row in fetched}


async def latest_before(
    session: AsyncSession, scope_org_id: int, period: date
) -> dict[int, PastReport]:
    """Each ППО's counting report of its own most recent period before ``period``.

    ППО report on different schedules (twice or four times a year), so "the previous report"
    is per ППО, not one calendar period for all. Only the figures compared with are read (no
    submitter, no join): for a region, 10,000 rows of 4 columns instead of 21.
    """
    mr = MembershipReport
    latest = newest_counting_revisions(scope_ppo_ids(scope_org_id), before=period)
    stmt = select(mr.org_id, mr.period, mr.workers, mr.members).join(latest, is_counting(latest))
    fetched = (await session.execute(stmt)).all()
    return await asyncio.to_thread(_past_reports_of, fetched)


def _past_reports_of(fetched: Sequence[Sequence[Any]]) -> dict[int, PastReport]:
    return {org: PastReport(org, day, workers, members) for org, day, workers, members in fetched}


# --- Collections ----------------------------------------------------------------------------


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)


def _of_scope(scope_org_id: int) -> ColumnElement[bool]:
    """A collection of the scope: its own; for a region one of its districts'; for a district
    its region's too (a request the region sent to every ППО is owed by the district's)."""
    region_of_district = select(Organization.parent_id).where(
        Organization.id == scope_org_id, Organization.kind == OrgKind.DISTRICT
    )
    return or_(
        Collection.scope_org_id == scope_org_id,
        Collection.scope_org_id.in_(scope_districts(scope_org_id)),
        Collection.scope_org_id.in_(region_of_district.scalar_subquery()),
    )


def _under(scope_org_id: int) -> Select[Any]:
    """Ids of the organizations under a scope, two levels down, archived ones too."""
    children = select(Organization.id).where(Organization.parent_id == scope_org_id)
    return select(Organization.id).where(
        or_(Organization.parent_id == scope_org_id, Organization.parent_id.in_(children))
    )


async def current_collection(
    session: AsyncSession, scope_org_id: int, today: date, *, period: date | None = None
) -> CollectionInfo | None:
    """The membership collection(s) of the scope for ``period``; without a period, those of the
    latest period opened by the end of ``today`` (the open one, or the latest one if all are
    past their deadline). None when the scope has none at all (no calendar yet): then every
    ППО counts as due. A scope that has collections, none of them for ``period``, asked nobody
    for it: no targets, as a region reads a district without one (a month not in its calendar,
    a period before the bot), so a district's table and its region's agree.
    """
    base = [Collection.kind == CollectionKind.MEMBERSHIP, _of_scope(scope_org_id)]
    if period is None:
        period = await session.scalar(
            select(func.max(Collection.period)).where(
                *base, Collection.opened_at < _end_of_day(today)
            )
        )
        if period is None:
            return None
    collections = (
        await session.execute(
            select(Collection.id, Collection.deadline).where(*base, Collection.period == period)
        )
    ).all()
    if not collections:
        if await session.scalar(select(Collection.id).where(*base).limit(1)) is None:
            return None
        return CollectionInfo(period=period, collection_ids=(), deadline=None, targets={})
    ids = tuple(sorted(cid for cid, _ in collections))
    targets: dict[int, date] = {}
    stmt = select(CollectionTarget.org_id, CollectionTarget.deadline).where(
        CollectionTarget.collection_id.in_(ids),
        # Of a region's request, the district's ППО. ``+ 0`` keeps SQLite from probing the
        # (collection_id, org_id) index once per collection and organization under the scope
        # (a region of 100 districts: a million probes, 0.2 s); it reads each collection's
        # targets once and checks them against the list (bench.digest_10k).
        (CollectionTarget.org_id + 0).in_(_under(scope_org_id)),
    )
    for org_id, deadline in (await session.execute(stmt)).all():
        # A ППО due in two requests of the same period owes it by the earlier deadline (the
        # first its chair is reminded of and staff are told of; ``late_deliveries``' too).
        targets[org_id] = min(deadline, targets.get(org_id, deadline))
    late = await late_deliveries(session, scope_ppo_ids(scope_org_id), period=period)
    return CollectionInfo(
        period=period,
        collection_ids=ids,
        deadline=max(targets.values(), default=None),
        targets=targets,
        late=frozenset(org_id for org_id, _ in late),
    )


# --- Deadlines ---------------------------------------------------------------------------


async def deadlines_between(
    session: AsyncSession, scope_org_id: int, *, since: date, before: date
) -> Sequence[date]:
    """Deadlines from ``since`` up to, not including, ``before`` of the scope's collections,
    a region's being those of its districts too."""
    stmt = select(Collection.deadline).where(
        _of_scope(scope_org_id),
        Collection.deadline < before,
        Collection.deadline >= since,
    )
    return (await session.scalars(stmt)).all()
