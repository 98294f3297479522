"""Sending helpers for long texts and generated files; receiving an uploaded file; finding
what the number after a command names."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from aiogram import Bot
from aiogram.filters import CommandObject
from aiogram.types import InlineKeyboardMarkup, Message

from bot.delivery.outgoing import HeldFile, hold_file
from bot.forms.parsers import RECORD_NUMBER_MAX, record_number
from bot.texts import common
from bot.texts.markup import utf16_len
from bot.wiring.update_files import fetched_once

MESSAGE_LIMIT = 4000
T = TypeVar("T")


def chunks(lines: Iterable[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Group lines into messages under Telegram's 4096-unit limit, never splitting a line.

    Lines are HTML measured as sent, in UTF-16 units (Telegram's measure, an emoji counts
    twice): never less than what people see, so a part always fits. The texts keep every
    line far below the limit, so no line is ever cut (cutting could break a tag).
    """
    parts: list[str] = []
    current, size = "", 0
    for line in lines:
        length = utf16_len(line)
        if current and size + 1 + length > limit:
            parts.append(current)
            current, size = line, length
        elif current:
            current, size = f"{current}\n{line}", size + 1 + length
        else:
            current, size = line, length
    if current:
        parts.append(current)
    return parts


async def answer_lines(
    message: Message, lines: Iterable[str], reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """``lines`` in as many messages as they need; ``reply_markup`` under the last one."""
    parts = chunks(lines)
    for number, part in enumerate(parts, 1):
        markup = reply_markup if number == len(parts) else None
        await message.answer(part, disable_web_page_preview=True, reply_markup=markup)


async def answer_file(
    message: Message,
    render: Callable[[], bytes],
    filename: str,
    caption: str,
    *,
    as_photo: bool = False,
) -> None:
    """A generated file (xlsx, png): ``render`` draws it after the commit, in a worker thread,
    from data the handler loaded (see ``bot.delivery.outgoing``)."""
    hold_file(HeldFile(message.chat.id, render, filename, caption, as_photo))


async def downloaded(message: Message, bot: Bot, *, limit_bytes: int, too_big: str) -> bytes | None:
    """The bytes of the document a person sent, or None after telling them why not (over
    ``limit_bytes``: ``too_big``; any download failure: the same advice to send it again).

    The download is a network call inside the update's transaction, so every caller makes it
    before the update's first write (/import, /loadhistory and a plan with /plan only read
    before it; the one write that can come earlier is the viewer middleware's «reachable
    again» for a person who had blocked the bot). On SQLite that transaction is ``BEGIN
    DEFERRED`` and holds no lock until it writes, so no other update waits for the download;
    on PostgreSQL it holds a pooled connection and the chat's turn, nothing another chat needs.
    A try run again (the database was busy) holds the write lock from its start: it takes
    the bytes of the first (``bot.wiring.update_files``) instead of downloading them again.
    The file is parsed afterwards in a worker thread, never on the event loop.
    """
    document = message.document
    assert document is not None
    if document.file_size and document.file_size > limit_bytes:
        await message.answer(too_big)
        return None

    async def fetch() -> bytes:
        file = await bot.get_file(document.file_id)
        assert file.file_path is not None
        buffer = await bot.download_file(file.file_path)
        assert buffer is not None
        return buffer.read()

    try:
        return await fetched_once(document.file_unique_id, fetch)  # once for all tries
    except Exception:  # any download failure gets the same advice
        await message.answer(common.DOWNLOAD_FAILED)
        return None


async def found_by_number(
    message: Message,
    command: CommandObject,
    find: Callable[[int], Awaitable[T | None]],
    usage: str,
    not_found: str,
    prefix: str = "#№",
    limit: int = RECORD_NUMBER_MAX,
) -> T | None:
    """What the number after the command names (``find``; ``prefix`` may stand before it), or
    None once the sender is told why: ``usage`` without a number (or one past ``limit``, which
    names nothing), ``not_found`` for no match."""
    number = record_number((command.args or "").strip().lstrip(prefix), limit)
    if number is None:
        await message.answer(usage)
        return None
    found = await find(number)
    if found is None:
        await message.answer(not_found)
    return found
