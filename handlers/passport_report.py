"""/passports: the passports of the staff member's scope, as a message of counts and an .xlsx.

A runner of ``handlers.staff.RUNNERS``: the scope is chosen there, as for /export.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from bot.domain.passport_report import build_report
from bot.domain.timezones import zone_named
from bot.rendering.passport_report import passport_table_xlsx, report_lines
from bot.texts import passport_report as t
from handlers.replies import answer_file, answer_lines
from storage.passport_report import scope_passports
from storage.passports import reserve_counts

if TYPE_CHECKING:  # handlers.staff imports this module to list it among its runners
    from handlers.staff import Scoped


async def run_passports(c: Scoped) -> None:
    rows = await scope_passports(c.session, c.scope.id)
    if not rows:
        await c.message.answer(t.NO_PPO)
        return
    zone = zone_named(c.scope.timezone, c.ctx.settings.timezone)
    reserve = await reserve_counts(c.session, c.scope.id)
    report = build_report(c.scope.name, rows, today=c.today, zone=zone, reserve=reserve)
    await answer_lines(c.message, report_lines(report))
    # The table is CPU work (a region has thousands of rows): drawn after the commit.
    await answer_file(
        c.message, partial(passport_table_xlsx, report), t.file_name(report.today), t.FILE_CAPTION
    )
