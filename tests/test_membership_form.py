"""A chair files membership monitoring through the Dispatcher: validation, back, skip, edit,
soft checks, double tap, resume after a restart, history."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.texts import forms
from conftest import FakeClock
from harness import Harness, last_message, texts
from scenarios import CHAIR, FULL, accept_invite, answer_all, code_of, invite_links, join
from storage.models import FormDraft, MembershipReport


async def report_count(h: Harness) -> int:
    async with h.session_pool() as session:
        return int(await session.scalar(select(func.count()).select_from(MembershipReport)) or 0)


async def test_full_report_summary_and_double_tap(harness: Harness) -> None:
    await join(harness)
    replies = await answer_all(harness, FULL)
    summary = last_message(replies)
    text = summary.plain_text or ""
    assert "Охват профчленством: 74,1 %" in text
    assert "Охват молодёжи до 35 лет: 66,7 %" in text
    assert "первый" in text
    first = await harness.tap(CHAIR, summary, "Отправить")
    assert "Отчёт сохранён" in texts(first)[0]
    second = await harness.tap(CHAIR, summary, "Отправить")
    assert not any("сохранён" in t for t in texts(second))
    answered = [r for r in second if r.method == "answerCallbackQuery"]
    assert answered and answered[0].params.get("text") == forms.FORM_CLOSED
    assert await report_count(harness) == 1


async def test_an_old_summary_sends_nothing_it_did_not_show(
    harness: Harness, clock: FakeClock
) -> None:
    """A summary before a field was changed keeps its «Отправить»: tapped, it saves nothing,
    says so and shows the current summary, whose warning must be confirmed."""
    await join(harness)
    clock.advance(days=-40)
    await harness.tap(CHAIR, last_message(await answer_all(harness, FULL)), "Отправить")
    clock.advance(days=40)
    first = last_message(
        await answer_all(harness, ["54", "40", "12", "8", "3", "2", "0", "0", "5"])
    )
    assert "Подтверждаю" not in "".join(label for label, _ in first.buttons())
    menu = last_message(await harness.tap(CHAIR, first, "Исправить"))
    await harness.tap(CHAIR, menu, "Членов профсоюза")
    changed = last_message(await harness.send(CHAIR, "20"))
    assert any("Подтверждаю" in label for label, _ in changed.buttons())

    replies = await harness.tap(CHAIR, first, "Отправить")
    assert texts(replies)[0].startswith(forms.SUMMARY_CHANGED)
    assert "Членов профсоюза: 20" in texts(replies)[0]
    assert await report_count(harness) == 1
    saved = texts(await harness.tap(CHAIR, last_message(replies), "Подтверждаю"))
    assert "Отчёт сохранён" in saved[0]
    async with harness.session_pool() as session:
        latest = await session.scalars(
            select(MembershipReport.members).order_by(MembershipReport.id)
        )
        assert latest.all() == [40, 20]


async def test_send_after_cancel_does_not_claim_it_was_saved(harness: Harness) -> None:
    await join(harness)
    summary = last_message(await answer_all(harness, FULL))
    assert texts(await harness.send(CHAIR, "/cancel")) == [forms.CANCELLED]
    replies = await harness.tap(CHAIR, summary, "Отправить")
    [answer] = [r for r in replies if r.method == "answerCallbackQuery"]
    assert answer.params.get("text") == forms.FORM_CLOSED
    assert await report_count(harness) == 0


async def test_bad_answer_gets_reason_and_same_question(harness: Harness) -> None:
    await join(harness)
    await harness.send(CHAIR, "/report")
    await harness.send(CHAIR, "54")
    reply = last_message(await harness.send(CHAIR, "60")).plain_text or ""
    assert "не может быть больше, чем работников (54)" in reply
    assert "Сколько из них членов профсоюза" in reply
    reply = last_message(await harness.send(CHAIR, "сорок")).plain_text or ""
    assert "целое число" in reply and "членов профсоюза" in reply
    reply = last_message(await harness.send(CHAIR, "40")).plain_text or ""
    assert "до 35 лет" in reply


async def test_back_skip_and_edit_from_summary(harness: Harness) -> None:
    await join(harness)
    await harness.send(CHAIR, "/report")
    await harness.send(CHAIR, "54")
    question = last_message(await harness.send(CHAIR, "40"))
    back = last_message(await harness.tap(CHAIR, question, "Назад"))
    assert "членов профсоюза (чел.)" in (back.plain_text or "")
    await harness.send(CHAIR, "41")
    youth = last_message(harness.server.requests)
    managers = last_message(await harness.tap(CHAIR, youth, "Пропустить"))
    assert "руководителей" in (managers.plain_text or "")
    replies = []
    for _ in range(4):  # managers (which hides its follow-up), joined, left, retired
        replies = await harness.tap(CHAIR, last_message(harness.server.requests), "Пропустить")
    summary = last_message(replies)
    assert "Работников до 35 лет: —" in (summary.plain_text or "")
    assert "Членов профсоюза до 35 лет" not in (summary.plain_text or "")

    menu = last_message(await harness.tap(CHAIR, summary, "Исправить"))
    field = last_message(await harness.tap(CHAIR, menu, "Членов профсоюза"))
    assert "членов профсоюза" in (field.plain_text or "")
    summary = last_message(await harness.send(CHAIR, "50"))
    assert "Членов профсоюза: 50" in (summary.plain_text or "")
    assert "92,6 %" in (summary.plain_text or "")
    await harness.tap(CHAIR, summary, "Отправить")
    async with harness.session_pool() as session:
        report = (await session.scalars(select(MembershipReport))).one()
    assert (report.workers, report.members, report.youth_workers) == (54, 50, None)


async def test_previous_value_one_tap_and_soft_check(harness: Harness) -> None:
    await join(harness)
    harness.clock.advance(days=-40)  # type: ignore[attr-defined]
    summary = last_message(await answer_all(harness, FULL))
    await harness.tap(CHAIR, summary, "Отправить")
    harness.clock.advance(days=40)  # type: ignore[attr-defined]

    question = last_message(await harness.send(CHAIR, "/report"))
    assert "54 (как в прошлый раз)" in str(question.buttons())
    members_q = last_message(await harness.tap(CHAIR, question, "как в прошлый раз"))
    assert "40 (как в прошлый раз)" in str(members_q.buttons())
    replies = await harness.send(CHAIR, "30")
    for value in ["12", "8", "3", "2", "1", "0", "5"]:
        replies = await harness.send(CHAIR, value)
    summary = last_message(replies)
    text = summary.plain_text or ""
    assert "больше чем на 10 %" in text
    assert "Не сходится: было 40 + принято − выбыло = 41, а указано 30" in text
    assert "−18,5 п.п." in text and "октябрь 2026" in text
    assert any("Подтверждаю" in label for label, _ in summary.buttons())
    await harness.tap(CHAIR, summary, "Подтверждаю")
    assert await report_count(harness) == 2


async def test_second_report_in_same_period_is_a_revision(harness: Harness) -> None:
    await join(harness)
    await harness.tap(CHAIR, last_message(await answer_all(harness, FULL)), "Отправить")
    summary = last_message(await answer_all(harness, FULL))
    assert "редакция № 2" in (summary.plain_text or "")
    await harness.tap(CHAIR, summary, "Отправить")
    history = texts(await harness.send(CHAIR, "/history"))[0]
    assert "ноябрь 2026" in history and "редакций: 2" in history


async def test_resume_after_restart_at_same_question(harness: Harness) -> None:
    await join(harness)
    await harness.send(CHAIR, "/report")
    await harness.send(CHAIR, "54")
    harness.restart()
    resumed = last_message(await harness.send(CHAIR, "/report")).plain_text or ""
    assert "незаконченная форма" in resumed and "членов профсоюза" in resumed
    reply = last_message(await harness.send(CHAIR, "40")).plain_text or ""
    assert "до 35 лет" in reply
    async with harness.session_pool() as session:
        draft = (await session.scalars(select(FormDraft))).one()
    assert draft.answers == {"workers": 54, "members": 40}


async def test_cancel_drops_the_draft(harness: Harness) -> None:
    await join(harness)
    question = last_message(await harness.send(CHAIR, "/report"))
    assert "отменено" in texts(await harness.tap(CHAIR, question, "Отмена"))[0]
    assert "нечего отменять" in texts(await harness.send(CHAIR, "/cancel"))[0]


async def test_button_from_an_old_question_is_stale(harness: Harness) -> None:
    await join(harness)
    await harness.send(CHAIR, "/report")
    members_question = last_message(await harness.send(CHAIR, "54"))
    await harness.send(CHAIR, "40")
    replies = await harness.tap(CHAIR, members_question, "Назад")
    answered = [r for r in replies if r.method == "answerCallbackQuery"]
    assert "устарела" in str(answered[0].params.get("text"))
    async with harness.session_pool() as session:
        assert (await session.scalars(select(FormDraft))).one().step == "youth_workers"


async def test_someone_else_cannot_press_a_chairs_buttons(harness: Harness) -> None:
    await join(harness)
    summary = last_message(await answer_all(harness, FULL))
    confirm = dict(summary.buttons())
    data = next(v for k, v in confirm.items() if "Отправить" in k)
    replies = await harness.feed(harness.server.callback(777, data or ""))
    assert not any("сохранён" in t for t in texts(replies))
    assert await report_count(harness) == 0


async def test_chair_of_two_ppo_chooses(harness: Harness) -> None:
    await join(harness)
    link = (await invite_links(harness))["МБДОУ детский сад «Солнышко»"]
    await accept_invite(harness, CHAIR, code_of(link))
    choice = last_message(await harness.send(CHAIR, "/report"))
    assert "нескольких ППО" in (choice.plain_text or "")
    question = last_message(await harness.tap(CHAIR, choice, "Солнышко"))
    assert "Сколько работников" in (question.plain_text or "")
    async with harness.session_pool() as session:
        draft = (await session.scalars(select(FormDraft))).one()
    assert draft.context["org_name"] == "МБДОУ детский сад «Солнышко»"


async def test_a_chair_of_two_ppo_is_told_whose_form_is_unfinished(harness: Harness) -> None:
    await join(harness)
    link = (await invite_links(harness))["МБДОУ детский сад «Солнышко»"]
    await accept_invite(harness, CHAIR, code_of(link))
    choice = last_message(await harness.send(CHAIR, "/report"))
    await harness.tap(CHAIR, choice, "СОШ")
    await harness.send(CHAIR, "54")
    resumed = texts(await harness.tap(CHAIR, choice, "Солнышко"))[0]
    assert "незаконченная форма «Мониторинг профсоюзного членства» для «МБОУ СОШ № 1»" in resumed
    assert "Форму для «МБДОУ детский сад «Солнышко»» можно будет открыть" in resumed
    again = texts(await harness.send(CHAIR, "/report"))[0]
    assert "незаконченная форма «Мониторинг профсоюзного членства» (МБОУ СОШ № 1)" in again


async def test_photo_instead_of_number_is_explained(harness: Harness) -> None:
    await join(harness)
    await harness.send(CHAIR, "/report")
    replies = await harness.feed(harness.server.photo(CHAIR, b"\xff\xd8\xff\xe0fakejpeg"))
    assert "ответьте текстом" in (last_message(replies).plain_text or "")


async def test_a_number_typed_at_a_summary_that_asks_nothing_is_explained(
    harness: Harness,
) -> None:
    await join(harness)
    await answer_all(harness, ["54", "40", "12", "8", "3", "2", "0", "0", "5"])
    [reply] = texts(await harness.send(CHAIR, "41"))
    assert reply.startswith(forms.SUMMARY_TYPED) and "Членов профсоюза: 40" in reply
    assert await report_count(harness) == 0


async def test_an_edited_answer_is_said_not_to_count(harness: Harness) -> None:
    """Telegram delivers an edit as a new update (the bot asks for them): the form keeps the
    first version and says how to change it, rather than ignore the edit in silence."""
    await join(harness)
    await harness.send(CHAIR, "/report")
    sent = harness.server.message(CHAIR, "54")
    await harness.feed(sent)
    original = harness.server.get_update(sent)["message"]
    edited = harness.server.add_update(
        {"edited_message": {**original, "text": "45", "edit_date": original["date"] + 5}}
    )
    [reply] = texts(await harness.feed(edited))
    assert reply.startswith(forms.EDIT_NOT_TAKEN) and "членов профсоюза" in reply
    async with harness.session_pool() as session:
        assert (await session.scalars(select(FormDraft))).one().answers == {"workers": 54}
    assert "edited_message" in harness.dp.resolve_used_update_types()
