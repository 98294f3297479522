"""The January notice of the yearly rating (seed 002 item 25: «Рейтингование эффективности
работы первичных профсоюзных организаций — ежегодно до 1 февраля») to district staff, through
the outbox, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.rendering.xlsx import build_table_xlsx
from bot.wiring.scheduler import calendar_tick
from harness import ADMIN, Harness, background
from scenarios import accept_invite, code_of, invite_links
from storage.models import OutboxMessage

DISTRICT_A, DISTRICT_B = "Кировская районная организация", "Ленинская районная организация"
STAFF, OTHER_STAFF = 801, 802
TITLE = "Рейтингование ППО за 2026 год"


async def setup(h: Harness) -> None:
    rows = [(DISTRICT_A, "МБОУ СОШ № 1", 54), (DISTRICT_B, "ГБУЗ ЦРБ", 300)]
    data = build_table_xlsx("ППО", ("Район", "Организация", "Работников"), rows)
    await h.upload(ADMIN, data, "list.xlsx", caption="/import")
    staff = await invite_links(h, whom="сотрудник аппарата")
    await accept_invite(h, STAFF, code_of(staff[DISTRICT_A]), first_name="Светлана")
    await accept_invite(h, OTHER_STAFF, code_of(staff[DISTRICT_B]), first_name="Игорь")


async def notice_keys(h: Harness) -> list[str]:
    async with h.session_pool() as session:
        keys = (await session.scalars(select(OutboxMessage.key).order_by(OutboxMessage.id))).all()
    return [key for key in keys if key.startswith("rating-due:")]


def told(h: Harness, chat: int, since: int) -> list[str]:
    return [
        r.plain_text or ""
        for r in h.server.requests[since:]
        if r.method == "sendMessage" and r.chat_id == chat and TITLE in (r.plain_text or "")
    ]


async def test_staff_are_told_once_on_the_first_working_day_of_january(harness: Harness) -> None:
    await setup(harness)
    bg = background(harness)
    harness.clock.moment = datetime(2027, 1, 8, 9, 0, tzinfo=UTC)  # New Year holidays
    await calendar_tick(bg)
    assert await notice_keys(harness) == []

    harness.clock.moment = datetime(2027, 1, 11, 7, 30, tzinfo=UTC)  # Monday, 10:30 in Moscow
    await calendar_tick(bg)
    mark = harness.server.mark()
    await bg.deliverer.drain()
    [notice] = told(harness, STAFF, mark)
    assert DISTRICT_A in notice and "до 1 февраля" in notice and "/rating 2026" in notice
    [other] = told(harness, OTHER_STAFF, mark)
    assert DISTRICT_B in other and DISTRICT_A not in other

    keys = await notice_keys(harness)
    assert len(keys) == 2
    harness.clock.moment = datetime(2027, 1, 20, 7, 30, tzinfo=UTC)
    await calendar_tick(bg)
    await bg.deliverer.drain()
    assert await notice_keys(harness) == keys  # a later run, or a restart, sends nothing again


async def test_no_notice_once_the_rating_is_due(harness: Harness) -> None:
    await setup(harness)
    bg = background(harness)
    harness.clock.moment = datetime(2027, 2, 1, 7, 30, tzinfo=UTC)
    await calendar_tick(bg)
    assert await notice_keys(harness) == []
