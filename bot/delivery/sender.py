"""Delivery of the outbox: every scheduled message leaves the bot through here.

Each outbox row (``storage/outbox.py``) is exactly one Bot API call: ``sendMessage`` for
kind ``"text"`` (HTML, optional inline keyboard from ``payload["buttons"]``, no link
previews), ``sendPhoto``/``sendDocument`` for kinds rendered at send time by a registered
:data:`Renderer` (``"digest_chart"``, ``"digest_table"``, ...).

Pacing (:class:`RateLimiter`): at most ``global_per_second`` calls in any sliding
one-second window and ``per_chat_per_second`` per chat, never two calls in flight to one
chat, and a 429 "retry after N" pauses *every* sender for N seconds.

Outcomes:

* success -> ``sent``;
* 429 ``TelegramRetryAfter`` -> pause everyone, then send the same message again; it is
  not a failed attempt and nothing is written;
* 5xx ``TelegramServerError``, ``TelegramNetworkError`` (timeouts included), unexpected
  errors -> back to ``pending`` with ``attempts + 1`` and ``not_before`` pushed back by an
  exponential backoff with jitter; ``failed`` once ``max_attempts`` is reached;
* 403 ``TelegramForbiddenError`` (bot blocked, user deactivated) and 400 "chat not found"
  -> ``unreachable``, and the person with that Telegram id gets ``unreachable_at``;
* any other 400 (and a group migrated to a supergroup, a file too large) -> ``failed``
  with Telegram's description; a renderer that raises -> ``failed`` with its error.

Crash safety (at-least-once, never at-most-once): a row stays ``pending`` until the API
call has returned, and its outcome is then committed in its own short transaction. So a
crash can never drop a message. The one window for a duplicate is a crash of the process
*between* a successful API call and that commit: after the restart that message is sent
again, once. At most one message per chat is in flight, so a crash resends at most the
``concurrency`` messages that were in flight, each at most once. Everything short of a
process crash closes the window: cancelling :meth:`Deliverer.drain` lets in-flight calls
finish and record their outcome before the cancellation goes on, and an outcome that could
not be committed (database error) is kept in memory and recorded again by the next drain
instead of sending the message again. Run one deliverer per database (the bot is a single
polling process; rows are not leased).
"""

from __future__ import annotations

import asyncio
import enum
import logging
import random
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeAlias, TypeVar

from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramRetryAfter,
)
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.limiter import Permit, RateLimiter, Signal
from bot.domain.clock import Clock
from bot.wiring.config import DeliverySettings
from storage import outbox
from storage.models import OutboxMessage

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- rendering

Drawing: TypeAlias = Callable[[], "RenderedFile"]
Renderer: TypeAlias = Callable[[AsyncSession, dict[str, Any]], Awaitable[Drawing]]
"""Builds a file message from a payload at send time, in two steps: it loads what the file
shows through the session (a read) and returns the drawing, which the sender runs in a
worker thread after the session is closed, so drawing (seconds of CPU for a region's table)
neither blocks the event loop nor keeps a transaction open."""


@dataclass(frozen=True)
class RenderedFile:
    filename: str
    data: bytes
    caption: str
    as_photo: bool


# --------------------------------------------------------------------------- reports


@dataclass(frozen=True)
class Pause:
    """A 429 honoured: nobody was sent anything from ``started`` until ``until``
    (both on the limiter's monotonic clock)."""

    chat_id: int
    retry_after: float
    started: float
    until: float


@dataclass
class DrainReport:
    """What one :meth:`Deliverer.drain` did (outcomes recorded in the database)."""

    sent: int = 0
    unreachable: int = 0
    failed: int = 0
    retried: int = 0
    """Rescheduled after a transient failure (5xx, network, timeout)."""
    unrecorded: int = 0
    """Outcomes whose commit failed; kept in memory and recorded by a later drain."""
    pauses: list[Pause] = field(default_factory=list)
    """429 answers honoured, in order."""

    @property
    def rate_limited(self) -> int:
        return len(self.pauses)

    @property
    def handled(self) -> int:
        return self.sent + self.unreachable + self.failed + self.retried

    def __str__(self) -> str:
        return (
            f"sent={self.sent} unreachable={self.unreachable} failed={self.failed} "
            f"retried={self.retried} unrecorded={self.unrecorded} "
            f"pauses={[pause.retry_after for pause in self.pauses]}"
        )


# --------------------------------------------------------------------------- deliverer


class _Result(enum.Enum):
    SENT = "sent"
    UNREACHABLE = "unreachable"
    FAILED = "failed"
    RETRY = "retry"


@dataclass(frozen=True)
class _Outcome:
    result: _Result
    error: str | None = None
    not_before: datetime | None = None


