"""Where a person's form lives in the chat: the one place a form is opened or resumed, its
questions shown, and the local date its answers are parsed against computed."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.types import Message

from bot.domain.viewer import Viewer
from bot.forms import shortcut
from bot.forms.declaration import Form, OpenRequest, PickOne, Subject, Summary
from bot.forms.engine import SUMMARY, Field, InvalidAnswer, ParseEnv
from bot.forms.fields import AskedWhen
from bot.forms.registry import form_of_draft
from bot.texts import forms as t
from bot.wiring.context import Ctx
from handlers import keyboards
from handlers.callbacks import FormAction
from storage import drafts
from storage.models import Event, FormDraft, MembershipReport, Organization

_EDGES = re.compile(r"^[\W_]+|[\W_]+$")  # «✖️ Отмена», «Назад.»: the word without the rest


@dataclass(frozen=True)
class FormChat:
    """A person's forms during one update: the chat their questions go to, and the update's
    context (``ctx``: the asker, the settings and clock a form's «сегодня» is computed from)."""

    message: Message
    ctx: Ctx

    @property
    def tg_user_id(self) -> int:
        return self.ctx.viewer.tg_user_id

    def env(self, draft: FormDraft) -> ParseEnv:
        """What answers are parsed against: the local date and time of the form's organization."""
        tz = form_of_draft(draft.form).context_of(draft).tz or self.ctx.settings.timezone
        local = self.ctx.now().astimezone(ZoneInfo(tz))
        return ParseEnv(today=local.date(), time_of_day=local.time())

    def request(
        self,
        org: Organization,
        *,
        collection_id: int | None = None,
        event: Event | None = None,
        report: MembershipReport | None = None,
    ) -> OpenRequest:
        return OpenRequest(
            self.ctx.session,
            self.tg_user_id,
            org,
            self.ctx.settings.timezone,
            self.ctx.now(),
            collection_id=collection_id,
            event=event,
            report=report,
        )

    async def unfinished(self) -> FormDraft | None:
        """The form the person left unfinished, if they may still fill it; one of a role that
        has ended since (a chair who left the staff) is closed, so what they ask for opens."""
        draft = await drafts.get_draft(self.ctx.session, self.tg_user_id)
        return draft if draft is None or await still_allowed(draft, self.ctx) else None

    async def open_or_resume(self, form: Form[Any], request: OpenRequest) -> None:
        """Resume the form the person left unfinished, or open ``form``."""
        draft = await self.unfinished()
        if draft is not None:
            await self.resume(draft, asked_for=request.org)
            return
        opening = await form.open(request)
        if isinstance(opening, PickOne):
            keyboard = keyboards.pick_one(request.org.id, opening.options)
            await self.message.answer(opening.prompt, reply_markup=keyboard)
        else:
            await self.show(opening.draft, note=opening.note)

    async def resume(
        self,
        draft: FormDraft,
        *,
        asked_for: Organization | None = None,
        about: Subject | None = None,
    ) -> None:
        """The unfinished form again, naming whom it is for; ``asked_for``: the organization a
        form was just asked for, ``about``: the record it was asked for (a district event),
        each told apart when the draft is for another one."""
        form = form_of_draft(draft.form)
        title = form.spec.title
        subject = form.context_of(draft).subject
        org = (
            None if draft.org_id is None else await self.ctx.session.get(Organization, draft.org_id)
        )
        if about is not None and subject is not None and subject != about:
            note = t.resuming_instead(title, subject.title, about.title)
        elif org is not None and asked_for is not None and asked_for.id != org.id:
            note = t.resuming_instead(title, org.name, asked_for.name)
        else:
            note = t.resuming(title, None if org is None else org.name)
        await self.show(draft, note=note)

    async def cancel(self, draft: FormDraft) -> None:
        """/cancel, «✖️ Отмена» tapped or typed: the form closes, nothing of it kept."""
        await drafts.drop_draft(self.ctx.session, draft)
        await self.message.answer(t.CANCELLED)

    async def typed_button(self, draft: FormDraft, text: str) -> bool:
        """A message that is a button's word («Отмена», «назад», the skip button's label),
        typed rather than tapped: done as the button does, never taken for the answer; False
        for any other message (one holding the word in a sentence is an answer)."""
        word = _word(text)
        if word in t.CANCEL_WORDS:
            await self.cancel(draft)
        elif word in t.BACK_WORDS:
            await self._typed_back(draft)
        elif _is_skip_label(draft, word):
            await self._typed_skip(draft)
        else:
            return False
        return True

    async def _typed_back(self, draft: FormDraft) -> None:
        if draft.step == SUMMARY:  # the summary has no «Назад»: say what does go back
            await self.show(draft, note=t.BACK_AT_SUMMARY)
            return
        if form_of_draft(draft.form).context_of(draft).editing:  # its button: «К сводке»
            back_to_summary(draft, self.ctx.now())
        else:
            step_back(draft, self.ctx.now())
        await self.show(draft)

    async def _typed_skip(self, draft: FormDraft) -> None:
        """The skip label typed: skipped as the tap skips (a required question, or a blank
        that breaks a rule, refused with why and asked again), never stored as the answer."""
        try:
            answers = skipped(draft)
        except InvalidAnswer as error:
            await self.show(draft, note=f"❗ {error}")
            return
        advance(draft, answers, self.ctx.now())
        await self.show(draft)

    async def show(self, draft: FormDraft, *, note: str | None = None) -> None:
        """Send the current question (or the summary) of ``draft`` as a fresh message."""
        if draft.step == SUMMARY:
            await self._show_summary(draft, note)
        else:
            await self._show_question(draft, note)

    async def _show_summary(self, draft: FormDraft, note: str | None) -> None:
        """The summary, and under it the question the summary asks, if one is pending."""
        form = form_of_draft(draft.form)
        summary = form.summary_of(draft, self.env(draft).today)
        text = f"{note}\n\n{summary.text}" if note else summary.text
        pending = form.spec.summary_question(draft.answers)
        if pending is not None:
            text = f"{text}\n\n{t.summary_question(pending.prompt)}"
        await self.message.answer(
            text,
            reply_markup=keyboards.summary_keyboard(
                draft.token,
                seal=summary_seal(draft, summary),
                explicit=summary.needs_explicit_confirm,
                skip_label=None if pending is None else keyboards.skip_label(pending),
            ),
            disable_web_page_preview=True,
        )

    async def _show_question(self, draft: FormDraft, note: str | None) -> None:
        form = form_of_draft(draft.form)
        field = form.spec.field(draft.step)
        context = form.context_of(draft)
        env = self.env(draft)
        block = form.spec.shortcut if form.offers_shortcut(field.name, draft, env) else None
        offer = _one_tap(form, field, draft, env)
        lines = [] if note is None else [note, ""]
        asked = _counted(form, draft)
        if not context.editing and field.name in asked:
            lines.append(t.STEP_PREFIX.format(n=asked.index(field.name) + 1, total=len(asked)))
        lines.append(f"<b>{field.prompt}</b>")
        taken = photos_taken(field, draft.answers)
        if context.editing and taken:
            lines.append(t.photos_kept(taken, field.photos))
        elif field.optional:
            lines.append(t.OPTIONAL_HINT)
        if offer is not None and offer[1] is FormAction.EARLIER:
            lines += ["", t.ASKED_AGAIN]
        if block is not None:
            lines += ["", block.hint]
        await self.message.answer(
            "\n".join(lines),
            reply_markup=keyboards.step_keyboard(
                draft.token,
                field,
                offer=offer,
                can_go_back=can_go_back(form, draft),
                editing=context.editing,
                photos_taken=taken,
                shortcut=None if block is None else block.button,
            ),
        )


def _one_tap(
    form: Form[Any], field: Field, draft: FormDraft, env: ParseEnv
) -> tuple[str, FormAction] | None:
    """The answer offered as one tap (:func:`keyboards.one_tap`): an answer given before (last
    time's, or the question's own before it was asked again) only if it would be taken as
    typed now (``FormSpec.refusal``, rules aside): last time's answer day, passed since, is
    not offered, and the question is asked as a new one."""

    def taken(value: Any) -> Any:
        return None if value is None or form.spec.refusal(field.name, value, env) else value

    previous = taken(form.previous_of(field.name, draft))
    earlier = taken(form.context_of(draft).earlier.get(field.name))
    return keyboards.one_tap(field, previous=previous, earlier=earlier)


def _counted(form: Form[Any], draft: FormDraft) -> list[str]:
    """The questions «Вопрос N из M» counts. Those still ahead count unless the answers they
    depend on are all given and hide them (a district event answered «будем» by its button
    asks no reason): the total only ever shrinks as the chair goes on, never grows."""
    spec, skip = form.spec, form.skipped(draft)
    position = spec.fields.index(spec.field(draft.step))
    given = {name: value for name, value in draft.answers.items() if name != draft.step}
    return [
        f.name
        for i, f in enumerate(spec.fields)
        if not f.in_summary
        and f.name not in skip
        and (f.applies(draft.answers) if i <= position else _may_be_asked(f, given))
    ]


def _word(text: str) -> str:
    """A whole message as the button word it may be: «✖️ Отмена», « Пропустить. » and
    «🤷 не  знаю» are «отмена», «пропустить», «не знаю»."""
    return " ".join(_EDGES.sub("", text).casefold().split())


def _is_skip_label(draft: FormDraft, word: str) -> bool:
    """Whether ``word`` is the label of the skip button of the question the message answers
    (at a required question, the label it would have: the chair is told it cannot be
    skipped rather than have «Пропустить» stored as the answer)."""
    step = answered_step(draft)
    if step is None:
        return False
    field = form_of_draft(draft.form).spec.field(step)
    return word == _word(keyboards.skip_label(field, photos_taken(field, draft.answers)))


def answered_step(draft: FormDraft) -> str | None:
    """The question a message or a tapped answer goes to: the current one, or at the summary
    the question it asks (None: the summary asks nothing)."""
    if draft.step != SUMMARY:
        return draft.step
    pending = form_of_draft(draft.form).spec.summary_question(draft.answers)
    return None if pending is None else pending.name


def skipped(draft: FormDraft) -> dict[str, Any]:
    """The answers with the question being answered left blank, tapped or typed alike; raises
    InvalidAnswer as ``FormSpec.skip`` does."""
    step = answered_step(draft) or draft.step
    return form_of_draft(draft.form).spec.skip(step, draft.answers)


def photos_taken(field: Field, answers: dict[str, Any]) -> int:
    """The photos a photo question holds (its skip button then drops them)."""
    return len(answers.get(field.name) or []) if field.photos else 0


def _may_be_asked(field: Field, given: dict[str, Any]) -> bool:
    """Whether a question ahead may still be asked: unless the one answer it follows is given
    and hides it (a rule reading more, or not naming what it reads, always may)."""
    follows = field.ask_if.name if isinstance(field.ask_if, AskedWhen) else None
    return follows is None or follows not in given or field.applies(given)


def summary_seal(draft: FormDraft, summary: Summary) -> str:
    """What a summary showed, in 8 characters its «Отправить» carries: an older summary (before
    a field was changed, or one that asked no «Подтверждаю») then sends nothing it did not show."""
    shown = json.dumps([draft.answers, summary.needs_explicit_confirm], sort_keys=True)
    return hashlib.blake2s(shown.encode(), digest_size=4).hexdigest()


def can_go_back(form: Form[Any], draft: FormDraft) -> bool:
    """A question before this one, or a «как в прошлый раз» taken that «Назад» undoes."""
    if form.context_of(draft).shortcut_from is not None:
        return True
    return form.spec.previous_step(draft.step, draft.answers, form.skipped(draft)) is not None


def step_back(draft: FormDraft, now: datetime) -> None:
    """«⬅️ Назад»: the question before this one, or a «как в прошлый раз» undone (its first
    question asked again); at the first question nothing moves."""
    form = form_of_draft(draft.form)
    previous = form.spec.previous_step(draft.step, draft.answers, form.skipped(draft))
    taken_at = form.context_of(draft).shortcut_from
    if previous is None and taken_at is not None:
        form.mark_shortcut(draft, None)
        previous = taken_at
    if previous is not None:
        drafts.save_draft(draft, step=previous, answers=draft.answers, now=now)


def back_to_summary(draft: FormDraft, now: datetime) -> None:
    """«⬅️ К сводке» under a question asked again from the summary: the summary, the answer
    as it was."""
    form_of_draft(draft.form).mark_editing(draft, False)
    drafts.save_draft(draft, step=SUMMARY, answers=draft.answers, now=now)


def advance(draft: FormDraft, answers: dict[str, Any], now: datetime) -> None:
    """Record an answer and go to the next question (back to the summary when editing).

    Answers a «как в прошлый раз» derived follow the new one; a question still to ask at the
    summary (``FormSpec.still_to_ask``) is asked first, as an edit."""
    form = form_of_draft(draft.form)
    skip = form.skipped(draft)
    answers = shortcut.follow(form.spec, draft.answers, answers, skip, form.previous_lookup(draft))
    _keep_earlier(form, draft, answers)
    if form.context_of(draft).editing or draft.step == SUMMARY:
        form.mark_editing(draft, False)
        step = SUMMARY
    else:
        step = form.spec.next_step(draft.step, answers, skip)
    missing = form.spec.still_to_ask(answers) if step == SUMMARY else []
    if missing:
        form.mark_editing(draft, True)
        step = missing[0]
    drafts.save_draft(draft, step=step, answers=answers, now=now)


def _keep_earlier(form: Form[Any], draft: FormDraft, answers: dict[str, Any]) -> None:
    """Keep in the draft the old answers of the questions ``answers`` asks again
    (``FormSpec.reopened``), to offer each as one tap, after a restart too; one answered since
    is forgotten."""
    context = form.context_of(draft)
    reopened = form.spec.reopened(draft.answers, answers)
    offered = {**context.earlier, **{n: v for n, v in reopened.items() if v is not None}}
    kept = {name: value for name, value in offered.items() if name not in answers}
    if kept != context.earlier:
        context.model_copy(update={"earlier": kept}).store(draft)


async def still_allowed(draft: FormDraft, ctx: Ctx) -> bool:
    """Rights are checked on every answer and tap, not only when the form was opened: a chair
    replaced after elections, or staff whose role was removed, lose the open form."""
    if is_theirs(draft, ctx.viewer):
        return True
    await drafts.drop_draft(ctx.session, draft)
    return False


def is_theirs(draft: FormDraft, viewer: Viewer) -> bool:
    """Whether the sender may still fill ``draft``, only looked at: shown again only if so; one
    no longer theirs is closed, with why, at their next answer (:func:`still_allowed`)."""
    return bool(form_of_draft(draft.form).context_of(draft).allows(viewer, draft.org_id))
