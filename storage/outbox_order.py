"""The order of two rows to one chat: a row may name the key of the row it must follow
(``OutboxMessage.after_key``: an announcement's file, its text).

As two rows, a text retried after a 429, a 5xx or a dropped connection let its file go first,
and a file reached a chair who never got the text. So a row that follows another is not due
while that one is pending (:func:`not_waiting`, in the claim: a lookup of the unique index on
``key`` for each candidate row that follows one, nothing for the others; in the backlog that
``/health`` shows it is waiting, not due), and when that one
ends unreachable or failed, so does it, with the same error (:func:`fail_followers`, through
the partial index on ``after_key``). One that follows a row already pruned or never queued
goes as any other.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import OutboxMessage, OutboxStatus
from storage.outbox_prefix import likely


def not_waiting() -> ColumnElement[bool]:
    """A row that follows no row still pending: the one it follows sent, failed, or gone.

    No ``after_key IS NULL OR`` in front (a NULL equals no key): with it, PostgreSQL cannot
    make this an anti-join and hashes every pending key at each claim."""
    before = aliased(OutboxMessage)
    return ~exists().where(
        before.key == OutboxMessage.after_key, before.status == OutboxStatus.PENDING
    )


async def fail_followers(
    session: AsyncSession, message_id: int, *, status: OutboxStatus, error: str | None
) -> None:
    """The pending rows that follow this one end as it did: a chair who never got the text
    gets no file after it, and a delivery report counts the two alike."""
    ended = aliased(OutboxMessage)
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.after_key
            == select(ended.key).where(ended.id == message_id).scalar_subquery(),
            # Else SQLite, with no statistics, walks the status index: every pending row.
            likely(OutboxMessage.status == OutboxStatus.PENDING),
        )
        .values(status=status, error=error, claimed_until=None, claimed_by=None)
        .execution_options(synchronize_session=False)
    )
