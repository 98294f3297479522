"""One table of commands and who may use them: it drives the Telegram menu, /help and refusals.
The forms' commands are derived from their declarations (``bot/forms/registry.py``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    ReplyKeyboardRemove,
)

from bot.domain.audience import Audience, audience_of
from bot.domain.calendar import CalendarSettings
from bot.domain.passport_report import AGREEMENT_NOTICE
from bot.domain.viewer import Viewer, load_viewer
from bot.forms.registry import FORMS
from bot.texts import common as t
from bot.texts import curator as tcu
from bot.texts import district_events as tde
from bot.texts import event_report as ter
from bot.texts import guides
from bot.texts import history_import as thi
from bot.texts import passport_report as tpr
from bot.texts import plans as tpl
from bot.texts import trends as ttr
from bot.wiring.context import Ctx
from handlers.keyboards import chair_menu
from handlers.replies import chunks

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CommandInfo:
    name: str
    description: str
    audience: Audience


def _form_commands(audience: Audience) -> tuple[CommandInfo, ...]:
    """The commands of the forms declared for exactly ``audience`` (bot/forms/registry.py)."""
    return tuple(
        CommandInfo(form.menu.command, form.menu.description, form.audience)
        for form in FORMS
        if form.menu is not None and form.audience == audience
    )


def _commands(audience: Audience, *commands: tuple[str, str]) -> tuple[CommandInfo, ...]:
    """(name, description) pairs for one audience, stated once for the group."""
    return tuple(CommandInfo(name, description, audience) for name, description in commands)


A = Audience
COMMANDS: tuple[CommandInfo, ...] = (
    *_form_commands(A.CHAIR),
    *_commands(
        A.CHAIR, ("events", t.CMD_EVENTS), ("history", t.CMD_HISTORY), ("pause", t.CMD_PAUSE)
    ),
    *_commands(
        A.STAFF | A.ADMIN,
        ("status", t.CMD_STATUS),
        ("digest", t.CMD_DIGEST),
        ("export", t.CMD_EXPORT),
        ("eventsreport", ter.CMD_EVENTSREPORT),
        ("showevent", ter.CMD_SHOWEVENT),
        ("devents", tde.CMD_DEVENTS),
        ("rating", t.CMD_RATING),
        ("passports", tpr.CMD_PASSPORTS),
        ("trends", ttr.CMD_TRENDS),
        ("loadhistory", thi.CMD_LOADHISTORY),
    ),
    *_form_commands(A.STAFF | A.ADMIN),
    *_commands(
        A.STAFF | A.ADMIN,
        ("paused", t.CMD_PAUSED),
        ("plan", tpl.CMD_PLAN),
        ("planedit", tpl.CMD_PLANEDIT),
        ("nocurator", tcu.CMD_NOCURATOR),
        ("audit", t.CMD_AUDIT),
    ),
    *_commands(
        A.ADMIN,
        ("import", t.CMD_IMPORT),
        ("template", t.CMD_TEMPLATE),
        ("orgs", t.CMD_ORGS),
        ("invites", t.CMD_INVITES),
        ("invite", t.CMD_INVITE),
        ("org", t.CMD_ORG),
        ("curator", t.CMD_CURATOR),
        ("backup", t.CMD_BACKUP),
        ("forget", t.CMD_FORGET),
    ),
    *_form_commands(A.ADMIN),
    CommandInfo("curated", tcu.CMD_CURATED, A.CURATOR),
    CommandInfo("cancel", t.CMD_CANCEL, A.ANYONE),
    CommandInfo("start", t.CMD_START, A.STRANGER),
    CommandInfo("help", t.CMD_HELP, A.ANYONE),
)
"""The forms' commands come from their declarations, each after the others of its audience."""
assert {f.menu.command for f in FORMS if f.menu} <= {c.name for c in COMMANDS}, (
    "a form declared for an audience with no place in COMMANDS"
)


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


def _guides(audience: Audience, calendar: CalendarSettings) -> list[str]:
    """The guides of every role the sender holds, chair's first (bot/texts/guides.py)."""
    found = []
    if audience & Audience.CHAIR:
        found.append(guides.chair_guide(calendar, agreement_notice_days=AGREEMENT_NOTICE.days))
    if audience & Audience.CURATOR:
        found.append(guides.CURATOR_GUIDE)
    if audience & (Audience.STAFF | Audience.ADMIN):
        found.append(guides.staff_guide({c.name for c in allowed_commands(audience)}, calendar))
    if audience & Audience.ADMIN:
        found.append(guides.ADMIN_GUIDE)
    return found


def help_messages(viewer: Viewer, calendar: CalendarSettings) -> list[str]:
    """/help: the commands, then the guides of the sender's roles, in as few messages as fit
    (a person holding every role gets two)."""
    blocks = [help_text(viewer)]
    for guide in _guides(audience_of(viewer), calendar):
        blocks += ["", guide]
    return chunks(blocks)


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


async def rights_narrowed(ctx: Ctx, tg_user_id: int, notice: str) -> None:
    """Someone lost a role (replaced, removed, their ППО closed): they are told why, the
    chair's keyboard goes when they chair nothing now, and their command menu shows what they
    may still do, so that no command they see answers «откройте ссылку-приглашение»."""
    viewer = await load_viewer(ctx.session, tg_user_id, ctx.settings.admin_ids)
    markup = None if viewer.is_chair else ReplyKeyboardRemove()
    await ctx.bot.send_message(tg_user_id, notice, reply_markup=markup)
    await set_chat_menu(ctx.bot, tg_user_id, audience_of(viewer))


async def rights_widened(ctx: Ctx, tg_user_id: int, notice: str) -> None:
    """Someone's role came back (their ППО, district or region restored from the archive): the
    mirror of :func:`rights_narrowed`: they are told, get the chair's keyboard back when they
    chair again, and their command menu shows the role's commands again."""
    viewer = await load_viewer(ctx.session, tg_user_id, ctx.settings.admin_ids)
    markup = chair_menu() if viewer.is_chair else None
    await ctx.bot.send_message(tg_user_id, notice, reply_markup=markup)
    await set_chat_menu(ctx.bot, tg_user_id, audience_of(viewer))


async def set_default_menus(bot: Bot, admins: dict[int, Audience]) -> None:
    """At start: strangers' menu for everyone, each admin's own menu in their chat."""
    try:
        await bot.set_my_commands(commands_for(Audience.STRANGER), scope=BotCommandScopeDefault())
    except TelegramAPIError as error:
        log.warning("could not set the default command menu: %s", error)
    for admin_id, audience in admins.items():
        await set_chat_menu(bot, admin_id, audience)
