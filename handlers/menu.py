"""The command menu each role sees in Telegram, and the matching /help text."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from bot.middlewares import Viewer
from bot.texts import common as t

log = logging.getLogger(__name__)

STRANGER_COMMANDS = (("start", t.CMD_START), ("help", t.CMD_HELP))
CHAIR_COMMANDS = (
    ("report", t.CMD_REPORT),
    ("event", t.CMD_EVENT),
    ("events", t.CMD_EVENTS),
    ("passport", t.CMD_PASSPORT),
    ("history", t.CMD_HISTORY),
    ("cancel", t.CMD_CANCEL),
    ("help", t.CMD_HELP),
)
ADMIN_COMMANDS = (
    ("import", t.CMD_IMPORT),
    ("template", t.CMD_TEMPLATE),
    ("orgs", t.CMD_ORGS),
    ("invites", t.CMD_INVITES),
    ("help", t.CMD_HELP),
)


def commands_for(*, is_admin: bool, is_chair: bool) -> list[BotCommand]:
    chosen: dict[str, str] = {}
    if is_chair:
        chosen.update(CHAIR_COMMANDS)
    if is_admin:
        chosen.update(ADMIN_COMMANDS)
    if not chosen:
        chosen.update(STRANGER_COMMANDS)
    return [BotCommand(command=name, description=text) for name, text in chosen.items()]


def help_text(viewer: Viewer) -> str:
    parts = []
    if viewer.is_chair:
        parts.append(t.HELP_CHAIR)
    if viewer.is_admin:
        parts.append(t.HELP_ADMIN)
    return "\n\n".join(parts) or t.HELP_STRANGER


async def set_chat_menu(bot: Bot, chat_id: int, *, is_admin: bool, is_chair: bool) -> None:
    """Best effort: a menu that fails to update must not break the conversation."""
    try:
        await bot.set_my_commands(
            commands_for(is_admin=is_admin, is_chair=is_chair),
            scope=BotCommandScopeChat(chat_id=chat_id),
        )
    except TelegramAPIError as error:
        log.warning("could not set the command menu for chat %s: %s", chat_id, error)


async def set_default_menus(bot: Bot, admin_ids: frozenset[int]) -> None:
    """At start: strangers' menu for everyone, the admin menu in each admin's chat."""
    try:
        await bot.set_my_commands(
            commands_for(is_admin=False, is_chair=False), scope=BotCommandScopeDefault()
        )
    except TelegramAPIError as error:
        log.warning("could not set the default command menu: %s", error)
    for admin_id in admin_ids:
        await set_chat_menu(bot, admin_id, is_admin=True, is_chair=False)
