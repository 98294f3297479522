"""Plans of measures: staff load a plan (an .xlsx with /plan as its caption), see its progress
(/plan), change an item (/planedit); the responsible press «Выполнено» under a reminder and say
what was done (words, a number, or a document or photo).

This router stands before the admins' (whose /import takes any document), and before the forms'
(a file answering the «what was done» question is taken here).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from aiogram import F, Router
from aiogram.filters import CommandObject, Filter
from aiogram.types import CallbackQuery, Message, User
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.plan_done import DONE_FORM_NAME, begin_done, file_note, may_mark
from bot.domain.plan_edit import edit_item
from bot.domain.plans import load_plan, load_progress
from bot.domain.staff_scope import scopes_for
from bot.domain.timezones import zone_of
from bot.domain.viewer import Viewer, acting_person
from bot.rendering.plans import progress_lines, template_xlsx
from bot.texts import common
from bot.texts import plan_marks as tm
from bot.texts import plans as t
from bot.wiring.context import Ctx
from handlers.callbacks import PlanDone, PlanStageDone
from handlers.filters import IsStaffOrAdmin, command
from handlers.form_chat import FormChat, advance, still_allowed
from handlers.replies import answer_file, answer_lines, downloaded
from storage import drafts
from storage.models import FormDraft, Organization
from storage.orgs import name_key

if TYPE_CHECKING:  # handlers.staff lists these runners: importing it at run time would be a cycle
    from handlers.staff import Scoped

MAX_FILE_BYTES = 5 * 1024 * 1024
ERRORS_SHOWN = 30
SCOPES_LISTED = 20
TEMPLATE_WORDS = ("шаблон", "образец")


def plan_done_button(item_id: int, unit: int, due: date | None) -> tuple[str, str]:
    """The «Выполнено» button under a plan reminder, packed for the outbox; ``due``: the
    stage reminded of, of an item due in stages."""
    if due is None:
        return tm.DONE_BUTTON, PlanDone(item_id=item_id, unit=unit).pack()
    return tm.DONE_BUTTON, PlanStageDone(item_id=item_id, unit=unit, due=due).pack()


async def _send_template(message: Message) -> None:
    await answer_file(message, template_xlsx, t.TEMPLATE_FILENAME, t.TEMPLATE_CAPTION)


async def run_plan(c: Scoped) -> None:
    """/plan: the progress of the scope's plans; the sample when asked or when there is none."""
    if c.arg.casefold() in TEMPLATE_WORDS:
        await _send_template(c.message)
        return
    progress = await load_progress(c.session, c.scope, c.today, c.ctx.settings.timezone)
    if not progress:
        await c.message.answer(t.NO_PLAN)
        await _send_template(c.message)
        return
    await answer_lines(c.message, progress_lines(progress))


async def run_plan_edit(c: Scoped) -> None:
    """/planedit 12 срок 30.04.2027 | /planedit 12 ответственный все ППО."""
    person = await acting_person(c.session, c.ctx.viewer, _sender(c.message), c.ctx.now())
    text = await edit_item(
        c.session, c.scope, c.arg, person_id=person.id, now=c.ctx.now(), today=c.today
    )
    await c.message.answer(text)


def _sender(message: Message) -> User:
    assert message.from_user is not None
    return message.from_user


async def _scope_for_file(
    message: Message, session: AsyncSession, viewer: Viewer, arg: str
) -> Organization | None:
    """The one scope of the sender, or the one the caption names; otherwise ask to name it."""
    scopes = list(await scopes_for(session, viewer))
    if len(scopes) > 1 and arg:
        key = name_key(arg)
        scopes = [scope for scope in scopes if key in name_key(scope.name)] or scopes
    if len(scopes) == 1:
        return scopes[0]
    names = [t.scope_line(scope.name) for scope in scopes[:SCOPES_LISTED]]
    if len(scopes) > SCOPES_LISTED:
        names.append(common.more(len(scopes) - SCOPES_LISTED))
    await answer_lines(message, [t.CHOOSE_SCOPE_FOR_FILE, *names])
    return None


