"""What a curator (and the staff asking who has none) reads about a ППО: the delivery record of
its requests and the latest report of every ППО of a scope.

Lateness is ``storage.obligations``: the one definition the digest, /history and the rating
share, a month asked for twice judged once by its binding deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import MembershipReport, Organization
from storage.obligations import came_late, obligations
from storage.orgs import PPO_DISTRICT, scope_ppo_ids, scope_ppos
from storage.reports import is_counting, newest_counting_revisions


@dataclass(frozen=True, slots=True)
class Delivery:
    """One past obligation of a ППО (the requests of one kind and month): delivered on time,
    late, or not at all (``submitted_on`` None and its deadline passed)."""

    deadline: date
    submitted_on: date | None
    late: bool


async def past_deliveries(
    session: AsyncSession, org_id: int, *, local_today: date, limit: int
) -> list[Delivery]:
    """The ППО's latest ``limit`` obligations (any kind; a month asked for twice is one, by its
    binding deadline) that were answered or whose deadline has passed by its local date, newest
    deadline first."""
    owed = obligations([org_id]).subquery()
    late = case((came_late(owed.c.delivered_on, owed.c.deadline), 1), else_=0)
    stmt = (
        select(owed.c.deadline, owed.c.delivered_on, late)
        .where(or_(owed.c.delivered_on.is_not(None), owed.c.deadline < local_today))
        .order_by(owed.c.deadline.desc(), owed.c.period.desc(), owed.c.kind)
        .limit(limit)
    )
    return [
        Delivery(deadline, submitted_on, bool(is_late))
        for deadline, submitted_on, is_late in (await session.execute(stmt)).all()
    ]


@dataclass(frozen=True, slots=True)
class LatestFigures:
    """The counting revision of a ППО's newest report."""

    org_id: int
    name: str
    district_name: str
    period: date
    members: int
    workers: int


async def latest_figures(session: AsyncSession, scope_org_id: int) -> list[LatestFigures]:
    """The newest report (its latest revision) of every ППО of the scope that has one, by
    district and name."""
    latest = newest_counting_revisions(scope_ppo_ids(scope_org_id))
    stmt = (
        scope_ppos(
            scope_org_id,
            Organization.id,
            Organization.name,
            PPO_DISTRICT.name,
            MembershipReport.period,
            MembershipReport.members,
            MembershipReport.workers,
        )
        .join(MembershipReport, MembershipReport.org_id == Organization.id)
        .join(latest, is_counting(latest))
        .order_by(PPO_DISTRICT.sort_key, PPO_DISTRICT.id, Organization.sort_key, Organization.id)
    )
    return [LatestFigures(*row) for row in (await session.execute(stmt)).all()]
