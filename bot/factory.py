"""Wiring: Bot, Dispatcher with its middlewares and routers, and the start-up hooks."""

from __future__ import annotations

import logging
from datetime import timedelta

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.middlewares import DbSessionMiddleware, ViewerMiddleware, load_viewer
from handlers import get_routers
from handlers.menu import audience_of, set_default_menus
from storage.engine import create_session_pool
from storage.updates import forget_updates_before

log = logging.getLogger(__name__)

PROCESSED_UPDATES_KEPT = timedelta(days=2)


def create_bot(settings: Settings) -> Bot:
    session = (
        AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
        if settings.telegram_api_url
        else AiohttpSession()
    )
    return Bot(
        token=settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


def create_dispatcher(settings: Settings, engine: AsyncEngine, clock: Clock) -> Dispatcher:
    session_pool = create_session_pool(engine)
    dp = Dispatcher(settings=settings, engine=engine, session_pool=session_pool, clock=clock)
    dp.update.outer_middleware(DbSessionMiddleware(session_pool, clock))
    dp.update.outer_middleware(ViewerMiddleware(settings.admin_ids))
    dp.include_routers(*get_routers())
    dp.startup.register(on_startup)
    return dp


async def on_startup(
    bot: Bot, settings: Settings, session_pool: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    async with session_pool() as session, session.begin():
        await forget_updates_before(session, clock.now() - PROCESSED_UPDATES_KEPT)
        admins = {
            admin_id: audience_of(await load_viewer(session, admin_id, settings.admin_ids))
            for admin_id in settings.admin_ids
        }
    await set_default_menus(bot, admins)


async def close(bot: Bot, engine: AsyncEngine) -> None:
    await bot.session.close()
    await engine.dispose()
