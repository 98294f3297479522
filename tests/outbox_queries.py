"""Counting outbox rows, for tests and benchmarks (the bot itself never needs these)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, OutboxStatus


async def pending_count(session: AsyncSession) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.PENDING)
        )
        or 0
    )


async def stats(session: AsyncSession) -> dict[OutboxStatus, int]:
    """How many messages are in each status (every status present, zeros included)."""
    rows = await session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    counts = dict.fromkeys(OutboxStatus, 0)
    for status, count in rows.all():
        counts[OutboxStatus(status)] = int(count)
    return counts


async def sent_since(session: AsyncSession, since: datetime) -> int:
    """How many messages were delivered at or after ``since``."""
    return int(
        await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.SENT, OutboxMessage.sent_at >= since)
        )
        or 0
    )
