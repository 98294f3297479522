"""Sending helpers for long texts and generated files."""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.types import BufferedInputFile, Message

MESSAGE_LIMIT = 4000


def chunks(lines: Iterable[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Group lines into messages under Telegram's 4096-character limit, never splitting a line."""
    parts: list[str] = []
    current = ""
    for line in lines:
        piece = line[:limit]
        if current and len(current) + 1 + len(piece) > limit:
            parts.append(current)
            current = piece
        else:
            current = f"{current}\n{piece}" if current else piece
    if current:
        parts.append(current)
    return parts


async def answer_lines(message: Message, lines: Iterable[str]) -> None:
    for part in chunks(lines):
        await message.answer(part, disable_web_page_preview=True)


async def answer_file(message: Message, data: bytes, filename: str, caption: str) -> None:
    await message.answer_document(BufferedInputFile(data, filename=filename), caption=caption)
