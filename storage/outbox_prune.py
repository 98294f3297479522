"""Pruning the outbox: finished messages old enough to go (``bot.domain.housekeeping``).

Each status is walked on its own, through an index led by the status and the moment its
retention counts from, in that order: a batch reads only rows past their retention, never
the rows still kept (a walk by id did: the last batch of a night read every kept row, with
SQLite's write lock held).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from storage.models import OutboxMessage, OutboxStatus

_SINCE: dict[OutboxStatus, InstrumentedAttribute[Any]] = {
    OutboxStatus.SENT: OutboxMessage.sent_at,  # ix_outbox_status_sent
    OutboxStatus.UNREACHABLE: OutboxMessage.not_before,  # the last attempt; ix_outbox_status_due
    OutboxStatus.FAILED: OutboxMessage.not_before,
}
PRUNED_STATUSES = tuple(_SINCE)
"""Pending messages are never pruned."""


@dataclass(frozen=True)
class Finished:
    """A finished message past its retention; ``cursor``: where the next batch starts after."""

    id: int
    key: str
    cursor: tuple[datetime, int]


async def finished_before(
    session: AsyncSession,
    *,
    status: OutboxStatus,
    before: datetime,
    after: tuple[datetime, int] | None,
    limit: int,
) -> list[Finished]:
    """Up to ``limit`` messages of ``status`` sent (or, given up, last tried) before
    ``before``, oldest first, after the ``cursor`` of the previous batch."""
    since = _SINCE[status]
    stmt = select(OutboxMessage.id, OutboxMessage.key, since).where(
        OutboxMessage.status == status, since < before
    )
    if after is not None:
        stmt = stmt.where(tuple_(since, OutboxMessage.id) > tuple_(*after))
    stmt = stmt.order_by(since, OutboxMessage.id).limit(limit)
    rows = (await session.execute(stmt)).all()
    return [Finished(int(id_), str(key), (moment, int(id_))) for id_, key, moment in rows]


async def delete_messages(
    session: AsyncSession, ids: Collection[int], *, status: OutboxStatus, before: datetime
) -> int:
    """Delete these messages if they are still of ``status`` and past ``before`` (a retry or a
    send may have changed them since they were read); returns how many were deleted."""
    if not ids:
        return 0
    result = await session.execute(
        delete(OutboxMessage)
        .where(
            OutboxMessage.id.in_(list(ids)),
            OutboxMessage.status == status,
            _SINCE[status] < before,
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
