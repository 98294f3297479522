"""The caption an author writes on an announcement's file: its formatting reaches the chairs
as the text's does, and its bound is what Telegram leaves beside the line naming the
announcement, counted as Telegram counts (the text read, in UTF-16 units), through the
dispatcher and the fake Bot API server, which parses the caption as Telegram does and refuses
one over 1024."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from bot.domain.announcements import ANNOUNCEMENT
from bot.forms.attachment import Attachment
from bot.forms.engine import InvalidAnswer
from bot.texts import announcements as announce_texts
from bot.texts.markup import as_html
from fakes.telegram_server import MAX_CAPTION_LENGTH, parse_html, utf16_len
from harness import Harness, last_message
from scenarios import CHAIR, DISTRICT
from storage.models import Organization
from test_announcement_files import NAME, PDF, TEXT, staff_joins, to_chat, up_to_the_file
from test_formatted_texts import entity, shown_formatted
from test_staff_tools import STAFF, drain

URL = "https://profsoyuz.example/contest?year=2027&copy=1"
CAPTION = "Заявки <до 1 марта> & по форме: положение здесь"
FORMATTING = {
    ("bold", "Заявки", None),
    ("italic", "<до 1 марта>", None),
    ("text_link", "положение здесь", URL),
}


async def test_the_captions_formatting_reaches_every_chair_under_our_line(
    harness: Harness,
) -> None:
    """Bold, italic and a hidden link (its address holding «&copy=1») written on the file
    come to the chair as written, the line naming the announcement plain above them; the
    preview shows them too."""
    await staff_joins(harness)
    await up_to_the_file(harness)
    entities = [entity(kind, CAPTION, piece, url) for kind, piece, url in FORMATTING]
    summary = last_message(await harness.upload(STAFF, PDF, NAME, CAPTION, entities=entities))
    assert f"{announce_texts.L_CAPTION}: {CAPTION}" in (summary.plain_text or "")
    assert shown_formatted(summary.params["text"]) >= FORMATTING
    await harness.tap(STAFF, summary, "Отправить")
    sent = to_chat(await drain(harness), CHAIR)
    assert [(r.method, r.ok) for r in sent] == [("sendMessage", True), ("sendDocument", True)]
    assert sent[1].plain_text == f"📎 К объявлению — {DISTRICT}\n\n{CAPTION}"
    assert shown_formatted(sent[1].params["caption"]) == FORMATTING


LONG_SCOPE = "Объединённая 🏫 территориальная организация профсоюза " * 4
"""A scope with a long name, two of whose characters Telegram counts twice each (🏫)."""


def room_under(scope: str) -> int:
    """What Telegram leaves of its 1024 for the author's caption under our line."""
    return MAX_CAPTION_LENGTH - utf16_len(f"📎 К объявлению — {scope}\n\n")


