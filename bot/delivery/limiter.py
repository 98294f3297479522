"""Telegram's limits kept by one pacer shared by every sender: the outbox and held replies.

At most ``global_per_second`` calls in any sliding one-second window and
``per_chat_per_second`` per chat, never two calls in flight to one chat, and a 429
"retry after N" pauses *every* sender for N seconds.

Senders see a :class:`Pacer`: in one process (SQLite) the :class:`RateLimiter` here; on
PostgreSQL, where several replicas send, the budget they share
(``bot/delivery/shared_limiter.py``), which paces in memory first with a :class:`RateLimiter`.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, Protocol


class Permit:
    """The right to make one call to ``chat_id``; :meth:`release` it once the call returned.

    Until released, the call counts in the global window and blocks its chat (in flight).
    """

    __slots__ = ("_limiter", "_released", "chat_id", "granted_at")

    def __init__(self, limiter: RateLimiter, chat_id: int, granted_at: float) -> None:
        self._limiter = limiter
        self._released = False
        self.chat_id = chat_id
        self.granted_at = granted_at

    def release(self) -> None:
        """Mark the call finished (idempotent)."""
        if not self._released:
            self._released = True
            self._limiter._release(self)


class Pacer(Protocol):
    """What a sender asks of the limits: a permit before each call, given back once the call
    returned, and a pause for everyone on a 429."""

    def monotonic(self) -> float:
        """The clock of :class:`~bot.delivery.outcomes.Pause` reports."""
        ...

    async def acquire(self, chat_id: int, *, burst: bool = False) -> Permit:
        """Wait until a call to ``chat_id`` is allowed (cancellation-safe: a cancelled
        acquire holds nothing); ``burst``: see :class:`RateLimiter`."""
        ...

    async def release(self, permit: Permit) -> None:
        """The call of ``permit`` returned."""
        ...

    async def pause(self, seconds: float) -> None:
        """No call to anyone for ``seconds`` (a longer pause already set is kept)."""
        ...

    async def chat_spacing(self, chat_id: int) -> None:
        """Wait until ``chat_id`` has no call in flight and its spacing since the last one
        has passed (holds nothing: cancellation-safe)."""
        ...


async def acquire_unless(pacer: Pacer, chat_id: int, halted: asyncio.Event) -> Permit | None:
    """A permit for ``chat_id``, or None if ``halted`` is set (before or while waiting).

    Cancellation-safe like :meth:`Pacer.acquire`: a permit granted as the wait is cancelled
    or halted is released again.
    """
    if halted.is_set():
        return None
    acquiring = asyncio.ensure_future(pacer.acquire(chat_id))
    halting = asyncio.ensure_future(halted.wait())

    async def give_back() -> None:
        if acquiring.done() and not acquiring.cancelled() and acquiring.exception() is None:
            await asyncio.shield(pacer.release(acquiring.result()))
        else:
            acquiring.cancel()  # a pending acquire holds nothing until it returns

    try:
        await asyncio.wait({acquiring, halting}, return_when=asyncio.FIRST_COMPLETED)
    except BaseException:
        halting.cancel()
        await give_back()
        raise
    halting.cancel()
    if halted.is_set() or not acquiring.done():
        await give_back()
        return None
    return acquiring.result()


class Signal:
    """Wakes every waiter on :meth:`notify`; waiters re-check their condition."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def wait(self) -> None:
        await self._event.wait()

    async def wait_until(self, predicate: Callable[[], bool]) -> None:
        while not predicate():
            await self._event.wait()


