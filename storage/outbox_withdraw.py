"""Queued messages withdrawn before they go out: to a chair no longer concerned, or a digest
that a newer one replaces."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, OutboxStatus
from storage.outbox_keys import KeyPurpose, org_of_key, outbox_key_prefix
from storage.outbox_prefix import keys_starting
from storage.plans import item_scopes

ROLE_ENDED = "role ended"
ARCHIVED = "archived"
ERASED = "cancelled: recipient erased"
"""Why a message was withdrawn, kept as its error (``bot.texts.announcements.WITHDRAWN``)."""
NO_LONGER_THEIRS = frozenset({ROLE_ENDED, ERASED})
"""Withdrawals because the recipient is no longer the person the message was for (the chair
replaced, the person erased), not because its matter closed: of a message that went all the
same, the rest (an announcement's file) does not follow (``outbox_order.follow_after_all``)."""
CURATED = "curated"
"""The payload entry of a curator's escalation: the ids of the ППО it lists."""
SCOPE = "scope"
"""The payload entry of a staff member's escalation: the district or region it is about, which
a plan item's key does not name (``plan-late:item:deadline:recipient``, kept so that one
queued before the entry was added is not queued again)."""
LISTED = "listed"
"""The payload entry of a staff member's escalation: the ids of the ППО it lists, so that one
of a region, or of a district, stops naming a ППО closed under it (``listing_closed``)."""
WITHHELD = "withheld"
"""The payload entry of an escalation an archiving rewrote: the ids of the ППО it took out of
it, so that restoring one of them puts them back (``withheld_from``)."""
_ESCALATIONS = (KeyPurpose.REMINDER.value, KeyPurpose.PLAN_ESCALATION.value)


async def _pending_to(session: AsyncSession, chat_id: int) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).where(
        OutboxMessage.chat_id == chat_id, OutboxMessage.status == OutboxStatus.PENDING
    )
    return list((await session.scalars(stmt)).all())


async def _staff_scopes(session: AsyncSession, messages: Iterable[OutboxMessage]) -> dict[int, int]:
    """The district or region each staff member's escalation among ``messages`` is about, by
    message id: named in its payload, or, in one queued before it was, read off its key (a
    monitoring escalation's names the scope; a plan item's names the item, whose plan's scope
    it is), so that older ones are withdrawn with the rest. Curators' (their payload lists
    what they curate) are left out; a chair's reminder gives its ППО, which is no scope."""
    scopes: dict[int, int] = {}
    items: dict[int, int] = {}
    for message in messages:
        payload = message.payload or {}
        purpose, _, rest = message.key.partition(":")
        if purpose not in _ESCALATIONS or CURATED in payload:
            continue
        if isinstance(named := payload.get(SCOPE), int):
            scopes[message.id] = named
        elif purpose == KeyPurpose.REMINDER and (scope := org_of_key(message.key)) is not None:
            scopes[message.id] = scope
        elif (item := rest.partition(":")[0]).isdecimal():
            items[message.id] = int(item)
    if items:
        of_item = await item_scopes(session, set(items.values()))
        scopes |= {key: of_item[item] for key, item in items.items() if item in of_item}
    return scopes


async def _delete(session: AsyncSession, message_ids: list[int]) -> None:
    if message_ids:
        await session.execute(
            delete(OutboxMessage)
            .where(OutboxMessage.id.in_(message_ids))
            .execution_options(synchronize_session=False)
        )


async def withdraw_about(session: AsyncSession, *, chat_id: int, org_id: int, reason: str) -> int:
    """What still waits to go to ``chat_id`` about the organization ``org_id`` will not go out:
    to a ППО's chair (reminders, an agreement's notice, a district event's, a plan item's, a
    report sent back, an announcement), its chair replaced or the ППО archived; to a district's
    or region's staff (its digest, its late ППО's escalation, its plans' review), the person
    taken off its staff or the scope archived (a plan item's escalation, named in its payload,
    or by its item's plan: ``_staff_scopes``). Marked FAILED with ``reason``; the keys stay
    taken, so nothing of it is queued to that chat again (an archiving deletes the chair's
    monitoring reminders first: ``drop_reminders_about``). Returns how many."""
    pending = await _pending_to(session, chat_id)
    scopes = await _staff_scopes(session, pending)
    about = [m for m in pending if org_id in (org_of_key(m.key), scopes.get(m.id))]
    for message in about:
        message.status, message.error = OutboxStatus.FAILED, reason
    return len(about)


_REPLANNED = (KeyPurpose.REMINDER, KeyPurpose.PLAN_REMINDER, KeyPurpose.AGREEMENT)
"""A chair's reminders whose planners queue them again while they are due: of the monitoring,
of a plan item, of a collective agreement's end."""


async def drop_reminders_about(session: AsyncSession, *, chat_id: int, org_id: int) -> None:
    """The reminders (``_REPLANNED``) still waiting for ``chat_id``, the chair of the ППО
    ``org_id`` just closed, are deleted, not withdrawn: their keys are freed. The planners
    remind no chair of a closed ППО, and after a restore remind them of what is still due, as
    if it had never been closed; one delivered before keeps its key and is not sent again. A
    kept key would leave them unreminded until the collection's end, a plan item's deadline,
    an agreement's end (as a pause drops the latter two: ``storage.reminder_pause``)."""
    pending = await _pending_to(session, chat_id)
    reminders = [
        m.id
        for m in pending
        if m.key.partition(":")[0] in _REPLANNED and org_of_key(m.key) == org_id
    ]
    await _delete(session, reminders)


