"""Queued messages withdrawn before they go out: to a chair no longer concerned, or a digest
that a newer one replaces."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, OutboxStatus
from storage.outbox_keys import KeyPurpose, org_of_key, outbox_key_prefix
from storage.outbox_prefix import keys_starting

ROLE_ENDED = "role ended"
ARCHIVED = "archived"
"""Why a message was withdrawn, kept as its error (``bot.texts.announcements.WITHDRAWN``)."""
CURATED = "curated"
"""The payload entry of a curator's escalation: the ids of the ППО it lists."""
SCOPE = "scope"
"""The payload entry of a staff member's escalation: the district or region it is about, which
a plan item's key does not name (``plan-late:item:deadline:recipient``, kept so that one
queued before the entry was added is not queued again)."""


async def withdraw_about(session: AsyncSession, *, chat_id: int, org_id: int, reason: str) -> int:
    """What still waits to go to ``chat_id`` about the organization ``org_id`` will not go out:
    to a ППО's chair (reminders, an agreement's notice, a district event's, a plan item's, a
    report sent back, an announcement), its chair replaced or the ППО archived; to a district's
    or region's staff (its digest, its late ППО's escalation, its plans' review), the person
    taken off its staff or the scope archived (a plan item's escalation, named in its payload:
    one queued before that was named goes out). Marked FAILED with ``reason``; the keys stay
    taken, so nothing of it is queued to that chat again. Returns how many."""
    pending = await session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.chat_id == chat_id, OutboxMessage.status == OutboxStatus.PENDING
        )
    )
    about = [
        message
        for message in pending
        if org_of_key(message.key) == org_id or (message.payload or {}).get(SCOPE) == org_id
    ]
    for message in about:
        message.status, message.error = OutboxStatus.FAILED, reason
    return len(about)


async def drop_curated(session: AsyncSession, *, chat_id: int, org_id: int) -> int:
    """The escalations still waiting to go to ``chat_id`` as a curator that list the ППО
    ``org_id`` are deleted: its curatorship ended or it was archived. Deleted, not withdrawn:
    the key is freed, so the escalation's planner queues it afresh while it is due, with the
    ППО the person still curates (none: nothing), as pausing drops plan reminders. A
    successor's own escalation has a key of its own. Returns how many."""
    pending = await session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.chat_id == chat_id, OutboxMessage.status == OutboxStatus.PENDING
        )
    )
    listing = [m.id for m in pending if org_id in (m.payload or {}).get(CURATED, ())]
    if listing:
        await session.execute(
            delete(OutboxMessage)
            .where(OutboxMessage.id.in_(listing))
            .execution_options(synchronize_session=False)
        )
    return len(listing)


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
