"""Formatting an author may type that Telegram treats apart, through the dispatcher and the fake
Bot API server: each reaches the chairs as written, or is refused saying why and what to do.

A custom emoji (Telegram Premium's) in the text or the caption goes as the plain emoji it
stands for, in the preview too: a bot without a username bought on Fragment cannot send it,
and Telegram would show the plain one in its place without a word (the fake drops it and notes
the loss). A caption of 100 formatted pieces, the most the app sends, reaches
every chair whole. A spoiler and an expandable quote go as
they are; a caption of blanks is none, one of emoji only goes as written."""

from __future__ import annotations

from typing import Any

import pytest

from bot.texts import announcements as announce_texts
from fakes.telegram_server import Request, parse_html, utf16_len
from harness import Harness, last_message
from scenarios import CHAIR
from test_announcement_files import staff_joins, to_chat, up_to_the_file
from test_formatted_texts import entity, formatting, preview, shown_formatted
from test_staff_tools import STAFF, district_with_staff, drain, submit

PREMIUM = {"custom_emoji_id": "5368324170671202286"}


def premium(text: str, emoji: str) -> list[dict[str, Any]]:
    """A custom emoji over ``emoji`` in ``text``, as the app of a Premium user sends it."""
    offset = utf16_len(text[: text.index(emoji)])
    return [{"type": "custom_emoji", "offset": offset, "length": utf16_len(emoji), **PREMIUM}]


async def photo(h: Harness, caption: str, entities: list[dict[str, Any]]) -> Request:
    return last_message(
        await h.feed(h.server.photo(STAFF, b"poster", caption=caption, entities=entities))
    )


async def chairs_copies(h: Harness, summary: Request) -> list[Request]:
    await h.tap(STAFF, summary, "Отправить")
    return to_chat(await drain(h), CHAIR)


async def test_a_custom_emoji_in_the_text_goes_as_its_plain_emoji(harness: Harness) -> None:
    await staff_joins(harness)
    text = "Собрание в пятницу 👍 приходите"
    summary = await preview(harness, text, entities=premium(text, "👍"))
    assert "получателей: 1" in (summary.plain_text or "") and "tg-emoji" not in (summary.text or "")
    skipped = last_message(await harness.tap(STAFF, summary, "Пропустить"))
    sent = await chairs_copies(harness, skipped)
    assert [r.method for r in sent] == ["sendMessage"] and text in (sent[0].plain_text or "")
    assert "tg-emoji" not in str(sent[0].params["text"])
    assert harness.server.silently_dropped == []


async def test_a_custom_emoji_in_the_caption_goes_as_its_plain_emoji(harness: Harness) -> None:
    await staff_joins(harness)
    await up_to_the_file(harness)
    caption = "Афиша 🎉 конкурса"
    taken = await photo(harness, caption, premium(caption, "🎉"))
    assert f"{announce_texts.L_CAPTION}: {caption}" in (taken.plain_text or "")
    sent = await chairs_copies(harness, taken)
    assert [(r.method, r.ok) for r in sent] == [("sendMessage", True), ("sendPhoto", True)]
    assert (sent[1].plain_text or "").endswith(f"\n\n{caption}")
    assert "tg-emoji" not in str(sent[1].params["caption"])
    assert "has_spoiler" not in sent[1].params
    assert harness.server.silently_dropped == []


def bold_words(count: int) -> tuple[str, list[dict[str, Any]]]:
    """A caption of ``count`` words, each bold."""
    words = [f"с{n}" for n in range(count)]
    entities, offset = [], 0
    for word in words:
        entities.append({"type": "bold", "offset": offset, "length": utf16_len(word)})
        offset += utf16_len(word) + 1
    return " ".join(words), entities


