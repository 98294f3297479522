"""Telegram's limits shared by every replica on one PostgreSQL database: the call budget.

Three small tables (created by the migration ``e7f8a9b0c1d2``, on PostgreSQL only) hold what
the replicas must agree on; every timestamp is the database server's clock
(``clock_timestamp()``), the one clock they all share:

* ``call_slots``: one row per call allowed in a window (the migration makes 1,000, the
  highest ``DELIVERY__GLOBAL_PER_SECOND`` allowed; a bot limited to N calls a second uses
  slots ``0 .. N-1``). A call takes a free slot and holds
  it from its grant until ``window`` seconds after its release, ``busy_until`` saying when it
  is free again (while in flight: the grant plus a lease, ``grant_id`` set). A slot holds one
  call at a time, so at no moment do more than N calls occupy the window: since Telegram
  sees a call between its grant and its release, no second of Telegram's holds more than N.
* ``call_chats``: per chat, ``busy_until`` (in flight until, by lease) and ``next_at`` (the
  release plus the per-chat spacing). One call in flight per chat; the next one no sooner
  than ``next_at``, unless it is a burst (a reply to someone who just wrote). One small row
  per chat the bot ever wrote to, kept: a chat's spacing is all it holds.
* ``call_pause``: one row, ``paused_until``: a 429 "retry after N" pauses every replica.

A call is granted by one statement: the chat is taken (an upsert that changes the row only
if the chat is free) and, only if it was, the slot released longest ago is taken (``FOR
UPDATE SKIP LOCKED``: acquirers never queue behind each other for a slot). If the chat was
taken but no slot was free, a second statement gives the chat back. The same statement
reads, from the snapshot that refused it, how long to wait: the pause, the chat's spacing,
the soonest slot to come free (a poll interval when only calls in flight could free one).
A release is one statement too. Rows of a process that died in flight are free again when
their lease ends; nothing has to clean them up. No statement holds a transaction open: all
run in autocommit, none across a Telegram call.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

#: How soon to ask again when only a call in flight could free what is needed.
POLL_SECONDS = 0.05

_NOW = "clock_timestamp() AT TIME ZONE 'UTC'"  # columns hold UTC without a zone

_TAKE = text(f"""
WITH clock AS (SELECT {_NOW} AS now),
open AS (
    SELECT clock.now FROM clock
    WHERE NOT EXISTS (SELECT 1 FROM call_pause p WHERE p.paused_until > clock.now)
),
chat AS (
    INSERT INTO call_chats AS c (chat_id, busy_until, next_at, grant_id)
    SELECT :chat_id, open.now + make_interval(secs => :lease), open.now, :grant FROM open
    ON CONFLICT (chat_id) DO UPDATE
    SET busy_until = excluded.busy_until, grant_id = excluded.grant_id
    WHERE c.busy_until <= excluded.next_at AND (:burst OR c.next_at <= excluded.next_at)
    RETURNING c.chat_id
),
slot AS (
    UPDATE call_slots SET
        busy_until = (SELECT now FROM clock) + make_interval(secs => :lease), grant_id = :grant
    WHERE slot = (
        SELECT s.slot FROM call_slots s, clock
        WHERE s.slot < :slots AND s.busy_until <= clock.now AND EXISTS (SELECT 1 FROM chat)
        ORDER BY s.busy_until LIMIT 1 FOR UPDATE OF s SKIP LOCKED
    )
    RETURNING slot
)
SELECT
    (SELECT slot FROM slot) AS slot,
    EXISTS (SELECT 1 FROM chat) AS chat_taken,
    (SELECT extract(epoch FROM p.paused_until - clock.now) FROM call_pause p) AS paused_for,
    (SELECT c.grant_id IS NOT NULL AND c.busy_until > clock.now
       FROM call_chats c WHERE c.chat_id = :chat_id) AS chat_in_flight,
    (SELECT extract(epoch FROM c.next_at - clock.now)
       FROM call_chats c WHERE c.chat_id = :chat_id) AS spaced_for,
    (SELECT extract(epoch FROM min(s.busy_until) - clock.now) FROM call_slots s
       WHERE s.slot < :slots AND (s.grant_id IS NULL OR s.busy_until <= clock.now)) AS slot_in
FROM clock
""")

_GIVE_CHAT_BACK = text(f"""
UPDATE call_chats SET busy_until = {_NOW}, grant_id = NULL
WHERE chat_id = :chat_id AND grant_id = :grant
""")

_RELEASE = text(f"""
WITH clock AS (SELECT {_NOW} AS now),
freed AS (
    UPDATE call_slots SET
        busy_until = (SELECT now FROM clock) + make_interval(secs => :window), grant_id = NULL
    WHERE slot = :slot AND grant_id = :grant
    RETURNING slot
)
UPDATE call_chats SET
    busy_until = (SELECT now FROM clock),
    next_at = (SELECT now FROM clock) + make_interval(secs => :chat_interval),
    grant_id = NULL
WHERE chat_id = :chat_id AND grant_id = :grant
""")

_PAUSE = text(f"""
UPDATE call_pause
SET paused_until = greatest(paused_until, {_NOW} + make_interval(secs => :seconds))
""")


@dataclass(frozen=True)
class Answer:
    """A granted call's ``slot``, or None and how many seconds to ``wait`` before asking
    again."""

    slot: int | None
    wait: float = 0.0


@dataclass(frozen=True)
class Limits:
    """What a call may take: ``slots`` calls per ``window`` seconds, one call to a chat per
    ``chat_interval`` seconds, and the ``lease`` after which a call in flight of a process
    that died no longer counts."""

    slots: int
    window: float
    chat_interval: float
    lease: float


async def take(
    connection: AsyncConnection, limits: Limits, *, chat_id: int, grant: str, burst: bool
) -> Answer:
    """Grant a call to ``chat_id`` under the id ``grant`` if the limits allow it now."""
    row = (
        await connection.execute(
            _TAKE,
            {
                "chat_id": chat_id,
                "grant": grant,
                "burst": burst,
                "slots": limits.slots,
                "lease": limits.lease,
            },
        )
    ).one()
    if row.slot is not None:
        return Answer(int(row.slot))
    if row.chat_taken:
        await connection.execute(_GIVE_CHAT_BACK, {"chat_id": chat_id, "grant": grant})
    waits = [float(row.paused_for or 0.0)]
    if row.chat_in_flight:
        waits.append(POLL_SECONDS)
    elif not burst:
        waits.append(float(row.spaced_for or 0.0))
    waits.append(POLL_SECONDS if row.slot_in is None else float(row.slot_in))
    wait = max(waits)
    # everything looked free: another acquirer held the slot a moment (SKIP LOCKED)
    return Answer(None, wait if wait > 0 else POLL_SECONDS / 5)


async def release(
    connection: AsyncConnection, limits: Limits, *, chat_id: int, grant: str, slot: int
) -> None:
    """The call returned: its slot stays busy for the window, its chat spaced."""
    await connection.execute(
        _RELEASE,
        {
            "chat_id": chat_id,
            "grant": grant,
            "slot": slot,
            "window": limits.window,
            "chat_interval": limits.chat_interval,
        },
    )


async def pause(connection: AsyncConnection, seconds: float) -> None:
    """No replica makes a call for ``seconds`` (a longer pause already set is kept)."""
    await connection.execute(_PAUSE, {"seconds": seconds})
