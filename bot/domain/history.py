"""A ППО's report history as the chair sees it: its reports newest first, coverage and its
trend, why members left, and which reports came late (the same rule as the digest's «сдан с
опозданием»). Where the ППО stands comes beside it (``bot.domain.standing``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.coverage import coverage, format_percent, trend_mark
from bot.domain.membership import REASONS, report_answers
from bot.forms.membership import MEMBERSHIP
from bot.texts import chair as t
from bot.texts import common
from bot.texts import membership as tm
from storage import reports
from storage.models import MembershipReport, Organization
from storage.obligations import late_deliveries

HISTORY_LIMIT = 24


def _leaving(report: MembershipReport) -> str | None:
    """Why members left, if the chair told."""
    parts = report_answers(report)[REASONS]
    if not report.left or parts is None:
        return None
    return t.history_leaving(report.left, MEMBERSHIP.field(REASONS).display(parts))


def _report_line(
    report: MembershipReport, rows: Sequence[MembershipReport], revisions: int, late: bool
) -> str:
    """One report's line. Its trend is against the newest older report whose figures stand: a
    report sent back for correction is passed over, as the digest and the form pass it, and
    its own line says it was sent back, so its figures do not read as valid ones."""
    value = coverage(report.members, report.workers)
    older = reports.counted_before(rows, report.period)
    before = coverage(older.members, older.workers) if older else None
    delta = None if value is None or before is None else value - before
    returned = report.returned_at is not None
    line = t.history_line(
        common.period_name(report.period),
        format_percent(value),
        t.HISTORY_RETURNED_ICON if returned else trend_mark(delta),
        report.members,
        report.workers,
        revisions,
    )
    marks = [tm.LATE_MARK] if late else []
    marks += [t.HISTORY_RETURNED] if returned else []
    return ", ".join([line, *marks])


async def history_lines(
    session: AsyncSession, org: Organization, standing: Sequence[str]
) -> list[str]:
    """The history as lines (it may need more than one message); ``standing``
    (:func:`bot.domain.standing.standing_lines`) goes beside the title, its note at the end.
    Every period is read, not only those shown: the oldest shown may compare with one older."""
    rows = await reports.latest_reports(session, org.id)
    header = t.history_header(org.name, standing[0])
    if not rows:
        return [header, t.HISTORY_EMPTY, *standing[1:]]
    lines = [header]
    counts = await reports.revision_counts(session, org.id)
    late = {period for _, period in await late_deliveries(session, [org.id])}
    for report in rows[:HISTORY_LIMIT]:
        revisions = counts.get(report.period, 1)
        lines.append(_report_line(report, rows, revisions, report.period in late))
        leaving = _leaving(report)
        if leaving is not None:
            lines.append(leaving)
    return [*lines, *standing[1:]]
