"""When a handler fails, its transaction is rolled back; the user is told, not left waiting."""

from __future__ import annotations

import contextlib
import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.methods import AnswerCallbackQuery, SendMessage
from aiogram.types import ErrorEvent

from bot.delivery.limiter import Pacer
from bot.delivery.outgoing import send_paced
from bot.texts import common
from bot.wiring.middlewares import DatabaseBusyError
from bot.wiring.workers import WorkersFailedError

log = logging.getLogger(__name__)


async def on_error(event: ErrorEvent, bot: Bot, limiter: Pacer) -> None:
    """Tell the sender once, through the shared limiter. A bug is logged here once with the
    update id; a database that stayed busy was logged where the retries gave up."""
    busy = isinstance(event.exception, DatabaseBusyError)
    workers_failed = isinstance(event.exception, WorkersFailedError)
    if not busy:
        log.error("update %s failed", event.update.update_id, exc_info=event.exception)
    update = event.update
    chat_id = None
    if update.message is not None:
        chat_id = update.message.chat.id
    elif update.edited_message is not None:  # a chair correcting an answer by editing it
        chat_id = update.edited_message.chat.id
    elif update.callback_query is not None:
        chat_id = update.callback_query.from_user.id
        with contextlib.suppress(TelegramAPIError):
            await send_paced(
                bot,
                AnswerCallbackQuery(callback_query_id=update.callback_query.id),
                limiter,
                chat_id,
            )
    if chat_id is not None:
        text = common.BUSY if busy else common.WORKERS_FAILED if workers_failed else common.ERROR
        with contextlib.suppress(TelegramAPIError):
            await send_paced(bot, SendMessage(chat_id=chat_id, text=text), limiter, chat_id)


def create_router() -> Router:
    router = Router(name="errors")
    router.error.register(on_error)
    return router
