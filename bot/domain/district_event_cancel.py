"""Calling a district event off, by staff of its scope, before it begins.

The event is marked (``cancelled_at``): the clockwork writes no more about it, answers are
closed and its buttons say it is cancelled. Invitations and reminders still waiting in the
outbox are dropped. The chairs whose invitation went out are told: a cancellation is
news like the invitation, so a paused chair is told too, at the next allowed moment of the
ППО's zone, or at once if that moment would come after the start (people must not set out).
Those not yet invited hear nothing: for them the event never existed.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.calendar import CalendarSettings, next_allowed_moment
from bot.domain.timezones import zone_of
from bot.texts import district_events as t
from storage import audit
from storage import district_events as store
from storage.contacts import chairs_of
from storage.models import DistrictEvent
from storage.outbox import OutboxKind, enqueue
from storage.outbox_keys import KeyPurpose, outbox_key


def _notice(event: DistrictEvent, org_name: str, tz: ZoneInfo) -> str:
    return t.cancelled_notice(org_name, event.title, event.starts_at.astimezone(tz))


def still_ahead(event: DistrictEvent, now: datetime) -> bool:
    """Not begun and not called off: it may still be moved or called off."""
    return event.cancelled_at is None and now < event.starts_at


async def cancel_event(
    session: AsyncSession,
    event: DistrictEvent,
    *,
    by: int,
    now: datetime,
    settings: CalendarSettings,
    default_tz: str,
) -> int | None:
    """Call ``event`` off; how many chairs will be told, None if it has begun or is called off
    already (a second tap, or two staff at once)."""
    if not still_ahead(event, now):
        return None
    invited = await store.cancel_event(session, event, by=by, now=now)
    chairs = await chairs_of(session, [org.id for org in invited])
    told = 0
    for org in invited:
        chair = chairs.get(org.id)
        if chair is not None and not chair.unreachable:
            tz = zone_of(org, default_tz)
            soonest = next_allowed_moment(now, tz, settings)
            told += await enqueue(
                session,
                key=outbox_key(KeyPurpose.DISTRICT_CANCELLED, event.id, org.id, chair.tg_user_id),
                chat_id=chair.tg_user_id,
                kind=OutboxKind.TEXT,
                payload={"text": _notice(event, org.name, tz)},
                not_before=soonest if soonest < event.starts_at else now,
                now=now,
            )
    audit.record(
        session,
        at=now,
        actor_id=by,
        action="devent.cancel",
        org_id=event.scope_org_id,
        after={"title": event.title, "starts": event.starts_at.isoformat(), "told": told},
    )
    return told
