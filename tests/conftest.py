"""Shared fixtures: a real database file (and a real PostgreSQL server), a controllable clock."""

from __future__ import annotations

import asyncio
import gc
import itertools
import shutil
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from harness import MACHINE_SPEED, Harness, running_harness
from pg_cluster import (
    PostgresCluster,
    PostgresStartError,
    missing_binaries_reason,
    start_postgres,
)
from storage.engine import create_engine, create_session_pool
from storage.migrate import upgrade

_db_numbers = itertools.count(1)


class FakeClock:
    """A clock that moves only when a test moves it."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def now(self) -> datetime:
        return self.moment

    def advance(self, **kwargs: float) -> None:
        self.moment += timedelta(**kwargs)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 21, 9, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def pg_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresCluster]:
    """One server for the whole run; where the binaries exist, failing to start it is a failure."""
    missing = missing_binaries_reason()
    if missing is not None:
        pytest.skip(f"PostgreSQL tests need the server binaries: {missing}")
    try:
        cluster = start_postgres(tmp_path_factory.mktemp("pg"))
    except PostgresStartError as exc:
        pytest.fail(f"PostgreSQL binaries are installed but the test cluster did not start: {exc}")
    try:
        yield cluster
    finally:
        cluster.stop()


def _migrated(url: str) -> None:
    """Bring the database at ``url`` to the latest schema, from a thread of its own: the
    templates are made lazily, sometimes from inside a running event loop."""

    async def migrate() -> None:
        engine = create_engine(url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    with ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(asyncio.run, migrate()).result()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated once; every test copies it (migrating costs ~0.3 s a test)."""
    path = tmp_path_factory.mktemp("template") / "bot.sqlite3"
    _migrated(f"sqlite+aiosqlite:///{path}")
    assert not path.with_name(f"{path.name}-wal").exists(), "the template's WAL was not merged"
    return path


@pytest.fixture(scope="session")
def pg_template(pg_cluster: PostgresCluster) -> str:
    """One PostgreSQL database migrated once; every test's database is created from it."""
    name = "bot_template"
    _migrated(pg_cluster.create_database(name))
    return name


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"


def _empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh empty database on the backend named by the fixture's parameter."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
    return cluster.create_database(f"t{next(_db_numbers)}")


def _database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database at the latest schema on the backend named by the fixture's parameter:
    a copy of the session's migrated template (the tests' own upgrade then finds it at head)."""
    if request.param == "sqlite":
        path = tmp_path / "bot.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite+aiosqlite:///{path}"
    cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
    template: str = request.getfixturevalue("pg_template")
    return cluster.create_database(f"t{next(_db_numbers)}", template=template)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Storage tests run on both backends the product supports."""
    return _database_url(request, tmp_path)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """For the tests of the migrations themselves: a database with no schema at all."""
    return _empty_database_url(request, tmp_path)


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(db_url)
    await upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def session_pool(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_pool(engine)


@pytest.fixture(params=["sqlite", "postgresql"])
async def harness(
    request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock
) -> AsyncIterator[Harness]:
    """The real Dispatcher over a fresh database, once on each backend the product supports."""
    async with running_harness(_database_url(request, tmp_path), clock, MACHINE_SPEED) as running:
        yield running


@pytest.fixture
async def sqlite_harness(sqlite_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    """For the few handler tests that exercise something only SQLite has (a file to copy)."""
    async with running_harness(sqlite_url, clock, MACHINE_SPEED) as running:
        yield running


@pytest.fixture
async def postgres_harness(
    pg_cluster: PostgresCluster, pg_template: str, clock: FakeClock
) -> AsyncIterator[Harness]:
    """For the handler tests of what PostgreSQL answers differently (no file to copy)."""
    url = pg_cluster.create_database(f"t{next(_db_numbers)}", template=pg_template)
    async with running_harness(url, clock, MACHINE_SPEED) as running:
        yield running


@pytest.fixture(autouse=True)
def _collect_garbage_after_each_test() -> Iterator[None]:
    """Collect garbage after every test, so a resource one leaks (an unclosed database
    connection warns when collected) fails that test by name instead of the whole run at exit.

    What survives is then frozen: the next collection looks only at what the next test made,
    instead of every object the run has imported or cached (a full pass took ~0.3 s a test)."""
    yield
    gc.collect()
    gc.freeze()
