"""Groups and channels: the bot works in private chats only.

Added to a group, a bot that obeyed commands there would post the database (/backup) and
every bearer link (/invites) for all members to see. So in a group or channel a command gets
one short answer pointing to the private chat, a button an alert, anything else silence;
nothing is read from or written to the database.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Message

from bot.texts import common

PRIVATE = F.chat.type == ChatType.PRIVATE
PRIVATE_BUTTON = F.message.chat.type == ChatType.PRIVATE


def _is_command(message: Message) -> bool:
    return bool((message.text or message.caption or "").startswith("/"))


async def command_in_group(message: Message, bot: Bot) -> None:
    if _is_command(message):
        username = (await bot.me()).username or ""
        await message.reply(common.private_only(username))


async def button_in_group(query: CallbackQuery) -> None:
    await query.answer(common.PRIVATE_ONLY_ALERT, show_alert=True)


def create_router() -> Router:
    router = Router(name="groups")
    router.message.register(command_in_group, ~PRIVATE)
    router.channel_post.register(command_in_group)
    router.callback_query.register(button_in_group, ~PRIVATE_BUTTON)
    return router
