"""Everyone: /start (with or without an invite code) and /help."""

from __future__ import annotations

import contextlib

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.middlewares import Viewer, load_viewer
from bot.texts import admin as admin_texts
from bot.texts import chair as t
from bot.texts import common
from handlers import keyboards
from handlers.menu import Audience, audience_of, help_text, set_chat_menu
from storage import people
from storage.models import Person, Role
from storage.people import RedeemError

REDEEM_ERRORS = {
    RedeemError.UNKNOWN: t.INVITE_UNKNOWN,
    RedeemError.USED: t.INVITE_USED,
    RedeemError.EXPIRED: t.INVITE_EXPIRED,
}


async def start_with_code(
    message: Message,
    command: CommandObject,
    bot: Bot,
    session: AsyncSession,
    viewer: Viewer,
    settings: Settings,
    clock: Clock,
) -> None:
    user = message.from_user
    assert user is not None
    code = (command.args or "").strip()
    if viewer.is_chair and await _already_used_by(session, code, viewer):
        await message.answer(t.welcome_back(common.name(viewer.chaired[0].name)))
        return
    now = clock.now()
    person = await people.upsert_person(
        session, tg_user_id=user.id, full_name=user.full_name, username=user.username, now=now
    )
    result = await people.redeem_invite(session, code=code, person=person, now=now)
    if isinstance(result, RedeemError):
        await message.answer(REDEEM_ERRORS[result])
        return
    if result.invite.role is Role.CHAIR:
        await message.answer(
            t.welcome(common.name(user.first_name), common.name(result.org.name)),
            reply_markup=keyboards.chair_menu(),
        )
        await set_chat_menu(bot, user.id, audience_of(viewer) | Audience.CHAIR)
    elif result.invite.role is Role.CURATOR:
        await message.answer(
            t.welcome_curator(common.name(user.first_name), common.name(result.org.name))
        )
        await set_chat_menu(bot, user.id, audience_of(viewer) | Audience.CURATOR)
    else:
        await message.answer(
            t.welcome_staff(common.name(user.first_name), common.name(result.org.name))
        )
        await set_chat_menu(bot, user.id, audience_of(viewer) | Audience.STAFF)
    previous = result.previous_chair
    if previous is not None and previous.id != person.id:
        await _announce_handover(bot, session, settings, result.org.name, previous, person)


async def _announce_handover(
    bot: Bot,
    session: AsyncSession,
    settings: Settings,
    org_name: str,
    previous: Person,
    successor: Person,
) -> None:
    """The replaced chair is told and loses the menu; admins see who took over."""
    with contextlib.suppress(TelegramAPIError):
        await bot.send_message(previous.tg_user_id, t.replaced_chair(common.name(org_name)))
    former = await load_viewer(session, previous.tg_user_id, settings.admin_ids)
    await set_chat_menu(bot, previous.tg_user_id, audience_of(former))
    text = admin_texts.chair_changed(org_name, previous.full_name, successor.full_name)
    for admin_id in settings.admin_ids:
        with contextlib.suppress(TelegramAPIError):
            await bot.send_message(admin_id, text)


async def _already_used_by(session: AsyncSession, code: str, viewer: Viewer) -> bool:
    """A chair tapping their own, already used link again is greeted, not scolded."""
    return viewer.person is not None and await people.invite_used_by(
        session, code=code, person_id=viewer.person.id
    )


async def start(message: Message, viewer: Viewer) -> None:
    if viewer.is_chair:
        names = ", ".join(common.name(org.name) for org in viewer.chaired)
        await message.answer(t.welcome_back(names), reply_markup=keyboards.chair_menu())
    else:
        await message.answer(help_text(viewer))


async def help_command(message: Message, viewer: Viewer) -> None:
    await message.answer(help_text(viewer))


def create_router() -> Router:
    router = Router(name="common")
    router.message.register(start_with_code, CommandStart(deep_link=True))
    router.message.register(start, CommandStart())
    router.message.register(help_command, Command("help"))
    router.message.register(help_command, F.text == common.MENU_HELP)
    return router
