"""The digest's events: each reaches staff once, in the digest of the week they learn of it:
one entered long after it was held comes in the next digest (counted as entered late), one
entered ahead comes the week it is held, an edit does not bring one back.

Reuses ``test_digest``'s world (a district whose staff's week is 14.11-20.11.2026, Moscow).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.rendering.digest import digest_text
from bot.rendering.digest_reply import DigestAsk, digest_reply
from storage.digest_events import event_totals
from storage.models import Event
from test_digest import EVENTS_SINCE, TODAY, _digest, _seed

MOSCOW = ZoneInfo("Europe/Moscow")

WEEK_BEFORE, WEEK_AFTER, TWO_WEEKS_AFTER = date(2026, 11, 7), date(2026, 11, 28), date(2026, 12, 5)


async def _add_events(pool: async_sessionmaker[AsyncSession], world: Any) -> None:
    def event(code: str, day: date, participants: int, entered: datetime, **extra: Any) -> Event:
        return Event(
            org_id=world.orgs[code],
            kind="seminar",
            topic="Семинар",
            date_from=day,
            date_to=day,
            online=False,
            participants=participants,
            direction="training",
            photos={},
            created_by=world.people["staff"],
            created_at=entered,
            updated_at=extra.pop("updated_at", entered),
            submission_key=f"late-{code}-{day}-{participants}",
            **extra,
        )

    async with pool() as session, session.begin():
        session.add_all(
            [
                # held on 2 November, entered on 19 November: this week's news, entered late
                event("A", date(2026, 11, 2), 7, datetime(2026, 11, 19, 10, 0, tzinfo=UTC)),
                # entered at 01:30 on the 21st in Moscow (22:30 UTC on the 20th): next week's
                event("B", date(2026, 11, 3), 9, datetime(2026, 11, 20, 22, 30, tzinfo=UTC)),
                # entered ahead for the 28th: the week it is held, not the week entered
                event("C", WEEK_AFTER, 50, datetime(2026, 11, 16, 8, 0, tzinfo=UTC)),
                # held and entered the week before, corrected this week: not counted again
                event(
                    "D",
                    date(2026, 11, 10),
                    13,
                    datetime(2026, 11, 12, 8, 0, tzinfo=UTC),
                    updated_at=datetime(2026, 11, 18, 8, 0, tzinfo=UTC),
                ),
            ]
        )


async def test_an_event_entered_late_reaches_the_next_digest_once(session_pool) -> None:
    world = await _seed(session_pool)
    await _add_events(session_pool, world)
    district = world.district
    async with session_pool() as session:
        before = await event_totals(session, district, WEEK_BEFORE, EVENTS_SINCE, MOSCOW)
        this = await event_totals(session, district, EVENTS_SINCE, TODAY, MOSCOW)
        after = await event_totals(session, district, TODAY, WEEK_AFTER, MOSCOW)
        later = await event_totals(session, district, WEEK_AFTER, TWO_WEEKS_AFTER, MOSCOW)
    assert before == (2, 11 + 13)  # the seeded 13 November seminar and D's
    assert this == (4, 95 + 7)  # the seeded three and A's, entered late
    assert after == (2, 60 + 9)  # the seeded one held today and B's, entered at 01:30
    assert later == (1, 50)  # C's, held on the 28th

    digest = await _digest(session_pool, district)
    assert (digest.events_count, digest.events_participants, digest.events_late) == (4, 102, 1)
    assert (
        "Мероприятия с 14.11: 4, участников: 102; из них проведены до 14.11 и внесены позже: 1"
        in (digest_text(digest))
    )


async def test_a_digest_asked_for_during_the_day_counts_todays_events(session_pool) -> None:
    """/digest asked on the 21st: the event held today and B's, entered at 01:30 today, count
    (the morning's scheduled digest left them to the next week's, which starts today)."""
    world = await _seed(session_pool)
    await _add_events(session_pool, world)
    ask = DigestAsk(
        scope_org_id=world.district,
        today=TODAY,
        default_tz="Europe/Moscow",
        events_since=EVENTS_SINCE,
        text="digest",
    )

    reply = await digest_reply(session_pool, ask)

    assert (
        "Мероприятия с 14.11: 6, участников: 171; из них проведены до 14.11 и внесены позже: 2"
        in reply.text
    ), reply.text
