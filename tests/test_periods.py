"""A report counts for the period it is for: the rule as plain functions, then the real bot.

The rule (``bot.domain.membership.report_options``): the open request (deadline not passed, in the
ППО's local date), else the latest overdue one (late), else the current month as an extra
report. The handler tests check that /status, /export, /history, the rating and the draft
that outlives its period all agree with it.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select, text

from bot.domain.report_periods import Assignment, chosen, local_day, report_options
from bot.texts import common
from bot.texts import membership as tm
from bot.wiring.scheduler import calendar_tick, nightly
from handlers.callbacks import ReportPeriod
from harness import ADMIN, Harness, Request, background, last_message, texts
from scenarios import CHAIR, DISTRICT, FULL, accept_invite, code_of, invite_links, join
from storage import rating as rating_store
from storage.collections import OpenTarget
from storage.engine import create_engine, create_session_pool
from storage.migrate import upgrade
from storage.models import (
    Collection,
    CollectionTarget,
    FormDraft,
    MembershipReport,
    Organization,
    OutboxMessage,
)

# --- The rule as plain functions -----------------------------------------------------------

OCT, DEC = date(2026, 10, 1), date(2026, 12, 1)
OCT_DEADLINE = date(2026, 10, 26)  # the 25th is a Sunday
DEC_DEADLINE = date(2026, 12, 25)


def target(
    collection_id: int,
    period: date,
    deadline: date,
    *,
    submitted: bool = False,
    title: str | None = None,
) -> OpenTarget:
    return OpenTarget(
        collection_id=collection_id,
        period=period,
        title=title or "Мониторинг",
        one_off=title is not None,
        deadline=deadline,
        submitted=submitted,
    )


OCTOBER = target(1, OCT, OCT_DEADLINE)
DECEMBER = target(2, DEC, DEC_DEADLINE)


@pytest.mark.parametrize(
    ("today", "late"),
    [
        (date(2026, 10, 25), False),  # the last day before the deadline
        (OCT_DEADLINE, False),  # the deadline day itself is still on time
        (date(2026, 10, 27), True),  # the day after
        (date(2026, 11, 1), True),  # the first day of the next month: still October, late
    ],
)
def test_october_around_its_deadline(today: date, late: bool) -> None:
    assert report_options([OCTOBER], today) == (
        Assignment(period=OCT, collection_id=1, deadline=OCT_DEADLINE, late=late),
    )


def test_the_next_open_period_wins_over_an_overdue_one() -> None:
    (only,) = report_options([OCTOBER, DECEMBER], DEC)
    assert (only.period, only.collection_id, only.late) == (DEC, 2, False)


@pytest.mark.parametrize(
    "today", [date(2026, 12, 26), date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 2)]
)
def test_a_december_report_filed_at_the_new_year_is_for_december(today: date) -> None:
    (only,) = report_options([DECEMBER], today)
    assert (only.period, only.late) == (DEC, True)


def test_nothing_asked_is_an_extra_report_for_the_current_month() -> None:
    assert report_options([], date(2027, 1, 1)) == (Assignment(period=date(2027, 1, 1)),)
    # delivered and past its deadline: the next report is an extra one
    done = target(1, OCT, OCT_DEADLINE, submitted=True)
    assert report_options([done], date(2026, 11, 3)) == (Assignment(period=date(2026, 11, 1)),)


def test_an_unanswered_overdue_request_comes_before_an_answered_open_one() -> None:
    answered = target(
        2, date(2026, 11, 1), date(2026, 11, 30), title="Руководители", submitted=True
    )
    (only,) = report_options([OCTOBER, answered], date(2026, 11, 3))
    assert (only.collection_id, only.late) == (1, True)
    # with nothing overdue, the answered open request takes a new revision
    (again,) = report_options([answered], date(2026, 11, 3))
    assert (again.collection_id, again.submitted, again.late) == (2, True, False)


def test_two_open_requests_are_a_choice() -> None:
    request = target(3, date(2026, 9, 1), date(2026, 10, 20), title="Руководители")
    options = report_options([request, OCTOBER], date(2026, 10, 5))
    assert [(o.collection_id, o.title, o.deadline) for o in options] == [
        (3, "Руководители", date(2026, 10, 20)),
        (1, None, OCT_DEADLINE),
    ]
    assert chosen(options, None) is None
    assert chosen(options, 1) == options[1]
    assert chosen(options, 99) is None  # not (or no longer) an option


def test_two_requests_of_one_month_are_one_report_due_first() -> None:
    """One report answers both (``mark_submitted``): nothing to pick, the earlier deadline."""
    request = target(3, OCT, date(2026, 10, 20), title="Руководители")
    (only,) = report_options([request, OCTOBER], date(2026, 10, 5))
    assert (only.collection_id, only.deadline, only.late) == (3, date(2026, 10, 20), False)
    (late,) = report_options([request, OCTOBER], date(2026, 10, 21))
    assert (late.collection_id, late.late) == (3, True)  # October was owed by 20.10
    answered = [target(3, OCT, date(2026, 10, 20), title="Р", submitted=True), OCTOBER]
    (still,) = report_options(answered, date(2026, 10, 5))
    assert (still.collection_id, still.submitted) == (1, False)  # the one not answered yet
    both = [answered[0], target(1, OCT, OCT_DEADLINE, submitted=True)]
    (revision,) = report_options(both, date(2026, 10, 5))
    assert (revision.collection_id, revision.submitted) == (3, True)


def test_the_local_date_of_a_ppo_in_utc_plus_10_decides() -> None:
    moment = datetime(2026, 10, 26, 15, 0, tzinfo=UTC)  # 18:00 in Moscow, 01:00 next day
    assert local_day(moment, "Europe/Moscow") == OCT_DEADLINE
    assert local_day(moment, "Asia/Vladivostok") == date(2026, 10, 27)
    (moscow,) = report_options([OCTOBER], local_day(moment, "Europe/Moscow"))
    (vladivostok,) = report_options([OCTOBER], local_day(moment, "Asia/Vladivostok"))
    assert (moscow.late, vladivostok.late) == (False, True)
    # the first local day of November, while UTC is still in October
    evening = datetime(2026, 10, 31, 20, 0, tzinfo=UTC)
    assert report_options([], local_day(evening, "Asia/Vladivostok"))[0].period == date(2026, 11, 1)


# --- Through the bot ---------------------------------------------------------------------

STAFF = 801
SECOND_CHAIR = 502
SCHOOL = "МБОУ СОШ № 1"
KINDERGARTEN = "МБДОУ детский сад «Солнышко»"


def utc(year: int, month: int, day: int, hour: int = 7) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=UTC)


async def answer_open_form(harness: Harness, *, send: bool = True) -> Request:
    """The chair answers the open form with ``FULL``: its summary, then sent unless not."""
    replies: list[Request] = []
    for value in FULL:
        replies = await harness.send(CHAIR, value)
    summary = last_message(replies)
    if send:
        await harness.tap(CHAIR, summary, "Отправить")
    return summary


async def one_off(harness: Harness, deadline: str, title: str) -> list[str]:
    """Staff send a one-off monitoring request due ``deadline``; the texts of its confirmation."""
    question = last_message(await harness.send(STAFF, "/request"))
    await harness.tap(STAFF, question, "Мониторинг")
    await harness.send(STAFF, deadline)
    summary = last_message(await harness.send(STAFF, title))
    return texts(await harness.tap(STAFF, summary, "Отправить"))


async def staff_and_chairs(h: Harness, *, second_chair: bool = False) -> None:
    await join(h)
    if second_chair:
        link = (await invite_links(h))[KINDERGARTEN]
        await accept_invite(h, SECOND_CHAIR, code_of(link), first_name="Ольга")
    staff = (await invite_links(h, whom="сотрудник аппарата"))[DISTRICT]
    await accept_invite(h, STAFF, code_of(staff), first_name="Светлана")


async def tick(h: Harness) -> None:
    bg = background(h)
    await calendar_tick(bg)
    await bg.deliverer.drain()


async def report(h: Harness, user: int = CHAIR, values: list[str] = FULL) -> tuple[str, str]:
    """/report, every answer, «Отправить»: (the form's first message, the saved message)."""
    first = texts(await h.send(user, "/report"))[0]
    replies = []
    for value in values:
        replies = await h.send(user, value)
    saved = texts(await h.tap(user, last_message(replies), "Отправить"))[0]
    return first, saved


async def org_id(h: Harness, name: str) -> int:
    async with h.session_pool() as session:
        found = await session.scalars(select(Organization.id).where(Organization.name == name))
        return found.one()


async def targets_of(h: Harness, name: str) -> dict[tuple[date, bool], CollectionTarget]:
    """The ППО's targets by (collection period, one-off)."""
    org = await org_id(h, name)
    async with h.session_pool() as session:
        rows = await session.execute(
            select(Collection.period, Collection.one_off, CollectionTarget)
            .join(CollectionTarget, CollectionTarget.collection_id == Collection.id)
            .where(CollectionTarget.org_id == org)
        )
        return {(period, one_off): row for period, one_off, row in rows.all()}


async def report_periods(h: Harness, name: str) -> list[date]:
    org = await org_id(h, name)
    async with h.session_pool() as session:
        stmt = select(MembershipReport.period).where(MembershipReport.org_id == org)
        return list((await session.scalars(stmt)).all())


def table(data: bytes) -> dict[str, dict[str, object]]:
    """ППО name → its row of an exported table, by column header."""
    header, *rows = openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)
    return {str(row[header.index("ППО")]): dict(zip(header, row, strict=True)) for row in rows}


