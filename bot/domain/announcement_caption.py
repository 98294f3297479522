"""The caption an author writes on an announcement's file: what of it Telegram lets the bot
send on under the line naming the announcement, checked as the file comes, so that no chair's
file fails or loses its formatting for it (``bot.domain.announcements``'s rule), and again at
«Отправить», beside the line as it is then (:func:`scope_name_now`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.forms.attachment import Attachment
from bot.forms.declaration import StaffScopeContext
from bot.forms.engine import Answers, AskAgain
from bot.texts import announcements as t
from bot.texts.markup import utf16_len, visible
from storage import orgs
from storage.models import FormDraft

ROOM = "caption_room"
"""The caption's room (``t.caption_room``), in the answers from the opening: a rule reads the
answers only, and the scope's name it depends on is none (a district event's quota rides so).
Measured again at «Отправить» (:func:`scope_name_now`)."""


def caption_fits(answers: Answers) -> str | None:
    """Why the file's caption cannot go as written, or None. Too long beside the line naming
    the announcement (``ROOM``): every chair's file would fail (a Premium author writes 4096).
    Its formatted pieces are not bounded: the
    line adds none, so the file's message carries the 100 a message from the app may hold
    (the preview, sharing a message with the text, shows it plain past that: ``t.preview``)."""
    over = _overflow(answers)
    return None if over is None else t.caption_too_long(*over)


def _overflow(answers: Answers) -> tuple[int, int, bool] | None:
    """The caption's length as Telegram counts it, its room, and whether it holds characters
    Telegram counts twice, if it is longer than its room; None: it fits, or there is none."""
    attached = answers.get("attachment")
    caption = Attachment.of(attached).caption if attached else None
    if caption is None:
        return None
    shown = visible(caption)
    length, room = utf16_len(shown), answers.get(ROOM) or t.caption_room(None)
    return (length, room, length > len(shown)) if length > room else None


async def scope_name_now(
    session: AsyncSession, draft: FormDraft, context: StaffScopeContext
) -> str:
    """The district's or region's name at «Отправить», which the announcement goes under.
    The caption's room was measured when the form opened: a scope renamed since (or the line
    naming it changed by a release) may leave the kept caption too long, and every chair's
    file would be refused. Then the file question is asked again saying so (``AskAgain``),
    the other answers kept; the draft keeps the new name and room, so that the preview shows
    that name and a file sent anew is measured against what fits now."""
    scope = await orgs.get_org(session, context.scope_id)
    name = context.scope_name if scope is None else scope.name
    answers: dict[str, Any] = {**draft.answers, ROOM: t.caption_room(name)}
    over = _overflow(answers)
    if over is not None:
        context.model_copy(update={"scope_name": name}).store(draft)
        draft.answers = answers
        raise AskAgain("attachment", f"❗ {t.caption_outgrown(name, *over)}")
    return name
