"""The staff events report (/eventsreport): the period asked for, the figures, the training
report of seed 003, the ППО without events, and the .xlsx opened again.

Through the dispatcher on both databases; the period parsing and the arithmetic directly.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from itertools import count
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from bot.domain.event_report import (
    PeriodKind,
    ReportPeriod,
    parse_period,
    parse_recent_period,
    summarize,
)
from bot.rendering.event_report import SILENT_SHOWN, report_lines, report_xlsx
from handlers.replies import chunks
from harness import ADMIN, Harness, last_message, texts
from scenarios import accept_invite, code_of, invite_links
from storage.event_report import EventLine, PpoName
from storage.models import Event, Organization, Person

DISTRICT = "Кировская районная организация"
OTHER_DISTRICT = "Ленинская районная организация"
SCHOOL, KINDERGARTEN, SILENT = "МБОУ СОШ № 1", "Детский сад № 2", "ООО «Рога & Копыта»"
ARCHIVED, FOREIGN = "Закрытая школа № 9", "ГБУЗ ЦРБ"
CHAIR, STAFF, OTHER_STAFF = 501, 801, 802
TOPIC = "<Профсоюз> & молодёжь"
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def org_list() -> bytes:
    """The organization list as an admin uploads it, written here with openpyxl."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Район", "Организация", "Работников"])
    for district, name in (
        (DISTRICT, SCHOOL),
        (DISTRICT, KINDERGARTEN),
        (DISTRICT, SILENT),
        (DISTRICT, ARCHIVED),
        (OTHER_DISTRICT, FOREIGN),
    ):
        sheet.append([district, name, 30])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def setup(h: Harness) -> None:
    """Two districts with staff, one chair, one archived ППО and the events of 2025–2026."""
    await h.upload(ADMIN, org_list(), "list.xlsx", caption="/import")
    chairs = await invite_links(h)
    await accept_invite(h, CHAIR, code_of(chairs[SCHOOL]), first_name="Мария")
    staff = await invite_links(h, whom="сотрудник аппарата")
    await accept_invite(h, STAFF, code_of(staff[DISTRICT]), first_name="Светлана")
    await accept_invite(h, OTHER_STAFF, code_of(staff[OTHER_DISTRICT]), first_name="Игорь")
    keys = count()
    async with h.session_pool() as session:
        ids = {org.name: org.id for org in (await session.scalars(select(Organization))).all()}
        person = (await session.scalars(select(Person.id))).first()
        assert person is not None
        archived = await session.get(Organization, ids[ARCHIVED])
        assert archived is not None
        archived.archived_at = T0

        def event(org: str, day: date, kind: str, participants: int, **extra: Any) -> None:
            values: dict[str, Any] = {
                "topic": f"{kind} {day:%d.%m}",
                "online": False,
                "place": "Актовый зал",
                "direction": "education",
                "photos": [],
            }
            values.update(extra)
            session.add(
                Event(
                    org_id=ids[org],
                    kind=kind,
                    date_from=day,
                    date_to=day,
                    participants=participants,
                    created_by=person,
                    created_at=T0,
                    updated_at=T0,
                    submission_key=f"e{next(keys)}",
                    **values,
                )
            )

        event(SCHOOL, date(2026, 11, 10), "school", 30, photos=["p1", "p2"])
        event(SCHOOL, date(2026, 10, 5), "webinar", 40, online=True, place=None, views=500,
              topic=TOPIC, direction="youth")  # fmt: skip
        event(SCHOOL, date(2026, 2, 3), "seminar", 20, direction="partnership")
        event(SCHOOL, date(2026, 11, 12), "campaign", 999, topic="Удалённая акция", deleted_at=T0)
        event(SCHOOL, date(2025, 12, 30), "assembly", 15, direction="other")
        event(KINDERGARTEN, date(2026, 11, 15), "round_table", 12)
        event(KINDERGARTEN, date(2026, 11, 18), "contest", 50, direction="culture")
        event(FOREIGN, date(2026, 11, 10), "seminar", 500, topic="Чужой семинар")
        await session.commit()


