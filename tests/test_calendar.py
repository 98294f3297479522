"""The monitoring calendar's pure rules: tiers, working days, deadlines, local send moments."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from bot.domain.calendar import (
    CalendarSettings,
    PlannedReminder,
    Tier,
    deadline_for,
    due_months,
    in_quiet_hours,
    is_working_day,
    next_allowed_moment,
    next_working_day,
    reminder_plan,
    send_moment,
    tier_of,
)
from bot.wiring.config import Settings, describe_error
from harness import TOKEN

S = CalendarSettings()
MOSCOW = ZoneInfo("Europe/Moscow")
KALININGRAD = ZoneInfo("Europe/Kaliningrad")
KAMCHATKA = ZoneInfo("Asia/Kamchatka")


def local(
    tz: ZoneInfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0
) -> datetime:
    """A local wall-clock moment in ``tz``, as UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=tz).astimezone(UTC)


@pytest.mark.parametrize(
    ("coverage", "tier"),
    [
        (None, Tier.NEW),
        (0.0, Tier.LOW),
        (49.9, Tier.LOW),
        (50.0, Tier.MID),
        (80.0, Tier.MID),
        (80.1, Tier.HIGH),
        (100.0, Tier.HIGH),
    ],
)
def test_tier_boundaries(coverage: float | None, tier: Tier) -> None:
    assert tier_of(coverage) is tier


def test_due_months_by_tier() -> None:
    assert due_months(Tier.MID, S) == (3, 6, 10, 12)
    assert due_months(Tier.HIGH, S) == (10, 12)
    assert 3 not in due_months(tier_of(90.0), S) and 10 in due_months(tier_of(90.0), S)
    assert 3 in due_months(Tier.NEW, S) and 3 in due_months(Tier.LOW, S)
    custom = CalendarSettings.model_validate({"months_low": "1, 3,6;10,12", "months_new": [6]})
    assert due_months(Tier.LOW, custom) == (1, 3, 6, 10, 12)
    assert due_months(Tier.NEW, custom) == (6,)


def test_settings_validation() -> None:
    with pytest.raises(ValidationError, match="months"):
        CalendarSettings(months_mid=(3, 13))
    with pytest.raises(ValidationError, match="quiet hours"):
        CalendarSettings(send_time=time(22, 0))
    with pytest.raises(ValidationError, match="start at 1"):
        CalendarSettings(remind_after_days=(0, 2))
    assert CalendarSettings.model_validate({"remind_before_days": "3,7"}).remind_before_days == (
        3,
        7,
    )


def test_working_days_follow_the_russian_calendar() -> None:
    assert not is_working_day(date(2026, 11, 4))  # День народного единства
    assert not is_working_day(date(2026, 12, 31))  # transferred day off
    assert not is_working_day(date(2026, 1, 9))  # transferred day off
    assert not is_working_day(date(2026, 10, 24))  # a Saturday
    assert is_working_day(date(2026, 11, 5))
    assert is_working_day(date(2025, 11, 1))  # official working Saturday
    assert is_working_day(date(2024, 12, 28))  # official working Saturday
    assert next_working_day(date(2026, 10, 31)) == date(2026, 11, 2)
    assert next_working_day(date(2026, 11, 4)) == date(2026, 11, 5)
    assert next_working_day(date(2026, 12, 31)) == date(2027, 1, 11)
    assert next_working_day(date(2026, 11, 5)) == date(2026, 11, 5)


def test_deadline_moves_to_the_next_working_day() -> None:
    assert deadline_for(date(2026, 10, 1), S) == date(2026, 10, 26)  # 25.10 is a Sunday
    assert deadline_for(date(2026, 12, 1), S) == date(2026, 12, 25)  # a Friday
    assert deadline_for(date(2026, 2, 1), CalendarSettings(deadline_day=31)) == date(2026, 3, 2)


def test_same_local_hour_lands_on_different_utc_moments() -> None:
    day = date(2026, 10, 19)
    assert send_moment(day, KALININGRAD, S) == datetime(2026, 10, 19, 8, 0, tzinfo=UTC)
    assert send_moment(day, KAMCHATKA, S) == datetime(2026, 10, 18, 22, 0, tzinfo=UTC)
    assert send_moment(day, MOSCOW, S) == datetime(2026, 10, 19, 7, 0, tzinfo=UTC)
    # a Saturday reminder goes out on Monday at 10:00 local
    assert send_moment(date(2026, 10, 24), KAMCHATKA, S) == datetime(2026, 10, 25, 22, tzinfo=UTC)


def test_quiet_hours_weekends_and_holidays_defer_to_the_next_window() -> None:
    assert in_quiet_hours(time(21, 0), S) and in_quiet_hours(time(8, 59), S)
    assert not in_quiet_hours(time(9, 0), S) and not in_quiet_hours(time(20, 59), S)
    # Thursday 23:30 → Friday 09:00 local
    now = local(MOSCOW, 2026, 10, 1, 23, 30)
    assert next_allowed_moment(now, MOSCOW, S) == local(MOSCOW, 2026, 10, 2, 9, 0)
    # Friday 23:30 → Monday 09:00 local
    now = local(KAMCHATKA, 2026, 10, 2, 23, 30)
    assert next_allowed_moment(now, KAMCHATKA, S) == datetime(2026, 10, 4, 21, 0, tzinfo=UTC)
    # early morning of a working day → 09:00 the same day
    now = local(KALININGRAD, 2026, 10, 5, 6, 15)
    assert next_allowed_moment(now, KALININGRAD, S) == local(KALININGRAD, 2026, 10, 5, 9, 0)
    # inside the window: now
    now = local(MOSCOW, 2026, 10, 5, 14, 7)
    assert next_allowed_moment(now, MOSCOW, S) == now
    # a holiday at noon → the next working day at 09:00
    now = local(MOSCOW, 2026, 11, 4, 12, 0)
    assert next_allowed_moment(now, MOSCOW, S) == local(MOSCOW, 2026, 11, 5, 9, 0)
    # quiet hours that do not wrap midnight
    lunch = CalendarSettings(quiet_start=time(13, 0), quiet_end=time(14, 0))
    now = local(MOSCOW, 2026, 10, 5, 13, 30)
    assert next_allowed_moment(now, MOSCOW, lunch) == local(MOSCOW, 2026, 10, 5, 14, 0)