async def plan_file(message: Message, command: CommandObject, ctx: Ctx) -> None:
    """A plan sent with /plan as its caption: good rows stored, bad rows listed with reasons."""
    session = ctx.session
    scope = await _scope_for_file(message, session, ctx.viewer, (command.args or "").strip())
    if scope is None:
        return
    data = await downloaded(message, ctx.bot, limit_bytes=MAX_FILE_BYTES, too_big=t.FILE_TOO_BIG)
    if data is None:
        return
    assert message.document is not None
    now = ctx.now()
    person = await acting_person(session, ctx.viewer, _sender(message), now)
    filename = message.document.file_name or ""
    title = filename.rsplit(".", 1)[0].strip()[:300] or t.PLAN_DEFAULT_TITLE
    today = now.astimezone(zone_of(scope, ctx.settings.timezone)).date()
    loaded = await load_plan(
        session, scope, data, filename, title=title, person_id=person.id, now=now, today=today
    )
    table = loaded.table
    if table.fatal:
        await message.answer(table.fatal)
        return
    await message.answer(t.loaded(title, len(table.rows), len(table.errors)))
    if table.errors:
        errors = [(error.row_number, error.message) for error in table.errors]
        await answer_lines(message, t.row_errors(errors, ERRORS_SHOWN))


async def done_pressed(query: CallbackQuery, callback_data: PlanDone, ctx: Ctx) -> None:
    """«Выполнено» of one deadline, or of a reminder sent before stages rode with the button
    (its unit's earliest stage not marked)."""
    await _mark(query, ctx, callback_data.item_id, callback_data.unit, None)


async def stage_done_pressed(query: CallbackQuery, callback_data: PlanStageDone, ctx: Ctx) -> None:
    """«Выполнено» under a stage's reminder: that stage."""
    await _mark(query, ctx, callback_data.item_id, callback_data.unit, callback_data.due)


async def _mark(query: CallbackQuery, ctx: Ctx, item_id: int, unit: int, due: date | None) -> None:
    """Rights checked again, then the question what was done."""
    session, user_id = ctx.session, ctx.viewer.tg_user_id
    target = await may_mark(session, ctx.viewer, item_id, unit, due, ctx.settings.timezone)
    if isinstance(target, str) or not isinstance(query.message, Message):
        await query.answer(target if isinstance(target, str) else common.NO_RIGHTS, show_alert=True)
        return
    await query.answer()
    chat = FormChat(query.message, ctx)
    draft = await chat.unfinished()
    if draft is not None:
        await chat.resume(draft)
        return
    draft = await begin_done(session, user_id, target, ctx.now(), ctx.settings.timezone)
    await chat.show(draft)


class AnswersDone(Filter):
    """The sender is being asked what was done: their file is the answer."""

    async def __call__(self, message: Message, session: AsyncSession) -> bool | dict[str, Any]:
        if message.from_user is None:
            return False
        draft = await drafts.get_draft(session, message.from_user.id)
        if draft is None or draft.form != DONE_FORM_NAME or draft.step != "note":
            return False
        return {"draft": draft}


async def done_file(message: Message, draft: FormDraft, ctx: Ctx) -> None:
    if not await still_allowed(draft, ctx):
        await message.answer(tm.NOT_YOURS)
        return
    if message.document is not None:
        doc = message.document
        note = file_note(doc.file_id, "document", doc.file_name)
    else:
        assert message.photo
        note = file_note(message.photo[-1].file_id, "photo", None)
    advance(draft, {**draft.answers, "note": note}, ctx.now())
    await FormChat(message, ctx).show(draft)


def create_router() -> Router:
    router = Router(name="plans")
    router.callback_query.register(done_pressed, PlanDone.filter())
    router.callback_query.register(stage_done_pressed, PlanStageDone.filter())
    router.message.register(done_file, AnswersDone(), F.document | F.photo)
    router.message.register(plan_file, command("plan"), F.document, IsStaffOrAdmin())
    return router
