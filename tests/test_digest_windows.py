"""Where a digest's events start: where the last digest delivered to the person ended, so a
deadline's digest two days after the weekly one does not tell that week's events again."""

from __future__ import annotations

from sqlalchemy import update

from bot.delivery.digests import plan_digests, renderers
from bot.delivery.files import RenderedText
from bot.domain.calendar import CalendarSettings
from bot.domain.tick import Planning
from storage.models import OutboxMessage, OutboxStatus
from storage.outbox import OutboxKind
from test_reminders import MOSCOW, build, local, open_october, outbox


async def _drawn(pool, payload) -> str:
    """The text of a queued digest, drawn as the sender draws it when it goes out."""
    async with pool() as session:
        draw = await renderers("Europe/Moscow")[OutboxKind.DIGEST_TEXT](session, payload)
    drawn = draw()
    assert isinstance(drawn, RenderedText)
    return drawn.text


async def _digest_texts(pool, clock, *moments) -> list[str]:
    """Plan the digests at each moment, each delivered (marked sent) before the next."""
    found = []
    for moment in moments:
        clock.moment = moment
        await plan_digests(Planning(pool, clock, CalendarSettings(), "Europe/Moscow"))
        pending = [
            m
            for m in await outbox(pool)
            if m.chat_id == 901
            and m.kind == OutboxKind.DIGEST_TEXT
            and m.status == OutboxStatus.PENDING
        ]
        found += [await _drawn(pool, m.payload) for m in pending]
        async with pool() as session, session.begin():
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_([m.id for m in pending]))
                .values(status=OutboxStatus.SENT)
            )
    return found


async def test_a_deadline_digest_tells_events_since_the_weekly_one(session_pool, clock) -> None:
    await build(session_pool)
    await open_october(session_pool, clock)
    weekly, after_deadline = await _digest_texts(
        session_pool,
        clock,
        local(MOSCOW, 2026, 10, 26, 9, 0),  # Monday: the weekly digest
        local(MOSCOW, 2026, 10, 27, 9, 0),  # the working day after the deadline (26.10)
    )
    assert "Мероприятий с 19.10 не проводилось" in weekly, weekly
    assert "Мероприятий с 26.10 не проводилось" in after_deadline, after_deadline
