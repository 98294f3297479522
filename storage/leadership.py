"""Who runs the scheduler and the outbox sender: a PostgreSQL session-level advisory lock.

Several replicas may serve one PostgreSQL database; exactly one of them may plan and send
(two would send every reminder twice). The one that holds ``pg_try_advisory_lock`` on a
connection of its own leads. The lock lives with that connection, not with a transaction:
the connection is kept open (and out of the pool) for as long as the process leads, so a
holder that dies, or whose connection breaks, releases it without anyone's help, and another
replica takes it at its next try. Advisory locks are per database, so bots on different
databases of one server do not compete.

On SQLite there is nothing to elect: the process is alone by its file lock
(``bot/__main__.py``), so ``try_lead`` always succeeds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

#: The advisory lock's key: fixed, so every replica of the bot asks for the same lock.
LEADER_LOCK_KEY = 0x6B_6E_6F_74_5F_6C_65_61  # "knot_lea": any fixed bigint would do
PING_TIMEOUT_SECONDS = 5.0


@dataclass
class LockHandle:
    """The held lock: its dedicated connection (None on SQLite) and ``lost``, set the moment
    the connection is seen to break (the lock is gone with it)."""

    connection: AsyncConnection | None
    lost: asyncio.Event = field(default_factory=asyncio.Event)


def elects(engine: AsyncEngine) -> bool:
    """Whether this database needs an election (PostgreSQL) or the process is alone."""
    return engine.dialect.name == "postgresql"


def replica_id() -> str:
    """Who this process is among the replicas, in outbox claims and granted calls: host, pid
    and a random tag (a pid may come again after a restart); at most 40 characters."""
    return f"{socket.gethostname()[:20]}:{os.getpid()}:{secrets.token_hex(4)}"


async def try_lead(engine: AsyncEngine) -> LockHandle | None:
    """Take the leader's lock if it is free: a handle while held, None if another has it.

    An unreachable database raises (``SQLAlchemyError``/``OSError``): the caller tries again.
    """
    if not elects(engine):
        return LockHandle(None)
    connection = await engine.connect()
    try:
        # no transaction left open on a connection held for hours
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        query = text("select pg_try_advisory_lock(:key)")
        taken = bool(await connection.scalar(query, {"key": LEADER_LOCK_KEY}))
    except BaseException:
        await _discard(connection)
        raise
    if not taken:
        await connection.close()  # it holds nothing: back to the pool
        return None
    handle = LockHandle(connection)
    raw = await connection.get_raw_connection()
    add_listener = getattr(raw.driver_connection, "add_termination_listener", None)
    if add_listener is not None:  # asyncpg: told at once when the server drops the connection
        add_listener(lambda _connection: handle.lost.set())
    return handle


async def still_holds(handle: LockHandle) -> bool:
    """Ask the lock's connection whether it still answers; a silent break (a network gone,
    no reset seen) shows here. False also sets ``lost``."""
    if handle.lost.is_set():
        return False
    if handle.connection is None:
        return True
    try:
        await asyncio.wait_for(handle.connection.scalar(text("select 1")), PING_TIMEOUT_SECONDS)
    except (TimeoutError, OSError, SQLAlchemyError) as error:
        log.warning("the leader's lock connection broke: %s", type(error).__name__)
        handle.lost.set()
        return False
    return True


async def release(handle: LockHandle) -> None:
    """Give the lock up: its connection is closed for good, never returned to the pool with
    the lock still on it."""
    if handle.connection is not None:
        await _discard(handle.connection)


async def _discard(connection: AsyncConnection) -> None:
    with contextlib.suppress(Exception):
        await connection.invalidate()
    with contextlib.suppress(Exception):
        await connection.close()