def workbook_of(h: Harness, user: int) -> tuple[str, Any]:
    name, data = h.server.sent_files(user)[-1]
    return name, openpyxl.load_workbook(io.BytesIO(data))


def rows_of(book: Any, title: str) -> list[tuple[Any, ...]]:
    return list(book[title].iter_rows(values_only=True))


async def test_year_report_message_and_workbook_agree(harness: Harness) -> None:
    await setup(harness)
    message = texts(await harness.send(STAFF, "/eventsreport"))[0]
    assert "Мероприятия ППО за 2026 год" in message
    assert "Мероприятий: 5, участников: 152, просмотров онлайн: 500" in message
    assert "Провели мероприятия: 2 из 3 ППО" in message  # the archived ППО is not expected
    assert "• Вебинар: 1 (участников: 40, просмотров: 500)" in message
    assert "• Обучение: 2 (участников: 42)" in message
    training = (
        "Школ профсоюзного актива: 1\n"
        "Семинаров, семинаров-совещаний и семинаров-практикумов: 1\nВебинаров: 1\n"
        "Других обучающих мероприятий: 1\nОбучено (участников): 102\nПодключений онлайн: 500"
    )
    assert training in message
    assert f"Без мероприятий (1):\n• {SILENT}" in message
    for absent in (FOREIGN, "Чужой семинар", "Удалённая акция", ARCHIVED, "999"):
        assert absent not in message

    name, book = workbook_of(harness, STAFF)
    assert name == "Мероприятия_2026.xlsx"
    assert book.sheetnames == ["Мероприятия", "Итоги", "По ППО", "Без мероприятий"]
    header, *events = rows_of(book, "Мероприятия")
    column = {title: header.index(title) for title in header}
    assert len(events) == 5
    assert sum(row[column["Участников"]] for row in events) == 152
    assert sum(row[column["Просмотров онлайн"]] or 0 for row in events) == 500
    assert {row[column["ППО"]] for row in events} == {SCHOOL, KINDERGARTEN}
    webinar = next(row for row in events if row[column["Вид"]] == "Вебинар")
    assert webinar[column["Тема"]] == TOPIC  # the file is not HTML: raw as typed
    assert webinar[column["Место"]] == "онлайн"
    assert webinar[column["Направление"]] == "Молодёжная работа"
    school = next(row for row in events if row[column["Вид"]] == "Школа профактива")
    assert school[column["Фото"]] == 2 and school[column["Место"]] == "Актовый зал"
    assert school[column["Дата"]] == datetime(2026, 11, 10)

    totals = rows_of(book, "Итоги")
    block_end = next(i for i, row in enumerate(totals) if row[0] == "Итого")
    kinds, grand = totals[1:block_end], totals[block_end]
    assert grand[-1] == 5
    assert sum(row[-1] for row in kinds) == 5  # the row totals add up to the grand total
    assert list(grand[1:-1]) == [sum(row[i] for row in kinds) for i in range(1, len(grand) - 1)]
    assert all(sum(row[1:-1]) == row[-1] for row in kinds)
    participants_total = next(row for row in totals[block_end + 1 :] if row[0] == "Итого")
    assert participants_total[-1] == 152
    assert ("Обучено (участников)", 102) in [row[:2] for row in totals]

    by_ppo = {row[1]: row[2:] for row in rows_of(book, "По ППО")[1:]}
    assert by_ppo == {SCHOOL: (3, 90, 500), KINDERGARTEN: (2, 62, 0), SILENT: (0, 0, 0)}
    assert rows_of(book, "Без мероприятий")[1:] == [(DISTRICT, SILENT)]
    every_cell = {cell for title in book.sheetnames for row in rows_of(book, title) for cell in row}
    assert FOREIGN not in every_cell and "Удалённая акция" not in every_cell


async def test_other_district_sees_only_its_own(harness: Harness) -> None:
    await setup(harness)
    message = texts(await harness.send(OTHER_STAFF, "/eventsreport 11.2026"))[0]
    assert "Мероприятия ППО за ноябрь 2026" in message
    assert "Мероприятий: 1, участников: 500" in message
    for absent in (SCHOOL, KINDERGARTEN, SILENT):
        assert absent not in message
    name, book = workbook_of(harness, OTHER_STAFF)
    assert name == "Мероприятия_2026-11.xlsx"
    assert [row[3] for row in rows_of(book, "Мероприятия")[1:]] == [FOREIGN]


