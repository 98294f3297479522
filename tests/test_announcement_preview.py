"""The preview an author confirms before an announcement with a file goes, and the copies the
chairs get, through the dispatcher and the fake Bot API server (which drops formatting past
the 100th piece of a message as Telegram does, and notes it).

The preview shows the text and the file's caption in one message; each chair gets them in two
(the text, then the file under its caption). A text of up to 96 pieces and a caption of its
own may pass 100 together: the preview then shows the caption plain, saying so, and the chairs
get both whole. A caption of several lines, a quote or a code block starts on a line of its
own after its label, not run into it."""

from __future__ import annotations

from typing import Any

import pytest

from bot.texts import announcements as announce_texts
from fakes.telegram_server import Request, utf16_len
from harness import Harness, last_message
from scenarios import CHAIR
from test_announcement_files import NAME, PDF, staff_joins, to_chat
from test_formatted_pieces import FORMATTED_MAX, formatted
from test_formatted_texts import URL, entity, formatting, shown_formatted
from test_staff_tools import STAFF, drain

CAPTION = "Заявки до <1 марта> & положение здесь"  # escaped, shown formatted or plain
CAPTION_FORMATTING = {
    ("bold", "Заявки", None),
    ("italic", "<1 марта>", None),
    ("underline", "<1 марта>", None),
    ("text_link", "положение здесь", URL),
}
CAPTION_ENTITIES = [entity(kind, CAPTION, piece, url) for kind, piece, url in CAPTION_FORMATTING]


async def with_file(
    h: Harness, text: str, text_entities: list[dict[str, Any]], caption: str, **more: Any
) -> Request:
    """/announce to every chair with ``text``, then the file with ``caption``: the summary."""
    await staff_joins(h)
    question = last_message(await h.send(STAFF, "/announce"))
    await h.tap(STAFF, question, "Всем председателям")
    await h.send(STAFF, text, entities=text_entities)
    return last_message(await h.upload(STAFF, PDF, NAME, caption, **more))


async def chairs_copies(h: Harness, summary: Request) -> list[Request]:
    await h.tap(STAFF, summary, "Отправить")
    sent = to_chat(await drain(h), CHAIR)
    assert [(r.method, r.ok) for r in sent] == [("sendMessage", True), ("sendDocument", True)]
    return sent


@pytest.mark.parametrize(
    ("pieces", "caption_formatted"),
    [(FORMATTED_MAX - len(CAPTION_FORMATTING), True), (FORMATTED_MAX, False)],
    ids=["fits", "past-100"],
)
async def test_a_caption_past_the_previews_100_pieces_shows_plain_and_reaches_chairs_whole(
    harness: Harness, pieces: int, caption_formatted: bool
) -> None:
    """A text of 96 pieces and a caption of 4 are 101 pieces with the preview's bold title:
    Telegram would leave the preview's last formatting plain. The preview shows the caption
    plain, saying why, and every piece of the text; the chairs get the text's pieces and the
    caption's, each in its own message. Beside a shorter text the caption shows formatted."""
    text, entities = formatted(pieces)
    summary = await with_file(harness, text, entities, CAPTION, entities=CAPTION_ENTITIES)
    assert harness.server.silently_dropped == []
    shown = formatting(summary)
    assert ("text_link", f"пункт{pieces - 1}", URL) in shown
    assert (shown >= CAPTION_FORMATTING) is caption_formatted
    assert (not shown & CAPTION_FORMATTING) is not caption_formatted
    plain = summary.plain_text or ""
    said = "здесь без оформления" in plain
    assert said is not caption_formatted and CAPTION in plain

    text_copy, file_copy = await chairs_copies(harness, summary)
    assert len(formatting(text_copy)) == pieces + 1  # the title's bold, and every piece typed
    assert shown_formatted(file_copy.params["caption"]) == CAPTION_FORMATTING
    assert harness.server.silently_dropped == []


QUOTED = "Важно:\nцитата из положения\nвторая строка\nprint(1)"
QUOTE_AND_CODE = [
    entity("bold", QUOTED, "Важно"),
    entity("blockquote", QUOTED, "цитата из положения\nвторая строка"),
    {**entity("pre", QUOTED, "print(1)"), "language": "python"},
]


@pytest.mark.parametrize(
    ("caption", "entities"),
    [(QUOTED, QUOTE_AND_CODE), ("Первая строка\nвторая строка", [])],
    ids=["quote-and-code", "lines"],
)
async def test_a_caption_of_several_lines_starts_on_its_own_line_after_its_label(
    harness: Harness, caption: str, entities: list[dict[str, Any]]
) -> None:
    """A quote or a code block is a block of its own in Telegram: after «Подпись к файлу: »
    it left the label hanging over a caption broken across lines. The caption now starts
    under its label; a one-line caption stays beside it (``test_announcement_captions``)."""
    summary = await with_file(harness, "Текст объявления", [], caption, entities=entities)
    plain = summary.plain_text or ""
    assert f"{announce_texts.L_CAPTION}:\n{caption}\n\nТекст объявления" in plain
    kinds = {kind for kind, _, _ in formatting(summary)}
    assert {e["type"] for e in entities} <= kinds
    _, file_copy = await chairs_copies(harness, summary)
    assert (file_copy.plain_text or "").endswith(f"\n\n{caption}")
    assert {e["type"] for e in entities} <= {
        k for k, _, _ in shown_formatted(file_copy.params["caption"])
    }
    assert utf16_len(file_copy.plain_text or "") <= 1024
