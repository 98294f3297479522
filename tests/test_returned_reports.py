"""A report sent back for correction and not corrected yet: its figures are in doubt, so
nothing compares with it or decides by it; and a return written while the chair sent a new
version returns nothing."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import openpyxl
from sqlalchemy import select, update

from factories import membership_report
from harness import Harness, last_message, texts
from scenarios import CHAIR
from storage import reports
from storage.models import MembershipReport, OutboxMessage, Person, Role, RoleGrant
from test_staff_tools import STAFF, district_with_staff, drain, org_id, submit

SCHOOL, KINDERGARTEN = "МБОУ СОШ № 1", "МБДОУ детский сад «Солнышко»"
SEP, OCT, NOV, DEC = (date(2026, month, 1) for month in (9, 10, 11, 12))
MOSCOW = ZoneInfo("Europe/Moscow")


async def add_reports(h: Harness, rows: list[tuple[str, date, int, int, int, bool]]) -> None:
    """(ППО, period, revision, workers, members, sent back)."""
    ids = {name: await org_id(h, name) for name in {row[0] for row in rows}}
    async with h.session_pool() as session, session.begin():
        chair = (await session.scalars(select(Person.id).where(Person.tg_user_id == CHAIR))).one()
        for name, period, revision, workers, members, returned in rows:
            session.add(
                membership_report(
                    ids[name],
                    period,
                    workers,
                    members,
                    by=chair,
                    at=datetime(2026, period.month, 5, tzinfo=UTC),
                    revision=revision,
                    returned_at=datetime(2026, period.month, 6, tzinfo=UTC) if returned else None,
                    returned_by=chair if returned else None,
                    return_comment="Проверьте число членов" if returned else None,
                )
            )


async def test_the_previous_report_is_the_last_one_not_sent_back(harness: Harness) -> None:
    """The school's October (10 of 100, a typo) was sent back and never corrected; the
    kindergarten's October was corrected (revision 2). The digest compares November with
    September for the school and with the corrected October for the kindergarten, and the
    chair's form compares with September too."""
    h = harness
    h.clock.moment = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    await district_with_staff(h)
    await add_reports(
        h,
        [
            (SCHOOL, SEP, 1, 100, 55, False),
            (SCHOOL, OCT, 1, 100, 10, True),
            (SCHOOL, NOV, 1, 100, 60, False),
            (KINDERGARTEN, OCT, 1, 20, 2, True),
            (KINDERGARTEN, OCT, 2, 20, 10, False),
            (KINDERGARTEN, NOV, 1, 20, 12, False),
        ],
    )
    await h.send(STAFF, "/digest")
    _, data = h.server.sent_files(STAFF)[-1]
    header, *rows = (
        openpyxl.load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True)
    )
    table = {row["ППО"]: row for row in (dict(zip(header, r, strict=True)) for r in rows)}
    assert table[SCHOOL]["Изменение охвата, п.п."] == 5
    assert table[KINDERGARTEN]["Изменение охвата, п.п."] == 10

    async with h.session_pool() as session:
        previous = await reports.previous_report(session, await org_id(h, SCHOOL), before=DEC)
    assert previous is not None and previous.period == NOV
    async with h.session_pool() as session:
        previous = await reports.previous_report(session, await org_id(h, SCHOOL), before=NOV)
    assert previous is not None and (previous.period, previous.members) == (SEP, 55)


async def test_history_compares_with_the_last_report_not_sent_back(harness: Harness) -> None:
    """September 85 %, October 60 % (sent back: a typo, never corrected), November 80 %: the
    chair's /history gives November «↓» against September, not «↑» against October, and says
    October was sent back instead of giving it an arrow of its own."""
    h = harness
    h.clock.moment = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    await district_with_staff(h)
    await add_reports(
        h,
        [
            (SCHOOL, SEP, 1, 100, 85, False),
            (SCHOOL, OCT, 1, 100, 60, True),
            (SCHOOL, NOV, 1, 100, 80, False),
        ],
    )
    lines = texts(await h.send(CHAIR, "/history"))[0].splitlines()
    november = next(line for line in lines if "ноябрь 2026" in line)
    october = next(line for line in lines if "октябрь 2026" in line)
    assert november.startswith("↓ ноябрь 2026: охват 80 %"), november
    assert october == "↩️ октябрь 2026: охват 60 % (60 из 100), возвращён на исправление"


