"""/eventsreport: the events and activist training of a staff member's scope for a period."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from bot.domain.event_report import parse_period, summarize
from bot.rendering.event_report import file_name, report_lines, report_xlsx
from bot.texts import event_report as t
from handlers.replies import answer_file, answer_lines
from storage import event_report as store

if TYPE_CHECKING:  # handlers.staff lists this runner: importing it at run time would be a cycle
    from handlers.staff import Scoped


async def run_events_report(c: Scoped) -> None:
    """The message now; the .xlsx drawn after the commit (seconds for a whole region)."""
    period = parse_period(c.arg, c.today)
    if period is None:
        await c.message.answer(t.BAD_PERIOD)
        return
    events = await store.scope_events(c.session, c.scope.id, period.start, period.end)
    active = await store.active_ppo(c.session, c.scope.id)
    report = summarize(c.scope.name, period, events, active)
    await answer_lines(c.message, report_lines(report))
    await answer_file(c.message, partial(report_xlsx, report), file_name(period), t.FILE_CAPTION)