async def test_a_late_report_counts_for_october_everywhere(harness: Harness) -> None:
    harness.clock.moment = utc(2026, 10, 1)
    await staff_and_chairs(harness)
    await tick(harness)  # October opens, due 26.10.2026

    harness.clock.moment = utc(2026, 11, 2)  # Monday, a week late
    first, saved = await report(harness)
    assert "Отчёт за октябрь 2026, срок — 26.10.2026, сдаётся с опозданием" in first
    assert f"Отчёт сохранён: {SCHOOL}, октябрь 2026" in saved
    assert "Сдан с опозданием: срок был 26.10.2026" in saved
    assert await report_periods(harness, SCHOOL) == [OCT]
    october = (await targets_of(harness, SCHOOL))[(OCT, False)]
    assert october.submitted_on == date(2026, 11, 2)

    status = texts(await harness.send(STAFF, "/status"))[0]
    assert "Мониторинг за октябрь 2026" in status and "Сдали: 1 из 2" in status
    late_part = status.split("Сданы с опозданием (1):", 1)[1]
    assert SCHOOL in late_part and KINDERGARTEN not in late_part

    await harness.send(STAFF, "/export 10.2026")
    rows = table(harness.server.sent_files(STAFF)[-1][1])
    assert rows[SCHOOL]["Статус"] == "сдан с опозданием"
    assert rows[SCHOOL]["Работников"] == 54 and rows[SCHOOL]["Период"] == "октябрь 2026"
    assert rows[KINDERGARTEN]["Статус"] == "не сдан"
    await harness.send(STAFF, "/export 11.2026")
    assert table(harness.server.sent_files(STAFF)[-1][1])[SCHOOL]["Работников"] is None

    history = texts(await harness.send(CHAIR, "/history"))[0]
    assert "октябрь 2026" in history and "сдан с опозданием" in history


