"""A ППО archived while its chair's reminder waits, and restored within the same collection:
its chair is reminded as if it had never been closed, and gets nothing twice."""

from __future__ import annotations

from bot.wiring.scheduler import calendar_tick
from harness import Harness, background
from scenarios import CHAIR, join
from test_calendar_flow import at, october, tick_and_send, to
from test_curator import SCHOOL
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