def caption_of(units: int) -> str:
    """A caption of exactly ``units`` UTF-16 units: emoji (two each), then one-unit letters."""
    return "🎉" * (units // 4) + "Я" * (units - 2 * (units // 4))


async def rename_district(harness: Harness, name: str) -> None:
    async with harness.session_pool() as session, session.begin():
        await session.execute(
            update(Organization).where(Organization.name == DISTRICT).values(name=name)
        )


@pytest.mark.parametrize("scope", [DISTRICT, LONG_SCOPE.strip()], ids=["usual", "long"])
async def test_a_caption_that_just_fits_goes_and_one_unit_more_is_refused(
    harness: Harness, scope: str
) -> None:
    """At a short scope's name the author may write more than the 900 once allowed, at a long
    one less; the emoji count twice, the tags of its bold part not at all. One unit more is
    refused saying the maximum, the question kept; the one that fits fills Telegram's 1024."""
    await staff_joins(harness)
    await rename_district(harness, scope)
    await up_to_the_file(harness)
    room = room_under(scope)
    fits = caption_of(room)
    bold = [{"type": "bold", "offset": 0, "length": 4}]
    over = last_message(
        await harness.feed(
            harness.server.photo(STAFF, b"poster", caption=fits + "!", entities=bold)
        )
    )
    shown = over.plain_text or ""
    assert "Файл: фото" not in shown and "Пропустить" in str(over.buttons())
    assert f"— {room + 1} символ" in shown and f"не больше {room}:" in shown
    assert announce_texts.caption_too_long(room + 1, room, emoji=True) in shown
    taken = last_message(
        await harness.feed(harness.server.photo(STAFF, b"poster", caption=fits, entities=bold))
    )
    assert "Приложен фото" in (taken.plain_text or "")
    await harness.tap(STAFF, taken, "Отправить")
    sent = to_chat(await drain(harness), CHAIR)
    assert [(r.method, r.ok) for r in sent] == [("sendMessage", True), ("sendPhoto", True)]
    assert sent[1].plain_text == f"📎 К объявлению — {scope}\n\n{fits}"
    assert utf16_len(sent[1].plain_text or "") == MAX_CAPTION_LENGTH


async def test_a_caption_outgrown_by_a_renaming_before_sending_is_asked_for_again(
    harness: Harness,
) -> None:
    """The caption's room was measured when the form opened, and the announcement went under
    the name of that moment: a district renamed longer before «Отправить» was not seen. Now
    «Отправить» measures the line again: the file is asked for again saying why, nothing
    sent, the text kept; a caption that fits then goes under the new name."""
    await staff_joins(harness)
    await up_to_the_file(harness)
    written = caption_of(room_under(DISTRICT))
    taken = last_message(await harness.feed(harness.server.photo(STAFF, b"1", caption=written)))
    assert "Приложен фото" in (taken.plain_text or "")
    renamed = LONG_SCOPE.strip()
    await rename_district(harness, renamed)
    asked = last_message(await harness.tap(STAFF, taken, "Отправить"))
    assert to_chat(await drain(harness), CHAIR) == []
    room = room_under(renamed)
    outgrown = announce_texts.caption_outgrown(renamed, room_under(DISTRICT), room, emoji=True)
    assert outgrown in (asked.plain_text or "") and "Пропустить" in str(asked.buttons())
    shorter = caption_of(room)
    taken = last_message(await harness.feed(harness.server.photo(STAFF, b"2", caption=shorter)))
    assert f"Объявление: {renamed}" in (taken.plain_text or "")
    await harness.tap(STAFF, taken, "Отправить")
    sent = to_chat(await drain(harness), CHAIR)
    assert [(r.method, r.ok) for r in sent] == [("sendMessage", True), ("sendPhoto", True)]
    assert f"— {renamed}\n\n{TEXT}" in (sent[0].plain_text or "")
    assert sent[1].plain_text == f"📎 К объявлению — {renamed}\n\n{shorter}"


def test_a_scope_renamed_longer_since_is_cut_so_that_the_caption_still_fits() -> None:
    """A chair who joins later gets the file under the scope's name of that day: a longer
    one is cut, the author's caption (every character one escapes) kept whole."""
    written = "<&" * (room_under(DISTRICT) // 2)
    caption = announce_texts.attachment_caption(LONG_SCOPE, as_html(written))
    shown, _ = parse_html(caption)
    assert utf16_len(shown) <= MAX_CAPTION_LENGTH and shown.endswith(f"\n\n{written}")


@pytest.mark.parametrize(
    ("kept", "caption"),
    [({"caption": "a <b> & c"}, "a &lt;b&gt; &amp; c"), ({"caption_html": "<b>a</b>"}, "<b>a</b>")],
    ids=["plain-before", "html"],
)
def test_a_caption_kept_before_its_formatting_was_reads_as_typed(
    kept: dict[str, Any], caption: str
) -> None:
    """A draft or an announcement recorded with the plain caption is escaped, not parsed."""
    assert Attachment.of({"kind": "photo", "file_id": "AgAC", **kept}).caption == caption


def test_a_draft_opened_before_the_room_was_kept_takes_what_fits_under_any_scope() -> None:
    """A draft opened before the room rode in its answers does not know its scope: it takes
    a caption that fits beside a scope cut to «…», and such a caption fits under any name."""
    answers = {"audience": "all", "html": "Собрание в пятницу"}
    room = room_under("…")
    for units, taken in ((room + 1, False), (room, True)):
        attachment = Attachment("photo", "AgAC", caption=as_html(caption_of(units)))
        try:
            ANNOUNCEMENT.attach("attachment", attachment, answers)
        except InvalidAnswer as refused:
            assert not taken and f"не больше {room}:" in str(refused)
        else:
            assert taken
    caption = announce_texts.attachment_caption(LONG_SCOPE, as_html(caption_of(room)))
    assert utf16_len(parse_html(caption)[0]) == MAX_CAPTION_LENGTH
