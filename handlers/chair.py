"""Chairs of primary organizations: monitoring report and history."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.history import history_text
from bot.membership import open_form
from bot.middlewares import Viewer
from bot.texts import chair as t
from bot.texts import common
from handlers import keyboards
from handlers.callbacks import OrgPick
from handlers.filters import IsChair
from handlers.forms import resume, show_step
from storage import drafts
from storage.models import Organization


async def _start_report(
    message: Message, org: Organization, session: AsyncSession, settings: Settings, clock: Clock
) -> None:
    draft = await open_form(
        session,
        tg_user_id=message.chat.id,
        org=org,
        default_tz=settings.timezone,
        now=clock.now(),
    )
    await show_step(message, draft)


async def report(
    message: Message, session: AsyncSession, viewer: Viewer, settings: Settings, clock: Clock
) -> None:
    draft = await drafts.get_draft(session, viewer.tg_user_id)
    if draft is not None:
        await resume(message, draft)
        return
    if len(viewer.chaired) > 1:
        await message.answer(
            t.CHOOSE_ORG, reply_markup=keyboards.org_choice("membership", viewer.chaired)
        )
        return
    await _start_report(message, viewer.chaired[0], session, settings, clock)


async def org_picked(
    query: CallbackQuery,
    callback_data: OrgPick,
    session: AsyncSession,
    viewer: Viewer,
    settings: Settings,
    clock: Clock,
) -> None:
    org = next((o for o in viewer.chaired if o.id == callback_data.org_id), None)
    if org is None or not isinstance(query.message, Message):
        await query.answer(common.NO_RIGHTS, show_alert=True)
        return
    await query.answer()
    draft = await drafts.get_draft(session, viewer.tg_user_id)
    if draft is not None:
        await resume(query.message, draft)
        return
    await _start_report(query.message, org, session, settings, clock)


async def history(message: Message, session: AsyncSession, viewer: Viewer) -> None:
    for org in viewer.chaired:
        await message.answer(await history_text(session, org))


def create_router() -> Router:
    router = Router(name="chair")
    router.message.filter(IsChair())
    router.callback_query.filter(IsChair())
    router.message.register(report, Command("report"))
    router.message.register(report, F.text == common.MENU_REPORT)
    router.callback_query.register(org_picked, OrgPick.filter())
    router.message.register(history, Command("history"))
    router.message.register(history, F.text == common.MENU_HISTORY)
    return router
