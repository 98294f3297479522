"""The organizations a search by name or number found, answered as buttons to pick from."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from aiogram.types import InlineKeyboardMarkup, Message

from bot.texts import staff as t
from storage.models import Organization

SEARCH_SHOWN = 10


async def answer_found(
    message: Message,
    found: Sequence[Organization],
    prompt: str,
    buttons: Callable[[Sequence[Organization]], InlineKeyboardMarkup],
) -> None:
    """``prompt`` over a button per organization found (the first :data:`SEARCH_SHOWN`; more
    found is said), or that nothing was found."""
    if not found:
        await message.answer(t.NOT_FOUND)
        return
    if len(found) > SEARCH_SHOWN:
        await message.answer(t.TOO_MANY.format(count=len(found), shown=SEARCH_SHOWN))
    await message.answer(prompt, reply_markup=buttons(found[:SEARCH_SHOWN]))
