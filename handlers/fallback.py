"""Last in line: whatever no other handler took gets an explanation, never silence."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.types import CallbackQuery, Message

from bot.domain.viewer import Viewer
from bot.texts import common
from bot.texts import curator as curator_texts
from bot.texts import staff as staff_texts
from bot.wiring.context import Ctx
from handlers.form_chat import FormChat, is_theirs
from handlers.menu import may_use
from storage import drafts


def _command(text: str | None) -> tuple[str, str] | None:
    """The command a message starts with, in small letters, and the bot it names after «@»
    («» when none): None for a message that is no command."""
    if not text or not text.startswith("/"):
        return None
    first = text[1:].split(maxsplit=1) or [""]  # «/» alone, or «/ » before words
    name, _, mention = first[0].partition("@")
    return name.lower(), mention


async def anything(message: Message, ctx: Ctx) -> None:
    """The explanation; with a form open (a mistyped command in it, «/reprot»), the current
    question follows it, as after any answer not taken, so the person sees where they are."""
    reply = await _explanation(message, ctx.viewer, ctx.bot)
    draft = await drafts.get_draft(ctx.session, ctx.viewer.tg_user_id)
    if draft is not None and is_theirs(draft, ctx.viewer):
        await FormChat(message, ctx).show(draft, note=reply)
    else:
        await message.answer(reply)


async def _explanation(message: Message, viewer: Viewer, bot: Bot) -> str:
    """Why the message was not taken, in the words that give a way on: a stranger learns how
    to begin, someone else's command is named as such, one's own sent to another bot too."""
    command = _command(message.text or message.caption)
    stranger = not (viewer.is_admin or viewer.is_chair or viewer.is_staff or viewer.curated)
    if stranger and viewer.closed_scopes:  # not «откройте ссылку» to a district's specialist
        return staff_texts.your_scope_archived(viewer.closed_scopes[0].name)
    if stranger and viewer.closed_curated:  # /curated of a curator whose ППО all closed
        return curator_texts.NONE_ACTIVE
    allowed = None if command is None else may_use(viewer, command[0])
    if command is not None and allowed is False:
        return common.STRANGER if stranger else common.NOT_YOUR_COMMAND
    if command is not None and allowed and await _for_another_bot(command[1], bot):
        return common.for_another_bot(*command)
    return common.STRANGER if stranger else common.UNKNOWN_INPUT


async def _for_another_bot(mention: str, bot: Bot) -> bool:
    """A command of the sender's addressed to another bot («/report@other_bot», copied from a
    group): the command filters let it pass by, so it is told here, not «не понял»."""
    if not mention:
        return False
    me = await bot.me()
    return mention.lower() != (me.username or "").lower()


async def any_button(query: CallbackQuery) -> None:
    await query.answer(common.NO_RIGHTS, show_alert=True)


def create_router() -> Router:
    router = Router(name="fallback")
    router.message.register(anything)
    router.callback_query.register(any_button)
    return router
