"""The outbox and its deliverer against the fake Bot API server, on SQLite and PostgreSQL.

Nothing lost, nothing duplicated, Telegram's limits kept: through 429/502/403 answers, a
network outage, a restart in the middle of a wave and a catch-up after a downtime.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import struct
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from datetime import timedelta
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.files import Drawing, RenderedFile, Renderer
from bot.delivery.limiter import RateLimiter
from bot.delivery.sender import PAUSES_IN_A_ROW, Deliverer
from bot.wiring.config import DeliverySettings
from conftest import FakeClock
from fakes.telegram_server import FakeTelegramServer, Request
from outbox_queries import pending_count, sent_since, stats
from storage import outbox, people
from storage.engine import create_engine, create_session_pool
from storage.models import OutboxMessage, OutboxStatus, Person

TOKEN = "123456:TEST-fake-telegram-token"
SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})


# --------------------------------------------------------------------------- helpers


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(token=TOKEN) as fake:
        yield fake
        assert fake.internal_errors == []


def make_bot(base_url: str) -> Bot:
    return Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(base_url)))


@pytest.fixture
async def bot(server: FakeTelegramServer) -> AsyncIterator[Bot]:
    bot = make_bot(server.base_url)
    try:
        yield bot
    finally:
        await bot.session.close()


def deliverer(
    bot: Bot,
    pool: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    renderers: dict[str, Renderer] | None = None,
    **settings: Any,
) -> Deliverer:
    return Deliverer(
        bot,
        pool,
        clock,
        DeliverySettings(**settings),
        renderers=renderers,
        rng=random.Random(7),
    )


async def seed(
    pool: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    chats: Iterable[int],
    *,
    purpose: str = "deadline",
    not_before_offset: timedelta = timedelta(0),
    kind: str = "text",
    payload: dict[str, Any] | None = None,
) -> list[str]:
    """One message per chat; its text ends with its key, so deliveries can be counted."""
    keys: list[str] = []
    async with pool() as session, session.begin():
        for chat in chats:
            key = f"remind:1:{chat}:{purpose}:{chat}"
            body = payload or {"text": f"<b>Напоминание</b> {key}"}
            assert await outbox.enqueue(
                session,
                key=key,
                chat_id=chat,
                kind=kind,
                payload=body,
                not_before=clock.now() + not_before_offset,
                now=clock.now(),
            )
            keys.append(key)
    return keys


def sends(server: FakeTelegramServer) -> list[Request]:
    return [request for request in server.requests if request.method in SEND_METHODS]


def delivered(server: FakeTelegramServer) -> Counter[str]:
    """How many times each key was delivered (successful sends, by the key in the text)."""
    counts: Counter[str] = Counter()
    for request in sends(server):
        if request.ok:
            counts[(request.plain_text or "").rsplit(" ", 1)[-1]] += 1
    return counts


async def rows(pool: async_sessionmaker[AsyncSession]) -> dict[str, OutboxMessage]:
    async with pool() as session:
        return {row.key: row for row in (await session.scalars(select(OutboxMessage))).all()}


async def add_person(
    pool: async_sessionmaker[AsyncSession], tg_user_id: int, clock: FakeClock
) -> None:
    async with pool() as session, session.begin():
        await people.upsert_person(
            session,
            tg_user_id=tg_user_id,
            full_name=f"Председатель {tg_user_id}",
            username=None,
            now=clock.now(),
        )


async def person(pool: async_sessionmaker[AsyncSession], tg_user_id: int) -> Person:
    async with pool() as session:
        found = await people.get_person(session, tg_user_id)
    assert found is not None
    return found


def png(width: int = 4, height: int = 3) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I4sII", 13, b"IHDR", width, height) + b"\0" * 8


# --------------------------------------------------------------------------- outbox storage


async def test_enqueue_is_idempotent_by_key(session_pool, clock: FakeClock) -> None:
    args: dict[str, Any] = {
        "key": "digest:5:2026-11-21:42:1",
        "chat_id": 42,
        "kind": "text",
        "payload": {"text": "Сводка"},
        "not_before": clock.now(),
        "now": clock.now(),
    }
    async with session_pool() as session, session.begin():
        assert await outbox.enqueue(session, **args) is True
    async with session_pool() as session, session.begin():
        assert await outbox.enqueue(session, **{**args, "payload": {"text": "другая"}}) is False
        # The caller's transaction is still good for other work.
        assert await outbox.enqueue(session, **{**args, "key": "digest:5:2026-11-21:42:2"})

    async with session_pool() as session:
        assert await pending_count(session) == 2
        first = await outbox.by_key(session, "digest:5:2026-11-21:42:1")
        assert first is not None
        assert (first.payload, first.status, first.attempts) == (
            {"text": "Сводка"},
            OutboxStatus.PENDING,
            0,
        )


async def test_concurrent_enqueue_of_one_key_stores_one_row(
    session_pool, db_url: str, clock: FakeClock
) -> None:
    """Two transactions enqueue the same key: one row, the loser gets False and its
    transaction stays usable. On PostgreSQL the loser's snapshot predates the winner's
    commit, so its lookup misses and the insert itself hits the unique key (the
    SAVEPOINT path); SQLite serialises writers, so its lookup sees the winner's row."""
    args: dict[str, Any] = {
        "key": "remind:1:1:deadline:7",
        "chat_id": 7,
        "kind": "text",
        "payload": {"text": "x"},
        "not_before": clock.now(),
        "now": clock.now(),
    }
    postgres = db_url.startswith("postgresql")
    async with session_pool() as loser:
        if postgres:
            await loser.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            assert await loser.scalar(select(func.count()).select_from(OutboxMessage)) == 0
        async with session_pool() as winner, winner.begin():
            assert await outbox.enqueue(winner, **args) is True
        assert await outbox.enqueue(loser, **args) is False
        assert await outbox.enqueue(loser, **{**args, "key": "remind:1:1:deadline:8"}) is True
        await loser.commit()
    async with session_pool() as session:
        keys = (await session.scalars(select(OutboxMessage.key).order_by(OutboxMessage.key))).all()
    assert keys == ["remind:1:1:deadline:7", "remind:1:1:deadline:8"]


