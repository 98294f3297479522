"""The Telegram face of the form engine: one set of handlers drives every declared form.

Each button under a question or a summary has its own handler (``F.action == ...``); every
answer and every tap checks the sender's rights again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.audience import Audience, audience_of
from bot.domain.viewer import acting_person
from bot.forms import shortcut
from bot.forms.declaration import Form
from bot.forms.engine import SUMMARY, AskAgain, Field, InvalidAnswer
from bot.forms.registry import form_of_draft
from bot.texts import forms as t
from bot.wiring.context import Ctx
from handlers import keyboards
from handlers.callbacks import FormAction, FormCb, short_token
from handlers.filters import command
from handlers.form_chat import (
    FormChat,
    advance,
    answered_step,
    back_to_summary,
    skipped,
    step_back,
    still_allowed,
    summary_seal,
)
from handlers.form_files import blank_file_question, file_answer, not_taken
from handlers.formatting import formatted_html
from handlers.taps import TapHandler, tap_router
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


async def cancel_command(message: Message, ctx: Ctx) -> None:
    """/cancel; with nothing open, a stranger is told how to begin (an invite link), not only
    that there is nothing to cancel."""
    draft = await drafts.get_draft(ctx.session, ctx.viewer.tg_user_id)
    if draft is None:
        stranger = audience_of(ctx.viewer) is Audience.STRANGER
        await message.answer(t.NOTHING_TO_CANCEL_STRANGER if stranger else t.NOTHING_TO_CANCEL)
        return
    await FormChat(message, ctx).cancel(draft)


async def typed_answer(message: Message, draft: FormDraft, ctx: Ctx) -> None:
    assert message.text is not None
    if not await still_allowed(draft, ctx):
        await message.answer(t.LOST_RIGHTS)
        return
    chat = FormChat(message, ctx)
    if await chat.typed_button(draft, message.text):
        return
    spec = form_of_draft(draft.form).spec
    earlier = _earlier_question(message, draft)
    if earlier is not None:  # swiped to answer an earlier question: not this one's answer
        await chat.show(draft, note=t.replied_to_earlier(earlier.label))
        return
    step = answered_step(draft)
    if step is None:  # the summary asks nothing: a typed correction needs its field named
        await chat.show(draft, note=t.SUMMARY_TYPED)
        return
    typed = formatted_html(message) if spec.field(step).formatted else message.text
    try:
        answers = spec.answer(step, typed, draft.answers, chat.env(draft))
    except InvalidAnswer as error:
        await chat.show(draft, note=f"❗ {error}")
        return
    advance(draft, answers, ctx.now())
    await chat.show(draft)


def _earlier_question(message: Message, draft: FormDraft) -> Field | None:
    """Another question of the open form that ``message`` replies to (a phone's swipe to
    correct an answer): its answer would otherwise be taken for the current question's."""
    replied = message.reply_to_message
    if replied is None or draft.step == SUMMARY:
        return None
    shown = replied.text or ""
    spec = form_of_draft(draft.form).spec
    if spec.field(draft.step).prompt in shown:
        return None
    return next((f for f in spec.fields if f.prompt in shown), None)


async def edited_answer(message: Message, draft: FormDraft, ctx: Ctx) -> None:
    """An answer edited after it was sent: the form took the first version and has moved on;
    say so and show where it stands, rather than keep the old answer in silence."""
    if not await still_allowed(draft, ctx):
        await message.answer(t.LOST_RIGHTS)
        return
    await FormChat(message, ctx).show(draft, note=t.EDIT_NOT_TAKEN)


async def non_text_answer(message: Message, draft: FormDraft, ctx: Ctx) -> None:
    if not await still_allowed(draft, ctx):
        await message.answer(t.LOST_RIGHTS)
        return
    chat = FormChat(message, ctx)
    spec = form_of_draft(draft.form).spec
    step = answered_step(draft)
    field = spec.field(step) if step is not None else blank_file_question(message, draft)
    if field is not None and field.file:
        await file_answer(chat, draft, field, message)
        return
    if field is None or not field.photos or not message.photo:
        await chat.show(draft, note=not_taken(message, field, draft))
        return
    try:
        answers = spec.add_photo(field.name, message.photo[-1].file_id, draft.answers)
    except InvalidAnswer:
        await message.answer(t.photos_full(field.photos))
        return
    taken = len(answers[field.name])
    if taken >= field.photos:
        advance(draft, answers, ctx.now())
        await chat.show(draft, note=t.photos_full(field.photos))
        return
    drafts.save_draft(draft, step=draft.step, answers=answers, now=ctx.now())
    await chat.show(draft, note=t.photo_taken(taken, field.photos))


async def drop_keyboard(query: CallbackQuery) -> None:
    """Take the buttons off the message that was tapped, so it cannot be tapped again."""
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramBadRequest):
            await query.message.edit_reply_markup(reply_markup=None)


