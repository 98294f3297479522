"""/passports for staff: counts «есть у X из N ППО», agreements expiring and expired, stale
passports, and an .xlsx with every passport field of every ППО of the scope."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
from sqlalchemy import select

from bot.domain.passport_report import (
    agreement_expired,
    agreement_expiring,
    agreement_in_force,
    build_report,
    is_stale,
)
from bot.rendering.passport_report import report_lines
from bot.rendering.xlsx import build_table_xlsx
from bot.texts import common
from bot.texts import passport_report as t
from harness import ADMIN, Harness, last_message, texts
from scenarios import accept_invite, code_of, invite_links
from storage.models import Organization, Person
from storage.passport_report import PassportValues, PpoPassport
from storage.passports import PASSPORT_FIELDS, save_passport

DISTRICT_A, DISTRICT_B = "Кировская районная организация", "Ленинская районная организация"
SCHOOL, KINDERGARTEN = "МБОУ СОШ № 1", "Детский сад № 2"
GYMNASIUM, RADUGA = "Гимназия № 3", "Школа <Радуга> & Ко"
HOSPITAL = "ГБУЗ ЦРБ"
CHAIR, STAFF = 501, 801
INSTITUTION = "МБОУ «СОШ № 1» <корпус 2> & филиал"
REGISTRY = "Электронный учёт членов Профсоюза в АИС «Единый реестр»"
TODAY = date(2026, 11, 21)  # the harness clock's Moscow date
MOSCOW = ZoneInfo("Europe/Moscow")


async def district_with_staff(h: Harness) -> None:
    rows = [
        (DISTRICT_A, SCHOOL, 54),
        (DISTRICT_A, KINDERGARTEN, 20),
        (DISTRICT_A, GYMNASIUM, 30),
        (DISTRICT_A, RADUGA, 12),
        (DISTRICT_B, HOSPITAL, 300),
    ]
    data = build_table_xlsx("ППО", ("Район", "Организация", "Работников"), rows)
    await h.upload(ADMIN, data, "list.xlsx", caption="/import")
    chairs = await invite_links(h)
    await accept_invite(h, CHAIR, code_of(chairs[SCHOOL]), first_name="Мария")
    staff = await invite_links(h, whom="сотрудник аппарата")
    await accept_invite(h, STAFF, code_of(staff[DISTRICT_A]), first_name="Светлана")


async def file_passport_in_chat(h: Harness, agreement_until: str) -> None:
    """The chair of SCHOOL fills the passport through the form, as a person would."""
    card = last_message(await h.send(CHAIR, "/passport"))
    await h.tap(CHAIR, card, "Заполнить")
    for answer in (INSTITUTION, "ул. Ленина, 1", "Иванова Мария Петровна", "+7 900 123-45-67"):
        await h.send(CHAIR, answer)
    for answer in ("60", "да", agreement_until, "нет", "school1.ru/profsoyuz"):
        await h.send(CHAIR, answer)
    await h.tap(CHAIR, last_message(h.server.requests), "Пропустить")  # no social page
    await h.send(CHAIR, "да")  # stand
    await h.send(CHAIR, "нет")  # corner
    await h.send(CHAIR, "Петров Пётр Петрович")
    await h.send(CHAIR, "15.03")  # the public report: this March
    summary = last_message(await h.send(CHAIR, "да"))  # members in the АИС «Единый реестр»
    assert "Публичный отчёт представлен: 15.03.2026" in (summary.plain_text or "")
    assert "✅ Паспорт сохранён" in texts(await h.tap(CHAIR, summary, "Отправить"))[0]


async def store_passport(h: Harness, org_name: str, at: datetime, **values: Any) -> None:
    """A passport saved at ``at`` (a past moment the form cannot produce)."""
    async with h.session_pool() as session, session.begin():
        org = (
            await session.scalars(select(Organization).where(Organization.name == org_name))
        ).one()
        person_id = (
            await session.scalars(select(Person.id).where(Person.tg_user_id == CHAIR))
        ).one()
        fields = dict.fromkeys(PASSPORT_FIELDS) | values
        await save_passport(session, org=org, values=fields, by=person_id, now=at)


async def scope_with_passports(h: Harness) -> None:
    await district_with_staff(h)
    await file_passport_in_chat(h, "15.01.2027")  # expiring within 60 days
    await store_passport(
        h,
        KINDERGARTEN,
        datetime(2026, 11, 11, 9, 0, tzinfo=UTC),
        agreement=True,
        agreement_until="2027-06-30",  # later
        site_url="https://ds2.ru",
        social_url="https://vk.com/ds2",
        corner=True,
        info_person="Сидорова Анна",
        public_report_on="2025-12-20",  # last year's: not this year's report
        members_registry=False,
    )
    await store_passport(
        h,
        RADUGA,
        datetime(2025, 11, 1, 9, 0, tzinfo=UTC),  # not confirmed for a year
        agreement=True,
        agreement_until="2026-10-01",  # expired
        youth_council=True,
        stand=True,
        corner=True,
    )
    await store_passport(
        h,
        HOSPITAL,
        datetime(2024, 1, 10, 9, 0, tzinfo=UTC),
        agreement=True,
        agreement_until="2026-12-01",
        stand=True,
    )


def read_table(data: bytes) -> list[dict[str, Any]]:
    header, *rows = openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


async def test_counts_lists_and_table_of_the_district(harness: Harness) -> None:
    await scope_with_passports(harness)
    replies = await harness.send(STAFF, "/passports")
    text = "\n".join(texts([r for r in replies if r.method == "sendMessage"]))
    name, data = harness.server.sent_files(STAFF)[-1]
    assert name == "Паспорта_ППО_2026-11-21.xlsx"
    rows = read_table(data)

    assert [row["ППО"] for row in rows] == [GYMNASIUM, KINDERGARTEN, SCHOOL, RADUGA]
    assert HOSPITAL not in text and all(row["Район"] == DISTRICT_A for row in rows)
    counted = {
        "Действующий коллективный договор": sum(
            row["Коллективный договор действует"] == "да"
            and row["Коллективный договор действует до"] >= datetime(2026, 11, 21)
            for row in rows
        ),
        "Молодёжный совет": sum(row["Молодёжный совет"] == "да" for row in rows),
        "Страница на сайте учреждения": sum(
            bool(row["Страница на сайте учреждения"]) for row in rows
        ),
        "Группа в социальной сети": sum(bool(row["Группа в социальной сети"]) for row in rows),
        "Профсоюзный стенд": sum(row["Профсоюзный стенд"] == "да" for row in rows),
        "«Профсоюзный уголок»": sum(row["«Профсоюзный уголок»"] == "да" for row in rows),
        "Ответственный за информационную работу": sum(
            bool(row["Ответственный за информационную работу"]) for row in rows
        ),
        REGISTRY: sum(row[REGISTRY] == "да" for row in rows),
    }
    assert counted == {
        "Действующий коллективный договор": 2,
        "Молодёжный совет": 1,
        "Страница на сайте учреждения": 2,
        "Группа в социальной сети": 1,
        "Профсоюзный стенд": 2,
        "«Профсоюзный уголок»": 2,
        "Ответственный за информационную работу": 2,
        REGISTRY: 1,
    }
    for label, count in counted.items():
        assert f"{label}: есть у {count} из 4 ППО" in text
    assert "Паспорт не заполнен: 1 из 4 ППО" in text

    expiring = f"Коллективный договор истекает в ближайшие 60 дней (1):\n• {SCHOOL} — до 15.01.2027"
    assert expiring in text
    assert f"Срок коллективного договора истёк (1):\n• {RADUGA} — до 01.10.2026" in text
    assert "30.06.2027" not in text  # an agreement ending later is not listed
    stale = (
        "Паспорт не актуализирован больше года (2):\n"
        f"• {GYMNASIUM} — паспорт не заполнен\n"
        f"• {RADUGA} — последний раз 01.11.2025"
    )
    assert stale in text


async def test_table_cells_as_typed_and_empty_without_passport(harness: Harness) -> None:
    await scope_with_passports(harness)
    await harness.send(STAFF, "/passports")
    rows = {row["ППО"]: row for row in read_table(harness.server.sent_files(STAFF)[-1][1])}

    gymnasium = rows[GYMNASIUM]
    assert gymnasium["Работников"] == 30 and gymnasium["Паспорт актуализирован"] is None
    assert all(value is None for value in list(gymnasium.values())[2:-2])
    school = rows[SCHOOL]
    assert school["Учреждение (полное наименование)"] == INSTITUTION  # raw, never escaped
    assert school["Телефон председателя"].startswith("+7")
    assert school["Коллективный договор действует"] == "да"
    assert school["Коллективный договор действует до"] == datetime(2027, 1, 15)
    assert school["Молодёжный совет"] == "нет" and school["«Профсоюзный уголок»"] == "нет"
    assert school["Группа в социальной сети"] is None
    assert school["Страница на сайте учреждения"] == "https://school1.ru/profsoyuz"
    assert school["Работников"] == 60  # the passport form updated the organization's figure
    assert school["Паспорт актуализирован"] == datetime(2026, 11, 21)
    assert rows[RADUGA]["Паспорт актуализирован"] == datetime(2025, 11, 1)
    assert list(rows[RADUGA]) == list(t.COLUMNS)


async def test_admin_picks_a_district_and_sees_only_it(harness: Harness) -> None:
    await scope_with_passports(harness)
    choice = last_message(await harness.send(ADMIN, "/passports"))
    replies = await harness.tap(ADMIN, choice, DISTRICT_B)
    text = "\n".join(texts([r for r in replies if r.method == "sendMessage"]))
    assert "есть у 1 из 1 ППО" in text and SCHOOL not in text
    assert f"• {HOSPITAL} — до 01.12.2026" in text
    rows = read_table(harness.server.sent_files(ADMIN)[-1][1])
    assert [row["ППО"] for row in rows] == [HOSPITAL]


async def test_chair_may_not_ask_for_passports(harness: Harness) -> None:
    await scope_with_passports(harness)
    assert texts(await harness.send(CHAIR, "/passports")) == [common.NOT_YOUR_COMMAND]
    assert not [name for name, _ in harness.server.sent_files(CHAIR) if "Паспорта" in name]


# --- The date rules, on the scope's local date ----------------------------------------------


def values(**changes: Any) -> PassportValues:
    fields: dict[str, Any] = dict.fromkeys(PASSPORT_FIELDS)
    fields["updated_at"] = datetime(2026, 11, 1, tzinfo=UTC)
    return PassportValues(**(fields | changes))


def test_agreement_expiring_expired_or_later() -> None:
    def agreement(days: int) -> PassportValues:
        return values(agreement=True, agreement_until=TODAY + timedelta(days=days))

    assert agreement_expiring(agreement(0), TODAY) and agreement_in_force(agreement(0), TODAY)
    assert agreement_expiring(agreement(60), TODAY)
    assert not agreement_expiring(agreement(61), TODAY) and agreement_in_force(agreement(61), TODAY)
    assert agreement_expired(agreement(-1), TODAY) and not agreement_expiring(agreement(-1), TODAY)
    assert not agreement_in_force(agreement(-1), TODAY)
    no_agreement = values(agreement=False, agreement_until=TODAY - timedelta(days=5))
    assert not agreement_expired(no_agreement, TODAY)
    assert not agreement_in_force(no_agreement, TODAY)
    assert agreement_in_force(values(agreement=True), TODAY)  # no end date given


def test_stale_after_a_year_or_never_confirmed() -> None:
    assert not is_stale(TODAY - timedelta(days=365), TODAY)
    assert is_stale(TODAY - timedelta(days=366), TODAY)
    assert is_stale(None, TODAY)


def test_confirmation_date_in_the_scope_zone_and_long_lists_clipped() -> None:
    late_evening = values(updated_at=datetime(2025, 11, 20, 21, 30, tzinfo=UTC))  # 21.11 in Moscow
    rows = [PpoPassport(1, "Школа 1", DISTRICT_A, 10, late_evening)]
    rows += [PpoPassport(n, f"ППО {n:02d}", DISTRICT_A, None, None) for n in range(2, 14)]
    report = build_report(DISTRICT_A, rows, today=TODAY, zone=MOSCOW)
    assert report.lines[0].confirmed_on == date(2025, 11, 21)
    assert [line.ppo.name for line in report.stale] == [f"ППО {n:02d}" for n in range(2, 14)]
    lines = report_lines(report)
    assert "…и ещё 2" in lines and "• ППО 11 — паспорт не заполнен" in lines
    assert "• ППО 12 — паспорт не заполнен" not in lines


async def test_who_gave_this_years_public_report(harness: Harness) -> None:
    """Seed 002 item 26: a public report by every ППО every year; staff see who has not."""
    await scope_with_passports(harness)
    replies = await harness.send(STAFF, "/passports")
    text = "\n".join(texts([r for r in replies if r.method == "sendMessage"]))
    assert "Публичный отчёт за 2026 год: есть у 1 из 4 ППО" in text
    missing = "Не представили публичный отчёт за 2026 год (3):"
    assert f"{missing}\n• {GYMNASIUM}\n• {KINDERGARTEN}\n• {RADUGA}" in text
    rows = {row["ППО"]: row for row in read_table(harness.server.sent_files(STAFF)[-1][1])}
    assert rows[SCHOOL]["Публичный отчёт представлен"] == datetime(2026, 3, 15)
    assert rows[KINDERGARTEN]["Публичный отчёт представлен"] == datetime(2025, 12, 20)
    assert rows[RADUGA]["Публичный отчёт представлен"] is None


async def test_members_kept_in_the_single_register(harness: Harness) -> None:
    """Seed 002 item 3 and section VI: members kept in the АИС «Единый реестр»; a passport
    filled before the question was asked is not counted, and its cell stays empty."""
    await scope_with_passports(harness)
    replies = await harness.send(STAFF, "/passports")
    text = "\n".join(texts([r for r in replies if r.method == "sendMessage"]))
    assert f"{REGISTRY}: есть у 1 из 4 ППО" in text
    rows = {row["ППО"]: row for row in read_table(harness.server.sent_files(STAFF)[-1][1])}
    assert [rows[name][REGISTRY] for name in (SCHOOL, KINDERGARTEN, RADUGA, GYMNASIUM)] == [
        "да",
        "нет",
        None,
        None,
    ]