async def test_a_report_sent_back_does_not_decide_how_often_a_ppo_is_asked(
    harness: Harness,
) -> None:
    """December's 95 of 100 was sent back as a typo and never corrected: in March the school
    is asked like a ППО without a report, not spared as one above 80 %."""
    h = harness
    h.clock.moment = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    await district_with_staff(h)
    await add_reports(h, [(SCHOOL, DEC, 1, 100, 95, True), (KINDERGARTEN, DEC, 1, 20, 19, False)])
    h.clock.moment = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)
    asked = {r.chat_id for r in await drain(h) if "Открыт мониторинг" in (r.plain_text or "")}
    assert CHAIR in asked
    assert 502 not in asked  # the kindergarten's 95 % stands: asked twice a year


async def test_a_return_written_while_the_chair_resent_returns_nothing(harness: Harness) -> None:
    h = harness
    await district_with_staff(h)
    await submit(h)
    choice = last_message(await h.send(STAFF, "/return сош"))
    card = last_message(await h.tap(STAFF, choice, SCHOOL))
    await h.tap(STAFF, card, "Вернуть")
    summary = last_message(await h.send(STAFF, "Проверьте число членов профсоюза"))
    await submit(h, ["54", "45", "12", "8", "3", "2", "4", "1", "5"])  # revision 2

    done = texts(await h.tap(STAFF, summary, "Отправить"))[0]
    assert done.startswith(f"Пока вы писали комментарий, председатель «{SCHOOL}» прислал")
    assert "Возвращены на исправление" not in texts(await h.send(STAFF, "/status"))[0]
    assert not [r for r in await drain(h) if r.chat_id == CHAIR]
    async with h.session_pool() as session:
        returned = await session.scalars(
            select(MembershipReport.id).where(MembershipReport.returned_at.is_not(None))
        )
        assert returned.all() == []


async def test_a_report_sent_back_stays_correctable_after_the_next_one_was_sent(
    harness: Harness,
) -> None:
    """November is sent back («Проверьте число членов»); the chair reports December first,
    then taps «Мониторинг» under the return notice: November's correction opens, with the
    comment (it opened a blank report for December, and November stayed in doubt for good)."""
    h = harness
    await district_with_staff(h)
    await submit(h)  # November, on 21.11.2026
    choice = last_message(await h.send(STAFF, "/return сош"))
    card = last_message(await h.tap(STAFF, choice, SCHOOL))
    await h.tap(STAFF, card, "Вернуть")
    await h.tap(STAFF, last_message(await h.send(STAFF, "Проверьте число членов")), "Отправить")
    notice = [
        r for r in await drain(h) if r.chat_id == CHAIR and "Проверьте" in (r.plain_text or "")
    ]
    h.clock.moment = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    await submit(h)  # December
    summary = last_message(await h.tap(CHAIR, notice[-1], "Мониторинг"))
    opened = summary.plain_text or ""
    assert "ноябрь" in opened.casefold() and "Проверьте число членов" in opened, opened
    menu = last_message(await h.tap(CHAIR, summary, "Исправить поле"))
    await h.tap(CHAIR, menu, "Членов профсоюза")
    await h.tap(CHAIR, last_message(await h.send(CHAIR, "42")), "Отправить")
    school = await org_id(h, SCHOOL)
    async with h.session_pool() as session:
        counting = {r.period: r for r in await reports.latest_reports(session, school)}
    november = counting[NOV]
    assert (november.revision, november.members, november.returned_at) == (2, 42, None)
    assert counting[DEC].revision == 1


