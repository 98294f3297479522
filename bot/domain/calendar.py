"""The monitoring calendar as pure rules: tiers, due months, working days, reminder timing.

Nothing here reads the clock or the database: every function takes the dates it works on.

Working days follow the Russian production calendar as the ``holidays`` package knows it:
Saturdays and Sundays are days off, public holidays and the official transferred days off
(«перенос выходных», e.g. 09.01.2026 and 31.12.2026) are days off, and the official working
Saturdays (e.g. 02.11.2024, 01.11.2025, exposed by the package as ``weekend_workdays``) are
working days.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

import holidays
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)
from pydantic_settings import NoDecode

Audience = Literal["chair", "escalation"]

PURPOSE_OPEN = "open"
PURPOSE_DUE = "due"


class Tier(enum.StrEnum):
    """How often a ППО reports, by its coverage (охват профчленством) in its latest report."""

    LOW = "low"  # below 50 %
    MID = "mid"  # 50-80 % inclusive
    HIGH = "high"  # above 80 %
    NEW = "new"  # never reported (or its report has no coverage)


def _split_ints(value: object) -> object:
    """Settings from the environment may come as «3,6,10,12»."""
    if isinstance(value, str):
        text = value.strip().removeprefix("[").removesuffix("]").removeprefix("(").removesuffix(")")
        parts = [part.strip() for part in text.replace(";", ",").split(",")]
        return tuple(int(part) for part in parts if part)
    if isinstance(value, int):
        return (value,)
    return value


def _months(value: tuple[int, ...]) -> tuple[int, ...]:
    """An emptied setting (``CALENDAR__MONTHS_HIGH=``) is a mistake, not «never report»."""
    if not value:
        raise ValueError("must list at least one month from 1 to 12")
    if any(not 1 <= month <= 12 for month in value):
        raise ValueError("months must be numbers from 1 to 12")
    return tuple(sorted(set(value)))


def _offsets(value: tuple[int, ...]) -> tuple[int, ...]:
    if any(not 0 <= days <= 366 for days in value):
        raise ValueError("day offsets must be from 0 to 366")
    return tuple(sorted(set(value)))


def _after_deadline(value: tuple[int, ...]) -> tuple[int, ...]:
    if 0 in value:
        raise ValueError("days after the deadline start at 1")
    return value


IntList = Annotated[tuple[int, ...], NoDecode, BeforeValidator(_split_ints)]
"""A list of numbers; from the environment as «3,6,10,12» (or a JSON list)."""
Months = Annotated[IntList, AfterValidator(_months)]
"""Months of the year, sorted, each once."""
DayOffsets = Annotated[IntList, AfterValidator(_offsets)]
"""Days from the deadline, sorted, each once (0: the deadline day)."""
DaysAfter = Annotated[DayOffsets, AfterValidator(_after_deadline)]
"""Days after the deadline, from 1."""


class CalendarSettings(BaseModel):
    """The monitoring calendar: when periods open, their deadline, when reminders go out.

    Unknown names are refused: a misspelt ``CALENDAR__…`` setting would otherwise be dropped
    and its default used without a word."""

    model_config = ConfigDict(extra="forbid")

    months_mid: Months = (3, 6, 10, 12)
    """Months in which a ППО with coverage 50-80 % reports (seed 002)."""
    months_high: Months = (10, 12)
    """Months in which a ППО with coverage above 80 % reports."""
    months_low: Months = (3, 6, 10, 12)
    """Months in which a ППО with coverage below 50 % reports (at least as often as 50-80 %)."""
    months_new: Months = (3, 6, 10, 12)
    """Months in which a ППО that has never reported is due."""
    deadline_day: int = Field(default=25, ge=1, le=31)
    """Day of the period's month the monitoring is due (clamped to the month's last day, then
    moved to the next working day)."""
    remind_before_days: DayOffsets = (7, 3, 1, 0)
    """Chair reminders, in days before the deadline (0 = on the deadline day)."""
    remind_after_days: DaysAfter = (1, 3)
    """Chair reminders, in days after the deadline."""
    escalate_after_days: DaysAfter = (1,)
    """Days after the deadline the curators and district staff get the list of late ППО."""
    send_time: time = time(10, 0)
    """Local time (the ППО's time zone) reminders go out."""
    quiet_start: time = time(21, 0)
    """Start of quiet hours, local: nothing is sent from it."""
    quiet_end: time = time(9, 0)
    """End of quiet hours, local: sending resumes at it."""
    digest_weekday: int = Field(default=0, ge=0, le=6)
    """Weekday of the weekly digest (0 = Monday)."""
    digest_time: time = time(9, 0)
    """Local time of the weekly digest."""

    @model_validator(mode="after")
    def _times_outside_quiet_hours(self) -> CalendarSettings:
        for name in ("send_time", "digest_time"):
            if in_quiet_hours(getattr(self, name), self):
                raise ValueError(f"{name} falls inside quiet hours")
        return self


def tier_of(coverage: float | None) -> Tier:
    """The tier of a ППО by the coverage of its latest report; ``None``: never reported."""
    if coverage is None:
        return Tier.NEW
    if coverage < 50:
        return Tier.LOW
    if coverage <= 80:
        return Tier.MID
    return Tier.HIGH


def due_months(tier: Tier | str, settings: CalendarSettings) -> tuple[int, ...]:
    return {
        Tier.LOW: settings.months_low,
        Tier.MID: settings.months_mid,
        Tier.HIGH: settings.months_high,
        Tier.NEW: settings.months_new,
    }[Tier(tier)]


def calendar_months(settings: CalendarSettings) -> frozenset[int]:
    """Months in which at least one tier is due."""
    return frozenset(m for tier in Tier for m in due_months(tier, settings))


# --- Working days ---------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _calendar_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(days off that are not weekends or are holidays, working weekend days) of one year."""
    russian = holidays.country_holidays("RU", years=year)
    days_off = frozenset(day for day in russian if day.year == year)
    working_weekends = frozenset(
        day for day in getattr(russian, "weekend_workdays", ()) if day.year == year
    )
    return days_off, working_weekends


def is_working_day(day: date) -> bool:
    """Monday-Friday except public holidays and transferred days off; plus working Saturdays."""
    days_off, working_weekends = _calendar_year(day.year)
    if day in working_weekends:
        return True
    if day.weekday() >= 5:
        return False
    return day not in days_off


def next_working_day(day: date) -> date:
    """``day`` itself if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def previous_working_day(day: date) -> date:
    """``day`` itself if it is a working day, else the last working day before it."""
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def _last_day_of_month(year: int, month: int) -> int:
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


def deadline_for(period: date, settings: CalendarSettings) -> date:
    """The deadline of a calendar period: its deadline day, moved to the next working day."""
    day = min(settings.deadline_day, _last_day_of_month(period.year, period.month))
    return next_working_day(date(period.year, period.month, day))


def opening_deadline(period: date, opened_on: date, settings: CalendarSettings) -> date:
    """The deadline of a calendar period opened on ``opened_on``: the calendar's, unless less
    is left of it than the first reminder's lead (a bot set up on the 28th): then that lead
    from the opening day, so that no chair is told of a deadline already gone."""
    due = deadline_for(period, settings)
    lead = timedelta(days=max(settings.remind_before_days, default=0))
    return due if due - opened_on >= lead else next_working_day(opened_on + lead)


# --- Local times ----------------------------------------------------------------------------


def in_quiet_hours(moment: time, settings: CalendarSettings) -> bool:
    """Quiet hours are [quiet_start, quiet_end); they may wrap midnight (21:00-09:00).

    Equal start and end mean no quiet hours.
    """
    start, end = settings.quiet_start, settings.quiet_end
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def _allowed_windows(settings: CalendarSettings) -> list[tuple[time, time | None]]:
    """Allowed [from, to) windows of one day; ``None`` = until midnight."""
    start, end = settings.quiet_start, settings.quiet_end
    if start == end:
        return [(time(0), None)]
    if start < end:
        return [(time(0), start), (end, None)]
    return [(end, start)]


def _local(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz)


def next_allowed_moment(
    now_utc: datetime, tz: ZoneInfo, settings: CalendarSettings, *, working_days: bool = True
) -> datetime:
    """``now_utc`` if it is a working day outside quiet hours there, else the start of the next
    allowed window (quiet_end of the next working day, typically). Returns UTC.
    ``working_days=False``: quiet hours only (what staff send by hand goes out on a Sunday)."""
    local = now_utc.astimezone(tz)
    day = local.date()
    for _ in range(400):
        if not working_days or is_working_day(day):
            for start, end in _allowed_windows(settings):
                window_end = (
                    _local(day + timedelta(days=1), time(0), tz)
                    if end is None
                    else _local(day, end, tz)
                )
                if local < window_end:
                    return max(local, _local(day, start, tz)).astimezone(UTC)
        day += timedelta(days=1)
    raise ValueError("no allowed sending moment within a year")  # pragma: no cover


def send_moment(local_day: date, tz: ZoneInfo, settings: CalendarSettings) -> datetime:
    """When a reminder planned for ``local_day`` goes out: the send time on the first working
    day on or after it, out of quiet hours. Returns UTC."""
    day = next_working_day(local_day)
    return next_allowed_moment(_local(day, settings.send_time, tz).astimezone(UTC), tz, settings)


def local_today(now_utc: datetime, tz: ZoneInfo) -> date:
    return now_utc.astimezone(tz).date()


# --- The reminder plan ----------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedReminder:
    """One reminder of a collection for one target.

    ``purpose`` names it in the outbox key; ``includes`` lists every purpose merged into it
    (two reminders that land on the same working day become one, named after the later).
    """

    purpose: str
    local_day: date
    audience: Audience
    includes: tuple[str, ...] = ()


def _merge(
    items: Iterable[tuple[date, int, str]], opened_on: date, audience: Audience
) -> list[PlannedReminder]:
    """Shift to working days, drop those before the opening day, merge same-day ones."""
    plan: list[PlannedReminder] = []
    for raw_day, _rank, purpose in sorted(items):
        day = next_working_day(raw_day)
        if day < opened_on:
            continue
        if plan and plan[-1].local_day == day:
            merged = plan.pop()
            plan.append(PlannedReminder(purpose, day, audience, (*merged.includes, purpose)))
        else:
            plan.append(PlannedReminder(purpose, day, audience, (purpose,)))
    return plan


def reminder_plan(
    opened_on: date, deadline: date, settings: CalendarSettings
) -> list[PlannedReminder]:
    """Every reminder of one target, in order: chair reminders, then escalation ones.

    Chair: «open» on the opening day, «before7»/«before3»/«before1» and «due» (the deadline
    day), «after1»/«after3». Escalation: «late1». Each moves to the next working day; those
    that land before the opening day are dropped; same-day ones merge into the later purpose.
    """
    chair: list[tuple[date, int, str]] = [(opened_on, 0, PURPOSE_OPEN)]
    for days in settings.remind_before_days:
        purpose = PURPOSE_DUE if days == 0 else f"before{days}"
        chair.append((deadline - timedelta(days=days), 1, purpose))
    chair += [(deadline + timedelta(days=d), 1, f"after{d}") for d in settings.remind_after_days]
    escalation = [
        (deadline + timedelta(days=d), 1, f"late{d}") for d in settings.escalate_after_days
    ]
    return [*_merge(chair, opened_on, "chair"), *_merge(escalation, opened_on, "escalation")]


def latest_due(
    plan: Sequence[PlannedReminder], tz: ZoneInfo, now_utc: datetime, settings: CalendarSettings
) -> tuple[PlannedReminder | None, PlannedReminder | None]:
    """(the latest reminder whose send moment has come, the one after it) of one audience."""
    current: PlannedReminder | None = None
    for item in plan:
        if send_moment(item.local_day, tz, settings) > now_utc:
            return current, item
        current = item
    return current, None
