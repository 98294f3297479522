"""Delivery of the outbox: every scheduled message leaves the bot through here.

Each outbox row (``storage/outbox.py``) is exactly one Bot API call (``bot/delivery/calls.py``):
``sendMessage`` for kind ``text``, ``sendPhoto``/``sendDocument`` by ``file_id`` for kind
``file``, and ``sendPhoto``/``sendDocument`` (or ``sendMessage`` of a drawn text) for kinds
rendered at send time by a registered :data:`~bot.delivery.files.Renderer` (``digest_text``,
``digest_chart``, ``digest_table``, ...). What each answer of Telegram comes to is in
``bot/delivery/outcomes.py``.

Pacing (a :class:`~bot.delivery.limiter.Pacer`: in memory on SQLite, shared by the replicas
on PostgreSQL): at most ``global_per_second`` calls in any sliding one-second window and
``per_chat_per_second`` per chat, never two calls in flight to one chat, and a 429 "retry
after N" pauses *every* sender for N seconds.

Claiming: a drain takes due rows under a lease (``storage.outbox.claim_due``: ``FOR UPDATE
SKIP LOCKED`` on PostgreSQL) in one short transaction, renews the lease every third of it
while the rows wait in its queue, and gives back the rows it did not send when it stops. So
two deliverers that overlap (a leader that has not yet noticed it lost the lead) never send
one row at once, and the rows of one that died are sent by the next after the lease.

Crash safety (at-least-once, never at-most-once): a row stays ``pending`` until the API
call has returned, and its outcome is then committed in its own short transaction. So a
crash can never drop a message. The one window for a duplicate is a crash of the process
*between* a successful API call and that commit: after the restart that message is sent
again, once. At most one message per chat is in flight, so a crash resends at most the
``concurrency`` messages that were in flight, each at most once. Everything short of a
process crash closes the window: cancelling :meth:`Deliverer.drain` lets in-flight calls
finish and record their outcome before the cancellation goes on, and an outcome that could
not be committed (database error) is kept in memory and recorded again by the next drain
instead of sending the message again. The same window, no wider, holds across replicas: a
leader killed between a call and its record leaves the row claimed; the next leader takes it
when the lease has run out and sends it again, once.

A row changed while its call is on its way (an escalation an archiving rewrote, a reminder
withdrawn or deleted) cannot be stopped: its recipient reads it as it went, and the row is
recorded so (``storage/outbox_flight.py``) rather than followed by a second message (README,
"A message changed on its way").
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Mapping
from datetime import datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import TelegramRetryAfter
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.calls import SendCall, file_call, held_file_call, keyboard, text_call
from bot.delivery.files import RenderedText, Renderer
from bot.delivery.limiter import Pacer, RateLimiter, acquire_unless
from bot.delivery.outcomes import (
    DrainReport,
    Outcome,
    Pause,
    Result,
    classify,
    error_text,
    retry_later,
    store_outcome,
)
from bot.delivery.schedule import Item, Schedule
from bot.delivery.shielded import join_workers, uninterrupted
from bot.domain.clock import Clock
from bot.wiring.config import DeliverySettings
from storage import outbox
from storage.leadership import replica_id
from storage.outbox import OutboxKind
from storage.outbox_withdraw import withdrawn

log = logging.getLogger(__name__)

#: Shortest idle wait between drains of :meth:`Deliverer.run_forever` (guards a hot loop).
MIN_IDLE_SECONDS = 0.5
PAUSES_IN_A_ROW = 3  # 429s one message draws before it waits its backoff: not a pause without end


async def _relay(stop: asyncio.Event, schedule: Schedule) -> None:
    await stop.wait()
    schedule.halt()


class Deliverer:
    """Sends due outbox messages through the Bot API within Telegram's limits.

    :meth:`drain` sends everything due now and returns; :meth:`run_forever` drains,
    then waits for :meth:`wake`, the next message's ``not_before`` or
    ``poll_interval_seconds`` (whichever comes first), and drains again.
    See the module docstring for the crash window.
    """

    def __init__(
        self,
        bot: Bot,
        session_pool: async_sessionmaker[AsyncSession],
        clock: Clock,
        settings: DeliverySettings | None = None,
        renderers: Mapping[str, Renderer] | None = None,
        *,
        limiter: Pacer | None = None,
        rng: random.Random | None = None,
        reading_pool: async_sessionmaker[AsyncSession] | None = None,
        holder: str | None = None,
    ) -> None:
        self.bot = bot
        self.settings = settings or DeliverySettings()
        self.limiter: Pacer = limiter or RateLimiter(
            self.settings.global_per_second, self.settings.per_chat_per_second
        )
        self.holder = holder or replica_id()
        self._lease = timedelta(seconds=self.settings.claim_lease_seconds)
        self._pool = session_pool
        # Looking for work and rendering files only read: they must not hold SQLite's write
        # lock (a region's table takes seconds to draw), so they get sessions that take none.
        self._reading = reading_pool or session_pool
        self._clock = clock
        self._renderers = dict(renderers or {})
        self._rng = rng or random.Random()
        self._wake = asyncio.Event()
        self._draining = asyncio.Lock()
        self._active: Schedule | None = None
        self._unrecorded: dict[int, tuple[Item, Outcome]] = {}
        self._claimed: set[int] = set()  # rows this drain holds a lease on and has not recorded

    def wake(self) -> None:
        """Something was enqueued: look for due messages now instead of at the next poll."""
        self._wake.set()
        if self._active is not None:
            self._active.changed.notify()

    async def drain(self, stop: asyncio.Event | None = None) -> DrainReport:
        """Send every message due now (and those falling due meanwhile) and return.

        Concurrent across chats (``concurrency`` calls in flight), in order within a chat,
        paced by the limiter. When ``stop`` is set (or the task is cancelled) no new call
        starts; calls in flight finish and their outcome is recorded; the rest stays
        pending for the next drain. Drains of one deliverer never overlap (a second call
        waits for the first).
        """
        async with self._draining:
            return await self._drain(stop)

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Drain, then wait for :meth:`wake`, the next due message or the poll interval
        (at least ``MIN_IDLE_SECONDS``, at most ``poll_interval_seconds``); until ``stop``.

        The first drain runs at once, so whatever fell due while the bot was down goes
        out right after the start. A failing drain (database down) is logged and retried
        after the poll interval.
        """
        log.info("delivery started")
        while not stop.is_set():
            failed = False
            try:
                await self.drain(stop)
            except Exception:
                failed = True
                log.exception("outbox drain failed")
            if stop.is_set():
                break
            idle = (
                self.settings.poll_interval_seconds
                if failed
                else await uninterrupted(self._idle_seconds())
            )
            await self._wait_for_work(stop, idle)
        log.info("delivery stopped")

    async def _drain(self, stop: asyncio.Event | None) -> DrainReport:
        report = DrainReport()
        schedule = Schedule()
        if stop is not None and stop.is_set():
            schedule.halt()
        self._active = schedule
        relay = asyncio.ensure_future(_relay(stop, schedule)) if stop is not None else None
        workers = [
            asyncio.ensure_future(self._worker(schedule, report))
            for _ in range(self.settings.concurrency)
        ]
        try:
            await self._record_leftovers(report)
            await self._feed(schedule)
        except BaseException:
            schedule.halt()
            await join_workers(workers)
            await uninterrupted(self._give_back_claims())
            raise
        finally:
            schedule.finish()
            if relay is not None:
                relay.cancel()
            if self._active is schedule:
                self._active = None
        await join_workers(workers)
        await uninterrupted(self._give_back_claims())
        if report.handled or report.pauses or report.unrecorded:
            log.info("outbox drained: %s", report)
        return report

    async def _feed(self, schedule: Schedule) -> None:
        """Keep the schedule filled with due rows until none is left (or it is halted)."""
        low_water = max(1, self.settings.batch_size // 2)
        while not schedule.halted.is_set():
            self._wake.clear()
            full = schedule.outstanding >= self.settings.batch_size
            added = await uninterrupted(self._refill(schedule))
            if not added and schedule.outstanding == 0:
                return
            target = low_water if added or full else 0

            def refill_now(target: int = target) -> bool:
                return (
                    schedule.outstanding <= target
                    or schedule.halted.is_set()
                    or self._wake.is_set()
                )

            # wake up a third into the lease at the latest, to renew it
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._lease.total_seconds() / 3):
                    await schedule.changed.wait_until(refill_now)

    async def _refill(self, schedule: Schedule) -> int:
        """Renew the lease on the rows this drain holds and claim more, in one transaction."""
        room = max(0, self.settings.batch_size - schedule.outstanding)
        now = self._clock.now()
        async with self._pool() as session, session.begin():
            await outbox.renew_claims(
                session, holder=self.holder, ids=self._claimed, until=now + self._lease
            )
            items = [
                Item.of(row)
                for row in await outbox.claim_due(
                    session,
                    now=now,
                    limit=room,
                    holder=self.holder,
                    lease=self._lease,
                    skip=schedule.ids | self._unrecorded.keys(),
                )
            ]
        for item in items:
            self._claimed.add(item.id)
            schedule.add(item)
        return len(items)

    async def _give_back_claims(self) -> None:
        """Rows claimed but neither sent nor recorded: due again at once for whoever sends."""
        claimed, self._claimed = self._claimed, set()
        if not claimed:
            return
        try:
            async with self._pool() as session, session.begin():
                await outbox.release_claims(session, holder=self.holder, ids=claimed)
        except Exception:
            log.exception("outbox: could not give back %s claimed rows", len(claimed))

    async def _worker(self, schedule: Schedule, report: DrainReport) -> None:
        while True:
            item = await schedule.take()
            if item is None:
                return
            try:
                await self._deliver(item, schedule.halted, report)
            except Exception:  # a bug here must not stop the other messages
                log.exception("outbox %s: delivery crashed; it stays pending", item.key)
            finally:
                schedule.done(item)

    async def _deliver(self, item: Item, halted: asyncio.Event, report: DrainReport) -> None:
        try:
            send = await self._prepare(item)
        except DBAPIError as exc:  # reading what to draw met a passing database error
            log.warning("outbox %s: database error while rendering", item.key, exc_info=exc)
            outcome = retry_later(item, f"render: {error_text(exc)}", *self._retry_terms())
            await uninterrupted(self._record(item, outcome, report))
            return
        except Exception as exc:
            log.exception("outbox %s: cannot build the message", item.key)
            outcome = Outcome(Result.FAILED, f"render: {error_text(exc)}")
            await uninterrupted(self._record(item, outcome, report))
            return
        for pauses in range(1, PAUSES_IN_A_ROW + 1):
            permit = await acquire_unless(self.limiter, item.chat_id, halted)
            if permit is None:
                return  # stopping: the row stays pending
            if pauses == 1 and await self._withdrawn(item):
                await self.limiter.release(permit)
                return
            try:
                await send()
            except TelegramRetryAfter as exc:
                await self._pause_everyone(item, exc.retry_after, report)
                if pauses < PAUSES_IN_A_ROW:
                    continue  # the same message again, once the pause is over
                outcome = retry_later(item, f"{pauses} × 429: {exc.message}", *self._retry_terms())
            except Exception as exc:
                outcome = classify(item, exc, *self._retry_terms())
            else:
                outcome = Outcome(Result.SENT)
            finally:
                await self.limiter.release(permit)
            # A cancellation now must not lose the record of a call that was made.
            await uninterrupted(self._record(item, outcome, report))
            return

    async def _withdrawn(self, item: Item) -> bool:
        """Whether the row was withdrawn while it waited in the queue (a reminder the chair's
        report cancelled, a former chair's, an erased person's): then it is not sent."""
        async with self._reading() as session:
            gone = await withdrawn(session, item.id, self.holder)
        if gone:
            self._claimed.discard(item.id)
        return gone

    def _retry_terms(self) -> tuple[DeliverySettings, datetime, random.Random]:
        return self.settings, self._clock.now(), self._rng

    async def _pause_everyone(self, item: Item, retry_after: float, report: DrainReport) -> None:
        """Honour a 429: no call to anyone for ``retry_after`` seconds."""
        started = self.limiter.monotonic()
        until = started + retry_after
        await self.limiter.pause(retry_after)
        report.pauses.append(Pause(item.chat_id, retry_after, started, until))
        log.warning("outbox %s: 429, all sending paused for %s s", item.key, retry_after)

    async def _prepare(self, item: Item) -> SendCall:
        """The API call for a row (rendering a file kind now); raises if it cannot be built."""
        markup = keyboard(item.payload.get("buttons"))
        timeout = self.settings.request_timeout_seconds
        if item.kind == OutboxKind.TEXT:
            return text_call(self.bot, item, item.payload.get("text"), markup, timeout)
        if item.kind == OutboxKind.FILE:
            return held_file_call(self.bot, item, markup, timeout)
        renderer = self._renderers.get(item.kind)
        if renderer is None:
            msg = f"no renderer for kind {item.kind!r}"
            raise LookupError(msg)
        async with self._reading() as session:
            draw = await renderer(session, dict(item.payload))
        rendered = await asyncio.to_thread(draw)
        if isinstance(rendered, RenderedText):
            return text_call(self.bot, item, rendered.text, markup, timeout)
        return file_call(self.bot, item, rendered, markup, timeout)

    async def _record(self, item: Item, outcome: Outcome, report: DrainReport) -> None:
        """Commit one outcome in its own transaction; on failure keep it for the next drain."""
        now = self._clock.now()
        try:
            async with self._pool() as session, session.begin():
                await store_outcome(session, item, outcome, now, self.holder)
        except Exception:
            log.exception(
                "outbox %s: could not record %s; will record it later",
                item.key,
                outcome.result.value,
            )
            self._unrecorded[item.id] = (item, outcome)
            self._claimed.discard(item.id)  # its lease left to run out: it was sent, maybe
            report.unrecorded += 1
            return
        self._unrecorded.pop(item.id, None)
        self._claimed.discard(item.id)
        report.count(item, outcome)

    async def _record_leftovers(self, report: DrainReport) -> None:
        for item, outcome in list(self._unrecorded.values()):
            await uninterrupted(self._record(item, outcome, report))

    async def _idle_seconds(self) -> float:
        poll = self.settings.poll_interval_seconds
        try:
            async with self._reading() as session:
                next_due = await outbox.next_due_at(session)
        except Exception:
            log.exception("outbox: cannot read the next due time")
            return poll
        if next_due is None:
            return poll
        until = (next_due - self._clock.now()).total_seconds()
        return min(poll, max(MIN_IDLE_SECONDS, until))

    async def _wait_for_work(self, stop: asyncio.Event, seconds: float) -> None:
        if self._wake.is_set() or stop.is_set():
            return
        waiters = {asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())}
        try:
            await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
