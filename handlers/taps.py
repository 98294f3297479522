"""Buttons that act on one thing (a draft, an organization, a district event): the router's
middleware resolves that thing once, after the button's filter matched, and hands it to the
handler as ``tap``; where it cannot (gone, stale, no longer the sender's), the resolver has
answered the tap and the handler never runs. Each handler then takes only what it uses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, TelegramObject
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.viewer import Viewer
from bot.wiring.config import Settings

Resolver = Callable[[CallbackQuery, Any, AsyncSession, Viewer, Settings, Clock], Awaitable[Any]]
"""(query, callback data, session, viewer, settings, clock) -> the tap, or None (answered)."""


class ResolveTap(BaseMiddleware):
    """Runs ``resolve`` before each button handler of the router it is registered on."""

    def __init__(self, resolve: Resolver) -> None:
        self.resolve = resolve

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, CallbackQuery)
        keys = ("callback_data", "session", "viewer", "settings", "clock")
        tap = await self.resolve(event, *(data[key] for key in keys))
        if tap is None:
            return None
        data["tap"] = tap
        return await handler(event, data)