async def test_the_local_date_of_a_ppo_in_utc_plus_10_decides_lateness(harness: Harness) -> None:
    harness.clock.moment = utc(2026, 10, 1)
    await staff_and_chairs(harness, second_chair=True)
    found = last_message(await harness.send(ADMIN, "/org сош"))
    card = last_message(await harness.tap(ADMIN, found, SCHOOL))
    await harness.tap(ADMIN, card, "Часовой пояс")
    summary = last_message(await harness.send(ADMIN, "Владивосток"))
    assert "Asia/Vladivostok" in texts(await harness.tap(ADMIN, summary, "Отправить"))[0]
    await tick(harness)

    # 18:00 on the deadline day in Moscow; 01:00 the day after in Vladivostok
    harness.clock.moment = utc(2026, 10, 26, 15)
    far_first, far_saved = await report(harness, CHAIR)
    near_first, near_saved = await report(harness, SECOND_CHAIR)
    assert "сдаётся с опозданием" in far_first and "Сдан с опозданием" in far_saved
    assert "срок — 26.10.2026." in near_first
    assert "опозданием" not in near_first + near_saved

    status = texts(await harness.send(STAFF, "/status"))[0]
    assert "Сдали: 2 из 2" in status
    late_part = status.split("Сданы с опозданием (1):", 1)[1]
    assert SCHOOL in late_part and KINDERGARTEN not in late_part

    district = await org_id(harness, DISTRICT)
    async with harness.session_pool() as session:
        rows = await rating_store.rating_rows(session, district, 2026)
    on_time = {row.name: (row.targets, row.on_time) for row in rows}
    assert (on_time[KINDERGARTEN], on_time[SCHOOL]) == ((1, 1), (1, 0))

    # The table shows each report's time in its ППО's zone, the one lateness is judged in.
    await harness.send(STAFF, "/export 10.2026")
    rows = table(harness.server.sent_files(STAFF)[-1][1])
    assert rows[SCHOOL]["Сдан (местное время)"] == datetime(2026, 10, 27, 1, 0)
    assert rows[KINDERGARTEN]["Сдан (местное время)"] == datetime(2026, 10, 26, 18, 0)


