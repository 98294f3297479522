"""``python -m bot transfer``: a real SQLite file the bot filled, copied into an empty database
(the PostgreSQL the tests start, and another SQLite file), every row compared."""

from __future__ import annotations

import asyncio
import os
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from bot.__main__ import main, single_instance
from conftest import FakeClock
from harness import last_message, running_harness
from scenarios import CHAIR, FULL, answer_all, join
from storage import outbox
from storage.engine import create_engine, create_session_pool
from storage.migrate import upgrade
from storage.models import Base, Organization, OrgKind
from storage.outbox import OutboxKind
from storage.transfer import TransferError, transfer

pytestmark = pytest.mark.timeout(180)


async def fill(source_url: str, clock: FakeClock) -> None:
    """A database as a bot leaves it: a district imported, a chair joined and reported, a
    message waiting in the outbox; and an organization whose parent came after it."""
    async with running_harness(source_url, clock) as h:
        await join(h)
        await h.tap(CHAIR, last_message(await answer_all(h, FULL)), "Отправить")
        async with h.session_pool() as session, session.begin():
            top = await session.scalar(select(func.max(Organization.id)))
            assert top is not None
            now = clock.now()
            stamps = {"created_at": now, "updated_at": now}
            await session.execute(
                insert(Organization),
                [  # the parent first (its id the higher), as a later reshuffle leaves them
                    {"id": top + 2, "kind": OrgKind.DISTRICT, "parent_id": None, **stamps}
                    | {"name": "Район позже", "name_key": "район позже"},
                    {"id": top + 1, "kind": OrgKind.PPO, "parent_id": top + 2, **stamps}
                    | {"name": "Школа позже", "name_key": "школа позже"},
                ],
            )
            await outbox.enqueue(
                session,
                key="transfer-test",
                chat_id=501,
                kind=OutboxKind.TEXT,
                payload={"text": "потом"},
                not_before=clock.now() + timedelta(hours=1),
                now=clock.now(),
            )


async def every_row(url: str) -> dict[str, list[dict[str, Any]]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return {
                table.name: [
                    dict(row._mapping)
                    for row in await connection.execute(
                        select(table).order_by(*table.primary_key.columns)
                    )
                ]
                for table in Base.metadata.sorted_tables
            }
    finally:
        await engine.dispose()


@pytest.fixture
async def source_url(tmp_path: Path, clock: FakeClock) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'source.sqlite3'}"
    await fill(url, clock)
    return url


async def test_every_row_arrives_and_new_rows_get_fresh_ids(source_url: str, db_url: str) -> None:
    copies = await transfer(source_url, db_url, batch_rows=3)  # several batches per table

    source, target = await every_row(source_url), await every_row(db_url)
    assert target == source
    assert {copy.table: copy.rows for copy in copies} == {
        name: len(rows) for name, rows in source.items()
    }
    for name in ("organizations", "people", "membership_reports", "audit_log", "outbox"):
        assert source[name], f"the source has no {name}: the test proves nothing about them"

    engine = create_engine(db_url)
    try:
        async with create_session_pool(engine)() as session, session.begin():
            now = datetime.now(UTC)
            added = Organization(
                name="Новая ППО",
                name_key="новая ппо",
                kind=OrgKind.PPO,
                created_at=now,
                updated_at=now,
            )
            session.add(added)
            await session.flush()
            assert added.id == max(row["id"] for row in source["organizations"]) + 1
    finally:
        await engine.dispose()


async def test_a_target_with_rows_is_refused(source_url: str, db_url: str) -> None:
    await transfer(source_url, db_url)
    before = await every_row(db_url)

    with pytest.raises(TransferError, match=r"not empty.*organizations"):
        await transfer(source_url, db_url)

    assert await every_row(db_url) == before


async def test_a_target_the_bot_was_already_started_on_is_accepted(
    source_url: str, db_url: str
) -> None:
    """Starting the bot (or `migrate`) on the new database first leaves rows the migrations
    seed (PostgreSQL's call budget): they are not data, and the copy goes ahead."""
    engine = create_engine(db_url)
    await upgrade(engine)
    await engine.dispose()

    await transfer(source_url, db_url)

    assert await every_row(db_url) == await every_row(source_url)


async def test_a_source_behind_the_latest_schema_is_refused(tmp_path: Path, db_url: str) -> None:
    empty = f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}"
    engine = create_engine(empty)
    async with engine.begin() as connection:
        await connection.exec_driver_sql("create table unrelated (x integer)")
    await engine.dispose()

    with pytest.raises(TransferError, match="not a bot database"):
        await transfer(empty, db_url)


