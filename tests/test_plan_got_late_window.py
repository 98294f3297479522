"""The one reminder and escalation of a plan item got after its only deadline go out within a
few days of the day it was got, never weeks later: the first pass of the version that brought
them would otherwise have sent one for every item got late in the last 60 days, in one wave."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.rendering.xlsx import build_table_xlsx
from harness import Background, Harness, background
from test_plan_stages import tick_at
from test_plans import CHAIR, CHAIR2, HEADERS, STAFF, item_ids, plan_rows, sent_to, setup
from test_plans_given_later import MAY_4

ROWS = [("1", "Семинар председателей", "31.03.2027", "все ППО")]


async def nothing_sent_at(
    h: Harness, bg: Background, moments: tuple[datetime, ...], contains: str
) -> None:
    """The ticks at ``moments`` send the chairs and the staff nothing of ``contains``."""
    for moment in moments:
        mark = await tick_at(h, bg, moment)
        for chat in (CHAIR, CHAIR2, STAFF):
            assert not sent_to(h, chat, mark, contains)


async def _loaded_on_may_4(h: Harness) -> int:
    """The district set up; «31.03.2027» for every ППО loaded on 4 May; the item's id."""
    await setup(h)
    h.clock.moment = MAY_4
    await h.upload(STAFF, build_table_xlsx("План", HEADERS, ROWS), "plan.xlsx", caption="/plan")
    return (await item_ids(h))["1"]


async def test_a_month_after_the_day_got_nothing_is_sent(harness: Harness) -> None:
    """The scheduler's first pass is on 3 June, 30 days after the item was got: neither the
    reminder of the day got nor its escalation goes out, nor is queued."""
    h = harness
    await _loaded_on_may_4(h)
    mark = await tick_at(h, background(h), datetime(2027, 6, 3, 7, 30, tzinfo=UTC))
    assert not [
        key for key in await plan_rows(h) if key.split(":")[0] in ("plan-remind", "plan-late")
    ]
    for chat in (CHAIR, CHAIR2, STAFF):
        assert not sent_to(h, chat, mark, "Семинар председателей")


async def test_the_day_after_the_day_got_each_is_sent_once(harness: Harness) -> None:
    """The first pass is on 5 May, the day after: each chair is told, the staff get the
    escalation; a second pass that day and one the day after send nothing more."""
    h = harness
    await _loaded_on_may_4(h)
    bg = background(h)
    mark = await tick_at(h, bg, datetime(2027, 5, 5, 7, 30, tzinfo=UTC))
    for chat in (CHAIR, CHAIR2):
        [told] = sent_to(h, chat, mark, "пункт 1. Семинар председателей")
        assert "прошёл до того, как пункт поручили вам 04.05.2027" in told.plain_text
    [late] = sent_to(h, STAFF, mark, "Просрочен пункт плана 1.")
    assert "пункт поручен им 04.05.2027, уже после срока" in late.plain_text
    later = (datetime(2027, 5, 5, 8, 30, tzinfo=UTC), datetime(2027, 5, 6, 7, 30, tzinfo=UTC))
    await nothing_sent_at(h, bg, later, "Семинар председателей")