async def test_a_december_report_filed_on_2_january_is_in_the_old_years_rating(
    harness: Harness,
) -> None:
    harness.clock.moment = utc(2026, 12, 1)
    await staff_and_chairs(harness)
    await tick(harness)  # December opens, due 25.12.2026

    harness.clock.moment = utc(2027, 1, 2)
    first, saved = await report(harness)
    assert "Отчёт за декабрь 2026, срок — 25.12.2026, сдаётся с опозданием" in first
    assert "декабрь 2026" in saved
    assert await report_periods(harness, SCHOOL) == [DEC]

    district = await org_id(harness, DISTRICT)
    async with harness.session_pool() as session:
        old = await rating_store.rating_rows(session, district, 2026)
        new = await rating_store.rating_rows(session, district, 2027)
    school = next(row for row in old if row.name == SCHOOL)
    assert school.reports_in_year == 1 and school.last is not None
    assert school.last.period == DEC and (school.targets, school.on_time) == (1, 0)
    assert next(row for row in new if row.name == SCHOOL).reports_in_year == 0


async def test_a_request_opened_on_the_first_in_utc_plus_10_is_for_that_month(
    harness: Harness,
) -> None:
    """08:00 on 1 December in Vladivostok is still 30 November in UTC: the request, and the
    report answering it, are for December, the month it was opened in where it was opened."""
    harness.clock.moment = utc(2026, 11, 23)
    await staff_and_chairs(harness)
    found = last_message(await harness.send(ADMIN, f"/org {DISTRICT}"))
    card = last_message(await harness.tap(ADMIN, found, DISTRICT))
    await harness.tap(ADMIN, card, "Часовой пояс")
    summary = last_message(await harness.send(ADMIN, "Владивосток"))
    assert "Asia/Vladivostok" in texts(await harness.tap(ADMIN, summary, "Отправить"))[0]

    harness.clock.moment = datetime(2026, 11, 30, 22, 0, tzinfo=UTC)
    assert "10.12.2026" in (await one_off(harness, "10.12.2026", "Численность на 1 декабря"))[0]

    first, saved = await report(harness)
    assert "Отчёт за декабрь 2026 по запросу «Численность на 1 декабря»" in first
    assert f"Отчёт сохранён: {SCHOOL}, декабрь 2026" in saved
    assert await report_periods(harness, SCHOOL) == [DEC]


