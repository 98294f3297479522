"""A backup taken while writes go on opens as a valid database; rotation keeps the newest."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.backup import BackupUnsupportedError, copy_database, nightly_backup
from storage.engine import create_engine, create_session_pool
from storage.migrate import upgrade
from storage.updates import claim_update

NOW = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)


async def test_backup_during_writes_is_consistent(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}")
    await upgrade(engine)
    pool = create_session_pool(engine)
    written = 0
    enough = asyncio.Event()

    async def writer() -> None:
        nonlocal written
        for update_id in range(1, 2001):
            async with pool() as session, session.begin():
                await claim_update(session, update_id, NOW)
            written = update_id
            if update_id == 200:
                enough.set()

    task = asyncio.create_task(writer())
    await enough.wait()
    before_copy = written
    target = await copy_database(engine, tmp_path / "copy.sqlite3")
    after_copy = written
    await task
    await engine.dispose()

    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        copied = copy.execute("SELECT count(*) FROM processed_updates").fetchone()[0]
        tables = {
            row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
    assert before_copy <= copied <= after_copy
    assert {"organizations", "membership_reports", "alembic_version"} <= tables


async def test_rotation_keeps_the_newest(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}")
    await upgrade(engine)
    folder = tmp_path / "backups"
    made = [
        await nightly_backup(engine, folder, keep=3, now=NOW + timedelta(days=d)) for d in range(5)
    ]
    await engine.dispose()
    assert sorted(folder.iterdir()) == made[-3:]


async def test_postgres_backup_is_refused_clearly(pg_cluster) -> None:
    engine = create_engine(pg_cluster.url)
    with pytest.raises(BackupUnsupportedError):
        await copy_database(engine, Path("/tmp/never"))
    await engine.dispose()
