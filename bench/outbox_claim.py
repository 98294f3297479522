"""What a drain's claim of due rows costs on a large outbox in the middle of an announcement
with a file, each file following its text (``after_key``).

    .venv/bin/python -m bench.outbox_claim [--rows 200000] [--chairs 1000] [--postgres]

On a temporary database migrated like production: ``--rows`` sent outbox rows of digests (as
``bench/prune.py`` fills them), then an announcement to ``--chairs`` chairs, a text and a file
each, all due. Times ``claim_due`` of one batch (200 rows, the default ``batch_size``), rolled
back each time so that every run finds the same rows (best and median of 20): «wave», while
the texts wait; «held», once every text was pushed back by a retry and each due file waits for
its own (the claim walks them all and takes none); and ``next_due_at`` then. Prints the plan
of each statement. ``--postgres`` runs on the test suite's throwaway server. A
figure-printing benchmark, not a test.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import event, insert, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bench.databases import arguments, on_database, print_plans
from bench.prune import NOW, PAYLOAD, _fill
from storage import outbox
from storage.engine import create_engine, create_session_pool
from storage.migrate import upgrade
from storage.models import OutboxMessage, OutboxStatus

RUNS = 20
BATCH = 200


def _rows(chairs: int) -> list[dict[str, Any]]:
    at = NOW - timedelta(minutes=1)
    rows = []
    for chair in range(chairs):
        key = f"announce:9:{100_000 + chair}:{chair}"
        common = {"chat_id": 100_000 + chair, "status": OutboxStatus.PENDING, "attempts": 0}
        common |= {"outages": 0, "not_before": at, "created_at": at}
        rows.append({"key": key, "kind": "text", "payload": PAYLOAD, **common})
        rows.append(
            {"key": f"{key}:file", "kind": "file", "payload": {"file_id": "BQAC"}, **common}
            | {"after_key": key}
        )
    return rows


async def _timed(engine: AsyncEngine, run: Callable[[AsyncSession], Awaitable[Any]]) -> str:
    pool = create_session_pool(engine)
    times = []
    for _ in range(RUNS):
        async with pool() as session:
            started = time.perf_counter()
            await run(session)
            times.append(time.perf_counter() - started)
            await session.rollback()
    return f"best {min(times) * 1000:.1f} ms, median {statistics.median(times) * 1000:.1f} ms"


async def _claim(session: AsyncSession) -> list[OutboxMessage]:
    lease = timedelta(minutes=1)
    return await outbox.claim_due(session, now=NOW, limit=BATCH, holder="b", lease=lease)


async def _statistics_as_in_production(engine: AsyncEngine) -> None:
    """PostgreSQL's autovacuum would analyze the table after the wave; the bot never runs
    ANALYZE on SQLite, so the statistics ``bench.prune``'s fill left (every row sent) go."""
    async with engine.connect() as connection:
        await connection.execute(text("COMMIT"))
        if engine.dialect.name == "postgresql":
            await connection.execute(text("ANALYZE"))
        else:
            await connection.execute(text("DROP TABLE IF EXISTS sqlite_stat1"))
    await engine.dispose()  # SQLite's connections read the statistics when opened


async def measure(url: str, rows: int, chairs: int) -> None:
    engine = create_engine(url)
    await upgrade(engine)
    await _fill(engine, rows, 62)
    async with engine.begin() as connection:
        await connection.execute(insert(OutboxMessage), _rows(chairs))
    await _statistics_as_in_production(engine)
    statements: dict[str, Any] = {}
    event.listen(
        engine.sync_engine,
        "before_cursor_execute",
        lambda _c, _u, sql, p, *_: statements.setdefault(sql, p),
    )
    print(f"claim_due, {BATCH} of {2 * chairs} due (wave): {await _timed(engine, _claim)}")
    async with engine.begin() as connection:  # every text pushed back by a retry
        later = NOW + timedelta(minutes=5)
        texts = OutboxMessage.kind == "text"
        await connection.execute(update(OutboxMessage).where(texts).values(not_before=later))
    print(f"claim_due, {chairs} files held (none taken): {await _timed(engine, _claim)}")
    print(f"next_due_at then: {await _timed(engine, outbox.next_due_at)}")
    reads = lambda sql, _: sql.lstrip().startswith("SELECT") and "FROM outbox" in sql  # noqa: E731
    await print_plans(engine, statements, reads)
    await engine.dispose()


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--chairs", type=int, default=1_000)
    args = parser.parse_args()
    on_database(args.postgres, lambda url: measure(url, args.rows, args.chairs))


if __name__ == "__main__":
    main()