class RateLimiter:
    """Global and per-chat pacing of Bot API calls, plus a global pause for 429 answers.

    * Global: at most ``global_per_second`` calls in any sliding window of ``window``
      seconds. A call occupies the window from the moment its permit is granted until
      ``window`` seconds after it was *released* (its answer came back); in between it
      is in flight and counts as well. Telegram times a call somewhere between those two
      moments, so however the network delays calls, Telegram never sees more than the
      limit in one window (the price: a window per call is ``window`` + the call's
      latency, so the achieved rate is a little below the limit).
    * Per chat: one call in flight per chat, and the next one no sooner than
      ``1 / per_chat_per_second`` seconds after the previous one was released. A reply to
      someone who just wrote (``burst=True``) waits for a call in flight to that chat but not
      for the spacing: a private chat takes the two or three messages of one answer at once,
      and the spacing it leaves behind still holds back the outbox's next message there (and
      the answer to the person's next message, which waits in :meth:`chat_spacing` first).
    * Replies first: while a reply (``burst=True``) waits for a permit, no other call is
      granted one. Someone who just wrote is looking at the screen; a reminder of a wave
      loses nothing by going a few milliseconds later.
    * The outbox is spread out: its permits come at least ``window / global_per_second``
      apart, never as a burst that fills the window at once. A full window opens again only
      as its oldest calls leave it, so a wave sent in bursts would make a reply wait for
      most of a second; spread out, a slot opens every few tens of milliseconds.
    * While people are answering (a reply went out within the last window), the outbox leaves
      a fifth of the window to replies: it takes a slot only while more than that is free.
      With nobody answering, a wave has the whole budget.
    * :meth:`pause_until` holds back *every* acquirer until the given moment.

    ``monotonic`` and ``sleep`` are injectable so tests can drive it with a fake clock.
    """

    _SWEEP_EVERY = 1024

    def __init__(
        self,
        global_per_second: int = 30,
        per_chat_per_second: float = 1.0,
        *,
        window: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        if global_per_second < 1 or per_chat_per_second <= 0 or window <= 0:
            msg = "limits must be positive"
            raise ValueError(msg)
        self.global_per_second = global_per_second
        self.per_chat_per_second = per_chat_per_second
        self.window = window
        self.chat_interval = 1.0 / per_chat_per_second
        self.monotonic = monotonic
        self._sleep = sleep
        self._expiries: deque[float] = deque()  # released calls: when they leave the window
        self._in_flight = 0
        self._chat_free_at: dict[int, float] = {}  # math.inf while a call to it is in flight
        self._paused_until = -math.inf
        self._releases = 0
        self._replies_waiting = 0
        self._spacing = window / global_per_second
        self._next_spread = -math.inf  # the outbox's next permit, no sooner
        self._reserve = global_per_second // 5  # slots the outbox leaves to replies...
        self._replying_until = -math.inf  # ...until a window after the last reply's permit
        self._changed = Signal()

    @property
    def paused_until(self) -> float:
        """The end of the current pause (``-inf`` if there never was one)."""
        return self._paused_until

    def pause_until(self, moment: float) -> None:
        """Grant no permit to anyone before ``moment`` (on the ``monotonic`` clock).

        Calls already in flight cannot be recalled; no new call starts until then.
        A shorter pause never cuts a longer one short.
        """
        if moment > self._paused_until:
            self._paused_until = moment
            self._changed.notify()

    def ready_in(self, chat_id: int, *, burst: bool = False) -> float:
        """Seconds until a permit for ``chat_id`` could be granted: 0 now, ``inf`` while
        it waits for a call in flight to be released."""
        return self._wait_time(chat_id, self.monotonic(), burst=burst)

    def try_acquire(self, chat_id: int, *, burst: bool = False) -> Permit | None:
        """A permit if one can be granted right now, else None (never waits)."""
        now = self.monotonic()
        if self._wait_time(chat_id, now, burst=burst) > 0:
            return None
        self._in_flight += 1
        self._chat_free_at[chat_id] = math.inf
        if burst:
            self._replying_until = now + self.window
        else:
            self._next_spread = now + self._spacing
        return Permit(self, chat_id, now)

    async def acquire(self, chat_id: int, *, burst: bool = False) -> Permit:
        """Wait until a call to ``chat_id`` is allowed and return its permit.

        Cancellation-safe: a cancelled acquire holds nothing.
        """
        permit = self.try_acquire(chat_id, burst=burst)
        if permit is not None:
            return permit
        if not burst:
            return await self._wait_for(chat_id, burst=False)
        self._replies_waiting += 1
        try:
            return await self._wait_for(chat_id, burst=True)
        finally:
            self._replies_waiting -= 1
            self._changed.notify()  # the calls held back for this reply may go

    async def _wait_for(self, chat_id: int, *, burst: bool) -> Permit:
        while True:
            wait = self.ready_in(chat_id, burst=burst)
            if math.isinf(wait):
                await self._changed.wait()
            elif wait > 0:
                await self._sleep(wait)
            permit = self.try_acquire(chat_id, burst=burst)
            if permit is not None:
                return permit

    async def release(self, permit: Permit) -> None:
        """:meth:`Permit.release`, as a :class:`Pacer` releases."""
        permit.release()

    async def pause(self, seconds: float) -> None:
        """:meth:`pause_until` ``seconds`` from now, as a :class:`Pacer` pauses."""
        self.pause_until(self.monotonic() + seconds)

    async def chat_spacing(self, chat_id: int) -> None:
        """:meth:`Pacer.chat_spacing`: the first reply to a person's next message waits for
        it, the rest of that answer goes as a burst. Someone who pastes 200 messages gets the
        answers a second apart, as Telegram allows one chat, instead of a burst that draws
        429s, each of which pauses every chat."""
        while (free_at := self._chat_free_at.get(chat_id, -math.inf)) > (now := self.monotonic()):
            if math.isinf(free_at):
                await self._changed.wait()
            else:
                await self._sleep(free_at - now)

    def _wait_time(self, chat_id: int, now: float, *, burst: bool = False) -> float:
        wait = 0.0 if burst else max(0.0, self._next_spread - now)
        if now < self._paused_until:
            wait = max(wait, self._paused_until - now)
        free_at = self._chat_free_at.get(chat_id)
        if free_at is not None and free_at > now and not (burst and free_at < math.inf):
            wait = max(wait, free_at - now)
        expiries = self._expiries
        while expiries and expiries[0] <= now:
            expiries.popleft()
        free_slots = self.global_per_second - self._in_flight
        if free_slots <= 0 or (self._replies_waiting and not burst):
            return math.inf
        if not burst and now < self._replying_until:
            free_slots -= self._reserve
            if free_slots <= 0:  # until the replies' share lapses (or a call is released)
                return max(wait, self._replying_until - now)
        if len(expiries) >= free_slots:
            # The window empties in order; a slot opens when enough of the oldest leave.
            wait = max(wait, expiries[len(expiries) - free_slots] - now)
        return wait

    def _release(self, permit: Permit) -> None:
        now = self.monotonic()
        self._in_flight -= 1
        self._expiries.append(now + self.window)
        self._chat_free_at[permit.chat_id] = now + self.chat_interval
        self._releases += 1
        if self._releases % self._SWEEP_EVERY == 0:
            self._chat_free_at = {
                chat: free_at for chat, free_at in self._chat_free_at.items() if free_at > now
            }
        self._changed.notify()