async def test_a_caption_of_100_pieces_reaches_the_chairs_whole(harness: Harness) -> None:
    """The most a message from the app carries: the file's message adds no formatting to the
    caption, so every chair gets the 100 pieces; the preview, beside its title, shows the
    caption plain, saying so."""
    await staff_joins(harness)
    await up_to_the_file(harness)
    caption, entities = bold_words(100)
    taken = await photo(harness, caption, entities)
    assert "здесь без оформления" in (taken.plain_text or "")
    sent = await chairs_copies(harness, taken)
    assert [(r.method, r.ok) for r in sent] == [("sendMessage", True), ("sendPhoto", True)]
    assert len(shown_formatted(sent[1].params["caption"])) == 100
    assert harness.server.silently_dropped == []


@pytest.mark.parametrize(
    ("written", "shown"), [("  \n ", None), ("🎉🎉🎉", "🎉🎉🎉")], ids=["blanks", "emoji-only"]
)
async def test_a_caption_of_blanks_is_none_and_one_of_emoji_goes_as_written(
    harness: Harness, written: str, shown: str | None
) -> None:
    await staff_joins(harness)
    await up_to_the_file(harness)
    taken = await photo(harness, written, [])
    preview_shows = f"{announce_texts.L_CAPTION}: {shown}" in (taken.plain_text or "")
    assert preview_shows is (shown is not None)
    assert (announce_texts.L_CAPTION in (taken.plain_text or "")) is (shown is not None)
    sent = await chairs_copies(harness, taken)
    assert [(r.method, r.ok) for r in sent] == [("sendMessage", True), ("sendPhoto", True)]
    line = (sent[1].plain_text or "").split("\n\n")
    assert line[1:] == ([] if shown is None else [shown])


async def test_a_spoiler_and_an_expandable_quote_reach_the_chairs_as_typed(
    harness: Harness,
) -> None:
    text = "Пароль от зала: 1234\nПодробности встречи\nвторая строка"
    typed = [
        entity("spoiler", text, "1234"),
        entity("expandable_blockquote", text, "Подробности встречи\nвторая строка"),
    ]
    await staff_joins(harness)
    summary = await preview(harness, text, entities=typed)
    expected = {("spoiler", "1234", None), ("expandable_blockquote", typed_piece(text), None)}
    assert formatting(summary) >= expected
    skipped = last_message(await harness.tap(STAFF, summary, "Пропустить"))
    sent = await chairs_copies(harness, skipped)
    assert [r.method for r in sent] == ["sendMessage"]
    assert formatting(sent[0]) >= expected and (sent[0].plain_text or "").endswith(text)
    assert harness.server.silently_dropped == []


def typed_piece(text: str) -> str:
    return text[text.index("Подробности") :]


async def test_a_code_blocks_language_reaches_the_chairs(harness: Harness) -> None:
    """aiogram wrote the language as ``<code language="…">``, which Telegram ignores; it reads
    ``class="language-…"``. The block came to every chair without it."""
    text = "Пример запроса:\nSELECT 1"
    block = {**entity("pre", text, "SELECT 1"), "language": "sql"}
    await staff_joins(harness)
    summary = await preview(harness, text, entities=[block])
    skipped = last_message(await harness.tap(STAFF, summary, "Пропустить"))
    [sent] = await chairs_copies(harness, skipped)
    _, shown = parse_html(str(sent.params["text"]))
    assert [(e["type"], e.get("language")) for e in shown if e["type"] == "pre"] == [("pre", "sql")]


async def test_a_custom_emoji_in_a_return_comment_goes_as_its_plain_emoji(
    harness: Harness,
) -> None:
    """The comment of a report sent back is read by the same parser as an announcement."""
    await district_with_staff(harness)
    await submit(harness)
    choice = last_message(await harness.send(STAFF, "/return сош"))
    card = last_message(await harness.tap(STAFF, choice, "МБОУ СОШ № 1"))
    await harness.tap(STAFF, card, "Вернуть")
    comment = "Проверьте число членов ✅"
    summary = last_message(await harness.send(STAFF, comment, entities=premium(comment, "✅")))
    await harness.tap(STAFF, summary, "Отправить")
    [notice] = [r for r in await drain(harness) if r.chat_id == CHAIR]
    assert notice.ok and f"Комментарий: {comment}\n" in (notice.plain_text or "")
    assert harness.server.silently_dropped == []


