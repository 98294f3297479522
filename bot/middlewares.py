"""Per-update plumbing: one DB transaction per update, exactly-once application, who is asking."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiogram import BaseMiddleware
from aiogram.enums import ChatType
from aiogram.types import Chat, TelegramObject, Update, User
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from storage import outbox, people
from storage.models import Organization, Person, Role
from storage.updates import claim_update

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class DbSessionMiddleware(BaseMiddleware):
    """Runs each update inside one transaction and records its id in the same transaction.

    Polling confirms an update only after its handler returns (handle_as_tasks=False), so a
    crash before the commit gets the update redelivered and applied then, and a crash after
    the commit gets it redelivered and skipped here: every answer is applied exactly once.
    """

    def __init__(self, session_pool: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self.session_pool = session_pool
        self.clock = clock

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        async with self.session_pool() as session, session.begin():
            if not await claim_update(session, event.update_id, self.clock.now()):
                log.info("update %s was already applied; skipped", event.update_id)
                return None
            data["session"] = session
            return await handler(event, data)


@dataclass(frozen=True)
class Viewer:
    """The sender of an update and the rights they hold right now.

    Staff hold their role over a district or a region (``staff_scopes``), curators over ППО.
    """

    tg_user_id: int
    person: Person | None
    is_admin: bool
    chaired: Sequence[Organization] = ()
    staff_scopes: Sequence[Organization] = ()
    curated: Sequence[Organization] = ()

    @property
    def is_chair(self) -> bool:
        return bool(self.chaired)

    @property
    def is_staff(self) -> bool:
        return bool(self.staff_scopes)

    def chairs(self, org_id: int | None) -> bool:
        return any(org.id == org_id for org in self.chaired)

    def oversees(self, *org_ids: int | None) -> bool:
        """Admins oversee everything; staff their district or region (pass an org's ancestry)."""
        if self.is_admin:
            return True
        scopes = {org.id for org in self.staff_scopes}
        return any(org_id in scopes for org_id in org_ids if org_id is not None)


async def load_viewer(session: AsyncSession, tg_user_id: int, admin_ids: frozenset[int]) -> Viewer:
    grants = await people.active_grants(session, tg_user_id)

    def held(role: Role) -> list[Organization]:
        return [org for held_role, org in grants if held_role is role and org is not None]

    return Viewer(
        tg_user_id=tg_user_id,
        person=await people.get_person(session, tg_user_id),
        is_admin=tg_user_id in admin_ids or any(role is Role.ADMIN for role, _ in grants),
        chaired=[org for org in held(Role.CHAIR) if org.archived_at is None],
        staff_scopes=held(Role.STAFF),
        curated=held(Role.CURATOR),
    )


async def acting_person(session: AsyncSession, viewer: Viewer, user: User, now: datetime) -> Person:
    """The sender as a person of record (an admin may act before ever pressing /start)."""
    if viewer.person is not None:
        return viewer.person
    return await people.upsert_person(
        session, tg_user_id=user.id, full_name=user.full_name, username=user.username, now=now
    )


class ViewerMiddleware(BaseMiddleware):
    def __init__(self, admin_ids: frozenset[int]) -> None:
        self.admin_ids = admin_ids

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        session: AsyncSession | None = data.get("session")
        chat: Chat | None = data.get("event_chat")
        if user is not None and session is not None:
            viewer = await load_viewer(session, user.id, self.admin_ids)
            private = chat is None or chat.type == ChatType.PRIVATE  # groups change nothing
            if private and viewer.person is not None and viewer.person.unreachable_at is not None:
                # Someone who writes to the bot can be written to again (unblocked it).
                await outbox.mark_reachable(session, user.id)
            data["viewer"] = viewer
        return await handler(event, data)
