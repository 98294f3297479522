"""Plan items one got after some of their stages had passed: given to another ППО by
/planedit, a ППО moved into the plan's district, an item added after its only deadline. The
stages passed before one got the item are not theirs (not late in /plan, not reminded of,
not escalated, not counted); a last stage passed before it is owed all the same: they are
told the day they got it, and it is escalated once, the day after."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.rendering.xlsx import build_table_xlsx
from bot.texts import plan_marks as tpm
from bot.wiring.scheduler import calendar_tick
from handlers.callbacks import PlanDone
from harness import ADMIN, Harness, background, last_message, texts
from test_plan_late_marks import july_escalation_without_march, june_reminder_without_march
from test_plan_stages import ROWS, done_by_button, tick_at
from test_plans import (
    CHAIR,
    CHAIR2,
    DISTRICT_A,
    GARDEN,
    HEADERS,
    HOSPITAL,
    OTHER_CHAIR,
    SCHOOL,
    STAFF,
    item_ids,
    plan_rows,
    sent_to,
    setup,
)
from test_several_roles import _archive

MAY_4 = datetime(2027, 5, 4, 7, 30, tzinfo=UTC)  # Tuesday, 10:30 in Moscow


async def _school_item_from_march(h: Harness) -> int:
    """The district set up; on 1 March its staff load «март, июнь 2027» for the school; its id."""
    await setup(h)
    h.clock.moment = datetime(2027, 3, 1, 7, 30, tzinfo=UTC)
    rows = [("1", "Мониторинг профсоюзного членства", "март, июнь 2027", SCHOOL)]
    await h.upload(STAFF, build_table_xlsx("План", HEADERS, rows), "plan.xlsx", caption="/plan")
    return (await item_ids(h))["1"]


async def test_a_ppo_given_an_item_in_may_does_not_owe_its_march_stage(harness: Harness) -> None:
    """«март, июнь 2027» of the school, escalated for March in April, given to the garden in
    May: the garden owes June only, so /plan does not call the item late, the June reminder
    names no March, July's escalation names no March, and one stage is counted."""
    h = harness
    item = await _school_item_from_march(h)
    bg = background(h)
    mark = await tick_at(h, bg, datetime(2027, 4, 1, 7, 30, tzinfo=UTC))
    [late] = sent_to(h, STAFF, mark, "Просрочен пункт плана 1.")
    assert SCHOOL in late.plain_text

    h.clock.moment = MAY_4
    [changed] = texts(await h.send(STAFF, f"/planedit {item} ответственный {GARDEN}"))
    assert f"ответственный — теперь {GARDEN}" in changed
    progress = "\n".join(texts(await h.send(STAFF, "/plan")))
    assert "🕒 1. Мониторинг профсоюзного членства — ближайший срок: до 30.06.2027" in progress
    assert "Сроков выполнено по пунктам с несколькими сроками: 0 из 1" in progress

    mark = await june_reminder_without_march(h, bg, CHAIR2)
    assert not sent_to(h, CHAIR, mark, "пункт 1. Мониторинг")

    late = await july_escalation_without_march(h, bg)
    assert "Срок был 30.06.2027 (2-й из 2 сроков)" in late
    assert f"• {GARDEN} — Ольга\n" in late + "\n"


async def test_narrowing_every_ppo_to_one_keeps_what_it_owed(harness: Harness) -> None:
    """«все ППО» narrowed to the garden in May: the garden answered for the item from March
    and still owes March; given to the school afterwards, the school owes June only."""
    h = harness
    await setup(h)
    h.clock.moment = datetime(2027, 3, 1, 7, 30, tzinfo=UTC)
    await h.upload(STAFF, build_table_xlsx("План", HEADERS, ROWS), "plan.xlsx", caption="/plan")
    item = (await item_ids(h))["1"]
    h.clock.moment = MAY_4
    await h.send(STAFF, f"/planedit {item} ответственный {GARDEN}")
    progress = "\n".join(texts(await h.send(STAFF, "/plan")))
    assert "⏰ 1. Мониторинг профсоюзного членства — ближайший срок: до 31.03.2027" in progress
    assert "Сроков выполнено по пунктам с несколькими сроками: 0 из 2" in progress
    await h.send(STAFF, f"/planedit {item} ответственный {SCHOOL}")
    progress = "\n".join(texts(await h.send(STAFF, "/plan")))
    assert "🕒 1. Мониторинг профсоюзного членства — ближайший срок: до 30.06.2027" in progress


