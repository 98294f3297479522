"""The caption an author writes on an announcement's file: what of it Telegram lets the bot
send on under the line naming the announcement, checked as the file comes, so that no chair's
file fails or loses its formatting for it (``bot.domain.announcements``'s rule)."""

from __future__ import annotations

from bot.forms.attachment import Attachment
from bot.forms.engine import Answers
from bot.texts import announcements as t
from bot.texts.markup import utf16_len, visible

ROOM = "caption_room"
"""The caption's room (``t.caption_room``), in the answers from the opening: a rule reads the
answers only, and the scope's name it depends on is none (a district event's quota rides so)."""


def caption_fits(answers: Answers) -> str | None:
    """Why the file's caption cannot go as written, or None. Too long beside the line naming
    the announcement (``ROOM``): every chair's file would fail (a Premium author writes 4096).
    Its formatted pieces are not bounded: the
    line adds none, so the file's message carries the 100 a message from the app may hold
    (the preview, sharing a message with the text, shows it plain past that: ``t.preview``)."""
    attached = answers.get("attachment")
    caption = Attachment.of(attached).caption if attached else None
    if caption is None:
        return None
    shown = visible(caption)
    length, room = utf16_len(shown), answers.get(ROOM) or t.caption_room(None)
    return t.caption_too_long(length, room, length > len(shown)) if length > room else None
