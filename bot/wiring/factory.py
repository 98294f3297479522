"""Wiring: Bot, Dispatcher with its middlewares and routers, and the start-up hooks."""

from __future__ import annotations

import logging

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.delivery.digests import renderers as digest_renderers
from bot.delivery.limiter import Pacer, RateLimiter
from bot.delivery.outgoing import HoldReplies
from bot.delivery.sender import Deliverer
from bot.delivery.shared_limiter import SharedRateLimiter
from bot.domain.audience import audience_of
from bot.domain.clock import Clock
from bot.domain.housekeeping import PROCESSED_UPDATES_KEPT
from bot.domain.viewer import load_viewer
from bot.wiring.config import Settings
from bot.wiring.leadership import Leadership
from bot.wiring.middlewares import DbSessionMiddleware, ViewerMiddleware
from bot.wiring.scheduler import Background, follow, lead, start_background, stop_background
from bot.wiring.workers import Workers, stop_workers
from handlers import get_routers
from handlers.keyboards import reminder_button
from handlers.menu import set_default_menus
from storage.engine import create_reading_pool, create_session_pool
from storage.leadership import elects, replica_id
from storage.updates import forget_updates_before

log = logging.getLogger(__name__)


def create_bot(settings: Settings) -> Bot:
    session = (
        AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
        if settings.telegram_api_url
        else AiohttpSession()
    )
    session.middleware(HoldReplies())
    return Bot(
        token=settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


def create_limiter(settings: Settings, engine: AsyncEngine, holder: str) -> Pacer:
    """One pacer for replies and the outbox, since Telegram counts them together: in memory
    for the lone process on SQLite, shared by every replica on PostgreSQL."""
    delivery = settings.delivery
    if not elects(engine):
        return RateLimiter(delivery.global_per_second, delivery.per_chat_per_second)
    return SharedRateLimiter(
        engine,
        holder,
        delivery.global_per_second,
        delivery.per_chat_per_second,
        # the longest an outbox call may take, and the window after it
        lease_seconds=delivery.request_timeout_seconds + 1.0,
    )


def create_dispatcher(settings: Settings, engine: AsyncEngine, clock: Clock) -> Dispatcher:
    session_pool = create_session_pool(engine)
    reading_pool = create_reading_pool(engine)
    holder = replica_id()
    limiter = create_limiter(settings, engine, holder)
    dp = Dispatcher(
        settings=settings,
        engine=engine,
        session_pool=session_pool,
        reading_pool=reading_pool,
        clock=clock,
        limiter=limiter,
        holder=holder,
        workers=Workers(settings.database_url, settings.worker_processes),
    )
    dp.update.outer_middleware(DbSessionMiddleware(reading_pool, session_pool, clock, limiter))
    dp.update.outer_middleware(ViewerMiddleware(settings.admin_ids))
    dp.include_routers(*get_routers())
    dp.startup.register(on_startup)
    dp.shutdown.register(on_shutdown)
    return dp


async def on_startup(
    dispatcher: Dispatcher,
    bot: Bot,
    settings: Settings,
    engine: AsyncEngine,
    session_pool: async_sessionmaker[AsyncSession],
    reading_pool: async_sessionmaker[AsyncSession],
    clock: Clock,
    limiter: Pacer,
    holder: str,
) -> None:
    async with session_pool() as session, session.begin():
        await forget_updates_before(session, clock.now() - PROCESSED_UPDATES_KEPT)
        admins = {
            admin_id: audience_of(await load_viewer(session, admin_id, settings.admin_ids))
            for admin_id in settings.admin_ids
        }
    await set_default_menus(bot, admins)
    background = Background(
        bot=bot,
        engine=engine,
        session_pool=session_pool,
        clock=clock,
        settings=settings,
        deliverer=Deliverer(
            bot,
            session_pool,
            clock,
            settings.delivery,
            digest_renderers(settings.timezone),
            limiter=limiter,
            reading_pool=reading_pool,
            holder=holder,
        ),
        form_button=reminder_button,
    )
    scheduler = await start_background(background)
    leadership = Leadership(
        engine,
        start=lambda: lead(background, scheduler),
        stop=lambda: follow(background, scheduler),
        retry_seconds=settings.leader_retry_seconds,
    )
    dispatcher["background"] = background
    dispatcher["scheduler"] = scheduler
    dispatcher["leadership"] = leadership
    await leadership.begin()  # a lone bot (SQLite) has caught up and runs when this returns


async def on_shutdown(
    background: Background | None = None,
    scheduler: AsyncIOScheduler | None = None,
    leadership: Leadership | None = None,
) -> None:
    """Give the lead up (the sender finishes its calls in flight), then stop the clock."""
    if leadership is not None:
        await leadership.end()
    if background is not None and scheduler is not None:
        await stop_background(background, scheduler)


async def close(bot: Bot, engine: AsyncEngine) -> None:
    await bot.session.close()
    await stop_workers()
    await engine.dispose()
