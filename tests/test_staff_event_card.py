"""Staff open an event of the events report (/showevent <№>): its card and its photos, for the
staff of its district or region and admins only."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from sqlalchemy import select

from bot.rendering.xlsx import build_table_xlsx
from bot.texts import common
from bot.texts import event_report as t
from bot.texts import forms as form_texts
from harness import ADMIN, Harness, Request, last_message, texts
from scenarios import accept_invite, code_of, invite_links
from storage.models import Event

DISTRICT_A, DISTRICT_B = "Кировская районная организация", "Ленинская районная организация"
SCHOOL, HOSPITAL = "МБОУ СОШ № 1", "ГБУЗ ЦРБ"
CHAIR, OTHER_CHAIR, STAFF, OTHER_STAFF = 501, 503, 801, 802
TOPIC = "Мотивация <профсоюзного> членства"


async def setup(h: Harness) -> None:
    rows = [(DISTRICT_A, SCHOOL, 54), (DISTRICT_B, HOSPITAL, 300)]
    data = build_table_xlsx("ППО", ("Район", "Организация", "Работников"), rows)
    await h.upload(ADMIN, data, "list.xlsx", caption="/import")
    chairs = await invite_links(h)
    await accept_invite(h, CHAIR, code_of(chairs[SCHOOL]), first_name="Мария")
    await accept_invite(h, OTHER_CHAIR, code_of(chairs[HOSPITAL]), first_name="Пётр")
    staff = await invite_links(h, whom="сотрудник аппарата")
    await accept_invite(h, STAFF, code_of(staff[DISTRICT_A]), first_name="Светлана")
    await accept_invite(h, OTHER_STAFF, code_of(staff[DISTRICT_B]), first_name="Игорь")


async def file_event(h: Harness, user: int, topic: str, photos: int) -> int:
    """A seminar-meeting in a hall, filed through the chair's form; returns its number."""
    question = last_message(await h.send(user, "/event"))
    await h.tap(user, question, "Семинар-совещание")
    await h.send(user, topic)
    await h.send(user, "19–20.11.2026")
    await h.send(user, "Актовый зал школы № 1")
    question = last_message(await h.send(user, "114"))
    question = last_message(await h.tap(user, question, "Обучение"))
    for number in range(photos):
        question = last_message(await h.feed(h.server.photo(user, b"\xff\xd8\xff%d" % number)))
    question = last_message(await h.tap(user, question, "Готово" if photos else "Пропустить"))
    summary = last_message(await h.send(user, "Разобрали опыт & мотивации."))
    await h.tap(user, summary, "Отправить")
    async with h.session_pool() as session:
        stmt = select(Event.id).where(Event.topic == topic)
        return int((await session.scalars(stmt)).one())


def sent(replies: list[Request], method: str) -> list[Request]:
    return [r for r in replies if r.method == method]


async def test_staff_find_the_number_and_open_the_event_with_its_photos(harness: Harness) -> None:
    await setup(harness)
    album = await file_event(harness, CHAIR, TOPIC, photos=2)
    single = await file_event(harness, CHAIR, "Школа профкома", photos=1)
    bare = await file_event(harness, CHAIR, "Собрание без фото", photos=0)

    report = texts(await harness.send(STAFF, "/eventsreport 11.2026"))[0]
    assert f"(№ {album})" in report
    assert "Открыть мероприятие с фото: /showevent <номер>" in report
    _, data = harness.server.sent_files(STAFF)[-1]
    header, *rows = openpyxl.load_workbook(io.BytesIO(data))["Мероприятия"].iter_rows(
        values_only=True
    )
    assert header[-1] == "№"
    assert {row[-1]: row[5] for row in rows} == {
        album: TOPIC,
        single: "Школа профкома",
        bare: "Собрание без фото",
    }

    replies = await harness.send(STAFF, f"/showevent {album}")
    card = texts(replies)[0]
    for shown in (
        f"Мероприятие № {album}",
        f"{SCHOOL} ({DISTRICT_A})",
        "Вид: Семинар-совещание",
        f"Тема: {TOPIC}",
        "Дата: 19–20.11.2026",
        "Место: Актовый зал школы № 1",
        "Участников: 114",
        "Направление: Обучение",
        "Фото: 2",
        "Описание: Разобрали опыт & мотивации.",
    ):
        assert shown in card, shown
    [group] = sent(replies, "sendMediaGroup")
    assert len(group.params["media"]) == 2
    assert group.params["media"][0]["caption"] == t.photos_caption(album)
    assert len(harness.server.sent_files(STAFF)) == 3  # the report's .xlsx and two photos

    replies = await harness.send(STAFF, f"/showevent №{single}")
    assert len(sent(replies, "sendPhoto")) == 1 and not sent(replies, "sendMediaGroup")
    replies = await harness.send(STAFF, f"/showevent {bare}")
    assert f"Фото: {form_texts.SKIPPED}" in texts(replies)[0]
    assert [r.method for r in replies if r.method.startswith("send")] == ["sendMessage"]

    admin = await harness.send(ADMIN, f"/showevent {album}")
    assert f"Мероприятие № {album}" in texts(admin)[0] and sent(admin, "sendMediaGroup")


async def test_only_staff_of_the_events_scope_open_it(harness: Harness) -> None:
    await setup(harness)
    number = await file_event(harness, CHAIR, TOPIC, photos=2)
    foreign = await harness.send(OTHER_STAFF, f"/showevent {number}")
    assert texts(foreign) == [t.SHOW_FOREIGN]
    assert not sent(foreign, "sendMediaGroup")
    for chair in (CHAIR, OTHER_CHAIR):
        replies = await harness.send(chair, f"/showevent {number}")
        assert texts(replies) == [common.NOT_YOUR_COMMAND]
    assert texts(await harness.send(STAFF, "/showevent")) == [t.SHOW_USAGE]
    assert texts(await harness.send(STAFF, "/showevent двенадцать")) == [t.SHOW_USAGE]
    assert texts(await harness.send(STAFF, "/showevent 9999")) == [t.SHOW_NOT_FOUND]
    async with harness.session_pool() as session, session.begin():
        event: Any = await session.get(Event, number)
        event.deleted_at = harness.clock.now()
    assert texts(await harness.send(STAFF, f"/showevent {number}")) == [t.SHOW_NOT_FOUND]
