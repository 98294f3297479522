"""An announcement with a file: a district specialist sends the chairs «Положение о конкурсе»
(a document) or a poster (a photo) with the text, through the dispatcher and the fake Bot API.

The file is asked under the preview (one document or one photo, or «Пропустить»); each chair
gets the text, then the file sent on by its ``file_id``; a chair who joins within two weeks
gets both; one in their night gets both when it ends; the delivery report names the file and
counts chairs, not messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.texts import announcements as announce_texts
from bot.texts import forms as form_texts
from fakes.telegram_server import Request
from harness import Harness, last_message
from scenarios import CHAIR, DISTRICT, accept_invite, code_of, invite_links, join
from test_staff_tools import SECOND_CHAIR, STAFF, district_with_staff, drain

PDF = b"%PDF-1.4 positions of the contest"
NAME = "Положение о конкурсе <2027> & итоги.pdf"  # escaped wherever it is shown
TEXT = "Конкурс «Лучший профсоюзный уголок»: положение во вложении"


async def staff_joins(h: Harness) -> None:
    """One chair connected (СОШ № 1) and the district's specialist."""
    await join(h)
    staff = (await invite_links(h, whom="сотрудник аппарата"))[DISTRICT]
    await accept_invite(h, STAFF, code_of(staff), first_name="Светлана")


async def up_to_the_file(h: Harness) -> Request:
    """/announce to every chair with ``TEXT``: the preview, asking for a file."""
    question = last_message(await h.send(STAFF, "/announce"))
    await h.tap(STAFF, question, "Всем председателям")
    return last_message(await h.send(STAFF, TEXT))


def to_chat(requests: list[Request], chat: int) -> list[Request]:
    return [r for r in requests if r.chat_id == chat and r.method.startswith("send")]


async def test_a_document_goes_to_every_chair_after_the_text_and_to_a_late_joiner(
    harness: Harness,
) -> None:
    await staff_joins(harness)
    preview = await up_to_the_file(harness)
    assert announce_texts.Q_ATTACHMENT.split("?")[0] in (preview.plain_text or "")
    assert "Пропустить" in str(preview.buttons())
    summary = last_message(await harness.upload(STAFF, PDF, NAME))
    shown = summary.plain_text or ""
    assert f"Приложен документ «{NAME}»" in shown and f"Файл: документ «{NAME}»" in shown
    assert "поставлено в очередь" in (
        last_message(await harness.tap(STAFF, summary, "Отправить")).plain_text or ""
    )

    sent = to_chat(await drain(harness), CHAIR)
    assert [r.method for r in sent] == ["sendMessage", "sendDocument"]
    assert TEXT in (sent[0].plain_text or "")
    assert str(sent[1].params["document"]).startswith("BQAC")  # by file_id, not uploaded again
    assert "К объявлению" in (sent[1].plain_text or "")
    assert harness.server.sent_files(CHAIR) == [(NAME, PDF)]

    links = await invite_links(harness)
    kindergarten = code_of(links["МБДОУ детский сад «Солнышко»"])
    await accept_invite(harness, SECOND_CHAIR, kindergarten, first_name="Ольга")
    late = to_chat(await drain(harness), SECOND_CHAIR)
    announced = [r for r in late if TEXT in (r.plain_text or "") or r.method == "sendDocument"]
    assert [r.method for r in announced] == ["sendMessage", "sendDocument"]
    assert "до того, как вы подключились" in (announced[0].plain_text or "")
    assert harness.server.sent_files(SECOND_CHAIR) == [(NAME, PDF)]

    report = [r.plain_text or "" for r in to_chat(await drain(harness), STAFF)]
    assert len(report) == 1
    assert "Доставлено: 2" in report[0] and f"С файлом: документ «{NAME}»" in report[0]
    assert to_chat(await drain(harness), CHAIR) == []  # each chair got it once


