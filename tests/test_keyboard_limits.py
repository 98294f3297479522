"""What Telegram keeps of a large keyboard, as the fake imitates it: tdlib reads at most 12
buttons of a row and 300 of a keyboard (reply and inline alike) and drops the rest without a
word; Telegram refuses an inline keyboard of more than 100 buttons, and any keyboard of more
than 10 KB."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from fakes import FakeTelegramServer

TOKEN = "123456:TEST-fake-telegram-token"
USER = 42


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(token=TOKEN) as fake:
        yield fake
        fake.silently_dropped.clear()  # each test asserts the losses it caused
        assert fake.internal_errors == []


@pytest.fixture
async def bot(server: FakeTelegramServer) -> AsyncIterator[Bot]:
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(server.base_url)))
    try:
        yield bot
    finally:
        await bot.session.close()


def reply_rows(*sizes: int) -> ReplyKeyboardMarkup:
    """A reply keyboard of rows of ``sizes`` buttons, each labelled by its row and place."""
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=f"{row}.{place}") for place in range(size)]
            for row, size in enumerate(sizes)
        ]
    )


def inline_row(*labels: str, url: str | None = None) -> list[InlineKeyboardButton]:
    """A row of callback buttons; ``url``: one more button after them, a link."""
    row = [InlineKeyboardButton(text=label, callback_data=f"d:{label}") for label in labels]
    if url is not None:
        row.append(InlineKeyboardButton(text="↗", url=url))
    return row


async def test_a_reply_keyboard_keeps_12_buttons_a_row_and_300_in_all(
    server: FakeTelegramServer, bot: Bot
) -> None:
    assert await bot.send_message(USER, "x", reply_markup=reply_rows(*[12] * 25))
    assert server.silently_dropped == []

    assert await bot.send_message(USER, "x", reply_markup=reply_rows(13, 2))
    assert await bot.send_message(USER, "x", reply_markup=reply_rows(*[12] * 24, 10, 4, 2))
    assert server.silently_dropped == [
        "sendMessage chat=42: row 1 has 13 buttons: the 1 past its 12th are not shown",
        "sendMessage chat=42: the 4 buttons past the keyboard's 300th are not shown",
    ]


async def test_empty_texts_do_not_count_toward_a_rows_12(
    server: FakeTelegramServer, bot: Bot
) -> None:
    """tdlib skips a button with empty text before it counts the row's buttons."""
    row = [KeyboardButton(text=str(n)) for n in range(12)]
    row.insert(3, KeyboardButton(text=""))
    assert await bot.send_message(USER, "x", reply_markup=ReplyKeyboardMarkup(keyboard=[row]))
    assert server.silently_dropped == [
        "sendMessage chat=42: button 4 of row 1 has empty text: not shown"
    ]


async def test_an_inline_row_past_12_is_cut_unread(server: FakeTelegramServer, bot: Bot) -> None:
    """The message keeps a row's first 12 buttons; the 13th is not even checked (a link no
    link passes), so nothing is refused and the loss is only noted."""
    labels = [str(n) for n in range(12)]
    markup = InlineKeyboardMarkup(inline_keyboard=[inline_row(*labels, url="not-a-url")])
    sent = await bot.send_message(USER, "x", reply_markup=markup)
    assert sent.reply_markup is not None
    assert [[b.text for b in row] for row in sent.reply_markup.inline_keyboard] == [labels]
    assert server.silently_dropped == [
        "sendMessage chat=42: row 1 has 13 buttons: the 1 past its 12th are not shown"
    ]
    with pytest.raises(TelegramBadRequest, match="Wrong HTTP URL"):
        broken = InlineKeyboardMarkup(inline_keyboard=[inline_row(*labels[:11], url="not-a-url")])
        await bot.send_message(USER, "x", reply_markup=broken)


async def test_inline_buttons_are_counted_after_the_cut(
    server: FakeTelegramServer, bot: Bot
) -> None:
    """100 buttons kept (rows of 13 cut to 12) are taken; 101 kept are refused."""
    rows = [inline_row(*(f"{row}.{place}" for place in range(13))) for row in range(8)]
    rows.append(inline_row("last.1", "last.2", "last.3", "last.4"))
    sent = await bot.send_message(
        USER, "x", reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
    )
    assert sent.reply_markup is not None
    assert sum(len(row) for row in sent.reply_markup.inline_keyboard) == 100
    assert len(server.silently_dropped) == 8
    rows[-1].append(InlineKeyboardButton(text="last.5", callback_data="d:5"))
    with pytest.raises(TelegramBadRequest, match="reply markup is too long"):
        await bot.send_message(USER, "x", reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


async def test_a_keyboard_past_10_kb_is_refused_however_few_its_buttons(
    server: FakeTelegramServer, bot: Bot
) -> None:
    """Real names of ППО run to 150 characters (300 bytes in UTF-8): 40 of them pass 10 KB."""
    names = [f"{n} Первичная профсоюзная организация {'средней школы ' * 8}" for n in range(40)]
    rows = [
        [InlineKeyboardButton(text=name, callback_data=f"o:{n}")] for n, name in enumerate(names)
    ]
    with pytest.raises(TelegramBadRequest, match="reply markup is too long"):
        await bot.send_message(USER, "x", reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))
    assert await bot.send_message(
        USER, "x", reply_markup=InlineKeyboardMarkup(inline_keyboard=rows[:25])
    )
    menu = [[KeyboardButton(text=name)] for name in names]
    with pytest.raises(TelegramBadRequest, match="reply markup is too long"):
        await bot.send_message(USER, "x", reply_markup=ReplyKeyboardMarkup(keyboard=menu))
    assert server.silently_dropped == []
