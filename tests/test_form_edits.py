"""Changing single fields of what was already sent: the passport, a returned report, an event.

Only the changed question is asked (and what it makes apply); what was skipped before stays
skipped, and «Отправить» with a required answer missing asks it instead of refusing.
"""

from __future__ import annotations

from sqlalchemy import select, update

from bot.texts import events as te
from bot.texts import forms as tf
from fakes.telegram_server import Request
from harness import Harness, last_message, texts
from scenarios import CHAIR, join
from storage.models import Event, FormDraft
from test_events_and_passport import events_in_db, file_event, to_photos
from test_staff_tools import STAFF, district_with_staff, drain


async def _fill_passport_skipping_optional(h: Harness) -> None:
    """The passport with its three required answers; every optional question skipped."""
    card = last_message(await h.send(CHAIR, "/passport"))
    question = last_message(await h.tap(CHAIR, card, "Заполнить"))
    question = last_message(await h.send(CHAIR, "МБОУ СОШ № 1"))
    question = last_message(await h.tap(CHAIR, question, "Пропустить"))  # address
    question = last_message(await h.send(CHAIR, "Иванова Мария Петровна"))
    while "Пропустить" in str(question.buttons()):
        question = last_message(await h.tap(CHAIR, question, "Пропустить"))
    assert "Проверьте и нажмите" in (question.plain_text or "")
    await h.tap(CHAIR, question, "Отправить")


async def test_changing_one_passport_field_returns_to_the_summary(harness: Harness) -> None:
    """A passport with its optional answers skipped, opened again to fix the chair's name:
    after the new name the summary comes back, with no skipped question asked again."""
    await join(harness)
    await _fill_passport_skipping_optional(harness)
    card = last_message(await harness.send(CHAIR, "/passport"))
    summary = last_message(await harness.tap(CHAIR, card, "Заполнить"))
    menu = last_message(await harness.tap(CHAIR, summary, "Исправить"))
    await harness.tap(CHAIR, menu, "Председатель")
    after = last_message(await harness.send(CHAIR, "Петрова Анна Ивановна"))
    text = after.plain_text or ""
    assert "Председатель ППО (ФИО): Петрова Анна Ивановна" in text, text


async def test_correcting_a_returned_report_asks_only_what_is_changed(harness: Harness) -> None:
    """A report whose youth, managers and movement questions were skipped comes back from
    the district; the chair changes «Членов профсоюза» as asked and is back at the summary of
    revision 2, not walked through every skipped question."""
    await district_with_staff(harness)
    await harness.send(CHAIR, "/report")
    await harness.send(CHAIR, "54")
    replies = await harness.send(CHAIR, "40")
    for _ in range(5):  # youth, managers, joined, left, retired: not known
        replies = await harness.tap(CHAIR, last_message(replies), "Пропустить")
    await harness.tap(CHAIR, last_message(replies), "Отправить")

    choice = last_message(await harness.send(STAFF, "/return сош"))
    card = last_message(await harness.tap(STAFF, choice, "МБОУ СОШ № 1"))
    await harness.tap(STAFF, card, "Вернуть")
    await harness.tap(
        STAFF, last_message(await harness.send(STAFF, "Проверьте число членов")), "Отправить"
    )
    notice = [r for r in await drain(harness) if r.chat_id == CHAIR and r.method == "sendMessage"]
    summary = last_message(await harness.tap(CHAIR, notice[-1], "Мониторинг"))
    menu = last_message(await harness.tap(CHAIR, summary, "Исправить поле"))
    await harness.tap(CHAIR, menu, "Членов профсоюза")
    after = last_message(await harness.send(CHAIR, "42"))
    text = after.plain_text or ""
    assert "Членов профсоюза: 42" in text and "редакция № 2" in text, text


async def test_an_event_corrected_to_online_asks_for_its_views(harness: Harness) -> None:
    """An event held in the hall was in fact online: changing «Место» to «Онлайн» in the
    correction asks for its views, as a new event does (the question did not apply before)."""
    await join(harness)
    await harness.tap(CHAIR, last_message(await file_event(harness)), "Отправить")
    listing = last_message(await harness.send(CHAIR, "/events"))
    card = last_message(await harness.tap(CHAIR, listing, "1."))
    summary = last_message(await harness.tap(CHAIR, card, "Исправить"))
    menu = last_message(await harness.tap(CHAIR, summary, "Исправить поле"))
    question = last_message(await harness.tap(CHAIR, menu, "Место"))
    after = last_message(await harness.tap(CHAIR, question, "Онлайн")).plain_text or ""
    assert "просмотров" in after.casefold() and "Исправление" not in after, after