async def test_admin_picks_the_district(harness: Harness) -> None:
    await setup(harness)
    choice = last_message(await harness.send(ADMIN, "/eventsreport 4 квартал 2026"))
    message = texts(await harness.tap(ADMIN, choice, DISTRICT))[0]
    assert "Мероприятия ППО за IV квартал 2026" in message
    assert "Мероприятий: 4, участников: 132" in message
    assert workbook_of(harness, ADMIN)[0] == "Мероприятия_2026-Q4.xlsx"


@pytest.mark.parametrize(
    ("argument", "events", "participants", "stamp"),
    [
        ("4кв 2026", 4, 132, "2026-Q4"),
        ("IV 2026", 4, 132, "2026-Q4"),
        ("4 квартал 2026", 4, 132, "2026-Q4"),
        ("ноябрь 2026", 3, 92, "2026-11"),
        ("2025", 1, 15, "2025"),
    ],
)
async def test_periods_through_the_bot(
    harness: Harness, argument: str, events: int, participants: int, stamp: str
) -> None:
    await setup(harness)
    message = texts(await harness.send(STAFF, f"/eventsreport {argument}"))[0]
    assert f"Мероприятий: {events}, участников: {participants}" in message
    name, book = workbook_of(harness, STAFF)
    assert name == f"Мероприятия_{stamp}.xlsx"
    assert len(rows_of(book, "Мероприятия")) == events + 1


async def test_bad_period_is_explained_and_sends_no_file(harness: Harness) -> None:
    await setup(harness)
    replies = await harness.send(STAFF, "/eventsreport вчера")
    assert [r.method for r in replies if r.method.startswith("send")] == ["sendMessage"]
    answer = texts(replies)[0]
    assert "Не понял период" in answer and "/eventsreport 4кв 2026" in answer


async def test_topic_with_markup_characters_arrives_as_typed(harness: Harness) -> None:
    await setup(harness)
    replies = await harness.send(STAFF, "/eventsreport 10.2026")
    message = next(r for r in replies if r.method == "sendMessage")
    assert "&lt;Профсоюз&gt; &amp; молодёжь" in str(message.params["text"])
    assert f"Вебинар «{TOPIC}», 40 чел." in (message.plain_text or "")
    assert "Рога &amp; Копыта" in str(message.params["text"])


async def test_a_topic_with_characters_xml_forbids_leaves_the_workbook_readable(
    harness: Harness,
) -> None:
    await setup(harness)
    async with harness.session_pool() as session:
        event = (await session.scalars(select(Event).where(Event.topic == TOPIC))).one()
        event.topic = "Итоги\uffff года\ufffe\x0b"  # pasted as the chair's phone sent it
        await session.commit()
    await harness.send(STAFF, "/eventsreport 10.2026")
    _, book = workbook_of(harness, STAFF)  # Excel would refuse the file as it was
    topics = [row[5] for row in rows_of(book, book.sheetnames[0])[1:]]
    assert topics == ["Итоги года"]


# --- The period -----------------------------------------------------------------------------

