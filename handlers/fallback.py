"""Last in line: whatever no other handler took gets an explanation, never silence."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from bot.middlewares import Viewer
from bot.texts import common
from handlers.menu import ADMIN_COMMANDS, CHAIR_COMMANDS

_ADMIN_ONLY = {name for name, _ in ADMIN_COMMANDS} - {"help"}
_CHAIR_ONLY = {name for name, _ in CHAIR_COMMANDS} - {"help", "cancel"}


def _command(text: str | None) -> str | None:
    if not text or not text.startswith("/"):
        return None
    return text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower()


async def anything(message: Message, viewer: Viewer) -> None:
    command = _command(message.text or message.caption)
    if command in _ADMIN_ONLY and not viewer.is_admin:
        await message.answer(common.ADMIN_ONLY)
    elif command in _CHAIR_ONLY and not viewer.is_chair:
        await message.answer(common.CHAIR_ONLY if viewer.is_admin else common.STRANGER)
    elif not viewer.is_admin and not viewer.is_chair:
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
