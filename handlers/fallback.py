"""Last in line: whatever no other handler took gets an explanation, never silence."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from bot.domain.viewer import Viewer
from bot.texts import common
from handlers.menu import may_use


def _command(text: str | None) -> str | None:
    if not text or not text.startswith("/"):
        return None
    return text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower()


async def anything(message: Message, viewer: Viewer) -> None:
    command = _command(message.text or message.caption)
    stranger = not (viewer.is_admin or viewer.is_chair or viewer.is_staff or viewer.curated)
    if command is not None and may_use(viewer, command) is False:
        await message.answer(common.STRANGER if stranger else common.NOT_YOUR_COMMAND)
    elif stranger:
        await message.answer(common.STRANGER)
    else:
        await message.answer(common.UNKNOWN_INPUT)


async def any_button(query: CallbackQuery) -> None:
    await query.answer(common.NO_RIGHTS, show_alert=True)


def create_router() -> Router:
    router = Router(name="fallback")
    router.message.register(anything)
    router.callback_query.register(any_button)
    return router
