"""The outbox: every scheduled message the bot must deliver, one row per message.

A row's ``key`` names its recipient, purpose and period (built by
``storage.outbox_keys.outbox_key``) and is unique, so enqueueing the same message twice (a
restart, a catch-up, a second run of the scheduler) stores it once. Its ``kind``
(:class:`OutboxKind`) says which Bot API call sends it. The deliverer
(``bot/delivery/sender.py``) claims the due rows (:func:`claim_due`, a lease) and records
each outcome here.

Leases: a sender takes rows with a lease (``claimed_until``, ``claimed_by``: its process id) and
renews it while they wait in its queue; while a lease runs, the row is due for no other sender, so
two senders that overlap (a leader that has not yet noticed it lost the lead, a network partition)
never send one row at once. Recording an outcome ends the lease; a sender that stops gives its
unsent rows back; a sender that dies leaves its leases to run out, after which its rows are due
again for the next one: a row it had sent but not yet recorded is then sent once more (the sender's
at-least-once window, ``bot/delivery/sender.py``). Leases are on the senders' clocks, like
``not_before``: replicas' clocks must agree (NTP) to well within a lease.

Order: a row may name the key of the row it must follow into its chat (``after_key``: an
announcement's file, its text); ``storage/outbox_order.py`` keeps it behind that row.

Life of a row: ``pending`` -> ``sent`` | ``unreachable`` (403, chat not found) | ``failed`` (a
permanent error, or too many failed attempts). A transient failure keeps it ``pending`` with a
later ``not_before`` and one more ``attempts``. ``attempts`` counts failed delivery attempts (a
successful send does not add one; a 429 "retry after" does not count at all).

Finished rows are pruned after a while (``bot/domain/housekeeping.py`` says when and which keys
must stay): :func:`finished_before` finds them, :func:`delete_messages` removes them.

Every function works inside the caller's transaction and never commits; keep those
transactions short (one message's outcome per transaction).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, OutboxStatus, Person
from storage.outbox_keys import KeyPurpose
from storage.outbox_order import fail_followers, follow_after_all, not_waiting
from storage.outbox_prefix import keys_starting


class OutboxKind(StrEnum):
    """How a row is sent: a text message, a file someone sent the bot (resent by its
    ``file_id``), or a file (or text) rendered at send time by the renderer registered for its
    kind (``bot/delivery/digests.py``). Stored as the value."""

    TEXT = "text"
    DIGEST_TEXT = "digest_text"  # a digest's text, drawn at send time (its key's part: "text")
    DIGEST_CHART = "digest_chart"
    DIGEST_TABLE = "digest_table"
    PLAN_REVIEW = "plan_review"
    FILE = "file"  # a file Telegram holds, sent on by its file_id (an announcement's attachment)


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
    after_key: str | None = None,
) -> bool:
    """Insert a pending message unless one with ``key`` exists; True if inserted. With
    ``after_key``, it goes out only after that row was sent (see the module's «Order»).

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
                    after_key=after_key,
                )
            )
    except IntegrityError:
        return False
    return True


async def get(session: AsyncSession, message_id: int) -> OutboxMessage | None:
    return await session.get(OutboxMessage, message_id)


async def by_key(session: AsyncSession, key: str) -> OutboxMessage | None:
    return (await session.scalars(select(OutboxMessage).where(OutboxMessage.key == key))).first()


async def claim_due(
    session: AsyncSession,
    *,
    now: datetime,
    limit: int,
    holder: str,
    lease: timedelta,
    skip: Collection[int] = (),
) -> list[OutboxMessage]:
    """Take up to ``limit`` due messages to send, oldest first (then in enqueue order), under
    a lease of ``holder`` until ``now + lease``; ``skip``: ids not to take.

    Due: pending, ``not_before`` come, no other sender's lease running, not following a row
    still pending. On PostgreSQL the rows
    are locked ``FOR UPDATE SKIP LOCKED`` until the caller commits, so two senders claiming at
    once take different rows instead of waiting for each other or taking the same; on SQLite
    (one process, one writer) the select is plain. Commit at once: the lease, not the lock,
    keeps the rows from the others afterwards.
    """
    stmt = (
        select(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.not_before <= now,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now),
            not_waiting(),
        )
        .order_by(OutboxMessage.not_before, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if limit <= 0:
        return []
    if skip:
        stmt = stmt.where(OutboxMessage.id.not_in(list(skip)))
    rows = list((await session.scalars(stmt)).all())
    if rows:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_([row.id for row in rows]))
            .values(claimed_until=now + lease, claimed_by=holder)
            .execution_options(synchronize_session=False)
        )
    return rows


async def renew_claims(
    session: AsyncSession, *, holder: str, ids: Collection[int], until: datetime
) -> int:
    """Extend ``holder``'s leases on these pending messages to ``until``; how many it holds."""
    if not ids:
        return 0
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(list(ids)),
            OutboxMessage.claimed_by == holder,
            OutboxMessage.status == OutboxStatus.PENDING,
        )
        .values(claimed_until=until)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def release_claims(session: AsyncSession, *, holder: str, ids: Collection[int]) -> None:
    """Give up ``holder``'s leases on these messages (not sent after all): due again at once."""
    if ids:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(list(ids)), OutboxMessage.claimed_by == holder)
            .values(claimed_until=None, claimed_by=None)
            .execution_options(synchronize_session=False)
        )


