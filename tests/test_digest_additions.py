"""What the digest gained, through the dispatcher: risers beside fallers, the counts behind the
percentages, why members left (for the scope and per ППО), collective agreements expiring,
a totals sheet whose figures are the sums of the rows, and chairs named by their name of record
(passport, else the imported list) in /digest, /status and /paused.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

import openpyxl
from sqlalchemy import select, update

from bot.rendering.xlsx import build_table_xlsx
from factories import membership_report
from harness import ADMIN, Harness, texts
from scenarios import accept_invite, code_of, invite_links
from storage.models import MembershipReport, Organization, Person
from storage.passports import PASSPORT_FIELDS, save_passport

DISTRICT_A, DISTRICT_B = "Кировская районная организация", "Ленинская районная организация"
SCHOOL, KINDERGARTEN = "МБОУ СОШ № 1", "МБДОУ детский сад № 2"
GYMNASIUM, CLUB, HOSPITAL = "Гимназия", "Дом культуры", "ГБУЗ ЦРБ"
CHAIR, STAFF = 501, 801
PASSPORT_NAME = "Иванова Мария Петровна"
OCT, NOV = date(2026, 10, 1), date(2026, 11, 1)
T0 = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)

# (ППО, period, workers, members, extra fields)
REPORTS: list[tuple[str, date, int, int, dict[str, Any]]] = [
    (SCHOOL, OCT, 100, 60, {}),
    (
        SCHOOL,
        NOV,
        100,
        70,
        {
            "youth_workers": 20,
            "youth_members": 10,
            "retired": 5,
            "left": 6,
            "left_own_will": 3,
            "left_dismissed": 1,
        },
    ),  # 2 left for no reason given
    (GYMNASIUM, OCT, 30, 27, {}),
    (
        GYMNASIUM,
        NOV,
        30,
        21,
        {
            "retired": 3,
            "left": 2,
            "left_own_will": 0,
            "left_dismissed": 0,
            "left_retired": 2,
            "left_other": 0,
        },
    ),
    (CLUB, NOV, 100, 10, {"left": 40, "left_other": 40, "returned_at": T0}),  # returned
    (HOSPITAL, NOV, 300, 150, {"left": 50, "left_own_will": 50}),  # another district
]


async def world(h: Harness) -> None:
    rows = [
        (DISTRICT_A, SCHOOL, 100, "Иванова М. П."),
        (DISTRICT_A, KINDERGARTEN, 50, "Петрова Анна Сергеевна"),
        (DISTRICT_A, GYMNASIUM, 30, ""),
        (DISTRICT_A, CLUB, 100, ""),
        (DISTRICT_B, HOSPITAL, 300, ""),
    ]
    headers = ("Район", "Организация", "Работников", "Председатель")
    await h.upload(ADMIN, build_table_xlsx("ППО", headers, rows), "list.xlsx", caption="/import")
    chairs = await invite_links(h)
    await accept_invite(h, CHAIR, code_of(chairs[SCHOOL]), first_name="Мария")
    staff = await invite_links(h, whom="сотрудник аппарата")
    await accept_invite(h, STAFF, code_of(staff[DISTRICT_A]), first_name="Светлана")
    async with h.session_pool() as session, session.begin():
        orgs = {o.name: o for o in (await session.scalars(select(Organization))).all()}
        person = (await session.scalars(select(Person.id).where(Person.tg_user_id == CHAIR))).one()
        for name, period, workers, members, extra in REPORTS:
            session.add(
                membership_report(
                    orgs[name].id, period, workers, members, by=person, at=T0, **extra
                )
            )
        for name, until, chair in (
            (SCHOOL, "2027-01-10", PASSPORT_NAME),  # within 60 days of 21.11.2026
            (GYMNASIUM, "2027-03-01", None),  # later
            (HOSPITAL, "2026-12-01", None),  # another district
        ):
            values = dict.fromkeys(PASSPORT_FIELDS) | {
                "agreement": True,
                "agreement_until": until,
                "chair_full_name": chair,
            }
            await save_passport(session, org=orgs[name], values=values, by=person, now=T0)


def _workbook(data: bytes) -> dict[str, list[dict[str, Any]]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    result = {}
    for sheet in book.worksheets:
        header, *rows = sheet.iter_rows(values_only=True)
        result[sheet.title] = [dict(zip(header, row, strict=True)) for row in rows]
    return result


async def test_digest_names_risers_counts_reasons_and_agreements(harness: Harness) -> None:
    await world(harness)
    replies = await harness.send(STAFF, "/digest")
    text = texts(replies)[0]
    for expected in (
        "👥 Членов профсоюза: 91 из 130 работающих; пенсионеров на учёте: 8",
        "Молодёжь до 35 лет: 10 из 20 (50 %)",
        "🚪 Выбыло: 8 — по собственному желанию: 3, выход на пенсию: 2, увольнение: 1, "
        "причина не указана: 2",
        f"🔺 Охват вырос на 5 п.п. и больше (1):\n{SCHOOL} — 70 % (+10 п.п.)",
        f"Охват упал на 5 п.п. и больше (1):\n{GYMNASIUM} — 70 % (−20 п.п.)",
        f"📄 Коллективный договор истекает в ближайшие 60 дней (1):\n{SCHOOL} — до 10.01.2027",
        f"• {KINDERGARTEN} — председатель не подключён (Петрова Анна Сергеевна)",
        f"• {CLUB} — председатель не подключён",
    ):
        assert expected in text, expected
    assert HOSPITAL not in text and "01.12.2026" not in text and "03.2027" not in text

    _, table = harness.server.sent_files(STAFF)[-1]
    sheets = _workbook(table)
    assert list(sheets) == ["Мониторинг ноябрь 2026", "Итого", "Причины выбытия"]
    rows = {row["ППО"]: row for row in sheets["Мониторинг ноябрь 2026"]}
    assert set(rows) == {SCHOOL, KINDERGARTEN, GYMNASIUM, CLUB}  # no ППО of another district
    school = rows[SCHOOL]
    assert school["Председатель"] == PASSPORT_NAME  # the passport's name, not «Мария»
    assert rows[KINDERGARTEN]["Председатель"] == "Петрова Анна Сергеевна"
    reasons = ("по собственному желанию", "увольнение", "выход на пенсию", "другое")
    assert [school[f"Выбыло: {r}"] for r in reasons] == [3, 1, None, None]
    assert [rows[GYMNASIUM][f"Выбыло: {r}"] for r in reasons] == [0, 0, 2, 0]

    (totals,) = sheets["Итого"]
    assert list(totals) == list(sheets["Мониторинг ноябрь 2026"][0])  # the same columns
    assert totals["Район"] == "Итого" and totals["ППО"] == "учтено отчётов: 2"
    counted = [r for r in rows.values() if r["Работников"] and r["Статус"] == "сдан"]
    assert len(counted) == 2  # the returned report of the club is not counted
    for column in (
        "Работников",
        "Членов профсоюза",
        "Выбыло из профсоюза",
        "Пенсионеров на учёте",
        *(f"Выбыло: {r}" for r in reasons[:3]),
    ):
        assert totals[column] == sum(r[column] or 0 for r in counted), column
    assert totals["Выбыло: другое"] == 0 and totals["Охват, %"] == 70.0
    assert sheets["Причины выбытия"] == [
        {"Причина": "по собственному желанию", "Выбыло, чел.": 3, "Доля, %": 37.5},
        {"Причина": "выход на пенсию", "Выбыло, чел.": 2, "Доля, %": 25.0},
        {"Причина": "увольнение", "Выбыло, чел.": 1, "Доля, %": 12.5},
        {"Причина": "причина не указана", "Выбыло, чел.": 2, "Доля, %": 25.0},
        {"Причина": "Итого", "Выбыло, чел.": 8, "Доля, %": 100.0},
    ]


async def test_status_and_paused_name_chairs_of_record(harness: Harness) -> None:
    await world(harness)
    status = texts(await harness.send(STAFF, "/status"))[0]
    assert f"• {KINDERGARTEN} — председатель не подключён (Петрова Анна Сергеевна)" in status
    await harness.send(CHAIR, "/pause 15.12.2026")
    paused = texts(await harness.send(STAFF, "/paused"))[0]
    assert f"{SCHOOL} — {PASSPORT_NAME}, до 15.12.2026" in paused


async def test_staff_see_the_coverage_of_managers_and_deputies(harness: Harness) -> None:
    """Seed 002 orders «мониторинг охвата профсоюзным членством среди руководителей и
    заместителей руководителя»: the chairs answer it in the form, so staff get its coverage in
    the digest and in the table, per ППО and in total. A report that gave the managers but not
    how many of them are members counts in neither figure of the total."""
    await world(harness)
    managers = {SCHOOL: (5, 3), GYMNASIUM: (4, None), CLUB: (2, 2)}  # the club's is returned
    async with harness.session_pool() as session, session.begin():
        orgs = {o.name: o.id for o in (await session.scalars(select(Organization))).all()}
        for name, (heads, heads_members) in managers.items():
            await session.execute(
                update(MembershipReport)
                .where(MembershipReport.org_id == orgs[name], MembershipReport.period == NOV)
                .values(managers=heads, managers_members=heads_members)
            )
    text = texts(await harness.send(STAFF, "/digest"))[0]
    assert "Руководители и заместители: 3 из 5 — члены профсоюза (60 %)" in text

    _, table = harness.server.sent_files(STAFF)[-1]
    sheets = _workbook(table)
    column = "Охват руководителей и заместителей, %"
    rows = {row["ППО"]: row for row in sheets["Мониторинг ноябрь 2026"]}
    assert rows[SCHOOL][column] == 60.0
    assert rows[GYMNASIUM][column] is None and rows[KINDERGARTEN][column] is None
    (totals,) = sheets["Итого"]
    assert totals[column] == 60.0
    assert totals["Руководителей и заместителей"] == 5
