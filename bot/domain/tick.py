"""One run of the scheduler's clockwork, as the reminder planners see it.

Every planner of a run (monitoring reminders and escalations, plan reminders and reviews) needs
the same three things at every level: when the run happens, by which calendar, and the time
zone of an organization that has none of its own. One object carries them down.
And every planner is handed the same resources by the scheduler: one ``Planning``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.calendar import (
    CalendarSettings,
    PlannedReminder,
    latest_due,
    local_today,
    next_allowed_moment,
)
from bot.domain.clock import Clock
from bot.domain.isolation import Isolation
from bot.domain.timezones import zone_of
from storage.models import Organization
from storage.transient import is_transient

T = TypeVar("T")


@dataclass(frozen=True)
class Tick:
    """``now`` (UTC) of this run, the monitoring ``calendar`` (send hours, reminder days) and
    the ``default_tz`` of organizations without a time zone of their own."""

    now: datetime
    calendar: CalendarSettings
    default_tz: str

    def zone(self, org: Organization | None) -> ZoneInfo:
        return zone_of(org, self.default_tz)

    def deliver_at(self, tz: ZoneInfo) -> datetime:
        """The first moment from now a message may go out in ``tz`` (the calendar's hours)."""
        return next_allowed_moment(self.now, tz, self.calendar)

    def due(
        self, plan: Sequence[PlannedReminder], tz: ZoneInfo
    ) -> tuple[PlannedReminder, datetime] | None:
        """The reminder of ``plan`` to enqueue now and when it may go out, by the catch-up
        policy: only the latest one due, and none when the next one falls on the day it would
        go out. The calendar's reminders and the plan's follow the same rule."""
        current, following = latest_due(plan, tz, self.now, self.calendar)
        if current is None:
            return None
        deliver_at = self.deliver_at(tz)
        if following is not None and following.local_day <= local_today(deliver_at, tz):
            return None
        return current, deliver_at


@dataclass(frozen=True)
class Planning:
    """What the scheduler hands every planner of a run: ``session_pool`` for its short write
    transactions, ``reading_pool`` for what it only reads (sessions that take no write lock:
    no chair's answer waits for them; the session pool when there is none), the clock, the
    calendar, the zone of organizations without their own, and the ``isolation`` each of its
    units runs in (a failing one is logged and skipped, the rest goes on)."""

    session_pool: async_sessionmaker[AsyncSession]
    clock: Clock
    calendar: CalendarSettings
    default_tz: str
    isolation: Isolation = field(default_factory=Isolation)
    reading_pool: async_sessionmaker[AsyncSession] | None = None

    @property
    def reader(self) -> async_sessionmaker[AsyncSession]:
        return self.reading_pool or self.session_pool

    async def reading_first(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """``work`` in one transaction of the reader, which takes SQLite's write lock only if
        it writes: most minutes a unit of a planner's pass only reads, and no chair's answer
        should wait for it. One whose write meets another writer's commit since it read
        (SQLite refuses it at once) is run again holding the lock from its start."""
        try:
            async with self.reader() as session, session.begin():
                return await work(session)
        except DBAPIError as error:
            if not is_transient(error):
                raise
        async with self.session_pool() as session, session.begin():
            return await work(session)

    def tick(self) -> Tick:
        """This run's moment, calendar and default zone (read from the clock now)."""
        return Tick(self.clock.now(), self.calendar, self.default_tz)
