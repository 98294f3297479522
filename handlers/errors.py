"""When a handler fails, its transaction is rolled back; the user is told, not left waiting."""

from __future__ import annotations

import contextlib
import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent

from bot.middlewares import DatabaseBusyError
from bot.texts import common

log = logging.getLogger(__name__)


async def on_error(event: ErrorEvent, bot: Bot) -> None:
    """Tell the sender once; a database that stayed busy was logged where it gave up."""
    busy = isinstance(event.exception, DatabaseBusyError)
    if not busy:
        log.error("update %s failed", event.update.update_id, exc_info=event.exception)
    update = event.update
    chat_id = None
    if update.message is not None:
        chat_id = update.message.chat.id
    elif update.callback_query is not None:
        chat_id = update.callback_query.from_user.id
        with contextlib.suppress(TelegramAPIError):
            await update.callback_query.answer()
    if chat_id is not None:
        with contextlib.suppress(TelegramAPIError):
            await bot.send_message(chat_id, common.BUSY if busy else common.ERROR)


def create_router() -> Router:
    router = Router(name="errors")
    router.error.register(on_error)
    return router