async def test_a_stored_event_breaking_a_rule_is_not_sent_again_as_it_is(harness: Harness) -> None:
    """An event stored with 0 participants and no views (as a skipped «Просмотров онлайн»
    once let through) corrected for its topic: «Отправить» asks for the participants with
    the rule's reason, instead of storing the broken event again; a number fixes it."""
    await join(harness)
    summary = last_message(await file_event(harness, participants="7"))
    await harness.tap(CHAIR, summary, "Отправить")
    async with harness.session_pool() as session, session.begin():
        values = {"online": True, "place": None, "views": None, "participants": 0}
        await session.execute(update(Event).values(**values))
    listing = last_message(await harness.send(CHAIR, "/events"))
    card = last_message(await harness.tap(CHAIR, listing, "1."))
    summary = last_message(await harness.tap(CHAIR, card, "Исправить"))
    menu = last_message(await harness.tap(CHAIR, summary, tf.BTN_EDIT))
    await harness.tap(CHAIR, menu, te.L_TOPIC)
    summary = last_message(await harness.send(CHAIR, "Мотивация членства"))
    asked = last_message(await harness.tap(CHAIR, summary, "Отправить"))
    text = asked.plain_text or ""
    assert te.NOBODY_TOOK_PART in text and te.Q_PARTICIPANTS in text, text
    [event] = await events_in_db(harness)
    assert event.topic != "Мотивация членства"
    summary = last_message(await harness.send(CHAIR, "12"))
    await harness.tap(CHAIR, summary, "Отправить")
    [event] = await events_in_db(harness)
    assert (event.topic, event.participants) == ("Мотивация членства", 12)


async def test_send_with_a_required_answer_missing_says_what_is_missing(harness: Harness) -> None:
    """«Вид» changed to «Другое», its name left at «⬅️ К сводке»: «Отправить» under that
    summary says nothing was sent and asks the missing name, instead of «кнопка устарела»."""
    await join(harness)
    summary = last_message(await file_event(harness))
    menu = last_message(await harness.tap(CHAIR, summary, "Исправить поле"))
    question = last_message(await harness.tap(CHAIR, menu, "Вид"))
    other = last_message(await harness.tap(CHAIR, question, "Другое"))
    back = last_message(await harness.tap(CHAIR, other, "К сводке"))
    assert "Отправить" in str(back.buttons())
    replies = await harness.tap(CHAIR, back, "Отправить")
    toasts = [r.params.get("text") for r in replies if r.method == "answerCallbackQuery"]
    assert tf.STALE_BUTTON not in toasts, (toasts, texts(replies))
    asked = "\n".join(texts(replies))
    assert tf.STILL_MISSING in asked and "называется" in asked, asked


async def test_a_reply_to_an_earlier_question_is_not_taken_for_the_current_one(
    harness: Harness,
) -> None:
    """At «Сколько человек принято…?» the chair swipes to reply «42» to «Сколько из них членов
    профсоюза?»: the bot says it answers an earlier question and asks the current one again;
    nothing is stored (42 was taken for «Принято»). A reply to the current question counts."""
    await join(harness)
    await harness.send(CHAIR, "/report")
    await harness.send(CHAIR, "54")
    members_question = last_message(harness.server.requests)
    for value in ("40", "12", "8", "3", "2"):
        await harness.send(CHAIR, value)
    joined_question = last_message(harness.server.requests)
    assert "принято" in (joined_question.plain_text or "")
    replies = await harness.feed(
        harness.server.message(CHAIR, "42", reply_to_message_id=members_question.message_id)
    )
    [shown] = texts(replies)
    assert "прежний вопрос («Членов профсоюза»)" in shown and "принято" in shown, shown
    async with harness.session_pool() as session:
        draft = (await session.scalars(select(FormDraft))).one()
    assert draft.answers["members"] == 40 and "joined" not in draft.answers, draft.answers
    await harness.feed(
        harness.server.message(CHAIR, "5", reply_to_message_id=joined_question.message_id)
    )
    async with harness.session_pool() as session:
        draft = (await session.scalars(select(FormDraft))).one()
    assert draft.answers["joined"] == 5


async def _photos_question_of_corrected_event(harness: Harness) -> Request:
    """An event sent with two photos, opened to correct its «Фото»."""
    await join(harness)
    await harness.tap(CHAIR, last_message(await file_event(harness, photos=2)), "Отправить")
    listing = last_message(await harness.send(CHAIR, "/events"))
    card = last_message(await harness.tap(CHAIR, listing, "1."))
    summary = last_message(await harness.tap(CHAIR, card, "Исправить"))
    menu = last_message(await harness.tap(CHAIR, summary, "Исправить поле"))
    return last_message(await harness.tap(CHAIR, menu, "Фото"))


async def test_photos_asked_again_are_kept_unless_deleted_by_name(harness: Harness) -> None:
    """The photo question of a correction says how many photos are there; its buttons are
    «Готово» (keep them) and «Удалить фото», not a «Пропустить» that silently dropped them."""
    question = await _photos_question_of_corrected_event(harness)
    shown, buttons = question.plain_text or "", str(question.buttons())
    assert tf.photos_kept(2, 5) in shown, shown
    assert tf.BTN_DROP_PHOTOS in buttons and tf.BTN_SKIP not in buttons, buttons
    kept = last_message(await harness.tap(CHAIR, question, "Готово")).plain_text or ""
    assert "Фото: 2" in kept, kept
    menu = last_message(await harness.tap(CHAIR, last_message(harness.server.requests), "поле"))
    question = last_message(await harness.tap(CHAIR, menu, "Фото"))
    dropped = last_message(await harness.tap(CHAIR, question, "Удалить фото")).plain_text or ""
    assert "Фото: 2" not in dropped and "Фото" in dropped, dropped


