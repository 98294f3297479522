"""A ППО's report history as the chair sees it: newest first, coverage and its trend, and
which reports came late (the same rule as the digest's «сдан с опозданием»)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.coverage import coverage, format_percent, trend_mark
from bot.texts import chair as t
from bot.texts import common
from bot.texts import membership as tm
from storage import collections, reports
from storage.models import Organization

HISTORY_LIMIT = 24


async def history_text(session: AsyncSession, org: Organization) -> str:
    rows = await reports.latest_reports(session, org.id, limit=HISTORY_LIMIT + 1)
    if not rows:
        return f"{t.history_header(org.name)}\n{t.HISTORY_EMPTY}"
    lines = [t.history_header(org.name)]
    counts = await reports.revision_counts(session, org.id)
    late = {period for _, period in await collections.late_deliveries(session, [org.id])}
    for index, report in enumerate(rows[:HISTORY_LIMIT]):
        value = coverage(report.members, report.workers)
        older = rows[index + 1] if index + 1 < len(rows) else None
        before = coverage(older.members, older.workers) if older else None
        delta = None if value is None or before is None else value - before
        line = t.history_line(
            common.period_name(report.period),
            format_percent(value),
            trend_mark(delta),
            report.members,
            report.workers,
            counts.get(report.period, 1),
        )
        lines.append(f"{line}, {tm.LATE_MARK}" if report.period in late else line)
    return "\n".join(lines)
