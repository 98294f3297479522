"""Calling a district event off, by staff of its scope, before it begins.

The event is marked (``cancelled_at``): the clockwork writes no more about it, answers are
closed and its buttons say it is cancelled. Invitations and reminders still waiting in the
outbox are dropped. The chairs whose invitation went out are told (``district_event_news``);
those not yet invited hear nothing: for them the event never existed. An invitation on its
way to Telegram when the event is called off cannot be stopped, and is recorded sent only
after: the clockwork then tells its chair too (:func:`tell_invited_meanwhile`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.calendar import CalendarSettings
from bot.domain.district_event_news import still_ahead, tell_invited
from bot.texts import district_events as t
from storage import audit
from storage import district_events as store
from storage.models import DistrictEvent, Organization
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
    told = await _tell_cancelled(session, event, invited, now, settings, default_tz)
    audit.record(
        session,
        at=now,
        actor_id=by,
        action="devent.cancel",
        org_id=event.scope_org_id,
        after={"title": event.title, "starts": event.starts_at.isoformat(), "told": told},
    )
    return told


async def tell_invited_meanwhile(
    session: AsyncSession, now: datetime, settings: CalendarSettings, default_tz: str
) -> int:
    """Tell the chairs whose invitation was on its way when its event was called off (it went
    all the same) that it is called off, as the chairs invited before were told; how many.
    The clockwork asks every minute: only the sender's record, after the calling off, knows."""
    told = 0
    for event, invited in await store.invited_while_called_off(session, now):
        told += await _tell_cancelled(session, event, invited, now, settings, default_tz)
    return told


async def _tell_cancelled(
    session: AsyncSession,
    event: DistrictEvent,
    invited: Sequence[Organization],
    now: datetime,
    settings: CalendarSettings,
    default_tz: str,
) -> int:
    return await tell_invited(
        session,
        event,
        invited,
        text=lambda org, starts: t.cancelled_notice(org, event.title, starts),
        purpose=KeyPurpose.DISTRICT_CANCELLED,
        now=now,
        settings=settings,
        default_tz=default_tz,
    )
