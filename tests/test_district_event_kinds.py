"""A district event of kind «Другое» is named by staff, as a chair's event is: the invitation,
the card, the events report and its table show that name (escaped where it is HTML), and an
event announced before the name was asked still shows «Другое»."""

from __future__ import annotations

import io

import openpyxl
from sqlalchemy import update

from bot.texts import event_report as ter
from bot.texts import events as te
from conftest import FakeClock
from harness import Harness, texts
from storage.models import DistrictEvent
from test_district_events import CHAIR, STAFF, announce, at, last_to, move, setup, tick

NAMED = "Квест <профсоюзный> & игра"


async def test_a_district_event_of_kind_other_is_known_by_its_name(
    harness: Harness, clock: FakeClock
) -> None:
    h = harness
    await setup(h)
    summary = await announce(h, named=NAMED)
    assert f"{te.L_KIND_OTHER}: {NAMED}" in (summary[-1].plain_text or "")
    await h.tap(STAFF, summary[-1], "Отправить")

    move(clock, at(23, 11, 7))
    await tick(h)
    invitation = last_to(h, CHAIR, "Приглашение")
    assert f"Приглашение: {NAMED} «" in (invitation.plain_text or "")
    assert "Квест &lt;профсоюзный&gt; &amp; игра" in (invitation.text or "")

    move(clock, at(7, 12, 7))
    await tick(h)
    prompt = last_to(h, CHAIR, "участвовало")
    await h.tap(CHAIR, prompt, "Сколько пришло")
    summary = await h.send(CHAIR, "3")
    await h.tap(CHAIR, summary[-1], "Отправить")

    listing = await h.send(STAFF, "/devents")
    card = texts(await h.tap(STAFF, listing[-1], "04.12.2026"))
    assert card[0].startswith(f"{NAMED} «")
    report = "\n".join(texts(await h.send(STAFF, "/eventsreport 12.2026")))
    assert f"{NAMED} «" in report
    _, data = h.server.sent_files(STAFF)[-1]
    sheet = openpyxl.load_workbook(io.BytesIO(data))[ter.SHEET_EVENTS]
    assert NAMED in [row[4] for row in sheet.iter_rows(values_only=True)]


async def test_an_event_named_before_the_question_was_asked_shows_other(
    harness: Harness, clock: FakeClock
) -> None:
    h = harness
    await setup(h)
    await h.tap(STAFF, (await announce(h))[-1], "Отправить")
    async with h.session_pool() as session:
        await session.execute(update(DistrictEvent).values(kind="other", kind_other=None))
        await session.commit()

    listing = await h.send(STAFF, "/devents")
    card = texts(await h.tap(STAFF, listing[-1], "04.12.2026"))
    assert card[0].startswith("Другое «")