def _due_at() -> ColumnElement[datetime]:
    """When a pending message can be taken: its ``not_before``, or its lease's end if later."""
    return case(
        (OutboxMessage.claimed_until > OutboxMessage.not_before, OutboxMessage.claimed_until),
        else_=OutboxMessage.not_before,
    )


async def next_due_at(session: AsyncSession) -> datetime | None:
    """The earliest moment a pending message can be taken (None when nothing is pending); a
    row waiting for the one it follows is taken after that one's moment, not at its own."""
    return await session.scalar(
        select(func.min(_due_at())).where(
            OutboxMessage.status == OutboxStatus.PENDING, not_waiting()
        )
    )


@dataclass(frozen=True)
class Backlog:
    """What the sender has yet to do, for monitoring: all pending rows, those already due, those
    waiting for the row they follow (an announcement's file, for its text: not due whatever
    its time, as no sender may take it yet), and since when the longest-waiting due one could
    have gone (None when none is due)."""

    pending: int
    due: int
    waiting: int
    oldest_due_at: datetime | None


async def backlog(session: AsyncSession, *, now: datetime) -> Backlog:
    """The outbox backlog in one query (a message deferred to later is pending, not late; one
    following a row still pending is waiting, not late: counted as due, a file looked stuck
    for as long as its text was retried)."""
    free = not_waiting()
    is_due = and_(OutboxMessage.not_before <= now, free)
    row = (
        await session.execute(
            select(
                func.count(),
                func.count().filter(is_due),
                func.count().filter(~free),
                func.min(OutboxMessage.not_before).filter(is_due),
            ).where(OutboxMessage.status == OutboxStatus.PENDING)
        )
    ).one()
    return Backlog(pending=row[0], due=row[1], waiting=row[2], oldest_due_at=row[3])


async def _finish(
    session: AsyncSession,
    message_id: int,
    *,
    status: OutboxStatus,
    sent_at: datetime | None,
    error: str | None,
    failed_attempt: bool,
    held_by: str | None = None,
    payload: dict[str, Any] | None = None,
    was: OutboxStatus = OutboxStatus.PENDING,
) -> bool:
    """Finish the row while it is ``was`` (``held_by``: only while that sender holds it),
    ``payload`` written in it when given."""
    values: dict[str, Any] = {
        "status": status,
        "sent_at": sent_at,
        "error": error,
        "claimed_until": None,
        "claimed_by": None,
    } | ({} if payload is None else {"payload": payload})
    if failed_attempt:
        values["attempts"] = OutboxMessage.attempts + 1
    held = () if held_by is None else (OutboxMessage.claimed_by == held_by,)
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == was, *held)
        .values(**values)
    )
    finished = bool(getattr(result, "rowcount", 0))
    if finished and status is not OutboxStatus.SENT:
        await fail_followers(session, message_id, status=status, error=error)
    elif finished and was is OutboxStatus.FAILED:  # withdrawn on its way, it went all the same
        await follow_after_all(session, message_id)
    return finished


async def mark_sent(
    session: AsyncSession, message_id: int, now: datetime, *, holder: str, sent: dict[str, Any]
) -> bool:
    """Record a delivered message; False if it is finished or gone. ``holder`` sent it saying
    ``sent``, and the row may have changed while the call was on its way: rewritten, it gets
    back what went; withdrawn, it is sent all the same, and so may be what follows it
    (``storage/outbox_flight.py``: why)."""
    done = partial(_finish, session, message_id, status=OutboxStatus.SENT, sent_at=now, error=None)
    return (
        await done(failed_attempt=False, held_by=holder)
        or await done(failed_attempt=False, payload=sent)
        or await done(failed_attempt=False, held_by=holder, was=OutboxStatus.FAILED)
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
        await mark_person_unreachable(session, chat_id, now)
    return changed


async def mark_person_unreachable(session: AsyncSession, tg_user_id: int, now: datetime) -> None:
    """The person blocked the bot: unreachable since ``now`` (an earlier mark is kept)."""
    await session.execute(
        update(Person)
        .where(Person.tg_user_id == tg_user_id, Person.unreachable_at.is_(None))
        .values(unreachable_at=now)
    )


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
    session: AsyncSession,
    message_id: int,
    *,
    not_before: datetime,
    error: str,
    outage: bool = False,
) -> bool:
    """A transient failure: try again at ``not_before`` (whoever sends then); ``attempts``
    += 1, and ``outages`` += 1 when the network was down (``outage``)."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.PENDING)
        .values(
            not_before=not_before,
            error=_clip(error),
            attempts=OutboxMessage.attempts + 1,
            outages=OutboxMessage.outages + int(outage),
            claimed_until=None,
            claimed_by=None,
        )
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


async def by_prefix(
    session: AsyncSession, purpose: KeyPurpose, *parts: str | int
) -> list[OutboxMessage]:
    """Messages whose key starts with these parts (one announcement, one chat's copy of it)."""
    stmt = select(OutboxMessage).where(keys_starting(purpose, *parts))
    return list((await session.scalars(stmt)).all())
