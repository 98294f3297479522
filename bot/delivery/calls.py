"""One outbox row as one Bot API call.

Kind ``text`` is ``sendMessage`` (HTML, no link previews); kind ``file`` is ``sendPhoto`` or
``sendDocument`` of a file Telegram already holds, by its ``file_id``; a rendered kind is
``sendPhoto`` or ``sendDocument`` of the file its renderer drew, or ``sendMessage`` of the text
it drew. Either
carries the optional inline keyboard of ``payload["buttons"]`` (rows of ``{"text",
"callback_data" | "url"}``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.methods import SendDocument, SendPhoto
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
)

from bot.delivery.files import RenderedFile
from bot.delivery.schedule import Item

SendCall: TypeAlias = Callable[[], Awaitable[Any]]


def keyboard(buttons: Any) -> InlineKeyboardMarkup | None:
    """The inline keyboard of a payload's ``buttons``; raises if they are malformed."""
    if not buttons:
        return None
    if not isinstance(buttons, list) or not all(isinstance(row, list) for row in buttons):
        msg = f"payload buttons must be a list of rows, got {buttons!r}"
        raise ValueError(msg)
    rows = [
        [
            InlineKeyboardButton(
                text=str(button["text"]),
                callback_data=button.get("callback_data"),
                url=button.get("url"),
            )
            for button in row
        ]
        for row in buttons
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def text_call(
    bot: Bot, item: Item, text: Any, markup: InlineKeyboardMarkup | None, timeout: int
) -> SendCall:
    """``sendMessage`` of ``text`` (a text row's payload text, or one drawn at send time);
    raises if there is none."""
    if not isinstance(text, str) or not text.strip():
        msg = "payload has no text"
        raise ValueError(msg)
    return lambda: bot.send_message(
        chat_id=item.chat_id,
        text=text,
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
        request_timeout=timeout,
    )


def file_call(
    bot: Bot,
    item: Item,
    rendered: RenderedFile,
    markup: InlineKeyboardMarkup | None,
    timeout: int,
) -> SendCall:
    """``sendPhoto`` or ``sendDocument`` of a rendered file row."""
    upload = BufferedInputFile(rendered.data, filename=rendered.filename)
    shared: dict[str, Any] = {
        "chat_id": item.chat_id,
        "caption": rendered.caption or None,
        "parse_mode": ParseMode.HTML,
        "reply_markup": markup,
    }
    method: SendPhoto | SendDocument = (
        SendPhoto(photo=upload, **shared)
        if rendered.as_photo
        else SendDocument(document=upload, **shared)
    )
    return lambda: bot(method, request_timeout=timeout)


def held_file_call(
    bot: Bot, item: Item, markup: InlineKeyboardMarkup | None, timeout: int
) -> SendCall:
    """``sendPhoto`` or ``sendDocument`` of a ``file`` row: the ``file_id`` of a file someone
    sent the bot (nothing is downloaded or uploaded again, so no upload limit applies), with
    its short caption, a photo hidden under a spoiler and its caption above it as its sender
    put them; raises if the payload names no file."""
    file_id = item.payload.get("file_id")
    if not isinstance(file_id, str) or not file_id:
        msg = "payload has no file_id"
        raise ValueError(msg)
    shared: dict[str, Any] = {
        "chat_id": item.chat_id,
        "caption": item.payload.get("caption") or None,
        "parse_mode": ParseMode.HTML,
        "reply_markup": markup,
    }
    method: SendPhoto | SendDocument = (
        SendPhoto(
            photo=file_id,
            has_spoiler=item.payload.get("spoiler") or None,
            show_caption_above_media=item.payload.get("above") or None,
            **shared,
        )
        if item.payload.get("photo")
        else SendDocument(document=file_id, **shared)
    )
    return lambda: bot(method, request_timeout=timeout)
