"""Telegram says when a person blocks or unblocks the bot (``my_chat_member`` in the private
chat): reminders and the digest's 📵 follow at once, not at the next refused message, and a
chair who unblocks the bot without writing to it is written to again."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.types import ChatMemberUpdated
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from storage import outbox


async def blocked_or_unblocked(
    update: ChatMemberUpdated, session: AsyncSession, clock: Clock
) -> None:
    person = update.from_user.id
    if update.new_chat_member.status == ChatMemberStatus.KICKED:
        await outbox.mark_person_unreachable(session, person, clock.now())
    elif update.new_chat_member.status == ChatMemberStatus.MEMBER:
        await outbox.mark_reachable(session, person)


def create_router() -> Router:
    router = Router(name="reachability")
    router.my_chat_member.register(blocked_or_unblocked, F.chat.type == ChatType.PRIVATE)
    return router
