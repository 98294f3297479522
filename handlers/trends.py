"""/trends [ППО name or number]: membership trends over years of the staff member's scope, or
of one of its ППО. A runner of ``handlers.staff.RUNNERS``: the scope is chosen there, as for
/export, and the ППО is looked for only inside it.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from bot.domain.cells import shown
from bot.domain.trends import build_trends, find_ppo
from bot.rendering.trend_chart import trends_chart_png
from bot.rendering.trends import trends_lines, trends_xlsx
from bot.texts import common
from bot.texts import trends as t
from handlers.replies import answer_file, answer_lines
from storage.models import OrgKind
from storage.trends import scope_history

if TYPE_CHECKING:  # handlers.staff lists this runner: importing it at run time would be a cycle
    from handlers.staff import Scoped

FOUND_SHOWN = 10


async def run_trends(c: Scoped) -> None:
    """The message now; the chart and the .xlsx drawn after the commit (a region is 10,000 ППО)."""
    data = await scope_history(c.session, c.scope.id)
    if not data.ppos:
        await c.message.answer(t.NO_PPO)
        return
    subject = None
    if c.arg:
        found = find_ppo(data.ppos, c.arg)
        if not found:
            await c.message.answer(t.not_found(shown(c.arg)))
            return
        if len(found) > 1:
            lines = [t.many_found(len(found))]
            lines += [t.found_line(p.org_id, p.name, p.district_name) for p in found[:FOUND_SHOWN]]
            if len(found) > FOUND_SHOWN:
                lines.append(common.more(len(found) - FOUND_SHOWN))
            await answer_lines(c.message, lines)
            return
        subject = found[0]
    if not data.reports:
        await c.message.answer(t.NO_DATA)
        return
    region = c.scope.kind is OrgKind.REGION
    trends = build_trends(c.scope.name, data, region=region, subject=subject)
    await answer_lines(c.message, trends_lines(trends))
    year = c.today.year
    await answer_file(
        c.message,
        partial(trends_chart_png, trends),
        t.chart_file_name(year),
        t.CHART_CAPTION,
        as_photo=True,
    )
    await answer_file(c.message, partial(trends_xlsx, trends), t.file_name(year), t.FILE_CAPTION)
