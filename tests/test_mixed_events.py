"""Events held in person and online at once (seed 003): the form asks the place and the views,
the event keeps both, and the staff report and card show both."""

from __future__ import annotations

import io

import openpyxl
from sqlalchemy import select

from bot.domain.events import answers_of
from bot.forms.event import MIXED
from harness import Harness, last_message, texts
from scenarios import CHAIR, accept_invite, code_of, invite_links, join
from storage.models import Event

STAFF = 801
DISTRICT = "Родионово-Несветайская районная организация"


async def file_mixed_event(h: Harness) -> Harness:
    question = last_message(await h.send(CHAIR, "/event"))
    await h.tap(CHAIR, question, "Вебинар")
    await h.send(CHAIR, "Цифровизация профсоюза")
    question = last_message(await h.send(CHAIR, "20.11.2026"))
    assert "Очно и онлайн" in str(question.buttons())
    venue_q = last_message(await h.tap(CHAIR, question, "Очно и онлайн"))
    assert "очная часть" in (venue_q.plain_text or "")
    views_q = last_message(await h.send(CHAIR, "Актовый зал"))
    assert "просмотров" in (views_q.plain_text or "")
    await h.send(CHAIR, "6000")
    question = last_message(await h.send(CHAIR, "133"))
    question = last_message(await h.tap(CHAIR, question, "Информационная"))
    question = last_message(await h.tap(CHAIR, question, "Пропустить"))
    summary = last_message(await h.send(CHAIR, "Трансляция из зала."))
    text = summary.plain_text or ""
    assert "Место: Очно и онлайн" in text and "Место (очно): Актовый зал" in text
    assert "Просмотров онлайн: 6000" in text
    await h.tap(CHAIR, summary, "Отправить")
    return h


async def stored_events(h: Harness) -> list[Event]:
    async with h.session_pool() as session:
        return list((await session.scalars(select(Event))).all())


async def test_mixed_event_keeps_place_and_views(harness: Harness) -> None:
    await join(harness)
    await file_mixed_event(harness)
    [event] = await stored_events(harness)
    assert (event.online, event.place, event.views, event.participants) == (
        True,
        "Актовый зал",
        6000,
        133,
    )
    # The chair's own card and a correction come back as a mixed event.
    assert answers_of(event)["place"] == MIXED and answers_of(event)["venue"] == "Актовый зал"

    staff_link = (await invite_links(harness, whom="сотрудник аппарата"))[DISTRICT]
    await accept_invite(harness, STAFF, code_of(staff_link), first_name="Светлана")
    report = texts(await harness.send(STAFF, "/eventsreport 11.2026"))[0]
    assert "Мероприятий: 1, участников: 133, просмотров онлайн: 6000" in report
    _, data = harness.server.sent_files(STAFF)[-1]
    header, row = openpyxl.load_workbook(io.BytesIO(data))["Мероприятия"].iter_rows(
        values_only=True
    )
    assert row[header.index("Место")] == "Актовый зал, онлайн"
    assert row[header.index("Просмотров онлайн")] == 6000
    card = texts(await harness.send(STAFF, f"/showevent {event.id}"))[0]
    assert "Место: Очно и онлайн" in card and "Место (очно): Актовый зал" in card
    assert "Просмотров онлайн: 6000" in card


async def test_correcting_a_mixed_event_to_a_hall_drops_the_views(harness: Harness) -> None:
    await join(harness)
    await file_mixed_event(harness)
    listing = last_message(await harness.send(CHAIR, "/events"))
    card = last_message(await harness.tap(CHAIR, listing, "Цифровизация"))
    summary = last_message(await harness.tap(CHAIR, card, "Исправить"))
    assert "Место (очно): Актовый зал" in (summary.plain_text or "")
    menu = last_message(await harness.tap(CHAIR, summary, "Исправить поле"))
    question = last_message(await harness.tap(CHAIR, menu, "Место"))
    summary = last_message(await harness.send(CHAIR, "Спортзал"))
    text = summary.plain_text or ""
    assert "Место: Спортзал" in text and "Место (очно)" not in text and "Просмотров" not in text
    await harness.tap(CHAIR, summary, "Отправить")
    [event] = await stored_events(harness)
    assert (event.online, event.place, event.views) == (False, "Спортзал", None)
    assert question.plain_text and "Очно и онлайн" in str(question.buttons())
