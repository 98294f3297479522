"""Pruning the outbox: finished messages old enough to go (``bot.domain.housekeeping``)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, OutboxStatus


async def finished_before(
    session: AsyncSession,
    *,
    sent_before: datetime,
    given_up_before: datetime,
    after_id: int,
    limit: int,
) -> list[tuple[int, str]]:
    """``(id, key)`` of up to ``limit`` finished messages old enough to prune, by id after
    ``after_id``: sent before ``sent_before``, or unreachable / failed with their last attempt
    (``not_before``) before ``given_up_before``. Pending messages are never among them."""
    stmt = (
        select(OutboxMessage.id, OutboxMessage.key)
        .where(
            OutboxMessage.id > after_id,
            or_(
                and_(
                    OutboxMessage.status == OutboxStatus.SENT,
                    OutboxMessage.sent_at < sent_before,
                ),
                and_(
                    OutboxMessage.status.in_([OutboxStatus.UNREACHABLE, OutboxStatus.FAILED]),
                    OutboxMessage.not_before < given_up_before,
                ),
            ),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return [(int(row_id), str(key)) for row_id, key in (await session.execute(stmt)).all()]


async def delete_messages(session: AsyncSession, ids: Collection[int]) -> int:
    """Delete these messages unless they are pending; returns how many were deleted."""
    if not ids:
        return 0
    result = await session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.id.in_(list(ids)), OutboxMessage.status != OutboxStatus.PENDING)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
