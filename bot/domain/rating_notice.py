"""The yearly rating's due date, told to district staff in January.

Seed 002 item 25: «Рейтингование эффективности работы первичных профсоюзных организаций —
ежегодно до 1 февраля». Every minute (``bot/wiring/scheduler.py``) each active district's
staff (the region's when none can be written to, as for late ППО) get one notice pointing to
``/rating`` for the past year: on the first working day of January at the send time, out of
quiet hours (``send_moment``: the New Year holidays are days off), and not once the rating is
due (1 February, the district's local date). The outbox key holds the district, the year rated
and the recipient, so a second run or a restart sends nothing twice.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.calendar import local_today, send_moment
from bot.domain.staff_scope import scope_staff
from bot.domain.tick import Planning, Tick
from bot.texts import rating as t
from storage import orgs
from storage.models import Organization
from storage.outbox import OutboxKind, enqueue
from storage.outbox_keys import KeyPurpose, outbox_key

DUE_MONTH = 2  # the rating is due by 1 February


def _due(district: Organization, tick: Tick) -> bool:
    """January in the district's zone, from the first working day's send time on: read before
    any transaction, so that a district with nothing due takes no write lock (SQLite's ``BEGIN
    IMMEDIATE``) every minute of December and February."""
    tz = tick.zone(district)
    today = local_today(tick.now, tz)
    return today.month < DUE_MONTH and tick.now >= send_moment(
        date(today.year, 1, 1), tz, tick.calendar
    )


async def _notify(session: AsyncSession, district: Organization, tick: Tick) -> int:
    tz = tick.zone(district)
    rated = local_today(tick.now, tz).year - 1
    count = 0
    for contact in await scope_staff(session, district):
        if contact.unreachable:
            continue
        count += await enqueue(
            session,
            key=outbox_key(KeyPurpose.RATING_DUE, district.id, rated, contact.tg_user_id),
            chat_id=contact.tg_user_id,
            kind=OutboxKind.TEXT,
            payload={"text": t.rating_due(district.name, rated)},
            not_before=tick.deliver_at(tz),
            now=tick.now,
        )
    return count


async def plan_rating_notices(planning: Planning) -> int:
    """Enqueue the January notices whose moment has come; how many. Outside January (in
    every zone) nothing is read. The districts are listed in a session of the planning's
    reader (no write lock); each district due gets one transaction, a unit of ``isolation``."""
    isolation, tick = planning.isolation, planning.tick()
    if tick.now.month not in (12, 1, 2):  # zones are a day from UTC at most
        return 0
    async with planning.reader() as session:
        districts = [d for d in await orgs.active_districts(session) if _due(d, tick)]
    count = 0
    for district in districts:
        unit = isolation.unit(f"rating notice of district {district.id}")
        async with unit, planning.session_pool() as session, session.begin():
            count += await _notify(session, district, tick)
    return count
