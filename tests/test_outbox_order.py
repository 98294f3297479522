"""A row that follows another into its chat (an announcement's file, its text): it is not
taken while that one is pending, whatever retries push that one back, it takes that one's
outcome if it fails for good, the sender does not wake for it meanwhile, and the backlog
counts it as waiting, not due; on both backends, and on SQLite through the indexes (the claim
runs every drain)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from query_plans import plans, recorded
from storage import outbox
from storage.engine import create_engine, create_session_pool
from storage.models import OutboxStatus

NOW = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)
TEXT = "announce:7:501:3"
FILE = "announce:7:501:3:file"


async def _queue_both(pool: async_sessionmaker[AsyncSession]) -> None:
    async with pool() as session, session.begin():
        for key, after in ((TEXT, None), (FILE, TEXT)):
            assert await outbox.enqueue(
                session,
                key=key,
                chat_id=501,
                kind="text",
                payload={"text": key},
                not_before=NOW,
                now=NOW,
                after_key=after,
            )


async def _claim(pool: async_sessionmaker[AsyncSession], now: datetime) -> list[str]:
    async with pool() as session, session.begin():
        rows = await outbox.claim_due(session, now=now, limit=10, holder="a", lease=LEASE)
        return [row.key for row in rows]


async def _row_id(pool: async_sessionmaker[AsyncSession], key: str) -> int:
    async with pool() as session:
        row = await outbox.by_key(session, key)
        assert row is not None
        return row.id


async def test_the_file_waits_for_its_text_through_a_retry(
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    await _queue_both(session_pool)
    assert await _claim(session_pool, NOW) == [TEXT]
    later = NOW + timedelta(minutes=2)
    async with session_pool() as session, session.begin():
        text_id = await _row_id(session_pool, TEXT)
        await outbox.reschedule(session, text_id, not_before=later, error="Bad Gateway")
    assert await _claim(session_pool, NOW + timedelta(minutes=1)) == []
    async with session_pool() as session:  # the sender sleeps until the text, not at once
        assert await outbox.next_due_at(session) == later
    assert await _claim(session_pool, later) == [TEXT]
    async with session_pool() as session, session.begin():
        assert await outbox.mark_sent(session, text_id, later, holder="a", sent={"text": TEXT})
    assert await _claim(session_pool, later) == [FILE]


async def test_the_file_ends_as_its_text_did(
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    await _queue_both(session_pool)
    text_id = await _row_id(session_pool, TEXT)
    async with session_pool() as session, session.begin():
        assert await outbox.mark_unreachable(session, text_id, NOW, "Forbidden: bot was blocked")
    async with session_pool() as session:
        file = await outbox.by_key(session, FILE)
        assert file is not None
        assert (file.status, file.error) == (
            OutboxStatus.UNREACHABLE,
            "Forbidden: bot was blocked",
        )
        assert await outbox.next_due_at(session) is None
    assert await _claim(session_pool, NOW) == []


async def test_the_backlog_counts_a_file_behind_its_text_as_waiting_not_due(
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    """/health's backlog: the file is not due while its text is pending, even past its own
    time (before, it counted as due, and as the longest-waiting one through the text's
    retries); once the text went, it is due since its own time."""
    await _queue_both(session_pool)
    text_id = await _row_id(session_pool, TEXT)
    assert await _claim(session_pool, NOW) == [TEXT]
    later = NOW + timedelta(minutes=2)
    async with session_pool() as session, session.begin():
        await outbox.reschedule(session, text_id, not_before=later, error="Bad Gateway")
    async with session_pool() as session:
        backlog = await outbox.backlog(session, now=NOW + timedelta(minutes=1))
    assert (backlog.pending, backlog.due, backlog.oldest_due_at) == (2, 0, None)
    assert backlog.waiting == 1
    async with session_pool() as session:
        backlog = await outbox.backlog(session, now=later)
    assert (backlog.pending, backlog.due, backlog.oldest_due_at) == (2, 1, later)
    assert backlog.waiting == 1
    async with session_pool() as session, session.begin():
        assert await outbox.mark_sent(session, text_id, later, holder="a", sent={"text": TEXT})
    async with session_pool() as session:
        backlog = await outbox.backlog(session, now=later)
    assert backlog == outbox.Backlog(pending=1, due=1, waiting=0, oldest_due_at=NOW)


async def test_the_claim_and_the_followers_are_read_through_indexes(
    sqlite_template: Path, tmp_path: Path
) -> None:
    """The row a candidate (or a pending row the backlog counts) follows is looked up in the
    unique index on ``key``; the rows that follow a failed one in the partial index on
    ``after_key``: never the whole outbox."""
    shutil.copyfile(sqlite_template, tmp_path / "bot.sqlite3")
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}")
    pool = create_session_pool(engine)
    try:
        await _queue_both(pool)
        text_id = await _row_id(pool, TEXT)
        with recorded(engine) as ran:
            await _claim(pool, NOW)
            async with pool() as session, session.begin():
                await outbox.next_due_at(session)
                await outbox.backlog(session, now=NOW)
                await outbox.mark_failed(session, text_id, NOW, "Bad Request")
        lines = await plans(engine, ran, "outbox")
    finally:
        await engine.dispose()
    assert not [line for line in lines if line.startswith("SCAN")], lines
    assert len([line for line in lines if "sqlite_autoindex_outbox_1 (key=?)" in line]) >= 2
    assert "SEARCH outbox USING INDEX ix_outbox_after_key (after_key=?)" in lines, lines
