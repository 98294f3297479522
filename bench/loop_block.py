"""How long a region-wide /export or /digest blocks the event loop.

    .venv/bin/python -m bench.loop_block [--db PATH] [--rounds N] [--no-freeze]
    .venv/bin/python -m bench.loop_block --postgres     # on a throwaway PostgreSQL 15

Uses the database of ``bench.digest_10k`` (10,000 ППО, five years of reports; built first when
``--db`` is missing or with ``--postgres``; a given SQLite file is copied, never changed),
gives a staff member the region, and sends /export and /digest through the real Dispatcher,
with the fake Bot API server in this process (``tests/harness.py``). Meanwhile a ticker task
sleeps 1 ms at a time and records how late it wakes: its longest lateness is the longest
time the loop could run nothing else (no other chat's update, no reply). Prints, per command,
the time from the update to its last reply sent, the longest lateness and the 99th percentile,
and how many ticks came more than 20 ms late. Like the bot at start, the measuring process
freezes what it has loaded (``gc.freeze()``) unless ``--no-freeze``: a full garbage
collection then walks only what came later. A figure-printing benchmark, not a test.
"""

from __future__ import annotations

import asyncio
import gc
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the fake server and the harness live with the tests

from bench.databases import arguments  # noqa: E402
from bench.digest_10k import build_database  # noqa: E402
from bot.texts.consent import CONSENT_VERSION  # noqa: E402
from harness import Harness, running_harness  # noqa: E402
from storage.engine import create_engine, create_session_pool  # noqa: E402
from storage.models import (  # noqa: E402
    Organization,
    OrgKind,
    Person,
    ProcessedUpdate,
    Role,
    RoleGrant,
)

STAFF_TG = 770_000_001
NOW = datetime(2026, 12, 15, 9, 0, tzinfo=UTC)  # the digest bench's «today»
TICK = 0.001
LATE = 0.02


class FixedClock:
    def now(self) -> datetime:
        return NOW


@dataclass
class Ticker:
    """Sleeps ``TICK`` at a time and keeps how late each wake-up came."""

    lateness: list[float] = field(default_factory=list)
    running: bool = True

    async def run(self) -> None:
        last = time.perf_counter()
        while self.running:
            await asyncio.sleep(TICK)
            now = time.perf_counter()
            self.lateness.append(max(0.0, now - last - TICK))
            last = now


async def add_region_staff(url: str) -> None:
    """A staff member of the region who has given consent (once per database); the update ids
    of earlier runs forgotten (the fake server numbers its updates from 1 each time)."""
    engine = create_engine(url)
    async with create_session_pool(engine)() as session, session.begin():
        await session.execute(delete(ProcessedUpdate))
        if await session.scalar(select(Person.id).where(Person.tg_user_id == STAFF_TG)) is None:
            kind = Organization.kind == OrgKind.REGION
            region = await session.scalar(select(Organization.id).where(kind))
            person = Person(
                tg_user_id=STAFF_TG,
                full_name="Сотрудник области",
                created_at=NOW,
                consent_version=CONSENT_VERSION,
                consented_at=NOW,
            )
            session.add(person)
            await session.flush()
            grant = RoleGrant(person_id=person.id, role=Role.STAFF, org_id=region, granted_at=NOW)
            session.add(grant)
    await engine.dispose()


async def timed_command(harness: Harness, command: str) -> tuple[float, list[float]]:
    """Send ``command`` with the ticker running: (seconds to the last reply, tick lateness)."""
    ticker = Ticker()
    task = asyncio.create_task(ticker.run())
    started = time.perf_counter()
    calls = await harness.send(STAFF_TG, command)
    elapsed = time.perf_counter() - started
    ticker.running = False
    await task
    if not any(call.method == "sendDocument" for call in calls):
        raise SystemExit(f"{command} sent no table: {[call.method for call in calls]}")
    return elapsed, sorted(ticker.lateness)


async def measure(url: str, rounds: int, *, freeze: bool) -> None:
    await add_region_staff(url)
    async with running_harness(url, FixedClock()) as harness:
        if freeze:  # as bot/__main__.py does once the dispatcher is built
            gc.collect()
            gc.freeze()
        for command in ("/status", "/export", "/digest"):  # warm up: imports, caches, pool
            await harness.send(STAFF_TG, command)
        print(f"gc.freeze() at start: {'yes' if freeze else 'no'}")
        print(f"{'command':9} {'median s':>9} {'longest block ms':>17} {'p99 late ms':>12}  >20 ms")
        for command in ("/export", "/digest"):
            runs = [await timed_command(harness, command) for _ in range(rounds)]
            seconds = statistics.median(elapsed for elapsed, _ in runs)
            longest = statistics.median(late[-1] for _, late in runs) * 1000
            p99 = statistics.median(late[int(len(late) * 0.99)] for _, late in runs) * 1000
            over = statistics.median(sum(1 for x in late if x > LATE) for _, late in runs)
            print(f"{command:9} {seconds:9.3f} {longest:17.1f} {p99:12.1f} {over:7.0f}")


def _measure_apart(url: str, rounds: int, freeze: bool) -> None:
    """In a fresh process: the heap (what a full garbage collection walks) is the bot's own,
    not the database generator's."""
    command = [sys.executable, "-m", "bench.loop_block", "--url", url, "--rounds", str(rounds)]
    subprocess.run([*command] if freeze else [*command, "--no-freeze"], check=True)


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--db", help="SQLite file of bench.digest_10k (built if missing)")
    parser.add_argument("--url", help="an existing database of bench.digest_10k (any backend)")
    parser.add_argument("--rounds", type=int, default=3, help="runs per command (median)")
    parser.add_argument("--no-freeze", action="store_true", help="skip gc.freeze() at start")
    args = parser.parse_args()
    freeze = not args.no_freeze
    if args.url:
        asyncio.run(measure(args.url, args.rounds, freeze=freeze))
    elif args.postgres:
        from pg_cluster import start_postgres

        with tempfile.TemporaryDirectory() as folder, start_postgres(Path(folder)) as cluster:
            url = cluster.create_database("bench")
            asyncio.run(build_database(url))
            print("PostgreSQL 15 (durability off, as in the tests)", flush=True)
            _measure_apart(url, args.rounds, freeze)
    else:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "bench.sqlite3"
            if args.db and Path(args.db).exists():
                shutil.copyfile(args.db, path)
            else:
                asyncio.run(build_database(f"sqlite+aiosqlite:///{path}"))
            print("SQLite (WAL, as in production)", flush=True)
            _measure_apart(f"sqlite+aiosqlite:///{path}", args.rounds, freeze)


if __name__ == "__main__":
    main()