async def test_claiming_takes_due_rows_oldest_first(session_pool, clock: FakeClock) -> None:
    await seed(session_pool, clock, [1], purpose="late", not_before_offset=timedelta(hours=-2))
    await seed(session_pool, clock, [2], purpose="now")
    await seed(session_pool, clock, [3], purpose="future", not_before_offset=timedelta(hours=1))
    await seed(session_pool, clock, [4], purpose="oldest", not_before_offset=timedelta(days=-1))
    lease = timedelta(minutes=1)
    async with session_pool() as session, session.begin():
        two = await outbox.claim_due(session, now=clock.now(), limit=2, holder="a", lease=lease)
        assert [row.chat_id for row in two] == [4, 1]
        rest = await outbox.claim_due(session, now=clock.now(), limit=10, holder="a", lease=lease)
        assert [row.chat_id for row in rest] == [2]  # the claimed ones are not due again
        sent = {"holder": "a", "sent": two[0].payload}
        assert await outbox.mark_sent(session, two[0].id, clock.now(), **sent)
        assert not await outbox.mark_sent(session, two[0].id, clock.now(), **sent)  # not pending
        await outbox.release_claims(session, holder="a", ids=[two[1].id, rest[0].id])
    async with session_pool() as session:
        assert await outbox.next_due_at(session) == clock.now() - timedelta(hours=2)
        counts = await stats(session)
        assert counts == {
            OutboxStatus.PENDING: 3,
            OutboxStatus.SENT: 1,
            OutboxStatus.UNREACHABLE: 0,
            OutboxStatus.FAILED: 0,
        }
        assert await sent_since(session, clock.now()) == 1


async def test_a_withdrawn_row_is_recorded_sent_only_by_the_sender_that_held_it(
    session_pool, clock: FakeClock
) -> None:
    """Rows withdrawn while claimed (failed, the claim left): the one ``a`` holds, whose call
    went, is recorded sent by ``a``, not by ``b``; one withdrawn with no claim stays failed."""
    await seed(session_pool, clock, [1, 2])
    lease = timedelta(minutes=1)
    async with session_pool() as session, session.begin():
        held = await outbox.claim_due(session, now=clock.now(), limit=1, holder="a", lease=lease)
        withdrawn = (await session.scalars(select(OutboxMessage))).all()
        for row in withdrawn:
            row.status, row.error = OutboxStatus.FAILED, "submitted"
    (one,) = held
    other = next(row.id for row in withdrawn if row.id != one.id)
    async with session_pool() as session, session.begin():
        assert not await outbox.mark_sent(session, one.id, clock.now(), holder="b", sent={})
        assert not await outbox.mark_sent(session, other, clock.now(), holder="a", sent={})
        assert await outbox.mark_sent(session, one.id, clock.now(), holder="a", sent={})
    found = {row.id: row for row in (await rows(session_pool)).values()}
    assert (found[one.id].status, found[one.id].error) == (OutboxStatus.SENT, None)
    assert found[one.id].payload == one.payload  # the withdrawn row keeps its text
    assert (found[other].status, found[other].error) == (OutboxStatus.FAILED, "submitted")


async def test_a_row_deleted_on_its_way_does_not_lend_its_id_to_the_next(
    session_pool, clock: FakeClock
) -> None:
    """The newest row is deleted while its call is on its way (an archiving, a district
    event's move) and another is queued: it gets an id of its own, so the sender's record of
    the call that went (by id, with what went) does not finish the new row, which stays
    pending with its own text. SQLite gave the deleted id again (no AUTOINCREMENT): a move
    notice was recorded sent with the invitation's text and never went."""
    await seed(session_pool, clock, [1, 2])
    lease = timedelta(minutes=1)
    async with session_pool() as session, session.begin():
        newest = max((await session.scalars(select(OutboxMessage))).all(), key=lambda r: r.id)
        newest.claimed_by, newest.claimed_until = "a", clock.now() + lease
        went = dict(newest.payload)
    async with session_pool() as session, session.begin():
        await session.execute(delete(OutboxMessage).where(OutboxMessage.id == newest.id))
    (queued,) = await seed(session_pool, clock, [3], purpose="moved")
    async with session_pool() as session, session.begin():
        await outbox.mark_sent(session, newest.id, clock.now(), holder="a", sent=went)
    found = (await rows(session_pool))[queued]
    assert found.id != newest.id
    assert (found.status, found.payload["text"].endswith(queued)) == (OutboxStatus.PENDING, True)


