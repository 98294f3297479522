"""Curators: /curated, a card of each ППО they are attached to. And /nocurator, the staff's
list of low ППО with no curator (a runner of ``handlers.staff.RUNNERS``, scoped like /export).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram import Router
from aiogram.filters import Filter
from aiogram.types import Message, TelegramObject

from bot.domain.curator import card_lines, load_card, uncurated_lines, uncurated_low
from bot.domain.viewer import Viewer
from bot.texts import curator as t
from bot.wiring.context import Ctx
from handlers.filters import command
from handlers.replies import answer_lines

if TYPE_CHECKING:  # handlers.staff imports this module to list it among its runners
    from handlers.staff import Scoped


class IsCurator(Filter):
    async def __call__(self, event: TelegramObject, viewer: Viewer) -> bool:
        return bool(viewer.curated)


async def curated(message: Message, ctx: Ctx) -> None:
    """Every ППО the sender curates now (closed ones are left out by ``load_viewer``; one whose
    are all closed is told so by ``handlers.fallback``), one card each."""
    lines = [t.HEADER]
    for org in ctx.viewer.curated:
        lines += card_lines(await load_card(ctx.session, org, ctx.now(), ctx.settings.timezone))
    await answer_lines(message, lines)


async def run_nocurator(c: Scoped) -> None:
    found = await uncurated_low(c.session, c.scope.id)
    await answer_lines(c.message, uncurated_lines(c.scope.name, found))


def create_router() -> Router:
    router = Router(name="curator")
    router.message.filter(IsCurator())
    router.message.register(curated, command("curated"))
    return router
