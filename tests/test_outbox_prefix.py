"""Queued messages found by the start of their key (an announcement's, a digest's, an event's
invitations) are read from the unique index on ``key``, as a range, on both backends; and the
range holds exactly the keys that start so, also under a PostgreSQL whose collation is not C
(a server set up in ru_RU.UTF-8 or en_US.UTF-8 sorts ``:`` and digits by language rules).

Before, each such query was a LIKE, which neither backend answered from that index here: the
minute's announcement report read the whole outbox (hundreds of thousands of rows in a large
region) once per announcement of the week, holding SQLite's write lock."""

from __future__ import annotations

import itertools
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.announcements import ACTION, report_finished_announcements
from bot.domain.calendar import CalendarSettings
from bot.domain.tick import Planning
from conftest import FakeClock
from pg_cluster import PostgresCluster
from query_plans import plans_by_statement, recorded
from storage import audit, collections, district_events, outbox, outbox_withdraw
from storage.engine import create_engine, create_session_pool
from storage.migrate import upgrade
from storage.models import DistrictEvent, OutboxMessage, OutboxStatus
from storage.outbox_keys import KeyPurpose, outbox_key_prefix

NOW = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)
P = KeyPurpose
KEYS = [
    "announce:1",
    "announce:1:5:3",
    "announce:1:50:0",
    "announce:1:6",
    "announce:1:-1001:0",  # a group chat's id is negative
    "announce:10:5:3",
    "announce:12:5:0",
    "announce:2:1:0",
    "announce-report:1",
    "digest:7:2027-03-08:9:text",
    "digest:70:2027-03-08:9:text",
    "devent-invite:3:4:5",
    "devent-invite:31:4:5",
    "devent-remind:3:4:2027-03-09:1:5",
    "remind:1:2:before7:5",
    "remind:1:20:before7:5",
    "remind:12:2:before7:5",
]
PREFIXES: list[tuple[Any, ...]] = [
    (P.ANNOUNCEMENT,),
    (P.ANNOUNCEMENT, 1),
    (P.ANNOUNCEMENT, 1, 5),
    (P.ANNOUNCEMENT, 1, -1001),
    (P.ANNOUNCEMENT, 10),
    (P.ANNOUNCEMENT_REPORT,),
    (P.DIGEST, 7),
    (P.DISTRICT_INVITATION, 3),
    (P.REMINDER, 1, 2),
]
RANGE_PLAN = "SEARCH outbox USING INDEX sqlite_autoindex_outbox_1 (key>? AND key<?)"
FILE_BY_KEY = "SEARCH follow_up USING INDEX sqlite_autoindex_outbox_1 (key=?) LEFT-JOIN"
TWO_RANGES = ["MULTI-INDEX OR", "INDEX 1", RANGE_PLAN, "INDEX 2", RANGE_PLAN]  # an event's
# invitations and its reminders
_names = itertools.count(1)


async def _queue(
    pool: async_sessionmaker[AsyncSession],
    keys: list[str],
    status: OutboxStatus = OutboxStatus.PENDING,
    chat_id: int = 5,
) -> None:
    async with pool() as session, session.begin():
        for key in keys:
            assert await outbox.enqueue(
                session, key=key, chat_id=chat_id, kind="text", payload={}, not_before=NOW, now=NOW
            )
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.key.in_(keys)).values(status=status)
        )


async def _exact(pool: async_sessionmaker[AsyncSession]) -> None:
    """Each prefix finds the keys that start with it, and only those."""
    await _queue(pool, KEYS)
    async with pool() as session:
        for purpose, *parts in PREFIXES:
            found = {m.key for m in await outbox.by_prefix(session, purpose, *parts)}
            start = outbox_key_prefix(purpose, *parts)
            assert found == {key for key in KEYS if key.startswith(start)}, start


async def test_a_prefix_finds_exactly_its_keys(session_pool: async_sessionmaker[AsyncSession]):
    """``announce:1:`` is not ``announce:10:5``, nor ``announce:1`` itself."""
    await _exact(session_pool)


