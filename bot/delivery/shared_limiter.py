"""Telegram's limits held across every replica on one PostgreSQL database.

Telegram counts the calls of a bot, not of a process: the leader's outbox and every
replica's replies share one 30 calls a second, one a second per chat and each 429's pause.
:class:`SharedRateLimiter` is the :class:`~bot.delivery.limiter.Pacer` of a replica: a call
first gets a permit of the process's own :class:`~bot.delivery.limiter.RateLimiter` (waits
among the process's own senders cost no query, a 429 pauses them at once), then a call of
the budget the replicas share in the database (``storage/call_budget.py``): a slot of the
global window, its chat, no pause. Releasing gives both back.

Why slots, not a log of granted calls counted under an advisory lock: a log needs a lock
that serializes every acquirer of every replica, a count over the window at each grant and a
sweep of old rows. A fixed ring of N slots, each holding one call from its grant to its
release plus the window, is the same rule (never more than N calls in any window, in flight
ones included) with one indexed row update per grant, ``SKIP LOCKED`` instead of a queue, and
nothing to clean: a dead process's slot frees itself when its lease ends. The lease is the
longest a call may take (``request_timeout_seconds``) plus the window; a reply that takes
longer than that (aiogram's own 60 s timeout) stops counting after the lease, the one case
where the window could hold a call too many.

Cost: one statement to take a call, one to release it (``bench/call_budget.py`` measures
them); waits between tries are exact when known (a pause, a chat's spacing, a slot's
window), a short poll when only a call in flight of another replica could end them.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Awaitable

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.delivery.limiter import Permit, RateLimiter
from storage import call_budget
from storage.call_budget import Answer, Limits

log = logging.getLogger(__name__)


class SharedPermit(Permit):
    """A local permit that also holds a call of the shared budget: ``grant`` in ``slot``."""

    __slots__ = ("grant", "slot")

    def __init__(self, local: Permit, limiter: RateLimiter, grant: str, slot: int) -> None:
        super().__init__(limiter, local.chat_id, local.granted_at)
        self.grant, self.slot = grant, slot


class SharedRateLimiter:
    """The limits of every replica together: this process's pacer, then the database's."""

    def __init__(
        self,
        engine: AsyncEngine,
        holder: str,
        global_per_second: int = 30,
        per_chat_per_second: float = 1.0,
        *,
        lease_seconds: float,
        window: float = 1.0,
    ) -> None:
        self.local = RateLimiter(global_per_second, per_chat_per_second, window=window)
        self.limits = Limits(
            slots=global_per_second,
            window=window,
            chat_interval=1.0 / per_chat_per_second,
            lease=lease_seconds,
        )
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._grants = (f"{holder}:{number}" for number in itertools.count(1))

    def monotonic(self) -> float:
        return self.local.monotonic()

    async def acquire(self, chat_id: int, *, burst: bool = False) -> Permit:
        """A permit of this process, then a call of the shared budget (cancellation-safe: a
        call granted as the wait is cancelled is given back)."""
        local = await self.local.acquire(chat_id, burst=burst)
        try:
            grant = next(self._grants)
            while True:
                slot = await self._take_whole(local, grant, burst)
                if isinstance(slot, int):
                    return SharedPermit(local, self.local, grant, slot)
                await asyncio.sleep(slot.wait)  # until the moment the budget allows it
        except BaseException:
            local.release()
            raise

    async def _take_whole(self, local: Permit, grant: str, burst: bool) -> int | Answer:
        """One try: the slot granted, or the refusal. A cancellation lets the statement finish
        (a query cut in half would spoil its connection) and gives back what it granted."""
        task = asyncio.ensure_future(self._take(local.chat_id, grant, burst))
        try:
            answer = await asyncio.shield(task)
        except asyncio.CancelledError:
            await asyncio.wait({task})
            if not task.cancelled() and task.exception() is None:
                slot = task.result().slot
                if slot is not None:
                    await _whole(self._release(SharedPermit(local, self.local, grant, slot)))
            raise
        return answer if answer.slot is None else answer.slot

    async def release(self, permit: Permit) -> None:
        """Give the shared call back, then the local permit; a failure to write the release
        only keeps the slot busy until its lease ends."""
        try:
            if isinstance(permit, SharedPermit):
                await _whole(self._release(permit))
        finally:
            permit.release()

    async def pause(self, seconds: float) -> None:
        """Pause this process at once and every replica through the database (if it cannot
        be written, this process pauses all the same, and the next 429 tells the others)."""
        await self.local.pause(seconds)
        try:
            async with self._engine.connect() as connection:
                await call_budget.pause(connection, seconds)
        except (OSError, SQLAlchemyError) as error:
            log.warning("could not share a 429 pause: %s", type(error).__name__)

    async def chat_spacing(self, chat_id: int) -> None:
        """This process's spacing: one chat's updates are applied by one replica at a time,
        and the next one's reply is spaced by the replica that applies it."""
        await self.local.chat_spacing(chat_id)

    async def _take(self, chat_id: int, grant: str, burst: bool) -> Answer:
        async with self._engine.connect() as connection:
            return await call_budget.take(
                connection, self.limits, chat_id=chat_id, grant=grant, burst=burst
            )

    async def _release(self, permit: SharedPermit) -> None:
        async with self._engine.connect() as connection:
            await call_budget.release(
                connection,
                self.limits,
                chat_id=permit.chat_id,
                grant=permit.grant,
                slot=permit.slot,
            )


async def _whole(work: Awaitable[None]) -> None:
    """Let a statement finish even if the caller is cancelled meanwhile; the cancellation
    goes on after it."""
    task = asyncio.ensure_future(work)
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        await asyncio.wait({task})
        raise
