"""The membership history of a scope's ППО, for /trends: one read of every counting report.

Every ППО of the scope (``storage.orgs.scope_ppos``) with its chair's names, and the latest
revision of each of their periods. A period whose latest revision was returned for correction
is left out: its figures are in doubt until the chair sends a new revision, exactly as the
digest counts them.

Rows are frozen dataclasses, not ORM objects: the chart and the table are drawn after the
session closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.contacts import name_of_record, with_chairs
from storage.models import MembershipReport, Organization, Passport, Person, RoleGrant
from storage.orgs import PPO_DISTRICT, scope_ppo_ids, scope_ppos
from storage.reports import counting_revisions, is_counting


@dataclass(frozen=True, slots=True)
class TrendPpo:
    """A ППО of the scope with its chair as staff lists name them."""

    org_id: int
    name: str
    name_key: str
    district_name: str
    chair_profile: str | None  # the Telegram profile of the active chair, if one joined
    chair_record: str | None  # ``storage.contacts.name_of_record``


@dataclass(frozen=True, slots=True)
class Figures:
    """The counting revision of one ППО's report for one period."""

    period: date
    workers: int
    members: int
    youth_workers: int | None
    youth_members: int | None
    managers: int | None  # managers and deputies (seed 002 item 4); None: not given
    managers_members: int | None


@dataclass(frozen=True)
class TrendsData:
    """Every ППО of the scope (by district and name) and its reports, oldest period first."""

    ppos: list[TrendPpo]
    reports: dict[int, list[Figures]]  # by ППО id; ППО without reports are absent


async def scope_history(session: AsyncSession, scope_org_id: int) -> TrendsData:
    """Every ППО of the scope with the counting revision of each of its periods.

    Two statements: the ППО with their chairs (10,000 rows for a region), then the reports
    (200,000 for five years of a region). Joining them would repeat each ППО's names in every
    one of its report rows: three times slower to fetch, for nothing.
    """
    ppos = await _ppos(session, scope_org_id)
    mr = MembershipReport
    latest = counting_revisions(mr.org_id.in_(scope_ppo_ids(scope_org_id)))
    stmt = (
        select(
            mr.org_id,
            mr.period,
            mr.workers,
            mr.members,
            mr.youth_workers,
            mr.youth_members,
            mr.managers,
            mr.managers_members,
        )
        .join(latest, is_counting(latest))
        .where(mr.returned_at.is_(None))
        .order_by(mr.org_id, mr.period)
    )
    reports: dict[int, list[Figures]] = {}
    for org_id, period, workers, members, youth_w, youth_m, heads, heads_members in (
        await session.execute(stmt)
    ).all():
        figures = Figures(period, workers, members, youth_w, youth_m, heads, heads_members)
        reports.setdefault(org_id, []).append(figures)
    return TrendsData(ppos, reports)


async def _ppos(session: AsyncSession, scope_org_id: int) -> list[TrendPpo]:
    """The ППО of the scope by district and name, each with its chair's names. Should a ППО
    ever have two active chair grants, the newest wins."""
    stmt = with_chairs(
        scope_ppos(
            scope_org_id,
            Organization.id,
            Organization.name,
            Organization.name_key,
            PPO_DISTRICT.name,
            Organization.chair_name,
            Passport.chair_full_name,
            RoleGrant.id,
            Person.full_name,
        )
    ).order_by(PPO_DISTRICT.sort_key, PPO_DISTRICT.id, Organization.sort_key, Organization.id)
    ppos: dict[int, TrendPpo] = {}
    grants: dict[int, int] = {}
    for org_id, name, key, district, listed, passport, grant, profile in (
        await session.execute(stmt)
    ).all():
        if org_id in ppos and (grant is None or grant < grants[org_id]):
            continue
        grants[org_id] = -1 if grant is None else grant
        ppos[org_id] = TrendPpo(
            org_id, name, key, district, profile, name_of_record(passport, listed)
        )
    return list(ppos.values())  # a replaced entry keeps its first place: the order holds
