"""Per-update plumbing: one DB transaction per update, exactly-once application, who is asking."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.middlewares.user_context import UserContextMiddleware
from aiogram.enums import ChatType
from aiogram.types import Chat, TelegramObject, Update, User
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery import outgoing
from bot.delivery.limiter import Pacer
from bot.domain.clock import Clock
from bot.domain.viewer import load_viewer
from bot.wiring.context import Ctx
from bot.wiring.update_files import kept_for_the_update
from storage import drafts, outbox
from storage.engine import holds_no_write_lock
from storage.transient import UNIQUE_VIOLATION, is_transient, sqlstate
from storage.updates import claim_update, was_applied

log = logging.getLogger(__name__)

UPDATE_ATTEMPTS = 5
RETRY_BACKOFF_SECONDS = 0.02  # times the try number, jittered ±50 %

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

#: Set in the handler data of an update fed again after it was applied (``handlers.replayed``).
REPLAYED = "replayed"


def chat_key_of(update: Update) -> int:
    """Whose turn an update takes: its chat's id, the sender's id when there is no chat, 0
    when neither. The updates of one key are applied in order, those of different keys side
    by side (the inbox's workers, the webhook's per-chat locks, the advisory lock below)."""
    context = UserContextMiddleware.resolve_event_context(update)
    if context.chat is not None:
        return context.chat.id
    return context.user.id if context.user is not None else 0


async def wait_for_chat_turn(session: AsyncSession, chat_key: int) -> None:
    """On PostgreSQL, hold the chat's advisory lock until the transaction ends: two replicas
    then never apply updates of one chat at once (the second waits, then sees the first's
    commit). The key is the chat id itself, in the one-bigint key space; the leader's lock
    (``storage/leadership.py``) lies far beyond any chat id. SQLite has one process."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("select pg_advisory_xact_lock(:key)"), {"key": chat_key})


class DatabaseBusyError(RuntimeError):
    """The database stayed busy through every try: the answer was not saved."""


