"""Filters the routers share: commands, and roles (which read the Viewer the middleware
resolved for this update)."""

from __future__ import annotations

from aiogram.filters import Command, CommandStart, Filter
from aiogram.types import TelegramObject

from bot.domain.viewer import Viewer


class IsAdmin(Filter):
    async def __call__(self, event: TelegramObject, viewer: Viewer) -> bool:
        return viewer.is_admin


class IsChair(Filter):
    async def __call__(self, event: TelegramObject, viewer: Viewer) -> bool:
        return viewer.is_chair


class IsStaffOrAdmin(Filter):
    async def __call__(self, event: TelegramObject, viewer: Viewer) -> bool:
        return viewer.is_staff or viewer.is_admin


def command(*names: str) -> Command:
    """The filter of every command the bot has, in any case: a phone capitalises the first
    letter («/Report», «/Cancel») and Telegram passes it on as typed."""
    return Command(*names, ignore_case=True)


def start_command(*, deep_link: bool = False) -> CommandStart:
    """/start in any case, as :func:`command`; the invite code after it is kept as typed."""
    return CommandStart(deep_link=deep_link, ignore_case=True)
