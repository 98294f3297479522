"""The calendar's clockwork: APScheduler only wakes the bot; the database says what is due.

Jobs live in APScheduler's memory store and are registered anew at every start (explicit ids,
``replace_existing``): nothing about what is due lives in the scheduler, so nothing is lost
when a run is skipped or killed. Every tick recomputes from the database what has fallen due
and queues it in the outbox under a unique key, which makes a second run, a restart or a
catch-up after downtime send each message once.

No stored row can stop the clockwork: every unit of work in a tick runs isolated
(``bot/domain/isolation.py``), and a catch-up that fails at start-up is reported to the admins while
the bot starts all the same. The nightly job does the housekeeping (``bot/domain/housekeeping.py``)
and the backup.

Of several replicas on one PostgreSQL only the elected leader runs the jobs and the sender
(``bot/wiring/leadership.py``): the scheduler starts paused and :func:`lead` / :func:`follow`
switch the work on and off as the lead comes and goes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from aiogram import Bot
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.delivery.digests import plan_digests
from bot.delivery.sender import Deliverer
from bot.domain.agreement_reminders import plan_agreement_reminders
from bot.domain.announcements import report_finished_announcements
from bot.domain.calendar import next_allowed_moment
from bot.domain.clock import Clock
from bot.domain.district_event_mail import plan_district_events
from bot.domain.drafts import close_stale_drafts
from bot.domain.due_periods import open_due_periods
from bot.domain.housekeeping import forget_processed_updates, prune_invites, prune_outbox
from bot.domain.isolation import Isolation
from bot.domain.plan_reminders import plan_measures
from bot.domain.rating_notice import plan_rating_notices
from bot.domain.reminders import plan_reminders
from bot.domain.tick import Planning
from bot.forms.declaration import FormButton
from bot.texts import common as t
from bot.texts import reminders as tr
from bot.wiring.config import Settings
from handlers.district_event_keyboards import invite_buttons
from handlers.plans import plan_done_button
from storage import audit, outbox
from storage.backup import BackupUnsupportedError, newest_backup_at, nightly_backup
from storage.engine import create_reading_pool
from storage.outbox import OutboxKind
from storage.outbox_keys import KeyPurpose, outbox_key, outbox_key_prefix

log = logging.getLogger(__name__)

TICK_SECONDS = 60
NIGHTLY_AT = time(3, 0)
"""When the nightly work runs, in the bot's zone (``TIMEZONE``)."""
NIGHTLY_DONE = "nightly"  # the audit action the nightly work ends with
NIGHTLY_BACKUP = "nightly backup"  # the unit admins are told of by name when it fails


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
    failing: set[str] = field(default_factory=set)
    """Units of work that failed before (``bot.domain.isolation``): repeats logged briefly."""

    def isolation(self) -> Isolation:
        return Isolation(self.failing)

    @cached_property
    def reading_pool(self) -> async_sessionmaker[AsyncSession]:
        """Sessions that take no write lock until they write: for work that mostly reads."""
        return create_reading_pool(self.engine)

    def planning(self, isolation: Isolation) -> Planning:
        """What this run's planners are handed (``bot.domain.tick.Planning``)."""
        calendar, zone = self.settings.calendar, self.settings.timezone
        return Planning(self.session_pool, self.clock, calendar, zone, isolation, self.reading_pool)


async def calendar_tick(bg: Background, isolation: Isolation | None = None) -> int:
    """Open due periods, queue due reminders and digests, then wake the sender.

    Every step, and inside it every district, collection, target, digest and announcement,
    is a unit of ``isolation``: a failing one is logged and skipped, the rest goes on.
    """
    planning = bg.planning(isolation or bg.isolation())
    isolation = planning.isolation
    queued = 0
    async with isolation.unit("opening periods"):
        await open_due_periods(planning)
    async with isolation.unit("planning reminders"):
        queued += await plan_reminders(planning, bg.form_button)
    async with isolation.unit("planning digests"):
        queued += await plan_digests(planning)
    async with isolation.unit("reporting announcements"):
        queued += await report_finished_announcements(planning)
    async with isolation.unit("planning plans of measures"):
        queued += await plan_measures(planning, plan_done_button)
    async with isolation.unit("planning district events"):
        queued += await plan_district_events(planning, invite_buttons)
    async with isolation.unit("planning the rating notice"):
        queued += await plan_rating_notices(planning)
    if queued:
        bg.deliverer.wake()
    return queued


