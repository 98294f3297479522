"""Role filters: they read the Viewer the middleware resolved for this update."""

from __future__ import annotations

from aiogram.filters import Filter
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
