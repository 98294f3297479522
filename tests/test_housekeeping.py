"""The nightly housekeeping: old outbox rows and processed update ids go, what still guards a
message against a second sending stays, pending rows and the audit log are never touched."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.domain.housekeeping import (
    GIVEN_UP_KEPT,
    SENT_KEPT,
    forget_processed_updates,
    prune_outbox,
)
from bot.domain.reminders import plan_reminders
from bot.domain.tick import Planning
from bot.wiring.scheduler import nightly
from harness import ADMIN, Harness, background
from query_plans import plans as plans_of
from query_plans import recorded
from storage import audit, collections
from storage.engine import create_engine, create_session_pool
from storage.models import (
    AuditEntry,
    CollectionKind,
    OutboxMessage,
    OutboxStatus,
    ProcessedUpdate,
)
from storage.outbox import enqueue
from test_reminders import D1, SETTINGS, build, button

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


async def add(
    pool: async_sessionmaker[AsyncSession],
    key: str,
    status: OutboxStatus,
    *,
    ago: timedelta,
) -> None:
    """A row with ``key`` that was sent, or last tried, ``ago`` before NOW."""
    when = NOW - ago
    async with pool() as session, session.begin():
        assert await enqueue(
            session,
            key=key,
            chat_id=7,
            kind="text",
            payload={"text": key},
            not_before=when,
            now=when - DAY,
        )
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.key == key)
            .values(status=status, sent_at=when if status is OutboxStatus.SENT else None)
        )


async def keys(pool: async_sessionmaker[AsyncSession]) -> set[str]:
    async with pool() as session:
        return set((await session.scalars(select(OutboxMessage.key))).all())


async def open_request(
    pool: async_sessionmaker[AsyncSession], scope: int, targets: list[int], deadline: date, opened
):
    async with pool() as session, session.begin():
        return await collections.open_collection(
            session,
            kind=CollectionKind.PASSPORT,
            scope_org_id=scope,
            period=opened.date().replace(day=1),
            title=f"Запрос до {deadline}",
            one_off=True,
            deadline_for_target=deadline,
            targets=[(org, "new") for org in targets],
            now=opened,
        )


async def test_old_finished_rows_go_and_guarding_ones_stay(session_pool) -> None:
    world = await build(session_pool)
    d1, kinder = world.org[D1], world.org["Детский сад"]
    # closed since 26.10 (deadline + 31 days); open until a month after 30.06.2027
    closed = await open_request(session_pool, d1, [kinder], date(2026, 9, 25), NOW - 80 * DAY)
    still_open = await open_request(session_pool, d1, [kinder], date(2027, 6, 30), NOW - 80 * DAY)
    old = SENT_KEPT + DAY
    gone = {
        f"remind:{closed.id}:{kinder}:open:103": (OutboxStatus.SENT, old),
        f"digest:{d1}:2026-10-19:901:text": (OutboxStatus.SENT, old),
        "announce:1:103": (OutboxStatus.FAILED, GIVEN_UP_KEPT + DAY),
        "announce:1:104": (OutboxStatus.UNREACHABLE, GIVEN_UP_KEPT + DAY),
    }
    kept = {
        f"remind:{still_open.id}:{kinder}:open:103": (OutboxStatus.SENT, 80 * DAY),
        f"remind:{still_open.id}:{kinder}:before7:103": (OutboxStatus.FAILED, 400 * DAY),
        f"digest:{d1}:2026-10-26:901:text": (OutboxStatus.SENT, SENT_KEPT - DAY),
        "announce:2:103": (OutboxStatus.FAILED, GIVEN_UP_KEPT - DAY),
        "announce:2:104": (OutboxStatus.UNREACHABLE, GIVEN_UP_KEPT - DAY),
        "return:5:103": (OutboxStatus.PENDING, 400 * DAY),
    }
    for key, (status, ago) in {**gone, **kept}.items():
        await add(session_pool, key, status, ago=ago)

    assert await prune_outbox(session_pool, NOW) == len(gone)
    assert await keys(session_pool) == set(kept)
    assert await prune_outbox(session_pool, NOW) == 0


async def test_a_pruned_reminder_of_an_open_request_is_not_sent_again(session_pool, clock) -> None:
    """A request open for months: its «open» reminder went out long ago; pruning must not make
    the next tick send it again (its key is what says it was sent)."""
    world = await build(session_pool)
    opened = NOW - 60 * DAY  # Tuesday 22 September
    clock.moment = opened
    asked = await open_request(
        session_pool, world.org[D1], [world.org["Детский сад"]], date(2027, 3, 31), opened
    )
    assert (
        await plan_reminders(Planning(session_pool, clock, SETTINGS, "Europe/Moscow"), button) == 1
    )
    async with session_pool() as session, session.begin():
        await session.execute(
            update(OutboxMessage).values(status=OutboxStatus.SENT, sent_at=clock.moment)
        )

    clock.moment = NOW
    assert await prune_outbox(session_pool, NOW) == 0
    assert (
        await plan_reminders(Planning(session_pool, clock, SETTINGS, "Europe/Moscow"), button) == 0
    )
    assert await keys(session_pool) == {f"remind:{asked.id}:{world.org['Детский сад']}:open:103"}


def count_commits(engine: AsyncEngine) -> list[int]:
    commits: list[int] = []
    event.listen(engine.sync_engine, "commit", lambda _conn: commits.append(1))
    return commits


async def test_pruning_goes_in_short_batches(session_pool, engine) -> None:
    world = await build(session_pool)
    still_open = await open_request(
        session_pool, world.org[D1], [world.org["Детский сад"]], date(2027, 6, 30), NOW
    )
    for n in range(30):
        await add(
            session_pool,
            f"digest:1:2026-01-01:{n}:text",
            OutboxStatus.SENT,
            ago=SENT_KEPT + 10 * DAY,
        )
    guarded = f"remind:{still_open.id}:1:open:7"
    await add(session_pool, guarded, OutboxStatus.SENT, ago=SENT_KEPT + 10 * DAY)
    async with session_pool() as session, session.begin():
        for n in range(20):
            session.add(ProcessedUpdate(update_id=n, processed_at=NOW - 3 * DAY - n * DAY))
        session.add(ProcessedUpdate(update_id=99, processed_at=NOW - DAY))

    commits = count_commits(engine)
    assert await prune_outbox(session_pool, NOW, batch=7) == 30
    assert len(commits) >= 5  # 31 candidates, 7 a transaction
    assert await keys(session_pool) == {guarded}
    commits.clear()
    assert await forget_processed_updates(session_pool, NOW, batch=7) == 20
    assert len(commits) >= 3
    async with session_pool() as session:
        assert (await session.scalars(select(ProcessedUpdate.update_id))).all() == [99]


async def test_the_nightly_job_prunes_and_keeps_the_audit_log(
    harness: Harness, tmp_path: Path
) -> None:
    harness.clock.moment = NOW
    async with harness.session_pool() as session, session.begin():
        audit.record(session, at=NOW - 800 * DAY, actor_id=None, action="announce", after={})
        session.add(ProcessedUpdate(update_id=1, processed_at=NOW - 3 * DAY))
        session.add(ProcessedUpdate(update_id=2, processed_at=NOW - DAY))
    await add(harness.session_pool, "announce:1:7", OutboxStatus.SENT, ago=SENT_KEPT + DAY)
    await add(harness.session_pool, "announce:1:8", OutboxStatus.SENT, ago=SENT_KEPT - DAY)
    bg = background(harness)
    bg.settings = harness.settings.model_copy(update={"backup_dir": tmp_path / "backups"})

    await nightly(bg)

    assert await keys(harness.session_pool) == {"announce:1:8"}
    async with harness.session_pool() as session:
        assert (await session.scalars(select(ProcessedUpdate.update_id))).all() == [2]
        kept = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "announce")
        assert await session.scalar(kept) == 1


async def test_a_night_the_backup_fails_the_admins_hear_of_it_in_the_morning(
    sqlite_harness: Harness, tmp_path: Path
) -> None:
    """A full disk or a file in the way of the backups' folder: logged only, the backups could
    stop for weeks unnoticed. The admins are told, at 09:00, not at 03:00."""
    h = sqlite_harness
    h.clock.moment = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)  # a Tuesday, 03:00 in Moscow
    in_the_way = tmp_path / "backups"
    in_the_way.write_text("not a folder")
    bg = background(h)
    bg.settings = h.settings.model_copy(update={"backup_dir": in_the_way})

    await nightly(bg)

    told = await _nightly_notices(h)
    assert [message.chat_id for message in told] == [ADMIN]
    assert "Ночная копия базы не сделана" in told[0].payload["text"]
    assert "<code>nightly backup</code>" in told[0].payload["text"]
    assert told[0].not_before == datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # 09:00 in Moscow

    h.clock.moment += timedelta(days=1)
    bg.settings = h.settings.model_copy(update={"backup_dir": tmp_path / "fixed"})
    await nightly(bg)
    assert len(await _nightly_notices(h)) == 1  # a good night tells no one


async def _nightly_notices(h: Harness) -> list[OutboxMessage]:
    async with h.session_pool() as session:
        found = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.key.like("nightly-skipped:%"))
        )
        return list(found.all())


async def test_each_prune_batch_reads_only_rows_past_retention(
    sqlite_template: Path, tmp_path: Path
) -> None:
    """Years of outbox: a batch that walked the table from the last pruned id held SQLite's
    write lock while it read every row still kept (0.9 s on 200,000 rows, README
    Benchmarks). Each statement a prune runs reaches its rows through an index, in its order."""
    shutil.copyfile(sqlite_template, tmp_path / "bot.sqlite3")
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}")
    pool = create_session_pool(engine)
    try:
        for n in range(5):
            await add(pool, f"announce:{n}:7", OutboxStatus.SENT, ago=SENT_KEPT + DAY)
            await add(pool, f"announce:{n}:8", OutboxStatus.FAILED, ago=GIVEN_UP_KEPT + DAY)
            await add(pool, f"announce:{n}:9", OutboxStatus.SENT, ago=DAY)
        with recorded(engine) as ran:
            assert await prune_outbox(pool, NOW, batch=2) == 10
        plans = await plans_of(engine, ran, "outbox")
        # An index range up to the retention's cutoff, or one row by its id; nothing sorted.
        reads = [plan for plan in plans if "outbox" in plan]
        assert reads and all(
            plan.startswith("SEARCH") and ("<?" in plan or "rowid=?" in plan) for plan in reads
        ), plans
        assert not [plan for plan in plans if "TEMP B-TREE" in plan], plans
        assert await keys(pool) == {f"announce:{n}:9" for n in range(5)}
    finally:
        await engine.dispose()
