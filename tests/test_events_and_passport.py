"""Chairs report events and keep the passport current; a handover keeps history with the ППО."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.rendering.xlsx import build_table_xlsx
from bot.texts import events as te
from bot.texts import forms as tf
from fakes.telegram_server import Request
from harness import ADMIN, Harness, last_message, texts
from scenarios import (
    CHAIR,
    DISTRICT,
    FULL,
    HEADERS,
    accept_invite,
    answer_all,
    code_of,
    invite_links,
    join,
    setup_district,
)
from storage.models import AuditEntry, Event, FormDraft, Organization, Passport

NEW_CHAIR = 601
SCHOOL = "МБОУ СОШ № 1"


async def file_event(h: Harness, *, photos: int = 0, participants: str = "114") -> list:
    question = last_message(await h.send(CHAIR, "/event"))
    question = last_message(await h.tap(CHAIR, question, "Семинар-совещание"))
    assert "Тема" in (question.plain_text or "")
    await h.send(CHAIR, "Мотивация профсоюзного членства")
    question = last_message(await h.send(CHAIR, "19–20.11.2026"))
    await h.send(CHAIR, "Актовый зал школы № 1")
    question = last_message(await h.send(CHAIR, participants))
    question = last_message(await h.tap(CHAIR, question, "Обучение"))
    for number in range(photos):
        replies = await h.feed(h.server.photo(CHAIR, b"\xff\xd8\xff\xe0photo%d" % number))
        question = last_message(replies)
    if photos:
        question = last_message(await h.tap(CHAIR, question, "Готово"))
    else:
        question = last_message(await h.tap(CHAIR, question, "Пропустить"))
    return await h.send(CHAIR, "Разобрали опыт мотивации.")


async def events_in_db(h: Harness) -> list[Event]:
    async with h.session_pool() as session:
        return list((await session.scalars(select(Event).order_by(Event.id))).all())


async def test_event_with_photos_is_stored_once(harness: Harness) -> None:
    await join(harness)
    summary = last_message(await file_event(harness, photos=2))
    text = summary.plain_text or ""
    assert "Вид: Семинар-совещание" in text and "Дата: 19–20.11.2026" in text
    assert "Фото: 2" in text and "Участников: 114" in text
    await harness.tap(CHAIR, summary, "Отправить")
    await harness.tap(CHAIR, summary, "Отправить")
    stored = await events_in_db(harness)
    assert len(stored) == 1
    event = stored[0]
    assert (event.kind, event.participants, event.direction, event.online) == (
        "meeting_seminar",
        114,
        "education",
        False,
    )
    assert len(event.photos) == 2 and event.place == "Актовый зал школы № 1"


async def to_photos(h: Harness, user: int = CHAIR) -> None:
    question = last_message(await h.send(user, "/event"))
    await h.tap(user, question, "Семинар-совещание")
    for answer in ("Охрана труда", "19.11.2026", "Актовый зал"):
        question = last_message(await h.send(user, answer))
    await h.tap(user, last_message(await h.send(user, "30")), "Обучение")


async def test_a_picture_sent_as_a_file_is_asked_as_a_photo(harness: Harness) -> None:
    await join(harness)
    await to_photos(harness)
    replies = texts(await harness.upload(CHAIR, b"\xff\xd8\xff\xe0jpeg", "IMG_0001.jpg"))
    assert replies[0].startswith(tf.PHOTO_AS_FILE)


async def test_an_admin_who_chairs_sending_a_picture_as_a_file_is_asked_for_a_photo(
    harness: Harness,
) -> None:
    """An admin is also a chair: a file sent at the photo question is the form's (the photo
    hint), not a list to /import; a file captioned /import still is one."""
    await join(harness, user=ADMIN)
    await to_photos(harness, ADMIN)
    replies = texts(await harness.upload(ADMIN, b"\xff\xd8\xff\xe0jpeg", "IMG_0001.jpg"))
    assert replies[0].startswith(tf.PHOTO_AS_FILE), replies
    replies = texts(await harness.upload(ADMIN, b"not a workbook", "list.xlsx", caption="/import"))
    assert "Excel" in replies[0], replies


async def test_photos_past_the_limit_are_said_to_be_dropped(harness: Harness) -> None:
    await join(harness)
    await to_photos(harness)
    for number in range(6):  # an album of six; the question takes five
        replies = texts(await harness.feed(harness.server.photo(CHAIR, b"photo%d" % number)))
    assert replies[0].startswith(tf.photos_over(5))
    assert len((await events_in_db(harness)) or []) == 0
    async with harness.session_pool() as session:
        draft = (await session.scalars(select(FormDraft))).one()
    assert len(draft.answers["photos"]) == 5


async def test_online_event_asks_for_views(harness: Harness) -> None:
    await join(harness)
    question = last_message(await harness.send(CHAIR, "/event"))
    await harness.tap(CHAIR, question, "Вебинар")
    await harness.send(CHAIR, "Цифровизация профсоюза")
    question = last_message(
        await harness.tap(CHAIR, last_message(harness.server.requests), "Вчера")
    )
    views_q = last_message(await harness.tap(CHAIR, question, "Онлайн"))
    assert "просмотров" in (views_q.plain_text or "")
    await harness.send(CHAIR, "6000")
    question = last_message(await harness.send(CHAIR, "133"))
    question = last_message(await harness.tap(CHAIR, question, "Информационная"))
    question = last_message(await harness.tap(CHAIR, question, "Пропустить"))
    summary = last_message(await harness.tap(CHAIR, question, "Пропустить"))
    assert "Место: Онлайн" in (summary.plain_text or "")
    assert "Просмотров онлайн: 6000" in (summary.plain_text or "")
    await harness.tap(CHAIR, summary, "Отправить")
    event = (await events_in_db(harness))[0]
    assert event.online and event.views == 6000 and event.date_from.isoformat() == "2026-11-20"


async def _a_stream_watched_250_times_at_its_summary(harness: Harness) -> Request:
    """A chair files a webinar held online yesterday: 250 views, 0 participants; its summary."""
    await join(harness)
    question = last_message(await harness.send(CHAIR, "/event"))
    await harness.tap(CHAIR, question, "Вебинар")
    await harness.send(CHAIR, "Трансляция отчётного собрания")
    question = last_message(
        await harness.tap(CHAIR, last_message(harness.server.requests), "Вчера")
    )
    await harness.tap(CHAIR, question, "Онлайн")
    await harness.send(CHAIR, "250")
    question = last_message(await harness.send(CHAIR, "0"))
    question = last_message(await harness.tap(CHAIR, question, "Информационная"))
    question = last_message(await harness.tap(CHAIR, question, "Пропустить"))
    return last_message(await harness.tap(CHAIR, question, "Пропустить"))


async def test_a_stream_only_watched_is_filed_with_its_views_and_nobody_taking_part(
    harness: Harness,
) -> None:
    """A broadcast watched 250 times that nobody joined with feedback: 0 participants is
    taken (before, «не меньше 1» made chairs type the views again as people)."""
    summary = await _a_stream_watched_250_times_at_its_summary(harness)
    assert "Участников: 0" in (summary.plain_text or "")
    await harness.tap(CHAIR, summary, "Отправить")
    [event] = await events_in_db(harness)
    assert (event.online, event.views, event.participants) == (True, 250, 0)


async def test_skipping_the_views_of_a_stream_nobody_joined_is_refused(harness: Harness) -> None:
    """0 participants stand only for a stream watched: at the summary, «Пропустить» at
    «Просмотров онлайн» is refused with why, and «Отправить» stores the views kept (before,
    the skip went through and the event was stored with nobody and nothing)."""
    summary = await _a_stream_watched_250_times_at_its_summary(harness)
    menu = last_message(await harness.tap(CHAIR, summary, tf.BTN_EDIT))
    question = last_message(await harness.tap(CHAIR, menu, te.L_VIEWS))
    refused = last_message(await harness.tap(CHAIR, question, tf.BTN_SKIP))
    assert te.NOBODY_TOOK_PART in (refused.plain_text or ""), refused.plain_text
    summary = last_message(await harness.tap(CHAIR, refused, tf.BTN_TO_SUMMARY))
    assert f"{te.L_VIEWS}: 250" in (summary.plain_text or ""), summary.plain_text
    await harness.tap(CHAIR, summary, "Отправить")
    [event] = await events_in_db(harness)
    assert (event.views, event.participants) == (250, 0)


async def test_future_date_needs_explicit_confirmation(harness: Harness) -> None:
    await join(harness)
    question = last_message(await harness.send(CHAIR, "/event"))
    await harness.tap(CHAIR, question, "Собрание")
    await harness.send(CHAIR, "Отчётное собрание")
    await harness.send(CHAIR, "15.12.2026")
    await harness.send(CHAIR, "Учительская")
    question = last_message(await harness.send(CHAIR, "30"))
    question = last_message(await harness.tap(CHAIR, question, "Другое"))
    question = last_message(await harness.tap(CHAIR, question, "Пропустить"))
    summary = last_message(await harness.tap(CHAIR, question, "Пропустить"))
    assert "ещё не наступила" in (summary.plain_text or "")
    assert any("Подтверждаю" in label for label, _ in summary.buttons())


async def test_events_list_totals_correct_and_delete(harness: Harness) -> None:
    await join(harness)
    await harness.tap(CHAIR, last_message(await file_event(harness)), "Отправить")
    await harness.tap(
        CHAIR, last_message(await file_event(harness, participants="20")), "Отправить"
    )
    replies = await harness.send(CHAIR, "/events")
    listing = "\n".join(texts(replies))
    assert "Всего: 2, участников: 134" in listing
    assert "Обучение: 2 (участников: 134)" in listing

    card = last_message(await harness.tap(CHAIR, last_message(replies), "1."))
    summary = last_message(await harness.tap(CHAIR, card, "Исправить"))
    assert "Исправление мероприятия" in (summary.plain_text or "")
    menu = last_message(await harness.tap(CHAIR, summary, "Исправить поле"))
    field = last_message(await harness.tap(CHAIR, menu, "Участников"))
    assert field.plain_text == "Сколько человек участвовало?"
    summary = last_message(await harness.send(CHAIR, "111"))
    assert "Участников: 111" in (summary.plain_text or "")
    assert "исправлено" in texts(await harness.tap(CHAIR, summary, "Отправить"))[0]

    stored = await events_in_db(harness)
    assert sorted(e.participants for e in stored) == [111, 114]  # the newest (20) corrected

    replies = await harness.send(CHAIR, "/events")
    card = last_message(await harness.tap(CHAIR, last_message(replies), "2."))
    confirm = last_message(await harness.tap(CHAIR, card, "Удалить"))
    assert "Запись сохранится" in (confirm.plain_text or "")
    assert "удалено" in texts(await harness.tap(CHAIR, confirm, "Да, удалить"))[0]
    listing = "\n".join(texts(await harness.send(CHAIR, "/events")))
    assert "Всего: 1" in listing
    async with harness.session_pool() as session:
        kept = (await session.scalars(select(Event).where(Event.deleted_at.is_not(None)))).all()
        actions = (await session.scalars(select(AuditEntry.action))).all()
    assert len(kept) == 1
    assert {"event.create", "event.update", "event.delete"} <= set(actions)


async def test_passport_edit_and_workers_shared_with_reports(harness: Harness) -> None:
    await join(harness)
    card = last_message(await harness.send(CHAIR, "/passport"))
    assert "Паспорт ещё не заполнен" in (card.plain_text or "")
    assert "Работников: 54" in (card.plain_text or "")
    question = last_message(await harness.tap(CHAIR, card, "Заполнить"))
    assert "наименование" in (question.plain_text or "")
    await harness.send(CHAIR, "Муниципальное бюджетное общеобразовательное учреждение СОШ № 1")
    await harness.send(CHAIR, "ул. Ленина, 1")
    await harness.send(CHAIR, "Иванова Мария Петровна")
    reply = last_message(await harness.send(CHAIR, "12345")).plain_text or ""
    assert "номер телефона" in reply
    await harness.send(CHAIR, "+7 900 123-45-67")
    await harness.send(CHAIR, "60")
    question = last_message(await harness.send(CHAIR, "да"))
    assert "До какой даты" in (question.plain_text or "")
    await harness.send(CHAIR, "31.12.2027")
    question = last_message(await harness.send(CHAIR, "нет"))
    reply = last_message(await harness.send(CHAIR, "наш сайт")).plain_text or ""
    assert "не похоже на ссылку" in reply
    await harness.send(CHAIR, "school1.ru/profsoyuz")
    question = last_message(
        await harness.tap(CHAIR, last_message(harness.server.requests), "Пропустить")
    )
    question = last_message(await harness.tap(CHAIR, question, "Да"))
    question = last_message(await harness.tap(CHAIR, question, "Да"))
    question = last_message(await harness.send(CHAIR, "Петров Пётр Петрович"))
    assert "публичный отчёт" in (question.plain_text or "")
    reply = last_message(await harness.send(CHAIR, "01.12.2026")).plain_text or ""
    assert "ещё не наступила" in reply  # a public report not given yet: asked again
    question = last_message(await harness.send(CHAIR, "15.03.2026"))
    assert "АИС «Единый реестр»" in (question.plain_text or "")
    summary = last_message(await harness.tap(CHAIR, question, "Да"))
    assert "https://school1.ru/profsoyuz" in (summary.plain_text or "")
    assert "✅ Паспорт сохранён" in texts(await harness.tap(CHAIR, summary, "Отправить"))[0]

    async with harness.session_pool() as session:
        org = (
            await session.scalars(select(Organization).where(Organization.name == "МБОУ СОШ № 1"))
        ).one()
        passport = await session.get(Passport, org.id)
        entry = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "passport.update"))
        ).one()
    assert org.workers == 60 and passport is not None and passport.agreement_until.year == 2027
    assert entry.before["workers"] == 54 and entry.after["workers"] == 60
    assert "chair_phone" in entry.after

    question = last_message(await harness.send(CHAIR, "/report"))
    assert "60 (как в прошлый раз)" in str(question.buttons())
    summary = last_message(await answer_all(harness, ["70", "50", *FULL[2:]]))
    await harness.tap(CHAIR, summary, "Отправить")
    card = last_message(await harness.send(CHAIR, "/passport"))
    assert "Работников: 70" in (card.plain_text or "")
    assert "Изменён" in (card.plain_text or "")


async def test_handover_keeps_history_and_refuses_the_old_chair(harness: Harness) -> None:
    await join(harness)
    await harness.tap(CHAIR, last_message(await answer_all(harness, FULL)), "Отправить")
    await harness.tap(CHAIR, last_message(await file_event(harness)), "Отправить")
    half_done = await harness.send(CHAIR, "/report")

    async with harness.session_pool() as session:
        org_id = (
            await session.scalars(
                select(Organization.id).where(Organization.name == "МБОУ СОШ № 1")
            )
        ).one()
    reply = texts(await harness.send(ADMIN, f"/invite {org_id}"))[0]
    code = reply.split("?start=", 1)[1].split()[0]
    replies = await accept_invite(harness, NEW_CHAIR, code, first_name="Ольга")
    told = [r for r in replies if r.method == "sendMessage" and r.chat_id == CHAIR]
    assert told and "Доступ к отчётам этой организации для вас закрыт" in (told[0].plain_text or "")
    admin_note = [r for r in replies if r.method == "sendMessage" and r.chat_id == ADMIN]
    assert admin_note and "Мария → Ольга" in (admin_note[0].plain_text or "")

    history = texts(await harness.send(NEW_CHAIR, "/history"))[0]
    assert "74,1 %" in history
    assert "Всего: 1" in "\n".join(texts(await harness.send(NEW_CHAIR, "/events")))

    assert "ссылку-приглашение" in texts(await harness.send(CHAIR, "/history"))[0]
    assert half_done
    refused = texts(await harness.send(CHAIR, "40"))
    assert refused == ["У вас больше нет прав на эту форму (роль изменилась). Форма закрыта."]
    assert "ссылку-приглашение" in texts(await harness.send(CHAIR, "41"))[0]
    tree = "\n".join(texts(await harness.send(ADMIN, "/orgs")))
    assert "МБОУ СОШ № 1 — Ольга" in tree


async def test_new_chair_via_second_ppo_invite(harness: Harness) -> None:
    await setup_district(harness)
    links = await invite_links(harness)
    await accept_invite(harness, CHAIR, code_of(links["МБОУ СОШ № 1"]))
    assert "МБОУ СОШ № 1" not in await invite_links(harness)


async def test_a_passport_of_emoji_still_fits_one_message(harness: Harness) -> None:
    """Every answer at its bound in characters, in emoji (two units each to Telegram): the
    summary and the card cut the values to fit, and say so; the answers are stored whole."""
    await join(harness)
    card = last_message(await harness.send(CHAIR, "/passport"))
    question = last_message(await harness.tap(CHAIR, card, "Заполнить"))
    for answer in ("🏫" * 490, "📍" * 490, "👩" * 195, "+7 900 123-45-67", "54"):
        question = last_message(await harness.send(CHAIR, answer))
    question = last_message(await harness.tap(CHAIR, question, "Нет"))
    question = last_message(await harness.tap(CHAIR, question, "Нет"))
    question = last_message(await harness.send(CHAIR, "vk.com/" + "🙂" * 480))
    question = last_message(await harness.send(CHAIR, "vk.com/" + "🙃" * 480))
    question = last_message(await harness.tap(CHAIR, question, "Нет"))
    question = last_message(await harness.tap(CHAIR, question, "Нет"))
    question = last_message(await harness.send(CHAIR, "👨" * 195))
    question = last_message(await harness.tap(CHAIR, question, "Пропустить"))  # public report
    summary = last_message(await harness.tap(CHAIR, question, "Пропустить"))  # the register
    assert summary.ok and "сокращено" in (summary.plain_text or "")
    await harness.tap(CHAIR, summary, "Отправить")
    shown = last_message(await harness.send(CHAIR, "/passport"))
    assert shown.ok and "сокращено" in (shown.plain_text or "")
    async with harness.session_pool() as session:
        stored = (await session.scalars(select(Passport))).one()
    assert stored.institution == "🏫" * 490


async def test_a_year_typed_wrong_is_asked_again_at_the_date_question(harness: Harness) -> None:
    """«19.11.1926» (a typo for 2026) used to pass with the «больше года назад» warning and
    be stored where /events could never open it; «01.12.9999–02.12.9999» crashed the form.
    Both are refused naming the year, and the date is asked again."""
    await join(harness)
    question = last_message(await harness.send(CHAIR, "/event"))
    await harness.tap(CHAIR, question, "Семинар")
    await harness.send(CHAIR, "Охрана труда в школе")
    for typed, year in (("19.11.1926", "1926"), ("01.12.9999–02.12.9999", "9999")):
        [answer] = texts(await harness.send(CHAIR, typed))
        assert f"Проверьте год: {year}" in answer, answer
    assert "Где проходило" in texts(await harness.send(CHAIR, "19.11.2026"))[0]


async def test_next_years_event_filed_in_december_can_be_opened(harness: Harness) -> None:
    """On 20 December a chair files a school of activists held 15–16 January, confirming the
    «ещё не наступила» warning. /events 2027 used to be refused («Напишите год…») until
    January: the event could be neither seen, corrected nor deleted. The saved message says
    where it is."""
    await join(harness)
    harness.clock.moment = datetime(2026, 12, 20, 9, 0, tzinfo=UTC)
    question = last_message(await harness.send(CHAIR, "/event"))
    await harness.tap(CHAIR, question, "Школа профактива")
    await harness.send(CHAIR, "Школа молодого председателя")
    await harness.send(CHAIR, "15–16.01.2027")
    await harness.send(CHAIR, "Актовый зал")
    question = last_message(await harness.send(CHAIR, "25"))
    question = last_message(await harness.tap(CHAIR, question, "Обучение"))
    await harness.tap(CHAIR, question, "Пропустить")
    summary = last_message(await harness.send(CHAIR, "Два дня занятий."))
    [saved] = texts(await harness.tap(CHAIR, summary, "Подтверждаю"))
    assert "/events 2027" in saved, saved
    listing = last_message(await harness.send(CHAIR, "/events 2027"))
    card = last_message(await harness.tap(CHAIR, listing, "1."))
    assert "Школа молодого председателя" in (card.plain_text or "")


async def test_last_years_events_can_be_opened_and_corrected_in_january(harness: Harness) -> None:
    """In January, when the district counts the year, a November seminar turns out to have
    had 111 participants, not 114. /events shows this year's (none yet) and points to
    /events 2026, whose list opens the seminar for correcting; a year no event may be in or not
    a year is explained."""
    await join(harness)
    await harness.tap(CHAIR, last_message(await file_event(harness)), "Отправить")
    harness.clock.moment = datetime(2027, 1, 12, 9, 0, tzinfo=UTC)
    [empty] = texts(await harness.send(CHAIR, "/events"))
    assert "/events 2026" in empty, empty
    listing = last_message(await harness.send(CHAIR, "/events 2026"))
    card = last_message(await harness.tap(CHAIR, listing, "1."))
    assert "Мотивация" in (card.plain_text or "")
    summary = last_message(await harness.tap(CHAIR, card, "Исправить"))
    menu = last_message(await harness.tap(CHAIR, summary, "Исправить поле"))
    await harness.tap(CHAIR, menu, "Участников")
    await harness.tap(CHAIR, last_message(await harness.send(CHAIR, "111")), "Отправить")
    [event] = await events_in_db(harness)
    assert event.participants == 111
    for wrong in ("/events 2029", "/events 1999", "/events 20²6", "/events прошлый"):
        [usage] = texts(await harness.send(CHAIR, wrong))
        assert "/events 2026" in usage and "Без года" in usage, usage


async def _fill_passport(h: Harness) -> None:
    card = last_message(await h.send(CHAIR, "/passport"))
    await h.tap(CHAIR, card, "Заполнить")
    for answer in ("МБОУ СОШ № 1", "ул. Ленина, 1", "Иванова Мария Петровна", "+7 900 123-45-67"):
        await h.send(CHAIR, answer)
    await h.send(CHAIR, "60")
    await h.send(CHAIR, "нет")  # no agreement
    for _ in range(8):  # youth council .. the members' register: all skipped
        await h.tap(CHAIR, last_message(h.server.requests), "Пропустить")
    summary = last_message(h.server.requests)
    assert "✅ Паспорт сохранён" in texts(await h.tap(CHAIR, summary, "Отправить"))[0]


async def test_a_passport_change_keeps_what_changed_meanwhile(harness: Harness) -> None:
    """The chair opens the passport to change the phone and leaves it at the summary; the
    admin's new list sets the workers to 80 meanwhile. Changing only the phone keeps the 80,
    and the audit names the phone alone as the chair's change."""
    await join(harness)
    await _fill_passport(harness)
    card = last_message(await harness.send(CHAIR, "/passport"))
    summary = last_message(await harness.tap(CHAIR, card, "Заполнить"))
    new_list = build_table_xlsx("ППО", HEADERS, [(DISTRICT, SCHOOL, 80, "Иванова Мария Петровна")])
    await harness.upload(ADMIN, new_list, "list.xlsx", caption="/import")

    menu = last_message(await harness.tap(CHAIR, summary, "Исправить поле"))
    await harness.tap(CHAIR, menu, "Телефон")
    summary = last_message(await harness.send(CHAIR, "8 900 765-43-21"))
    await harness.tap(CHAIR, summary, "Отправить")

    async with harness.session_pool() as session:
        org = (await session.scalars(select(Organization).where(Organization.name == SCHOOL))).one()
        passport = await session.get(Passport, org.id)
        change = (
            await session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "passport.update")
                .order_by(AuditEntry.id.desc())
            )
        ).first()
    assert passport is not None and passport.chair_phone == "+79007654321"
    assert org.workers == 80
    assert change is not None and set(change.after) == {"chair_phone"}
