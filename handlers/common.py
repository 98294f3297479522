"""Everyone: /start (with or without an invite code) and /help."""

from __future__ import annotations

import contextlib

from aiogram import F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import CommandObject
from aiogram.types import CallbackQuery, Message, User

from bot.domain import announcements, consent, corrections
from bot.domain.audience import Audience, audience_of
from bot.domain.viewer import Viewer
from bot.texts import admin as admin_texts
from bot.texts import chair as t
from bot.texts import common
from bot.texts import consent as tc
from bot.wiring.config import Settings
from bot.wiring.context import Ctx
from handlers import keyboards
from handlers.callbacks import ConsentCb, JoinCb
from handlers.filters import command, start_command
from handlers.form_chat import FormChat, is_theirs
from handlers.menu import help_messages, help_text, rights_narrowed, set_chat_menu
from storage import drafts, people
from storage.models import Person, Role
from storage.people import RedeemError

REDEEM_ERRORS = {
    RedeemError.UNKNOWN: t.INVITE_UNKNOWN,
    RedeemError.USED: t.INVITE_USED,
    RedeemError.EXPIRED: t.INVITE_EXPIRED,
    RedeemError.ARCHIVED: t.INVITE_ARCHIVED,
}


async def start_with_code(message: Message, command: CommandObject, ctx: Ctx) -> None:
    """A used, expired or unknown code is explained; a good one asks for consent first (once)."""
    user = message.from_user
    assert user is not None
    code = (command.args or "").strip()
    found = await consent.check_invite(
        ctx.session, code=code, person=ctx.viewer.person, now=ctx.now()
    )
    if found.used_by_sender:
        await message.answer(_joined_before(found, ctx))
    elif found.problem is not None or found.invite is None or found.org is None:
        await message.answer(REDEEM_ERRORS[found.problem or RedeemError.UNKNOWN])
    elif (person := ctx.viewer.person) is not None and consent.given(person):
        # Agreed before: one tap joins, unless it would take the ППО from its sitting chair.
        sitting = await consent.sitting_chair(ctx.session, found, person)
        if sitting is None:
            await _join(message, user, code, ctx, consented=False)
            return
        role = consent.ROLE_LABELS[found.invite.role]
        await message.answer(
            tc.join_question(found.org.name, role, sitting),
            reply_markup=keyboards.join_confirm(code),
        )
    else:
        await _ask_consent(message, found, code)


async def _ask_consent(message: Message, found: consent.InviteCheck, code: str) -> None:
    if found.problem is not None or found.invite is None or found.org is None:
        await message.answer(REDEEM_ERRORS[found.problem or RedeemError.UNKNOWN])
        return
    await message.answer(
        tc.request(found.org.name, consent.ROLE_LABELS[found.invite.role]),
        reply_markup=keyboards.consent_choice(code),
    )


async def consent_answer(query: CallbackQuery, callback_data: ConsentCb, ctx: Ctx) -> None:
    message = query.message
    if not isinstance(message, Message):
        await query.answer(tc.ANSWERED)
        return
    await query.answer(tc.ANSWERED)
    with contextlib.suppress(TelegramAPIError):
        await message.edit_reply_markup(reply_markup=None)
    code = callback_data.code
    found = await consent.check_invite(
        ctx.session, code=code, person=ctx.viewer.person, now=ctx.now()
    )
    if found.used_by_sender:  # joined meanwhile (a second consent question): nothing to undo
        await message.answer(_joined_before(found, ctx))
        return
    if not callback_data.agree:
        await message.answer(tc.declined(await consent.district_name(ctx.session, code)))
        return
    await _join(message, query.from_user, code, ctx, consented=True)


def _joined_before(found: consent.InviteCheck, ctx: Ctx) -> str:
    """The answer to one's own used link: joined already, or the role has passed on since."""
    assert found.invite is not None and found.org is not None  # the sender used this invite
    role = consent.ROLE_LABELS[found.invite.role]
    if ctx.viewer.holds(found.invite.role, found.org.id):
        return t.already_joined(role, found.org.name)
    return t.role_passed_on(role, found.org.name)


