"""Webhook mode: Telegram posts each update to this process's aiohttp server.

Chosen by ``WEBHOOK_URL`` (``python -m bot`` polls otherwise). The server listens on
``WEBHOOK_LISTEN`` behind a reverse proxy that terminates TLS, answers updates on the path of
``WEBHOOK_URL`` and ``GET /health`` for monitoring. The promise of polling holds here too: an
update is confirmed to Telegram (HTTP 200) only after it was applied and committed; a request
without the right secret is refused before anything reads it.

At start the webhook is (re)registered with Telegram; at shutdown it is left in place, because
another replica may still be serving it. Polling removes a webhook left behind (Telegram
refuses ``getUpdates`` while one is set).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from aiogram import Bot, Dispatcher
from aiogram.dispatcher.dispatcher import DEFAULT_BACKOFF_CONFIG
from aiogram.exceptions import TelegramBadRequest, TelegramNetworkError, TelegramServerError
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.utils.backoff import Backoff
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.clock import Clock
from bot.wiring.config import Settings
from bot.wiring.inbox import CHATS_AT_ONCE
from bot.wiring.leadership import Leadership
from bot.wiring.middlewares import chat_key_of
from storage import outbox

log = logging.getLogger(__name__)
_T = TypeVar("_T")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/health"
HEALTH_TIMEOUT_SECONDS = 2.0


class WebhookSetupError(RuntimeError):
    """``WEBHOOK_LISTEN`` cannot be listened on (another program has the port), or Telegram
    refuses ``WEBHOOK_URL`` (a host it cannot resolve or reach): a setting to fix, one line."""


class ChatTurns:
    """An in-process lock per chat key, made when an update of the chat comes and dropped
    when no update of it is in flight or waiting."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def turn(self, chat_key: int) -> AsyncIterator[None]:
        lock, users = self._locks.get(chat_key, (asyncio.Lock(), 0))
        self._locks[chat_key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[chat_key]
            if users == 1:
                del self._locks[chat_key]
            else:
                self._locks[chat_key] = (lock, users - 1)


class ConfirmAfterApplied(SimpleRequestHandler):
    """aiogram's handler, answering Telegram only once the update is applied, chat by chat.

    ``SimpleRequestHandler(handle_in_background=False)`` does answer after the handlers
    return, but through ``Dispatcher.feed_webhook_update``, which answers 200 anyway after
    55 s, confirming a slow update while it is still being applied: a crash then loses it.
    Here the answer waits for the update however long it takes (Telegram resends after its own
    timeout, and the resend is skipped as already applied). An update that fails is rolled
    back and its sender told by the error handler, then confirmed, as in polling; an error
    escaping even that answers 500 and Telegram delivers the update again. Telegram may post
    several updates at once: those of one chat are applied in order (a lock per chat key here,
    and on PostgreSQL an advisory lock per chat that also orders replicas, see
    ``bot/wiring/middlewares.py``), those of different chats side by side, at most
    ``chats_at_once`` of them at a time (each holds a database connection meanwhile).
    """

    def __init__(
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        secret_token: str,
        *,
        chats_at_once: int = CHATS_AT_ONCE,
    ) -> None:
        super().__init__(dispatcher, bot, handle_in_background=False, secret_token=secret_token)
        self._chat_turns = ChatTurns()
        self._slots = asyncio.Semaphore(chats_at_once)

    async def handle(self, request: web.Request) -> web.Response:
        bot = await self.resolve_bot(request)
        if not self.verify_secret(request.headers.get(SECRET_HEADER, ""), bot):
            log.warning("webhook request without the right secret refused")
            return web.Response(status=401, text="Unauthorized")
        try:
            raw = await request.json(loads=bot.session.json_loads)
            update = Update.model_validate(raw, context={"bot": bot})
        except ValueError:  # not JSON, or not an update
            return web.Response(status=400, text="Bad Request")
        async with self._chat_turns.turn(chat_key_of(update)), self._slots:
            result = await self.dispatcher.feed_update(bot, update, **self.data)
        if isinstance(result, TelegramMethod):
            await self.dispatcher.silent_call_request(bot=bot, result=result)
        return web.json_response({})


def scheduler_holder(dispatcher: Dispatcher) -> Callable[[], str]:
    """Who runs the scheduler and the outbox sender, as /health says it: this process while
    it holds the lead (``bot/wiring/leadership.py``), otherwise another replica."""

    def holder() -> str:
        leadership: Leadership | None = dispatcher.workflow_data.get("leadership")
        leading = leadership is not None and leadership.leading
        return "this process" if leading else "another process"

    return holder


def health_handler(
    reading_pool: async_sessionmaker[AsyncSession], clock: Clock, holder: Callable[[], str]
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """``GET /health``: whether the database answers, the outbox backlog, the scheduler's
    holder. Counts and ages only, nothing about people; 503 when the database does not answer
    within a short timeout, so a proxy or an orchestrator can take the replica out."""

    async def read(now: datetime) -> outbox.Backlog:
        async with reading_pool() as session:
            await session.execute(text("select 1"))
            return await outbox.backlog(session, now=now)

    async def health(_request: web.Request) -> web.Response:
        now = clock.now()
        try:
            backlog = await asyncio.wait_for(read(now), HEALTH_TIMEOUT_SECONDS)
        except (TimeoutError, OSError, SQLAlchemyError) as error:
            log.warning("health: the database does not answer: %s", type(error).__name__)
            gone = {"database": "unreachable", "outbox": None, "scheduler": holder()}
            return web.json_response(gone, status=503)
        oldest = backlog.oldest_due_at
        body: dict[str, object] = {
            "database": "ok",
            "outbox": {
                "pending": backlog.pending,
                "due": backlog.due,
                "waiting": backlog.waiting,
                "oldest_due_age_seconds": (
                    None if oldest is None else round((now - oldest).total_seconds(), 1)
                ),
            },
            "scheduler": holder(),
        }
        return web.json_response(body)

    return health


def create_app(dispatcher: Dispatcher, bot: Bot, settings: Settings) -> web.Application:
    """The aiohttp application: updates on the webhook path, /health, the bot's start-up and
    shutdown hooks (scheduler, sender) tied to the server's."""
    assert settings.webhook_secret is not None  # the settings require it with a webhook URL
    app = web.Application()
    handler = ConfirmAfterApplied(
        dispatcher,
        bot,
        settings.webhook_secret.get_secret_value(),
        chats_at_once=settings.chats_at_once,
    )
    handler.register(app, path=settings.webhook_path)
    health = health_handler(
        dispatcher["reading_pool"], dispatcher["clock"], scheduler_holder(dispatcher)
    )
    app.router.add_get(HEALTH_PATH, health)
    setup_application(app, dispatcher, bot=bot)
    return app


async def bound_port(runner: web.AppRunner, settings: Settings) -> asyncio.AbstractServer:
    """``WEBHOOK_LISTEN``'s port, bound before the bot starts and served once
    :meth:`start_serving` is called: a port another program has stops the start before the
    scheduler's catch-up or the outbox sender ran (nothing queued, nothing sent). Until then
    nothing listens on it, as before the start."""
    host, port = settings.webhook_address

    def connection() -> asyncio.BaseProtocol:
        assert runner.server is not None  # served only after runner.setup()
        return runner.server()

    loop = asyncio.get_running_loop()
    try:
        return await loop.create_server(connection, host, port, start_serving=False)
    except OSError as error:  # the port taken, an address not of this machine
        reason = error.strerror or str(error)
        msg = f"WEBHOOK_LISTEN {settings.webhook_listen} cannot be listened on: {reason}"
        raise WebhookSetupError(msg) from None


async def run_webhook(
    dispatcher: Dispatcher, bot: Bot, settings: Settings, stop: asyncio.Event
) -> None:
    """Serve until ``stop`` is set: take the port, start the bot, listen, then tell Telegram
    where to post.

    The webhook is registered after the server listens, so the first update finds it; the
    update types are those polling asks for. It is not deleted at shutdown (see the module).
    """
    assert settings.webhook_url is not None and settings.webhook_secret is not None
    url, secret = settings.webhook_url, settings.webhook_secret.get_secret_value()
    runner = web.AppRunner(create_app(dispatcher, bot, settings), handle_signals=False)
    listening = await bound_port(runner, settings)
    try:
        await runner.setup()  # runs the bot's start-up: menus, scheduler, sender
        try:
            await listening.start_serving()
            registering = until_answered(
                "setWebhook",
                lambda: bot.set_webhook(
                    url=url,
                    secret_token=secret,
                    allowed_updates=dispatcher.resolve_used_update_types(),
                    drop_pending_updates=False,
                ),
            )
            try:
                registered = await unless_stopped(registering, stop)
            except TelegramBadRequest as error:
                msg = f"WEBHOOK_URL {url} is refused by Telegram: {error.message}"
                raise WebhookSetupError(msg) from None
            if registered:
                log.info(
                    "webhook mode: listening on %s, path %s",
                    settings.webhook_listen,
                    settings.webhook_path,
                )
                await stop.wait()
        finally:
            listening.close()  # no new connection; those open end with the runner
            await runner.cleanup()  # the bot's shutdown: the scheduler and the sender stop
    finally:
        listening.close()


async def leave_webhook(bot: Bot) -> None:
    """Before polling: remove a webhook an earlier webhook run left (pending updates kept)."""
    info = await until_answered("getWebhookInfo", bot.get_webhook_info)
    if info.url:
        log.warning("a webhook was set (%s): removing it to poll instead", info.url)
        await until_answered(
            "deleteWebhook", lambda: bot.delete_webhook(drop_pending_updates=False)
        )


async def until_answered(method: str, call: Callable[[], Awaitable[_T]]) -> _T:
    """A start-up call tried until Telegram answers: a machine that starts the bot before its
    network is up (or while Telegram fails, 5xx) waits for it, after a growing pause as the
    polling does, instead of exiting. Other refusals (a wrong token) still end the start."""
    backoff = Backoff(config=DEFAULT_BACKOFF_CONFIG)
    while True:
        try:
            return await call()
        except (TelegramNetworkError, TelegramServerError) as error:
            log.error(
                "start: %s: %s: %s; again in %.1f s",
                method,
                type(error).__name__,
                error,
                backoff.next_delay,
            )
            await backoff.asleep()


async def unless_stopped(call: Awaitable[object], stop: asyncio.Event) -> bool:
    """Await ``call`` unless ``stop`` is set first (SIGTERM, Ctrl+C while a start-up call
    waits for Telegram to answer); whether the call finished. Its error is raised."""
    task, stopped = asyncio.ensure_future(call), asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in (task, stopped):
            waiting.cancel()  # nothing for one that is done
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return not task.cancelled()


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGTERM or SIGINT: the webhook server, or the polling, then stops
    cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    return stop