async def return_report(h: Harness, comment: str = "Проверьте число членов профсоюза") -> str:
    """/return of the school's report through the form; the staff member's last answer."""
    choice = last_message(await h.send(STAFF, "/return сош"))
    card = last_message(await h.tap(STAFF, choice, SCHOOL))
    await h.tap(STAFF, card, "Вернуть")
    summary = last_message(await h.send(STAFF, comment))
    return texts(await h.tap(STAFF, summary, "Отправить"))[0]


async def test_a_report_returned_late_in_the_evening_reaches_the_chair_in_the_morning(
    harness: Harness,
) -> None:
    await district_with_staff(harness)
    await submit(harness)
    harness.clock.moment = datetime(2026, 11, 23, 20, 30, tzinfo=UTC)  # Monday 23:30 in Moscow
    assert "возвращён председателю" in await return_report(harness)
    async with harness.session_pool() as session:
        stmt = select(OutboxMessage.not_before).where(OutboxMessage.key.startswith("return:"))
        at = (await session.scalars(stmt)).one()
    assert at.astimezone(MOSCOW) == datetime(2026, 11, 24, 9, 0, tzinfo=MOSCOW)


async def test_only_the_not_delivered_audience_includes_a_chair_whose_report_went_back(
    harness: Harness,
) -> None:
    """/status says «Сдали: 0 из 2» after the school's report went back: «Только не сдавшим»
    reaches both chairs."""
    await district_with_staff(harness)
    await submit(harness)
    await return_report(harness)
    assert "Сдали: 0 из 2" in texts(await harness.send(STAFF, "/status"))[0]
    question = last_message(await harness.send(STAFF, "/announce"))
    await harness.tap(STAFF, question, "Только не сдавшим")
    summary = last_message(await harness.send(STAFF, "Сдайте мониторинг до пятницы"))
    assert "получателей: 2" in (summary.plain_text or "")


async def test_a_report_of_a_ppo_without_a_chair_goes_back_and_staff_are_told_so(
    harness: Harness,
) -> None:
    await district_with_staff(harness)
    await submit(harness)
    school = await org_id(harness, SCHOOL)
    async with harness.session_pool() as session, session.begin():
        await session.execute(
            update(RoleGrant)
            .where(RoleGrant.org_id == school, RoleGrant.role == Role.CHAIR)
            .values(revoked_at=harness.clock.now())
        )
    done = await return_report(harness)
    assert "возвращён на исправление" in done and "у ППО нет подключённого председателя" in done
    assert "Возвращены на исправление" in texts(await harness.send(STAFF, "/status"))[0]


async def test_a_returned_report_never_corrected_is_late_and_its_chair_reminded(
    harness: Harness,
) -> None:
    """A one-off request due 25.11: the school answered, its report went back and was never
    corrected. The day after the deadline the staff's list of late ППО names it beside the
    kindergarten, and its chair is reminded, with a button opening the correction."""
    harness.clock.moment = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # Monday 10:00 in Moscow
    await district_with_staff(harness)
    question = last_message(await harness.send(STAFF, "/request"))
    await harness.tap(STAFF, question, "Мониторинг численности")
    await harness.send(STAFF, "25.11.2026")
    summary = last_message(await harness.send(STAFF, "Срочный мониторинг"))
    assert "открыт" in texts(await harness.tap(STAFF, summary, "Отправить"))[0]
    await drain(harness)
    await submit(harness)
    await return_report(harness)
    await drain(harness)
    harness.clock.moment = datetime(2026, 11, 26, 7, 30, tzinfo=UTC)  # Thursday 10:30

    sent = await drain(harness)

    escalation = [r.plain_text or "" for r in sent if r.chat_id == STAFF]
    assert escalation and SCHOOL in escalation[0] and KINDERGARTEN in escalation[0]
    reminded = [r for r in sent if r.chat_id == CHAIR]
    assert reminded and "возвращён на исправление и ещё не исправлен" in (
        reminded[0].plain_text or ""
    )
    opened = texts(await harness.tap(CHAIR, reminded[0], reminded[0].buttons()[0][0]))[-1]
    assert "Проверьте число членов профсоюза" in opened  # the correction, with its comment