async def test_a_photo_hidden_under_a_spoiler_reaches_the_chairs_hidden(harness: Harness) -> None:
    """A poster the author hid under a spoiler («Скрыть под спойлер») came to every chair open:
    its ``file_id`` was sent on without the spoiler. One not hidden goes open (above)."""
    await staff_joins(harness)
    await up_to_the_file(harness)
    update = harness.server.photo(STAFF, b"poster", caption="Афиша", spoiler=True)
    taken = last_message(await harness.feed(update))
    sent = await chairs_copies(harness, taken)
    assert [(r.method, r.ok) for r in sent] == [("sendMessage", True), ("sendPhoto", True)]
    assert sent[1].params.get("has_spoiler") is True


async def test_a_caption_put_above_the_photo_reaches_the_chairs_above_it(
    harness: Harness,
) -> None:
    """A poster whose author put the caption above it came to every chair with the caption
    below: the choice was not kept. Now the preview says so and the photo goes with it; a
    caption left below goes without the flag (above, the custom emoji's)."""
    await staff_joins(harness)
    await up_to_the_file(harness)
    update = harness.server.photo(STAFF, b"poster", caption="Афиша", caption_above=True)
    taken = last_message(await harness.feed(update))
    assert "Подпись к файлу (над фото): Афиша" in (taken.plain_text or "")
    sent = await chairs_copies(harness, taken)
    assert [(r.method, r.ok) for r in sent] == [("sendMessage", True), ("sendPhoto", True)]
    assert sent[1].params.get("show_caption_above_media") is True
    [delivered] = harness.server.chat_messages(CHAIR)[-1:]
    assert delivered["show_caption_above_media"] is True and delivered["caption"].endswith("Афиша")


AT = 1_800_000_000
"""A moment the date-time entities below stand for (15 January 2027, 08:00 UTC)."""


def date_time(text: str, piece: str, date_format: str | None) -> dict[str, Any]:
    """A date-time entity over ``piece`` of ``text`` (``date_format`` None: shown as typed),
    as the app sends it."""
    found = {**entity("date_time", text, piece), "unix_time": AT}
    return found if date_format is None else {**found, "date_time_format": date_format}


async def test_a_date_time_in_the_text_and_the_caption_reaches_the_chairs(
    harness: Harness,
) -> None:
    """A date the author wrote as Telegram's date-time (shown in each reader's own zone and
    words) goes to every chair as a date-time, in the text and in the file's caption, and
    the preview shows both: aiogram writes it ``<tg-time unix=… format=…>``, which Telegram
    takes (the fake refused it, so the announcement failed there while Telegram sends it)."""
    await staff_joins(harness)
    text = "Собрание 15 января в 11:00, приходите"
    summary = await preview(harness, text, entities=[date_time(text, "15 января в 11:00", "wDT")])
    assert f'<tg-time unix="{AT}" format="wDT">15 января в 11:00</tg-time>' in str(
        summary.params["text"]
    )
    caption = "Начало в 11:00"
    update = harness.server.photo(
        STAFF, b"poster", caption=caption, entities=[date_time(caption, "11:00", None)]
    )
    taken = last_message(await harness.feed(update))
    assert f'<tg-time unix="{AT}">11:00</tg-time>' in str(taken.params["text"])
    sent = await chairs_copies(harness, taken)
    assert [(r.method, r.ok) for r in sent] == [("sendMessage", True), ("sendPhoto", True)]
    [text_copy, photo_copy] = harness.server.chat_messages(CHAIR)[-2:]
    assert date_time(text_copy["text"], "15 января в 11:00", "wDT") in text_copy["entities"]
    assert date_time(photo_copy["caption"], "11:00", None) in photo_copy["caption_entities"]
    assert harness.server.silently_dropped == []
