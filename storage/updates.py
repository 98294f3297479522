"""Update de-duplication: an update redelivered after a crash is applied once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ProcessedUpdate


async def was_applied(session: AsyncSession, update_id: int) -> bool:
    """True if the update was applied before (a read: takes no write lock)."""
    seen = await session.scalar(
        select(ProcessedUpdate.update_id).where(ProcessedUpdate.update_id == update_id)
    )
    return seen is not None


async def claim_update(session: AsyncSession, update_id: int, now: datetime) -> bool:
    """Mark the update as processed inside the current transaction; False if it already was."""
    if await was_applied(session, update_id):
        return False
    session.add(ProcessedUpdate(update_id=update_id, processed_at=now))
    await session.flush()
    return True


async def forget_updates_before(
    session: AsyncSession, cutoff: datetime, *, limit: int | None = None
) -> int:
    """Forget update ids processed before ``cutoff`` (at most ``limit`` of them); how many.

    A batch is read first, then deleted by its ids, through the primary key. It was one
    ``DELETE … WHERE update_id IN (SELECT … LIMIT n)``, which PostgreSQL joined by hashing the
    batch and reading the whole table against it: on a table of a few days' updates the
    planner reckons a sequential scan cheaper than n probes of the key."""
    old = ProcessedUpdate.processed_at < cutoff
    if limit is not None:
        batch = await session.scalars(select(ProcessedUpdate.update_id).where(old).limit(limit))
        old = ProcessedUpdate.update_id.in_(batch.all())
    result = await session.execute(delete(ProcessedUpdate).where(old))
    return int(getattr(result, "rowcount", 0) or 0)
