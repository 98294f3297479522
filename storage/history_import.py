"""Past monitoring figures loaded from a district's tables: what is there, and the writes.

An imported report is a ``MembershipReport`` of revision 0 with ``imported_at`` set. Every
reader picks the highest revision of a period as the one that counts, so an imported report
counts for its period until a chair reports that period, and a chair's report (revision 1 and
up, ``storage.reports.add_report``) always outranks it without touching it. Imports never touch
collection targets: they neither mark a request delivered nor stop its reminders.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.collections import OPEN_GRACE_DAYS, membership_targets
from storage.models import (
    CollectionTarget,
    MembershipReport,
    Organization,
    OrgKind,
)
from storage.reports import REPORT_FIELDS

IMPORTED_REVISION = 0
"""Below any chair's revision (they start at 1): the chair's report always counts first."""

Key = tuple[int, date]  # (ППО id, period)


@dataclass(frozen=True)
class PpoPlace:
    """A live ППО with its district and region ids, for matching names and checking rights."""

    org: Organization
    district_id: int
    district_name: str
    region_id: int | None


@dataclass(frozen=True)
class Stored:
    """What the database holds for a (ППО, period) before a load."""

    by_chair: bool  # a chair's report (revision ≥ 1) exists
    imported: dict[str, int | None] | None  # the figures of an earlier load, if any
    collecting: bool  # an open membership request of that period still awaits the chair


async def ppo_places(session: AsyncSession) -> list[PpoPlace]:
    """Every non-archived ППО of a non-archived district."""
    district = aliased(Organization)
    stmt = (
        select(Organization, district.id, district.name, district.parent_id)
        .join(district, district.id == Organization.parent_id)
        .where(
            Organization.kind == OrgKind.PPO,
            Organization.archived_at.is_(None),
            district.kind == OrgKind.DISTRICT,
            district.archived_at.is_(None),
        )
    )
    return [PpoPlace(*row) for row in (await session.execute(stmt)).all()]


def _chunks(ids: Sequence[int], size: int = 500) -> Iterable[Sequence[int]]:
    """IN lists of a bounded size (SQLite limits the parameters of one statement)."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


async def stored_states(session: AsyncSession, keys: set[Key], today: date) -> dict[Key, Stored]:
    """For each (ППО, period) asked about that has anything stored: what it has.

    ``today``: the loader's local date; a request counts as still collecting while its
    reminders may go out (``OPEN_GRACE_DAYS`` after the ППО's deadline)."""
    by_chair: set[Key] = set()
    imported: dict[Key, dict[str, int | None]] = {}
    collecting: set[Key] = set()
    org_ids = sorted({org_id for org_id, _ in keys})
    for chunk in _chunks(org_ids):
        reports = select(MembershipReport).where(MembershipReport.org_id.in_(chunk))
        for report in (await session.scalars(reports)).all():
            key = (report.org_id, report.period)
            if key not in keys:
                continue
            if report.revision > IMPORTED_REVISION:
                by_chair.add(key)
            else:
                imported[key] = {name: getattr(report, name) for name in REPORT_FIELDS}
        open_targets = membership_targets(chunk).where(
            CollectionTarget.submitted_at.is_(None),
            CollectionTarget.deadline >= today - timedelta(days=OPEN_GRACE_DAYS),
        )
        collecting |= {(o, p) for o, p in (await session.execute(open_targets)).all()} & keys
    return {
        key: Stored(key in by_chair, imported.get(key), key in collecting)
        for key in by_chair | set(imported) | collecting
    }


def submission_key(org_id: int, period: date) -> str:
    """One imported report per ППО and period: a repeat of the load finds it by this key."""
    return f"history:{org_id}:{period:%Y-%m}"


def add_imported(
    session: AsyncSession,
    rows: Iterable[tuple[int, date, dict[str, int | None]]],
    *,
    loaded_by: int,
    now: datetime,
) -> None:
    """New imported reports, ``(ППО id, period, figures)`` each."""
    for org_id, period, values in rows:
        session.add(
            MembershipReport(
                org_id=org_id,
                period=period,
                revision=IMPORTED_REVISION,
                submitted_by=loaded_by,
                submitted_at=now,
                submission_key=submission_key(org_id, period),
                imported_at=now,
                **{name: values.get(name) for name in REPORT_FIELDS},
            )
        )


async def update_imported(
    session: AsyncSession,
    rows: Iterable[tuple[int, date, dict[str, Any]]],
    *,
    loaded_by: int,
    now: datetime,
) -> None:
    """Earlier imported reports get the figures of the new load (a corrected table)."""
    for org_id, period, values in rows:
        stmt = select(MembershipReport).where(
            MembershipReport.submission_key == submission_key(org_id, period)
        )
        report = (await session.scalars(stmt)).one()
        for name in REPORT_FIELDS:
            setattr(report, name, values.get(name))
        report.submitted_by, report.submitted_at, report.imported_at = loaded_by, now, now