TODAY = date(2026, 11, 21)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ReportPeriod(PeriodKind.YEAR, 2026)),
        ("2025", ReportPeriod(PeriodKind.YEAR, 2025)),
        ("2025 год", ReportPeriod(PeriodKind.YEAR, 2025)),
        ("2025г.", ReportPeriod(PeriodKind.YEAR, 2025)),
        ("11.2026", ReportPeriod(PeriodKind.MONTH, 2026, 11)),
        ("1/2026", ReportPeriod(PeriodKind.MONTH, 2026, 1)),
        ("2026-03", ReportPeriod(PeriodKind.MONTH, 2026, 3)),
        ("Ноября 2026", ReportPeriod(PeriodKind.MONTH, 2026, 11)),
        ("март 2026", ReportPeriod(PeriodKind.MONTH, 2026, 3)),
        ("май 2026", ReportPeriod(PeriodKind.MONTH, 2026, 5)),
        ("4кв 2026", ReportPeriod(PeriodKind.QUARTER, 2026, 4)),
        ("4 кв. 2026", ReportPeriod(PeriodKind.QUARTER, 2026, 4)),
        ("1-й квартал 2026 года", ReportPeriod(PeriodKind.QUARTER, 2026, 1)),
        ("IV 2026", ReportPeriod(PeriodKind.QUARTER, 2026, 4)),
        ("iii кв 2026", ReportPeriod(PeriodKind.QUARTER, 2026, 3)),
        ("II квартал 2026", ReportPeriod(PeriodKind.QUARTER, 2026, 2)),
        ("Q2 2026", ReportPeriod(PeriodKind.QUARTER, 2026, 2)),
        ("2026 Q1", ReportPeriod(PeriodKind.QUARTER, 2026, 1)),
        ("5кв 2026", None),
        ("V 2026", None),
        ("13.2026", None),
        ("0.2026", None),
        ("4 2026", None),  # a quarter or April: asked again rather than guessed
        ("квартал 2026", None),
        ("1999", None),
        ("вчера", None),
        ("26", None),
    ],
)
def test_parse_period(text: str, expected: ReportPeriod | None) -> None:
    assert parse_period(text, TODAY) == expected
    assert parse_recent_period(text, TODAY) == expected  # with its year, read alike


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("ноябрь", TODAY, ReportPeriod(PeriodKind.MONTH, 2026, 11)),  # begun, not over
        ("Декабрь", TODAY, ReportPeriod(PeriodKind.MONTH, 2025, 12)),
        ("декабря", date(2027, 1, 10), ReportPeriod(PeriodKind.MONTH, 2026, 12)),
        ("4 квартал", date(2027, 1, 10), ReportPeriod(PeriodKind.QUARTER, 2026, 4)),
        ("III кв.", TODAY, ReportPeriod(PeriodKind.QUARTER, 2026, 3)),
        ("вчера", TODAY, None),
        ("5 квартал", TODAY, None),
    ],
)
def test_a_month_or_quarter_without_its_year_is_the_latest_begun(
    text: str, today: date, expected: ReportPeriod | None
) -> None:
    assert parse_recent_period(text, today) == expected
    assert parse_period(text, today) is None  # a table's cell without its year stays unread


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        (ReportPeriod(PeriodKind.YEAR, 2026), date(2026, 1, 1), date(2026, 12, 31)),
        (ReportPeriod(PeriodKind.QUARTER, 2026, 4), date(2026, 10, 1), date(2026, 12, 31)),
        (ReportPeriod(PeriodKind.QUARTER, 2028, 1), date(2028, 1, 1), date(2028, 3, 31)),
        (ReportPeriod(PeriodKind.MONTH, 2028, 2), date(2028, 2, 1), date(2028, 2, 29)),
        (ReportPeriod(PeriodKind.MONTH, 2026, 12), date(2026, 12, 1), date(2026, 12, 31)),
    ],
)
def test_period_bounds(period: ReportPeriod, start: date, end: date) -> None:
    assert (period.start, period.end) == (start, end)


# --- The arithmetic and the message ---------------------------------------------------------

_ids = count(1)


def line(kind: str, direction: str, participants: int, views: int | None = None) -> EventLine:
    return EventLine(
        event_id=next(_ids),
        org_id=1,
        org_name="Школа",
        district_name=DISTRICT,
        kind=kind,
        kind_other=None,
        topic="Тема",
        date_from=date(2026, 3, 1),
        date_to=date(2026, 3, 1),
        online=views is not None,
        place=None,
        views=views,
        participants=participants,
        direction=direction,
        photos=0,
    )


