"""Housekeeping: the outbox, the processed update ids and the invites do not grow forever.

Run by the nightly job. Retention (documented in the README):

* a sent message is deleted :data:`SENT_KEPT` (61 days) after it was sent;
* an unreachable or failed one :data:`GIVEN_UP_KEPT` (90 days) after its last attempt: kept
  longer, as the trace of what went wrong;
* a processed update id :data:`PROCESSED_UPDATES_KEPT` (2 days) after it was applied:
  Telegram redelivers an unconfirmed update for at most 24 hours;
* an invite :data:`INVITES_KEPT` (a year) after it expired (``storage/invite_prune.py``);
  one used or replaced stopped working earlier and goes up to its lifetime (``INVITE_TTL_DAYS``)
  later. Until then a person tapping it again is told it was used, or that they joined with
  it; after, it is an unknown code, whose answer says how to get a new one;
* a pending message never; the audit log is the record and is never pruned.

Outbox keys are also what makes a message go out once, so a row is kept while its key still
guards something. A reminder's key (``remind:{collection}:...``) guards as long as its
collection may still be reminded: until ``OPEN_GRACE_DAYS`` after its deadline. Such rows are
kept however old, instead of a retention longer than any open period: a one-off request may
stay open for more than a year (a deadline up to a year ahead plus the grace month), and a
retention that long would keep every other row for a year as well. Every other key guards for
at most :data:`SENT_KEPT`: an agreement's notice while the agreement is «expiring» (60 days
before its end), a plan item's escalation while it is overdue and still looked at (60 days),
a digest for its catch-up window (6 days), an announcement and its delivery report for the
reporting window (7 days), a catch-up notice and a returned report only at the moment they
are queued.

Deleting goes in batches of :data:`PRUNE_BATCH` rows, each its own short transaction that reads
only rows past their retention (through an index, ``storage/outbox_prune.py``), so the write
lock is never held for long, however many rows are kept.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.passport_report import AGREEMENT_NOTICE
from bot.domain.plan_escalations import LOOK_BACK as PLAN_LOOK_BACK
from storage import invite_prune, outbox_prune
from storage.collections import OPEN_GRACE_DAYS
from storage.models import Collection, OutboxStatus
from storage.outbox_keys import KeyPurpose
from storage.updates import forget_updates_before

log = logging.getLogger(__name__)

SENT_KEPT = max(AGREEMENT_NOTICE, PLAN_LOOK_BACK) + timedelta(days=1)
"""A sent notice's row is the only record that it was given: deleted earlier, the agreement's
or the overdue plan item's notice would be queued again a month after the first."""
GIVEN_UP_KEPT = timedelta(days=90)
PROCESSED_UPDATES_KEPT = timedelta(days=2)
INVITES_KEPT = timedelta(days=365)
"""A link tapped again months later is still told apart from a mistyped one; after a year the
row (who used it, when) is no record anyone reads: the audit log keeps the role's grant."""
PRUNE_BATCH = 500


async def _guarding_collections(session: AsyncSession, now: datetime) -> set[int]:
    """Collections that may still be reminded (the window of ``open_collections``, archived
    scopes included: a restored one is reminded again)."""
    still_open = now.date() - timedelta(days=OPEN_GRACE_DAYS)
    stmt = select(Collection.id).where(Collection.deadline >= still_open)
    return set((await session.scalars(stmt)).all())


def _guards(key: str, collections: set[int]) -> bool:
    """Whether ``key`` is a reminder key (:attr:`KeyPurpose.REMINDER`) of one of
    ``collections``."""
    purpose, _, rest = key.partition(":")
    collection_id = rest.partition(":")[0]
    return (
        purpose == KeyPurpose.REMINDER
        and collection_id.isdigit()
        and int(collection_id) in collections
    )


async def prune_outbox(
    session_pool: async_sessionmaker[AsyncSession], now: datetime, *, batch: int = PRUNE_BATCH
) -> int:
    """Delete the outbox rows past their retention whose key guards nothing; how many."""
    async with session_pool() as session:
        guarding = await _guarding_collections(session, now)
    deleted = 0
    for status in outbox_prune.PRUNED_STATUSES:
        kept = SENT_KEPT if status is OutboxStatus.SENT else GIVEN_UP_KEPT
        deleted += await _prune(session_pool, status, now - kept, guarding, batch)
    return deleted


async def _prune(
    session_pool: async_sessionmaker[AsyncSession],
    status: OutboxStatus,
    before: datetime,
    guarding: set[int],
    batch: int,
) -> int:
    """The rows of ``status`` older than ``before``, a batch per short transaction; the
    guarding ones are read and stepped over, never read again in the same night."""
    deleted, after = 0, None
    while True:
        async with session_pool() as session, session.begin():
            rows = await outbox_prune.finished_before(
                session, status=status, before=before, after=after, limit=batch
            )
            if not rows:
                return deleted
            after = rows[-1].cursor
            unguarded = [row.id for row in rows if not _guards(row.key, guarding)]
            deleted += await outbox_prune.delete_messages(
                session, unguarded, status=status, before=before
            )


async def forget_processed_updates(
    session_pool: async_sessionmaker[AsyncSession], now: datetime, *, batch: int = PRUNE_BATCH
) -> int:
    """Forget the update ids past their retention, a batch per transaction; how many."""
    cutoff = now - PROCESSED_UPDATES_KEPT
    return await _in_batches(
        session_pool, lambda session: forget_updates_before(session, cutoff, limit=batch), batch
    )


async def prune_invites(
    session_pool: async_sessionmaker[AsyncSession], now: datetime, *, batch: int = PRUNE_BATCH
) -> int:
    """Delete the invites past their retention, a batch per transaction; how many."""
    cutoff = now - INVITES_KEPT
    return await _in_batches(
        session_pool,
        lambda session: invite_prune.delete_expired_before(session, cutoff, limit=batch),
        batch,
    )


async def _in_batches(
    session_pool: async_sessionmaker[AsyncSession],
    delete_batch: Callable[[AsyncSession], Awaitable[int]],
    batch: int,
) -> int:
    """``delete_batch`` in a short transaction each until one deletes fewer than ``batch``."""
    deleted = 0
    while True:
        async with session_pool() as session, session.begin():
            count = await delete_batch(session)
        deleted += count
        if count < batch:
            return deleted
