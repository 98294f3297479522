"""What people type on a phone, answered as they meant it: a capitalised command, a button's
word typed instead of tapped, a command copied from a group, thousands with a dot."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from aiogram import Router
from aiogram.filters import Command
from sqlalchemy import select

from bot.forms.engine import SUMMARY
from bot.texts import chair, common, events, forms, membership, passport
from handlers import get_routers
from harness import ADMIN, Harness, last_message, texts
from scenarios import (
    CHAIR,
    CONSENT_BUTTON,
    FULL,
    answer_all,
    code_of,
    invite_links,
    join,
    setup_district,
)
from storage.models import FormDraft
from test_events_and_passport import to_photos

STRANGER = 4242


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


async def _at_passport_address(h: Harness) -> None:
    """The passport opened and its institution given: «Адрес» (optional) is asked."""
    await join(h)
    card = last_message(await h.send(CHAIR, "/passport"))
    await h.tap(CHAIR, card, "Заполнить")
    await h.send(CHAIR, "МБОУ СОШ № 1")


@pytest.mark.parametrize("typed", ["Пропустить", "пропустить", "  Пропустить!  ", "«пропустить»."])
async def test_skip_typed_at_an_optional_question_skips_it(harness: Harness, typed: str) -> None:
    """«Пропустить» typed at the passport's address (the button under it reads so) leaves the
    address blank and asks the next question, as the tap does; it is not stored as the
    address."""
    await _at_passport_address(harness)
    [question] = texts(await harness.send(CHAIR, typed))
    assert passport.Q_CHAIR in question, question
    draft = await _draft(harness)
    assert draft is not None and draft.step == "chair_full_name", draft.step
    assert "address" in draft.answers and draft.answers["address"] is None, draft.answers


async def test_a_skip_word_inside_an_answer_is_the_answer(harness: Harness) -> None:
    await _at_passport_address(harness)
    await harness.send(CHAIR, "Пропустить нельзя: ул. Ленина, 5")
    draft = await _draft(harness)
    assert draft is not None and draft.answers.get("address") == "Пропустить нельзя: ул. Ленина, 5"


async def test_skip_typed_at_a_required_question_says_it_cannot_be_skipped(
    harness: Harness,
) -> None:
    """At the event's topic (required, no skip button) «Пропустить» is not the topic: the
    chair is told the question is required and is asked it again."""
    await join(harness)
    question = last_message(await harness.send(CHAIR, "/event"))
    await harness.tap(CHAIR, question, "Семинар")
    [told] = texts(await harness.send(CHAIR, "Пропустить"))
    assert forms.CANNOT_SKIP in told and events.Q_TOPIC in told, told
    draft = await _draft(harness)
    assert draft is not None and draft.step == "topic" and "topic" not in draft.answers


async def test_skip_typed_runs_the_rules_a_tapped_skip_runs(harness: Harness) -> None:
    """An online event with 500 views and 0 participants, its views asked again from the
    summary: «пропустить» typed is refused as the tap is (nobody would have taken part),
    the 500 views kept."""
    await join(harness)
    question = last_message(await harness.send(CHAIR, "/event"))
    await harness.tap(CHAIR, question, "Вебинар")
    await harness.send(CHAIR, "Цифровизация профсоюза")
    question = last_message(await harness.send(CHAIR, "20.11.2026"))
    await harness.tap(CHAIR, question, "Онлайн")
    await harness.send(CHAIR, "500")
    question = last_message(await harness.send(CHAIR, "0"))
    question = last_message(await harness.tap(CHAIR, question, "Информационная"))
    question = last_message(await harness.tap(CHAIR, question, "Пропустить"))
    summary = last_message(await harness.tap(CHAIR, question, "Пропустить"))
    menu = last_message(await harness.tap(CHAIR, summary, forms.BTN_EDIT))
    await harness.tap(CHAIR, menu, events.L_VIEWS)
    [told] = texts(await harness.send(CHAIR, "пропустить"))
    assert events.NOBODY_TOOK_PART in told and events.Q_VIEWS in told, told
    draft = await _draft(harness)
    assert draft is not None and draft.answers["views"] == 500 and draft.step == "views"


async def test_the_fields_own_skip_label_typed_skips_it(harness: Harness) -> None:
    """At the summary asking why members left, «Не знаю» (its skip button «🤷 Не знаю»)
    typed leaves the split empty, as the tap does."""
    await join(harness)
    await harness.send(CHAIR, "/report")
    for value in ("54", "40", "12", "8", "3", "2", "1", "3", "5"):
        await harness.send(CHAIR, value)
    [summary] = texts(await harness.send(CHAIR, "🤷 не знаю!"))
    assert membership.Q_LEFT_REASONS not in summary, summary
    draft = await _draft(harness)
    assert draft is not None and draft.step == SUMMARY
    assert "left_reasons" in draft.answers and draft.answers["left_reasons"] is None


async def test_skip_typed_at_photos_taken_keeps_them(harness: Harness) -> None:
    """With photos taken the button reads «🗑 Удалить фото», not «Пропустить»: «пропустить»
    typed there drops nothing."""
    await join(harness)
    await to_photos(harness)
    await harness.feed(harness.server.photo(CHAIR, b"\xff\xd8\xff\xe0photo"))
    await harness.send(CHAIR, "пропустить")
    draft = await _draft(harness)
    assert draft is not None and len(draft.answers["photos"]) == 1, draft.answers


def _commands_in(check: Any) -> Iterator[Command]:
    """The command filters in one filter, also inside «or» and «not»."""
    if isinstance(check, Command):
        yield check
    for inner in (*getattr(check, "targets", ()), getattr(check, "target", None)):
        if inner is not None:
            yield from _commands_in(inner.callback)


def _command_filters(router: Router) -> Iterator[Command]:
    for observer in router.observers.values():
        for handler in observer.handlers:
            for check in handler.filters or ():
                yield from _commands_in(check.callback)
    for sub in router.sub_routers:
        yield from _command_filters(sub)


def test_every_command_filter_ignores_case() -> None:
    """Every command, staff's scoped ones and /start too, is built by ``handlers.filters``:
    a phone's «/Report» is /report."""
    found = [c for router in get_routers() for c in _command_filters(router)]
    assert len(found) > 20, found
    assert [c for c in found if not c.ignore_case] == []


