"""What the minute's announcement report costs on a large outbox: each announcement of the
week is looked up by the start of its key, in a write transaction.

    .venv/bin/python -m bench.outbox_prefix [--rows 200000] [--announcements 10] [--postgres]

On a temporary database migrated like production: ``--rows`` sent outbox rows of digests (as
``bench/prune.py`` fills them, a digest-sized payload each), then ``--announcements``
announcements of the last 7 days to 1,000 chairs each, 10 of whose messages still wait, so that
every tick looks each one up and queues no report. Times ``report_finished_announcements``
(best and median of 5 ticks, and its longest transaction: on SQLite, how long the single write
lock is held at a stretch), then the plan of its lookup by prefix. ``--postgres`` runs on the
test suite's throwaway server, in a database whose collation is ICU's ru-RU, as on a server
set up in Russian. A figure-printing benchmark, not a test.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.databases import arguments
from bench.prune import NOW, PAYLOAD, _fill
from bot.domain.announcements import ACTION, report_finished_announcements
from bot.domain.calendar import CalendarSettings
from bot.domain.tick import Planning
from storage import audit
from storage.engine import create_engine, create_session_pool
from storage.migrate import upgrade
from storage.models import OutboxMessage, OutboxStatus

CHAIRS = 1_000
WAITING = 10
TICKS = 5


class _Clock:
    def now(self):  # type: ignore[no-untyped-def]
        return NOW


async def _announce(engine: AsyncEngine, count: int) -> None:
    pool = create_session_pool(engine)
    async with pool() as session, session.begin():
        entries = [
            audit.record(
                session,
                at=NOW - timedelta(hours=15 * n),
                actor_id=None,
                action=ACTION,
                after={"html": "Семинар", "only_late": False, "chat": 1},
            )
            for n in range(count)
        ]
        await session.flush()
        ids = [entry.id for entry in entries]
    async with engine.begin() as connection:
        for entry_id in ids:
            at = NOW - timedelta(hours=1)
            await connection.execute(
                insert(OutboxMessage),
                [
                    {
                        "key": f"announce:{entry_id}:{100_000 + chat}:{chat}",
                        "chat_id": 100_000 + chat,
                        "kind": "text",
                        "payload": PAYLOAD,
                        "status": OutboxStatus.PENDING if chat < WAITING else OutboxStatus.SENT,
                        "attempts": 0,
                        "outages": 0,
                        "not_before": at,
                        "created_at": at,
                        "sent_at": None if chat < WAITING else at,
                    }
                    for chat in range(CHAIRS)
                ],
            )
    if engine.dialect.name == "postgresql":  # as autovacuum would after such a wave
        async with engine.connect() as connection:
            await connection.execute(text("COMMIT"))
            await connection.execute(text("ANALYZE"))


async def measure(url: str, rows: int, announcements: int) -> None:
    engine = create_engine(url)
    await upgrade(engine)
    await _fill(engine, rows, 62)
    await _announce(engine, announcements)
    pool = create_session_pool(engine)
    statements: dict[str, Any] = {}
    spans: list[float] = []
    opened: list[float] = []
    sync = engine.sync_engine
    event.listen(
        sync, "before_cursor_execute", lambda _c, _u, sql, p, *_: statements.setdefault(sql, p)
    )
    event.listen(sync, "begin", lambda _conn: opened.append(time.perf_counter()))
    event.listen(sync, "commit", lambda _conn: spans.append(time.perf_counter() - opened.pop()))
    ticks = []
    for _ in range(TICKS):
        started = time.perf_counter()
        assert (
            await report_finished_announcements(
                Planning(pool, _Clock(), CalendarSettings(), "Europe/Moscow")
            )
            == 0
        )
        ticks.append(time.perf_counter() - started)
    print(
        f"report_finished_announcements, {announcements} announcements: best "
        f"{min(ticks) * 1000:.0f} ms, median {statistics.median(ticks) * 1000:.0f} ms a tick; "
        f"longest transaction {max(spans) * 1000:.0f} ms"
    )
    explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    async with engine.connect() as connection:
        for sql, params in list(statements.items()):
            if "FROM outbox" in sql and "announce:" in str(params):
                print("  " + " ".join(sql.split())[-90:])
                for row in (await connection.exec_driver_sql(explain + sql, params)).all():
                    print("     ", row[-1])
    await engine.dispose()


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--announcements", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.postgres:  # the test suite's throwaway server (``tests/pg_cluster``)
            sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
            from pg_cluster import start_postgres

            with start_postgres(Path(folder)) as cluster:
                print("PostgreSQL 15 (durability off, as in the tests), collation ICU ru-RU")
                cluster.psql(
                    "CREATE DATABASE bench TEMPLATE template0"
                    " LOCALE_PROVIDER icu ICU_LOCALE 'ru-RU'"
                )
                url = cluster.url_for("bench")
                asyncio.run(measure(url, args.rows, args.announcements))
        else:
            print("SQLite (WAL, as in production)")
            url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"
            asyncio.run(measure(url, args.rows, args.announcements))


if __name__ == "__main__":
    main()
