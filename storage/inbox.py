"""The durable inbox: updates written down before Telegram is told they arrived.

Polling (``bot/wiring/inbox.py``) stores each batch ``getUpdates`` returns here in one short
transaction and only then confirms it; each update is removed once handled. What is still
here at a start was received and never finished: it is handled first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import InboxUpdate


@dataclass(frozen=True)
class ReceivedUpdate:
    """An update as received: its id, whose turn it takes (the chat key) and its JSON."""

    update_id: int
    chat_key: int
    raw: str


async def store_received(
    session: AsyncSession, updates: Sequence[ReceivedUpdate], now: datetime
) -> None:
    """Write a batch down; an update already there (received again after a restart that
    came before its confirmation) is left as it is."""
    if not updates:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    rows = [
        {"update_id": u.update_id, "chat_key": u.chat_key, "raw": u.raw, "received_at": now}
        for u in updates
    ]
    insert = dialect.insert(InboxUpdate).values(rows).on_conflict_do_nothing()
    await session.execute(insert)


async def pending(session: AsyncSession) -> list[ReceivedUpdate]:
    """Every update received and not handled yet, oldest first."""
    rows = await session.execute(
        select(InboxUpdate.update_id, InboxUpdate.chat_key, InboxUpdate.raw).order_by(
            InboxUpdate.update_id
        )
    )
    return [ReceivedUpdate(update_id, chat_key, raw) for update_id, chat_key, raw in rows]


async def remove(session: AsyncSession, update_id: int) -> None:
    """The update was handled: it leaves the inbox."""
    await session.execute(delete(InboxUpdate).where(InboxUpdate.update_id == update_id))
