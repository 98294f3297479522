"""A backup taken while writes go on opens as a valid database; rotation keeps the newest."""

from __future__ import annotations

import asyncio
import contextlib
import resource
import signal
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.backup import (
    BackupUnsupportedError,
    copy_database,
    newest_backup_at,
    nightly_backup,
)
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


@contextlib.contextmanager
def disk_full(room: int) -> Iterator[None]:
    """No file this process writes grows past ``room`` bytes: a write past it fails (EFBIG)
    as on a full disk (ENOSPC), rather than killing the process (SIGXFSZ ignored)."""
    limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (room, limit[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limit)
        signal.signal(signal.SIGXFSZ, handler)


async def test_a_night_the_disk_is_full_leaves_no_broken_copy(tmp_path: Path) -> None:
    """The copy that failed for want of room is not left among the backups: it would be the
    newest one, the one an admin restores, and it would count as the night's backup. A copy
    cut short by a kill is cleared by the next night's."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}")
    await upgrade(engine)
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "bot-20261120-030000.sqlite3.partial").write_bytes(b"SQLite format 3\x00")
    good = await nightly_backup(engine, folder, keep=7, now=NOW)
    try:
        with disk_full(room=16 * 1024), pytest.raises(sqlite3.OperationalError):
            await nightly_backup(engine, folder, keep=7, now=NOW + timedelta(days=1))
    finally:
        await engine.dispose()
    assert sorted(folder.iterdir()) == [good]
    assert newest_backup_at(folder) == NOW


async def test_postgres_backup_is_refused_clearly(pg_cluster) -> None:
    engine = create_engine(pg_cluster.url)
    with pytest.raises(BackupUnsupportedError):
        await copy_database(engine, Path("/tmp/never"))
    await engine.dispose()