def _plan(opened: date, deadline: date, settings: CalendarSettings = S) -> list[tuple[str, date]]:
    return [(p.purpose, p.local_day) for p in reminder_plan(opened, deadline, settings)]


def test_plan_of_a_calendar_period() -> None:
    plan = reminder_plan(date(2026, 10, 1), date(2026, 10, 26), S)
    assert plan == [
        PlannedReminder("open", date(2026, 10, 1), "chair", ("open",)),
        PlannedReminder("before7", date(2026, 10, 19), "chair", ("before7",)),
        PlannedReminder("before3", date(2026, 10, 23), "chair", ("before3",)),
        # before1 falls on Sunday 25.10 and moves onto the deadline day: merged
        PlannedReminder("due", date(2026, 10, 26), "chair", ("before1", "due")),
        PlannedReminder("after1", date(2026, 10, 27), "chair", ("after1",)),
        PlannedReminder("after3", date(2026, 10, 29), "chair", ("after3",)),
        PlannedReminder("late1", date(2026, 10, 27), "escalation", ("late1",)),
    ]


def test_before3_on_a_saturday_moves_to_monday() -> None:
    deadline = date(2026, 11, 25)  # Wednesday; before3 = Sunday 22.11
    assert ("before3", date(2026, 11, 23)) in _plan(date(2026, 11, 2), deadline)
    no_before1 = CalendarSettings(remind_before_days=(7, 3, 0))
    deadline = date(2026, 11, 24)  # Tuesday; before3 = Saturday 21.11
    assert ("before3", date(2026, 11, 23)) in _plan(date(2026, 11, 2), deadline, no_before1)
    # with before1 also on Monday 23.11, the two merge into before1
    plan = reminder_plan(date(2026, 11, 2), deadline, S)
    monday = [p for p in plan if p.local_day == date(2026, 11, 23)]
    assert monday == [
        PlannedReminder("before1", date(2026, 11, 23), "chair", ("before3", "before1"))
    ]


def test_reminders_before_the_opening_are_dropped_and_same_day_ones_merge() -> None:
    late_open = _plan(date(2026, 10, 21), date(2026, 10, 26))
    assert [p for p, _ in late_open][:3] == ["open", "before3", "due"]
    # opened on the before7 day: one reminder that day, named after the later purpose
    plan = reminder_plan(date(2026, 10, 19), date(2026, 10, 26), S)
    assert plan[0] == PlannedReminder("before7", date(2026, 10, 19), "chair", ("open", "before7"))
    chair_days = [p.local_day for p in plan if p.audience == "chair"]
    assert len(chair_days) == len(set(chair_days))
    # a one-off opened on a Saturday announces itself on Monday
    assert _plan(date(2026, 11, 7), date(2026, 11, 30))[0] == ("open", date(2026, 11, 9))


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic_settings import BaseSettings, SettingsConfigDict

    class AppSettings(BaseSettings):
        model_config = SettingsConfigDict(env_nested_delimiter="__")
        calendar: CalendarSettings = CalendarSettings()

    monkeypatch.setenv("CALENDAR__MONTHS_HIGH", "10, 12, 2")
    monkeypatch.setenv("CALENDAR__REMIND_AFTER_DAYS", "[1, 2]")
    monkeypatch.setenv("CALENDAR__SEND_TIME", "11:30")
    loaded = AppSettings().calendar
    assert loaded.months_high == (2, 10, 12)
    assert loaded.remind_after_days == (1, 2)
    assert loaded.send_time == time(11, 30)


@pytest.mark.parametrize(
    ("name", "value", "refusal"),
    [
        ("DEADLINE_DAY", "40", "CALENDAR__DEADLINE_DAY Input should be less than or equal to 31"),
        ("QUIET_END", "9 утра", "CALENDAR__QUIET_END Input should be in a valid time format"),
        ("MONTHS_HIGH", "", "CALENDAR__MONTHS_HIGH must list at least one month from 1 to 12"),
        ("DEADLINE_DAYS", "20", "CALENDAR__DEADLINE_DAYS is not a known setting (misspelt?)"),
    ],
)
def test_a_wrong_calendar_setting_is_named_in_full(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, refusal: str
) -> None:
    """The start stops naming the setting as written in .env, not only «CALENDAR»; an emptied
    month list is not «never», a misspelt name is not silently dropped."""
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv(f"CALENDAR__{name}", value)
    with pytest.raises(ValidationError) as error:
        Settings(_env_file=None)  # type: ignore[call-arg]
    assert describe_error(error.value).startswith(f"Configuration error: {refusal}")


def test_a_misspelt_delivery_setting_is_refused_as_well(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("DELIVERY__GLOBAL_PER_SECONDS", "10")
    with pytest.raises(ValidationError) as error:
        Settings(_env_file=None)  # type: ignore[call-arg]
    assert describe_error(error.value) == (
        "Configuration error: DELIVERY__GLOBAL_PER_SECONDS is not a known setting (misspelt?)"
    )
