"""What a handler sends leaves only after its transaction has committed.

A handler answers with ``message.answer(...)``, ``query.answer()``, edits and files as
aiogram makes natural, but while an update is being applied those Bot API calls are held
(:class:`HoldReplies`, a client-session middleware) and sent by :func:`send_held` after the
commit. So no transaction is open across a Telegram call, a slow or refused reply cannot
roll an answer back, and an update re-run after a transient database error does not send
its replies twice. Calls whose result the handler needs (``getFile``, ``getMe``...) pass
straight through.

Files are drawn after the commit too (:func:`hold_file`): a region's table takes seconds of
CPU and must neither hold a database lock nor block the event loop, so it is rendered in a
worker thread from data the handler already loaded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Any, cast

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramRetryAfter
from aiogram.methods import (
    AnswerCallbackQuery,
    CopyMessage,
    DeleteMessage,
    DeleteMyCommands,
    EditMessageCaption,
    EditMessageReplyMarkup,
    EditMessageText,
    ForwardMessage,
    Response,
    SendDocument,
    SendMediaGroup,
    SendMessage,
    SendPhoto,
    SetChatMenuButton,
    SetMyCommands,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import BufferedInputFile
from sqlalchemy.exc import SQLAlchemyError

from bot.delivery.limiter import Pacer
from bot.texts import common

log = logging.getLogger(__name__)

HELD_METHODS = (
    SendMessage,
    SendDocument,
    SendPhoto,
    SendMediaGroup,
    CopyMessage,
    ForwardMessage,
    EditMessageText,
    EditMessageCaption,
    EditMessageReplyMarkup,
    AnswerCallbackQuery,
    DeleteMessage,
    SetMyCommands,
    DeleteMyCommands,
    SetChatMenuButton,
)
"""Output calls: what they return is never read by a handler (a held one returns True)."""
# Edits of a message that changed meanwhile, or is too old: nothing to tell anyone.
QUIET_FAILURES = (
    EditMessageText,
    EditMessageCaption,
    EditMessageReplyMarkup,
    DeleteMessage,
    AnswerCallbackQuery,
)
QUIET_REASONS = (
    "message is not modified",
    "message to edit not found",
    "message can't be edited",
    "message to delete not found",
    "message can't be deleted",
    "query is too old",
)
"""Why those calls are refused in normal use (a tap answered late, an edit of a message gone or
unchanged). Refused for another reason (an alert over 200 characters, bad markup), the call is
a bug whose person saw nothing: logged as an error, as a refused reply is."""
RETRY_AFTER_ATTEMPTS = 3


@dataclass(frozen=True)
class HeldFile:
    """A document to draw after the commit: ``render`` runs in a worker thread."""

    chat_id: int
    render: Callable[[], bytes]
    filename: str
    caption: str
    as_photo: bool = False


@dataclass
class Held:
    """The Bot API calls one update made, in order, waiting for its commit."""

    calls: list[TelegramMethod[Any] | HeldFile] = field(default_factory=list)


_held: ContextVar[Held | None] = ContextVar("held_replies", default=None)


def hold() -> tuple[Held, Token[Held | None]]:
    """Start holding the calls of the update being applied; give the token to :func:`release`."""
    held = Held()
    return held, _held.set(held)


def release(token: Token[Held | None]) -> None:
    _held.reset(token)


class HoldReplies(BaseRequestMiddleware):
    """Client-session middleware: while an update is applied, output calls are held."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        held = _held.get()
        if held is None or not isinstance(method, HELD_METHODS):
            return await make_request(bot, method)
        held.calls.append(method)
        # No handler reads what an output call returns; it has not happened yet.
        return cast(Response[TelegramType], True)


def hold_file(file: HeldFile) -> None:
    """Send a generated file after the commit of the update being applied."""
    held = _held.get()
    if held is None:
        msg = "a file is sent only in answer to an update"
        raise RuntimeError(msg)
    held.calls.append(file)


