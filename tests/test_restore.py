"""``python -m bot restore``: the nightly copies listed, one put back in place of the SQLite
database with the previous one kept aside, and every refusal one line that moves nothing."""

from __future__ import annotations

import asyncio
import hashlib
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.__main__ import main, single_instance
from storage import orgs
from storage.backup import nightly_backup
from storage.engine import create_engine, create_session_pool
from storage.migrate import upgrade
from storage.models import OrgKind
from test_end_to_end import ROOT

NOW = datetime(2026, 12, 6, 0, 0, tzinfo=UTC)  # 03:00 in Moscow


@dataclass(frozen=True)
class Row:
    organization: str
    district: str = "Центральный район"
    region: str | None = None
    workers: int | None = 20
    chair_name: str | None = None
    timezone: str | None = None


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A bot's folder as on an office PC, its clock in Moscow; the database file."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "data" / "bot.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.setenv("BACKUP_DIR", "data/backups")
    monkeypatch.setenv("TZ", "Europe/Moscow")
    time.tzset()
    yield path
    monkeypatch.undo()
    time.tzset()


def url(database: Path) -> str:
    return f"sqlite+aiosqlite:///{database}"


async def add_org(database: Path, name: str) -> None:
    engine = create_engine(url(database))
    try:
        await upgrade(engine)
        async with create_session_pool(engine)() as session, session.begin():
            await orgs.apply_import(session, [Row(name)], default_region="Область", now=NOW)
    finally:
        await engine.dispose()


async def org_names(database: Path) -> set[str]:
    engine = create_engine(url(database))
    try:
        async with create_session_pool(engine)() as session:
            return {org.name for org in await orgs.all_orgs(session) if org.kind == OrgKind.PPO}
    finally:
        await engine.dispose()


async def backup(database: Path, now: datetime) -> Path:
    engine = create_engine(url(database))
    try:
        return await nightly_backup(engine, database.parent / "backups", keep=7, now=now)
    finally:
        await engine.dispose()


def restore(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], list[str]]:
    """``python -m bot restore [args]``: its exit code, stdout and stderr lines."""
    code = main(["restore", *args])
    printed = capsys.readouterr()
    return code, printed.out.splitlines(), printed.err.splitlines()


def state(folder: Path) -> dict[str, str]:
    """Every file of the database's folder (not the backups) with a hash of its bytes."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in folder.iterdir()
        if path.is_file() and not path.name.endswith(".lock")
    }


async def test_the_copies_are_listed_and_one_is_restored_and_undone(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await add_org(database, "МБОУ СОШ № 1")
    older = await backup(database, NOW - timedelta(days=1))
    await add_org(database, "МБОУ СОШ № 2")
    newer = await backup(database, NOW)
    await add_org(database, "МБОУ СОШ № 3")

    code, out, err = restore(capsys)
    assert (code, err) == (0, [])
    size = f"{newer.stat().st_size / 1024 / 1024:.1f} MB"
    assert out == [
        f"Nightly copies in {database.parent / 'backups'}, newest first:",
        f"  bot-20261206-000000.sqlite3  2026-12-06 03:00 MSK  {size}",
        f"  bot-20261205-000000.sqlite3  2026-12-05 03:00 MSK  {size}",
        "To restore one, stop the bot and run: python -m bot restore bot-20261206-000000.sqlite3",
    ]

    code, out, err = restore(capsys, older.name)
    assert (code, err) == (0, [])
    [line] = out
    aside = next(database.parent.glob("bot.sqlite3.before-restore-*"))
    assert line == (
        f"Restored {database} from data/backups/{older.name}; the previous database is kept "
        f"as {aside.name}; to undo, stop the bot and run: python -m bot restore {aside}"
    )
    assert await org_names(database) == {"МБОУ СОШ № 1"}
    assert older.exists()  # the copy stays among the backups

    code, out, err = restore(capsys, line.rsplit(" ", 1)[1])  # the undo it printed
    assert (code, err) == (0, [])
    assert await org_names(database) == {"МБОУ СОШ № 1", "МБОУ СОШ № 2", "МБОУ СОШ № 3"}


async def test_a_running_bot_blocks_the_restore(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await add_org(database, "МБОУ СОШ № 1")
    copy = await backup(database, NOW)
    await add_org(database, "МБОУ СОШ № 2")
    before = state(database.parent)
    with single_instance(url(database)):  # what a running bot holds
        code, out, err = restore(capsys, copy.name)
    assert (code, out) == (2, [])
    assert err == [
        f"Restore refused: Another bot is already running on {database} (pid {os.getpid()}); "
        "stop it first (one bot per database)"
    ]
    assert state(database.parent) == before
    assert await org_names(database) == {"МБОУ СОШ № 1", "МБОУ СОШ № 2"}


def damage(copy: Path) -> None:
    """Overwrite the copy's pages after the first: the header still reads as SQLite."""
    data = bytearray(copy.read_bytes())
    data[4096 * 2 : 4096 * 6] = b"\xa5" * (4096 * 4)
    copy.write_bytes(bytes(data))


