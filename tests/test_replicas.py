"""Several replicas on one PostgreSQL: Telegram's limits held by all of them together, the
outbox shared through leases, and three real ``python -m bot`` processes in webhook mode
surviving a SIGKILL of their leader in the middle of a 1,000-reminder wave."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from aiogram import Bot
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.delivery.limiter import Permit
from bot.delivery.sender import Deliverer
from bot.delivery.shared_limiter import SharedRateLimiter
from bot.wiring.config import DeliverySettings
from conftest import FakeClock, _db_numbers
from fakes.telegram_server import FakeTelegramServer
from harness import TOKEN
from pg_cluster import PostgresCluster
from storage import call_budget, outbox
from storage.call_budget import POLL_SECONDS, Limits
from storage.engine import create_engine, create_session_pool
from storage.migrate import upgrade
from storage.outbox import OutboxKind
from storage.outbox_keys import KeyPurpose, outbox_key
from test_delivery import make_bot
from test_webhook import SECRET, free_port

ROOT = Path(__file__).resolve().parent.parent
LIMITS = Limits(slots=3, window=1.0, chat_interval=1.0, lease=30.0)
FIRST_CHAT = 700_000
Engines = tuple[AsyncEngine, AsyncEngine]


@pytest.fixture
async def pg_url(pg_cluster: PostgresCluster) -> str:
    url = pg_cluster.create_database(f"t{next(_db_numbers)}")
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    return url


@pytest.fixture
async def engines(pg_url: str) -> AsyncIterator[Engines]:
    """Two replicas' engines on one database."""
    first, second = create_engine(pg_url), create_engine(pg_url)
    yield first, second
    await first.dispose()
    await second.dispose()


@asynccontextmanager
async def autocommit(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        yield connection


async def take(
    engine: AsyncEngine, chat_id: int, grant: str, *, burst: bool = False
) -> call_budget.Answer:
    async with autocommit(engine) as connection:
        return await call_budget.take(connection, LIMITS, chat_id=chat_id, grant=grant, burst=burst)


def limiter(engine: AsyncEngine, holder: str, **limits: float) -> SharedRateLimiter:
    per_second = int(limits.get("per_second", LIMITS.slots))
    lease = limits.get("lease", LIMITS.lease)
    return SharedRateLimiter(engine, holder, per_second, 1.0, lease_seconds=lease)


# -- the shared budget ------------------------------------------------------------------------


async def test_a_chat_in_flight_at_one_replica_waits_at_the_other(engines: Engines) -> None:
    first, second = engines
    a = limiter(first, "a")
    permit = await a.acquire(5)

    refused = await take(second, 5, "b:1")
    assert (refused.slot, refused.wait) == (None, POLL_SECONDS)  # in flight: ask again soon
    other = await take(second, 6, "b:2")
    assert other.slot is not None  # other chats are not held back

    await a.release(permit)
    spaced = await take(second, 5, "b:3")
    assert spaced.slot is None
    assert 0.5 < spaced.wait <= 1.0  # one second after the call returned
    assert (await take(second, 5, "b:4", burst=True)).slot is not None  # a reply goes at once


async def test_calls_in_flight_and_in_the_window_count_for_every_replica(engines: Engines) -> None:
    first, second = engines
    a, b = limiter(first, "a"), limiter(second, "b")
    permits = [await a.acquire(1), await a.acquire(2), await b.acquire(3)]
    full = await take(second, 4, "b:x")
    assert (full.slot, full.wait) == (None, POLL_SECONDS)  # three in flight: no slot

    await a.release(permits[0])
    windowed = await take(second, 4, "b:y")
    assert windowed.slot is None
    assert 0.5 < windowed.wait <= 1.0  # the released call stays in the window for a second
    for permit in permits[1:]:
        await (b if permit is permits[2] else a).release(permit)


async def test_a_429_at_one_replica_pauses_the_others(engines: Engines) -> None:
    first, second = engines
    await limiter(first, "a").pause(2.0)
    paused = await take(second, 8, "b:1")
    assert paused.slot is None
    assert 1.5 < paused.wait <= 2.0


async def test_the_calls_of_a_dead_replica_count_until_their_lease_ends(engines: Engines) -> None:
    first, second = engines
    dead = limiter(first, "dead", per_second=1, lease=0.5)
    await dead.acquire(1)  # never released: the process died with the call in flight
    survivor = limiter(second, "alive", per_second=1, lease=0.5)
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with asyncio.timeout(10):
        permit: Permit = await survivor.acquire(2)
    assert loop.time() - started >= 0.3  # the lease, less the time the first grant took
    await survivor.release(permit)


# -- two senders that overlap -------------------------------------------------------------------


async def enqueue_wave(url: str, count: int, now: datetime) -> list[str]:
    engine = create_engine(url)
    keys = [outbox_key(KeyPurpose.REMINDER, 1, n, "deadline", FIRST_CHAT + n) for n in range(count)]
    try:
        async with create_session_pool(engine)() as session, session.begin():
            for n, key in enumerate(keys):
                await outbox.enqueue(
                    session,
                    key=key,
                    chat_id=FIRST_CHAT + n,
                    kind=OutboxKind.TEXT,
                    payload={"text": key},
                    not_before=now,
                    now=now,
                )
    finally:
        await engine.dispose()
    return keys


def delivered(server: FakeTelegramServer) -> Counter[str]:
    return Counter(
        request.text or ""
        for request in server.requests
        if request.method == "sendMessage" and request.ok
    )


async def test_two_senders_at_once_send_each_row_once_within_the_shared_limits(
    pg_url: str, engines: Engines, clock: FakeClock
) -> None:
    """A leader that has not yet noticed it lost the lead and its successor, both draining:
    the leases keep them off each other's rows, the shared budget keeps them to 10 calls a
    second together (the fake server answers 429 and counts a violation beyond that)."""
    keys = await enqueue_wave(pg_url, 40, clock.now())
    settings = DeliverySettings(global_per_second=10, batch_size=5, concurrency=4)
    async with FakeTelegramServer(token=TOKEN) as server, AsyncExitStack() as stack:
        server.enforce_limits(per_second_global=10, per_chat_per_second=1)
        senders = []
        for engine, holder in zip(engines, ("old", "new"), strict=True):
            bot: Bot = make_bot(server.base_url)
            stack.push_async_callback(bot.session.close)
            pace = SharedRateLimiter(engine, holder, 10, 1.0, lease_seconds=10)
            pool = create_session_pool(engine)
            senders.append(Deliverer(bot, pool, clock, settings, limiter=pace, holder=holder))
        async with asyncio.timeout(30):
            reports = await asyncio.gather(*(sender.drain() for sender in senders))
        assert delivered(server) == Counter(dict.fromkeys(keys, 1))
        assert server.limit_violations == Counter()
        assert all(report.sent > 0 for report in reports)  # both did send
        assert sum(report.sent for report in reports) == 40


# -- three real processes -----------------------------------------------------------------------


class Replica:
    """One ``python -m bot`` in webhook mode, listening on its own port."""

    def __init__(self, process: asyncio.subprocess.Process, port: int) -> None:
        self.process, self.port = process, port

    async def scheduler(self) -> str:
        """Who runs the scheduler, as this replica's /health says it."""
        url = f"http://127.0.0.1:{self.port}/health"
        async with aiohttp.ClientSession() as http, http.get(url) as answer:
            return str((await answer.json())["scheduler"])


@asynccontextmanager
async def replica(
    server: FakeTelegramServer, db_url: str, workdir: Path, number: int
) -> AsyncIterator[Replica]:
    port = free_port()
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": server.base_url,
        "DATABASE_URL": db_url,
        "WEBHOOK_URL": "https://bot.example.org/telegram/updates",
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_LISTEN": f"127.0.0.1:{port}",
        "LEADER_RETRY_SECONDS": "0.5",
        "DELIVERY__CLAIM_LEASE_SECONDS": "3",
        "DELIVERY__REQUEST_TIMEOUT_SECONDS": "5",
        "DELIVERY__CONCURRENCY": "8",
        "LOG_LEVEL": "INFO",
        "PYTHONPATH": str(ROOT),
    }
    with (workdir / f"replica{number}.log").open("ab") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=workdir,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=log,
        )
        try:
            yield Replica(process, port)
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                try:
                    async with asyncio.timeout(15):
                        await process.wait()
                except TimeoutError:
                    process.kill()
                    await process.wait()