@dataclass(frozen=True)
class _Item:
    """A snapshot of a due row (no ORM object crosses a session)."""

    id: int
    key: str
    chat_id: int
    kind: str
    payload: dict[str, Any]
    attempts: int

    @classmethod
    def of(cls, row: OutboxMessage) -> _Item:
        return cls(
            id=row.id,
            key=row.key,
            chat_id=row.chat_id,
            kind=row.kind,
            payload=dict(row.payload or {}),
            attempts=row.attempts,
        )


class _Schedule:
    """Due messages of one drain, per chat in order; a chat is handed to one worker at a time."""

    def __init__(self) -> None:
        self.halted = asyncio.Event()
        self.changed = Signal()
        self.ids: set[int] = set()  # queued or in flight
        self._queues: dict[int, deque[_Item]] = {}
        self._ready: deque[int] = deque()
        self._busy: set[int] = set()
        self._finished = False

    @property
    def outstanding(self) -> int:
        return len(self.ids)

    def add(self, item: _Item) -> None:
        self.ids.add(item.id)
        queue = self._queues.get(item.chat_id)
        if queue is None:
            queue = self._queues[item.chat_id] = deque()
            if item.chat_id not in self._busy:
                self._ready.append(item.chat_id)
        queue.append(item)
        self.changed.notify()

    async def take(self) -> _Item | None:
        """The next message of the next chat not in flight; None once finished or halted."""
        while True:
            if self.halted.is_set():
                return None
            if self._ready:
                chat_id = self._ready.popleft()
                self._busy.add(chat_id)
                return self._queues[chat_id].popleft()
            if self._finished:
                return None
            await self.changed.wait()

    def done(self, item: _Item) -> None:
        self.ids.discard(item.id)
        self._busy.discard(item.chat_id)
        queue = self._queues.get(item.chat_id)
        if queue:
            self._ready.append(item.chat_id)
        else:
            self._queues.pop(item.chat_id, None)
        self.changed.notify()

    def halt(self) -> None:
        self.halted.set()
        self.changed.notify()

    def finish(self) -> None:
        self._finished = True
        self.changed.notify()


_SendCall: TypeAlias = Callable[[], Awaitable[Any]]
_T = TypeVar("_T")
#: Shortest idle wait between drains of :meth:`Deliverer.run_forever` (guards a hot loop).
MIN_IDLE_SECONDS = 0.5


async def _uninterrupted(awaitable: Awaitable[_T]) -> _T:
    """Await database work so that a cancellation cannot cut it in half.

    A query cancelled mid-flight can leave its connection inside a transaction (on SQLite
    holding the write lock). On cancellation the work is allowed to finish first, then
    the cancellation goes on.
    """
    task = asyncio.ensure_future(awaitable)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        await asyncio.wait({task})
        raise


