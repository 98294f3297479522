"""The outbox: every scheduled message the bot must deliver, one row per message.

A row's ``key`` names its recipient, purpose and period (built by
``storage.outbox_keys.outbox_key``) and is unique, so enqueueing the same message twice (a
restart, a catch-up, a second run of the scheduler) stores it once. Its ``kind``
(:class:`OutboxKind`) says which Bot API call sends it. The deliverer
(``bot/delivery/sender.py``) reads the due rows and records each outcome here.

Life of a row: ``pending`` -> ``sent`` | ``unreachable`` (403, chat not found) |
``failed`` (a permanent error, or too many failed attempts). A transient failure keeps
it ``pending`` with a later ``not_before`` and one more ``attempts``. ``attempts``
counts failed delivery attempts (a successful send does not add one; a 429 "retry
after" does not count at all).

Finished rows are pruned after a while (``bot/domain/housekeeping.py`` says when and which keys
must stay): :func:`finished_before` finds them, :func:`delete_messages` removes them.

Every function works inside the caller's transaction and never commits; keep those
transactions short (one message's outcome per transaction).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, OutboxStatus, Person


class OutboxKind(StrEnum):
    """How a row is sent: a text message, or a file rendered at send time by the renderer
    registered for its kind (``bot/delivery/digests.py``). Stored as the value."""

    TEXT = "text"
    DIGEST_CHART = "digest_chart"
    DIGEST_TABLE = "digest_table"
    PLAN_REVIEW = "plan_review"


#: Room for an error text in ``outbox.error`` (the column holds 500 characters).
ERROR_LENGTH = 500


def _clip(error: str) -> str:
    error = " ".join(error.split())
    return error if len(error) <= ERROR_LENGTH else error[: ERROR_LENGTH - 1] + "…"


async def enqueue(
    session: AsyncSession,
    *,
    key: str,
    chat_id: int,
    kind: OutboxKind,
    payload: dict[str, Any],
    not_before: datetime,
    now: datetime,
) -> bool:
    """Insert a pending message unless one with ``key`` exists; True if inserted.

    Portable insert-if-absent: a lookup first (the common "already there" case costs no
    failed insert), then the insert inside a SAVEPOINT, so that a concurrent transaction
    that inserted the same key first (PostgreSQL; SQLite serialises writers) makes this
    one return False instead of spoiling the caller's transaction.
    """
    existing = await session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key))
    if existing is not None:
        return False
    try:
        async with session.begin_nested():
            session.add(
                OutboxMessage(
                    key=key,
                    chat_id=chat_id,
                    kind=kind,
                    payload=payload,
                    status=OutboxStatus.PENDING,
                    attempts=0,
                    not_before=not_before,
                    created_at=now,
                )
            )
    except IntegrityError:
        return False
    return True


async def get(session: AsyncSession, message_id: int) -> OutboxMessage | None:
    return await session.get(OutboxMessage, message_id)


async def by_key(session: AsyncSession, key: str) -> OutboxMessage | None:
    return (await session.scalars(select(OutboxMessage).where(OutboxMessage.key == key))).first()


async def due(session: AsyncSession, *, now: datetime, limit: int) -> list[OutboxMessage]:
    """Pending messages whose ``not_before`` has come, oldest first (then in enqueue order)."""
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.not_before <= now)
        .order_by(OutboxMessage.not_before, OutboxMessage.id)
        .limit(limit)
    )
    return list((await session.scalars(stmt)).all())


async def next_due_at(session: AsyncSession) -> datetime | None:
    """The earliest ``not_before`` among pending messages (None when nothing is pending)."""
    return await session.scalar(
        select(func.min(OutboxMessage.not_before)).where(
            OutboxMessage.status == OutboxStatus.PENDING
        )
    )


@dataclass(frozen=True)
class Backlog:
    """What the sender has yet to do, for monitoring: all pending rows, those already due, and
    since when the longest-waiting due one could have gone (None when none is due)."""

    pending: int
    due: int
    oldest_due_at: datetime | None


async def backlog(session: AsyncSession, *, now: datetime) -> Backlog:
    """The outbox backlog in one query (a message deferred to later is pending, not late)."""
    is_due = OutboxMessage.not_before <= now
    row = (
        await session.execute(
            select(
                func.count(),
                func.count().filter(is_due),
                func.min(OutboxMessage.not_before).filter(is_due),
            ).where(OutboxMessage.status == OutboxStatus.PENDING)
        )
    ).one()
    return Backlog(pending=row[0], due=row[1], oldest_due_at=row[2])


async def _finish(
    session: AsyncSession,
    message_id: int,
    *,
    status: OutboxStatus,
    sent_at: datetime | None,
    error: str | None,
    failed_attempt: bool,
) -> bool:
    values: dict[str, Any] = {"status": status, "sent_at": sent_at, "error": error}
    if failed_attempt:
        values["attempts"] = OutboxMessage.attempts + 1
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.PENDING)
        .values(**values)
    )
    return bool(getattr(result, "rowcount", 0))


async def mark_sent(session: AsyncSession, message_id: int, now: datetime) -> bool:
    """Record a delivered message; False if it was not pending any more."""
    return await _finish(
        session,
        message_id,
        status=OutboxStatus.SENT,
        sent_at=now,
        error=None,
        failed_attempt=False,
    )


async def mark_unreachable(
    session: AsyncSession, message_id: int, now: datetime, error: str
) -> bool:
    """The recipient cannot be reached (blocked the bot, deactivated, chat not found).

    Also marks the person whose ``tg_user_id`` is the message's chat as unreachable since
    ``now`` (kept if already set), so the digest can show it. False if not pending.
    """
    changed = await _finish(
        session,
        message_id,
        status=OutboxStatus.UNREACHABLE,
        sent_at=None,
        error=_clip(error),
        failed_attempt=True,
    )
    chat_id = await session.scalar(
        select(OutboxMessage.chat_id).where(OutboxMessage.id == message_id)
    )
    if chat_id is not None:
        await session.execute(
            update(Person)
            .where(Person.tg_user_id == chat_id, Person.unreachable_at.is_(None))
            .values(unreachable_at=now)
        )
    return changed


async def mark_failed(session: AsyncSession, message_id: int, now: datetime, error: str) -> bool:
    """Give up on a message: a permanent error (400-type, renderer failure) or too many
    failed attempts. ``now`` is accepted for symmetry; the row keeps no failure time."""
    return await _finish(
        session,
        message_id,
        status=OutboxStatus.FAILED,
        sent_at=None,
        error=_clip(error),
        failed_attempt=True,
    )


async def reschedule(
    session: AsyncSession, message_id: int, *, not_before: datetime, error: str
) -> bool:
    """A transient failure: try again at ``not_before``; ``attempts`` += 1."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.PENDING)
        .values(not_before=not_before, error=_clip(error), attempts=OutboxMessage.attempts + 1)
    )
    return bool(getattr(result, "rowcount", 0))


async def mark_reachable(session: AsyncSession, tg_user_id: int) -> bool:
    """The person wrote to the bot again: clear ``Person.unreachable_at``; True if it was set.

    Messages already marked unreachable stay so (they are stale by now).
    """
    result = await session.execute(
        update(Person)
        .where(Person.tg_user_id == tg_user_id, Person.unreachable_at.is_not(None))
        .values(unreachable_at=None)
    )
    return bool(getattr(result, "rowcount", 0))


async def pending_keys_created_since(session: AsyncSession, since: datetime) -> list[str]:
    """Keys of messages queued at or after ``since`` and not yet delivered."""
    stmt = select(OutboxMessage.key).where(
        OutboxMessage.created_at >= since, OutboxMessage.status == OutboxStatus.PENDING
    )
    return list((await session.scalars(stmt)).all())


async def by_prefix(session: AsyncSession, prefix: str) -> list[OutboxMessage]:
    """Messages whose key starts with ``prefix`` (one announcement, one digest...)."""
    stmt = select(OutboxMessage).where(OutboxMessage.key.startswith(prefix, autoescape=True))
    return list((await session.scalars(stmt)).all())


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