# --------------------------------------------------------------------------- delivery


async def test_wave_to_50_chats_is_delivered_exactly_once(
    server: FakeTelegramServer, bot: Bot, session_pool, clock: FakeClock
) -> None:
    chats = list(range(1001, 1051))
    buttons = [[{"text": "📊 Заполнить", "callback_data": "report:1"}]]
    keys = await seed(session_pool, clock, chats[:-1])
    keys += await seed(
        session_pool,
        clock,
        chats[-1:],
        purpose="button",
        payload={"text": "<b>Сдайте отчёт</b> remind:1:1050:button:1050", "buttons": buttons},
    )
    sender = deliverer(bot, session_pool, clock)

    report = await sender.drain()

    assert (report.sent, report.failed, report.unreachable, report.retried) == (50, 0, 0, 0)
    assert delivered(server) == Counter(dict.fromkeys(keys, 1))
    for chat in chats:
        assert len(server.messages_to(chat)) == 1
    last = server.messages_to(1050)[0]
    assert last.params["parse_mode"] == "HTML"
    assert last.params["link_preview_options"] == {"is_disabled": True}
    assert last.buttons() == [("📊 Заполнить", "report:1")]
    stored = await rows(session_pool)
    assert {row.status for row in stored.values()} == {OutboxStatus.SENT}
    assert {row.sent_at for row in stored.values()} == {clock.now()}

    # A second drain (or a second run after a restart) has nothing to send.
    again = await deliverer(bot, session_pool, clock).drain()
    assert again.sent == 0
    assert len(sends(server)) == 50


@pytest.mark.parametrize("concurrency", [1, 4])
async def test_429_pauses_every_send_and_loses_nothing(
    server: FakeTelegramServer, bot: Bot, session_pool, clock: FakeClock, concurrency: int
) -> None:
    chats = list(range(2001, 2051))
    keys = await seed(session_pool, clock, chats)
    server.fail_next("sendMessage", error_code=429, retry_after=1, chat_id=2005)
    sender = deliverer(bot, session_pool, clock, concurrency=concurrency)

    report = await sender.drain()

    assert delivered(server) == Counter(dict.fromkeys(keys, 1))
    assert report.sent == 50
    assert [(pause.chat_id, pause.retry_after) for pause in report.pauses] == [(2005, 1)]
    assert all(row.attempts == 0 for row in (await rows(session_pool)).values())

    requests = sends(server)
    limited = next(i for i, request in enumerate(requests) if request.error_code == 429)
    pause_start = requests[limited].at
    during_pause = [r for r in requests[limited + 1 :] if r.at < pause_start + 1.0]
    # Only calls already in flight when the 429 came back may arrive during the pause:
    # with one call at a time, none at all. (Without the pause, the remaining ~45 chats
    # would go out within that second at 30/s.)
    assert len(during_pause) <= concurrency - 1
    retried = next(r for r in requests[limited + 1 :] if r.chat_id == 2005)
    assert retried.ok
    assert retried.at >= pause_start + 1.0
    pause = report.pauses[0]
    assert pause.until - pause.started == pytest.approx(1.0)


async def test_a_chat_refused_with_429_again_and_again_waits_its_backoff(
    server: FakeTelegramServer, bot: Bot, session_pool, clock: FakeClock
) -> None:
    """Each 429 pauses every chat; a message that draws three in a row goes back to wait its
    backoff instead of pausing the whole bot again and again."""
    keys = await seed(session_pool, clock, [2101, 2102, 2103])
    server.fail_next("sendMessage", error_code=429, retry_after=1, chat_id=2102, times=10)

    report = await deliverer(bot, session_pool, clock).drain()

    assert [pause.chat_id for pause in report.pauses] == [2102] * PAUSES_IN_A_ROW
    assert delivered(server) == Counter({keys[0]: 1, keys[2]: 1})
    refused = (await rows(session_pool))[keys[1]]
    assert refused.status == OutboxStatus.PENDING and refused.attempts == 1
    assert refused.not_before > clock.now() and "429" in (refused.error or "")


