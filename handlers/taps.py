"""Buttons that act on one thing (a draft, an organization, a district event): the router's
middleware resolves that thing once, after the button's filter matched, and hands it to the
handler as ``tap``; where it cannot (gone, stale, no longer the sender's), the resolver has
answered the tap and the handler never runs. Each handler then takes only what it uses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from enum import Enum
from typing import Any, TypeVar

from aiogram import BaseMiddleware, F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, TelegramObject

from bot.wiring.context import Ctx

Resolver = Callable[[CallbackQuery, Any, Ctx], Awaitable[Any]]
"""(query, callback data, the update's context) -> the tap, or None (answered)."""
TapHandler = Callable[..., Awaitable[None]]
Action = TypeVar("Action", bound=Enum)


def tap_router(
    name: str, buttons: type[CallbackData], handlers: Mapping[Action, TapHandler], resolve: Resolver
) -> Router:
    """A router for one kind of button: one handler per action (``F.action == action``), each
    run after ``resolve`` found and checked what the button acts on."""
    router = Router(name=name)
    for action, handler in handlers.items():
        router.callback_query.register(handler, buttons.filter(F.action == action))
    router.callback_query.middleware(ResolveTap(resolve))
    return router


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
        tap = await self.resolve(event, data["callback_data"], data["ctx"])
        if tap is None:
            return None
        data["tap"] = tap
        return await handler(event, data)
