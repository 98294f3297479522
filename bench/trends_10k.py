"""Benchmark: /trends for a region of 10,000 ППО with five years of reports, and the events
report on the same data.

    .venv/bin/python -m bench.trends_10k [--db PATH] [--repeat N]
    .venv/bin/python -m bench.trends_10k --postgres     # the same on a throwaway PostgreSQL 15

The database is ``bench.digest_10k``'s (one region, 100 districts of 100 ППО, 21 quarterly
periods from December 2021 with revisions and returned reports, 20,000 events over five
years). Then, in a fresh process (so the RSS is the report's, not the generator's), for the
whole region and for one district: the read (``storage.trends.scope_history``), the build,
the message, the .xlsx and the chart; then the events report of 2026 and of 2025 (read,
summary, message, .xlsx). Median times, the tracemalloc peak of each step, the process RSS.
Prints figures; asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench.databases import arguments
from bench.digest_10k import TODAY, Step, build_database, max_rss_mb, org_ids, rss_mb, timed
from bot.domain.event_report import PeriodKind, ReportPeriod, summarize
from bot.domain.trends import SPANS, Trends, build_trends
from bot.rendering.event_report import report_lines, report_xlsx
from bot.rendering.trend_chart import trends_chart_png
from bot.rendering.trends import trends_lines, trends_xlsx
from storage import event_report
from storage.engine import create_engine, create_session_pool
from storage.models import OrgKind
from storage.trends import TrendsData, scope_history


def _print(label: str, steps: list[Step], notes: list[str]) -> None:
    print(f"\n== {label}")
    print(f"{'step':34} {'median s':>9} {'tracemalloc peak MB':>20} {'RSS after MB':>13}  output")
    for item, note in zip(steps, notes, strict=True):
        print(
            f"{item.name:34} {item.seconds:9.3f} {item.peak_mb:20.1f} {item.rss_mb:13.0f}  {note}"
        )
    print(f"{'total':34} {sum(item.seconds for item in steps):9.3f}")
    print(f"peak RSS of the process so far {max_rss_mb():.0f} MB")


def _pure(fn: Callable[[], Any]) -> Callable[[], Awaitable[Any]]:
    async def run() -> Any:
        return fn()

    return run


async def _trends(pool: Any, label: str, scope: int, region: bool, repeat: int) -> None:
    async def read() -> TrendsData:
        async with pool() as session:
            return await scope_history(session, scope)

    loaded = await timed("scope_history (2 statements)", repeat, read)
    data: TrendsData = loaded.result
    built = await timed(
        "build_trends", repeat, _pure(lambda: build_trends("Р", data, region=region))
    )
    trends: Trends = built.result
    steps = [
        loaded,
        built,
        await timed("trends_lines", repeat, _pure(lambda: trends_lines(trends))),
        await timed("trends_xlsx", repeat, _pure(lambda: trends_xlsx(trends))),
        await timed("trends_chart_png", repeat, _pure(lambda: trends_chart_png(trends))),
    ]
    reports = sum(len(items) for items in data.reports.values())
    moved = ", ".join(f"{span} y: {len(trends.moves[span])}" for span in SPANS)
    notes = [
        f"{len(data.ppos)} ППО, {reports} reports",
        f"{len(trends.years)} years, {len(trends.scope.periods)} periods; moved {moved}",
        f"{len(chr(10).join(steps[2].result))} chars",
        f"{len(steps[3].result) / 1024:.0f} KiB",
        f"{len(steps[4].result) / 1024:.0f} KiB",
    ]
    _print(f"/trends, {label}", steps, notes)


async def _events(pool: Any, label: str, scope: int, year: int, repeat: int) -> None:
    period = ReportPeriod(PeriodKind.YEAR, year)

    async def read() -> tuple[Any, Any]:
        async with pool() as session:
            events = await event_report.scope_events(session, scope, period.start, period.end)
            return events, await event_report.active_ppo(session, scope)

    loaded = await timed("scope_events + active_ppo", repeat, read)
    events, active = loaded.result
    built = await timed("summarize", repeat, _pure(lambda: summarize("Р", period, events, active)))
    steps = [
        loaded,
        built,
        await timed("report_lines", repeat, _pure(lambda: report_lines(built.result))),
        await timed("report_xlsx", repeat, _pure(lambda: report_xlsx(built.result))),
    ]
    notes = [
        f"{len(events)} events, {len(active)} ППО",
        f"{len(built.result.silent)} ППО without events",
        f"{len(steps[2].result)} lines",
        f"{len(steps[3].result) / 1024:.0f} KiB",
    ]
    _print(f"events report {year}, {label}", steps, notes)


async def measure(url: str, repeat: int) -> None:
    engine = create_engine(url)
    pool = create_session_pool(engine)
    async with pool() as session:
        region_id = (await org_ids(session, OrgKind.REGION))[0]
        district_id = (await org_ids(session, OrgKind.DISTRICT))[0]
    print(f"measuring process: RSS before {rss_mb():.0f} MB (Python + libraries); today {TODAY}")
    await _trends(pool, "region, 10,000 ППО (9,900 live)", region_id, True, repeat)
    await _trends(pool, "one district, 100 ППО", district_id, False, repeat)
    for year in (2026, 2025):
        await _events(pool, "region", region_id, year, repeat)
    await engine.dispose()


def _measure_in_new_process(url: str, repeat: int) -> None:
    command = [sys.executable, "-m", "bench.trends_10k", "--measure", "--url", url]
    subprocess.run([*command, "--repeat", str(repeat)], check=True)


def _build_and_measure(url: str, repeat: int) -> None:
    started = time.perf_counter()
    counts = asyncio.run(build_database(url))
    summary = ", ".join(f"{name}: {value:,}" for name, value in counts.items())
    print(f"built the database in {time.perf_counter() - started:.1f} s: {summary}")
    sys.stdout.flush()
    _measure_in_new_process(url, repeat)


def _postgres(repeat: int) -> None:
    """The same on a throwaway PostgreSQL 15 server (the test suite's ``tests/pg_cluster``)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from pg_cluster import postgres_unavailable_reason, start_postgres

    reason = postgres_unavailable_reason()
    if reason is not None:
        raise SystemExit(f"PostgreSQL is not available: {reason}")
    with tempfile.TemporaryDirectory() as folder, start_postgres(Path(folder)) as cluster:
        print("PostgreSQL 15 (durability off, as in the tests)")
        _build_and_measure(cluster.create_database("bench"), repeat)


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--db", help="SQLite file to use (created if missing, then kept)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per step (median)")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        asyncio.run(measure(args.url, args.repeat))
    elif args.postgres:
        _postgres(args.repeat)
    else:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(args.db) if args.db else Path(folder) / "bench.sqlite3"
            url = f"sqlite+aiosqlite:///{path}"
            if path.exists():
                _measure_in_new_process(url, args.repeat)
            else:
                print("SQLite (WAL, as in production)")
                _build_and_measure(url, args.repeat)


if __name__ == "__main__":
    main()
