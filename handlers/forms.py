"""The Telegram face of the form engine: one set of handlers drives every form."""

from __future__ import annotations

import contextlib
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, Filter
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.viewer import Viewer, acting_person
from bot.forms.engine import SUMMARY, InvalidAnswer, ParseEnv
from bot.forms.flow import FormFlow
from bot.texts import forms as t
from bot.wiring.config import Settings
from handlers import keyboards
from handlers.callbacks import FormAction, FormCb, short_token
from handlers.flows import FLOWS
from storage import drafts
from storage.models import FormDraft

PHOTOS_DONE = "done"


class HasDraft(Filter):
    """Passes when the sender has a form in progress and hands it to the handler."""

    async def __call__(self, message: Message, session: AsyncSession) -> bool | dict[str, Any]:
        if message.from_user is None:
            return False
        draft = await drafts.get_draft(session, message.from_user.id)
        return {"draft": draft} if draft is not None else False


def _flow(draft: FormDraft) -> FormFlow:
    return FLOWS[draft.form]


def form_env(draft: FormDraft, settings: Settings, clock: Clock) -> ParseEnv:
    tz = ZoneInfo(draft.context.get("tz") or settings.timezone)
    return ParseEnv(today=clock.now().astimezone(tz).date())


async def show_step(
    message: Message, draft: FormDraft, env: ParseEnv, *, note: str | None = None
) -> None:
    """Send the current question (or the summary) of ``draft`` as a fresh message."""
    flow = _flow(draft)
    spec = flow.spec
    if draft.step == SUMMARY:
        summary = flow.summary(draft.answers, draft.context, env.today)
        text = f"{note}\n\n{summary.text}" if note else summary.text
        await message.answer(
            text,
            reply_markup=keyboards.summary_keyboard(
                draft.token, explicit=summary.needs_explicit_confirm
            ),
            disable_web_page_preview=True,
        )
        return
    field = spec.field(draft.step)
    # Questions still ahead count even if an earlier answer may yet hide them: the total only
    # ever shrinks as the chair goes on, never grows.
    position = spec.fields.index(field)
    asked = [f.name for i, f in enumerate(spec.fields) if i > position or f.applies(draft.answers)]
    editing = bool(draft.context.get("editing"))
    lines = [] if note is None else [note, ""]
    if not editing:
        lines.append(t.STEP_PREFIX.format(n=asked.index(field.name) + 1, total=len(asked)))
    lines.append(f"<b>{field.prompt}</b>")
    if field.optional:
        lines.append(t.OPTIONAL_HINT)
    await message.answer(
        "\n".join(lines),
        reply_markup=keyboards.step_keyboard(
            draft.token,
            field,
            previous=flow.previous_value(field.name, draft.context),
            can_go_back=spec.previous_step(field.name, draft.answers) is not None,
            editing=editing,
            photos_taken=len(draft.answers.get(field.name) or []) if field.photos else 0,
        ),
    )


def _advance(draft: FormDraft, answers: dict[str, Any], clock: Clock) -> None:
    flow = _flow(draft)
    if draft.context.get("editing"):
        draft.context = {**draft.context, "editing": False}
        step = SUMMARY
    else:
        step = flow.spec.next_step(draft.step, answers)
    drafts.save_draft(draft, step=step, answers=answers, now=clock.now())


async def resume(message: Message, draft: FormDraft, env: ParseEnv) -> None:
    await show_step(message, draft, env, note=t.RESUMING.format(title=_flow(draft).spec.title))


def _allowed(draft: FormDraft, viewer: Viewer) -> bool:
    """Rights are checked on every answer and tap, not only when the form was opened."""
    if draft.context.get("admin_only"):
        return viewer.is_admin
    if "lineage" in draft.context:
        return viewer.oversees(*draft.context["lineage"])
    return draft.org_id is None or viewer.chairs(draft.org_id)


async def _still_allowed(draft: FormDraft, viewer: Viewer, session: AsyncSession) -> bool:
    """A chair replaced after elections, or staff whose role was removed, lose the open form."""
    if _allowed(draft, viewer):
        return True
    await drafts.drop_draft(session, draft)
    return False


async def cancel_command(message: Message, session: AsyncSession, viewer: Viewer) -> None:
    draft = await drafts.get_draft(session, viewer.tg_user_id)
    if draft is None:
        await message.answer(t.NOTHING_TO_CANCEL)
        return
    await drafts.drop_draft(session, draft)
    await message.answer(t.CANCELLED)


async def typed_answer(
    message: Message,
    draft: FormDraft,
    session: AsyncSession,
    viewer: Viewer,
    settings: Settings,
    clock: Clock,
) -> None:
    assert message.text is not None
    if not await _still_allowed(draft, viewer, session):
        await message.answer(t.LOST_RIGHTS)
        return
    env = form_env(draft, settings, clock)
    if draft.step == SUMMARY:
        await show_step(message, draft, env)
        return
    spec = _flow(draft).spec
    try:
        answers = spec.answer(draft.step, message.text, draft.answers, env)
    except InvalidAnswer as error:
        await show_step(message, draft, env, note=f"❗ {error}")
        return
    _advance(draft, answers, clock)
    await show_step(message, draft, env)