async def test_502_twice_then_success_is_delivered_once_with_attempts(
    server: FakeTelegramServer, bot: Bot, session_pool, clock: FakeClock
) -> None:
    keys = await seed(session_pool, clock, [3001, 3002])
    server.fail_next("sendMessage", error_code=502, chat_id=3001, times=2)
    sender = deliverer(bot, session_pool, clock, backoff_base_seconds=10)

    first = await sender.drain()
    assert (first.sent, first.retried) == (1, 1)
    row = (await rows(session_pool))[keys[0]]
    assert (row.status, row.attempts, row.error) == (OutboxStatus.PENDING, 1, "Bad Gateway")
    assert (
        clock.now() + timedelta(seconds=5) <= row.not_before <= clock.now() + timedelta(seconds=10)
    )

    assert (await sender.drain()).handled == 0  # backing off: not due yet
    clock.advance(seconds=10)
    second = await sender.drain()
    assert (second.sent, second.retried) == (0, 1)
    row = (await rows(session_pool))[keys[0]]
    assert row.attempts == 2
    assert row.not_before >= clock.now() + timedelta(seconds=10)  # doubled: 20 s * 0.5..1

    clock.advance(seconds=20)
    third = await sender.drain()
    assert (third.sent, third.retried) == (1, 0)
    row = (await rows(session_pool))[keys[0]]
    assert (row.status, row.attempts, row.sent_at) == (OutboxStatus.SENT, 2, clock.now())
    assert delivered(server) == Counter({keys[0]: 1, keys[1]: 1})
    assert [r.error_code for r in sends(server) if r.chat_id == 3001] == [502, 502, None]


async def test_gives_up_after_max_attempts(
    server: FakeTelegramServer, bot: Bot, session_pool, clock: FakeClock
) -> None:
    [key] = await seed(session_pool, clock, [3101])
    server.fail_next("sendMessage", error_code=500, chat_id=3101, times=10)
    sender = deliverer(bot, session_pool, clock, max_attempts=3, backoff_base_seconds=1)
    outcomes = []
    for _ in range(4):
        report = await sender.drain()
        outcomes.append((report.retried, report.failed))
        clock.advance(minutes=5)
    assert outcomes == [(1, 0), (1, 0), (0, 1), (0, 0)]
    row = (await rows(session_pool))[key]
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 3)
    assert row.error == "gave up after 3 attempts: Internal Server Error"
    assert len(sends(server)) == 3


@contextlib.asynccontextmanager
async def offline_bot() -> AsyncIterator[Bot]:
    """A bot whose API address nothing listens on any more: every call is refused to connect,
    as when the office line is down."""
    gone = FakeTelegramServer(token=TOKEN)
    await gone.start()
    dead_url = gone.base_url
    await gone.stop()
    dead_bot = make_bot(dead_url)
    try:
        yield dead_bot
    finally:
        await dead_bot.session.close()


async def test_network_outage_drops_nothing(
    server: FakeTelegramServer, session_pool, clock: FakeClock
) -> None:
    keys = await seed(session_pool, clock, range(3201, 3211))
    async with offline_bot() as dead_bot:
        report = await deliverer(dead_bot, session_pool, clock).drain()
    assert (report.sent, report.retried, report.failed) == (0, 10, 0)
    stored = await rows(session_pool)
    assert {(row.status, row.attempts) for row in stored.values()} == {(OutboxStatus.PENDING, 1)}

    clock.advance(minutes=1)
    live_bot = make_bot(server.base_url)
    try:
        report = await deliverer(live_bot, session_pool, clock).drain()
    finally:
        await live_bot.session.close()
    assert report.sent == 10
    assert delivered(server) == Counter(dict.fromkeys(keys, 1))


async def test_a_long_outage_gives_up_nothing(
    server: FakeTelegramServer, session_pool, clock: FakeClock
) -> None:
    """The office line is down for 35 minutes (over the 16-32 minutes that ``max_attempts``
    of backoff last): a connection that fails for every chat is waited out, not counted
    against the messages; they all go once it is back, retried at most the cap apart."""
    keys = await seed(session_pool, clock, range(3301, 3306))
    async with offline_bot() as dead_bot:
        dead = deliverer(dead_bot, session_pool, clock, max_attempts=3, backoff_cap_seconds=600)
        for _ in range(35):
            assert (await dead.drain()).failed == 0
            clock.advance(minutes=1)
    stored = await rows(session_pool)
    assert {row.status for row in stored.values()} == {OutboxStatus.PENDING}
    assert min(row.attempts for row in stored.values()) > 3
    assert max(row.not_before for row in stored.values()) <= clock.now() + timedelta(minutes=10)

    clock.advance(minutes=10)
    live_bot = make_bot(server.base_url)
    try:
        assert (await deliverer(live_bot, session_pool, clock).drain()).sent == 5
    finally:
        await live_bot.session.close()
    assert delivered(server) == Counter(dict.fromkeys(keys, 1))


async def test_a_server_error_right_after_a_long_outage_is_tried_again(
    server: FakeTelegramServer, session_pool, clock: FakeClock
) -> None:
    """Five attempts failed with no network (more than ``max_attempts``); the line comes back
    and Telegram answers one 500: that is the message's first failure, retried soon, not
    the last of a limit the outage spent."""
    [key] = await seed(session_pool, clock, [3401])
    async with offline_bot() as dead_bot:
        dead = deliverer(dead_bot, session_pool, clock, max_attempts=3, backoff_cap_seconds=600)
        for _ in range(5):
            await dead.drain()
            clock.advance(minutes=10)
    assert ((await rows(session_pool))[key].attempts, (await rows(session_pool))[key].outages) == (
        5,
        5,
    )

    server.fail_next("sendMessage", error_code=500, chat_id=3401, times=1)
    live_bot = make_bot(server.base_url)
    try:
        live = deliverer(live_bot, session_pool, clock, max_attempts=3, backoff_base_seconds=1)
        assert ((report := await live.drain()).retried, report.failed) == (1, 0)
        row = (await rows(session_pool))[key]
        assert (row.status, row.attempts, row.outages) == (OutboxStatus.PENDING, 6, 5)
        assert row.not_before <= clock.now() + timedelta(seconds=1)  # a first failure's backoff
        clock.advance(seconds=1)
        assert (await live.drain()).sent == 1
    finally:
        await live_bot.session.close()


