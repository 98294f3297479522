"""The order of two rows to one chat: a row may name the key of the row it must follow
(``OutboxMessage.after_key``: an announcement's file, its text).

As two rows, a text retried after a 429, a 5xx or a dropped connection let its file go first,
and a file reached a chair who never got the text. So a row that follows another is not due
while that one is pending (:func:`not_waiting`, in the claim: a lookup of the unique index on
``key`` for each candidate row that follows one, nothing for the others; in the backlog that
``/health`` shows it is waiting, not due), and when that one
ends unreachable or failed, so does it, with the same error (:func:`fail_followers`, through
the partial index on ``after_key``). One that follows a row already pruned or never queued
goes as any other. One withdrawn with the row it follows while that row's call was on its way
goes after it all the same, unless the recipient is no longer the one it was for
(:func:`follow_after_all`).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.selectable import ScalarSelect

from storage.models import OutboxMessage, OutboxStatus
from storage.outbox_prefix import likely
from storage.outbox_withdraw import NO_LONGER_THEIRS


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
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.after_key == _key_of(message_id),
            # Else SQLite, with no statistics, walks the status index: every pending row.
            likely(OutboxMessage.status == OutboxStatus.PENDING),
        )
        .values(status=status, error=error, claimed_until=None, claimed_by=None)
        .execution_options(synchronize_session=False)
    )


async def follow_after_all(session: AsyncSession, message_id: int) -> None:
    """This row was withdrawn while its call was on its way, and went all the same
    (``storage/outbox_flight.py``): the rows that follow it, withdrawn with it (failed; they
    were never claimed, waiting for it), are pending again, so that the recipient gets the rest
    of what they read (an announcement's file after its text). Not those withdrawn because the
    recipient is no longer the one they were for (``NO_LONGER_THEIRS``): given no more."""
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.after_key == _key_of(message_id),
            likely(OutboxMessage.status == OutboxStatus.FAILED),
            OutboxMessage.error.not_in(sorted(NO_LONGER_THEIRS)),
        )
        .values(status=OutboxStatus.PENDING, error=None)
        .execution_options(synchronize_session=False)
    )


def _key_of(message_id: int) -> ScalarSelect[str]:
    """The key of the row ``message_id``, as a subquery: what its followers name."""
    ended = aliased(OutboxMessage)
    return select(ended.key).where(ended.id == message_id).scalar_subquery()
