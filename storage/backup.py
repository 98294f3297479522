"""Consistent copies of the SQLite database, taken while the bot runs, with rotation."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

BACKUP_PREFIX = "bot-"
BACKUP_SUFFIX = ".sqlite3"
#: A copy is written under its name with this added, and renamed once complete: a copy cut
#: short (a full disk, a kill) is never taken for a backup, nor restored.
PARTIAL_SUFFIX = ".partial"


class BackupUnsupportedError(RuntimeError):
    """The database is not SQLite: PostgreSQL is backed up with its own tools (pg_dump)."""


async def copy_database(engine: AsyncEngine, target: Path) -> Path:
    """``VACUUM INTO`` a new file: a transactionally consistent snapshot that readers and the
    single writer are not blocked by for long, compacted as a bonus. Only a complete copy
    gets ``target``'s name; a failed one is deleted."""
    if engine.dialect.name != "sqlite":
        raise BackupUnsupportedError(engine.dialect.name)
    partial = target.with_name(target.name + PARTIAL_SUFFIX)
    await asyncio.to_thread(_clear, target, partial)
    try:
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            driver = raw.driver_connection
            assert driver is not None
            await driver.execute("VACUUM INTO ?", (str(partial),))
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    await asyncio.to_thread(partial.replace, target)
    return target


async def nightly_backup(engine: AsyncEngine, folder: Path, *, keep: int, now: datetime) -> Path:
    """Write today's copy into ``folder`` and delete all but the newest ``keep`` copies."""
    target = folder / f"{BACKUP_PREFIX}{now.strftime('%Y%m%d-%H%M%S')}{BACKUP_SUFFIX}"
    await copy_database(engine, target)
    await asyncio.to_thread(_rotate, folder, keep)
    return target


def _clear(*targets: Path) -> None:
    for target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)


def _rotate(folder: Path, keep: int) -> None:
    copies = sorted(folder.glob(f"{BACKUP_PREFIX}*{BACKUP_SUFFIX}"))
    cut_short = folder.glob(f"{BACKUP_PREFIX}*{BACKUP_SUFFIX}{PARTIAL_SUFFIX}")  # by a kill
    for old in [*copies[:-keep], *cut_short]:
        old.unlink(missing_ok=True)


def newest_backup_at(folder: Path) -> datetime | None:
    """When the newest copy in ``folder`` was written (its name says, in UTC); None: none."""
    for copy in sorted(folder.glob(f"{BACKUP_PREFIX}*{BACKUP_SUFFIX}"), reverse=True):
        stamp = copy.name.removeprefix(BACKUP_PREFIX).removesuffix(BACKUP_SUFFIX)
        with contextlib.suppress(ValueError):
            return datetime.strptime(stamp, "%Y%m%d-%H%M%S").replace(tzinfo=UTC)
    return None
