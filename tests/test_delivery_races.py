"""Races at the edges of delivery and errors: a message withdrawn while it waited in the
sender's queue is not sent, an edited answer that fails is answered like any other, and the
scheduled digests are built holding no write lock, nor does a retried upload download its
file again."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import GetFile, Response, SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

import bot.delivery.digests as digests
import bot.wiring.middlewares as middlewares
from bot.rendering.xlsx import build_table_xlsx
from bot.texts import common
from bot.wiring.scheduler import calendar_tick
from handlers import admin
from harness import ADMIN, Harness, background, texts
from scenarios import CHAIR, DISTRICT, HEADERS, ROWS, join, setup_district
from storage import outbox
from storage.collections import cancel_pending_reminders
from storage.engine import SQLITE_BUSY_TIMEOUT_MS
from storage.models import Organization
from storage.outbox import OutboxKind
from storage.outbox_keys import KeyPurpose, outbox_key
from storage.updates import claim_update
from test_staff_tools import district_with_staff


class BeforeEach(BaseRequestMiddleware):
    """Awaits ``hook(method)`` as each call of type ``kind`` leaves for the server; counts."""

    def __init__(self, kind: type[TelegramMethod[Any]], hook: Any) -> None:
        self.kind, self.hook, self.calls = kind, hook, 0

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if isinstance(method, self.kind):
            self.calls += 1
            await self.hook(method)
        return await make_request(bot, method)


async def test_a_reminder_withdrawn_while_queued_in_the_sender_is_not_sent(
    harness: Harness,
) -> None:
    """The chair's report commits while the wave's rows for their chat are claimed and wait
    in the sender's queue: the reminder it withdrew is not sent («вы не сдали» right after
    sending), the message before it is."""
    h = harness
    chair, collection_id, org_id = 777, 5, 42
    first = outbox_key(KeyPurpose.ANNOUNCEMENT, 1, chair)
    reminder = outbox_key(KeyPurpose.REMINDER, collection_id, org_id, "after1", chair)
    async with h.session_pool() as session, session.begin():
        for key in (first, reminder):
            await outbox.enqueue(
                session,
                key=key,
                chat_id=chair,
                kind=OutboxKind.TEXT,
                payload={"text": f"text {key}"},
                not_before=h.clock.now(),
                now=h.clock.now(),
            )

    async def submitted_meanwhile(method: SendMessage) -> None:
        if first in method.text:  # the chair's report commits while the first message is in flight
            async with h.session_pool() as session, session.begin():
                assert (
                    await cancel_pending_reminders(
                        session, collection_id=collection_id, org_id=org_id
                    )
                    == 1
                )

    h.bot.session.middleware(BeforeEach(SendMessage, submitted_meanwhile))
    await background(h).deliverer.drain()

    got = [r.plain_text or "" for r in h.server.requests if r.method == "sendMessage" and r.ok]
    assert any(first in text for text in got)
    assert not any(reminder in text for text in got), "a cancelled reminder was sent"


async def test_an_edited_answer_that_fails_is_answered_like_any_other(
    harness: Harness, monkeypatch: Any
) -> None:
    """A chair corrects an answer by editing it; when that update fails (the database stayed
    busy), the chair is told so, as for a message or a tap, not left with nothing."""
    h = harness
    await join(h)
    await h.send(CHAIR, "/report")
    answered = h.server.message(CHAIR, "54")
    await h.feed(answered)
    sent = h.server.get_update(answered)["message"]

    async def always_busy(session: Any, update_id: int, now: Any) -> bool:
        raise OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(middlewares, "claim_update", always_busy)
    monkeypatch.setattr(middlewares, "RETRY_BACKOFF_SECONDS", 0)
    edited = {**sent, "text": "45", "edit_date": sent["date"] + 5}
    replies = await h.feed(h.server.add_update({"edited_message": edited}))

    assert texts(replies) == [common.BUSY]


def _write_lock_free(path: str) -> bool:
    """Whether another connection can take SQLite's write lock while this thread draws.

    It may wait for another writer's short transaction (the sender claiming its next rows
    goes on while a digest is drawn), never for the drawing's own session: that one would
    hold the lock until this returns, and the wait fails at the busy timeout."""
    probe = sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()


async def test_a_scheduled_digest_is_built_holding_no_write_lock(
    sqlite_harness: Harness, clock: Any, monkeypatch: Any
) -> None:
    """Each staff member's Monday digest is built (the district read, its text written, when
    it is sent) with SQLite's one write lock free: no chair's answer waits behind the digests."""
    h = sqlite_harness
    await district_with_staff(h)
    path = h.engine.url.database
    assert path is not None
    seen: list[bool] = []
    real = digests.digest_text

    def watched(digest: Any) -> str:
        seen.append(_write_lock_free(path))
        return real(digest)

    monkeypatch.setattr(digests, "digest_text", watched)
    clock.moment = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)  # Monday 09:30 in Moscow
    bg = background(h)
    await calendar_tick(bg)
    await bg.deliverer.drain()
    assert seen and all(seen), seen


async def test_a_retried_upload_does_not_download_its_file_again(
    sqlite_harness: Harness, monkeypatch: Any
) -> None:
    """/import whose first try met another chat's commit during the download is run again,
    holding SQLite's write lock from its start: that try takes the bytes of the first instead
    of making every chat wait for a second download. The list is imported once."""
    h = sqlite_harness
    await setup_district(h)
    tries: list[int] = []
    real = admin.downloaded

    async def counted(*args: Any, **kwargs: Any) -> bytes | None:
        tries.append(1)
        return await real(*args, **kwargs)

    async def another_chat_commits(_: GetFile) -> None:
        async with h.session_pool() as session, session.begin():
            await claim_update(session, 10**9, h.clock.now())

    monkeypatch.setattr(admin, "downloaded", counted)
    fetches = BeforeEach(GetFile, another_chat_commits)
    h.bot.session.middleware(fetches)
    bigger = build_table_xlsx("ППО", HEADERS, [*ROWS, (DISTRICT, "МБОУ СОШ № 2", 30, "")])
    await h.upload(ADMIN, bigger, "list.xlsx", caption="/import")

    assert len(tries) >= 2, "the import was not run again"
    assert fetches.calls == 1
    async with h.session_pool() as session:
        named = Organization.name == "МБОУ СОШ № 2"
        assert len((await session.scalars(select(Organization.id).where(named))).all()) == 1