class DbSessionMiddleware(BaseMiddleware):
    """Applies each update in one transaction that records its id, then sends its replies.

    An update reaches here from the inbox (polling, ``bot/wiring/inbox.py``) or from a
    webhook request answered only after this returns; a crash before the commit gets it fed
    again and applied then, a crash after it gets it fed again and skipped: every answer is
    applied exactly once. On PostgreSQL the transaction first waits for its chat's turn
    (:func:`wait_for_chat_turn`), so replicas keep each chat's order too. The update's id is
    written last, so a transaction that only reads never takes SQLite's write lock (its id is
    then written in a short transaction of its own, see :meth:`_apply`); replies
    are held until the commit (``bot.delivery.outgoing``), so no transaction waits on Telegram. A
    transient database error re-runs the whole update (its held replies dropped), first in a
    transaction that takes the write lock when it first writes, then, on SQLite, in ones that
    take it up front and so cannot fail the same way again.
    """

    def __init__(
        self,
        reading_pool: async_sessionmaker[AsyncSession],
        writing_pool: async_sessionmaker[AsyncSession],
        clock: Clock,
        limiter: Pacer,
        *,
        attempts: int = UPDATE_ATTEMPTS,
    ) -> None:
        self.pools = (reading_pool, writing_pool)
        self.clock = clock
        self.limiter = limiter
        self.attempts = attempts

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        with kept_for_the_update():
            return await self._tries(handler, event, data)

    async def _tries(self, handler: Handler, event: Update, data: dict[str, Any]) -> Any:
        for attempt in range(1, self.attempts + 1):
            held, token = outgoing.hold()
            try:
                result = await self._apply(handler, event, data, attempt)
            except _AlreadyApplied:
                log.info("update %s was already applied; not applied again", event.update_id)
                held.calls.clear()  # those of a try another replica's commit made void
                result = await self._show_again(handler, event, data)
            except DBAPIError as error:
                if not is_transient(error):
                    raise
                if attempt == self.attempts:
                    if sqlstate(error) == UNIQUE_VIOLATION:
                        raise  # the same clash on every fresh run: a bug, not a busy database
                    log.error(
                        "update %s: database busy after %d tries: %s",
                        event.update_id,
                        attempt,
                        error.orig,
                    )
                    raise DatabaseBusyError from error
                log.info("update %s: transient database error, try %d", event.update_id, attempt)
                await asyncio.sleep(random.uniform(0.5, 1.5) * RETRY_BACKOFF_SECONDS * attempt)
                continue
            finally:
                outgoing.release(token)
            chat: Chat | None = data.get("event_chat")
            await outgoing.send_held(
                data["bot"], held, self.limiter, event.update_id, chat.id if chat else None
            )
            return result
        return None  # unreachable: the last try returns or raises

    async def _apply(
        self, handler: Handler, event: Update, data: dict[str, Any], attempt: int
    ) -> Any:
        """One try: on SQLite the first defers the write lock to the first write (most
        updates write only at their end), the next ones take it up front."""
        pool = self.pools[0] if attempt == 1 else self.pools[1]
        async with pool() as session, session.begin():
            await wait_for_chat_turn(session, chat_key_of(event))
            if await was_applied(session, event.update_id):
                raise _AlreadyApplied
            result = await handler(event, {**data, "session": session})
            read_only = attempt == 1 and await holds_no_write_lock(session)
            if not read_only:
                await self._claim(session, event.update_id)
                return result
        # An update that only read (a table, a digest) is recorded in a transaction of its own:
        # its long read never has to become a write, which fails on SQLite once anyone else
        # has written since it began (and would then be run again holding the write lock).
        async with self.pools[1]() as session, session.begin():
            await self._claim(session, event.update_id)
        return result

    async def _show_again(self, handler: Handler, event: Update, data: dict[str, Any]) -> Any:
        """An update fed again after it was applied: its replies may never have gone out (the
        process stopped while they waited). A person in the middle of a form, who wrote
        privately, is shown where it stands (by the one router that takes ``REPLAYED``
        updates), lest an answer typed again be taken for the next question; nothing is
        applied, and anyone else gets nothing."""
        chat: Chat | None = data.get("event_chat")
        user: User | None = data.get("event_from_user")
        personal = event.message or event.edited_message or event.callback_query
        if chat is None or chat.type != ChatType.PRIVATE or personal is None or user is None:
            return None
        async with self.pools[0]() as session, session.begin():
            if await drafts.get_draft(session, user.id) is None:
                return None
            return await handler(event, {**data, "session": session, REPLAYED: True})

    async def _claim(self, session: AsyncSession, update_id: int) -> None:
        if not await claim_update(session, update_id, self.clock.now()):
            raise _AlreadyApplied  # by another process meanwhile: roll this one back


class _AlreadyApplied(Exception):
    """The update was applied before: nothing to do, nothing to send."""


class ViewerMiddleware(BaseMiddleware):
    """Who is asking (``viewer``) and, with it, the handler context ``ctx`` (:class:`Ctx`)."""

    def __init__(self, admin_ids: frozenset[int]) -> None:
        self.admin_ids = admin_ids

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        session: AsyncSession | None = data.get("session")
        chat: Chat | None = data.get("event_chat")
        if user is not None and session is not None:
            viewer = await load_viewer(session, user.id, self.admin_ids)
            private = chat is None or chat.type == ChatType.PRIVATE  # groups change nothing
            wrote = not (isinstance(event, Update) and event.my_chat_member)  # not a (un)block
            reachable_again = viewer.person is not None and viewer.person.unreachable_at
            if private and wrote and reachable_again:
                # Someone who writes to the bot can be written to again (unblocked it).
                await outbox.mark_reachable(session, user.id)
            data["viewer"] = viewer
            data["ctx"] = Ctx(
                data["bot"], session, viewer, data["settings"], data["clock"], data["workers"]
            )
        return await handler(event, data)