async def nightly(bg: Background) -> None:
    """Housekeeping (``bot/domain/housekeeping.py``), closing stale drafts
    (``bot/domain/drafts.py``) and the backup, each step isolated."""
    now = bg.clock.now()
    isolation = bg.isolation()
    async with isolation.unit("forgetting processed updates"):
        forgotten = await forget_processed_updates(bg.session_pool, now)
        log.info("forgot %s processed update ids", forgotten)
    async with isolation.unit("closing stale drafts"):
        await close_stale_drafts(bg.session_pool, now, bg.settings.calendar, bg.settings.timezone)
    async with isolation.unit("agreement reminders"):
        if await plan_agreement_reminders(bg.planning(isolation), bg.form_button):
            bg.deliverer.wake()
    async with isolation.unit("pruning the outbox"):
        pruned = await prune_outbox(bg.session_pool, now)
        log.info("pruned %s finished outbox messages", pruned)
    async with isolation.unit("pruning the invites"):
        log.info("pruned %s old invites", await prune_invites(bg.session_pool, now))
    async with isolation.unit(NIGHTLY_BACKUP):
        with contextlib.suppress(BackupUnsupportedError):
            path = await nightly_backup(
                bg.engine, bg.settings.backup_dir, keep=bg.settings.backup_keep, now=now
            )
            log.info("nightly backup written to %s", path)
    async with bg.session_pool() as session, session.begin():
        audit.record(session, at=now, actor_id=None, action=NIGHTLY_DONE)
    if failed := isolation.failed:
        text = tr.nightly_skipped(failed, backup_failed=NIGHTLY_BACKUP in failed)
        morning = next_allowed_moment(now, ZoneInfo(bg.settings.timezone), bg.settings.calendar)
        await _tell_admins(bg, KeyPurpose.NIGHTLY_SKIPPED, now, text, not_before=morning)
        bg.deliverer.wake()


def _last_nightly_due(now: datetime, zone: ZoneInfo) -> datetime:
    """The latest ``NIGHTLY_AT`` (in the bot's zone) not after ``now``."""
    local = now.astimezone(zone)
    due = datetime.combine(local.date(), NIGHTLY_AT, tzinfo=zone)
    return due if due <= local else due - timedelta(days=1)


async def nightly_if_missed(bg: Background) -> None:
    """A bot that is off at 03:00 (an office PC switched off at night) never reaches the cron
    job, whose next run after a start is the next 03:00: at start the nightly work is done
    now if neither a backup (the night's last step) nor the audit log's «nightly» entry
    (written after it; on PostgreSQL, which the bot does not back up, the only sign) says it
    was done since the last 03:00. Every step is idempotent (keyed reminders, pruning by age),
    and a crash loop writes one backup a day, never rotating the good copies out."""
    newest = await asyncio.to_thread(newest_backup_at, bg.settings.backup_dir)
    due = _last_nightly_due(bg.clock.now(), ZoneInfo(bg.settings.timezone))
    async with bg.reading_pool() as session:
        done = bool(await audit.since(session, action=NIGHTLY_DONE, since=due))
    if not done and (newest is None or newest < due):
        log.info("the nightly work of %s was missed: doing it now", due.isoformat())
        await nightly(bg)