@dataclass(frozen=True)
class Tap:
    """A button under the sender's current question or summary, checked and ready to act on."""

    query: CallbackQuery
    data: FormCb
    draft: FormDraft
    form: Form[Any]
    chat: FormChat

    async def moved_on(self) -> None:
        """The draft moved: the old buttons go, the new question (or summary) comes."""
        await self.query.answer()
        await drop_keyboard(self.query)
        await self.chat.show(self.draft)


async def _tap(query: CallbackQuery, data: FormCb, ctx: Ctx) -> Tap | None:
    """The tapped button's draft if the button is current and the sender may still go on;
    otherwise the tap is explained, the stale buttons dropped, and None returned."""
    draft = await drafts.get_draft(ctx.session, ctx.viewer.tg_user_id)
    if (
        draft is None
        or short_token(draft.token) != data.token
        or (data.step != draft.step and data.action is not FormAction.CANCEL)
    ):
        closed = draft is None and data.action is FormAction.CONFIRM
        await query.answer(t.FORM_CLOSED if closed else t.STALE_BUTTON, show_alert=False)
        await drop_keyboard(query)
        return None
    if not await still_allowed(draft, ctx):
        await query.answer(t.LOST_RIGHTS, show_alert=True)
        await drop_keyboard(query)
        return None
    message = query.message
    if not isinstance(message, Message):
        await query.answer(t.STALE_BUTTON)
        return None
    return Tap(query, data, draft, form_of_draft(draft.form), FormChat(message, ctx))


async def cancel_tapped(_: CallbackQuery, tap: Tap) -> None:
    await tap.query.answer()
    await drop_keyboard(tap.query)
    await tap.chat.cancel(tap.draft)


async def confirm_tapped(_: CallbackQuery, tap: Tap) -> None:
    draft, ctx, now = tap.draft, tap.chat.ctx, tap.chat.ctx.now()
    if draft.step != SUMMARY:
        await tap.query.answer(t.STALE_BUTTON)
        return
    missing = tap.form.spec.missing_required(draft.answers)
    if missing:  # left at «⬅️ К сводке»: asked now, then back to the summary
        await _ask_again(tap, missing[0], t.STILL_MISSING)
        return
    env = tap.chat.env(draft)
    stale = tap.form.spec.gone_stale(draft.answers, env)
    if stale is not None:  # time, or a release, made a kept answer one not taken now
        await _ask_again(tap, stale[0].name, stale[1])
        return
    broken = tap.form.spec.broken_rule(draft.answers)
    if broken is not None:  # a stored record opened as it was stored, against a rule
        await _ask_again(tap, broken[0].name, broken[1])
        return
    if tap.data.value != summary_seal(draft, tap.form.summary_of(draft, env.today)):
        await tap.query.answer()
        await drop_keyboard(tap.query)
        await tap.chat.show(draft, note=t.SUMMARY_CHANGED)
        return
    person = await acting_person(ctx.session, ctx.viewer, tap.query.from_user, now)
    try:
        text = await tap.form.submit_draft(
            ctx.session,
            draft,
            person_id=person.id,
            now=now,
            form_button=keyboards.reminder_button,
            calendar=ctx.settings.calendar,
            default_tz=ctx.settings.timezone,
        )
    except AskAgain as again:  # the database no longer has what an answer names
        await _ask_again(tap, again.name, str(again))
        return
    await drafts.drop_draft(ctx.session, draft)
    await tap.query.answer()
    await drop_keyboard(tap.query)
    await tap.chat.message.answer(text, disable_web_page_preview=True)


async def _ask_again(tap: Tap, step: str, note: str) -> None:
    """A question asked again from the summary, saying why; the summary follows it."""
    await tap.query.answer()
    await drop_keyboard(tap.query)
    tap.form.mark_editing(tap.draft, True)
    _move(tap, step)
    await tap.chat.show(tap.draft, note=note)


async def edit_menu_tapped(_: CallbackQuery, tap: Tap) -> None:
    await tap.query.answer()
    keyboard = keyboards.edit_keyboard(tap.draft.token, tap.form.spec, tap.draft.answers)
    await tap.chat.message.answer(t.CHOOSE_FIELD, reply_markup=keyboard)


async def edit_tapped(_: CallbackQuery, tap: Tap) -> None:
    """One field picked from the summary: ask it again, then come back to the summary."""
    if not tap.form.spec.has_field(tap.data.value):
        await tap.query.answer(t.STALE_BUTTON)
        return
    tap.form.mark_editing(tap.draft, True)
    _move(tap, tap.data.value)
    await tap.moved_on()


async def summary_tapped(_: CallbackQuery, tap: Tap) -> None:
    back_to_summary(tap.draft, tap.chat.ctx.now())
    await tap.moved_on()


