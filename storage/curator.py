"""What a curator (and the staff asking who has none) reads about a ППО: the delivery record of
its requests and the latest report of every ППО of a scope.

Lateness is ``storage.collections.delivered_late``: the one definition the digest, /history
and the rating share.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.collections import delivered_late
from storage.models import Collection, CollectionTarget, MembershipReport, Organization
from storage.orgs import PPO_DISTRICT, scope_ppo_ids, scope_ppos
from storage.reports import is_counting, newest_counting_revisions


@dataclass(frozen=True, slots=True)
class Delivery:
    """One past request of a ППО: delivered on time, late, or not at all (``submitted_on``
    None and its deadline passed)."""

    deadline: date
    submitted_on: date | None
    late: bool


async def past_deliveries(
    session: AsyncSession, org_id: int, *, local_today: date, limit: int
) -> list[Delivery]:
    """The ППО's latest ``limit`` requests (any kind) that were answered or whose deadline has
    passed by its local date, newest deadline first."""
    late = case((delivered_late(), 1), else_=0)
    stmt = (
        select(CollectionTarget.deadline, CollectionTarget.submitted_on, late)
        .join(Collection, Collection.id == CollectionTarget.collection_id)
        .where(
            CollectionTarget.org_id == org_id,
            or_(
                CollectionTarget.submitted_on.is_not(None),
                CollectionTarget.deadline < local_today,
            ),
        )
        .order_by(CollectionTarget.deadline.desc(), Collection.id.desc())
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
        .order_by(PPO_DISTRICT.name_key, PPO_DISTRICT.id, Organization.name_key, Organization.id)
    )
    return [LatestFigures(*row) for row in (await session.execute(stmt)).all()]
