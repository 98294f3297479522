"""Escalations of late ППО that an archiving, a restore or the end of a curatorship changes:
one rule for all three, an escalation already queued says what its planner would say now.

Archiving rewrites, in its own transaction, each waiting escalation that lists a ППО it closes
(a curator's, or one waiting at a wider scope: a region's late across its districts, a
district's when one ППО is archived): the text its planner writes now, without the ППО closed,
kept under its key and moment; deleted when none else is late. Rewritten, not dropped for the
planner to queue again: the planner queues it only while it is due, and a collection closed
since, or a plan stage more than 60 days past, would lose the other late ППО it listed. The
ППО taken out are written into it (``WITHHELD``).

A restore puts them back: a waiting escalation is rewritten again, with them; one that went
out without them is deleted, its key freed, so that its planner queues it again while it is
due, listing them (and what else is late then) once, as if they had never been closed. One
delivered that lists them already is left alone: nothing is sent twice.

A curatorship ended rewrites the curator's waiting escalations that list its ППО, with the
ППО they still curate, for the same reason: dropped, the others would be lost once the
request closes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import plan_escalations, reminders
from bot.domain.tick import Tick
from storage.models import OutboxMessage, OutboxStatus
from storage.outbox_keys import KeyPurpose
from storage.outbox_withdraw import (
    CURATED,
    LISTED,
    WITHHELD,
    listing_closed,
    listing_curated,
    release,
    rewrite,
    withheld_from,
)


async def _said_now(session: AsyncSession, message: OutboxMessage, tick: Tick) -> Any:
    """The payload of the escalation ``message`` as its planner writes it now (its key names the
    collection and the reminder's purpose, or the plan item and the stage's day); None when it
    would say nothing."""
    purpose, *parts = message.key.split(":")
    if purpose == KeyPurpose.REMINDER and len(parts) == 4 and parts[0].isdecimal():
        return await reminders.escalation_now(session, int(parts[0]), message.chat_id, tick)
    if purpose == KeyPurpose.PLAN_ESCALATION and len(parts) in (3, 4) and parts[0].isdecimal():
        day = date.fromisoformat(parts[1])
        got = date.fromisoformat(parts[3]) if len(parts) == 4 else None  # given after the day
        return await plan_escalations.escalation_now(
            session, int(parts[0]), day, got, message.chat_id, tick
        )
    return None


async def _rewrite(
    session: AsyncSession, message: OutboxMessage, tick: Tick, withheld: set[int]
) -> None:
    """Rewrite the waiting ``message`` as it would be written now, ``withheld`` noted in it
    beside what its planner leaves out now; or delete it when it would say nothing."""
    payload = await _said_now(session, message, tick)
    if payload is None:
        await release(session, [message.id])
        return
    withheld |= set(payload.get(WITHHELD, ()))
    rewrite(message, payload | ({WITHHELD: sorted(withheld)} if withheld else {}))


def _withheld(message: OutboxMessage) -> set[int]:
    return set((message.payload or {}).get(WITHHELD, ()))


async def cut(
    session: AsyncSession,
    tick: Tick,
    *,
    chats: Iterable[int],
    closed: Collection[int],
    above: Collection[int],
) -> None:
    """Rewrite the escalations waiting for ``chats`` (curators of the ППО ``closed``, the staff
    of the scopes ``above`` what was archived) that list one of ``closed``, without them. One
    queued by an older version, which did not list its ППО, is taken as listing them all."""
    for chat in set(chats):
        for message in await listing_closed(session, chat_id=chat, closed=closed, above=above):
            payload = message.payload or {}
            listed = payload.get(CURATED, payload.get(LISTED))
            taken = set(closed) & set(listed) if isinstance(listed, list) else set(closed)
            await _rewrite(session, message, tick, _withheld(message) | taken)


async def reopen(
    session: AsyncSession, tick: Tick, *, chats: Iterable[int], opened: Collection[int]
) -> None:
    """Put the ППО ``opened`` back into the escalations of ``chats`` an archiving took them out
    of: rewritten while they wait, released when they went without them."""
    for chat in set(chats):
        for message in await withheld_from(session, chat_id=chat, opened=opened):
            if message.status == OutboxStatus.PENDING:
                await _rewrite(session, message, tick, _withheld(message) - set(opened))
            else:
                await release(session, [message.id])


async def uncurated(session: AsyncSession, tick: Tick, *, chat: int, org_id: int) -> None:
    """The curatorship of ``chat`` over the ППО ``org_id`` has just ended: the escalations
    waiting for them that list it are rewritten with the ППО they still curate (a successor
    gets their own from the planner); deleted when none of those is late."""
    for message in await listing_curated(session, chat_id=chat, org_id=org_id):
        await _rewrite(session, message, tick, _withheld(message) - {org_id})
