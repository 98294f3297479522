"""/loadhistory: staff (and admins) load past monitoring figures from an .xlsx.

Without a file the command explains itself and sends a sample listing the sender's ППО; with
a file (the command as its caption) the figures are checked whole and stored, or every bad row
is listed. This router stands before the admins' (whose /import takes any document).
"""

from __future__ import annotations

from functools import partial

from aiogram import F, Router
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.history_load import LoadOutcome, load_history, places_of
from bot.domain.viewer import Viewer, acting_person
from bot.rendering.history_import import template_xlsx
from bot.texts import history_import as t
from bot.texts import importing
from bot.wiring.context import Ctx
from handlers.filters import IsStaffOrAdmin, command
from handlers.replies import answer_file, answer_lines, downloaded

COMMAND = "loadhistory"
MAX_FILE_BYTES = 10 * 1024 * 1024
ERRORS_SHOWN = 30


async def how_to(message: Message, session: AsyncSession, viewer: Viewer) -> None:
    ppos = [(place.district_name, place.org.name) for place in await places_of(session, viewer)]
    await message.answer(t.HOW_TO)
    await answer_file(
        message, partial(template_xlsx, ppos), t.TEMPLATE_FILENAME, t.TEMPLATE_CAPTION
    )


async def load_file(message: Message, ctx: Ctx) -> None:
    data = await downloaded(message, ctx.bot, limit_bytes=MAX_FILE_BYTES, too_big=t.FILE_TOO_BIG)
    if data is None:
        return
    assert message.from_user is not None and message.document is not None
    now = ctx.now()
    actor = await acting_person(ctx.session, ctx.viewer, message.from_user, now)
    outcome = await load_history(
        ctx.session,
        data,
        viewer=ctx.viewer,
        actor_id=actor.id,
        file_name=message.document.file_name or "",
        now=now,
        default_tz=ctx.settings.timezone,
        calendar=ctx.settings.calendar,
    )
    await _reply(message, outcome)


async def _reply(message: Message, outcome: LoadOutcome) -> None:
    if outcome.fatal is not None:
        await message.answer(outcome.fatal)
    elif outcome.errors:
        errors = [(error.row_number, error.message) for error in outcome.errors]
        text = t.rejected(errors, outcome.total_rows, ERRORS_SHOWN)
        await answer_lines(message, text.split("\n"))
    elif outcome.plan is not None:
        plan = outcome.plan
        await message.answer(
            t.loaded(
                stored=len(plan.new) + len(plan.updates),
                periods=plan.periods,
                updated=len(plan.updates),
                unchanged=plan.unchanged,
                by_chair=plan.by_chair,
                collecting=plan.collecting,
            )
        )
    if outcome.unread_sheets:
        await message.answer(importing.unread_sheets(outcome.unread_sheets))


def create_router() -> Router:
    router = Router(name="history_import")
    router.message.filter(IsStaffOrAdmin())
    router.message.register(load_file, command(COMMAND), F.document)
    router.message.register(how_to, command(COMMAND))
    return router
