"""An answer given before, taken again by one tap (last time's value, a question's old answer,
«как в прошлый раз»), goes through the checks the same answer typed now goes through: its
question's parser and time, not only the rules. One that would be refused now is not offered;
one tapped anyway (a button shown before the day passed) gets the message typing it gets."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.rendering.xlsx import build_table_xlsx
from bot.texts import district_events as t
from bot.texts import events as te
from bot.texts import forms as tf
from bot.texts import passport as tp
from conftest import FakeClock
from harness import ADMIN, Harness, last_message, texts
from scenarios import CHAIR, DISTRICT, HEADERS, join
from storage.models import FormDraft, Organization
from test_district_event_changes import cancel_hint
from test_district_events import STAFF, announce, at, move, setup
from test_events_and_passport import events_in_db, file_event
from test_quick_report import QUICK, figures, latest, reported_last_month

START, ANSWER_DAY = "04.12.2026 10:00", "03.12.2026"


async def _moving(h: Harness) -> list:
    """A district event (04.12.2026 10:00, answers by 03.12.2026) announced, and its move form
    opened from its card: the replies, the start question last."""
    await setup(h)
    await h.tap(STAFF, (await announce(h))[-1], "Отправить")
    return await h.tap(STAFF, await cancel_hint(h), t.BTN_MOVE_EVENT)


async def test_moving_only_the_place_keeps_the_start_and_answer_day_by_one_tap(
    harness: Harness,
) -> None:
    """Each question of the move offers the current value as one tap; a start and a day are
    taken as typed («04.12.2026 10:00»), where the stored «2026-12-04T10:00» was refused as no
    date."""
    h = harness
    starts = await _moving(h)
    place = await h.tap(STAFF, starts[-1], tf.btn_previous(START))
    assert t.Q_PLACE in texts(place)[-1], texts(place)
    answer_by = await h.send(STAFF, "Актовый зал школы № 1")
    summary = texts(await h.tap(STAFF, answer_by[-1], tf.btn_previous(ANSWER_DAY)))[-1]
    assert "Перенос мероприятия" in summary, summary
    assert START in summary and ANSWER_DAY in summary and "Актовый зал" in summary, summary


async def test_an_answer_day_passed_since_is_refused_as_if_typed(
    harness: Harness, clock: FakeClock
) -> None:
    """The answer day's button was shown on 21.11; tapped on 04.12 at 09:00 (the event at
    10:00 still ahead), the day has passed: refused as typing «03.12.2026» is, the question
    asked again without that button; a day typed now is taken."""
    h = harness
    await _moving(h)
    place = await h.send(STAFF, START)
    answer_by = last_message(await h.tap(STAFF, place[-1], "Дом профсоюзов"))
    assert tf.btn_previous(ANSWER_DAY) in str(answer_by.buttons())
    move(clock, at(4, 12, 6))
    refused = last_message(await h.tap(STAFF, answer_by, tf.btn_previous(ANSWER_DAY)))
    shown = refused.plain_text or ""
    assert shown.startswith(f"❗ {tf.DEADLINE_PAST}") and t.Q_ANSWER_BY in shown, shown
    assert "как в прошлый раз" not in str(refused.buttons()), refused.buttons()
    typed = texts(await h.send(STAFF, ANSWER_DAY))[-1]
    assert typed.startswith(f"❗ {tf.DEADLINE_PAST}"), typed
    summary = texts(await h.send(STAFF, "04.12.2026"))[-1]
    assert "Перенос мероприятия" in summary and "04.12.2026" in summary, summary


async def test_a_move_resumed_after_a_restart_past_its_answer_day_asks_it_again(
    harness: Harness, clock: FakeClock
) -> None:
    """The move left at its summary; after a restart, on 04.12 at 09:00, «Отправить» asks the
    answer day again, saying it has passed, and does not offer the passed day as one tap."""
    h = harness
    await _moving(h)
    await h.send(STAFF, START)
    await h.send(STAFF, "Актовый зал школы № 1")
    summary = last_message(await h.send(STAFF, ANSWER_DAY))
    h.restart()
    move(clock, at(4, 12, 6))
    asked = last_message(await h.tap(STAFF, summary, "Отправить"))
    shown = asked.plain_text or ""
    assert shown.startswith(tf.DEADLINE_PAST) and t.Q_ANSWER_BY in shown, shown
    assert "как в прошлый раз" not in str(asked.buttons()), asked.buttons()
    done = texts(await h.tap(STAFF, last_message(await h.send(STAFF, "04.12.2026")), "Отправить"))
    assert "перенесено" in done[-1], done


async def test_zero_workers_from_the_list_is_not_last_times_answer(harness: Harness) -> None:
    """The district's new list says the school has 0 workers, which no typed answer may be:
    neither «↩️ 0 (как в прошлый раз)» nor «как в прошлый раз» for the block is offered at
    «Работников» (the block copied 0 unchecked); typed, the block is offered at the next
    question and the report stores the typed figure."""
    await reported_last_month(harness, ["54", "40", *["Пропустить"] * 2, "0", "0", "Пропустить"])
    rows = [(DISTRICT, "МБОУ СОШ № 1", 0, "Иванова Мария Петровна")]
    sheet = build_table_xlsx("ППО", HEADERS, rows)
    await harness.upload(ADMIN, sheet, "list.xlsx", caption="/import")
    async with harness.session_pool() as session:
        school = await session.scalar(select(Organization).filter_by(name="МБОУ СОШ № 1"))
    assert school is not None and school.workers == 0
    workers = last_message(await harness.send(CHAIR, "/report"))
    labels = [label for label, _ in workers.buttons()]
    assert not any("прошлый раз" in label for label in labels), labels
    members = last_message(await harness.send(CHAIR, "54"))
    await harness.tap(CHAIR, members, QUICK)
    await harness.send(CHAIR, "0")
    summary = last_message(await harness.send(CHAIR, "0"))
    text = summary.plain_text or ""
    assert "Работников: 54" in text and "Членов профсоюза: 40" in text, text
    await harness.tap(CHAIR, summary, "Отправить")
    assert figures(await latest(harness))[:2] == (54, 40)


async def test_zero_workers_from_the_list_is_asked_when_the_passport_opens(
    harness: Harness,
) -> None:
    """A filled passport, then the district's new list saying the school has 0 workers (not
    known), which no typed answer may be: the passport opened to change it asks «Работников»
    first, saying why, instead of showing a summary whose «Отправить» then refused it; the
    other answers are kept, and the figure typed is stored."""
    await join(harness)
    card = last_message(await harness.send(CHAIR, "/passport"))
    question = last_message(await harness.tap(CHAIR, card, "Заполнить"))
    for answer in ("МБОУ СОШ № 1", "Пропустить", "Иванова Мария Петровна", "Пропустить", "54"):
        question = last_message(await harness.send(CHAIR, answer))
    while "Пропустить" in str(question.buttons()):
        question = last_message(await harness.tap(CHAIR, question, "Пропустить"))
    assert "Паспорт сохранён" in texts(await harness.tap(CHAIR, question, "Отправить"))[0]
    rows = [(DISTRICT, "МБОУ СОШ № 1", 0, "Иванова Мария Петровна")]
    await harness.upload(ADMIN, build_table_xlsx("ППО", HEADERS, rows), "list.xlsx", "/import")
    card = last_message(await harness.send(CHAIR, "/passport"))
    asked = last_message(await harness.tap(CHAIR, card, "Заполнить")).plain_text or ""
    assert tp.Q_WORKERS in asked, asked
    assert asked.startswith(tf.stored_not_taken(tp.L_WORKERS, tf.too_small(1))), asked
    summary = last_message(await harness.send(CHAIR, "60"))
    shown = summary.plain_text or ""
    assert "МБОУ СОШ № 1" in shown and "Работников: 60" in shown, shown
    assert "Паспорт сохранён" in texts(await harness.tap(CHAIR, summary, "Отправить"))[0]
    async with harness.session_pool() as session:
        school = await session.scalar(select(Organization).filter_by(name="МБОУ СОШ № 1"))
    assert school is not None and school.workers == 60


async def test_an_old_agreement_end_tapped_after_it_passed_is_taken_as_typed(
    harness: Harness, clock: FakeClock
) -> None:
    """The passport's agreement end is asked again (the agreement said «Нет», then «Да»); the
    old 31.12.2026, tapped in January, is what typing it then gives: taken (the passport asks
    no date to come: an agreement may have run out), and the summary warns and asks
    «Подтверждаю», as for the typed date."""
    await join(harness)
    card = last_message(await harness.send(CHAIR, "/passport"))
    question = last_message(await harness.tap(CHAIR, card, "Заполнить"))
    for answer in (
        "МБОУ СОШ № 1",
        "Пропустить",
        "Иванова Мария Петровна",
        "Пропустить",
        "54",
        "да",
        "31.12.2026",
    ):
        question = last_message(await harness.send(CHAIR, answer))
    while "Пропустить" in str(question.buttons()):
        question = last_message(await harness.tap(CHAIR, question, "Пропустить"))
    for agreement in ("Нет", "Да"):
        menu = last_message(await harness.tap(CHAIR, question, tf.BTN_EDIT))
        question = last_message(await harness.tap(CHAIR, menu, tp.L_AGREEMENT))
        question = last_message(await harness.tap(CHAIR, question, agreement))
    assert tp.Q_AGREEMENT_UNTIL in (question.plain_text or ""), question.plain_text
    clock.moment = clock.moment.replace(year=2027, month=1, day=12)
    tapped = last_message(await harness.tap(CHAIR, question, tf.btn_earlier("31.12.2026")))
    warned = tp.agreement_expired("31.12.2026")
    assert warned in (tapped.plain_text or "") and "Подтверждаю" in str(tapped.buttons())
    menu = last_message(await harness.tap(CHAIR, tapped, tf.BTN_EDIT))
    await harness.tap(CHAIR, menu, tp.L_AGREEMENT_UNTIL)
    typed = last_message(await harness.send(CHAIR, "31.12.2026"))
    assert warned in (typed.plain_text or ""), typed.plain_text


@pytest.mark.parametrize(
    ("name", "kept", "why", "label", "question", "answer"),
    [
        ("direction", "sport", tf.CHOOSE_BUTTON, te.L_DIRECTION, te.Q_DIRECTION, "Обучение"),
        ("participants", 250_000, tf.too_big(100_000), te.L_PARTICIPANTS, te.Q_PARTICIPANTS, "114"),
    ],
    ids=["a button dropped", "a bound lowered"],
)
async def test_a_kept_answer_its_question_refuses_now_is_asked_again_at_send(
    harness: Harness, name: str, kept: Any, why: str, label: str, question: str, answer: str
) -> None:
    """An event's draft kept across a release that dropped the direction it holds («sport»)
    or lowered the bound its 250 000 participants were under: «Отправить» stores nothing,
    says which answer is not taken now and why, asks that question again, and keeps the rest;
    answered, the summary comes back and the event is stored."""
    await join(harness)
    summary = last_message(await file_event(harness))
    async with harness.session_pool() as session:
        draft = (await session.scalars(select(FormDraft))).one()
        draft.answers = {**draft.answers, name: kept}
        await session.commit()
    harness.restart()
    asked = (last_message(await harness.tap(CHAIR, summary, "Отправить")).plain_text) or ""
    assert asked.startswith(tf.no_longer_taken(label, why)) and question in asked, asked
    assert await events_in_db(harness) == []
    summary = last_message(await harness.send(CHAIR, answer))
    shown = summary.plain_text or ""
    assert "Мотивация профсоюзного членства" in shown and "Актовый зал школы № 1" in shown, shown
    await harness.tap(CHAIR, summary, "Отправить")
    stored = await events_in_db(harness)
    assert [(e.topic, e.participants, e.direction) for e in stored] == [
        ("Мотивация профсоюзного членства", 114, "education")
    ]