async def test_a_chair_with_two_open_requests_picks_one(harness: Harness) -> None:
    """Two requests of different months (a September one-off, October's calendar period)."""
    harness.clock.moment = utc(2026, 9, 28)  # Monday
    await staff_and_chairs(harness, second_chair=True)
    await one_off(harness, "20.10.2026", "Руководители в профсоюзе")
    harness.clock.moment = utc(2026, 10, 5)  # Monday
    await tick(harness)  # October, due 26.10.2026

    choice = last_message(await harness.send(CHAIR, "/report"))
    assert "несколько запросов" in (choice.plain_text or "")
    assert [text for text, _ in choice.buttons()] == [
        "«Руководители в профсоюзе» (сентябрь 2026) — срок 20.10.2026",
        "Октябрь 2026 — срок 26.10.2026",
    ]

    # the chair of another ППО cannot use this chair's buttons
    replies = await harness.tap(SECOND_CHAIR, choice, "Руководители")
    refused = [r for r in replies if r.method == "answerCallbackQuery"]
    assert refused and refused[0].params.get("text") == common.NO_RIGHTS
    async with harness.session_pool() as session:
        assert await session.scalar(select(func.count()).select_from(FormDraft)) == 0

    first = texts(await harness.tap(CHAIR, choice, "Руководители"))[0]
    assert "Отчёт за сентябрь 2026 по запросу «Руководители в профсоюзе», срок — 20.10" in first
    await answer_open_form(harness)
    targets = await targets_of(harness, SCHOOL)
    assert targets[(date(2026, 9, 1), True)].submitted_on == date(2026, 10, 5)
    assert targets[(OCT, False)].submitted_at is None  # exactly the request picked

    # one request left open: no choice any more
    first = texts(await harness.send(CHAIR, "/report"))[0]
    assert "Отчёт за октябрь 2026, срок — 26.10.2026." in first
    await harness.send(CHAIR, "/cancel")


async def test_one_report_answers_both_requests_of_its_month(harness: Harness) -> None:
    """A calendar period and a one-off request of the same month ask for the same figures: the
    chair's one report answers both, so neither reminds the chair again, and no escalation
    names as late the ППО /status counts as submitted."""
    harness.clock.moment = utc(2026, 10, 5)  # Monday
    await staff_and_chairs(harness)
    await tick(harness)  # October, due 26.10.2026
    await one_off(harness, "20.10.2026", "Руководители в профсоюзе")

    first = texts(await harness.send(CHAIR, "/report"))[0]  # one report: nothing to pick
    assert "Отчёт за октябрь 2026 по запросу «Руководители в профсоюзе», срок — 20.10.2026" in first
    await answer_open_form(harness)
    targets = await targets_of(harness, SCHOOL)
    assert targets[(OCT, True)].submitted_on == date(2026, 10, 5)
    assert targets[(OCT, False)].submitted_on == date(2026, 10, 5)

    escalations: list[str] = []
    for day in (13, 19, 21, 27):  # reminders before, the one-off's escalation, the calendar's
        harness.clock.moment = utc(2026, 10, day)
        mark = harness.server.mark()
        await tick(harness)
        sent = [r for r in harness.server.requests[mark:] if r.method.startswith("send")]
        assert [r.plain_text for r in sent if r.chat_id == CHAIR] == []
        escalations += [
            r.plain_text or ""
            for r in sent
            if r.chat_id == STAFF and (r.plain_text or "").startswith(("Не сдали", "Не ответили"))
        ]
    assert len(escalations) == 2 and all(KINDERGARTEN in text for text in escalations)
    assert not any(SCHOOL in text for text in escalations), escalations
    assert "Сдали: 1 из 2" in texts(await harness.send(STAFF, "/status"))[0]


async def test_a_month_asked_twice_is_due_by_the_earlier_deadline(harness: Harness) -> None:
    """A one-off of December due 10.12 beside the calendar's 25.12: the ППО owes December by
    10.12 everywhere. The escalation of 11.12 names it, /status lists it as overdue, and a report
    on 14.12 is late for the chair, in /status, /export and /history alike."""
    harness.clock.moment = utc(2026, 12, 1)  # Tuesday
    await staff_and_chairs(harness)
    await tick(harness)  # December, due 25.12.2026
    await one_off(harness, "10.12.2026", "Численность на 1 декабря")

    harness.clock.moment = utc(2026, 12, 11)  # Friday, the day after the one-off's deadline
    mark = harness.server.mark()
    await tick(harness)
    told = [r.plain_text or "" for r in harness.server.requests[mark:] if r.chat_id == STAFF]
    assert any(text.startswith("Не ответили") and SCHOOL in text for text in told), told
    status = texts(await harness.send(STAFF, "/status"))[0]
    assert "Не сдали в срок (2)" in status, status

    harness.clock.moment = utc(2026, 12, 14)  # Monday
    first, saved = await report(harness)
    assert "срок — 10.12.2026, сдаётся с опозданием" in first, first
    assert "Сдан с опозданием: срок был 10.12.2026" in saved, saved
    status = texts(await harness.send(STAFF, "/status"))[0]
    assert SCHOOL in status.split("Сданы с опозданием (1):", 1)[1], status
    await harness.send(STAFF, "/export 12.2026")
    row = table(harness.server.sent_files(STAFF)[-1][1])[SCHOOL]
    assert (row["Статус"], row["Срок"]) == ("сдан с опозданием", datetime(2026, 12, 10)), row
    history = texts(await harness.send(CHAIR, "/history"))[0]
    assert "декабрь 2026" in history and "сдан с опозданием" in history


