"""Polling through a durable inbox: every chat is served at once, none loses an update.

Each batch ``getUpdates`` returns is written to ``inbox_updates`` (``storage/inbox.py``) in
one short transaction; only then does the next ``getUpdates`` (``offset`` = last id + 1) tell
Telegram the batch arrived. A crash before that write gets the batch sent again; after it, the
batch is in the database. Each update then goes to its chat's worker: one task per chat with
work waiting, created when an update comes and gone when its queue is empty. A worker feeds
its chat's updates to the dispatcher one at a time in ``update_id`` order and removes each
from the inbox once handled; different chats go side by side, at most ``chats_at_once`` of
them at a time (every one holds a database connection meanwhile: the pool must have room).
So a region-wide export keeps only its own chat waiting.

Exactly once: ``DbSessionMiddleware`` records the update id in ``processed_updates`` in the
handler's own transaction and skips an update already recorded. An update applied and not yet
removed from the inbox when the process died is fed again at the next start and skipped there.
The removal is a transaction of its own after the handler, not a part of the handler's: an
update whose handler failed (rolled back, its sender told by the error handler) must leave the
inbox too, as must one skipped as already applied, and webhook mode shares the middleware
with no inbox at all. It counts as done then, as in aiogram's polling.

At a start the inbox is read first: what was received and not finished is handed to the
workers before anything new is fetched. On SIGTERM/SIGINT fetching stops, each worker finishes
the update it is on (for at most ``STOP_GRACE_SECONDS``) and the rest stays in the inbox.

Why not aiogram's own ``handle_as_tasks``: Telegram must not be told an update arrived before
it is recorded, so with updates handled as tasks the offset would have to stay behind the
oldest unfinished one, and ``getUpdates`` returns at most 100 updates past the offset: one
slow export would stall everyone behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Coroutine, Sequence
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.dispatcher.dispatcher import DEFAULT_BACKOFF_CONFIG
from aiogram.exceptions import TelegramAPIError
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.types import Update
from aiogram.utils.backoff import Backoff
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.clock import Clock
from bot.wiring.middlewares import chat_key_of
from storage import inbox

log = logging.getLogger(__name__)

CHATS_AT_ONCE = 16
POLL_TIMEOUT_SECONDS = 10  # aiogram's default long-poll wait
STOP_GRACE_SECONDS = 10.0
#: Updates held in memory at most; past it fetching waits (Telegram keeps the rest meanwhile).
BACKLOG_LIMIT = 2000


class ChatWorkers:
    """The per-chat queues and their worker tasks, and the bound on chats handled at once."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        session_pool: async_sessionmaker[AsyncSession],
        chats_at_once: int,
    ) -> None:
        self._dispatcher, self._bot, self._session_pool = dispatcher, bot, session_pool
        self._slots = asyncio.Semaphore(chats_at_once)
        self._queues: dict[int, deque[Update]] = {}
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._waiting: set[int] = set()  # ids queued or being handled
        self._room = asyncio.Condition()
        self._stopping = False

    def hand(self, chat_key: int, update: Update) -> None:
        """Queue the update behind its chat's earlier ones; one already queued is ignored
        (Telegram sends again, after a restart, what the inbox already gave)."""
        if update.update_id in self._waiting:
            return
        self._waiting.add(update.update_id)
        self._queues.setdefault(chat_key, deque()).append(update)
        if chat_key not in self._tasks:
            self._tasks[chat_key] = asyncio.create_task(self._work(chat_key))

    async def wait_for_room(self) -> None:
        """Return once fewer than ``BACKLOG_LIMIT`` updates wait in memory."""
        async with self._room:
            await self._room.wait_for(lambda: len(self._waiting) < BACKLOG_LIMIT)

    async def stop(self, grace: float) -> None:
        """Let each worker finish its current update (at most ``grace`` seconds), then cancel
        what is left; unfinished updates stay in the inbox for the next start."""
        self._stopping = True
        tasks = list(self._tasks.values())
        if tasks:
            _, unfinished = await asyncio.wait(tasks, timeout=grace)
            for task in unfinished:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        if left := sum(len(queue) for queue in self._queues.values()):
            log.info("stopping: %d updates left in the inbox for the next start", left)

    async def _work(self, chat_key: int) -> None:
        queue = self._queues[chat_key]
        try:
            while queue and not self._stopping:
                update = queue[0]
                async with self._slots:
                    if self._stopping:
                        break
                    await self._handle(update)
                queue.popleft()
                self._waiting.discard(update.update_id)
                async with self._room:
                    self._room.notify_all()
        finally:
            del self._tasks[chat_key]
            if not queue:
                del self._queues[chat_key]

    async def _handle(self, update: Update) -> None:
        """Feed one update, then take it out of the inbox whatever came of it."""
        try:
            result = await self._dispatcher.feed_update(self._bot, update)
            if isinstance(result, TelegramMethod):
                await self._dispatcher.silent_call_request(self._bot, result)
        except Exception:  # past the error handler: logged, and done, as aiogram's polling does
            log.exception("update %s failed", update.update_id)
        try:
            async with self._session_pool() as session, session.begin():
                await inbox.remove(session, update.update_id)
        except (SQLAlchemyError, OSError) as error:
            # Left in the inbox: fed again at the next start, skipped there if it was applied.
            log.warning("update %s stays in the inbox: %s", update.update_id, error)


