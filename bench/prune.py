"""What the nightly housekeeping costs on a large outbox and update log, and how long it
holds the write lock at a stretch.

    .venv/bin/python -m bench.prune [--rows 200000] [--days 62] [--postgres]

On a temporary database migrated like production: ``--rows`` outbox rows (sent, a digest-sized
payload each) and as many processed update ids, spread evenly over the last ``--days`` days, so
that with the default only the oldest day's rows are past their retention: the steady state of
a bot that prunes every night. Times ``prune_outbox`` and
``forget_processed_updates``: the total, and the longest transaction (on SQLite, the longest
the single write lock is held); then the plan of each statement they ran. A figure-printing
benchmark, not a test.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.databases import arguments, on_database, print_plans
from bot.domain.housekeeping import forget_processed_updates, prune_outbox
from storage.engine import create_engine, create_session_pool
from storage.migrate import upgrade
from storage.models import OutboxMessage, OutboxStatus, ProcessedUpdate

NOW = datetime(2029, 11, 21, 0, 0, tzinfo=UTC)
PAYLOAD = {"text": "Сводка по району: " + "ППО сдали отчёт. " * 40}


async def _fill(engine: AsyncEngine, rows: int, days: int) -> None:
    step = timedelta(days=days) / rows
    chunk = 5_000
    async with engine.begin() as connection:
        for start in range(0, rows, chunk):
            moments = [NOW - timedelta(days=days) + step * n for n in range(start, start + chunk)]
            await connection.execute(
                insert(OutboxMessage),
                [
                    {
                        "key": f"digest:1:{n}:text",
                        "chat_id": n % 3000,
                        "kind": "text",
                        "payload": PAYLOAD,
                        "status": OutboxStatus.SENT,
                        "attempts": 1,
                        "outages": 0,
                        "not_before": at,
                        "created_at": at,
                        "sent_at": at,
                    }
                    for n, at in enumerate(moments, start)
                ],
            )
            await connection.execute(
                insert(ProcessedUpdate),
                [{"update_id": n, "processed_at": at} for n, at in enumerate(moments, start)],
            )
    if engine.dialect.name == "postgresql":
        async with engine.connect() as connection:
            await connection.execute(text("COMMIT"))
            await connection.execute(text("ANALYZE"))
    else:
        async with engine.begin() as connection:
            await connection.execute(text("ANALYZE"))


async def _timed(engine: AsyncEngine, name: str, work) -> None:  # type: ignore[no-untyped-def]
    spans: list[float] = []
    statements: dict[str, Any] = {}
    on_execute = lambda _c, _cur, sql, params, *_: statements.setdefault(sql, params)  # noqa: E731
    opened: list[float] = []
    sync = engine.sync_engine
    on_begin = lambda _conn: opened.append(time.perf_counter())  # noqa: E731
    on_commit = lambda _conn: spans.append(time.perf_counter() - opened.pop())  # noqa: E731
    event.listen(sync, "begin", on_begin)
    event.listen(sync, "commit", on_commit)
    event.listen(sync, "before_cursor_execute", on_execute)
    started = time.perf_counter()
    count = await work()
    total = time.perf_counter() - started
    event.remove(sync, "begin", on_begin)
    event.remove(sync, "commit", on_commit)
    event.remove(sync, "before_cursor_execute", on_execute)
    longest = max(spans, default=0.0) * 1000
    print(
        f"{name}: {count:,} rows in {total:.2f} s, {len(spans)} transactions, "
        f"longest {longest:.0f} ms"
    )
    await print_plans(engine, statements)


async def measure(url: str, rows: int, days: int) -> None:
    engine = create_engine(url)
    await upgrade(engine)
    await _fill(engine, rows, days)
    pool = create_session_pool(engine)
    await _timed(engine, "prune_outbox", lambda: prune_outbox(pool, NOW))
    await _timed(engine, "forget_processed_updates", lambda: forget_processed_updates(pool, NOW))
    await engine.dispose()


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=62)
    args = parser.parse_args()
    on_database(args.postgres, lambda url: measure(url, args.rows, args.days))


if __name__ == "__main__":
    main()
