"""A plan item due in stages («март, июнь 2027», as seed 002 item 2 writes the monitoring's
reports): the listing shows the nearest stage owed, each stage is reminded of and escalated
once through the outbox, and each chair marks the stages done in order."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import openpyxl

from bot.rendering.xlsx import build_table_xlsx
from bot.texts import plan_marks as tpm
from bot.texts import plans as tp
from bot.wiring.scheduler import Background, calendar_tick
from handlers.callbacks import PlanDone, PlanStageDone
from harness import Harness, background, texts
from test_plans import (
    CHAIR,
    CHAIR2,
    GARDEN,
    HEADERS,
    SCHOOL,
    STAFF,
    item_ids,
    plan_rows,
    sent_to,
    setup,
)

ROWS = [("1", "Мониторинг профсоюзного членства", "март, июнь 2027", "все ППО")]


async def mark_done(h: Harness, chat: int, reminder: object) -> str:
    await h.tap(chat, reminder, tpm.DONE_BUTTON)
    summary = await h.send(chat, "Сведения сданы")
    return texts(await h.tap(chat, summary[-1], "Отправить"))[-1]


async def tick_at(h: Harness, bg: Background, moment: datetime) -> int:
    """One calendar tick at ``moment`` with what it queued sent; the server's mark before the
    sending, for ``sent_to``."""
    h.clock.moment = moment
    await calendar_tick(bg)
    mark = h.server.mark()
    await bg.deliverer.drain()
    return mark


async def test_each_stage_is_reminded_escalated_and_done_in_turn(harness: Harness) -> None:
    h = harness
    ids = await setup(h)
    h.clock.moment = datetime(2027, 3, 1, 7, 30, tzinfo=UTC)
    await h.upload(STAFF, build_table_xlsx("План", HEADERS, ROWS), "plan.xlsx", caption="/plan")
    item = (await item_ids(h))["1"]
    progress = "\n".join(texts(await h.send(STAFF, "/plan")))
    assert "— ближайший срок: до 31.03.2027 (1-й из 2 сроков), все ППО" in progress
    assert "выполнили 0 из 2" in progress

    # A week before the March stage: each chair, once.
    bg = background(h)
    h.clock.moment = datetime(2027, 3, 24, 7, 30, tzinfo=UTC)  # Wednesday, 10:30 in Moscow
    await calendar_tick(bg)
    await calendar_tick(bg)
    assert sorted(await plan_rows(h)) == [
        f"plan-remind:{item}:{ids[unit]}:2027-03-31:before7:{chat}"
        for unit, chat in sorted([(GARDEN, CHAIR2), (SCHOOL, CHAIR)], key=lambda u: ids[u[0]])
    ]
    mark = h.server.mark()
    await bg.deliverer.drain()
    [reminder] = sent_to(h, CHAIR, mark, "пункт 1. Мониторинг")
    assert "Срок — 31.03.2027 (через 7 дней, 1-й из 2 сроков)" in reminder.plain_text
    done = await mark_done(h, CHAIR, reminder)
    assert "срок 31.03.2027 отмечен выполненным. Следующий срок — 30.06.2027" in done
    progress = "\n".join(texts(await h.send(STAFF, "/plan")))
    assert "выполнили 1 из 2: нет — Детский сад № 2" in progress

    # The day after the March stage: the staff hear of the garden only.
    h.clock.moment = datetime(2027, 4, 1, 7, 30, tzinfo=UTC)
    await calendar_tick(bg)
    assert f"plan-late:{item}:2027-03-31:{STAFF}" in await plan_rows(h)
    mark = h.server.mark()
    await bg.deliverer.drain()
    [late] = sent_to(h, STAFF, mark, "Просрочен пункт плана 1.")
    assert "Срок был 31.03.2027 (1-й из 2 сроков)" in late.plain_text
    assert GARDEN in late.plain_text and SCHOOL not in late.plain_text
    progress = "\n".join(texts(await h.send(STAFF, "/plan")))
    assert "⏰ 1. Мониторинг профсоюзного членства — ближайший срок: до 31.03.2027" in progress

    # A week before the June stage: the school for June; the garden told March is unmarked,
    # and its button marks June, the stage reminded of: March stays missed.
    mark = await tick_at(h, bg, datetime(2027, 6, 23, 7, 30, tzinfo=UTC))
    [june] = sent_to(h, CHAIR, mark, "пункт 1. Мониторинг")
    assert "Срок — 30.06.2027 (через 7 дней, 2-й из 2 сроков)" in june.plain_text
    [garden] = sent_to(h, CHAIR2, mark, "пункт 1. Мониторинг")
    assert "Срок 31.03.2027 ещё не отмечен" in garden.plain_text
    assert "Это был последний срок: пункт выполнен" in await mark_done(h, CHAIR, june)
    again = await h.feed(h.server.callback(CHAIR, PlanDone(item_id=item, unit=ids[SCHOOL]).pack()))
    answer = next(r for r in again if r.method == "answerCallbackQuery")
    assert answer.params.get("text") == tpm.ALREADY_DONE
    assert (
        "срок 30.06.2027 отмечен выполненным. Срок 31.03.2027 по-прежнему не отмечен"
        in await mark_done(h, CHAIR2, garden)
    )
    progress = "\n".join(texts(await h.send(STAFF, "/plan")))
    assert "⏰ 1. Мониторинг профсоюзного членства — ближайший срок: до 31.03.2027" in progress
    assert "выполнили 1 из 2: нет — Детский сад № 2" in progress
    again = await h.feed(h.server.callback(CHAIR2, garden.find_button(tpm.DONE_BUTTON)))
    assert next(r for r in again if r.method == "answerCallbackQuery").params.get("text") == (
        tpm.stage_already_done(date(2027, 6, 30))
    )

    # A button from before stages rode with it marks the earliest stage not marked: March.
    old = PlanDone(item_id=item, unit=ids[GARDEN]).pack()
    assert "срок 31.03.2027 отмечен выполненным с опозданием. Все сроки отмечены" in (
        await done_by_button(h, CHAIR2, old)
    )
    progress = "\n".join(texts(await h.send(STAFF, "/plan")))
    assert "✅ 1. Мониторинг профсоюзного членства — последний срок: до 30.06.2027" in progress

    # A stage a changed deadline took off the item: its button says so and marks nothing.
    await h.send(STAFF, f"/planedit {item} срок март, декабрь 2027")
    gone = await h.feed(h.server.callback(CHAIR, june.find_button(tpm.DONE_BUTTON)))
    assert next(r for r in gone if r.method == "answerCallbackQuery").params.get("text") == (
        tpm.stage_gone(date(2027, 6, 30), (date(2027, 3, 31), date(2027, 12, 31)))
    )


async def test_the_half_year_review_counts_the_stages_its_xlsx_shows(harness: Harness) -> None:
    """Items are counted by their state (done only with the last stage), so the message adds
    the stages done, the sum of the .xlsx's «Сроков выполнено»: 2 of 4, not «выполнено: 0»
    alone beside a sheet showing «2 из 2»."""
    h = harness
    await setup(h)
    h.clock.moment = datetime(2027, 3, 1, 7, 30, tzinfo=UTC)
    await h.upload(STAFF, build_table_xlsx("План", HEADERS, ROWS), "plan.xlsx", caption="/plan")
    bg = background(h)
    for moment in (
        datetime(2027, 3, 24, 7, 30, tzinfo=UTC),
        datetime(2027, 6, 23, 7, 30, tzinfo=UTC),
    ):
        h.clock.moment = moment
        await calendar_tick(bg)
        mark = h.server.mark()
        await bg.deliverer.drain()
        [reminder] = sent_to(h, CHAIR, mark, "пункт 1. Мониторинг")
        await mark_done(h, CHAIR, reminder)

    mark = await tick_at(h, bg, datetime(2027, 7, 1, 7, 30, tzinfo=UTC))  # Thursday
    [review] = sent_to(h, STAFF, mark, "Полугодовое рассмотрение плана мероприятий")
    assert "Пунктов: 1 · выполнено: 0 · просрочено: 1 · впереди: 0" in review.plain_text
    assert "Сроков выполнено по пунктам с несколькими сроками: 2 из 4" in review.plain_text
    _, data = h.server.sent_files(STAFF)[-1]
    rows = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert {row[5]: row[9] for row in rows[1:]} == {SCHOOL: "2 из 2", GARDEN: "0 из 2"}


async def done_by_button(h: Harness, chat: int, button: str) -> str:
    """«Выполнено» pressed (``button``: its packed data), a note given, the mark sent."""
    await h.feed(h.server.callback(chat, button))
    summary = await h.send(chat, "Сведения сданы")
    return texts(await h.tap(chat, summary[-1], "Отправить"))[-1]


async def test_a_changed_deadline_keeps_each_mark_with_its_own_stage(harness: Harness) -> None:
    """March marked, the stages changed to June and December: the March mark is not June's;
    the staff member is told it no longer counts, and it counts again when March comes back.
    An item with one deadline keeps its mark when that deadline is moved."""
    h = harness
    ids = await setup(h)
    h.clock.moment = datetime(2027, 3, 1, 7, 30, tzinfo=UTC)
    rows = [*ROWS, ("2", "Семинар председателей", "31.03.2027", "все ППО")]
    await h.upload(STAFF, build_table_xlsx("План", HEADERS, rows), "plan.xlsx", caption="/plan")
    items = await item_ids(h)
    for number in ("1", "2"):
        button = PlanDone(item_id=items[number], unit=ids[SCHOOL]).pack()
        assert "отмечен выполненным" in await done_by_button(h, CHAIR, button)

    [changed] = texts(await h.send(STAFF, f"/planedit {items['1']} срок июнь, декабрь 2027"))
    assert "срок — теперь 30.06.2027, 31.12.2027" in changed
    assert "1 отметка о выполнении — за сроки, которых у пункта больше нет (31.03.2027)" in changed
    assert "теперь не учитывается" in changed
    progress = "\n".join(texts(await h.send(STAFF, "/plan")))
    assert "ближайший срок: до 30.06.2027 (1-й из 2 сроков), все ППО" in progress
    assert "выполнили 0 из 2" in progress
    # The school's «Выполнено» now settles June, the stage it has not marked.
    button = PlanDone(item_id=items["1"], unit=ids[SCHOOL]).pack()
    assert "срок 30.06.2027 отмечен выполненным" in await done_by_button(h, CHAIR, button)

    [back] = texts(await h.send(STAFF, f"/planedit {items['1']} срок март, июнь 2027"))
    assert "отметк" not in back
    progress = "\n".join(texts(await h.send(STAFF, "/plan")))
    assert "Сроков выполнено по пунктам с несколькими сроками: 2 из 4" in progress  # both back
    assert (
        f"ближайший срок: до 31.03.2027 (1-й из 2 сроков), все ППО [#{items['1']}]\n"
        "   выполнили 1 из 2: нет — Детский сад № 2"
    ) in progress

    [moved] = texts(await h.send(STAFF, f"/planedit {items['2']} срок 15.04.2027"))
    assert "отметк" not in moved
    progress = "\n".join(texts(await h.send(STAFF, "/plan")))
    assert "2. Семинар председателей — до 15.04.2027, все ППО" in progress
    assert "выполнили 1 из 2: нет — Детский сад № 2" in progress


async def test_a_missed_stage_is_marked_late_from_the_next_reminder(harness: Harness) -> None:
    """The garden never marked March (its March reminder's button may be long lost): the June
    reminder carries a second button for March, which marks March, late, and leaves June open;
    the review shows the late stage, and an item with one deadline marked late as such."""
    h = harness
    ids = await setup(h)
    h.clock.moment = datetime(2027, 3, 1, 7, 30, tzinfo=UTC)
    rows = [*ROWS, ("2", "Семинар председателей", "31.03.2027", "все ППО")]
    await h.upload(STAFF, build_table_xlsx("План", HEADERS, rows), "plan.xlsx", caption="/plan")
    items = await item_ids(h)

    bg = background(h)
    mark = await tick_at(h, bg, datetime(2027, 6, 23, 7, 30, tzinfo=UTC))
    [june] = sent_to(h, CHAIR2, mark, "пункт 1. Мониторинг")
    assert "Срок 31.03.2027 ещё не отмечен выполненным: если он выполнен, нажмите " in (
        june.plain_text
    )
    assert [label for label, _ in june.buttons()] == [tpm.DONE_BUTTON, "✅ Выполнено: срок 31.03"]
    await h.tap(CHAIR2, june, tpm.missed_button(date(2027, 3, 31)))
    summary = await h.send(CHAIR2, "Сведения сданы")
    assert "Срок 31.03.2027, 1-й из 2 сроков" in summary[-1].plain_text
    done = texts(await h.tap(CHAIR2, summary[-1], "Отправить"))[-1]
    assert "срок 31.03.2027 отмечен выполненным с опозданием. Следующий срок — 30.06.2027" in done
    again = await h.feed(h.server.callback(CHAIR2, june.find_button("срок 31.03")))
    assert next(r for r in again if r.method == "answerCallbackQuery").params.get("text") == (
        tpm.stage_already_done(date(2027, 3, 31))
    )
    seminar = PlanDone(item_id=items["2"], unit=ids[GARDEN]).pack()
    assert "отмечен выполненным" in await done_by_button(h, CHAIR2, seminar)

    h.clock.moment = datetime(2027, 7, 1, 7, 30, tzinfo=UTC)  # Thursday
    await calendar_tick(bg)
    await bg.deliverer.drain()
    _, data = h.server.sent_files(STAFF)[-1]
    sheet = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    garden = {row[1]: row for row in sheet[1:] if row[5] == GARDEN}
    assert garden["1"][3] == datetime(2027, 6, 30)  # June is still owed
    assert garden["1"][6] == tp.STATE_OVERDUE
    assert garden["1"][9] == "1 из 2 (31.03.2027 — с опозданием)"
    assert garden["2"][6] == tp.STATE_DONE_LATE


async def test_after_downtime_the_latest_stage_escalation_names_earlier_ones(
    harness: Harness,
) -> None:
    """No tick from March to July: only June is escalated, and its one message names March
    unmarked too, even for the school that did mark June."""
    h = harness
    ids = await setup(h)
    h.clock.moment = datetime(2027, 3, 1, 7, 30, tzinfo=UTC)
    await h.upload(STAFF, build_table_xlsx("План", HEADERS, ROWS), "plan.xlsx", caption="/plan")
    item = (await item_ids(h))["1"]
    june = PlanStageDone(item_id=item, unit=ids[SCHOOL], due=date(2027, 6, 30)).pack()
    h.clock.moment = datetime(2027, 6, 20, 7, 30, tzinfo=UTC)
    assert "срок 30.06.2027 отмечен выполненным" in await done_by_button(h, CHAIR, june)

    bg = background(h)
    h.clock.moment = datetime(2027, 7, 1, 7, 30, tzinfo=UTC)
    await calendar_tick(bg)
    late_keys = [key for key in await plan_rows(h) if key.startswith("plan-late:")]
    assert late_keys == [f"plan-late:{item}:2027-06-30:{STAFF}"]
    mark = h.server.mark()
    await bg.deliverer.drain()
    [late] = sent_to(h, STAFF, mark, "Просрочен пункт плана 1.")
    assert "Срок был 30.06.2027 (2-й из 2 сроков)" in late.plain_text
    assert f"• {GARDEN} — Ольга (не отмечен и срок 31.03.2027)" in late.plain_text
    assert f"• {SCHOOL} — Мария (этот срок отмечен, не отмечен срок 31.03.2027)" in late.plain_text


async def test_a_button_of_a_stage_gone_from_a_monthly_item_is_answered_in_one_alert(
    harness: Harness,
) -> None:
    """Its item now due every month: the alert lists the first new stages and counts the rest.
    The whole list ran past Telegram's 200 characters: the answer was refused, and the chair
    saw the spinner and nothing else."""
    h = harness
    ids = await setup(h)
    h.clock.moment = datetime(2027, 3, 1, 7, 30, tzinfo=UTC)
    await h.upload(STAFF, build_table_xlsx("План", HEADERS, ROWS), "plan.xlsx", caption="/plan")
    item = (await item_ids(h))["1"]
    [changed] = texts(await h.send(STAFF, f"/planedit {item} срок ежемесячно 2028"))
    assert "срок — теперь 31.01.2028, 29.02.2028" in changed

    june = PlanStageDone(item_id=item, unit=ids[SCHOOL], due=date(2027, 6, 30)).pack()
    calls = await h.feed(h.server.callback(CHAIR, june))
    [answer] = [r for r in calls if r.method == "answerCallbackQuery"]
    assert answer.ok, answer.description
    assert answer.params.get("show_alert") is True
    assert answer.params["text"].startswith(
        "Срока 30.06.2027 у этого пункта больше нет: срок изменили. Сроки теперь: 31.01.2028, "
        "29.02.2028, 31.03.2028"
    )
    assert "…и ещё 7. Нажмите «Выполнено» под напоминанием о новом сроке." in answer.params["text"]
    assert [r.method for r in calls] == ["answerCallbackQuery"]  # nothing marked, nothing asked


async def test_a_report_due_by_a_day_of_each_period_is_reminded_before_that_day(
    harness: Harness,
) -> None:
    """«Ежемесячно до 5 числа» in a plan loaded on 21 November: due 5 December, reminded a
    week before it (before, due 30 November and each month's end: reminded and marked late
    some 25 days after the real deadline). A quarterly report is due in the month after the
    quarter; a day of the month the bot cannot place is refused, as an unreadable date is."""
    h = harness
    ids = await setup(h)
    rows = [
        ("1", "Сведения о численности членов профсоюза", "Ежемесячно до 5 числа", "все ППО"),
        ("2", "Отчёт о работе", "ежеквартально до 10 числа месяца, следующего за отчётным", SCHOOL),
        ("3", "Статистический отчёт", "ежегодно до 5 числа", "все ППО"),
    ]
    loaded = texts(
        await h.upload(STAFF, build_table_xlsx("План", HEADERS, rows), "plan.xlsx", caption="/plan")
    )
    assert "загружен: пунктов — 2" in loaded[0]
    assert "строка 4: срок не понят («ежегодно до 5 числа»)" in "\n".join(loaded[1:])
    progress = "\n".join(texts(await h.send(STAFF, "/plan")))
    assert "— ближайший срок: до 05.12.2026 (1-й из 12 сроков), все ППО" in progress
    assert f"— ближайший срок: до 10.01.2027 (1-й из 4 сроков), {SCHOOL}" in progress

    bg = background(h)
    await tick_at(h, bg, datetime(2026, 11, 27, 7, 30, tzinfo=UTC))  # Friday, before the 5th
    item = (await item_ids(h))["1"]
    assert sorted(await plan_rows(h)) == [
        f"plan-remind:{item}:{ids[unit]}:2026-12-05:before7:{chat}"
        for unit, chat in sorted([(GARDEN, CHAIR2), (SCHOOL, CHAIR)], key=lambda u: ids[u[0]])
    ]
