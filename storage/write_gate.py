"""SQLite's write lock handed out in turn: the writers of this process queue for it in order.

SQLite keeps no queue of those waiting for its write lock. A connection that finds it taken
sleeps in its busy handler and looks again (after 1, 2, 5 ... then every 100 ms), and whoever
looks the moment it is free takes it: a newcomer, looking within its first milliseconds,
beats one that has waited for seconds and now looks only every 100 ms. With the lock held
nine tenths of the time (a reminder wave recording each message sent while twenty chairs
answer forms, on a loaded machine where every transaction's statements wait their turn in
the event loop) the unlucky waiter lost for the whole busy timeout and failed with «database
is locked»: the sender's record of a message Telegram had accepted among them. No
transaction held the lock that long; each waited behind dozens of short ones that came
later (measured: holds of 0.2 s median, 3 s at most; waits of 10 s).

On SQLite the bot is one process (its lock file), so every writer that asks for the lock up
front (``BEGIN IMMEDIATE``, :func:`storage.engine.create_session_pool`) is in this process:
the gate lets one at a time through to SQLite, first come first served (``asyncio.Lock``
wakes its waiters in order). A wait is then as long as the transactions queued before it,
never a lost race. Transactions that write only at their end (``BEGIN DEFERRED``) do not
queue: they either find the lock free, or fail at once once someone committed since they
read, and are run again holding it up front.
"""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.util import await_only

#: A writer that waits this long for its turn meets a transaction stuck holding the lock
#: (a bug: none may await the network or a rendering inside), not a queue: it fails as
#: SQLite's busy timeout would, and is run again or recorded later by its caller.
TURN_TIMEOUT_SECONDS = 60.0
_HOLDS = "ppo_bot_write_turn"  # in a connection's info: its transaction holds the gate


class WriteGate:
    """One engine's queue for SQLite's write lock (see the module docstring)."""

    def __init__(self) -> None:
        self._turn = asyncio.Lock()
        self._holder: asyncio.Task[Any] | None = None

    def enter(self, info: dict[str, Any]) -> None:
        """Wait for this transaction's turn (called where its ``BEGIN IMMEDIATE`` is sent).

        A task that holds the turn and begins a second write transaction on another
        connection is not queued behind itself: that one waits on SQLite as before.
        """
        task = asyncio.current_task()
        if task is not None and task is self._holder:
            return
        await_only(self._wait_turn())
        self._holder = task
        info[_HOLDS] = True

    def attach(self, engine: Engine) -> None:
        """Give the turn on once a transaction's ``COMMIT`` or ``ROLLBACK`` is done, not when
        it is asked for (SQLAlchemy's ``commit`` event): the next writer's ``BEGIN
        IMMEDIATE`` would otherwise meet the lock still held, in SQLite's busy handler. A
        connection back in the pool gives it on too, whatever became of its transaction."""
        dialect = engine.dialect
        do_commit, do_rollback = dialect.do_commit, dialect.do_rollback

        @event.listens_for(engine.pool, "checkin")
        def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
            self.leave(record.info)

        def commit_then_pass(connection: Any) -> None:
            try:
                do_commit(connection)
            finally:
                self._leave_after(connection)

        def rollback_then_pass(connection: Any) -> None:
            try:
                do_rollback(connection)
            finally:
                self._leave_after(connection)

        # this engine's own dialect object: no other engine is touched
        setattr(dialect, "do_commit", commit_then_pass)  # noqa: B010
        setattr(dialect, "do_rollback", rollback_then_pass)  # noqa: B010

    def _leave_after(self, connection: Any) -> None:
        try:
            info = connection.info
        except NotImplementedError:  # the pool resetting a bare connection: checkin does it
            return
        self.leave(info)

    def leave(self, info: dict[str, Any]) -> None:
        """The transaction ended (or its connection went back to the pool): next one's turn."""
        if info.pop(_HOLDS, False):
            self._holder = None
            self._turn.release()

    async def _wait_turn(self) -> None:
        try:
            async with asyncio.timeout(TURN_TIMEOUT_SECONDS):
                await self._turn.acquire()
        except TimeoutError as exc:
            locked = sqlite3.OperationalError("database is locked (no write turn)")
            raise OperationalError("BEGIN IMMEDIATE", None, locked) from exc
