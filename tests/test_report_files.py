"""What staff get as files and reports, at their edges: a district event in the events report,
a history sheet with a fill-date column, the «Итого» row's youth figures."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

import openpyxl
from sqlalchemy import select

from bot.domain.history_import import read_history
from bot.rendering.xlsx import build_table_xlsx
from bot.texts import event_report as te
from factories import membership_report
from harness import ADMIN, Harness, texts
from scenarios import accept_invite, code_of, invite_links
from storage.models import Organization, Person
from storage.models.district import DistrictEvent, DistrictEventInvite

DISTRICT = "Кировская районная организация"
SCHOOL, GARDEN = "МБОУ СОШ № 1", "Детский сад № 2"
CHAIR, STAFF = 501, 801
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


async def setup_district(h: Harness, rows: list[tuple[Any, ...]] | None = None) -> dict[str, int]:
    rows = rows or [(DISTRICT, SCHOOL, 54), (DISTRICT, GARDEN, 20)]
    data = build_table_xlsx("ППО", ("Район", "Организация", "Работников"), rows)
    await h.upload(ADMIN, data, "list.xlsx", caption="/import")
    chairs = await invite_links(h)
    await accept_invite(h, CHAIR, code_of(chairs[SCHOOL]), first_name="Мария")
    staff = await invite_links(h, whom="сотрудник аппарата")
    await accept_invite(h, STAFF, code_of(staff[DISTRICT]), first_name="Светлана")
    async with h.session_pool() as session:
        return {o.name: o.id for o in (await session.scalars(select(Organization))).all()}


def workbook(h: Harness, user: int) -> Any:
    _, data = h.server.sent_files(user)[-1]
    return openpyxl.load_workbook(io.BytesIO(data))


async def test_a_district_event_in_the_events_report_has_no_number_to_open(
    harness: Harness,
) -> None:
    """A district seminar a ППО attended is among «Самые массовые» and in the table marked
    as the district's event, not with a negated number /showevent cannot open."""
    h = harness
    ids = await setup_district(h)
    async with h.session_pool() as session:
        person = (await session.scalars(select(Person.id))).first()
        event = DistrictEvent(
            scope_org_id=ids[DISTRICT],
            kind="seminar",
            direction="education",
            title="Семинар председателей",
            starts_at=datetime(2026, 11, 10, 7, 0, tzinfo=UTC),
            starts_on=date(2026, 11, 10),
            place="Актовый зал",
            online=False,
            quota=None,
            answer_by=date(2026, 11, 5),
            created_by=person,
            created_at=T0,
            submission_key="devent-1",
        )
        session.add(event)
        await session.flush()
        session.add(DistrictEventInvite(event_id=event.id, org_id=ids[SCHOOL], attended=30))
        await session.commit()
    message = "\n".join(texts(await h.send(STAFF, "/eventsreport 11.2026")))
    assert "Семинар председателей" in message
    rows = list(workbook(h, STAFF)["Мероприятия"].iter_rows(values_only=True))
    assert rows[1][-1] == te.DISTRICT_EVENT, rows[1]
    assert f"({te.DISTRICT_EVENT})" in message and "№ -" not in message, message


def _xlsx(book: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_fill_date_column_is_not_the_period() -> None:
    """A district's sheet with «Дата заполнения» (when the row was typed, January 2025) left
    of «Отчётный месяц» (12.2024): the figures are December's."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ППО", "Дата заполнения", "Отчётный месяц", "Работников", "Членов профсоюза"])
    sheet.append([SCHOOL, datetime(2025, 1, 15), "12.2024", 54, 40])
    table = read_history(_xlsx(book))
    assert table.fatal is None and not table.errors
    assert table.rows[0].period == date(2024, 12, 1)


async def test_the_totals_rows_youth_figures_agree_with_its_youth_coverage(
    harness: Harness,
) -> None:
    """One chair gives workers under 35 but skips «членов до 35» (optional in the form): the
    «Итого» row's youth figures and its «Охват молодёжи» are over the same reports."""
    h = harness
    ids = await setup_district(h)
    period = date(2026, 10, 1)
    async with h.session_pool() as session:
        person = (await session.scalars(select(Person.id))).first()
        assert person is not None
        session.add(
            membership_report(
                ids[SCHOOL], period, 54, 40, by=person, at=T0, youth_workers=10, youth_members=8
            )
        )
        session.add(
            membership_report(
                ids[GARDEN], period, 20, 15, by=person, at=T0, youth_workers=10, youth_members=None
            )
        )
        await session.commit()
    await h.send(STAFF, "/export 10.2026")
    book = workbook(h, STAFF)
    header, total = list(book["Итого"].iter_rows(values_only=True))[:2]
    row = dict(zip(header, total, strict=True))
    young, young_members = row["Работников до 35 лет"], row["Членов профсоюза до 35 лет"]
    shown = row["Охват молодёжи до 35 лет, %"]
    assert young and young_members and shown is not None
    assert round(young_members / young * 100, 1) == shown, (young_members, young, shown)
