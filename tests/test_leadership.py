"""One scheduler and one sender at a time: the PostgreSQL advisory-lock election of
``bot/wiring/leadership.py`` against the real PostgreSQL the tests start, and SQLite, where the
lone process always leads."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from apscheduler.schedulers.base import STATE_PAUSED, STATE_RUNNING
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

import bot.wiring.scheduler
from bot.wiring.leadership import Leadership
from conftest import _db_numbers
from harness import Harness
from pg_cluster import PostgresCluster
from storage.engine import create_engine
from storage.leadership import LEADER_LOCK_KEY, try_lead
from test_webhook import Served

RETRY = 0.2  # seconds between tries in these tests
WAIT = 10.0  # a bound on every wait, far above RETRY


class Replica:
    """A leadership loop on its own engine, recording when its background work runs."""

    def __init__(self, url: str, name: str, log: list[str]) -> None:
        self.engine = create_engine(url)
        self.name, self.log = name, log
        self.leadership = Leadership(self.engine, self.start, self.stop, retry_seconds=RETRY)

    async def start(self) -> None:
        self.log.append(f"{self.name} starts")

    async def stop(self) -> None:
        self.log.append(f"{self.name} stops")

    async def close(self) -> None:
        await self.leadership.end()
        await self.engine.dispose()


@pytest.fixture
def pg_url(pg_cluster: PostgresCluster) -> str:
    return pg_cluster.create_database(f"t{next(_db_numbers)}")


@pytest.fixture
async def replicas(pg_url: str) -> AsyncIterator[tuple[Replica, Replica, list[str]]]:
    log: list[str] = []
    first, second = Replica(pg_url, "a", log), Replica(pg_url, "b", log)
    await first.leadership.begin()
    await second.leadership.begin()
    try:
        yield first, second, log
    finally:
        await first.close()
        await second.close()


@pytest.fixture
async def outsider(pg_url: str) -> AsyncIterator[AsyncEngine]:
    """A third connection's engine: someone else on the same database."""
    engine = create_engine(pg_url)
    yield engine
    await engine.dispose()


async def leader_pid(engine: AsyncEngine) -> int | None:
    async with engine.connect() as connection:
        pid = await connection.scalar(
            text(
                "select pid from pg_locks where locktype = 'advisory' and granted"
                " and database = (select oid from pg_database where datname = current_database())"
            )
        )
    return None if pid is None else int(pid)


async def test_of_two_replicas_exactly_one_leads(replicas, outsider: AsyncEngine) -> None:
    first, second, log = replicas
    assert first.leadership.leading
    assert not second.leadership.leading
    assert log == ["a starts"]
    async with asyncio.timeout(WAIT):  # the follower keeps trying, and keeps failing
        for _ in range(3):
            await asyncio.sleep(RETRY)  # time passing, not synchronization
    assert not second.leadership.leading
    assert log == ["a starts"]
    assert await leader_pid(outsider) is not None


async def test_when_the_leader_stops_the_other_takes_over(replicas) -> None:
    first, second, log = replicas
    await first.leadership.end()

    async with asyncio.timeout(WAIT):
        await second.leadership.wait_until(leading=True)
    assert log == ["a starts", "a stops", "b starts"]


async def test_a_killed_leader_is_replaced_and_stops_its_work_at_once(
    replicas, outsider: AsyncEngine
) -> None:
    """``pg_terminate_backend`` of the lock's connection: what SIGKILL of the holder (or a
    broken network) looks like to the database."""
    first, second, log = replicas
    pid = await leader_pid(outsider)
    async with outsider.connect() as connection:
        assert await connection.scalar(text("select pg_terminate_backend(:pid)"), {"pid": pid})

    async with asyncio.timeout(WAIT):
        await first.leadership.wait_until(leading=False)
        await second.leadership.wait_until(leading=True)
    assert log == ["a starts", "a stops", "b starts"]
    assert await leader_pid(outsider) not in {None, pid}

    # the old leader competes again, and follows
    async with asyncio.timeout(WAIT):
        for _ in range(3):
            await asyncio.sleep(RETRY)
    assert not first.leadership.leading
    assert log == ["a starts", "a stops", "b starts"]


async def test_on_sqlite_the_process_always_leads(tmp_path: Path) -> None:
    log: list[str] = []
    replica = Replica(f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}", "alone", log)
    assert await try_lead(replica.engine) is not None
    await replica.leadership.begin()
    try:
        assert replica.leadership.leading
        assert log == ["alone starts"]
    finally:
        await replica.close()
    assert log == ["alone starts", "alone stops"]
    assert not replica.leadership.leading


@pytest.fixture
async def lock_held_elsewhere(postgres_harness: Harness) -> AsyncIterator[asyncio.Event]:
    """Another replica holds the lead on the harness's database until the event is set."""
    engine = create_engine(postgres_harness.settings.database_url)
    release = asyncio.Event()
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        query = text("select pg_try_advisory_lock(:key)")
        assert await connection.scalar(query, {"key": LEADER_LOCK_KEY})
        try:
            yield release
        finally:
            await connection.invalidate()
    await engine.dispose()


async def test_a_replica_that_does_not_lead_runs_no_background_work(
    postgres_harness: Harness,
    lock_held_elsewhere: asyncio.Event,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    h = postgres_harness
    ticks: list[object] = []
    ticked = asyncio.Event()

    async def counting_tick(*args: object, **_kwargs: object) -> int:
        ticks.append(args)
        ticked.set()
        return 0

    monkeypatch.setattr(bot.wiring.scheduler, "calendar_tick", counting_tick)
    monkeypatch.setattr(h.settings, "leader_retry_seconds", RETRY)
    workflow = h.dp.workflow_data
    await h.dp.emit_startup(bot=h.bot, dispatcher=h.dp, **workflow)
    try:
        leadership: Leadership = workflow["leadership"]
        assert not leadership.leading
        assert workflow["scheduler"].state == STATE_PAUSED
        assert workflow["background"].tasks == []  # no sender
        assert ticks == []  # no catch-up

        # the other replica dies: this one takes over, catches up and sends
        await lock_held_elsewhere_release(lock_held_elsewhere, h)
        async with asyncio.timeout(WAIT):
            await leadership.wait_until(leading=True)
            await ticked.wait()
        assert workflow["scheduler"].state == STATE_RUNNING
        assert len(workflow["background"].tasks) == 1
    finally:
        await h.dp.emit_shutdown(**h.dp.workflow_data)


async def lock_held_elsewhere_release(release: asyncio.Event, h: Harness) -> None:
    """End the other replica's lock by ending its connection's backend."""
    release.set()
    engine = create_engine(h.settings.database_url)
    try:
        async with engine.connect() as connection:
            await connection.execute(
                text(
                    "select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory'"
                    " and granted and pid <> pg_backend_pid()"
                )
            )
    finally:
        await engine.dispose()


async def test_health_names_the_process_that_runs_the_scheduler(
    postgres_harness: Harness, lock_held_elsewhere: asyncio.Event
) -> None:
    served = Served(postgres_harness)
    await served.start()
    try:
        status, body = await served.health()
    finally:
        await served.shut()
    assert status == 200
    assert body["scheduler"] == "another process"