def truncate(copy: Path) -> None:
    """A copy cut short, as a full disk leaves it."""
    copy.write_bytes(copy.read_bytes()[: copy.stat().st_size // 2])


def not_a_database(copy: Path) -> None:
    copy.write_bytes(b"\xd0\x9e\xd1\x82\xd1\x87\xd1\x91\xd1\x82 " * 500)


@pytest.mark.parametrize("spoil", [damage, truncate, not_a_database])
async def test_a_spoiled_copy_is_refused_and_nothing_is_moved(
    database: Path, capsys: pytest.CaptureFixture[str], spoil: object
) -> None:
    await add_org(database, "МБОУ СОШ № 1")
    copy = await backup(database, NOW)
    assert callable(spoil)
    spoil(copy)
    before = state(database.parent)
    code, out, err = restore(capsys, str(copy))
    assert (code, out) == (2, [])
    [line] = err
    assert line.startswith(f"Restore refused: {copy} ")
    assert "damaged" in line or "cannot be read as the bot's database" in line
    assert state(database.parent) == before
    assert await org_names(database) == {"МБОУ СОШ № 1"}


LAST_WRITE_THEN_KILLED = """
import asyncio, os, sys
sys.path.insert(0, sys.argv[2])
from storage import orgs
from storage.engine import create_engine, create_session_pool
from test_restore import NOW, Row

async def write() -> None:
    engine = create_engine("sqlite+aiosqlite:///" + sys.argv[1])
    async with create_session_pool(engine)() as session, session.begin():
        await orgs.apply_import(session, [Row("МБОУ СОШ № 2")], default_region="Область", now=NOW)
    os._exit(0)  # killed: the connection never closes, so nothing is checkpointed

asyncio.run(write())
"""


async def test_the_wal_of_the_old_database_is_not_applied_to_the_copy(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await add_org(database, "МБОУ СОШ № 1")
    copy = await backup(database, NOW)
    # a bot killed after a write: the write is only in bot.sqlite3-wal
    script = [sys.executable, "-c", LAST_WRITE_THEN_KILLED, str(database), str(ROOT / "tests")]
    process = await asyncio.create_subprocess_exec(
        *script, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    assert await process.wait() == 0
    wal = database.with_name("bot.sqlite3-wal")
    assert wal.stat().st_size > 0

    code, out, err = restore(capsys, copy.name)
    assert (code, err) == (0, [])
    assert await org_names(database) == {"МБОУ СОШ № 1"}  # the copy's, untouched
    aside = next(database.parent.glob("bot.sqlite3.before-restore-*[0-9]"))
    assert f"kept as {aside.name}, {aside.name}-wal, {aside.name}-shm;" in out[0]
    # the old write is kept with its file: the undo brings it back
    assert restore(capsys, str(aside))[0] == 0
    assert await org_names(database) == {"МБОУ СОШ № 1", "МБОУ СОШ № 2"}


async def test_undoing_a_restore_leaves_the_copy_it_reads_without_side_files(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await add_org(database, "МБОУ СОШ № 1")
    copy = await backup(database, NOW - timedelta(days=1))
    await add_org(database, "МБОУ СОШ № 2")
    assert restore(capsys, copy.name)[0] == 0
    aside = next(database.parent.glob("bot.sqlite3.before-restore-*"))
    assert aside.read_bytes()[18:20] == b"\x02\x02"  # the bot's database: in WAL mode
    kept = state(database.parent)[aside.name]

    code, _, err = restore(capsys, str(aside))  # the undo
    assert (code, err) == (0, [])
    beside = sorted(path.name for path in database.parent.iterdir() if path.is_file())
    assert [name for name in beside if name.endswith(("-wal", "-shm", ".restoring"))] == []
    assert state(database.parent)[aside.name] == kept  # the copy read, not changed
    assert await org_names(database) == {"МБОУ СОШ № 1", "МБОУ СОШ № 2"}


@pytest.mark.parametrize("args", [(), ("bot-20261206-000000.sqlite3",)])
async def test_postgresql_is_pointed_to_pg_restore(
    database: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://bot:secret@db-host:5432/bot")
    code, out, err = restore(capsys, *args)
    assert (code, out) == (2, [])
    assert err == [
        "Restore refused: DATABASE_URL is PostgreSQL; the bot's nightly copies are SQLite "
        "only: restore a pg_dump with pg_restore"
    ]


async def test_no_copies_yet_is_one_line(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = restore(capsys)
    assert (code, out) == (2, [])
    assert err == [
        f"Restore refused: there are no copies in {database.parent / 'backups'} (BACKUP_DIR)"
    ]
