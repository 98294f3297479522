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
out without them is deleted, its key freed, so that its planner queues it again, listing them
(and what else is late then) once, as if they had never been closed, if it still would
(``reopen``: past that window it stays, the record of what was said). One delivered that
lists them already is left alone: nothing is sent twice.

A curatorship ended rewrites the curator's waiting escalations that list its ППО, with the
ППО they still curate, for the same reason: dropped, the others would be lost once the
request closes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class _Named:
    """What an escalation's key names: the collection and the reminder's purpose
    (``reminder:collection:scope:purpose:recipient``), or the plan item, the stage's day and
    the day those it is about got the item after it
    (``plan-late:item:day:recipient[:got]``)."""

    collection: int | None = None
    purpose: str = ""
    item: int | None = None
    day: date | None = None
    got: date | None = None


def _named(key: str) -> _Named:
    purpose, *parts = key.split(":")
    if purpose == KeyPurpose.REMINDER and len(parts) == 4 and parts[0].isdecimal():
        return _Named(collection=int(parts[0]), purpose=parts[2])
    if purpose == KeyPurpose.PLAN_ESCALATION and len(parts) in (3, 4) and parts[0].isdecimal():
        got = date.fromisoformat(parts[3]) if len(parts) == 4 else None
        return _Named(item=int(parts[0]), day=date.fromisoformat(parts[1]), got=got)
    return _Named()


async def _said_now(session: AsyncSession, message: OutboxMessage, tick: Tick) -> Any:
    """The payload of the escalation ``message`` as its planner writes it now; None when it
    would say nothing."""
    named, chat = _named(message.key), message.chat_id
    if named.collection is not None:
        return await reminders.escalation_now(session, named.collection, chat, tick)
    if named.item is not None and named.day is not None:
        return await plan_escalations.escalation_now(
            session, named.item, named.day, named.got, chat, tick
        )
    return None


async def _still_due(session: AsyncSession, message: OutboxMessage, tick: Tick) -> bool:
    """Whether the planner of the escalation ``message`` queues it now, were its key free."""
    named = _named(message.key)
    if named.collection is not None:
        return await reminders.escalation_due(session, named.collection, named.purpose, tick)
    if named.item is not None and named.day is not None:
        return await plan_escalations.escalation_due(
            session, named.item, named.day, named.got, tick
        )
    return False


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
    of: rewritten while they wait; released when they went without them, while their planner
    still queues them (``_still_due``).

    Past that window (a request more than ``OPEN_GRACE_DAYS`` past its deadline, a plan stage
    more than 60 days past, a later escalation due instead) one that went out stays as it is,
    key and text: the record of what its staff or curator were told, and nothing is queued in
    its place. Past the window the bot says nothing more of that request or stage to anyone,
    nor reminds the restored ППО's chair of it: a district specialist told of it now would
    get news of a request long closed, which no reminder follows up, while /export and /plan
    show the restored ППО as not delivered. Released, it was deleted with nothing queued in
    its place: the record lost, and still nobody told."""
    for chat in set(chats):
        for message in await withheld_from(session, chat_id=chat, opened=opened):
            if message.status == OutboxStatus.PENDING:
                await _rewrite(session, message, tick, _withheld(message) - set(opened))
            elif await _still_due(session, message, tick):
                await release(session, [message.id])


async def uncurated(session: AsyncSession, tick: Tick, *, chat: int, org_id: int) -> None:
    """The curatorship of ``chat`` over the ППО ``org_id`` has just ended: the escalations
    waiting for them that list it are rewritten with the ППО they still curate (a successor
    gets their own from the planner); deleted when none of those is late."""
    for message in await listing_curated(session, chat_id=chat, org_id=org_id):
        await _rewrite(session, message, tick, _withheld(message) - {org_id})