@pytest.mark.timeout(240)
async def test_three_replicas_survive_the_leaders_sigkill_mid_wave(
    pg_url: str, tmp_path: Path
) -> None:
    """1,000 reminders, three replicas, the leader killed while its calls are in flight.

    Before the kill the fake server holds every send unanswered until each of the leader's
    8 workers has a call in flight: every call it answered before is recorded, and the held
    ones die with the process without reaching Telegram (the other crash, after Telegram
    accepted a call and before its record, is the sender's documented at-least-once window,
    ``tests/test_delivery.py::test_crash_window_between_call_and_commit``). Then: each
    reminder delivered exactly once, Telegram's limits never exceeded by the replicas
    together, and a survivor runs the scheduler.
    """
    keys = await enqueue_wave(pg_url, 1000, datetime.now(UTC))
    async with FakeTelegramServer(token=TOKEN) as server, AsyncExitStack() as stack:
        server.enforce_limits(per_second_global=30, per_chat_per_second=1)
        replicas = [
            await stack.enter_async_context(replica(server, pg_url, tmp_path, n)) for n in range(3)
        ]
        await server.wait_until(
            lambda: sum(r.method == "setWebhook" for r in server.requests) == 3,
            timeout=90,  # three interpreters starting at once beside the suite's other worker
            description="three replicas listening",
        )
        await server.wait_until(
            lambda: sum(delivered(server).values()) >= 200, timeout=30, description="200 sent"
        )
        server.hold_sends()
        await server.wait_until(lambda: server.held == 8, description="8 calls in flight")
        holders = [await member.scheduler() for member in replicas]
        assert sorted(holders) == ["another process"] * 2 + ["this process"]
        leader = replicas[holders.index("this process")]
        server.hold_sends(False)  # the next leader's calls go through; the 8 stay held
        leader.process.kill()
        await leader.process.wait()
        assert server.abandon_held() == 8

        await server.wait_until(
            lambda: len(delivered(server)) == len(keys), timeout=60, description="all sent"
        )
        assert delivered(server) == Counter(dict.fromkeys(keys, 1))
        assert server.limit_violations == Counter()
        survivors = [member for member in replicas if member is not leader]
        assert sorted([await member.scheduler() for member in survivors]) == [
            "another process",
            "this process",
        ]