def error_text(exc: BaseException) -> str:
    if isinstance(exc, TelegramAPIError):
        return exc.message
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _keyboard(buttons: Any) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    if not isinstance(buttons, list) or not all(isinstance(row, list) for row in buttons):
        msg = f"payload buttons must be a list of rows, got {buttons!r}"
        raise ValueError(msg)
    rows = [
        [
            InlineKeyboardButton(
                text=str(button["text"]),
                callback_data=button.get("callback_data"),
                url=button.get("url"),
            )
            for button in row
        ]
        for row in buttons
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


class Deliverer:
    """Sends due outbox messages through the Bot API within Telegram's limits.

    :meth:`drain` sends everything due now and returns; :meth:`run_forever` drains,
    then waits for :meth:`wake`, the next message's ``not_before`` or
    ``poll_interval_seconds`` (whichever comes first), and drains again.
    See the module docstring for the outcomes and the crash window.
    """

    def __init__(
        self,
        bot: Bot,
        session_pool: async_sessionmaker[AsyncSession],
        clock: Clock,
        settings: DeliverySettings | None = None,
        renderers: Mapping[str, Renderer] | None = None,
        *,
        limiter: RateLimiter | None = None,
        rng: random.Random | None = None,
        reading_pool: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        self.bot = bot
        self.settings = settings or DeliverySettings()
        self.limiter = limiter or RateLimiter(
            self.settings.global_per_second, self.settings.per_chat_per_second
        )
        self._pool = session_pool
        # Looking for work and rendering files only read: they must not hold SQLite's write
        # lock (a region's table takes seconds to draw), so they get sessions that take none.
        self._reading = reading_pool or session_pool
        self._clock = clock
        self._renderers = dict(renderers or {})
        self._rng = rng or random.Random()
        self._wake = asyncio.Event()
        self._draining = asyncio.Lock()
        self._active: _Schedule | None = None
        self._unrecorded: dict[int, tuple[_Item, _Outcome]] = {}

    # ------------------------------------------------------------------ public

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

    async def _drain(self, stop: asyncio.Event | None) -> DrainReport:
        report = DrainReport()
        schedule = _Schedule()
        if stop is not None and stop.is_set():
            schedule.halt()
        self._active = schedule
        relay = asyncio.ensure_future(self._relay(stop, schedule)) if stop is not None else None
        workers = [
            asyncio.ensure_future(self._worker(schedule, report))
            for _ in range(self.settings.concurrency)
        ]
        try:
            await self._record_leftovers(report)
            await self._feed(schedule)
        except BaseException:
            schedule.halt()
            await self._join(workers)
            raise
        finally:
            schedule.finish()
            if relay is not None:
                relay.cancel()
            if self._active is schedule:
                self._active = None
        await self._join(workers)
        if report.handled or report.pauses or report.unrecorded:
            log.info("outbox drained: %s", report)
        return report

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
                else await _uninterrupted(self._idle_seconds())
            )
            await self._wait_for_work(stop, idle)
        log.info("delivery stopped")

    # ------------------------------------------------------------------ drain machinery

    @staticmethod
    async def _relay(stop: asyncio.Event, schedule: _Schedule) -> None:
        await stop.wait()
        schedule.halt()

    @staticmethod
    async def _join(workers: Sequence[asyncio.Future[None]]) -> None:
        """Wait for the workers to finish their calls; a second cancellation is hard."""
        try:
            await asyncio.shield(asyncio.gather(*workers, return_exceptions=True))
        except asyncio.CancelledError:
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            raise

    async def _feed(self, schedule: _Schedule) -> None:
        low_water = max(1, self.settings.batch_size // 2)
        while not schedule.halted.is_set():
            self._wake.clear()
            added = await _uninterrupted(self._refill(schedule))
            if not added and schedule.outstanding == 0:
                return
            target = low_water if added else 0

            def refill_now(target: int = target) -> bool:
                return (
                    schedule.outstanding <= target
                    or schedule.halted.is_set()
                    or self._wake.is_set()
                )

            await schedule.changed.wait_until(refill_now)

    async def _refill(self, schedule: _Schedule) -> int:
        skip = schedule.ids | self._unrecorded.keys()
        async with self._reading() as session:
            rows = await outbox.due(
                session, now=self._clock.now(), limit=self.settings.batch_size + len(skip)
            )
            items = [_Item.of(row) for row in rows if row.id not in skip]
        for item in items[: self.settings.batch_size]:
            schedule.add(item)
        return min(len(items), self.settings.batch_size)

    async def _worker(self, schedule: _Schedule, report: DrainReport) -> None:
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

    async def _deliver(self, item: _Item, halted: asyncio.Event, report: DrainReport) -> None:
        try:
            send = await self._prepare(item)
        except Exception as exc:
            log.exception("outbox %s: cannot build the message", item.key)
            outcome = _Outcome(_Result.FAILED, f"render: {error_text(exc)}")
            await _uninterrupted(self._record(item, outcome, report))
            return
        while True:
            permit = await self._acquire(item.chat_id, halted)
            if permit is None:
                return  # stopping: the row stays pending
            try:
                await send()
            except TelegramRetryAfter as exc:
                started = self.limiter.monotonic()
                until = started + exc.retry_after
                self.limiter.pause_until(until)
                report.pauses.append(Pause(item.chat_id, exc.retry_after, started, until))
                log.warning(
                    "outbox %s: 429, all sending paused for %s s", item.key, exc.retry_after
                )
                continue  # the same message again, once the pause is over
            except Exception as exc:
                outcome = self._classify(item, exc)
            else:
                outcome = _Outcome(_Result.SENT)
            finally:
                permit.release()
            # A cancellation now must not lose the record of a call that was made.
            await _uninterrupted(self._record(item, outcome, report))
            return

    async def _acquire(self, chat_id: int, halted: asyncio.Event) -> Permit | None:
        """A permit, or None if the drain is stopping (before or while waiting)."""
        if halted.is_set():
            return None
        permit = self.limiter.try_acquire(chat_id)
        if permit is not None:
            return permit
        acquiring = asyncio.ensure_future(self.limiter.acquire(chat_id))
        halting = asyncio.ensure_future(halted.wait())

        def granted() -> Permit | None:
            if acquiring.done() and not acquiring.cancelled() and acquiring.exception() is None:
                return acquiring.result()
            acquiring.cancel()  # a pending acquire holds nothing until it returns
            return None

        try:
            await asyncio.wait({acquiring, halting}, return_when=asyncio.FIRST_COMPLETED)
        except BaseException:
            halting.cancel()
            permit = granted()
            if permit is not None:
                permit.release()
            raise
        halting.cancel()
        permit = granted()
        if permit is not None and halted.is_set():
            permit.release()
            return None
        return permit

    async def _prepare(self, item: _Item) -> _SendCall:
        """The API call for a row (rendering a file kind now); raises if it cannot be built."""
        payload = item.payload
        markup = _keyboard(payload.get("buttons"))
        timeout = self.settings.request_timeout_seconds
        if item.kind == "text":
            text = payload.get("text")
            if not isinstance(text, str) or not text.strip():
                msg = "payload has no text"
                raise ValueError(msg)
            return lambda: self.bot.send_message(
                chat_id=item.chat_id,
                text=text,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                request_timeout=timeout,
            )
        renderer = self._renderers.get(item.kind)
        if renderer is None:
            msg = f"no renderer for kind {item.kind!r}"
            raise LookupError(msg)
        async with self._reading() as session:
            draw = await renderer(session, dict(payload))
        rendered = await asyncio.to_thread(draw)
        upload = BufferedInputFile(rendered.data, filename=rendered.filename)
        caption = rendered.caption or None
        if rendered.as_photo:
            return lambda: self.bot.send_photo(
                chat_id=item.chat_id,
                photo=upload,
                caption=caption,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                request_timeout=timeout,
            )
        return lambda: self.bot.send_document(
            chat_id=item.chat_id,
            document=upload,
            caption=caption,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            request_timeout=timeout,
        )

    def _classify(self, item: _Item, exc: Exception) -> _Outcome:
        description = error_text(exc)
        if isinstance(exc, TelegramForbiddenError):
            return _Outcome(_Result.UNREACHABLE, description)
        if isinstance(exc, TelegramBadRequest):
            if "chat not found" in description.lower():
                return _Outcome(_Result.UNREACHABLE, description)
            return _Outcome(_Result.FAILED, description)
        if isinstance(exc, TelegramMigrateToChat | TelegramEntityTooLarge):
            return _Outcome(_Result.FAILED, description)
        # 5xx, network errors and timeouts (TelegramNetworkError), and anything unexpected
        # (401/404/409 say the bot itself is misconfigured, not that the message is bad).
        if not isinstance(exc, TelegramAPIError):
            log.warning("outbox %s: unexpected error", item.key, exc_info=exc)
        attempts = item.attempts + 1
        if attempts >= self.settings.max_attempts:
            return _Outcome(_Result.FAILED, f"gave up after {attempts} attempts: {description}")
        return _Outcome(_Result.RETRY, description, self._clock.now() + self._backoff(attempts))

    def _backoff(self, attempts: int) -> timedelta:
        """Exponential backoff with jitter: base * 2^(attempts-1), capped, times 0.5..1."""
        settings = self.settings
        delay = min(
            settings.backoff_cap_seconds, settings.backoff_base_seconds * 2 ** (attempts - 1)
        )
        return timedelta(seconds=delay * self._rng.uniform(0.5, 1.0))

    async def _record(self, item: _Item, outcome: _Outcome, report: DrainReport) -> bool:
        """Commit one outcome in its own transaction; on failure keep it for the next drain."""
        now = self._clock.now()
        try:
            async with self._pool() as session, session.begin():
                if outcome.result is _Result.SENT:
                    await outbox.mark_sent(session, item.id, now)
                elif outcome.result is _Result.UNREACHABLE:
                    await outbox.mark_unreachable(session, item.id, now, outcome.error or "")
                elif outcome.result is _Result.FAILED:
                    await outbox.mark_failed(session, item.id, now, outcome.error or "")
                else:
                    assert outcome.not_before is not None
                    await outbox.reschedule(
                        session, item.id, not_before=outcome.not_before, error=outcome.error or ""
                    )
        except Exception:
            log.exception(
                "outbox %s: could not record %s; will record it later",
                item.key,
                outcome.result.value,
            )
            self._unrecorded[item.id] = (item, outcome)
            report.unrecorded += 1
            return False
        self._unrecorded.pop(item.id, None)
        if outcome.result is _Result.SENT:
            report.sent += 1
            log.debug("outbox %s: sent to %s", item.key, item.chat_id)
        elif outcome.result is _Result.UNREACHABLE:
            report.unreachable += 1
            log.warning("outbox %s: chat %s unreachable: %s", item.key, item.chat_id, outcome.error)
        elif outcome.result is _Result.FAILED:
            report.failed += 1
            log.error("outbox %s: failed: %s", item.key, outcome.error)
        else:
            report.retried += 1
            log.warning(
                "outbox %s: attempt %s failed (%s); next at %s",
                item.key,
                item.attempts + 1,
                outcome.error,
                outcome.not_before,
            )
        return True

    async def _record_leftovers(self, report: DrainReport) -> None:
        for item, outcome in list(self._unrecorded.values()):
            await _uninterrupted(self._record(item, outcome, report))

    # ------------------------------------------------------------------ idling

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
