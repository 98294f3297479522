"""Exactly one process plans and sends: the leader, elected by ``storage/leadership.py``.

Every replica handles updates; only the one holding the lock runs the background work
(``bot/wiring/scheduler.py``: the calendar's clockwork and the outbox sender). The others try
to take the lock every ``retry_seconds`` (``LEADER_RETRY_SECONDS``, 15 s by default), so when
the leader dies another takes over within that interval. A leader whose lock connection
breaks stops its background work at once (it no longer knows that no one else sends) and
competes again at its next try. The leader pings its connection every ``retry_seconds`` too,
for breaks the driver does not report by itself. Stopping is not instant (the sender
finishes its calls in flight), and a leader cut off from the database may notice late: the
outbox's leases (``storage/outbox.py``) keep two senders off the same rows meanwhile, and the
call budget they share (``storage/call_budget.py``) keeps them within Telegram's limits
together. On SQLite the process always leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.leadership import LockHandle, release, still_holds, try_lead

log = logging.getLogger(__name__)

Work = Callable[[], Awaitable[None]]


class Leadership:
    """Runs ``start`` when this process becomes the leader and ``stop`` when it stops being
    one; ``leading`` says which it is now."""

    def __init__(
        self,
        engine: AsyncEngine,
        start: Work,
        stop: Work,
        retry_seconds: float,
    ) -> None:
        self._engine, self._start, self._stop = engine, start, stop
        self.retry_seconds = retry_seconds
        self.leading = False
        self.changed = asyncio.Condition()
        self._halt = asyncio.Event()
        self._handle: LockHandle | None = None
        self._task: asyncio.Task[None] | None = None

    async def begin(self) -> None:
        """The first try, awaited (a lone bot has started its work when this returns), then
        the loop of later tries in the background."""
        await self._try_once()
        self._task = asyncio.create_task(self._run())

    async def end(self) -> None:
        """Stop the loop, the background work and give the lock up."""
        self._halt.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._step_down()

    async def wait_until(self, leading: bool) -> None:
        """Wait until ``leading`` is as asked (bound it with ``asyncio.timeout``)."""
        async with self.changed:
            await self.changed.wait_for(lambda: self.leading is leading)

    async def _run(self) -> None:
        while not self._halt.is_set():
            handle = self._handle
            if handle is None:
                await self._try_once()
                if self._handle is None:
                    await self._pause(self.retry_seconds)
            elif not await self._holding(handle):
                log.warning("lost the leader's lock: the scheduler and the sender stop")
                await self._step_down()
                await self._pause(self.retry_seconds)  # the others' turn first

    async def _holding(self, handle: LockHandle) -> bool:
        """Wait for the lock to break, the halt, or the next ping; whether it is still held."""
        lost = asyncio.create_task(handle.lost.wait())
        halt = asyncio.create_task(self._halt.wait())
        try:
            await asyncio.wait(
                {lost, halt}, timeout=self.retry_seconds, return_when="FIRST_COMPLETED"
            )
        finally:
            lost.cancel()
            halt.cancel()
        return self._halt.is_set() or await still_holds(handle)

    async def _try_once(self) -> None:
        try:
            handle = await try_lead(self._engine)
        except (OSError, SQLAlchemyError) as error:
            log.warning("could not ask for the leader's lock: %s", type(error).__name__)
            return
        if handle is None:
            return
        self._handle = handle
        try:
            await self._start()
        except Exception:
            log.exception("the background work failed to start; giving the lead up")
            await self._step_down()  # stops what did start
            return
        await self._set(leading=True)
        log.info("this process leads: it runs the scheduler and the sender")

    async def _step_down(self) -> None:
        handle, self._handle = self._handle, None
        if handle is None:
            return
        await self._set(leading=False)
        try:
            await self._stop()
        finally:
            await release(handle)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._halt.wait(), seconds)

    async def _set(self, *, leading: bool) -> None:
        async with self.changed:
            self.leading = leading
            self.changed.notify_all()
