"""Updates fed again after they were applied (``REPLAYED``): the bot stopped between saving an
answer and sending what follows it. Nothing is applied again; a person in the middle of a form
is shown its current question, so an answer typed again is not taken for the next one."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import MagicData
from aiogram.types import CallbackQuery, Message

from bot.texts import forms as t
from bot.wiring.context import Ctx
from bot.wiring.middlewares import REPLAYED
from handlers.form_chat import FormChat
from storage import drafts


async def show_where_the_form_stands(message: Message, ctx: Ctx) -> None:
    """The current question (or summary) of the person's form (``DbSessionMiddleware`` feeds
    again only the updates of a person with one open)."""
    draft = await drafts.get_draft(ctx.session, ctx.viewer.tg_user_id)
    if draft is not None:
        await FormChat(message, ctx).show(draft, note=t.SAVED_BEFORE_RESTART)


async def message_again(message: Message, ctx: Ctx) -> None:
    await show_where_the_form_stands(message, ctx)


async def tap_again(query: CallbackQuery, ctx: Ctx) -> None:
    if isinstance(query.message, Message):
        await show_where_the_form_stands(query.message, ctx)


def create_router() -> Router:
    """First among the private routers, and it takes every replayed update it is given."""
    router = Router(name="replayed")
    replayed = MagicData(F[REPLAYED])
    router.message.register(message_again, replayed)
    router.edited_message.register(message_again, replayed)
    router.callback_query.register(tap_again, replayed)
    return router