async def _tell_admins(
    bg: Background,
    purpose: KeyPurpose,
    started_at: datetime,
    text: str,
    *,
    not_before: datetime | None = None,
) -> None:
    """Queue ``text`` to every admin, one message per start (or night), in one transaction;
    sent at once unless ``not_before`` (what the night found waits for the morning)."""
    async with bg.session_pool() as session, session.begin():
        for admin_id in bg.settings.admin_ids:
            await outbox.enqueue(
                session,
                key=outbox_key(purpose, started_at.isoformat(), admin_id),
                chat_id=admin_id,
                kind=OutboxKind.TEXT,
                payload={"text": text},
                not_before=not_before or started_at,
                now=bg.clock.now(),
            )


async def catch_up(bg: Background, started_at: datetime) -> int:
    """The first tick after a start; admins hear what it queued that fell due during downtime,
    and what it had to skip because of a broken row."""
    isolation = bg.isolation()
    await calendar_tick(bg, isolation)
    async with bg.session_pool() as session:
        keys = await outbox.pending_keys_created_since(session, started_at)
    reminder, digest = outbox_key_prefix(KeyPurpose.REMINDER), outbox_key_prefix(KeyPurpose.DIGEST)
    text_part = f":{OutboxKind.TEXT}"  # a digest counts once, by its text
    reminders = sum(1 for key in keys if key.startswith(reminder))
    digests = sum(1 for key in keys if key.startswith(digest) and key.endswith(text_part))
    if reminders or digests:
        text = t.caught_up(reminders, digests)
        await _tell_admins(bg, KeyPurpose.CAUGHT_UP, started_at, text)
    if isolation.failed:
        text = tr.catch_up_skipped(isolation.failed)
        await _tell_admins(bg, KeyPurpose.CATCH_UP_SKIPPED, started_at, text)
    bg.deliverer.wake()
    return reminders + digests


async def _catch_up_or_report(bg: Background, started_at: datetime) -> None:
    """Catch-up never stops the start: if it fails, admins are told and the bot runs on (the
    minute ticks retry what it would have done)."""
    try:
        await catch_up(bg, started_at)
    except Exception:
        log.exception("catch-up at start-up failed; the bot starts anyway")
        try:
            await _tell_admins(bg, KeyPurpose.CATCH_UP_FAILED, started_at, tr.CATCH_UP_FAILED)
        except Exception:
            log.exception("could not tell the admins that catch-up failed")
        bg.deliverer.wake()


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
        nightly,
        "cron",
        hour=NIGHTLY_AT.hour,
        minute=NIGHTLY_AT.minute,
        id="nightly",
        replace_existing=True,
        kwargs={"bg": bg},
    )
    return scheduler


async def start_background(bg: Background) -> AsyncIOScheduler:
    """The scheduler, started paused: it runs jobs only while this process leads
    (``bot/wiring/leadership.py``, :func:`lead` and :func:`follow`)."""
    scheduler = create_scheduler(bg)
    scheduler.start(paused=True)
    return scheduler


async def lead(bg: Background, scheduler: AsyncIOScheduler) -> None:
    """This process became the leader: start the sender, catch up on what fell due while no
    one led (or the bot was down), the night's work too if it was missed, let the clock run."""
    bg.stop = asyncio.Event()
    bg.tasks.append(asyncio.create_task(bg.deliverer.run_forever(bg.stop)))
    await _catch_up_or_report(bg, bg.clock.now())
    await nightly_if_missed(bg)
    scheduler.resume()


async def follow(bg: Background, scheduler: AsyncIOScheduler) -> None:
    """This process no longer leads: no new job starts, the sender finishes the calls in
    flight, gives back the rows it claimed and did not send, and stops (a tick already
    running only queues, which is idempotent)."""
    if scheduler.running:
        scheduler.pause()
    bg.stop.set()
    tasks, bg.tasks = bg.tasks, []
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def stop_background(bg: Background, scheduler: AsyncIOScheduler) -> None:
    await follow(bg, scheduler)
    scheduler.shutdown(wait=False)
