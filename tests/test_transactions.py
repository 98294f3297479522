"""An update's answer is saved whatever the database or Telegram does meanwhile.

Replies leave after the commit, a transient database error re-runs the update without
sending anything twice, a 429 on a reply waits and sends it, and a bug is answered once.
No database connection is held while Telegram is called or a file is drawn, and on SQLite
reading takes no write lock.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

import pytest
from aiogram import Bot, F
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Message
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

import bot.wiring.middlewares
import handlers.staff
from bot.delivery.files import Drawing, RenderedFile
from bot.delivery.limiter import RateLimiter
from bot.delivery.sender import Deliverer
from bot.rendering.rating import rating_xlsx
from bot.texts import common
from bot.texts.forms import BTN_CANCEL
from harness import FAST_DELIVERY, Harness, texts
from scenarios import CHAIR, join
from storage import outbox
from storage.engine import create_reading_pool, holds_no_write_lock
from storage.models import FormDraft, MembershipReport, Person
from test_staff_tools import STAFF, district_with_staff, submit


async def draft_step(h: Harness) -> str:
    async with h.session_pool() as session:
        return (await session.scalars(select(FormDraft))).one().step


def fail_claims(monkeypatch: pytest.MonkeyPatch, times: int, error: Exception) -> list[int]:
    """Make recording the update id fail ``times`` times: the last write of every update."""
    real = bot.wiring.middlewares.claim_update
    calls: list[int] = []

    async def flaky(session: Any, update_id: int, now: Any) -> bool:
        calls.append(update_id)
        if len(calls) <= times:
            raise error
        return await real(session, update_id, now)

    monkeypatch.setattr(bot.wiring.middlewares, "claim_update", flaky)
    return calls


def locked() -> OperationalError:
    return OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))


class SerializationFailure(Exception):
    """What asyncpg's error looks like through SQLAlchemy: it carries the SQLSTATE."""

    sqlstate = "40001"


class UniqueViolation(Exception):
    """A row another chat committed between this update's check and its insert."""

    sqlstate = "23505"


def unique_violation() -> IntegrityError:
    return IntegrityError("INSERT", {}, UniqueViolation())


TRANSIENT: dict[str, Callable[[], Exception]] = {
    "sqlite locked": locked,
    "pg serialization failure": lambda: OperationalError("UPDATE", {}, SerializationFailure()),
    "pg unique violation": unique_violation,
    "pg connection dropped": lambda: DBAPIError(
        "SELECT", {}, ConnectionResetError("closed"), connection_invalidated=True
    ),
}


@pytest.mark.parametrize("error", TRANSIENT.values(), ids=TRANSIENT.keys())
async def test_transient_error_reruns_the_update_and_replies_once(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, error: Callable[[], Exception]
) -> None:
    await join(harness)
    await harness.send(CHAIR, "/report")
    calls = fail_claims(monkeypatch, 2, error())

    replies = await harness.send(CHAIR, "54")

    assert len(calls) == 3  # two busy tries, then applied
    assert await draft_step(harness) == "members"
    sent = texts(replies)
    assert len(sent) == 1
    assert "членов профсоюза" in sent[0]


