"""Calling a district event off, by staff of its scope, before it begins.

The event is marked (``cancelled_at``): the clockwork writes no more about it, answers are
closed and its buttons say it is cancelled. Invitations and reminders still waiting in the
outbox are dropped. The chairs whose invitation went out are told (``district_event_news``);
those not yet invited hear nothing: for them the event never existed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.calendar import CalendarSettings
from bot.domain.district_event_news import still_ahead, tell_invited
from bot.texts import district_events as t
from storage import audit
from storage import district_events as store
from storage.outbox_keys import KeyPurpose


async def cancel_event(
    session: AsyncSession,
    event_id: int,
    *,
    by: int,
    now: datetime,
    settings: CalendarSettings,
    default_tz: str,
) -> int | None:
    """Call the event off; how many chairs will be told, None if it has begun or is called off
    already (a second tap, or two staff at once: it is read again under a lock)."""
    event = await store.event_to_change(session, event_id)
    if event is None or not still_ahead(event, now):
        return None
    invited = await store.cancel_event(session, event, by=by, now=now)
    told = await tell_invited(
        session,
        event,
        invited,
        text=lambda org, starts: t.cancelled_notice(org, event.title, starts),
        purpose=KeyPurpose.DISTRICT_CANCELLED,
        now=now,
        settings=settings,
        default_tz=default_tz,
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