async def test_a_database_error_while_drawing_is_retried(
    server: FakeTelegramServer, bot: Bot, session_pool, clock: FakeClock
) -> None:
    """The table's data could not be read once (a dropped connection): the table still
    comes, on the next drain, instead of failing for good as a broken renderer does."""
    failures = iter([OperationalError("SELECT 1", {}, ConnectionResetError("reset"))])

    async def table(session: AsyncSession, payload: dict[str, Any]) -> Drawing:
        if (error := next(failures, None)) is not None:
            raise error
        return lambda: RenderedFile("svodka.xlsx", b"PK\x03\x04 xlsx", "Таблица", False)

    async with session_pool() as session, session.begin():
        await outbox.enqueue(
            session,
            key="digest:7:2026-11-21:5101:3",
            chat_id=5101,
            kind="digest_table",
            payload={},
            not_before=clock.now(),
            now=clock.now(),
        )
    sender = deliverer(bot, session_pool, clock, {"digest_table": table})
    assert (await sender.drain()).failed == 0
    clock.advance(hours=1)
    assert (await sender.drain()).sent == 1
    assert [name for name, _ in server.sent_files(5101)] == ["svodka.xlsx"]


async def test_403_marks_the_chair_unreachable_and_spares_the_others(
    server: FakeTelegramServer, bot: Bot, session_pool, clock: FakeClock
) -> None:
    for chat in (4001, 4002, 4003):
        await add_person(session_pool, chat, clock)
    keys = await seed(session_pool, clock, [4001, 4002, 4003])
    server.block_chat(4002)

    report = await deliverer(bot, session_pool, clock).drain()

    assert (report.sent, report.unreachable) == (2, 1)
    stored = await rows(session_pool)
    assert stored[keys[1]].status == OutboxStatus.UNREACHABLE
    assert stored[keys[1]].error == "Forbidden: bot was blocked by the user"
    assert (stored[keys[0]].status, stored[keys[2]].status) == (OutboxStatus.SENT,) * 2
    assert (await person(session_pool, 4002)).unreachable_at == clock.now()
    assert (await person(session_pool, 4001)).unreachable_at is None
    assert (await person(session_pool, 4003)).unreachable_at is None
    assert delivered(server) == Counter({keys[0]: 1, keys[2]: 1})

    # Writing to the bot again makes the chair reachable.
    async with session_pool() as session, session.begin():
        assert await outbox.mark_reachable(session, 4002) is True
        assert await outbox.mark_reachable(session, 4002) is False
    assert (await person(session_pool, 4002)).unreachable_at is None


async def test_chat_not_found_is_unreachable_other_400_fails(
    server: FakeTelegramServer, bot: Bot, session_pool, clock: FakeClock
) -> None:
    lost, ok = await seed(session_pool, clock, [4101, 4102])
    [broken] = await seed(
        session_pool, clock, [4103], purpose="html", payload={"text": "<b>не закрыт"}
    )
    server.fail_next(
        "sendMessage", error_code=400, description="Bad Request: chat not found", chat_id=4101
    )

    report = await deliverer(bot, session_pool, clock).drain()

    assert (report.sent, report.unreachable, report.failed, report.retried) == (1, 1, 1, 0)
    stored = await rows(session_pool)
    assert stored[lost].status == OutboxStatus.UNREACHABLE
    assert stored[broken].status == OutboxStatus.FAILED
    assert "can't parse entities" in (stored[broken].error or "")
    assert stored[ok].status == OutboxStatus.SENT
    assert len(sends(server)) == 3  # one call each, no retries of permanent errors