async def test_database_busy_on_every_try_says_so_and_keeps_earlier_answers(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await join(harness)
    await harness.send(CHAIR, "/report")
    await harness.send(CHAIR, "54")
    fail_claims(monkeypatch, 100, locked())

    replies = await harness.send(CHAIR, "40")

    assert texts(replies) == [common.BUSY]
    assert await draft_step(harness) == "members"  # the 54 is kept, the 40 was not applied
    failures = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(failures) == 1
    assert "database busy after 5 tries" in failures[0]


async def test_a_unique_violation_on_every_try_is_answered_as_a_bug(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A clash that a fresh run meets again is no race another chat won: the person is told
    of an error (not to try later), and it is logged once as a failure."""
    await join(harness)
    await harness.send(CHAIR, "/report")
    calls = fail_claims(monkeypatch, 100, unique_violation())

    replies = await harness.send(CHAIR, "54")

    assert len(calls) == 5  # bounded by the tries an update gets
    assert texts(replies) == [common.ERROR]
    assert await draft_step(harness) == "workers"
    failures = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(failures) == 1
    assert "failed" in failures[0]


async def test_reply_refused_with_429_is_sent_after_retry_after(harness: Harness) -> None:
    await join(harness)
    await harness.send(CHAIR, "/report")
    harness.server.fail_next("sendMessage", error_code=429, retry_after=1, chat_id=CHAIR)

    replies = await harness.send(CHAIR, "54")

    refused = [r for r in replies if r.method == "sendMessage" and r.error_code == 429]
    delivered = [r for r in replies if r.method == "sendMessage" and r.ok]
    assert len(refused) == 1
    assert len(delivered) == 1
    assert "членов профсоюза" in (delivered[0].plain_text or "")
    assert delivered[0].at - refused[0].at >= 1.0
    assert await draft_step(harness) == "members"


async def test_a_reply_telegram_refuses_is_not_left_unsaid(harness: Harness) -> None:
    """A reply refused with 400 after the commit (a bug: too long, bad markup): the answer is
    kept, and the person is told once that the reply could not be shown."""
    await join(harness)
    await harness.send(CHAIR, "/report")
    harness.server.fail_next(
        "sendMessage", error_code=400, description="Bad Request: message is too long"
    )

    replies = await harness.send(CHAIR, "54")

    delivered = [r.plain_text for r in replies if r.method == "sendMessage" and r.ok]
    assert delivered == [common.REPLY_REFUSED]
    assert await draft_step(harness) == "members"


@pytest.mark.parametrize(
    ("description", "logged"),
    [
        ("Bad Request: query is too old and response timeout expired or query ID is invalid", 0),
        ("Bad Request: MESSAGE_TOO_LONG", 1),
    ],
)
async def test_a_tap_answer_refused_for_a_bug_is_logged_as_an_error(
    harness: Harness, caplog: pytest.LogCaptureFixture, description: str, logged: int
) -> None:
    """A tap answered too late is refused in normal use: nothing to log. An answer refused for
    anything else (an alert over Telegram's 200 characters) left the person with a spinner and
    no word: a bug, logged as an error."""
    await join(harness)
    [question] = [r for r in await harness.send(CHAIR, "/report") if r.method == "sendMessage"]
    harness.server.fail_next("answerCallbackQuery", error_code=400, description=description)

    await harness.tap(CHAIR, question, BTN_CANCEL)

    failures = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len([f for f in failures if "AnswerCallbackQuery refused" in f]) == logged


async def test_a_bug_is_answered_once_logged_once_and_saves_nothing(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await join(harness)
    await harness.send(CHAIR, "/report")
    calls = fail_claims(monkeypatch, 1, KeyError("a bug"))

    replies = await harness.send(CHAIR, "54")

    assert len(calls) == 1  # a bug is not retried
    assert texts(replies) == [common.ERROR]
    assert await draft_step(harness) == "workers"
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(failures) == 1
    assert "failed" in failures[0].getMessage()


class ConnectionsAtEachCall(BaseRequestMiddleware):
    """Records, for every call that reaches Telegram, how many database connections were
    checked out of the pool at that moment (inside the holding middleware: real calls only)."""

    def __init__(self, h: Harness) -> None:
        self.pool = h.engine.sync_engine.pool
        self.seen: list[tuple[str, int]] = []

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        self.seen.append((type(method).__name__, self.pool.checkedout()))  # type: ignore[attr-defined]
        return await make_request(bot, method)


async def test_no_connection_is_held_while_telegram_is_called(harness: Harness) -> None:
    await join(harness)
    probe = ConnectionsAtEachCall(harness)
    harness.bot.session.middleware(probe)

    await submit(harness)  # the whole form: messages, the summary's buttons, a callback

    methods = {name for name, _ in probe.seen}
    assert {"SendMessage", "AnswerCallbackQuery"} <= methods
    assert [(name, held) for name, held in probe.seen if held] == []
    async with harness.session_pool() as session:
        assert await session.scalar(select(func.count()).select_from(MembershipReport)) == 1


async def test_files_are_drawn_after_the_commit_in_a_worker_thread(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await district_with_staff(harness)
    await submit(harness)
    pool = harness.engine.sync_engine.pool
    drawn: list[tuple[str, bool, int]] = []

    def watched(name: str, draw: Callable[..., bytes]) -> Callable[..., bytes]:
        def wrapper(*args: Any) -> bytes:
            in_worker = threading.current_thread() is not threading.main_thread()
            drawn.append((name, in_worker, pool.checkedout()))  # type: ignore[attr-defined]
            return draw(*args)

        return wrapper

    monkeypatch.setattr(handlers.staff, "rating_xlsx", watched("rating_xlsx", rating_xlsx))

    replies = await harness.send(STAFF, "/rating")

    assert [r.method for r in replies if r.method.startswith("send")] == [
        "sendMessage",
        "sendDocument",
    ]
    assert drawn == [("rating_xlsx", True, 0)]


async def test_the_sender_draws_a_file_with_no_session_open(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    drawn: list[tuple[bool, bool]] = []

    async def probe(session: Any, payload: dict[str, Any]) -> Drawing:
        assert await session.scalar(select(func.count()).select_from(Person)) == 0  # loads

        def draw() -> RenderedFile:
            in_worker = threading.current_thread() is not threading.main_thread()
            drawn.append((in_worker, session.in_transaction()))
            return RenderedFile("probe.xlsx", b"PK\x03\x04", payload["caption"], as_photo=False)

        return draw

    async with h.session_pool() as session, session.begin():
        await outbox.enqueue(
            session,
            key="probe:1",
            chat_id=CHAIR,
            kind="probe",
            payload={"caption": "Таблица"},
            not_before=h.clock.now(),
            now=h.clock.now(),
        )
    sender = Deliverer(
        h.bot,
        h.session_pool,
        h.clock,
        FAST_DELIVERY,
        {"probe": probe},
        reading_pool=create_reading_pool(h.engine),
    )

    report = await sender.drain()

    assert report.sent == 1
    assert drawn == [(True, False)]  # in a worker thread, the loading session closed
    assert [name for name, _ in h.server.sent_files(CHAIR)] == ["probe.xlsx"]


async def test_on_sqlite_reading_and_one_writer_do_not_wait_for_each_other(
    sqlite_harness: Harness,
) -> None:
    h = sqlite_harness
    reading = create_reading_pool(h.engine)
    count = select(func.count()).select_from(FormDraft)
    async with h.session_pool() as writer, writer.begin():
        await writer.execute(FormDraft.__table__.delete())  # holds the write lock
        async with reading() as reader:  # a read meanwhile does not wait for it
            assert await asyncio.wait_for(reader.scalar(count), timeout=2) == 0
    async with reading() as reader:
        assert await reader.scalar(count) == 0  # a read transaction stays open...
        async with h.session_pool() as writer, writer.begin():  # ...and a writer goes on
            await asyncio.wait_for(writer.execute(FormDraft.__table__.delete()), timeout=2)


def test_a_reply_is_a_burst_the_outbox_keeps_its_spacing_after_it() -> None:
    now = [100.0]
    limiter = RateLimiter(30, 1.0, monotonic=lambda: now[0])

    first = limiter.try_acquire(CHAIR, burst=True)
    assert first is not None
    assert limiter.try_acquire(CHAIR, burst=True) is None  # never two at once to one chat
    first.release()
    second = limiter.try_acquire(CHAIR, burst=True)  # the answer's next message: no wait
    assert second is not None
    second.release()

    assert limiter.try_acquire(CHAIR) is None  # the outbox's next message there waits...
    assert limiter.ready_in(CHAIR) == pytest.approx(1.0)
    now[0] += 1.0
    assert limiter.try_acquire(CHAIR) is not None  # ...the per-chat second


async def test_an_update_that_only_read_is_not_run_again_when_someone_wrote_meanwhile(
    sqlite_harness: Harness,
) -> None:
    """A long read (a region table) that others write during: SQLite would refuse to turn its
    snapshot into a write, and running it again would hold the write lock all along."""
    h, runs = sqlite_harness, []

    async def read_while_another_writes(message: Message, session: AsyncSession) -> None:
        runs.append(await session.scalar(select(func.count()).select_from(Person)))
        async with h.session_pool() as other, other.begin():  # another chat's answer
            other.add(Person(tg_user_id=4242, full_name="Другой", created_at=h.clock.now()))
        await message.answer("read")

    h.dp.message.register(read_while_another_writes, F.text == "read")
    replies = await h.send(CHAIR, "read")

    assert len(runs) == 1  # applied once, in the first try
    assert texts(replies) == ["read"]
    async with h.session_pool() as session:
        assert await session.scalar(select(func.count()).select_from(Person)) == runs[0] + 1


async def test_only_a_transaction_that_wrote_holds_sqlite_s_write_lock(
    sqlite_harness: Harness,
) -> None:
    reading = create_reading_pool(sqlite_harness.engine)
    async with reading() as session, session.begin():
        await session.scalar(select(func.count()).select_from(Person))
        assert await holds_no_write_lock(session)
        session.add(Person(tg_user_id=1, full_name="Новый", created_at=sqlite_harness.clock.now()))
        assert not await holds_no_write_lock(session)  # pending: written at the commit
        await session.flush()
        assert not await holds_no_write_lock(session)
    async with reading() as session, session.begin():
        assert await holds_no_write_lock(session)  # a new transaction starts clean
    async with sqlite_harness.session_pool() as session, session.begin():
        assert not await holds_no_write_lock(session)  # BEGIN IMMEDIATE took it up front


async def test_on_postgresql_a_transaction_never_counts_as_lock_free(
    postgres_harness: Harness,
) -> None:
    reading = create_reading_pool(postgres_harness.engine)
    async with reading() as session, session.begin():
        await session.scalar(select(func.count()).select_from(Person))
        assert not await holds_no_write_lock(session)
