"""A ППО moved into a district after the district's items for every ППО were over does not
answer for them (``plans.came_after``): its chair is told of none (before: one message an item,
50 at once) and the pass that follows reads none of them (``plan_escalations.
GOT_LATE_LOOK_BACK``): before, each pass for 60 days loaded all 50 items of the test and read
each one's ППО, marks and chairs again, to send nothing: 358 statements a pass, now 8."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.plan_reminders import plan_measures
from bot.rendering.xlsx import build_table_xlsx
from handlers.plans import plan_done_button
from harness import ADMIN, Harness, background, last_message, texts
from test_plan_stages import tick_at
from test_plans import DISTRICT_A, HEADERS, HOSPITAL, OTHER_CHAIR, STAFF, sent_to, setup
from test_viewer_statements import counted

ITEMS = 50
JUNE_1 = datetime(2027, 6, 1, 7, 30, tzinfo=UTC)  # Tuesday, 10:30 in Moscow


async def _moved_with_past_items(h: Harness) -> None:
    """50 items for every ППО due 31 January, loaded on 11 January; the hospital moved into
    the district on 1 June, four months after."""
    await setup(h)
    h.clock.moment = datetime(2027, 1, 11, 7, 30, tzinfo=UTC)
    rows = [(str(n), f"Мероприятие {n}", "31.01.2027", "все ППО") for n in range(1, ITEMS + 1)]
    await h.upload(STAFF, build_table_xlsx("План", HEADERS, rows), "plan.xlsx", caption="/plan")
    h.clock.moment = JUNE_1
    found = last_message(await h.send(ADMIN, "/org црб"))
    card = last_message(await h.tap(ADMIN, found, HOSPITAL))
    moving = last_message(await h.tap(ADMIN, card, "Перенести"))
    assert "перенесена" in texts(await h.tap(ADMIN, moving, DISTRICT_A))[0]


async def statements_of_a_pass(h: Harness, moment: datetime) -> list[str]:
    h.clock.moment = moment
    with counted(h.engine) as ran:
        bg = background(h)
        await plan_measures(bg.planning(bg.isolation()), plan_done_button)
    return ran


async def test_a_ppo_moved_in_after_the_items_were_over_answers_for_none(
    sqlite_harness: Harness,
) -> None:
    """On the day of the move the hospital's chair is told of no item, /plan counts the
    district's two ППО only; on 21 July, 50 days after it, the pass reads no item's marks."""
    h = sqlite_harness
    await _moved_with_past_items(h)
    mark = await tick_at(h, background(h), JUNE_1)
    assert sent_to(h, OTHER_CHAIR, mark, "Мероприятие") == []
    progress = "\n".join(texts(await h.send(STAFF, "/plan")))
    assert progress.count("выполнили 0 из 2") == ITEMS
    assert HOSPITAL not in progress

    ran = await statements_of_a_pass(h, datetime(2027, 7, 21, 7, 30, tzinfo=UTC))
    assert not [sql for sql in ran if "plan_marks" in sql]