async def test_rendered_kinds_are_sent_as_photo_and_document(
    server: FakeTelegramServer, bot: Bot, session_pool, clock: FakeClock
) -> None:
    seen: list[dict[str, Any]] = []

    async def chart(session: AsyncSession, payload: dict[str, Any]) -> Drawing:
        assert await session.scalar(text("SELECT 1")) == 1  # a live session to read with
        seen.append(payload)
        return lambda: RenderedFile("chart.png", png(), f"<b>Охват</b> {payload['key']}", True)

    async def table(session: AsyncSession, payload: dict[str, Any]) -> Drawing:
        caption = f"Таблица {payload['key']}"
        return lambda: RenderedFile("svodka.xlsx", b"PK\x03\x04 xlsx", caption, False)

    async def broken(session: AsyncSession, payload: dict[str, Any]) -> Drawing:
        raise RuntimeError("no data for the chart")

    renderers: dict[str, Renderer] = {
        "digest_chart": chart,
        "digest_table": table,
        "broken": broken,
    }
    chart_key, table_key, broken_key, unknown_key = (
        f"digest:7:2026-11-21:5001:{part}" for part in (1, 2, 3, 4)
    )
    async with session_pool() as session, session.begin():
        for key, kind in (
            (chart_key, "digest_chart"),
            (table_key, "digest_table"),
            (broken_key, "broken"),
            (unknown_key, "mystery"),
        ):
            await outbox.enqueue(
                session,
                key=key,
                chat_id=5001,
                kind=kind,
                payload={"key": key, "scope": 7},
                not_before=clock.now(),
                now=clock.now(),
            )

    report = await deliverer(bot, session_pool, clock, renderers).drain()

    assert (report.sent, report.failed) == (2, 2)
    assert seen == [{"key": chart_key, "scope": 7}]
    assert [(r.method, r.ok) for r in sends(server)] == [
        ("sendPhoto", True),
        ("sendDocument", True),
    ]  # in enqueue order, one chat
    assert [name for name, _ in server.sent_files(5001)] == ["chart.png", "svodka.xlsx"]
    assert server.sent_files(5001)[0][1] == png()
    assert delivered(server) == Counter({chart_key: 1, table_key: 1})
    stored = await rows(session_pool)
    assert stored[broken_key].status == OutboxStatus.FAILED
    assert stored[broken_key].error == "render: RuntimeError: no data for the chart"
    assert stored[unknown_key].status == OutboxStatus.FAILED
    assert "no renderer for kind 'mystery'" in (stored[unknown_key].error or "")


async def test_limits_are_kept_against_an_enforcing_server(
    server: FakeTelegramServer, bot: Bot, session_pool, clock: FakeClock
) -> None:
    server.enforce_limits(per_second_global=20, per_chat_per_second=1)
    chats = list(range(6001, 6031))
    keys = await seed(session_pool, clock, chats)
    keys += await seed(session_pool, clock, chats[:10], purpose="second")  # per-chat spacing

    report = await deliverer(
        bot, session_pool, clock, global_per_second=20, per_chat_per_second=1
    ).drain()

    assert server.limit_violations == Counter()
    assert report.pauses == []
    assert report.sent == 40
    assert delivered(server) == Counter(dict.fromkeys(keys, 1))
    for chat in chats[:10]:
        first, second = server.messages_to(chat)
        assert "deadline" in (first.text or "")  # in enqueue order
        assert second.at - first.at >= 1.0


async def test_restart_in_the_middle_of_a_wave_sends_each_once(
    server: FakeTelegramServer, bot: Bot, session_pool, db_url: str, clock: FakeClock
) -> None:
    keys = await seed(session_pool, clock, range(7001, 7041))
    stop = asyncio.Event()
    first = deliverer(bot, session_pool, clock, global_per_second=20)
    running = asyncio.create_task(first.run_forever(stop))
    await server.wait_for(lambda request: len(delivered(server)) >= 5)
    stop.set()
    await running

    before = delivered(server)
    assert 5 <= len(before) < 40
    stored = await rows(session_pool)
    # A clean stop records every call it made: the database agrees with the server.
    assert {key for key, row in stored.items() if row.status == OutboxStatus.SENT} == set(before)

    # The restarted bot: a new process with its own engine and Bot session.
    engine = create_engine(db_url)
    new_bot = make_bot(server.base_url)
    try:
        report = await deliverer(new_bot, create_session_pool(engine), clock).drain()
    finally:
        await new_bot.session.close()
        await engine.dispose()
    assert report.sent == 40 - len(before)
    assert delivered(server) == Counter(dict.fromkeys(keys, 1))


async def test_cancelled_drain_finishes_calls_in_flight_and_restart_sends_the_rest(
    server: FakeTelegramServer, bot: Bot, session_pool, clock: FakeClock
) -> None:
    keys = await seed(session_pool, clock, range(7101, 7141))
    draining = asyncio.create_task(
        deliverer(bot, session_pool, clock, global_per_second=20).drain()
    )
    await server.wait_for(lambda request: len(delivered(server)) >= 8)
    draining.cancel()
    with pytest.raises(asyncio.CancelledError):
        await draining

    before = delivered(server)
    assert 8 <= len(before) < 40
    stored = await rows(session_pool)
    assert {key for key, row in stored.items() if row.status == OutboxStatus.SENT} == set(before)

    report = await deliverer(bot, session_pool, clock).drain()
    assert report.sent == 40 - len(before)
    assert delivered(server) == Counter(dict.fromkeys(keys, 1))


