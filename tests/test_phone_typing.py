"""What people type on a phone, answered as they meant it: a capitalised command, a button's
word typed instead of tapped, a command copied from a group, thousands with a dot."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.forms.engine import SUMMARY
from bot.texts import forms, membership
from harness import Harness, last_message, texts
from scenarios import CHAIR, FULL, answer_all, join
from storage.models import FormDraft


async def _draft(h: Harness) -> FormDraft | None:
    async with h.session_pool() as session:
        return await session.scalar(select(FormDraft))


async def test_thousands_written_with_a_dot_are_taken_for_a_count(harness: Harness) -> None:
    """«1.200» at «Сколько работников» is 1200, as «1 200» is; not «без дробной части»."""
    await join(harness)
    await harness.send(CHAIR, "/report")
    replies = texts(await harness.send(CHAIR, "1.200"))
    draft = await _draft(harness)
    assert draft is not None and draft.answers.get("workers") == 1200, replies


@pytest.mark.parametrize("typed", ["Отмена", forms.BTN_CANCEL, "СТОП!", "отменить."])
async def test_cancel_typed_at_a_text_question_cancels_the_form(
    harness: Harness, typed: str
) -> None:
    """«Отмена» typed (the button under every question reads «✖️ Отмена») at the event's
    topic is not the topic: the form is cancelled, as /cancel does."""
    await join(harness)
    question = last_message(await harness.send(CHAIR, "/event"))
    await harness.tap(CHAIR, question, "Семинар")
    assert texts(await harness.send(CHAIR, typed)) == [forms.CANCELLED]
    assert await _draft(harness) is None


async def test_a_cancel_word_inside_an_answer_is_the_answer(harness: Harness) -> None:
    await join(harness)
    question = last_message(await harness.send(CHAIR, "/event"))
    await harness.tap(CHAIR, question, "Семинар")
    await harness.send(CHAIR, "Стоп коррупции")
    draft = await _draft(harness)
    assert draft is not None and draft.answers.get("topic") == "Стоп коррупции"


@pytest.mark.parametrize("typed", ["назад", forms.BTN_BACK])
async def test_back_typed_goes_to_the_question_before(harness: Harness, typed: str) -> None:
    """«Назад» typed does what «⬅️ Назад» under the question does."""
    await join(harness)
    await harness.send(CHAIR, "/report")
    await harness.send(CHAIR, "54")
    [question] = texts(await harness.send(CHAIR, typed))
    assert membership.Q_WORKERS in question, question
    draft = await _draft(harness)
    assert draft is not None and draft.step == "workers"


async def test_back_typed_at_a_question_asked_again_returns_to_the_summary(
    harness: Harness,
) -> None:
    """A question asked again from the summary has «⬅️ К сводке», not «Назад»: typed, it
    does the same; at the summary itself, where there is no «Назад», the way is told."""
    await join(harness)
    summary = last_message(await answer_all(harness, FULL))
    menu = last_message(await harness.tap(CHAIR, summary, "Исправить поле"))
    await harness.tap(CHAIR, menu, "Членов профсоюза")
    [back] = texts(await harness.send(CHAIR, "Назад"))
    draft = await _draft(harness)
    assert draft is not None and draft.step == SUMMARY
    assert "Членов профсоюза: 40" in back, back
    [told] = texts(await harness.send(CHAIR, "назад"))
    assert told.startswith(forms.BACK_AT_SUMMARY), told
