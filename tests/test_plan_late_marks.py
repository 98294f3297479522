"""Stages one could not have done and stages done late: a stage whose day came before the item
was given to a ППО is not theirs (never offered, reminded of, escalated or counted, and its
stale button says so); a stage marked after its day is said to be late in the reply and in
/plan, in the review's words."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import openpyxl

from bot.rendering.xlsx import build_table_xlsx
from bot.texts import plan_marks as tpm
from bot.texts import plans as tp
from bot.texts.markup import utf16_len
from handlers.callbacks import PlanDone, PlanStageDone
from harness import ADMIN, Background, Harness, background, texts
from test_plan_stages import ROWS, done_by_button, mark_done, tick_at
from test_plans import (
    CHAIR,
    CHAIR2,
    DISTRICT_A,
    DISTRICT_B,
    GARDEN,
    HEADERS,
    HOSPITAL,
    SCHOOL,
    STAFF,
    item_ids,
    sent_to,
    setup,
)

MARCH, JUNE = date(2027, 3, 31), date(2027, 6, 30)


async def june_reminder_without_march(h: Harness, bg: Background, chat: int) -> int:
    """The June reminder of item 1 reaches ``chat`` with no word and no button of March;
    returns the server's mark before it."""
    mark = await tick_at(h, bg, datetime(2027, 6, 23, 7, 30, tzinfo=UTC))
    [june] = sent_to(h, chat, mark, "пункт 1. Мониторинг")
    assert "31.03.2027" not in june.plain_text
    assert [label for label, _ in june.buttons()] == [tpm.DONE_BUTTON]
    return mark


async def july_escalation_without_march(h: Harness, bg: Background) -> str:
    """The escalation of item 1 on 1 July (a Thursday), naming no March; its text."""
    mark = await tick_at(h, bg, datetime(2027, 7, 1, 7, 30, tzinfo=UTC))
    [late] = sent_to(h, STAFF, mark, "Просрочен пункт плана 1.")
    assert "31.03.2027" not in late.plain_text
    return late.plain_text or ""


async def test_a_stage_before_the_item_was_added_is_not_owed(harness: Harness) -> None:
    """Loaded in May with «март, июнь 2027»: March had passed, so June is the ППО's only
    stage: /plan does not call the item late for March, the June reminder offers no March
    button, an old March button is refused with why, and the counts are of June alone."""
    h = harness
    ids = await setup(h)
    h.clock.moment = datetime(2027, 5, 4, 7, 30, tzinfo=UTC)
    await h.upload(STAFF, build_table_xlsx("План", HEADERS, ROWS), "plan.xlsx", caption="/plan")
    item = (await item_ids(h))["1"]
    progress = "\n".join(texts(await h.send(STAFF, "/plan")))
    assert "🕒 1. Мониторинг профсоюзного членства — ближайший срок: до 30.06.2027" in progress

    bg = background(h)
    mark = await june_reminder_without_march(h, bg, CHAIR2)
    stale = PlanStageDone(item_id=item, unit=ids[GARDEN], due=MARCH).pack()
    answers = await h.feed(h.server.callback(CHAIR2, stale))
    alert = next(r for r in answers if r.method == "answerCallbackQuery").params.get("text")
    assert alert == tpm.stage_not_owed(MARCH, JUNE)
    assert len(alert) <= 200  # Telegram's limit of an alert

    [school] = sent_to(h, CHAIR, mark, "пункт 1. Мониторинг")
    assert "Это был последний срок: пункт выполнен" in await mark_done(h, CHAIR, school)
    progress = "\n".join(texts(await h.send(STAFF, "/plan")))
    assert "Сроков выполнено по пунктам с несколькими сроками: 1 из 2" in progress
    assert "выполнили 1 из 2: нет — Детский сад № 2" in progress

    assert f"• {GARDEN} — Ольга" in await july_escalation_without_march(h, bg)
    _, data = h.server.sent_files(STAFF)[-1]
    rows = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert {row[5]: (row[6], row[9]) for row in rows[1:]} == {
        SCHOOL: ("выполнен", "1 из 1"),
        GARDEN: ("просрочен", "0 из 1"),
    }