@pytest.mark.parametrize("restart", [False, True])
async def test_crash_window_between_call_and_commit(
    server: FakeTelegramServer,
    bot: Bot,
    session_pool,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    restart: bool,
) -> None:
    """The documented at-least-once window: the call succeeded, its commit did not.

    The same deliverer records the outcome later without sending again; a restarted one
    (the outcome lost with the process) leaves the row alone while the dead one's lease runs,
    then sends that one message a second time, and only it.
    """
    keys = await seed(session_pool, clock, range(8001, 8011))
    unlucky = keys[3]
    real_mark_sent = outbox.mark_sent
    unlucky_id = (await rows(session_pool))[unlucky].id

    async def flaky_mark_sent(
        session: AsyncSession, message_id: int, now: Any, **sent: Any
    ) -> bool:
        if message_id == unlucky_id:
            msg = "database went away"
            raise ConnectionError(msg)
        return await real_mark_sent(session, message_id, now, **sent)

    monkeypatch.setattr(outbox, "mark_sent", flaky_mark_sent)
    first = deliverer(bot, session_pool, clock)
    report = await first.drain()
    assert (report.sent, report.unrecorded) == (9, 1)
    assert (await rows(session_pool))[unlucky].status == OutboxStatus.PENDING
    monkeypatch.setattr(outbox, "mark_sent", real_mark_sent)

    later = deliverer(bot, session_pool, clock) if restart else first
    if restart:
        assert (await later.drain()).sent == 0  # claimed by the dead one until its lease ends
        clock.advance(seconds=DeliverySettings().claim_lease_seconds)
    report = await later.drain()

    assert report.sent == 1
    assert (await rows(session_pool))[unlucky].status == OutboxStatus.SENT
    expected = Counter(dict.fromkeys(keys, 1))
    if restart:
        expected[unlucky] = 2
    assert delivered(server) == expected


async def test_a_sender_that_stops_gives_its_unsent_rows_back_at_once(
    server: FakeTelegramServer, bot: Bot, session_pool, clock: FakeClock
) -> None:
    """A leader stepping down: what it claimed and did not send is due for the next one
    without waiting for the lease; what it sent is not sent again."""
    keys = await seed(session_pool, clock, range(8101, 8131))
    stop = asyncio.Event()
    first = deliverer(bot, session_pool, clock, global_per_second=5, concurrency=2)
    draining = asyncio.create_task(first.drain(stop))
    await server.wait_for(lambda request: request.method == "sendMessage")
    stop.set()
    report = await draining
    assert 1 <= report.sent < 30
    async with session_pool() as session:
        claimed = await session.scalar(
            select(func.count()).where(OutboxMessage.claimed_by.is_not(None))
        )
    assert claimed == 0

    successor = deliverer(bot, session_pool, clock, global_per_second=1000)
    assert (await successor.drain()).sent == 30 - report.sent  # the clock has not moved
    assert delivered(server) == Counter(dict.fromkeys(keys, 1))


async def test_catch_up_after_downtime_sends_overdue_once(
    server: FakeTelegramServer, bot: Bot, session_pool, clock: FakeClock
) -> None:
    overdue = await seed(
        session_pool, clock, [9001, 9002], purpose="week", not_before_offset=timedelta(days=-3)
    )
    overdue += await seed(
        session_pool, clock, [9001, 9003], purpose="day", not_before_offset=timedelta(hours=-20)
    )
    [future] = await seed(
        session_pool, clock, [9004], purpose="tomorrow", not_before_offset=timedelta(days=1)
    )

    stop = asyncio.Event()
    sender = deliverer(bot, session_pool, clock, poll_interval_seconds=3600)
    running = asyncio.create_task(sender.run_forever(stop))
    try:
        await server.wait_for(lambda request: len(delivered(server)) >= len(overdue))
    finally:
        stop.set()
        await running
    assert delivered(server) == Counter(dict.fromkeys(overdue, 1))
    assert [r.text for r in server.messages_to(9001)] == [
        "<b>Напоминание</b> remind:1:9001:week:9001",
        "<b>Напоминание</b> remind:1:9001:day:9001",
    ]  # oldest first within a chat

    assert (await deliverer(bot, session_pool, clock).drain()).sent == 0  # once only
    clock.advance(days=1)
    assert (await deliverer(bot, session_pool, clock).drain()).sent == 1
    assert delivered(server) == Counter(dict.fromkeys([*overdue, future], 1))