async def test_a_video_at_the_photo_question_is_told_it_is_no_photo(harness: Harness) -> None:
    await join(harness)
    await to_photos(harness)
    video = {"file_id": "v1", "file_unique_id": "u1", "width": 640, "height": 480, "duration": 3}
    [shown] = texts(await harness.feed(harness.server.message(CHAIR, None, video=video)))
    assert shown.startswith(tf.PHOTO_NOT_VIDEO), shown


async def test_skipping_the_workers_question_shows_the_figure_kept(harness: Harness) -> None:
    """«Пропустить» at «Работников» while changing the passport keeps the ППО's figure (54,
    from the list), and the summary shows 54, not «—»."""
    await join(harness)
    await _fill_passport_skipping_optional(harness)
    card = last_message(await harness.send(CHAIR, "/passport"))
    summary = last_message(await harness.tap(CHAIR, card, "Заполнить"))
    menu = last_message(await harness.tap(CHAIR, summary, "Исправить"))
    question = last_message(await harness.tap(CHAIR, menu, "Работников"))
    after = last_message(await harness.tap(CHAIR, question, "Пропустить")).plain_text or ""
    assert "Работников: 54" in after, after


async def _mixed_event_summary(h: Harness) -> Request:
    """An event held in the hall and online (venue «Актовый зал», 6000 views), at its summary."""
    await join(h)
    question = last_message(await h.send(CHAIR, "/event"))
    await h.tap(CHAIR, question, "Вебинар")
    await h.send(CHAIR, "Цифровизация профсоюза")
    question = last_message(await h.send(CHAIR, "20.11.2026"))
    await h.tap(CHAIR, question, te.BTN_MIXED)
    await h.send(CHAIR, "Актовый зал")
    await h.send(CHAIR, "6000")
    question = last_message(await h.send(CHAIR, "133"))
    question = last_message(await h.tap(CHAIR, question, "Информационная"))
    question = last_message(await h.tap(CHAIR, question, "Пропустить"))
    return last_message(await h.tap(CHAIR, question, "Пропустить"))


async def _change_place(h: Harness, summary: Request, *, typed: str = "", tapped: str = "") -> list:
    menu = last_message(await h.tap(CHAIR, summary, tf.BTN_EDIT))
    question = last_message(await h.tap(CHAIR, menu, te.L_PLACE))
    return await (h.send(CHAIR, typed) if typed else h.tap(CHAIR, question, tapped))


async def test_a_question_shown_again_is_asked_again_with_its_old_answer_offered(
    harness: Harness,
) -> None:
    """The place changed from «Очно и онлайн» to a school hides the venue and the views; changed
    back, they are asked again (they may be stale), not shown at the summary unasked; each
    offers its old answer as one tap, after a restart too, and the summary has both again."""
    summary = await _mixed_event_summary(harness)
    hall = last_message(await _change_place(harness, summary, typed="Школа № 1"))
    shown = hall.plain_text or ""
    assert "Место: Школа № 1" in shown and "Актовый зал" not in shown, shown
    venue = last_message(await _change_place(harness, hall, tapped=te.BTN_MIXED))
    text, buttons = venue.plain_text or "", str(venue.buttons())
    assert te.Q_VENUE in text and tf.ASKED_AGAIN in text, text
    assert tf.btn_earlier("Актовый зал") in buttons, buttons
    views = last_message(await harness.tap(CHAIR, venue, "прежний ответ"))
    assert te.Q_VIEWS in (views.plain_text or ""), views.plain_text
    harness.restart()
    resumed = last_message(await harness.send(CHAIR, "/event"))
    assert tf.btn_earlier("6000") in str(resumed.buttons()), resumed.plain_text
    final = (last_message(await harness.tap(CHAIR, resumed, "прежний ответ")).plain_text) or ""
    assert "Место (очно): Актовый зал" in final and "Просмотров онлайн: 6000" in final, final


async def test_a_question_shown_again_takes_a_new_answer(harness: Harness) -> None:
    """The old answer is only offered: a typed one replaces it, and it is offered no more."""
    summary = await _mixed_event_summary(harness)
    hall = last_message(await _change_place(harness, summary, typed="Школа № 1"))
    await _change_place(harness, hall, tapped=te.BTN_MIXED)
    views = last_message(await harness.send(CHAIR, "Спортзал"))
    assert tf.btn_earlier("6000") in str(views.buttons())
    final = last_message(await harness.send(CHAIR, "7000")).plain_text or ""
    assert "Место (очно): Спортзал" in final and "Просмотров онлайн: 7000" in final, final
    async with harness.session_pool() as session:
        draft = (await session.scalars(select(FormDraft))).one()
    assert draft.context.get("earlier") == {}, draft.context