async def test_a_ppo_that_came_after_a_stage_does_not_owe_it(harness: Harness) -> None:
    """A ППО added to the district in April owes the item for every ППО from June on: /plan
    does not count it among those who have not done March."""
    h = harness
    await setup(h)
    h.clock.moment = datetime(2027, 3, 1, 7, 30, tzinfo=UTC)
    await h.upload(STAFF, build_table_xlsx("План", HEADERS, ROWS), "plan.xlsx", caption="/plan")
    h.clock.moment = datetime(2027, 4, 15, 7, 30, tzinfo=UTC)
    rows = [
        (DISTRICT_A, SCHOOL, 54),
        (DISTRICT_A, GARDEN, 20),
        (DISTRICT_B, HOSPITAL, 300),
        (DISTRICT_A, "Гимназия № 3", 40),
    ]
    data = build_table_xlsx("ППО", ("Район", "Организация", "Работников"), rows)
    await h.upload(ADMIN, data, "list.xlsx", caption="/import")
    progress = "\n".join(texts(await h.send(STAFF, "/plan")))
    assert "⏰ 1. Мониторинг профсоюзного членства — ближайший срок: до 31.03.2027" in progress
    assert "выполнили 0 из 2: нет — Детский сад № 2, МБОУ СОШ № 1" in progress
    assert "Сроков выполнено по пунктам с несколькими сроками: 0 из 5" in progress


async def test_a_late_mark_is_said_late_in_the_reply_and_in_plan(harness: Harness) -> None:
    """March missed and marked in June from the June reminder's second button: the reply says
    it was marked late, and /plan shows it as the review does, with who; so do an item with
    one deadline marked after it and a staff member's own item. June marked in time is not."""
    h = harness
    ids = await setup(h)
    h.clock.moment = datetime(2027, 3, 1, 7, 30, tzinfo=UTC)
    rows = [
        *ROWS,
        ("2", "Семинар председателей", "31.03.2027", "все ППО"),
        ("3", "Отчёт аппарата", "31.03.2027", "Светлана"),
    ]
    await h.upload(STAFF, build_table_xlsx("План", HEADERS, rows), "plan.xlsx", caption="/plan")
    items = await item_ids(h)

    bg = background(h)
    mark = await tick_at(h, bg, datetime(2027, 6, 23, 7, 30, tzinfo=UTC))
    [garden] = sent_to(h, CHAIR2, mark, "пункт 1. Мониторинг")
    await h.tap(CHAIR2, garden, tpm.missed_button(MARCH))
    summary = await h.send(CHAIR2, "Сведения сданы")
    done = texts(await h.tap(CHAIR2, summary[-1], "Отправить"))[-1]
    assert "срок 31.03.2027 отмечен выполненным с опозданием. Следующий срок — 30.06.2027" in done
    seminar = PlanDone(item_id=items["2"], unit=ids[GARDEN]).pack()
    assert "Пункт 2 отмечен выполненным с опозданием (срок был 31.03.2027)" in (
        await done_by_button(h, CHAIR2, seminar)
    )
    own = PlanDone(item_id=items["3"], unit=0).pack()
    assert "Пункт 3 отмечен выполненным с опозданием (срок был 31.03.2027)" in (
        await done_by_button(h, STAFF, own)
    )
    [school] = sent_to(h, CHAIR, mark, "пункт 1. Мониторинг")
    in_time = await mark_done(h, CHAIR, school)
    assert "срок 30.06.2027 отмечен выполненным. Срок 31.03.2027 по-прежнему" in in_time

    progress = "\n".join(texts(await h.send(STAFF, "/plan")))
    assert (
        f"все ППО [#{items['1']}]\n   выполнили 1 из 2: нет — МБОУ СОШ № 1\n"
        f"   31.03.2027 — с опозданием: Детский сад № 2\n"
    ) in progress
    assert (
        f"все ППО [#{items['2']}]\n   выполнили 1 из 2: нет — МБОУ СОШ № 1\n"
        f"   31.03.2027 — с опозданием: Детский сад № 2\n"
    ) in progress
    assert f"до 31.03.2027, Светлана [#{items['3']}]\n   31.03.2027 — с опозданием\n" in progress
    assert "30.06.2027 — с опозданием" not in progress


def test_late_marks_of_many_stages_and_ppo_keep_an_item_in_one_message() -> None:
    """Twelve monthly stages, each marked late by a hundred ППО with long names."""
    days = [date(2027, month, 28) for month in range(1, 13)]
    late = [(f"Муниципальное бюджетное учреждение № {n}", days) for n in range(100)]
    missing = [name for name, _ in late]
    line = tp.item_status(
        7,
        "1",
        "Мероприятие " * 50,
        tp.STATE_OVERDUE,
        days[0],
        (1, 12),
        "все ППО",
        (0, 100, missing),
        late,
    )
    assert line.count("с опозданием") == 12
    assert utf16_len(line) < 4096