async def test_an_old_request_button_says_the_report_goes_to_another(harness: Harness) -> None:
    """The button of a request no longer open (closed since it was sent) opens the one open
    now, and says so first: the chair does not report into another request unawares."""
    harness.clock.moment = utc(2026, 10, 5)  # Monday
    await staff_and_chairs(harness)
    await tick(harness)  # October, due 26.10.2026
    school = await org_id(harness, SCHOOL)
    closed = ReportPeriod(org_id=school, collection_id=10_000).pack()
    first = texts(await harness.feed(harness.server.callback(CHAIR, closed)))[0]
    assert first.startswith(tm.PICKED_CLOSED) and "Отчёт за октябрь 2026" in first, first


async def test_a_draft_finished_in_the_next_period_goes_where_it_belongs(
    harness: Harness,
) -> None:
    harness.clock.moment = utc(2026, 10, 1)
    await staff_and_chairs(harness)
    await tick(harness)

    harness.clock.moment = utc(2026, 11, 25)  # October is overdue: the form opens for it
    first = texts(await harness.send(CHAIR, "/report"))[0]
    assert "Отчёт за октябрь 2026" in first and "с опозданием" in first
    for value in FULL[:3]:
        await harness.send(CHAIR, value)

    harness.clock.moment = utc(2026, 12, 1)
    await tick(harness)  # December opens; the chair comes back to the draft
    replies = []
    for value in FULL[3:]:
        replies = await harness.send(CHAIR, value)
    saved = texts(await harness.tap(CHAIR, last_message(replies), "Отправить"))[0]
    assert "форма открывалась для отчёта за октябрь 2026, отчёт засчитан за декабрь 2026" in saved
    assert f"Отчёт сохранён: {SCHOOL}, декабрь 2026" in saved and "опозданием" not in saved
    assert await report_periods(harness, SCHOOL) == [DEC]
    targets = await targets_of(harness, SCHOOL)
    assert targets[(DEC, False)].submitted_on == date(2026, 12, 1)
    assert targets[(OCT, False)].submitted_at is None


async def test_an_extra_report_meets_a_request_opened_meanwhile(harness: Harness) -> None:
    harness.clock.moment = utc(2026, 11, 23)  # Monday; nothing asked of anyone
    await staff_and_chairs(harness)
    first = texts(await harness.send(CHAIR, "/report"))[0]
    assert (
        "Отчёт за ноябрь 2026 (вне графика): сейчас отчёт от вашей организации не запрошен" in first
    )
    summary = await answer_open_form(harness, send=False)

    await one_off(harness, "30.11.2026", "Численность на конец года")

    saved = texts(await harness.tap(CHAIR, summary, "Отправить"))[0]
    assert (
        "форма открывалась для отчёта за ноябрь 2026 (вне графика), отчёт засчитан за "
        "ноябрь 2026 по запросу «Численность на конец года»" in saved
    )
    request_target = (await targets_of(harness, SCHOOL))[(date(2026, 11, 1), True)]
    assert request_target.submitted_on == date(2026, 11, 23)