def _move(tap: Tap, step: str) -> None:
    """The draft goes to ``step`` with its answers as they are."""
    drafts.save_draft(tap.draft, step=step, answers=tap.draft.answers, now=tap.chat.ctx.now())


async def back_tapped(_: CallbackQuery, tap: Tap) -> None:
    if tap.draft.step == SUMMARY:
        await tap.query.answer(t.STALE_BUTTON)
        return
    step_back(tap.draft, tap.chat.ctx.now())
    await tap.moved_on()


async def _answer_tapped(tap: Tap, answer: Callable[[], dict[str, Any]]) -> None:
    """A tapped answer (a choice, the previous value, «готово», «пропустить», or one to the
    question the summary asks): taken, or the question asked again with why not, the answer
    before it kept."""
    if answered_step(tap.draft) is None:
        await tap.query.answer(t.STALE_BUTTON)
        return
    try:
        answers = answer()
    except InvalidAnswer as invalid:
        await tap.query.answer()
        await tap.chat.show(tap.draft, note=f"❗ {invalid}")
        return
    advance(tap.draft, answers, tap.chat.ctx.now())
    await tap.moved_on()


async def pick_tapped(_: CallbackQuery, tap: Tap) -> None:
    draft, spec, value = tap.draft, tap.form.spec, tap.data.value
    if draft.step == SUMMARY:
        await tap.query.answer(t.STALE_BUTTON)
        return

    def picked() -> dict[str, Any]:
        field = spec.field(draft.step)
        if field.photos and value == PHOTOS_DONE:
            return dict(draft.answers)
        return spec.answer(field.name, value, draft.answers, tap.chat.env(draft))

    await _answer_tapped(tap, picked)


async def previous_tapped(_: CallbackQuery, tap: Tap) -> None:
    """The value offered as one tap, read again from the draft (a place or a moment would not
    fit the 64 bytes of a button's data, nor may it hold its «:»)."""
    await _retake(tap, lambda draft: tap.form.previous_of(draft.step, draft))


async def earlier_tapped(_: CallbackQuery, tap: Tap) -> None:
    """A question asked again takes its old answer, read again from the draft."""
    await _retake(tap, lambda draft: tap.form.context_of(draft).earlier.get(draft.step))


async def _retake(tap: Tap, stored: Callable[[FormDraft], Any]) -> None:
    """An answer given before (``stored``: read from the draft; None: gone since) taken as the
    same answer typed now (``FormSpec.retake``): its parser, time and the rules as they stand."""
    draft, form = tap.draft, tap.form
    if draft.step == SUMMARY:
        await tap.query.answer(t.STALE_BUTTON)
        return
    value = stored(draft)

    def taken() -> dict[str, Any]:
        if value is None:
            raise InvalidAnswer(t.STALE_BUTTON)
        return form.spec.retake(draft.step, value, draft.answers, tap.chat.env(draft))

    await _answer_tapped(tap, taken)


async def skip_tapped(_: CallbackQuery, tap: Tap) -> None:
    await _answer_tapped(tap, lambda: skipped(tap.draft))


async def shortcut_tapped(_: CallbackQuery, tap: Tap) -> None:
    """«Как в прошлый раз» for the block: its answers from last time, then the rest."""
    draft, form = tap.draft, tap.form
    env = tap.chat.env(draft)
    if draft.step == SUMMARY or not form.offers_shortcut(draft.step, draft, env):
        await tap.query.answer(t.STALE_BUTTON)
        return
    previous = form.previous_lookup(draft)
    answers = shortcut.take(form.spec, draft.step, draft.answers, previous, env)
    form.mark_shortcut(draft, draft.step)
    advance(draft, answers, tap.chat.ctx.now())
    await tap.moved_on()


BUTTONS: dict[FormAction, TapHandler] = {
    FormAction.CANCEL: cancel_tapped,
    FormAction.CONFIRM: confirm_tapped,
    FormAction.EDIT_MENU: edit_menu_tapped,
    FormAction.EDIT: edit_tapped,
    FormAction.SUMMARY: summary_tapped,
    FormAction.BACK: back_tapped,
    FormAction.PICK: pick_tapped,
    FormAction.PREVIOUS: previous_tapped,
    FormAction.SKIP: skip_tapped,
    FormAction.EARLIER: earlier_tapped,
    FormAction.SHORTCUT: shortcut_tapped,
}


def create_router() -> Router:
    router = Router(name="forms")
    router.message.register(cancel_command, command("cancel"))
    router.message.register(typed_answer, HasDraft(), F.text, ~F.text.startswith("/"))
    router.message.register(non_text_answer, HasDraft(), ~F.text)
    router.edited_message.register(edited_answer, HasDraft())
    router.include_router(tap_router("form-buttons", FormCb, BUTTONS, _tap))
    return router