async def test_the_range_is_exact_under_a_linguistic_collation(pg_cluster: PostgresCluster):
    """A database whose default collation is ICU's en-US, where ``;`` sorts before ``:`` (the
    raw range would be empty) and a group chat's ``-`` is all but ignored: the migrations give
    the key column the C collation, and the prefixes are exact there too. (The machine has no
    libc locale but C and POSIX; ICU's is the same kind of collation a ru_RU server gets.)"""
    name = f"outbox_icu{next(_names)}"
    pg_cluster.psql(
        f"CREATE DATABASE {name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'"
    )
    engine = create_engine(pg_cluster.url_for(name))
    try:
        async with engine.connect() as connection:
            misordered = await connection.scalar(text("SELECT 'announce:1;' < 'announce:1:5'"))
        assert misordered, "the database's collation sorts by code point: nothing is tested"
        await upgrade(engine)
        async with engine.connect() as connection:
            collation = await connection.scalar(
                text(
                    "SELECT collation_name FROM information_schema.columns"
                    " WHERE table_name = 'outbox' AND column_name = 'key'"
                )
            )
        assert collation == "C"
        await _exact(create_session_pool(engine))
    finally:
        await engine.dispose()
        pg_cluster.drop_database(name)


async def _announced(pool: async_sessionmaker[AsyncSession], count: int) -> None:
    """``count`` announcements of the last days: some still going out, some over."""
    async with pool() as session, session.begin():
        entries = [
            audit.record(
                session,
                at=NOW - timedelta(days=n % 6),
                actor_id=None,
                action=ACTION,
                after={"html": "Семинар", "only_late": False, "chat": 99},
            )
            for n in range(count)
        ]
        await session.flush()
        ids = [entry.id for entry in entries]
    for n, entry_id in enumerate(ids):
        status = OutboxStatus.SENT if n % 2 else OutboxStatus.PENDING
        await _queue(pool, [f"announce:{entry_id}:{chat}:0" for chat in (5, 6)], status)


async def test_the_report_tick_and_the_withdrawals_read_key_ranges(
    sqlite_template: Path, tmp_path: Path
) -> None:
    """Each statement that picks rows by the start of their key searches the unique index for
    the range, never the whole table nor the status index (every sent row), on SQLite, which
    keeps no statistics to choose by."""
    shutil.copyfile(sqlite_template, tmp_path / "bot.sqlite3")
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}")
    pool = create_session_pool(engine)
    try:
        await _announced(pool, 4)
        await _queue(pool, [f"digest:7:2027-03-0{d}:5:text" for d in (1, 8)], OutboxStatus.SENT)
        with recorded(engine) as ran:
            assert (
                await report_finished_announcements(
                    Planning(pool, FakeClock(NOW), CalendarSettings(), "Europe/Moscow")
                )
                == 2
            )
            tick = set(ran)
            async with pool() as session, session.begin():
                day = date(2027, 3, 15)
                await outbox_withdraw.withdraw_earlier_digests(
                    session, chat_id=5, scope_id=7, due_on=day
                )
                assert await outbox_withdraw.last_sent_digest_day(
                    session, chat_id=5, scope_id=7, before=day
                ) == date(2027, 3, 8)
                await collections.cancel_pending_reminders(session, collection_id=1, org_id=2)
                assert await district_events.refused_invitations(session, 3) == set()
                devent = cast(DistrictEvent, SimpleNamespace(id=3))
                await district_events.recall_unsent(session, devent)
        plans = await plans_by_statement(engine, ran, "outbox")
    finally:
        await engine.dispose()
    by_range = {sql: plan for sql, plan in plans.items() if '"key" >=' in sql}
    ticks = [plan for sql, plan in by_range.items() if sql in tick]
    assert ticks == [[RANGE_PLAN, FILE_BY_KEY, "USE TEMP B-TREE FOR GROUP BY"]], ticks  # the
    # announcement's outcomes, each text's file found by its key
    assert len(by_range) == 7, plans  # recall_unsent's select and delete among them
    rest = [plan for sql, plan in by_range.items() if sql not in tick]
    assert all(plan in ([RANGE_PLAN], TWO_RANGES) for plan in rest), by_range
    assert not [plan for plan in plans.values() if "SCAN outbox" in plan], plans
