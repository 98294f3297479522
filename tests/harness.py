"""Drive the real Dispatcher with updates; the bot's replies land in the fake Bot API server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiogram import Bot, Dispatcher
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.delivery.digests import renderers as digest_renderers
from bot.delivery.sender import Deliverer
from bot.domain.clock import Clock
from bot.wiring.config import DeliverySettings, Settings
from bot.wiring.factory import create_bot, create_dispatcher
from bot.wiring.scheduler import Background
from fakes.telegram_server import FakeTelegramServer, Request
from handlers.keyboards import reminder_button
from storage.engine import create_engine, create_session_pool
from storage.migrate import upgrade

TOKEN = "123456:TEST-token-for-the-fake-server"
ADMIN = 900


class Harness:
    def __init__(
        self,
        server: FakeTelegramServer,
        bot: Bot,
        dp: Dispatcher,
        engine: AsyncEngine,
        settings: Settings,
        clock: Clock,
    ) -> None:
        self.server, self.bot, self.dp, self.engine = server, bot, dp, engine
        self.settings, self.clock = settings, clock
        self.session_pool: async_sessionmaker[AsyncSession] = create_session_pool(engine)

    async def feed(self, update_id: int) -> list[Request]:
        """Feed one queued update to the dispatcher; return the API calls it caused."""
        mark = self.server.mark()
        await self.dp.feed_raw_update(self.bot, self.server.get_update(update_id))
        return self.server.requests[mark:]

    async def send(self, user_id: int, text: str, **kwargs: Any) -> list[Request]:
        return await self.feed(self.server.message(user_id, text, **kwargs))

    async def tap(self, user_id: int, source: Request, button: str) -> list[Request]:
        return await self.feed(self.server.press_button(source, button, user_id=user_id))

    async def upload(
        self, user_id: int, data: bytes, filename: str, caption: str | None = None, **more: Any
    ) -> list[Request]:
        """A document sent by ``user_id``; ``more``: ``entities``, the caption's formatting."""
        return await self.feed(self.server.document(user_id, data, filename, caption, **more))

    def keep_the_bots_limits(self) -> None:
        """From now on the replies keep the bot's own limits, not ``MACHINE_SPEED``'s."""
        self.settings = self.settings.model_copy(update={"delivery": DeliverySettings()})
        self.restart()

    def restart(self) -> None:
        """A new Dispatcher over the same database: what a process restart leaves behind."""
        self.dp = create_dispatcher(self.settings, self.engine, self.clock)


def texts(requests: list[Request]) -> list[str]:
    return [r.plain_text or "" for r in requests if r.method in {"sendMessage", "sendDocument"}]


def last_message(requests: list[Request]) -> Request:
    sent = [r for r in requests if r.method == "sendMessage"]
    assert sent, f"no message sent; calls: {[r.method for r in requests]}"
    return sent[-1]


@asynccontextmanager
async def running_harness(
    db_url: str, clock: Clock, delivery: DeliverySettings | None = None
) -> AsyncIterator[Harness]:
    """``delivery``: the limits the dispatcher's replies keep (default: the bot's own)."""
    async with FakeTelegramServer(token=TOKEN) as server:
        settings = Settings(
            bot_token=TOKEN,
            database_url=db_url,
            admin_ids=frozenset({ADMIN}),
            telegram_api_url=server.base_url,
            _env_file=None,
            **({} if delivery is None else {"delivery": delivery}),
        )
        engine = create_engine(db_url)
        await upgrade(engine)
        bot = create_bot(settings)
        harness = Harness(
            server,
            bot,
            create_dispatcher(settings, engine, clock),
            engine,
            settings,
            clock,
        )
        try:
            yield harness
        finally:
            await bot.session.close()
            await engine.dispose()


FAST_DELIVERY = DeliverySettings(global_per_second=1000, per_chat_per_second=100, concurrency=4)
MACHINE_SPEED = DeliverySettings(per_chat_per_second=100)
"""The handler tests' replies: a test answers a chat's question the moment it is asked, and
the second a person's next answer waits before its reply (``Pacer.chat_spacing``) would only
make every step a second long. The tests of the pace itself take the bot's own limits."""


def background(h: Harness) -> Background:
    """The scheduled side of the bot, wired to the harness's bot, database and clock."""
    return Background(
        bot=h.bot,
        engine=h.engine,
        session_pool=h.session_pool,
        clock=h.clock,
        settings=h.settings,
        deliverer=Deliverer(
            h.bot, h.session_pool, h.clock, FAST_DELIVERY, digest_renderers(h.settings.timezone)
        ),
        form_button=reminder_button,
    )