def test_the_command_prints_a_summary(
    tmp_path: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    source = f"sqlite+aiosqlite:///{tmp_path / 'data' / 'bot.sqlite3'}"
    asyncio.run(fill(source, clock))
    target = f"sqlite+aiosqlite:///{tmp_path / 'target.sqlite3'}"

    assert main(["transfer", "--from", source, "--to", target]) == 0

    printed = capsys.readouterr().out.splitlines()
    assert "organizations: " in "\n".join(printed)
    assert printed[-1].startswith("copied ")
    assert printed[-1].endswith("every table's count matches")


def test_a_target_server_that_does_not_answer_is_one_clear_line(
    tmp_path: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    source = f"sqlite+aiosqlite:///{tmp_path / 'data' / 'bot.sqlite3'}"
    asyncio.run(fill(source, clock))
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    target = f"postgresql+asyncpg://bot@127.0.0.1:{port}/bot"

    assert main(["transfer", "--from", source, "--to", target]) == 1

    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("Transfer failed, nothing copied into the target: "), line


def test_the_command_refuses_while_a_bot_runs_on_the_source(
    tmp_path: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "data" / "bot.sqlite3"
    source = f"sqlite+aiosqlite:///{database}"
    asyncio.run(fill(source, clock))
    target = tmp_path / "target.sqlite3"

    with single_instance(source):  # what a running bot holds
        code = main(["transfer", "--from", source, "--to", f"sqlite+aiosqlite:///{target}"])

    assert code == 1
    assert capsys.readouterr().err.strip() == (
        f"Transfer refused: Another bot is already running on {database} "
        f"(pid {os.getpid()}); stop it first (one bot per database)"
    )
    assert not target.exists()


def test_the_command_refuses_a_missing_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere" / "bot.sqlite3"
    target = f"sqlite+aiosqlite:///{tmp_path / 'target.sqlite3'}"

    assert main(["transfer", "--from", f"sqlite+aiosqlite:///{missing}", "--to", target]) == 1

    assert "there is no database file" in capsys.readouterr().err
    assert not missing.parent.exists()


def test_the_command_names_a_url_it_cannot_use(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = f"sqlite+aiosqlite:///{tmp_path / 'target.sqlite3'}"

    assert main(["transfer", "--from", "mysql://bot@db/bot", "--to", target]) == 1

    assert capsys.readouterr().err.strip() == (
        "Transfer refused: --from must start with sqlite+aiosqlite:/// or postgresql+asyncpg:// "
        "(async drivers)"
    )


def test_a_home_relative_source_is_the_file_in_the_home_folder(
    tmp_path: Path,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """«~» in an SQLite URL is the home folder for the check, the lock and the copy alike
    (SQLite itself would open a «~» folder in the working one)."""
    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir()
    asyncio.run(fill(f"sqlite+aiosqlite:///{home / 'bot.sqlite3'}", clock))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    target = f"sqlite+aiosqlite:///{tmp_path / 'target.sqlite3'}"

    assert main(["transfer", "--from", "sqlite+aiosqlite:///~/bot.sqlite3", "--to", target]) == 0

    assert capsys.readouterr().out.splitlines()[-1].startswith("copied ")
    assert (home / "bot.sqlite3.lock").exists() and list(work.iterdir()) == []


def test_the_same_file_on_both_sides_is_named_as_such(
    tmp_path: Path,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Two spellings of one file are one database, not «another bot is already running»."""
    database = tmp_path / "bot.sqlite3"
    asyncio.run(fill(f"sqlite+aiosqlite:///{database}", clock))
    monkeypatch.chdir(tmp_path)

    code = main(
        [
            "transfer",
            "--from",
            f"sqlite+aiosqlite:///{database}",
            "--to",
            "sqlite+aiosqlite:///./bot.sqlite3",
        ]
    )

    assert code == 1
    assert capsys.readouterr().err.strip() == (
        "Transfer refused: the source and the target are the same database"
    )


@pytest.mark.parametrize("memory", ["sqlite+aiosqlite://", "sqlite+aiosqlite:///:memory:"])
def test_an_in_memory_target_is_refused(
    tmp_path: Path, clock: FakeClock, memory: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A copy into memory would report every count matching and keep nothing."""
    source = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    asyncio.run(fill(source, clock))

    assert main(["transfer", "--from", source, "--to", memory]) == 1

    assert capsys.readouterr().err.strip() == (
        "Transfer refused: --to is an in-memory database: nothing would stay in it"
    )
