"""People whose role changed while their messages waited in the outbox: a curator taken off a
ППО, the ППО archived."""

from __future__ import annotations

from bot.wiring.scheduler import calendar_tick
from harness import ADMIN, Harness, Request, background, last_message
from scenarios import join
from test_calendar_flow import at, october, tick_and_send, to
from test_curator import CURATOR, GARDEN, SCHOOL, attach_curator

__all__ = ["october"]  # the fixture, used by name

SUCCESSOR = 703
LATE_HEAD = "ППО, которые вы курируете: не сдали мониторинг"


async def _card(h: Harness, name: str) -> Request:
    found = last_message(await h.send(ADMIN, f"/org {name}"))
    return last_message(await h.tap(ADMIN, found, name))


async def _escalation_queued(h: Harness) -> None:
    """October's monitoring opens (1.10); on 27.10, the day after its deadline, both ППО are
    late and the escalation is queued, not yet sent."""
    await tick_and_send(h)
    h.clock.moment = at(27)
    await calendar_tick(background(h))


def _escalations(requests: list[Request], chat: int) -> list[str]:
    return [r.plain_text or "" for r in to(chat, requests) if LATE_HEAD in (r.plain_text or "")]


async def test_a_curator_taken_off_a_ppo_is_not_escalated_about_it(
    october: None, harness: Harness
) -> None:
    """Ольга curates both ППО; the admin gives «Солнышко» to another curator while the
    escalation waits: hers names only the school, the successor's «Солнышко»."""
    h = harness
    await join(h)
    await attach_curator(h, SCHOOL)
    await attach_curator(h, GARDEN)
    await _escalation_queued(h)
    roles = await h.tap(ADMIN, await _card(h, GARDEN), "Роли")
    curator = next(r for r in roles if "Ольга" in (r.plain_text or ""))
    await h.tap(ADMIN, curator, "Снять роль")
    await attach_curator(h, GARDEN, SUCCESSOR)

    sent = await tick_and_send(h)

    (hers,) = _escalations(sent, CURATOR)
    assert SCHOOL in hers and "Солнышко" not in hers, hers
    (theirs,) = _escalations(sent, SUCCESSOR)
    assert "Солнышко" in theirs and SCHOOL not in theirs, theirs


async def test_the_curator_of_an_archived_ppo_is_not_escalated_about_it(
    october: None, harness: Harness
) -> None:
    h = harness
    await join(h)
    await attach_curator(h, GARDEN)
    await _escalation_queued(h)
    await h.tap(ADMIN, await _card(h, GARDEN), "В архив")

    sent = await tick_and_send(h)

    assert _escalations(sent, CURATOR) == []