async def send_held(
    bot: Bot, held: Held, limiter: Pacer, update_id: int, chat_id: int | None
) -> None:
    """Send what the committed update held, in order, within the limits the outbox keeps.

    ``chat_id`` is the update's chat: the pacing key of calls that name none (a callback
    answer, a menu), so they are paced with the rest of the conversation. A private chat's
    answer starts once the chat's spacing since its previous answer has passed
    (:meth:`Pacer.chat_spacing`); then its messages go at once.
    """
    refused_in: set[int] = set()  # chats told that a reply was refused
    if chat_id is not None and chat_id > 0 and held.calls:
        await limiter.chat_spacing(chat_id)
    for call in held.calls:
        try:
            method = await _materialize(call)
        except Exception:  # the answer is saved already; a file that cannot be drawn is a bug
            log.exception("update %s: a generated file could not be drawn", update_id)
            continue
        try:
            await send_paced(bot, method, limiter, chat_id)
        except (OSError, SQLAlchemyError) as error:  # the replicas' call budget unreachable
            log.warning("update %s: reply not sent: %s", update_id, type(error).__name__)
        except TelegramAPIError as error:
            if isinstance(method, QUIET_FAILURES) and isinstance(error, TelegramBadRequest):
                quiet = any(reason in str(error) for reason in QUIET_REASONS)
                level = logging.DEBUG if quiet else logging.ERROR
                log.log(level, "update %s: %s refused: %s", update_id, type(method).__name__, error)
            elif isinstance(error, TelegramBadRequest):
                log.error(
                    "update %s: reply %s refused: %s", update_id, type(method).__name__, error
                )
                await _say_refused(bot, method, limiter, refused_in)
            else:
                log.warning(
                    "update %s: reply %s failed: %s", update_id, type(method).__name__, error
                )


async def _say_refused(
    bot: Bot, method: TelegramMethod[Any], limiter: Pacer, told: set[int]
) -> None:
    """A reply Telegram refused (a bug: too long, bad markup) is not left unsaid: its chat is
    told once per update that the answer is kept and the reply could not be shown."""
    chat = getattr(method, "chat_id", None)
    if not isinstance(chat, int) or chat in told:
        return
    told.add(chat)
    with contextlib.suppress(TelegramAPIError, OSError, SQLAlchemyError):
        await send_paced(bot, SendMessage(chat_id=chat, text=common.REPLY_REFUSED), limiter, chat)


async def _materialize(call: TelegramMethod[Any] | HeldFile) -> TelegramMethod[Any]:
    if not isinstance(call, HeldFile):
        return call
    upload = BufferedInputFile(await asyncio.to_thread(call.render), filename=call.filename)
    if call.as_photo:
        return SendPhoto(chat_id=call.chat_id, photo=upload, caption=call.caption)
    return SendDocument(chat_id=call.chat_id, document=upload, caption=call.caption)


async def send_paced(
    bot: Bot, method: TelegramMethod[Any], limiter: Pacer, chat_id: int | None
) -> None:
    """One reply through the limiter the outbox uses; a 429 pauses every sender for
    ``retry_after`` and the call is made again (a few times at most).

    A reply in a private chat is a burst (``Pacer.acquire(burst=True)``): the few messages of
    one answer go at once to the person who just wrote, without the per-chat spacing the
    outbox keeps, but never two at once to one chat and always within the global limit (of
    every replica together on PostgreSQL). A group (a negative chat id) gets the spacing:
    ten members typing a command at once would otherwise draw 429s that pause every chat.
    """
    target = getattr(method, "chat_id", None)
    key = target if isinstance(target, int) else chat_id or 0
    for attempt in range(1, RETRY_AFTER_ATTEMPTS + 1):
        permit = await limiter.acquire(key, burst=key > 0)
        try:
            await bot(method)
            return
        except TelegramRetryAfter as error:
            await limiter.pause(error.retry_after)
            if attempt == RETRY_AFTER_ATTEMPTS:
                raise
        finally:
            await limiter.release(permit)