async def listing_curated(
    session: AsyncSession, *, chat_id: int, org_id: int
) -> list[OutboxMessage]:
    """The escalations still waiting to go to ``chat_id`` as a curator that list the ППО
    ``org_id``: its curatorship ended, they are rewritten
    (``bot.domain.archived_escalations.uncurated``)."""
    pending = await _pending_to(session, chat_id)
    return [m for m in pending if org_id in (m.payload or {}).get(CURATED, ())]


async def drop_escalations_about(session: AsyncSession, *, chat_id: int, scope_id: int) -> None:
    """The staff escalations still waiting for ``chat_id`` about the district or region
    ``scope_id`` (``_staff_scopes``), just archived, are deleted, not withdrawn: the key is
    freed. Its planner queues nothing about a closed scope, and once it is restored queues
    the escalation again while it is due, as if it had not been closed."""
    pending = await _pending_to(session, chat_id)
    scopes = await _staff_scopes(session, pending)
    await _delete(session, [m.id for m in pending if scopes.get(m.id) == scope_id])


async def listing_closed(
    session: AsyncSession, *, chat_id: int, closed: Collection[int], above: Collection[int]
) -> list[OutboxMessage]:
    """The escalations still waiting for ``chat_id`` that list a ППО just closed (``closed``):
    a curator's, or a staff member's at a scope wider than what was archived (``above``: the
    district and region over it). One queued before its payload listed the ППО cannot tell,
    and is among them when it is about one of ``above``."""
    pending = await _pending_to(session, chat_id)
    scopes = await _staff_scopes(session, pending)

    def names_closed(message: OutboxMessage) -> bool:
        payload = message.payload or {}
        listed = payload.get(CURATED, payload.get(LISTED))
        if isinstance(listed, list):
            return not set(closed).isdisjoint(listed)
        return scopes.get(message.id) in above

    return [
        m for m in pending if (m.id in scopes or CURATED in (m.payload or {})) and names_closed(m)
    ]


async def withheld_from(
    session: AsyncSession, *, chat_id: int, opened: Collection[int]
) -> list[OutboxMessage]:
    """The escalations to ``chat_id``, waiting or sent, out of which an archiving took one of
    the ППО ``opened`` (payload ``WITHHELD``). The sent ones are read by their keys' ranges
    (the unique index on ``key``): no index leads by the chat, and the sent rows of every
    chat are most of the outbox."""
    rows = await _pending_to(session, chat_id)
    for purpose in _ESCALATIONS:
        sent = keys_starting(KeyPurpose(purpose), status=OutboxStatus.SENT)
        stmt = select(OutboxMessage).where(sent, OutboxMessage.chat_id == chat_id)
        rows += (await session.scalars(stmt)).all()
    return [m for m in rows if not set(opened).isdisjoint((m.payload or {}).get(WITHHELD, ()))]


def rewrite(message: OutboxMessage, payload: dict[str, Any]) -> None:
    """The waiting ``message`` will say ``payload``. A sender that claimed it with what it said
    before loses the claim (``withdrawn``) rather than send that, and it is due again at once,
    to be sent as it is now; one whose call is already on its way records it as it went
    (``outbox.mark_sent``)."""
    message.payload = payload
    message.claimed_by, message.claimed_until = None, None


async def release(session: AsyncSession, message_ids: list[int]) -> None:
    """Delete these messages, their keys freed: their planner queues them again while they are
    due, saying what is true then."""
    await _delete(session, message_ids)


async def withdraw_earlier_digests(
    session: AsyncSession, *, chat_id: int, scope_id: int, due_on: date
) -> int:
    """The digests of ``scope_id`` to ``chat_id`` that fell due before ``due_on`` and still
    wait (one held over the New Year holidays until the day the next one falls due): the newer
    digest speaks for both. Returns how many parts were withdrawn."""
    prefix = outbox_key_prefix(KeyPurpose.DIGEST, scope_id)
    pending = await session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.chat_id == chat_id,
            keys_starting(KeyPurpose.DIGEST, scope_id, status=OutboxStatus.PENDING),
        )
    )
    day = due_on.isoformat()
    earlier = [m for m in pending if m.key.removeprefix(prefix).partition(":")[0] < day]
    for message in earlier:
        message.status, message.error = OutboxStatus.FAILED, "superseded"
    return len(earlier)


async def last_sent_digest_day(
    session: AsyncSession, *, chat_id: int, scope_id: int, before: date
) -> date | None:
    """The day the latest digest of ``scope_id`` that reached ``chat_id`` fell due, before
    ``before``: where the next digest's events start, so that none is told twice and none
    is lost with a digest withdrawn or never delivered. None when no such digest is kept."""
    prefix = outbox_key_prefix(KeyPurpose.DIGEST, scope_id)
    sent = await session.scalars(
        select(OutboxMessage.key).where(
            OutboxMessage.chat_id == chat_id,
            keys_starting(KeyPurpose.DIGEST, scope_id, status=OutboxStatus.SENT),
        )
    )
    days = [key.removeprefix(prefix).partition(":")[0] for key in sent]
    earlier = [day for day in days if day < before.isoformat()]
    return date.fromisoformat(max(earlier)) if earlier else None


async def withdrawn(session: AsyncSession, message_id: int, holder: str) -> bool:
    """Whether a row ``holder`` claimed is no longer its to send: withdrawn (marked FAILED),
    deleted, or claimed by another sender since."""
    row = await session.get(OutboxMessage, message_id)
    return row is None or row.status != OutboxStatus.PENDING or row.claimed_by != holder