async def non_text_answer(
    message: Message,
    draft: FormDraft,
    session: AsyncSession,
    viewer: Viewer,
    settings: Settings,
    clock: Clock,
) -> None:
    if not await _still_allowed(draft, viewer, session):
        await message.answer(t.LOST_RIGHTS)
        return
    env = form_env(draft, settings, clock)
    spec = _flow(draft).spec
    field = spec.field(draft.step) if draft.step != SUMMARY else None
    if field is None or not field.photos or not message.photo:
        await show_step(message, draft, env, note=t.NEED_TEXT)
        return
    try:
        answers = spec.add_photo(field.name, message.photo[-1].file_id, draft.answers)
    except InvalidAnswer:
        await message.answer(t.photos_full(field.photos))
        return
    taken = len(answers[field.name])
    if taken >= field.photos:
        _advance(draft, answers, clock)
        await show_step(message, draft, env, note=t.photos_full(field.photos))
        return
    drafts.save_draft(draft, step=draft.step, answers=answers, now=clock.now())
    await show_step(message, draft, env, note=t.photo_taken(taken, field.photos))


async def _drop_keyboard(query: CallbackQuery) -> None:
    """Take the buttons off the message that was tapped, so it cannot be tapped again."""
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramBadRequest):
            await query.message.edit_reply_markup(reply_markup=None)


async def form_button(
    query: CallbackQuery,
    callback_data: FormCb,
    session: AsyncSession,
    viewer: Viewer,
    settings: Settings,
    clock: Clock,
) -> None:
    draft = await drafts.get_draft(session, viewer.tg_user_id)
    if (
        draft is None
        or short_token(draft.token) != callback_data.token
        or (callback_data.step != draft.step and callback_data.action is not FormAction.CANCEL)
    ):
        saved = draft is None and callback_data.action is FormAction.CONFIRM
        stale = t.ALREADY_SAVED if saved else t.STALE_BUTTON
        await query.answer(stale, show_alert=False)
        await _drop_keyboard(query)
        return
    if not await _still_allowed(draft, viewer, session):
        await query.answer(t.LOST_RIGHTS, show_alert=True)
        await _drop_keyboard(query)
        return
    message = query.message
    if not isinstance(message, Message):
        await query.answer(t.STALE_BUTTON)
        return
    await _apply_button(query, message, callback_data, draft, session, viewer, settings, clock)


async def _apply_button(
    query: CallbackQuery,
    message: Message,
    data: FormCb,
    draft: FormDraft,
    session: AsyncSession,
    viewer: Viewer,
    settings: Settings,
    clock: Clock,
) -> None:
    flow = _flow(draft)
    spec = flow.spec
    action = data.action
    now = clock.now()
    env = form_env(draft, settings, clock)

    if action is FormAction.CANCEL:
        await drafts.drop_draft(session, draft)
        await query.answer()
        await _drop_keyboard(query)
        await message.answer(t.CANCELLED)
        return

    if action is FormAction.CONFIRM:
        if draft.step != SUMMARY or spec.missing_required(draft.answers):
            await query.answer(t.STALE_BUTTON)
            return
        person = await acting_person(session, viewer, query.from_user, now)
        text = await flow.submit(session, draft, person.id, now)
        await drafts.drop_draft(session, draft)
        await query.answer()
        await _drop_keyboard(query)
        await message.answer(text, disable_web_page_preview=True)
        return

    if action is FormAction.EDIT_MENU:
        await query.answer()
        await message.answer(
            t.CHOOSE_FIELD, reply_markup=keyboards.edit_keyboard(draft.token, spec, draft.answers)
        )
        return

    if action is FormAction.EDIT and spec.has_field(data.value):
        draft.context = {**draft.context, "editing": True}
        drafts.save_draft(draft, step=data.value, answers=draft.answers, now=now)
    elif action is FormAction.SUMMARY:
        draft.context = {**draft.context, "editing": False}
        drafts.save_draft(draft, step=SUMMARY, answers=draft.answers, now=now)
    elif action is FormAction.BACK and draft.step != SUMMARY:
        previous = spec.previous_step(draft.step, draft.answers)
        if previous is not None:
            drafts.save_draft(draft, step=previous, answers=draft.answers, now=now)
    elif action in (FormAction.PICK, FormAction.SKIP) and draft.step != SUMMARY:
        field = spec.field(draft.step)
        try:
            if action is FormAction.SKIP:
                answers = spec.skip(field.name, draft.answers)
            elif field.photos and data.value == PHOTOS_DONE:
                answers = dict(draft.answers)
            else:
                answers = spec.answer(field.name, data.value, draft.answers, env)
        except InvalidAnswer as error:
            text = t.CANNOT_SKIP if action is FormAction.SKIP else str(error)
            await query.answer()
            await show_step(message, draft, env, note=f"❗ {text}")
            return
        _advance(draft, answers, clock)
    else:
        await query.answer(t.STALE_BUTTON)
        return
    await query.answer()
    await _drop_keyboard(query)
    await show_step(message, draft, env)


def create_router() -> Router:
    router = Router(name="forms")
    router.message.register(cancel_command, Command("cancel"))
    router.message.register(typed_answer, HasDraft(), F.text, ~F.text.startswith("/"))
    router.message.register(non_text_answer, HasDraft(), ~F.text)
    router.callback_query.register(form_button, FormCb.filter())
    return router