async def test_a_ppo_moved_into_the_district_in_may_does_not_owe_march(harness: Harness) -> None:
    """The hospital is moved from the other district in May: the item for every ППО holds it
    to June only; the school and the garden, who marked March, and the hospital are all at
    June in /plan, its June reminder names no March, nor does July's escalation."""
    h = harness
    ids = await setup(h)
    h.clock.moment = datetime(2027, 3, 1, 7, 30, tzinfo=UTC)
    await h.upload(STAFF, build_table_xlsx("План", HEADERS, ROWS), "plan.xlsx", caption="/plan")
    item = (await item_ids(h))["1"]
    for unit, chat in ((SCHOOL, CHAIR), (GARDEN, CHAIR2)):
        button = PlanDone(item_id=item, unit=ids[unit]).pack()
        assert "срок 31.03.2027 отмечен выполненным" in await done_by_button(h, chat, button)

    h.clock.moment = MAY_4
    found = last_message(await h.send(ADMIN, "/org црб"))
    card = last_message(await h.tap(ADMIN, found, HOSPITAL))
    moving = last_message(await h.tap(ADMIN, card, "Перенести"))
    assert "перенесена" in texts(await h.tap(ADMIN, moving, DISTRICT_A))[0]
    progress = "\n".join(texts(await h.send(STAFF, "/plan")))
    assert "🕒 1. Мониторинг профсоюзного членства — ближайший срок: до 30.06.2027" in progress
    assert "выполнили 0 из 3" in progress
    assert "Сроков выполнено по пунктам с несколькими сроками: 2 из 5" in progress

    bg = background(h)
    await june_reminder_without_march(h, bg, OTHER_CHAIR)
    assert f"• {HOSPITAL} — Пётр" in await july_escalation_without_march(h, bg)


