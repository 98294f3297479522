"""A list of buttons too long for one message, in pages turned in the same message.

Telegram refuses more than 100 inline buttons under a message, or more than about 10 KB of them
(a hundred district names), and then nobody sees the question at all; a page of
:data:`PAGE_SIZE` is also what a phone shows without endless scrolling.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.texts import common

PAGE_SIZE = 20
"""Buttons of a long list a page shows: a phone's screen or two."""


def paged(
    buttons: Sequence[tuple[str, CallbackData]],
    page: int,
    turn: Callable[[int], CallbackData],
    up: CallbackData | None = None,
) -> InlineKeyboardMarkup:
    """``buttons`` one a row, :data:`PAGE_SIZE` a page: page ``page`` (the last one if the list
    got shorter), «⬅️ Назад» and «Ещё…» to the pages beside it (``turn``: a page's data);
    ``up``: where «⬅️ Назад» of the first page leads (the list this one was picked from)."""
    last = max(0, (len(buttons) - 1) // PAGE_SIZE)
    page = min(page, last)
    rows = [[_button(label, data)] for label, data in buttons[page * PAGE_SIZE :][:PAGE_SIZE]]
    back = turn(page - 1) if page > 0 else up
    turns = [] if back is None else [_button(common.BTN_PAGE_BACK, back)]
    if page < last:
        turns.append(_button(common.BTN_PAGE_ON, turn(page + 1)))
    return InlineKeyboardMarkup(inline_keyboard=[*rows, turns] if turns else rows)


def _button(label: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=label, callback_data=data.pack())