class InboxPolling:
    """Fetches updates, writes them down, confirms them, hands them to the chat workers."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        *,
        chats_at_once: int = CHATS_AT_ONCE,
        poll_timeout: int = POLL_TIMEOUT_SECONDS,
    ) -> None:
        self._dispatcher, self._bot = dispatcher, bot
        self._session_pool: async_sessionmaker[AsyncSession] = dispatcher["session_pool"]
        self._clock: Clock = dispatcher["clock"]
        self._poll_timeout = poll_timeout
        self.workers = ChatWorkers(dispatcher, bot, self._session_pool, chats_at_once)

    async def resume(self) -> int:
        """Hand over what the inbox holds from before (received, never finished); how many."""
        async with self._session_pool() as session:
            left = await inbox.pending(session)
        for row in left:
            update = Update.model_validate_json(row.raw, context={"bot": self._bot})
            self.workers.hand(row.chat_key, update)
        if left:
            log.info("resuming %d updates received before the restart", len(left))
        return len(left)

    async def fetch_forever(self) -> None:
        """Long-poll Telegram; a failed call is tried again after a growing pause (as aiogram's
        polling does), a batch that could not be written down is asked for again."""
        backoff = Backoff(config=DEFAULT_BACKOFF_CONFIG)
        get_updates = GetUpdates(
            timeout=self._poll_timeout,
            allowed_updates=self._dispatcher.resolve_used_update_types(),
        )
        # The HTTP call must outlast the long poll, or every idle poll would time out.
        request_timeout = int(self._bot.session.timeout + self._poll_timeout)
        while True:
            await self.workers.wait_for_room()
            try:
                updates = await self._bot(get_updates, request_timeout=request_timeout)
                if updates:
                    await self._write_down(updates)
            except (TelegramAPIError, SQLAlchemyError, OSError) as error:
                log.error(
                    "polling: %s: %s; again in %.1f s",
                    type(error).__name__,
                    error,
                    backoff.next_delay,
                )
                await backoff.asleep()
                continue
            backoff.reset()
            if updates:
                get_updates.offset = updates[-1].update_id + 1  # confirmed by the next call
                for update in updates:
                    self.workers.hand(chat_key_of(update), update)

    async def _write_down(self, updates: Sequence[Update]) -> None:
        received = [
            inbox.ReceivedUpdate(
                update.update_id, chat_key_of(update), update.model_dump_json(exclude_unset=True)
            )
            for update in updates
        ]
        async with self._session_pool() as session, session.begin():
            await inbox.store_received(session, received, self._clock.now())


async def run_polling(
    dispatcher: Dispatcher,
    bot: Bot,
    stop: asyncio.Event,
    *,
    chats_at_once: int = CHATS_AT_ONCE,
    stop_grace: float = STOP_GRACE_SECONDS,
) -> None:
    """Poll until ``stop`` is set: the bot's start-up hooks, what the inbox holds, then new
    updates; at the end the workers finish their current update and the shutdown hooks run."""
    await dispatcher.emit_startup(bot=bot, **_workflow(dispatcher, bot))
    polling = InboxPolling(dispatcher, bot, chats_at_once=chats_at_once)
    try:
        log.info("polling through the inbox, %d chats at once", chats_at_once)
        await polling.resume()
        await _until_stopped(polling.fetch_forever(), stop)
    finally:
        await polling.workers.stop(stop_grace)
        # Read again: the start-up hooks put what the shutdown hooks stop into the dispatcher.
        await dispatcher.emit_shutdown(bot=bot, **_workflow(dispatcher, bot))


async def _until_stopped(fetching: Coroutine[Any, Any, None], stop: asyncio.Event) -> None:
    """Run the fetch loop until ``stop`` is set (or it fails), then end it."""
    fetch = asyncio.create_task(fetching)
    stopped = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({fetch, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (fetch, stopped):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _workflow(dispatcher: Dispatcher, bot: Bot) -> dict[str, object]:
    data: dict[str, object] = {"dispatcher": dispatcher, "bots": (bot,)}
    data.update(dispatcher.workflow_data)
    return data
