"""Telegram shows at most 100 formatted pieces (a bold word, a link) in one message and sends
the rest plain without a word, a link's address lost. A staff member's announcement may carry
100 (the most a message typed in the app keeps); the bot's frame around it (a bold title) would
push the last past the limit for every chair, so the text is refused, saying why, while
there is room for its frame; the fake server drops and notes what Telegram would drop.
"""

from __future__ import annotations

from typing import Any

from fakes.telegram_server import utf16_len
from harness import Harness, last_message
from scenarios import CHAIR
from test_formatted_texts import URL, formatting, preview, refused
from test_staff_tools import SECOND_CHAIR, STAFF, district_with_staff, drain

FORMATTED_MAX = 96  # 100 less the room kept for a frame's own pieces (bot.texts.markup)


def formatted(pieces: int) -> tuple[str, list[dict[str, Any]]]:
    """A text of ``pieces`` words, each bold but the last, a hidden link, as the app sends it."""
    words = [f"пункт{n}" for n in range(pieces)]
    entities, offset = [], 0
    for number, word in enumerate(words, 1):
        piece = {"type": "bold", "offset": offset, "length": utf16_len(word)}
        entities.append(piece if number < pieces else {**piece, "type": "text_link", "url": URL})
        offset += utf16_len(word) + 1
    return " ".join(words), entities


async def test_an_announcement_past_telegrams_formatting_is_refused_saying_why(
    harness: Harness,
) -> None:
    await district_with_staff(harness)
    text, entities = formatted(100)
    answer = await preview(harness, text, entities=entities)
    assert "В тексте 100 выделений" in (answer.plain_text or "")
    assert f"не больше {FORMATTED_MAX}" in (answer.plain_text or "")
    assert "Объявление" not in (answer.plain_text or "")

    text, entities = formatted(FORMATTED_MAX)
    summary = last_message(await harness.send(STAFF, text, entities=entities))
    assert ("text_link", f"пункт{FORMATTED_MAX - 1}", URL) in formatting(summary)
    await harness.tap(STAFF, summary, "Отправить")
    delivered = [r for r in await drain(harness) if r.chat_id in {CHAIR, SECOND_CHAIR}]
    assert len(delivered) == 2
    for message in delivered:
        shown = formatting(message)
        assert len(shown) == FORMATTED_MAX + 1  # the title's bold, and every piece typed
        assert ("text_link", f"пункт{FORMATTED_MAX - 1}", URL) in shown
    assert refused(harness) == []
    assert harness.server.silently_dropped == []
