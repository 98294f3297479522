"""One table of commands and who may use them: it drives the Telegram menu, /help and refusals."""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from bot.domain.viewer import Viewer
from bot.texts import common as t

log = logging.getLogger(__name__)


class Audience(enum.Flag):
    STRANGER = enum.auto()
    CURATOR = enum.auto()
    CHAIR = enum.auto()
    STAFF = enum.auto()
    ADMIN = enum.auto()
    ANYONE = STRANGER | CURATOR | CHAIR | STAFF | ADMIN


@dataclass(frozen=True)
class CommandInfo:
    name: str
    description: str
    audience: Audience


A = Audience
COMMANDS: tuple[CommandInfo, ...] = (
    CommandInfo("report", t.CMD_REPORT, A.CHAIR),
    CommandInfo("event", t.CMD_EVENT, A.CHAIR),
    CommandInfo("events", t.CMD_EVENTS, A.CHAIR),
    CommandInfo("passport", t.CMD_PASSPORT, A.CHAIR),
    CommandInfo("history", t.CMD_HISTORY, A.CHAIR),
    CommandInfo("pause", t.CMD_PAUSE, A.CHAIR),
    CommandInfo("status", t.CMD_STATUS, A.STAFF | A.ADMIN),
    CommandInfo("digest", t.CMD_DIGEST, A.STAFF | A.ADMIN),
    CommandInfo("export", t.CMD_EXPORT, A.STAFF | A.ADMIN),
    CommandInfo("rating", t.CMD_RATING, A.STAFF | A.ADMIN),
    CommandInfo("request", t.CMD_REQUEST, A.STAFF | A.ADMIN),
    CommandInfo("announce", t.CMD_ANNOUNCE, A.STAFF | A.ADMIN),
    CommandInfo("return", t.CMD_RETURN, A.STAFF | A.ADMIN),
    CommandInfo("paused", t.CMD_PAUSED, A.STAFF | A.ADMIN),
    CommandInfo("audit", t.CMD_AUDIT, A.STAFF | A.ADMIN),
    CommandInfo("import", t.CMD_IMPORT, A.ADMIN),
    CommandInfo("template", t.CMD_TEMPLATE, A.ADMIN),
    CommandInfo("orgs", t.CMD_ORGS, A.ADMIN),
    CommandInfo("invites", t.CMD_INVITES, A.ADMIN),
    CommandInfo("invite", t.CMD_INVITE, A.ADMIN),
    CommandInfo("org", t.CMD_ORG, A.ADMIN),
    CommandInfo("curator", t.CMD_CURATOR, A.ADMIN),
    CommandInfo("backup", t.CMD_BACKUP, A.ADMIN),
    CommandInfo("forget", t.CMD_FORGET, A.ADMIN),
    CommandInfo("cancel", t.CMD_CANCEL, A.ANYONE),
    CommandInfo("start", t.CMD_START, A.STRANGER),
    CommandInfo("help", t.CMD_HELP, A.ANYONE),
)


def audience_of(viewer: Viewer) -> Audience:
    audience = Audience(0)
    if viewer.is_chair:
        audience |= Audience.CHAIR
    if viewer.is_staff:
        audience |= Audience.STAFF
    if viewer.is_admin:
        audience |= Audience.ADMIN
    if viewer.curated:
        audience |= Audience.CURATOR
    return audience or Audience.STRANGER


def allowed_commands(audience: Audience) -> list[CommandInfo]:
    return [command for command in COMMANDS if command.audience & audience]


def may_use(viewer: Viewer, command: str) -> bool | None:
    """True or False for a known command, None for a command the bot does not have."""
    info = next((c for c in COMMANDS if c.name == command), None)
    return None if info is None else bool(info.audience & audience_of(viewer))


def help_text(viewer: Viewer) -> str:
    audience = audience_of(viewer)
    if audience is Audience.STRANGER:
        return t.HELP_STRANGER
    lines = [t.HELP_HEADER]
    lines += [f"/{c.name} — {c.description}" for c in allowed_commands(audience)]
    if audience & Audience.CHAIR:
        lines += ["", t.HELP_CHAIR_HINT]
    if audience & Audience.CURATOR:
        lines += ["", t.HELP_CURATOR_HINT]
    return "\n".join(lines)


def commands_for(audience: Audience) -> list[BotCommand]:
    return [
        BotCommand(command=c.name, description=c.description) for c in allowed_commands(audience)
    ]


async def set_chat_menu(bot: Bot, chat_id: int, audience: Audience) -> None:
    """Best effort: a menu that fails to update must not break the conversation."""
    try:
        await bot.set_my_commands(
            commands_for(audience), scope=BotCommandScopeChat(chat_id=chat_id)
        )
    except TelegramAPIError as error:
        log.warning("could not set the command menu for chat %s: %s", chat_id, error)


async def set_default_menus(bot: Bot, admins: dict[int, Audience]) -> None:
    """At start: strangers' menu for everyone, each admin's own menu in their chat."""
    try:
        await bot.set_my_commands(commands_for(Audience.STRANGER), scope=BotCommandScopeDefault())
    except TelegramAPIError as error:
        log.warning("could not set the default command menu: %s", error)
    for admin_id, audience in admins.items():
        await set_chat_menu(bot, admin_id, audience)
