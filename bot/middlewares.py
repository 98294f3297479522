"""Per-update plumbing: one DB transaction per update, exactly-once application, who is asking."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update, User
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from storage import people
from storage.models import Organization, Person
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
    """The sender of an update and the rights they hold right now."""

    tg_user_id: int
    person: Person | None
    is_admin: bool
    chaired: Sequence[Organization]

    @property
    def is_chair(self) -> bool:
        return bool(self.chaired)

    def chairs(self, org_id: int | None) -> bool:
        return any(org.id == org_id for org in self.chaired)


class ViewerMiddleware(BaseMiddleware):
    def __init__(self, admin_ids: frozenset[int]) -> None:
        self.admin_ids = admin_ids

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        session: AsyncSession | None = data.get("session")
        if user is not None and session is not None:
            data["viewer"] = Viewer(
                tg_user_id=user.id,
                person=await people.get_person(session, user.id),
                is_admin=user.id in self.admin_ids,
                chaired=await people.chaired_orgs(session, user.id),
            )
        return await handler(event, data)