async def test_capitalised_commands_typed_on_a_phone(harness: Harness) -> None:
    """«/Report» opens the form and «/Cancel» closes it, as the small-letter ones do."""
    await join(harness)
    replies = texts(await harness.send(CHAIR, "/Report"))
    assert replies and membership.Q_WORKERS in replies[-1], replies
    await harness.send(CHAIR, "54")
    assert texts(await harness.send(CHAIR, "/Cancel")) == [forms.CANCELLED]
    assert await _draft(harness) is None


async def test_a_capitalised_staff_command_is_the_command(harness: Harness) -> None:
    await setup_district(harness)
    expected = texts(await harness.send(ADMIN, "/status"))
    assert texts(await harness.send(ADMIN, "/Status")) == expected


async def test_a_capitalised_start_keeps_the_invite_code_as_typed(harness: Harness) -> None:
    """The command's case is ignored, never the code's: it is case-sensitive."""
    await setup_district(harness)
    code = code_of((await invite_links(harness))["МБОУ СОШ № 1"])
    assert code != code.lower()
    assert texts(await harness.send(CHAIR, f"/Start {code.lower()}")) == [chair.INVITE_UNKNOWN]
    replies = await harness.send(CHAIR, f"/Start {code}", first_name="Мария")
    asked = last_message(replies)
    assert CONSENT_BUTTON in str(asked.buttons()), texts(replies)
    welcome = texts(await harness.tap(CHAIR, asked, CONSENT_BUTTON))
    assert any("Мария" in text for text in welcome), welcome


async def test_own_command_addressed_to_another_bot_says_so(harness: Harness) -> None:
    """«/report@other_bot» (copied from a group) is told it went to another bot and how to
    send it here, not «не понял»; addressed to this bot, in any case, it is the command."""
    await join(harness)
    replies = texts(await harness.send(CHAIR, "/report@some_other_bot"))
    assert replies == [common.for_another_bot("report", "some_other_bot")], replies
    assert await _draft(harness) is None
    replies = texts(await harness.send(CHAIR, f"/Report@{harness.server.bot_username.upper()}"))
    assert replies and membership.Q_WORKERS in replies[-1], replies


async def test_a_lone_slash_is_not_understood_rather_than_an_error(harness: Harness) -> None:
    """«/» sent alone (a slip on the keyboard) gets «не понял», not «что-то пошло не так»."""
    await join(harness)
    assert texts(await harness.send(CHAIR, "/")) == [common.UNKNOWN_INPUT]


async def test_a_mistyped_command_in_a_form_shows_the_question_again(harness: Harness) -> None:
    """«/reprot» mid-form: «не понял», then the question the form is at, as after any answer
    not taken, rather than a bare «не понял» that leaves the person guessing where they are."""
    await join(harness)
    await harness.send(CHAIR, "/report")
    [reply] = texts(await harness.send(CHAIR, "/reprot"))
    assert reply.startswith(common.UNKNOWN_INPUT) and membership.Q_WORKERS in reply, reply
    draft = await _draft(harness)
    assert draft is not None and draft.step == "workers"


async def test_start_with_a_form_open_brings_the_form_back(harness: Harness) -> None:
    """/start in the middle of the report: the welcome, then the unfinished form where it
    stopped, rather than a welcome that says nothing of the answers already given."""
    await join(harness)
    await harness.send(CHAIR, "/report")
    await harness.send(CHAIR, "54")
    replies = texts(await harness.send(CHAIR, "/start"))
    assert len(replies) == 2, replies
    assert "незаконченная форма" in replies[1] and membership.Q_MEMBERS in replies[1], replies


async def test_a_stranger_typing_cancel_is_told_how_to_begin(harness: Harness) -> None:
    """Nobody joined yet types /cancel (it is in every menu): after «нечего отменять», the
    invite explanation any other message of theirs gets."""
    assert texts(await harness.send(STRANGER, "/cancel")) == [forms.NOTHING_TO_CANCEL_STRANGER]