async def test_drafts_untouched_for_30_days_are_closed_with_a_message(
    harness: Harness, tmp_path: Path
) -> None:
    harness.clock.moment = utc(2026, 11, 2)
    await join(harness)
    link = (await invite_links(harness))[KINDERGARTEN]
    await accept_invite(harness, SECOND_CHAIR, code_of(link), first_name="Ольга")
    await harness.send(CHAIR, "/report")
    await harness.send(CHAIR, "54")
    harness.clock.moment = utc(2026, 11, 20)
    await harness.send(SECOND_CHAIR, "/report")  # 13 days old on the night below: kept

    harness.clock.moment = utc(2026, 12, 3, 0)  # 03:00 in Moscow, 31 days after the answer
    bg = background(harness)
    bg.settings = harness.settings.model_copy(update={"backup_dir": tmp_path / "backups"})
    await nightly(bg)
    async with harness.session_pool() as session:
        left = (await session.scalars(select(FormDraft.tg_user_id))).all()
        queued = (await session.scalars(select(OutboxMessage))).all()
    assert left == [SECOND_CHAIR]
    assert [(m.chat_id, m.not_before) for m in queued] == [(CHAIR, utc(2026, 12, 3, 6))]

    mark = harness.server.mark()
    await bg.deliverer.drain()  # at night nothing goes out
    assert [r for r in harness.server.requests[mark:] if r.chat_id == CHAIR] == []
    harness.clock.moment = utc(2026, 12, 3, 7)
    mark = harness.server.mark()
    await bg.deliverer.drain()
    told = [r.plain_text or "" for r in harness.server.requests[mark:] if r.chat_id == CHAIR]
    assert len(told) == 1 and "Незаконченный отчёт за ноябрь 2026 закрыт" in told[0]

    first = texts(await harness.send(CHAIR, "/report"))[0]
    assert "незаконченная форма" not in first and "Отчёт за декабрь 2026" in first


# --- The migration ---------------------------------------------------------------------------

_ORG = (
    "insert into organizations (id, kind, name, name_key, timezone, created_at, updated_at) "
    "values (:id, :kind, :name, :name, :zone, :at, :at)"
)
_COLLECTION = (
    "insert into collections (id, kind, scope_org_id, period, title, one_off, opened_at, "
    "deadline) values (1, 'membership', 1, :period, 'Мониторинг', :one_off, :at, :deadline)"
)
_TARGET = (
    "insert into collection_targets (id, collection_id, org_id, tier, deadline, submitted_at) "
    "values (:id, 1, :id, 'new', :deadline, :submitted)"
)


async def test_the_migration_dates_existing_deliveries_in_local_time(empty_db_url: str) -> None:
    """Deliveries made before the upgrade get the ППО's local date (UTC where it has none)."""
    engine = create_engine(empty_db_url)
    at = datetime(2026, 10, 1, 7, 0)  # naive UTC, as stored
    delivered = datetime(2026, 10, 26, 15, 0)  # 01:00 on 27.10 in Vladivostok
    try:
        await upgrade(engine, "fb648bfdcd3d")
        async with engine.begin() as connection:
            orgs = [
                {"id": 1, "kind": "district", "name": "d", "zone": None, "at": at},
                {"id": 2, "kind": "ppo", "name": "p", "zone": "Asia/Vladivostok", "at": at},
                {"id": 3, "kind": "ppo", "name": "q", "zone": None, "at": at},
            ]
            await connection.execute(text(_ORG), orgs)
            await connection.execute(
                text(_COLLECTION),
                {"period": OCT, "one_off": False, "at": at, "deadline": OCT_DEADLINE},
            )
            await connection.execute(
                text(_TARGET),
                [
                    {"id": 1, "deadline": OCT_DEADLINE, "submitted": None},
                    {"id": 2, "deadline": OCT_DEADLINE, "submitted": delivered},
                    {"id": 3, "deadline": OCT_DEADLINE, "submitted": delivered},
                ],
            )
        await upgrade(engine)
        async with create_session_pool(engine)() as session:
            rows = await session.execute(
                select(CollectionTarget.id, CollectionTarget.submitted_on).order_by(
                    CollectionTarget.id
                )
            )
            assert rows.all() == [(1, None), (2, date(2026, 10, 27)), (3, OCT_DEADLINE)]
    finally:
        await engine.dispose()
