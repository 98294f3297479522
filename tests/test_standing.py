"""Where a chair stands: the coverage tier, how often the ППО reports by it and the next
deadline (the open request's, else the next due period's, in the ППО's local date), in
/history and after each report; below 50 % the programme's curator and presidium."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot.domain.calendar import CalendarSettings
from bot.domain.standing import next_calendar_deadline
from bot.wiring.scheduler import calendar_tick
from harness import Harness, background, last_message, texts
from scenarios import CHAIR, DISTRICT, FULL, accept_invite, answer_all, code_of, invite_links, join
from storage.models import Organization

STAFF = 801
SCHOOL = "МБОУ СОШ № 1"
CURATOR_WORDS = "кураторы из состава президиума"
PRESIDIUM_WORDS = "заслушивается на заседании президиума"


def utc(year: int, month: int, day: int, hour: int = 7) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=UTC)


async def report(h: Harness, values: list[str] = FULL) -> str:
    """The saved message of a report with ``values`` (nobody's split asked)."""
    return texts(await h.tap(CHAIR, last_message(await answer_all(h, values)), "Отправить"))[0]


async def history(h: Harness) -> str:
    return texts(await h.send(CHAIR, "/history"))[0]


async def tick(h: Harness) -> None:
    bg = background(h)
    await calendar_tick(bg)
    await bg.deliverer.drain()


def test_the_next_due_period_by_the_calendar() -> None:
    settings = CalendarSettings()
    mid, high = settings.months_mid, settings.months_high
    november = date(2026, 11, 21)
    assert next_calendar_deadline(mid, set(), november, settings) == date(2026, 12, 25)
    assert next_calendar_deadline(high, set(), november, settings) == date(2026, 12, 25)
    reported = {date(2026, 12, 1)}
    assert next_calendar_deadline(mid, reported, date(2026, 12, 3), settings) == date(2027, 3, 25)
    assert next_calendar_deadline(high, reported, date(2026, 12, 3), settings) == date(2027, 10, 25)
    # after December's deadline, unreported: the next one is March's
    assert next_calendar_deadline(mid, set(), date(2026, 12, 28), settings) == date(2027, 3, 25)
    # the deadline day itself still counts (26.10.2026: the 25th is a Sunday)
    assert next_calendar_deadline(mid, set(), date(2026, 10, 26), settings) == date(2026, 10, 26)
    assert next_calendar_deadline((), set(), november, settings) is None


async def test_after_a_report_and_in_history(harness: Harness) -> None:
    await join(harness)
    assert "отчётов пока нет: мониторинг 4 раза в год, следующий — до 25.12.2026" in (
        await history(harness)
    )
    saved = await report(harness)
    expected = "охват 74,1 %: мониторинг 4 раза в год, следующий — до 25.12.2026"
    assert "Отчёт сохранён" in saved and expected in saved
    listing = await history(harness)
    assert expected in listing.splitlines()[0]
    assert CURATOR_WORDS not in listing


async def test_over_80_reports_twice_and_under_50_hears_of_its_curator(harness: Harness) -> None:
    await join(harness)
    saved = await report(harness, ["54", "50", *FULL[2:]])
    assert "охват 92,6 %: мониторинг 2 раза в год, следующий — до 25.12.2026" in saved
    assert CURATOR_WORDS not in saved

    saved = await report(harness, ["54", "20", "12", "8", *FULL[4:]])
    assert "охват 37 %: мониторинг 4 раза в год, следующий — до 25.12.2026" in saved
    assert CURATOR_WORDS in saved and PRESIDIUM_WORDS in saved
    listing = await history(harness)
    assert "охват 37 %" in listing.splitlines()[0]
    assert listing.splitlines()[-1].startswith("Охват ниже 50 %")


async def test_the_coverage_shown_never_rounds_across_its_tier(harness: Harness) -> None:
    """4 998 of 10 000 is 49,98 %: below 50 %, so the chair hears of curators and the
    presidium, and the same reply must not say «охват 50 %»; 8 004 of 10 000 is more than
    80 % (twice a year) and must not read as 80 %."""
    await join(harness)
    saved = await report(harness, ["10000", "4998", *FULL[2:]])
    assert "охват 49,9 %: мониторинг 4 раза в год" in saved and CURATOR_WORDS in saved
    listing = await history(harness)
    assert "охват 49,9 % (4998 из 10000)" in listing and CURATOR_WORDS in listing
    saved = await report(harness, ["10000", "8004", *FULL[2:]])
    assert "охват 80,1 %: мониторинг 2 раза в год" in saved


async def test_the_open_request_decides_then_the_next_period(harness: Harness) -> None:
    harness.clock.moment = utc(2026, 12, 1)  # type: ignore[attr-defined]
    await join(harness)
    staff = (await invite_links(harness, whom="сотрудник аппарата"))[DISTRICT]
    await accept_invite(harness, STAFF, code_of(staff), first_name="Светлана")
    await tick(harness)  # December is due (never reported: every tier's months)
    question = last_message(await harness.send(STAFF, "/request"))
    await harness.tap(STAFF, question, "Мониторинг")
    await harness.send(STAFF, "15.12.2026")
    summary = last_message(await harness.send(STAFF, "Руководители в профсоюзе"))
    await harness.tap(STAFF, summary, "Отправить")
    assert "следующий — до 15.12.2026" in await history(harness)

    saved = await report(harness)  # December's report answers both December requests
    assert "мониторинг 4 раза в год, следующий — до 25.03.2027" in saved


async def test_an_overdue_request_in_the_ppos_own_date(harness: Harness) -> None:
    harness.clock.moment = utc(2026, 12, 1)  # type: ignore[attr-defined]
    await join(harness)
    await tick(harness)
    harness.clock.moment = utc(2026, 12, 25, 15)  # type: ignore[attr-defined]
    assert "следующий — до 25.12.2026" in await history(harness)  # 18:00 in Moscow
    async with harness.session_pool() as session, session.begin():
        school = (
            await session.scalars(select(Organization).where(Organization.name == SCHOOL))
        ).one()
        school.timezone = "Asia/Vladivostok"  # 01:00 on 26.12 there
    listing = await history(harness)
    assert "текущий просрочен — срок был 25.12.2026, ждём отчёт" in listing
