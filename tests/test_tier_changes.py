"""A ППО's tier changing while a calendar period is open: the period follows the figures that
stand (seed 002: 50-80 % report in March and June too, more than 80 % only in October and
December), and what the chair is told agrees with what the district asks."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot.rendering.xlsx import build_table_xlsx
from harness import ADMIN, Harness, last_message, texts
from scenarios import CHAIR, DISTRICT, HEADERS
from storage.models import Collection, CollectionTarget
from test_history_import import history_file
from test_returned_reports import return_report
from test_staff_tools import STAFF, district_with_staff, drain, org_id, submit

SCHOOL = "МБОУ СОШ № 1"
MARCH = date(2027, 3, 1)


async def march_targets(h: Harness) -> set[int]:
    async with h.session_pool() as session:
        found = await session.scalars(
            select(CollectionTarget.org_id)
            .join(Collection, Collection.id == CollectionTarget.collection_id)
            .where(Collection.period == MARCH, Collection.one_off.is_(False))
        )
        return set(found.all())


async def test_a_report_corrected_below_80_after_march_opened_is_asked_for_march(
    harness: Harness,
) -> None:
    """December: 44 of 54 (81,5 %, twice a year), so March opened without the school. The
    district sends December back and the chair corrects it to 43 (79,6 %: four times a year):
    the school owes March after all; staff see it due and the chair is asked for it."""
    h = harness
    h.clock.moment = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    await district_with_staff(h)
    await submit(h, ["54", "44", "12", "8", "3", "2", "4", "1", "5"])
    h.clock.moment = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)
    await drain(h)
    school = await org_id(h, SCHOOL)
    assert school not in await march_targets(h)

    h.clock.moment = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
    await return_report(h)
    notice = [
        r for r in await drain(h) if r.chat_id == CHAIR and "Проверьте" in (r.plain_text or "")
    ]
    summary = last_message(await h.tap(CHAIR, notice[-1], "Мониторинг"))
    menu = last_message(await h.tap(CHAIR, summary, "Исправить поле"))
    await h.tap(CHAIR, menu, "Членов профсоюза")
    saved = texts(await h.tap(CHAIR, last_message(await h.send(CHAIR, "43")), "Отправить"))[0]

    assert school in await march_targets(h)
    assert "мониторинг 4 раза в год, следующий — до 25.03.2027" in saved
    status = texts(await h.send(STAFF, "/status"))[0]
    assert "Сдали: 0 из 2" in status, status


async def test_a_ppo_left_out_of_the_open_period_is_told_the_next_one(harness: Harness) -> None:
    """March opened without the school (81,5 % in December). Its December is sent back: with
    no figures standing it reads as a ППО without reports (four times a year), but March was
    not asked of it nor counted by staff as due, so its chair is told June, not March."""
    h = harness
    h.clock.moment = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    await district_with_staff(h)
    await submit(h, ["54", "44", "12", "8", "3", "2", "4", "1", "5"])
    h.clock.moment = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)
    await drain(h)
    h.clock.moment = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
    await return_report(h)

    listing = texts(await h.send(CHAIR, "/history"))[0]
    assert "отчётов пока нет: мониторинг 4 раза в год, следующий — до 25.06.2027" in listing
    assert "Сдали: 0 из 1" in texts(await h.send(STAFF, "/status"))[0]  # the kindergarten


async def test_history_loaded_after_march_opened_asks_a_ppo_its_figures_make_due(
    harness: Harness,
) -> None:
    """The district loads its February table on 2 March: the school (92,6 % in December, so
    March opened without it) had 40 of 54 in February (74 %, four times a year). Its chair
    is asked for March, as the opening would have asked it with those figures in."""
    h = harness
    h.clock.moment = datetime(2027, 2, 10, 9, 0, tzinfo=UTC)
    await district_with_staff(h)
    december = (SCHOOL, "12.2026", 54, 50, *[None] * 7)
    await h.upload(STAFF, history_file([december]), "h.xlsx", "/loadhistory")
    h.clock.moment = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)
    await drain(h)
    school = await org_id(h, SCHOOL)
    assert school not in await march_targets(h)

    h.clock.moment = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
    february = (SCHOOL, "02.2027", 54, 40, *[None] * 7)
    answer = texts(await h.upload(STAFF, history_file([february]), "h.xlsx", "/loadhistory"))
    assert "Загружен 1 отчёт" in answer[0], answer

    assert school in await march_targets(h)
    asked = [r for r in await drain(h) if r.chat_id == CHAIR]
    assert asked and "25.03.2027" in (asked[0].plain_text or ""), asked


async def test_a_ppo_the_list_adds_while_march_is_open_is_asked_for_march(
    harness: Harness,
) -> None:
    """A ППО the district forgot, imported on 10 March with March's monitoring open: having no
    report it owes one four times a year, so it is asked for March (as one restored from the
    archive is) and staff count it due, instead of its figures first arriving in June."""
    h = harness
    h.clock.moment = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)
    await district_with_staff(h)
    await drain(h)
    assert "Сдали: 0 из 2" in texts(await h.send(STAFF, "/status"))[0]

    h.clock.moment = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)
    forgotten = build_table_xlsx("ППО", HEADERS, [(DISTRICT, "МБОУ ООШ № 7", 30, "")])
    await h.upload(ADMIN, forgotten, "list.xlsx", caption="/import")

    assert await org_id(h, "МБОУ ООШ № 7") in await march_targets(h)
    status = texts(await h.send(STAFF, "/status"))[0]
    assert "Сдали: 0 из 3" in status, status
