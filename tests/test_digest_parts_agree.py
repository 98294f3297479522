"""A scheduled digest's text, chart and table are all drawn when it goes out: one held (an
outage, quiet hours, a holiday) while a chair reports tells the same in all three."""

from __future__ import annotations

import io

import openpyxl
from sqlalchemy import select

from bot.texts import digest as t
from bot.wiring.scheduler import calendar_tick
from harness import Harness, background, last_message
from scenarios import CHAIR, DISTRICT, FULL, join
from storage import outbox
from storage.models import Organization
from storage.outbox import OutboxKind
from storage.outbox_keys import KeyPurpose, outbox_key
from test_calendar_flow import STAFF, at, staff_joins, tick_and_send, to


async def chair_reports(h: Harness) -> None:
    await h.send(CHAIR, "/report")
    for value in FULL:
        replies = await h.send(CHAIR, value)
    await h.tap(CHAIR, last_message(replies), "Отправить")


def submitted_rows(table: bytes) -> int:
    sheet = openpyxl.load_workbook(io.BytesIO(table)).active
    assert sheet is not None
    return sum(1 for row in sheet.iter_rows(values_only=True) if t.STATUS_SUBMITTED in row)


async def district_id(h: Harness) -> int:
    async with h.session_pool() as session:
        scope = await session.scalar(select(Organization.id).where(Organization.name == DISTRICT))
    assert scope is not None
    return scope


async def october_with_staff(h: Harness) -> None:
    h.clock.moment = at(1)
    await join(h)
    await staff_joins(h)
    await tick_and_send(h)  # the October period opens


async def test_a_held_digest_tells_in_its_text_what_its_table_shows(harness: Harness) -> None:
    """The weekly digest falls due Monday 19.10 and waits (Telegram down); the chair reports
    before it goes out: the text says «Сдали: 1 из 2» and the table lists that ППО «сдан»."""
    await october_with_staff(harness)
    harness.clock.moment = at(19)  # Monday: the weekly digest falls due
    bg = background(harness)
    await calendar_tick(bg)  # queued, not sent yet
    await chair_reports(harness)
    mark = harness.server.mark()
    await bg.deliverer.drain()

    digest = to(STAFF, harness.server.requests[mark:])
    assert [r.method for r in digest] == ["sendMessage", "sendPhoto", "sendDocument"]
    _, table = harness.server.sent_files(STAFF)[-1]
    told = "Сдали: 1 из 2" in (digest[0].plain_text or "")
    assert (told, submitted_rows(table)) == (True, 1), digest[0].plain_text


async def test_a_digest_queued_with_its_text_written_still_goes_out(harness: Harness) -> None:
    """A digest queued before its text was drawn at send time (the text in its payload, the
    chart and table naming the scope and day) goes out as it was queued."""
    await october_with_staff(harness)
    harness.clock.moment = at(19)
    scope = await district_id(harness)
    async with harness.session_pool() as session, session.begin():
        old = {"scope_org_id": scope, "today": "2026-10-19"}
        for part, payload in (
            (OutboxKind.TEXT, {"text": "📊 Сводка, написанная заранее"}),
            (OutboxKind.DIGEST_CHART, old),
            (OutboxKind.DIGEST_TABLE, old),
        ):
            await outbox.enqueue(
                session,
                key=outbox_key(KeyPurpose.DIGEST, scope, "2026-10-19", STAFF, part),
                chat_id=STAFF,
                kind=part,
                payload=payload,
                not_before=at(19),
                now=at(19),
            )
    sent = to(STAFF, await tick_and_send(harness))  # the tick queues no second digest

    assert [r.method for r in sent] == ["sendMessage", "sendPhoto", "sendDocument"]
    assert sent[0].plain_text == "📊 Сводка, написанная заранее"