def test_training_figures_count_learning_kinds_and_the_education_direction() -> None:
    events = [
        line("school", "youth", 25),
        line("seminar", "safety", 10),
        line("meeting_seminar", "partnership", 15),
        line("webinar", "information", 30, views=600),
        line("training", "legal", 5),
        line("forum", "education", 100, views=400),  # a forum held to teach: training
        line("contest", "culture", 70),  # neither: not training
        line("assembly", "other", 20, views=50),
    ]
    report = summarize(DISTRICT, ReportPeriod(PeriodKind.YEAR, 2026), events, [])
    training = report.training
    assert (training.schools, training.seminars, training.webinars, training.other) == (1, 2, 1, 2)
    assert training.events == 6
    assert training.trained == 25 + 10 + 15 + 30 + 5 + 100
    assert training.online == 1000
    assert (report.total.events, report.total.participants, report.total.views) == (8, 275, 1050)
    assert sum(tally.events for tally in report.by_kind_direction.values()) == 8


def test_a_long_silent_list_is_clipped_and_the_message_fits() -> None:
    active = [PpoName(i, f"ППО № {i} <{'длинное название ' * 4}>", DISTRICT) for i in range(500)]
    report = summarize(DISTRICT, ReportPeriod(PeriodKind.YEAR, 2026), [], active)
    lines = report_lines(report)
    assert f"…и ещё {500 - SILENT_SHOWN}" in lines
    assert sum(name.startswith("• ППО №") for name in lines) == SILENT_SHOWN
    assert "&lt;длинное" in lines[-4] and len(chunks(lines)) == 1
    assert "За этот период мероприятий нет." in lines
    book = openpyxl.load_workbook(io.BytesIO(report_xlsx(report)))
    assert len(rows_of(book, "Без мероприятий")) == 501


def test_the_documents_formats_count_as_their_sources_mean() -> None:
    """Seed 003: a seminar-practicum and a «Профсоюзная лаборатория» (an «обучающий семинар»)
    are training whatever their direction; a conference or a discussion platform only when
    held to teach (direction «Обучение»), as seed 002's «Августовские конференции» are not."""
    events = [
        line("practicum", "safety", 12),
        line("laboratory", "youth", 40, views=300),
        line("conference", "partnership", 60),
        line("discussion", "information", 25),
        line("conference", "education", 80),
        line("discussion", "education", 35),
    ]
    training = summarize(DISTRICT, ReportPeriod(PeriodKind.YEAR, 2026), events, []).training
    assert (training.schools, training.seminars, training.webinars, training.other) == (0, 1, 0, 3)
    assert training.trained == 12 + 40 + 80 + 35
    assert training.online == 300


async def file_event_of_kind(h: Harness, kind: str, direction: str, participants: str) -> None:
    """The chair's event form, the kind and direction tapped as their buttons say."""
    question = last_message(await h.send(CHAIR, "/event"))
    await h.tap(CHAIR, question, kind)
    await h.send(CHAIR, f"{kind} по охране труда")
    await h.send(CHAIR, "10.10.2026")
    question = last_message(await h.send(CHAIR, "Актовый зал"))
    question = last_message(await h.send(CHAIR, participants))
    question = last_message(await h.tap(CHAIR, question, direction))
    question = last_message(await h.tap(CHAIR, question, "Пропустить"))
    summary = last_message(await h.tap(CHAIR, question, "Пропустить"))
    assert f"Вид: {kind}" in (summary.plain_text or "")
    await h.tap(CHAIR, summary, "Отправить")


async def test_a_chair_files_the_documents_formats_and_staff_see_them(harness: Harness) -> None:
    await setup(harness)
    await file_event_of_kind(harness, "Семинар-практикум", "Охрана труда", "14")
    await file_event_of_kind(harness, "Конференция", "Социальное партнёрство", "60")
    async with harness.session_pool() as session:
        kinds = set((await session.scalars(select(Event.kind))).all())
    assert {"practicum", "conference"} <= kinds
    message = texts(await harness.send(STAFF, "/eventsreport"))[0]
    assert "• Семинар-практикум: 1 (участников: 14)" in message
    assert "• Конференция: 1 (участников: 60)" in message
    assert "Семинаров, семинаров-совещаний и семинаров-практикумов: 2\n" in message
    assert "Обучено (участников): 116\n" in message  # the conference is not training