async def join_answer(query: CallbackQuery, callback_data: JoinCb, ctx: Ctx) -> None:
    """A registered person's «Да, подключиться» or «Нет» under a link's question."""
    await query.answer()
    message = query.message
    if not isinstance(message, Message):
        return
    with contextlib.suppress(TelegramAPIError):
        await message.edit_reply_markup(reply_markup=None)
    code = callback_data.code
    found = await consent.check_invite(
        ctx.session, code=code, person=ctx.viewer.person, now=ctx.now()
    )
    if found.used_by_sender:
        await message.answer(_joined_before(found, ctx))
    elif not callback_data.join:
        await message.answer(tc.NOT_JOINED)
    elif not consent.given(ctx.viewer.person):  # asked only of those who agreed: no way round
        await _ask_consent(message, found, code)
    else:
        await _join(message, query.from_user, code, ctx, consented=False)


async def _join(
    message: Message,
    user: User,
    code: str,
    ctx: Ctx,
    consented: bool,
) -> None:
    bot, viewer = ctx.bot, ctx.viewer
    result = await consent.join(
        ctx.session,
        code=code,
        tg_user_id=user.id,
        full_name=user.full_name,
        username=user.username,
        consented=consented,
        now=ctx.now(),
    )
    if isinstance(result, RedeemError):
        await message.answer(REDEEM_ERRORS[result])
        return
    if result.invite.role is Role.CHAIR:
        await message.answer(
            t.welcome(user.first_name, result.org.name),
            reply_markup=keyboards.chair_menu(),
        )
        await set_chat_menu(bot, user.id, audience_of(viewer) | Audience.CHAIR)
        owed = await corrections.correction_owed(ctx.session, result.org.id, result.org.name)
        if owed is not None:
            await message.answer(owed, reply_markup=keyboards.correction_button(result.org.id))
        await announcements.send_missed(
            ctx.session,
            chat_id=user.id,
            org=result.org,
            now=ctx.now(),
            default_tz=ctx.settings.timezone,
        )
    elif result.invite.role is Role.CURATOR:
        await message.answer(t.welcome_curator(user.first_name, result.org.name))
        await set_chat_menu(bot, user.id, audience_of(viewer) | Audience.CURATOR)
    else:
        await message.answer(t.welcome_staff(user.first_name, result.org.name))
        await set_chat_menu(bot, user.id, audience_of(viewer) | Audience.STAFF)
    previous = result.previous_chair
    person = await people.get_person(ctx.session, user.id)
    if previous is not None and person is not None and previous.id != person.id:
        await _announce_handover(ctx, result.org.name, previous, person)


async def _announce_handover(ctx: Ctx, org_name: str, previous: Person, successor: Person) -> None:
    """The replaced chair is told and loses the menu; admins see who took over."""
    bot, settings = ctx.bot, ctx.settings
    await rights_narrowed(ctx, previous.tg_user_id, t.replaced_chair(org_name))
    text = admin_texts.chair_changed(org_name, previous.full_name, successor.full_name)
    for admin_id in settings.admin_ids:
        with contextlib.suppress(TelegramAPIError):
            await bot.send_message(admin_id, text)


async def start(message: Message, ctx: Ctx) -> None:
    """/start again: the welcome, then the form left unfinished, if any, where it stopped:
    a person starting over would otherwise not know their answers wait for them."""
    viewer = ctx.viewer
    if viewer.is_chair:
        names = [org.name for org in viewer.chaired]
        await message.answer(t.welcome_back(names), reply_markup=keyboards.chair_menu())
    else:
        await message.answer(help_text(viewer))
    draft = await drafts.get_draft(ctx.session, viewer.tg_user_id)
    if draft is not None and is_theirs(draft, viewer):
        await FormChat(message, ctx).resume(draft)


async def help_command(message: Message, viewer: Viewer, settings: Settings) -> None:
    for part in help_messages(viewer, settings.calendar):
        await message.answer(part)


def create_router() -> Router:
    router = Router(name="common")
    router.message.register(start_with_code, start_command(deep_link=True))
    router.message.register(start, start_command())
    router.callback_query.register(consent_answer, ConsentCb.filter())
    router.callback_query.register(join_answer, JoinCb.filter())
    router.message.register(help_command, command("help"))
    router.message.register(help_command, F.text == common.MENU_HELP)
    return router