async def test_an_item_added_after_its_only_deadline_is_escalated_the_day_after(
    harness: Harness,
) -> None:
    """«31.03.2027» loaded on 4 May: late in /plan from the start; each chair is told that
    day, once, that its deadline passed before it was theirs; escalated once, the next
    working day, as if it were due the day it was added, saying so. The school's item given
    to the garden in June: the garden is told, and escalated the day after it got it."""
    h = harness
    await setup(h)
    h.clock.moment = MAY_4
    rows = [
        ("1", "Семинар председателей", "31.03.2027", "все ППО"),
        ("2", "Отчёт о семинаре", "31.03.2027", SCHOOL),
    ]
    await h.upload(STAFF, build_table_xlsx("План", HEADERS, rows), "plan.xlsx", caption="/plan")
    items = await item_ids(h)
    progress = "\n".join(texts(await h.send(STAFF, "/plan")))
    assert "⏰ 1. Семинар председателей — до 31.03.2027, все ППО" in progress

    bg = background(h)
    mark = await tick_at(h, bg, datetime(2027, 5, 4, 10, 0, tzinfo=UTC))
    assert not [key for key in await plan_rows(h) if key.startswith("plan-late:")]
    [told] = sent_to(h, CHAIR2, mark, "пункт 1. Семинар председателей")
    assert "Срок — 31.03.2027 (прошёл до того, как пункт поручили вам 04.05.2027)" in (
        told.plain_text
    )
    assert [label for label, _ in told.buttons()] == [tpm.DONE_BUTTON]
    mark = await tick_at(h, bg, datetime(2027, 5, 5, 7, 30, tzinfo=UTC))
    [late] = sent_to(h, STAFF, mark, "Просрочен пункт плана 1.")
    assert "Срок был 31.03.2027; пункт поручен им 04.05.2027, уже после срока" in late.plain_text
    assert f"• {SCHOOL} — Мария" in late.plain_text and f"• {GARDEN} — Ольга" in late.plain_text
    mark = await tick_at(h, bg, datetime(2027, 5, 6, 7, 30, tzinfo=UTC))
    assert not sent_to(h, STAFF, mark, "Просрочен пункт плана")
    assert not sent_to(h, CHAIR2, mark, "пункт 1. Семинар председателей")
    first = f"plan-late:{items['1']}:"
    assert [key for key in await plan_rows(h) if key.startswith(first)] == [
        f"{first}2027-03-31:{STAFF}:2027-05-04"
    ]

    h.clock.moment = datetime(2027, 6, 1, 7, 30, tzinfo=UTC)
    await h.send(STAFF, f"/planedit {items['2']} ответственный {GARDEN}")
    mark = await tick_at(h, bg, datetime(2027, 6, 2, 7, 30, tzinfo=UTC))
    [late] = sent_to(h, STAFF, mark, "Просрочен пункт плана 2.")
    assert "пункт поручен им 01.06.2027, уже после срока" in late.plain_text
    assert GARDEN in late.plain_text and SCHOOL not in late.plain_text
    [told] = sent_to(h, CHAIR2, mark, "пункт 2. Отчёт о семинаре")
    assert "прошёл до того, как пункт поручили вам 01.06.2027" in told.plain_text


async def test_an_escalation_of_an_item_got_late_waiting_past_its_window_loses_an_archived_ppo(
    harness: Harness,
) -> None:
    """The escalation of «31.03.2027» loaded on 4 May (its own message: the item was got after
    its deadline) still waits on 5 July, past the 60 days it would be queued in; the garden is
    archived then: it goes out all the same, naming the school only, as one got late."""
    h = harness
    await setup(h)
    h.clock.moment = MAY_4
    rows = [("1", "Семинар председателей", "31.03.2027", "все ППО")]
    await h.upload(STAFF, build_table_xlsx("План", HEADERS, rows), "plan.xlsx", caption="/plan")
    h.clock.moment = datetime(2027, 5, 5, 7, 30, tzinfo=UTC)
    await calendar_tick(background(h))  # queued, not sent
    assert [key for key in await plan_rows(h) if key.startswith("plan-late:")]
    h.clock.moment = datetime(2027, 7, 5, 7, 30, tzinfo=UTC)

    await _archive(h, GARDEN)
    mark = await tick_at(h, background(h), h.clock.moment)

    [late] = sent_to(h, STAFF, mark, "Просрочен пункт плана 1.")
    assert "пункт поручен им 04.05.2027, уже после срока" in late.plain_text
    assert f"• {SCHOOL} — Мария" in late.plain_text and GARDEN not in late.plain_text


async def test_giving_an_item_to_another_says_the_stages_passed_are_not_theirs(
    harness: Harness,
) -> None:
    """Given to the garden on 1 March, before any stage: nothing to say. Given back to the
    school in May: the editor is told March is not asked of it; given to it again: nothing
    changed hands, nothing is said."""
    h = harness
    item = await _school_item_from_march(h)
    edit = f"/planedit {item} ответственный"

    [early] = texts(await h.send(STAFF, f"{edit} {GARDEN}"))
    assert "уже прошли" not in early
    h.clock.moment = MAY_4
    [changed] = texts(await h.send(STAFF, f"{edit} {SCHOOL}"))
    assert f"ответственный — теперь {SCHOOL}" in changed
    assert "Сроки, которые уже прошли (31.03.2027), не спрашиваются" in changed
    [same] = texts(await h.send(STAFF, f"{edit} {SCHOOL}"))
    assert "уже прошли" not in same
