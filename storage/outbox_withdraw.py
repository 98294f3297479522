"""Messages to a chair withdrawn before they go out, when they no longer concern them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, OutboxStatus
from storage.outbox_keys import org_of_key


async def withdraw_about(session: AsyncSession, *, chat_id: int, org_id: int, reason: str) -> int:
    """What still waits to go to ``chat_id`` about the ППО ``org_id`` (reminders, an
    agreement's notice, a district event's, a plan item's) will not go out: its chair was
    replaced, or it was archived. Marked FAILED with ``reason``; the keys stay taken, so
    nothing of it is queued to that chat again. Returns how many."""
    pending = await session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.chat_id == chat_id, OutboxMessage.status == OutboxStatus.PENDING
        )
    )
    about = [message for message in pending if org_of_key(message.key) == org_id]
    for message in about:
        message.status, message.error = OutboxStatus.FAILED, reason
    return len(about)
