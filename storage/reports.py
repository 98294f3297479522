"""Membership monitoring reports: revisions per period, the latest one counts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import MembershipReport

REPORT_FIELDS = (
    "workers",
    "members",
    "youth_workers",
    "youth_members",
    "managers",
    "managers_members",
    "joined",
    "left",
    "retired",
)
LEAVING_FIELDS = ("left_own_will", "left_dismissed", "left_retired", "left_other")
"""Why «выбыло» left, by reason (all None: not known)."""


async def latest_reports(
    session: AsyncSession, org_id: int, *, limit: int | None = None
) -> Sequence[MembershipReport]:
    """The counting (latest) revision of each period for a ППО, newest period first."""
    latest = (
        select(MembershipReport.period, func.max(MembershipReport.revision).label("revision"))
        .where(MembershipReport.org_id == org_id)
        .group_by(MembershipReport.period)
        .subquery()
    )
    stmt = (
        select(MembershipReport)
        .join(
            latest,
            (MembershipReport.period == latest.c.period)
            & (MembershipReport.revision == latest.c.revision),
        )
        .where(MembershipReport.org_id == org_id)
        .order_by(MembershipReport.period.desc())
        .limit(limit)
    )
    return (await session.scalars(stmt)).all()


async def previous_report(
    session: AsyncSession, org_id: int, *, before: date
) -> MembershipReport | None:
    """The counting report of the last period before ``before``."""
    for report in await latest_reports(session, org_id):
        if report.period < before:
            return report
    return None


async def last_report(session: AsyncSession, org_id: int) -> MembershipReport | None:
    reports = await latest_reports(session, org_id, limit=1)
    return reports[0] if reports else None


async def report_by_key(session: AsyncSession, submission_key: str) -> MembershipReport | None:
    stmt = select(MembershipReport).where(MembershipReport.submission_key == submission_key)
    return (await session.scalars(stmt)).first()


async def add_report(
    session: AsyncSession,
    *,
    org_id: int,
    period: date,
    values: Mapping[str, int | None],
    submitted_by: int,
    submitted_at: datetime,
    submission_key: str,
) -> MembershipReport:
    """Store a new revision for (org, period). The submission key makes a repeat a no-op.

    ``values``: the figures by column (:data:`REPORT_FIELDS`, :data:`LEAVING_FIELDS`)."""
    existing = await report_by_key(session, submission_key)
    if existing is not None:
        return existing
    revision = await session.scalar(
        select(func.coalesce(func.max(MembershipReport.revision), 0)).where(
            MembershipReport.org_id == org_id, MembershipReport.period == period
        )
    )
    report = MembershipReport(
        org_id=org_id,
        period=period,
        revision=(revision or 0) + 1,
        submitted_by=submitted_by,
        submitted_at=submitted_at,
        submission_key=submission_key,
        **{name: values.get(name) for name in (*REPORT_FIELDS, *LEAVING_FIELDS)},
    )
    session.add(report)
    await session.flush()
    return report


async def revision_counts(session: AsyncSession, org_id: int) -> dict[date, int]:
    stmt = (
        select(MembershipReport.period, func.count())
        .where(MembershipReport.org_id == org_id)
        .group_by(MembershipReport.period)
    )
    return {period: int(n) for period, n in (await session.execute(stmt)).all()}