async def test_a_sticker_a_voice_and_a_second_file_are_explained_and_a_photo_goes(
    harness: Harness,
) -> None:
    await staff_joins(harness)
    await up_to_the_file(harness)
    sticker = {
        "file_id": "CAACFakeSticker",
        "file_unique_id": "AgADSticker",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    voice = {"file_id": "AwACFakeVoice", "file_unique_id": "AgADVoice", "duration": 3}
    for kind in ({"sticker": sticker}, {"voice": voice}):
        reply = last_message(await harness.feed(harness.server.message(STAFF, None, **kind)))
        assert form_texts.FILE_KINDS in (reply.plain_text or "")
        assert "Пропустить" in str(reply.buttons())
    typed = last_message(await harness.send(STAFF, "вот положение"))
    assert form_texts.FILE_EXPECTED in (typed.plain_text or "")

    taken = last_message(await harness.feed(harness.server.photo(STAFF, b"poster")))
    assert "Приложен фото" in (taken.plain_text or "")
    second = last_message(await harness.upload(STAFF, PDF, NAME))
    assert "только один файл: уже приложен фото, этот не взят" in (second.plain_text or "")
    assert "Файл: фото" in (second.plain_text or "")
    await harness.tap(STAFF, second, "Отправить")
    sent = to_chat(await drain(harness), CHAIR)
    assert [r.method for r in sent] == ["sendMessage", "sendPhoto"]
    assert str(sent[1].params["photo"]).startswith("AgAC")


async def test_skipped_the_announcement_goes_as_text_alone(harness: Harness) -> None:
    await district_with_staff(harness)
    preview = await up_to_the_file(harness)
    summary = last_message(await harness.tap(STAFF, preview, "Пропустить"))
    assert "Файл" not in (summary.plain_text or "").split(TEXT)[0]
    await harness.tap(STAFF, summary, "Отправить")
    sent = to_chat(await drain(harness), CHAIR)
    assert [r.method for r in sent] == ["sendMessage"]
    report = [r.plain_text or "" for r in to_chat(await drain(harness), STAFF)]
    assert "Доставлено: 2" in report[0] and "С файлом" not in report[0]


async def test_a_chair_in_their_night_gets_the_text_and_the_file_together_in_the_morning(
    harness: Harness,
) -> None:
    harness.clock.moment = datetime(2026, 11, 23, 19, 0, tzinfo=UTC)  # 22:00 in Moscow
    await staff_joins(harness)
    await up_to_the_file(harness)
    summary = last_message(await harness.upload(STAFF, PDF, NAME))
    await harness.tap(STAFF, summary, "Отправить")
    assert to_chat(await drain(harness), CHAIR) == []
    harness.clock.moment += timedelta(hours=11)  # 09:00 in Moscow
    sent = to_chat(await drain(harness), CHAIR)
    assert [r.method for r in sent] == ["sendMessage", "sendDocument"]


async def test_a_chair_who_got_the_text_but_not_the_file_is_not_counted_delivered(
    harness: Harness,
) -> None:
    await district_with_staff(harness)
    await up_to_the_file(harness)
    summary = last_message(await harness.upload(STAFF, PDF, NAME))
    harness.server.fail_next(
        "sendDocument", error_code=400, description="Bad Request: file is too big", chat_id=CHAIR
    )
    await harness.tap(STAFF, summary, "Отправить")
    await drain(harness)
    report = [r.plain_text or "" for r in to_chat(await drain(harness), STAFF)]
    assert "Доставлено: 1" in report[0]
    assert "Не доставлено из-за ошибки: 1" in report[0]
    assert "текст доставлен, файл нет" in report[0]


def delivered_to(requests: list[Request], chat: int) -> list[str]:
    """The calls that reached ``chat``, in order (a refused one left out)."""
    return [r.method for r in to_chat(requests, chat) if r.ok]


async def test_a_text_retried_after_a_server_error_still_comes_before_its_file(
    harness: Harness,
) -> None:
    """Telegram answers the text with a 502: it waits its backoff, and the file, a row of its
    own that was due as well, waits for it instead of reaching the chair first."""
    await staff_joins(harness)
    await up_to_the_file(harness)
    summary = last_message(await harness.upload(STAFF, PDF, NAME))
    harness.server.fail_next("sendMessage", error_code=502, chat_id=CHAIR)
    await harness.tap(STAFF, summary, "Отправить")
    first = await drain(harness)
    assert [r.method for r in to_chat(first, CHAIR)] == ["sendMessage"]  # refused, and no file
    assert [r.ok for r in to_chat(first, CHAIR)] == [False]
    harness.clock.moment += timedelta(minutes=5)  # past the backoff
    assert delivered_to(await drain(harness), CHAIR) == ["sendMessage", "sendDocument"]
    report = [r.plain_text or "" for r in to_chat(await drain(harness), STAFF)]
    assert len(report) == 1 and "Доставлено: 1" in report[0]


async def test_no_file_goes_to_a_chair_whose_text_did_not_and_the_report_says_why_once(
    harness: Harness,
) -> None:
    """The text to one chair is refused for good (Telegram says it is bad): the file is not
    sent after it, and the chair is counted once, with the text's reason, not the file's."""
    await district_with_staff(harness)
    await up_to_the_file(harness)
    summary = last_message(await harness.upload(STAFF, PDF, NAME))
    refused = "Bad Request: message is too long"
    harness.server.fail_next("sendMessage", error_code=400, description=refused, chat_id=CHAIR)
    await harness.tap(STAFF, summary, "Отправить")
    sent = await drain(harness)
    assert [r.method for r in to_chat(sent, CHAIR)] == ["sendMessage"]
    assert delivered_to(sent, SECOND_CHAIR) == ["sendMessage", "sendDocument"]
    assert harness.server.sent_files(CHAIR) == []
    report = [r.plain_text or "" for r in to_chat(await drain(harness), STAFF)]
    assert len(report) == 1
    assert "Доставлено: 1" in report[0] and "Не доставлено из-за ошибки: 1" in report[0]
    assert f"{refused} — 1" in report[0] and "текст доставлен" not in report[0]
    assert to_chat(await drain(harness), CHAIR) == []  # nor later


async def test_a_chair_who_blocked_the_bot_gets_neither_and_is_counted_unreachable(
    harness: Harness,
) -> None:
    await district_with_staff(harness)
    await up_to_the_file(harness)
    summary = last_message(await harness.upload(STAFF, PDF, NAME))
    harness.server.fail_next("sendMessage", error_code=403, chat_id=CHAIR)
    await harness.tap(STAFF, summary, "Отправить")
    assert [r.method for r in to_chat(await drain(harness), CHAIR)] == ["sendMessage"]
    report = [r.plain_text or "" for r in to_chat(await drain(harness), STAFF)]
    assert "Доставлено: 1" in report[0] and "Недоступны (1)" in report[0]
    assert "Не доставлено из-за ошибки" not in report[0]


async def test_the_file_replaced_at_the_summary_is_the_one_that_goes(harness: Harness) -> None:
    """A document attached, then a poster sent instead: the second is not taken, saying how;
    «Исправить поле» → «Файл» asks for it again, and the poster sent there replaces the
    document in the preview, and is what the chairs get."""
    await staff_joins(harness)
    await up_to_the_file(harness)
    summary = last_message(await harness.upload(STAFF, PDF, NAME))
    refused = last_message(await harness.feed(harness.server.photo(STAFF, b"poster")))
    assert "этот не взят" in (refused.plain_text or "")
    assert f"Файл: документ «{NAME}»" in (refused.plain_text or "")
    menu = last_message(await harness.tap(STAFF, refused, form_texts.BTN_EDIT))
    asked = last_message(await harness.tap(STAFF, menu, announce_texts.L_ATTACHMENT))
    assert announce_texts.Q_ATTACHMENT.split("?")[0] in (asked.plain_text or "")
    summary = last_message(await harness.feed(harness.server.photo(STAFF, b"poster")))
    shown = summary.plain_text or ""
    assert "Приложен фото" in shown and "Файл: фото" in shown and NAME not in shown
    assert "Отправить" in str(summary.buttons())
    await harness.tap(STAFF, summary, "Отправить")
    assert delivered_to(await drain(harness), CHAIR) == ["sendMessage", "sendPhoto"]
    report = [r.plain_text or "" for r in to_chat(await drain(harness), STAFF)]
    assert "С файлом: фото" in report[0] and NAME not in report[0]


async def test_a_file_sent_at_the_summary_after_skipping_it_is_attached(
    harness: Harness,
) -> None:
    """«Пропустить» at the file, then the document sent after all: it is attached (before, it
    was refused with «ответьте текстом», a question nobody was asking)."""
    await staff_joins(harness)
    preview = await up_to_the_file(harness)
    await harness.tap(STAFF, preview, "Пропустить")
    summary = last_message(await harness.upload(STAFF, PDF, NAME))
    shown = summary.plain_text or ""
    assert f"Приложен документ «{NAME}»" in shown and f"Файл: документ «{NAME}»" in shown
    await harness.tap(STAFF, summary, "Отправить")
    assert delivered_to(await drain(harness), CHAIR) == ["sendMessage", "sendDocument"]


CAPTION = "Заявки — до 1 марта <включительно> & по форме из приложения"


async def test_the_authors_caption_goes_with_the_file_and_shows_in_the_preview(
    harness: Harness,
) -> None:
    """The caption written on the file is not dropped: the preview shows it, and each chair
    gets it under the file, after the line naming the announcement (escaped: the fake server
    parses the caption as Telegram does and would refuse a bare «<»)."""
    await staff_joins(harness)
    await up_to_the_file(harness)
    summary = last_message(await harness.upload(STAFF, PDF, NAME, caption=f"  {CAPTION}\n"))
    assert f"{announce_texts.L_CAPTION}: {CAPTION}" in (summary.plain_text or "")
    await harness.tap(STAFF, summary, "Отправить")
    sent = to_chat(await drain(harness), CHAIR)
    assert [r.method for r in sent] == ["sendMessage", "sendDocument"] and sent[1].ok
    assert (sent[1].plain_text or "").endswith(f"\n\n{CAPTION}")
    assert "К объявлению" in (sent[1].plain_text or "") and CAPTION not in (
        sent[0].plain_text or ""
    )
