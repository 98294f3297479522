"""The calendar's clockwork: APScheduler only wakes the bot; the database says what is due.

Jobs live in APScheduler's memory store and are registered anew at every start (explicit ids,
``replace_existing``): nothing about what is due lives in the scheduler, so nothing is lost
when a run is skipped or killed. Every tick recomputes from the database what has fallen due
and queues it in the outbox under a unique key, which makes a second run, a restart or a
catch-up after downtime send each message once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from aiogram import Bot
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.announcements import report_finished_announcements
from bot.clock import Clock
from bot.config import Settings
from bot.delivery import Deliverer
from bot.digest_delivery import plan_digests
from bot.reminders import FormButton, open_due_periods, plan_reminders
from bot.texts import common as t
from storage import outbox
from storage.backup import BackupUnsupportedError, nightly_backup
from storage.updates import forget_updates_before

log = logging.getLogger(__name__)

TICK_SECONDS = 60
PROCESSED_UPDATES_KEPT = timedelta(days=2)


@dataclass
class Background:
    """Everything scheduled work needs, handed to each job explicitly."""

    bot: Bot
    engine: AsyncEngine
    session_pool: async_sessionmaker[AsyncSession]
    clock: Clock
    settings: Settings
    deliverer: Deliverer
    form_button: FormButton
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


async def calendar_tick(bg: Background) -> int:
    """Open due periods, queue due reminders and digests, then wake the sender."""
    tz = bg.settings.timezone
    await open_due_periods(bg.session_pool, bg.clock, bg.settings.calendar, tz)
    queued = await plan_reminders(
        bg.session_pool, bg.clock, bg.settings.calendar, tz, bg.form_button
    )
    queued += await plan_digests(bg.session_pool, bg.clock, bg.settings.calendar, tz)
    queued += await report_finished_announcements(bg.session_pool, bg.clock)
    if queued:
        bg.deliverer.wake()
    return queued


async def nightly(bg: Background) -> None:
    now = bg.clock.now()
    async with bg.session_pool() as session, session.begin():
        await forget_updates_before(session, now - PROCESSED_UPDATES_KEPT)
    with contextlib.suppress(BackupUnsupportedError):
        path = await nightly_backup(
            bg.engine, bg.settings.backup_dir, keep=bg.settings.backup_keep, now=now
        )
        log.info("nightly backup written to %s", path)


async def catch_up(bg: Background, started_at: datetime) -> int:
    """The first tick after a start; admins hear what it queued that fell due during downtime."""
    await calendar_tick(bg)
    async with bg.session_pool() as session, session.begin():
        keys = await outbox.pending_keys_created_since(session, started_at)
        reminders = sum(1 for key in keys if key.startswith("remind:"))
        digests = sum(1 for key in keys if key.startswith("digest:") and key.endswith(":text"))
        if reminders or digests:
            for admin_id in bg.settings.admin_ids:
                await outbox.enqueue(
                    session,
                    key=f"catchup:{started_at.isoformat()}:{admin_id}",
                    chat_id=admin_id,
                    kind="text",
                    payload={"text": t.caught_up(reminders, digests)},
                    not_before=started_at,
                    now=bg.clock.now(),
                )
    bg.deliverer.wake()
    return reminders + digests


def create_scheduler(bg: Background) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(
        timezone=ZoneInfo(bg.settings.timezone),
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    scheduler.add_job(
        calendar_tick,
        "interval",
        seconds=TICK_SECONDS,
        id="calendar",
        replace_existing=True,
        kwargs={"bg": bg},
        next_run_time=datetime.now(UTC) + timedelta(seconds=TICK_SECONDS),
    )
    scheduler.add_job(
        nightly, "cron", hour=3, minute=0, id="nightly", replace_existing=True, kwargs={"bg": bg}
    )
    return scheduler


async def start_background(bg: Background) -> AsyncIOScheduler:
    """Start the sender, catch up on what fell due while the bot was down, start the clock."""
    bg.tasks.append(asyncio.create_task(bg.deliverer.run_forever(bg.stop)))
    await catch_up(bg, bg.clock.now())
    scheduler = create_scheduler(bg)
    scheduler.start()
    return scheduler


async def stop_background(bg: Background, scheduler: AsyncIOScheduler) -> None:
    scheduler.shutdown(wait=False)
    bg.stop.set()
    for task in bg.tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