async def test_wake_sends_a_fresh_message_without_waiting_for_the_poll(
    server: FakeTelegramServer,
    bot: Bot,
    session_pool,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stop = asyncio.Event()
    sender = deliverer(bot, session_pool, clock, poll_interval_seconds=3600)
    idle = asyncio.Event()
    wait_for_work = sender._wait_for_work

    async def idling(stop: asyncio.Event, seconds: float) -> None:
        assert seconds == 3600  # nothing pending: it would sleep for the whole poll interval
        idle.set()
        await wait_for_work(stop, seconds)

    monkeypatch.setattr(sender, "_wait_for_work", idling)
    running = asyncio.create_task(sender.run_forever(stop))
    try:
        await idle.wait()
        [key] = await seed(session_pool, clock, [9101])
        sender.wake()
        await server.wait_message(9101, contains=key)
    finally:
        stop.set()
        await running
    assert delivered(server) == Counter({key: 1})


def test_delivery_settings_defaults_match_telegram() -> None:
    settings = DeliverySettings()
    assert (settings.global_per_second, settings.per_chat_per_second) == (30, 1.0)
    assert settings.max_attempts == 8
    with pytest.raises(ValueError, match="greater than 0"):
        DeliverySettings(per_chat_per_second=0)


# --------------------------------------------------------------------------- rate limiter


class FakeTime:
    """A monotonic clock that moves only when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Sleepers overlap: each wakes at its own deadline, time never runs backwards."""
        self.sleeps.append(seconds)
        self.now = max(self.now, self.now + seconds)


def limiter(fake: FakeTime, per_second: int = 30, per_chat: float = 1.0) -> RateLimiter:
    return RateLimiter(per_second, per_chat, monotonic=fake.monotonic, sleep=fake.sleep)


async def test_limiter_spaces_calls_to_one_chat() -> None:
    fake = FakeTime()
    limit = limiter(fake, per_chat=1.0)
    first = await limit.acquire(1)
    assert limit.try_acquire(1) is None  # in flight: never two calls to one chat
    assert limit.ready_in(1) == float("inf")
    fake.now = 0.25  # the call took 0.25 s
    first.release()
    assert limit.ready_in(1) == 1.0
    other = await limit.acquire(2)  # other chats are not held back
    assert other.granted_at == 0.25
    second = await limit.acquire(1)
    assert second.granted_at == 1.25  # one second after the previous call returned
    assert fake.sleeps == [1.0]

    fast = limiter(FakeTime(), per_chat=4.0)
    fast.try_acquire(9).release()  # type: ignore[union-attr]
    assert fast.ready_in(9) == 0.25


async def test_limiter_caps_calls_in_any_one_second_window() -> None:
    fake = FakeTime()
    limit = limiter(fake, per_second=5)
    granted: list[float] = []
    for chat in range(40):
        permit = await limit.acquire(chat)
        granted.append(permit.granted_at)
        fake.now += 0.01  # latency
        permit.release()
    for start in granted:
        assert sum(1 for moment in granted if start <= moment < start + 1.0) <= 5
    assert granted[:5] == pytest.approx([0.0, 0.2, 0.4, 0.6, 0.8])  # spread, not a burst
    assert granted[5] == pytest.approx(1.01)  # the first call left the window at 0.01 + 1
    assert min(b - a for a, b in itertools.pairwise(granted)) >= 0.2 - 1e-9
    assert granted[-1] < 8.1  # and it does keep going at the limit

    replies = limiter(FakeTime(), per_second=5)
    at_once = [replies.try_acquire(chat, burst=True) for chat in range(5)]
    assert all(permit is not None for permit in at_once)  # an answer's messages are not spread

    held = limiter(FakeTime(), per_second=2)
    a, b = held.try_acquire(1, burst=True), held.try_acquire(2, burst=True)
    assert (a is not None, b is not None) == (True, True)
    assert held.ready_in(3) == float("inf")  # both in flight: wait for a release


async def test_pause_blocks_everyone_until_it_ends() -> None:
    fake = FakeTime()
    limit = limiter(fake)
    limit.pause_until(5.0)
    limit.pause_until(2.0)  # a shorter pause does not cut it short
    assert limit.try_acquire(1) is None
    assert limit.ready_in(2) == 5.0
    permits = await asyncio.gather(*(limit.acquire(chat) for chat in range(1, 4)))
    assert all(permit.granted_at >= 5.0 for permit in permits)
    assert limit.paused_until == 5.0
    assert limit.try_acquire(9, burst=True) is not None  # after the pause, a reply at once


async def test_a_waiting_reply_goes_before_the_outbox_calls_that_waited_longer() -> None:
    limit = limiter(FakeTime(), per_second=2)
    first, second = limit.try_acquire(1, burst=True), limit.try_acquire(2, burst=True)
    assert first is not None and second is not None  # the window is full
    reminder = asyncio.create_task(limit.acquire(3))  # the outbox, waiting first
    await asyncio.sleep(0)
    reply = asyncio.create_task(limit.acquire(4, burst=True))  # someone who just wrote
    await asyncio.sleep(0)
    assert limit.ready_in(5) == float("inf")  # no outbox call while the reply waits

    first.release()
    async with asyncio.timeout(5):  # without the priority the reminder takes it: no answer
        granted = await reply
    assert not reminder.done()  # the slot went to the reply
    assert limit.try_acquire(5, burst=True) is None  # and the window is full again

    second.release()
    assert (await reminder).chat_id == 3  # with no reply waiting, the outbox goes on
    granted.release()


def test_while_people_answer_the_outbox_leaves_a_fifth_of_the_window_to_replies() -> None:
    fake = FakeTime()
    limit = limiter(fake, per_second=10)  # a fifth: 2 slots
    reply = limit.try_acquire(100, burst=True)  # someone answered at 0.0
    assert reply is not None
    reply.release()
    outbox: list[float] = []
    for tick in range(9):
        fake.now = tick * 0.1001  # as the outbox's spacing (0.1 s) allows
        permit = limit.try_acquire(tick)
        if permit is not None:
            outbox.append(fake.now)
            permit.release()
    assert len(outbox) == 7  # the reply and 7 outbox calls: 2 of 10 slots left to replies
    assert limit.try_acquire(200, burst=True) is not None  # the next answer goes at once

    fake.now = 1.05  # nobody answered for a window: the wave has the whole budget again
    assert limit.try_acquire(300) is not None
