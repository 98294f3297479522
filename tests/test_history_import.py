"""/loadhistory: staff load past monitoring figures from Excel, checked row by row like /import,
all or nothing, never over a chair's report; the trends then read them as reports."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from typing import Any

import openpyxl
from sqlalchemy import select

from bot.domain.history_import import parse_period_cell, read_history
from bot.rendering.history_import import template_xlsx
from bot.rendering.xlsx import build_table_xlsx
from bot.texts import common, importing
from harness import ADMIN, Harness, texts
from scenarios import accept_invite, code_of, invite_links
from storage import collections, reports
from storage.models import (
    AuditEntry,
    CollectionKind,
    CollectionTarget,
    MembershipReport,
    Organization,
    OutboxMessage,
    Person,
)

DISTRICT_A, DISTRICT_B = "Кировская районная организация", "Ленинская районная организация"
SCHOOL, GARDEN, HOSPITAL = "МБОУ СОШ № 1", "Детский сад № 2", "ГБУЗ ЦРБ"
CHAIR, STAFF, OTHER_STAFF = 501, 801, 802
PAYLOAD = "x<b>&amp;<script>y & z >"
HEADER = (
    "ППО",
    "Период",
    "Работников",
    "Членов профсоюза",
    "Молодёжь до 35",
    "Молодых членов до 35",
    "Руководителей",
    "Руководителей — членов",
    "Принято",
    "Выбыло",
    "Пенсионеров",
)


async def setup(h: Harness) -> dict[str, int]:
    rows = [
        (DISTRICT_A, SCHOOL, 54),
        (DISTRICT_A, GARDEN, 20),
        (DISTRICT_B, HOSPITAL, 300),
        (DISTRICT_B, SCHOOL, 40),  # a namesake in the other district
    ]
    data = build_table_xlsx("ППО", ("Район", "Организация", "Работников"), rows)
    await h.upload(ADMIN, data, "list.xlsx", caption="/import")
    chairs = await invite_links(h)
    await accept_invite(h, CHAIR, code_of(chairs[SCHOOL]), first_name="Мария")
    staff = await invite_links(h, whom="сотрудник аппарата")
    await accept_invite(h, STAFF, code_of(staff[DISTRICT_A]), first_name="Светлана")
    await accept_invite(h, OTHER_STAFF, code_of(staff[DISTRICT_B]), first_name="Игорь")
    async with h.session_pool() as session:
        orgs = (await session.scalars(select(Organization))).all()
        district_a = next(o.id for o in orgs if o.name == DISTRICT_A)
        ids = {o.name: o.id for o in orgs if o.parent_id == district_a}
        ids[DISTRICT_A] = district_a
    return ids


def history_file(rows: list[tuple[Any, ...]], header: tuple[str, ...] = HEADER) -> bytes:
    return build_table_xlsx("Данные", header, rows)


GOOD_ROWS: list[tuple[Any, ...]] = [
    (SCHOOL, "12.2024", 54, 40, 12, 8, 3, 2, 4, 1, 5),
    (SCHOOL, "июнь 2025", 55, 42, 12, 9, 3, 2, 3, 1, 5),
    (SCHOOL, datetime(2025, 12, 15), 56, 45, 13, 10, 3, 3, 4, 1, 6),
    ("мбоу сош №1", "10.2026", 56, 46, None, None, None, None, None, None, None),
    (GARDEN, "12.2024", 20, 9, None, None, None, None, None, None, None),
    (f" {GARDEN} ", "декабря 2025 г.", 21, 12, None, None, None, None, None, None, None),
]


async def stored_reports(h: Harness) -> list[MembershipReport]:
    async with h.session_pool() as session:
        stmt = select(MembershipReport).order_by(
            MembershipReport.org_id, MembershipReport.period, MembershipReport.revision
        )
        return list((await session.scalars(stmt)).all())


async def audit_entries(h: Harness) -> list[AuditEntry]:
    async with h.session_pool() as session:
        stmt = select(AuditEntry).where(AuditEntry.action == "report.import")
        return list((await session.scalars(stmt)).all())


async def test_staff_get_a_sample_with_their_own_ppo(harness: Harness) -> None:
    await setup(harness)
    replies = await harness.send(STAFF, "/loadhistory")
    assert "Загрузка прошлых данных мониторинга" in texts(replies)[0]
    name, data = harness.server.sent_files(STAFF)[-1]
    assert name == "Образец_прошлые_данные.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Данные", "Инструкция", "Ваши ППО"]
    header = next(book["Данные"].iter_rows(values_only=True))
    assert header[:4] == ("ППО", "Район", "Период", "Работников")
    listed = list(book["Ваши ППО"].iter_rows(values_only=True))[1:]
    assert listed == [(DISTRICT_A, GARDEN), (DISTRICT_A, SCHOOL)]  # not the other district's
    # The sample as it is loads nothing: its example ППО does not exist.
    replies = await harness.upload(STAFF, data, "sample.xlsx", caption="/loadhistory")
    assert "Файл не загружен" in texts(replies)[0] and "нет в боте" in texts(replies)[0]
    assert await stored_reports(harness) == []


async def test_a_name_typed_like_a_formula_is_listed_in_the_sample_as_text(
    harness: Harness,
) -> None:
    await setup(harness)
    typed = '=HYPERLINK("http://evil.example";"Школа № 5")'
    data = build_table_xlsx("ППО", ("Район", "Организация"), [(DISTRICT_A, typed)])
    await harness.upload(ADMIN, data, "more.xlsx", caption="/import")
    await harness.send(STAFF, "/loadhistory")
    _, sample = harness.server.sent_files(STAFF)[-1]
    with zipfile.ZipFile(io.BytesIO(sample)) as archive:
        assert not any(b"<f>" in archive.read(name) for name in archive.namelist())
    cells = {
        cell.value: cell.data_type
        for row in openpyxl.load_workbook(io.BytesIO(sample))["Ваши ППО"].iter_rows()
        for cell in row
    }
    assert cells[typed] == "s"  # shown as typed, to copy from; not a link Excel follows


def test_a_name_with_characters_xml_forbids_is_listed_without_them() -> None:
    sample = template_xlsx([(DISTRICT_A, "Школа\uffff № 5\ufffe")])
    book = openpyxl.load_workbook(io.BytesIO(sample))  # Excel would refuse the file as it was
    assert list(book["Ваши ППО"].iter_rows(values_only=True))[1:] == [(DISTRICT_A, "Школа № 5")]


async def test_good_file_is_loaded_marked_and_audited(harness: Harness) -> None:
    ids = await setup(harness)
    replies = await harness.upload(STAFF, history_file(GOOD_ROWS), "h.xlsx", "/loadhistory")
    answer = texts(replies)[0]
    assert "Загружено 6 отчётов за 4 периода" in answer
    stored = await stored_reports(harness)
    assert len(stored) == 6
    assert all(r.revision == 0 and r.imported_at == harness.clock.now() for r in stored)
    school = {r.period: r for r in stored if r.org_id == ids[SCHOOL]}
    months = [date(2024, 12, 1), date(2025, 6, 1), date(2025, 12, 1), date(2026, 10, 1)]
    assert sorted(school) == months
    december = school[date(2025, 12, 1)]
    assert (december.workers, december.members, december.youth_members, december.retired) == (
        56,
        45,
        10,
        6,
    )
    entries = await audit_entries(harness)
    assert len(entries) == 1 and entries[0].org_id == ids[DISTRICT_A]
    assert entries[0].after is not None
    assert {k: entries[0].after[k] for k in ("rows", "loaded", "periods", "skipped_chair")} == {
        "rows": 6,
        "loaded": 6,
        "periods": 4,
        "skipped_chair": 0,
    }
    # The table for a past period reads the imported figures as reports of that period.
    await harness.send(STAFF, "/export 12.2025")
    _, data = harness.server.sent_files(STAFF)[-1]
    cells = {
        c
        for row in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)
        for c in row
    }
    assert {56, 45, 21, 12} <= cells

    # The same file again doubles nothing; a corrected figure updates the earlier load.
    again = texts(await harness.upload(STAFF, history_file(GOOD_ROWS), "h.xlsx", "/loadhistory"))
    assert (
        "новых цифр в нём нет" in again[0] and "Без изменений (уже были загружены): 6" in again[0]
    )
    fixed = [*GOOD_ROWS[:5], (GARDEN, "12.2025", 21, 13, *[None] * 7)]
    answer = texts(await harness.upload(STAFF, history_file(fixed), "h.xlsx", "/loadhistory"))[0]
    assert "Загружен 1 отчёт за 1 период" in answer and "обновлено ранее загруженных: 1" in answer
    stored = await stored_reports(harness)
    assert len(stored) == 6
    assert (
        next(r.members for r in stored if r.period == date(2025, 12, 1) and r.org_id == ids[GARDEN])
        == 13
    )
    assert len(await audit_entries(harness)) == 3


async def test_every_bad_row_is_named_and_nothing_is_stored(harness: Harness) -> None:
    await setup(harness)
    rows: list[tuple[Any, ...]] = [
        *GOOD_ROWS[:2],  # rows 2, 3: good
        ("Школа № 99", "12.2024", 10, 5, *[None] * 7),  # 4: unknown
        (HOSPITAL, "12.2024", 300, 200, *[None] * 7),  # 5: another district's
        (GARDEN, "11.2024", "много", 5, *[None] * 7),  # 6: not a number
        (GARDEN, "10.2024", 20, 25, *[None] * 7),  # 7: members > workers
        (GARDEN, "12.2026", 20, 10, *[None] * 7),  # 8: in the future
        (GARDEN, "11.2026", 20, 10, *[None] * 7),  # 9: not over yet
        (SCHOOL, "декабрь 2024", 54, 41, *[None] * 7),  # 10: repeats row 2
        (GARDEN, "вчера", 20, 10, *[None] * 7),  # 11: no period
        (GARDEN, "09.2024", 20, None, *[None] * 7),  # 12: members missing
        (GARDEN, "08.2024", 20, 10, None, 3, *[None] * 5),  # 13: part without its whole
    ]
    replies = await harness.upload(STAFF, history_file(rows), "bad.xlsx", "/loadhistory")
    answer = "\n".join(texts(replies))
    assert "Файл не загружен: ошибки в 10 из 12 строк" in answer
    assert "Ничего не сохранено" in answer
    expected = {
        4: "ППО «Школа № 99» нет в боте",
        5: f"ППО «{HOSPITAL}» — другого района («{DISTRICT_B}»)",
        6: "в столбце «Работников» нужно целое число от 0 до 100000, а не «много»",
        7: "Членов профсоюза (25) не может быть больше, чем работников (20)",
        8: "период 12.2026 ещё не закончился или в будущем",
        9: "период 11.2026 ещё не закончился или в будущем",
        10: "эта ППО за этот период уже есть в строке 2",
        11: "не понял период «вчера»",
        12: "не заполнен столбец «Членов профсоюза»",
        13: "указано «Молодых членов до 35», но не заполнено «Молодёжь до 35»",
    }
    for row, reason in expected.items():
        assert f"Строка {row}: {reason}" in answer, (row, answer)
    assert "Строка 2:" not in answer and "Строка 3:" not in answer
    assert await stored_reports(harness) == []
    assert await audit_entries(harness) == []


async def test_chair_report_is_never_overwritten_nor_outranked(harness: Harness) -> None:
    ids = await setup(harness)
    now = harness.clock.now()
    async with harness.session_pool() as session, session.begin():
        person = (await session.scalars(select(Person.id).where(Person.tg_user_id == CHAIR))).one()
        await reports.add_report(
            session,
            org_id=ids[SCHOOL],
            period=date(2025, 12, 1),
            values={"workers": 60, "members": 50},
            submitted_by=person,
            submitted_at=now,
            submission_key="chair-december",
        )
        # October 2026 is still being collected from the garden: its deadline was 26.10.
        await collections.open_collection(
            session,
            kind=CollectionKind.MEMBERSHIP,
            scope_org_id=ids[DISTRICT_A],
            period=date(2026, 10, 1),
            title="Мониторинг за октябрь 2026",
            one_off=False,
            deadline_for_target=date(2026, 10, 26),
            targets=[(ids[GARDEN], "mid")],
            now=datetime(2026, 10, 1, 7, tzinfo=now.tzinfo),
        )
    rows = [
        (SCHOOL, "12.2025", 56, 45, *[None] * 7),
        (SCHOOL, "06.2025", 55, 42, *[None] * 7),
        (GARDEN, "10.2026", 21, 12, *[None] * 7),
    ]
    answer = texts(await harness.upload(STAFF, history_file(rows), "h.xlsx", "/loadhistory"))[0]
    assert "Загружен 1 отчёт за 1 период" in answer
    assert "• 1 — уже есть отчёт председателя" in answer
    assert "• 1 — по этому периоду ещё идёт сбор" in answer
    async with harness.session_pool() as session:
        latest = await reports.latest_reports(session, ids[SCHOOL])
        assert [(r.period, r.members, r.revision) for r in latest] == [
            (date(2025, 12, 1), 50, 1),  # the chair's, untouched
            (date(2025, 6, 1), 42, 0),
        ]
        target = (await session.scalars(select(CollectionTarget))).one()
        assert target.submitted_at is None  # the garden is still reminded
        # A chair's later report of an imported period outranks the imported one.
        await reports.add_report(
            session,
            org_id=ids[SCHOOL],
            period=date(2025, 6, 1),
            values={"workers": 55, "members": 43},
            submitted_by=person,
            submitted_at=harness.clock.now(),
            submission_key="chair-june",
        )
        latest = await reports.latest_reports(session, ids[SCHOOL])
        assert [(r.members, r.revision) for r in latest] == [(50, 1), (43, 1)]
        assert (await session.scalars(select(OutboxMessage))).all() == []
        await session.rollback()


async def test_admin_names_the_district_of_a_namesake(harness: Harness) -> None:
    await setup(harness)
    rows = [(SCHOOL, "12.2024", 54, 40, *[None] * 7)]
    answer = texts(await harness.upload(ADMIN, history_file(rows), "h.xlsx", "/loadhistory"))[0]
    assert f"ППО «{SCHOOL}» есть в нескольких районах" in answer
    header = ("Район", *HEADER)
    named = [(DISTRICT_B, *rows[0]), (DISTRICT_A, GARDEN, "12.2024", 20, 9, *[None] * 7)]
    answer = texts(
        await harness.upload(ADMIN, history_file(named, header), "h.xlsx", "/loadhistory")
    )[0]
    assert "Загружено 2 отчёта за 1 период" in answer
    assert len(await audit_entries(harness)) == 1
    assert (await audit_entries(harness))[0].org_id is None  # two districts in one load
    # The other district's staff may load their own namesake, not district A's garden.
    answer = texts(
        await harness.upload(OTHER_STAFF, history_file(named, header), "h.xlsx", "/loadhistory")
    )[0]
    assert f"Строка 3: ППО «{GARDEN}» — другого района" in answer


async def test_wrong_files_and_wrong_people(harness: Harness) -> None:
    await setup(harness)
    replies = texts(await harness.upload(STAFF, b"a;b\n1;2\n", "h.csv", "/loadhistory"))
    assert replies == [
        "Нужен файл Excel (.xlsx). Сохраните таблицу как «Книга Excel (.xlsx)» "
        "и пришлите её с подписью /loadhistory. Образец — /loadhistory без файла."
    ]
    no_header = build_table_xlsx("x", ("ППО", "Работников"), [(SCHOOL, 5)])
    answer = texts(await harness.upload(STAFF, no_header, "h.xlsx", "/loadhistory"))[0]
    assert "Не хватает: «Период», «Членов профсоюза»" in answer
    only_header = history_file([])
    answer = texts(await harness.upload(STAFF, only_header, "h.xlsx", "/loadhistory"))[0]
    assert "нет ни одной строки с данными" in answer
    broken = texts(await harness.upload(STAFF, b"PK\x03\x04 not a zip", "h.xlsx", "/loadhistory"))
    assert broken == [importing.BROKEN_XLSX]
    hostile = history_file([(PAYLOAD, "12.2024", 10, 5, *[None] * 7)])
    answer = texts(await harness.upload(STAFF, hostile, "h.xlsx", "/loadhistory"))[0]
    assert f"Строка 2: ППО «{PAYLOAD}» нет в боте" in answer  # escaped once, shown as typed
    odd_header = build_table_xlsx("x", (PAYLOAD, "ППО"), [(1, SCHOOL)])
    answer = texts(await harness.upload(STAFF, odd_header, "h.xlsx", "/loadhistory"))[0]
    assert f"«{PAYLOAD}», «ППО»" in answer
    refused = texts(await harness.upload(CHAIR, history_file(GOOD_ROWS), "h.xlsx", "/loadhistory"))
    assert refused == [common.NOT_YOUR_COMMAND]
    assert await stored_reports(harness) == []


def test_periods_and_headers_as_people_write_them() -> None:
    assert parse_period_cell(10.202) == date(2020, 10, 1)  # «10.2020» typed into Excel
    assert parse_period_cell("15.12.2024") == date(2024, 12, 1)
    assert parse_period_cell("2024-12") == date(2024, 12, 1)
    for unreadable in ("2024", "IV 2024", "13.2024", "вчера", datetime(1900, 1, 1)):
        assert parse_period_cell(unreadable) is None
    header = (
        "Наименование ППО",
        "Районная организация",
        "Дата отчёта",
        "Численность работников",
        "Работников до 35 лет",
        "Членов профсоюза до 35 лет",
        "Из них членов профсоюза",
    )
    table = read_history(
        build_table_xlsx("x", header, [(SCHOOL, DISTRICT_A, "12.2024", 50, 10, 5, 30)])
    )
    assert table.errors == [] and table.fatal is None
    row = table.rows[0]
    assert (row.ppo, row.district, row.period) == (SCHOOL, DISTRICT_A, date(2024, 12, 1))
    assert (row.values["workers"], row.values["members"]) == (50, 30)
    assert (row.values["youth_workers"], row.values["youth_members"]) == (10, 5)


def test_a_header_of_two_rows_with_merged_groups_is_read() -> None:
    """The way district tables are drawn: «Численность работников» and «Молодёжь до 35 лет»
    merged across «всего | из них членов профсоюза», the other titles merged down."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["№", "Наименование ППО", "Отчётный месяц", "Численность работников", None])
    sheet.cell(row=1, column=6, value="Молодёжь до 35 лет")
    sheet.append([None, None, None, "всего", "из них членов профсоюза", "всего", "из них членов"])
    sheet.append([1, SCHOOL, "12.2024", 54, 40, 12, 8])
    for cells in ("A1:A2", "B1:B2", "C1:C2", "D1:E1", "F1:G1"):
        sheet.merge_cells(cells)
    data = io.BytesIO()
    book.save(data)

    table = read_history(data.getvalue())

    assert table.fatal is None and table.errors == []
    [row] = table.rows
    assert (row.ppo, row.period) == (SCHOOL, date(2024, 12, 1))
    assert (row.values["workers"], row.values["members"]) == (54, 40)
    assert (row.values["youth_workers"], row.values["youth_members"]) == (12, 8)


async def test_a_workbook_kept_a_sheet_a_year_says_which_sheets_were_not_read(
    harness: Harness,
) -> None:
    await setup(harness)
    book = openpyxl.Workbook()
    for title, period in (("2024", "12.2024"), ("2025 <итог>", "12.2025"), ("пустой", None)):
        sheet = book.create_sheet(title)
        if period is not None:
            sheet.append(["ППО", "Период", "Работников", "Членов профсоюза"])
            sheet.append([SCHOOL, period, 54, 40])
    book.remove(book.worksheets[0])  # the default empty sheet
    data = io.BytesIO()
    book.save(data)

    answers = texts(await harness.upload(STAFF, data.getvalue(), "h.xlsx", "/loadhistory"))

    assert "Загружен 1 отчёт" in answers[0]
    assert "Лист «2025 <итог>» не прочитан" in answers[1] and "пустой" not in answers[1]
    assert [r.period for r in await stored_reports(harness)] == [date(2024, 12, 1)]
