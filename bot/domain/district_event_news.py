"""News about a district event already announced (moved, called off): told to the chairs
whose invitation went out, the same way whatever the news.

News is not a reminder: a paused chair is told too. It goes out at the next allowed moment of
the ППО's zone (working days, outside quiet hours), or at once when that moment would come
after the event's start, so that nobody sets out for nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.calendar import CalendarSettings, next_allowed_moment
from bot.domain.timezones import zone_of
from storage.contacts import chairs_of
from storage.models import DistrictEvent, Organization
from storage.outbox import OutboxKind, enqueue
from storage.outbox_keys import KeyPurpose, outbox_key

NewsText = Callable[[str, datetime], str]
"""The message to one ППО's chair, given the ППО's name and the start in its zone."""


def still_ahead(event: DistrictEvent, now: datetime) -> bool:
    """Not begun and not called off: it may still be moved or called off."""
    return event.cancelled_at is None and now < event.starts_at


async def tell_invited(
    session: AsyncSession,
    event: DistrictEvent,
    invited: Sequence[Organization],
    *,
    text: NewsText,
    purpose: KeyPurpose,
    now: datetime,
    settings: CalendarSettings,
    default_tz: str,
) -> int:
    """Queue the news to the reachable chair of each ППО of ``invited``; how many. Its keys
    are ``purpose:event:ППО:chat``, the start's ISO before the chat (news of a new start is
    news again)."""
    chairs = await chairs_of(session, [org.id for org in invited])
    told = 0
    for org in invited:
        chair = chairs.get(org.id)
        if chair is None or chair.unreachable:
            continue
        tz, chat = zone_of(org, default_tz), chair.tg_user_id
        soonest = next_allowed_moment(now, tz, settings)
        told += await enqueue(
            session,
            key=outbox_key(purpose, event.id, org.id, event.starts_at.isoformat(), chat),
            chat_id=chat,
            kind=OutboxKind.TEXT,
            payload={"text": text(org.name, event.starts_at.astimezone(tz))},
            not_before=soonest if soonest < event.starts_at else now,
            now=now,
        )
    return told
