"""A ППО archived while its chair's reminder waits (of the monitoring, of a plan item), and
restored while it is still due: its chair is reminded as if it had never been closed, and gets
nothing twice."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.wiring.scheduler import calendar_tick
from harness import Harness, background
from scenarios import CHAIR, join
from test_calendar_flow import at, october, tick_and_send, to
from test_curator import SCHOOL
from test_plans import SCHOOL as PLAN_SCHOOL
from test_plans import STAFF as PLAN_STAFF
from test_plans import plan_file, plan_rows
from test_plans import setup as plan_setup
from test_restored_escalations import _restore
from test_several_roles import _archive

__all__ = ["october"]  # the fixture, used by name


async def _chair_gets(h: Harness) -> list[str]:
    """What the chair gets from the next tick on."""
    return [r.plain_text or "" for r in to(CHAIR, await tick_and_send(h))]


async def test_a_chair_restored_gets_the_reminder_that_waited_once_and_nothing_sent_before(
    october: None, harness: Harness
) -> None:
    """Мария got October's opening message; on 19.10 her «7 days left» reminder is queued, not
    yet sent, when her school is archived, and the school is restored the same day: the next
    tick sends her that reminder, once, and not the opening message again."""
    h = harness
    await join(h)
    (opening,) = await _chair_gets(h)
    assert "Открыт мониторинг" in opening, opening
    h.clock.moment = at(19)
    await calendar_tick(background(h))

    await _archive(h, SCHOOL)
    await _restore(h, SCHOOL)

    (reminder,) = await _chair_gets(h)
    assert "осталось 7 дней" in reminder, reminder
    assert await _chair_gets(h) == []


async def test_a_chair_restored_gets_the_plan_items_reminder_that_waited_once(
    harness: Harness,
) -> None:
    """On 3.12 the school's «через 7 дней» reminder of plan item 1 is queued, not yet sent,
    when the school is archived and restored the same day: Мария gets it once."""
    h = harness
    await plan_setup(h)
    await h.upload(PLAN_STAFF, plan_file(), "План.xlsx", caption="/plan")
    h.clock.moment = datetime(2026, 12, 3, 7, 30, tzinfo=UTC)
    await calendar_tick(background(h))
    assert [k for k in await plan_rows(h) if k.endswith(f":before7:{CHAIR}")]

    await _archive(h, PLAN_SCHOOL)
    await _restore(h, PLAN_SCHOOL)

    item = "пункт 1. Актуализация паспортов"
    (reminder,) = [text for text in await _chair_gets(h) if item in text]
    assert "Срок — 10.12.2026 (через 7 дней)" in reminder, reminder
    assert [text for text in await _chair_gets(h) if item in text] == []
