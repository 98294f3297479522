"""Benchmark: a digest for a region of 10,000 ППО with five years of quarterly reports.

    .venv/bin/python -m bench.digest_10k [--db PATH] [--repeat N] [--no-freeze]
    .venv/bin/python -m bench.digest_10k --postgres     # the same on a throwaway PostgreSQL 15

Builds a temporary SQLite database (migrated like production) with one region, 100 districts
of 100 ППО (1 % archived), a chair for most ППО, 20 quarterly periods of reports (Dec 2021 …
Sep 2026: 200,000 rows) plus the open December 2026 period (90 % submitted, some with a second
revision, some returned), 20,000 events and a collection per district. Then, in a fresh process
(so the RSS is the digest's, not the generator's), times for the whole region and for one
district: ``load_digest``, the text, the .xlsx and the chart, with the tracemalloc peak of each
step and the process RSS. Like the bot at start, the measuring process freezes what it has
loaded (``gc.freeze()``, unless ``--no-freeze``): a full garbage collection then walks only the
digest's objects, not the libraries' 300,000. Prints figures; asserts nothing about speed. On
PostgreSQL the tables are analyzed after the load, as autovacuum would do in production.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bench.databases import arguments
from bot.domain.digest import Digest, load_digest
from bot.forms.registry import DIGEST_SECTIONS
from bot.rendering.digest import digest_chart_png, digest_table_xlsx, digest_text, status_text
from storage.engine import create_engine, create_session_pool
from storage.migrate import upgrade
from storage.models import (
    Collection,
    CollectionKind,
    CollectionTarget,
    Event,
    MembershipReport,
    Organization,
    OrgKind,
    Person,
    Role,
    RoleGrant,
)

DISTRICTS = 100
PPO_PER_DISTRICT = 100
OPEN_PERIOD = date(2026, 12, 1)
TODAY = date(2026, 12, 15)
DEADLINE = date(2026, 12, 20)
EVENTS_SINCE = date(2026, 12, 8)
T0 = datetime(2021, 11, 1, tzinfo=UTC)
CHUNK = 10_000


def history_periods() -> list[date]:
    """20 quarters: Dec 2021, Mar 2022, …, Sep 2026."""
    periods = []
    year, month = 2021, 12
    for _ in range(20):
        periods.append(date(year, month, 1))
        month += 3
        if month > 12:
            year, month = year + 1, month - 12
    return periods


async def _bulk(session: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(model), rows[start : start + CHUNK])


async def org_ids(session: AsyncSession, kind: OrgKind) -> list[int]:
    stmt = select(Organization.id).where(Organization.kind == kind).order_by(Organization.id)
    return list((await session.scalars(stmt)).all())


async def _mapping(session: AsyncSession, stmt: Any) -> dict[int, int]:
    """The first column to the second, as ints."""
    result: dict[int, int] = {}
    for key, value in (await session.execute(stmt)).all():
        result[int(key)] = int(value)
    return result


class ReportMaker:
    """Plausible reports: each ППО drifts around its own coverage level."""

    def __init__(self, rng: random.Random, ppo_ids: list[int], submitter: dict[int, int]) -> None:
        self.rng = rng
        self.level = {org: rng.uniform(35, 98) for org in ppo_ids}
        self.size = {org: rng.randint(15, 400) for org in ppo_ids}
        self.submitter = submitter
        self.rows: list[dict[str, Any]] = []

    def add(self, org: int, period: date, revision: int, **extra: Any) -> None:
        workers = self.size[org]
        level = min(100.0, max(5.0, self.level[org] + self.rng.uniform(-4, 3)))
        self.level[org] = level
        members = round(workers * level / 100)
        youth = workers // 4
        at = datetime.combine(period + timedelta(days=10), datetime.min.time(), UTC)
        self.rows.append(
            {
                "org_id": org,
                "period": period,
                "revision": revision,
                "workers": workers,
                "members": members,
                "youth_workers": youth,
                "youth_members": min(youth, members // 4),
                "managers": 5,
                "managers_members": 3,
                "joined": 2,
                "left": 1,
                "retired": 4,
                "submitted_by": self.submitter[org],
                "submitted_at": at + timedelta(hours=revision),
                "submission_key": f"b{len(self.rows)}",
                **extra,
            }
        )


async def build_database(url: str, districts: int = DISTRICTS) -> dict[str, int]:
    rng = random.Random(20261215)
    engine = create_engine(url)
    await upgrade(engine)
    pool = create_session_pool(engine)
    counts: dict[str, int] = {}
    async with pool() as session, session.begin():
        region = Organization(
            kind=OrgKind.REGION,
            name="Областная организация",
            name_key="областная организация",
            created_at=T0,
            updated_at=T0,
        )
        session.add(region)
        await session.flush()
        district_rows = [
            {
                "kind": OrgKind.DISTRICT,
                "name": f"Районная организация № {d:03d}",
                "name_key": f"районная организация № {d:03d}",
                "parent_id": region.id,
                "created_at": T0,
                "updated_at": T0,
            }
            for d in range(1, districts + 1)
        ]
        await _bulk(session, Organization, district_rows)
        district_ids = await org_ids(session, OrgKind.DISTRICT)
        ppo_rows = []
        for district_id in district_ids:
            for n in range(1, PPO_PER_DISTRICT + 1):
                name = f"МБОУ «Средняя общеобразовательная школа № {n}» района {district_id}"
                ppo_rows.append(
                    {
                        "kind": OrgKind.PPO,
                        "name": name,
                        "name_key": name.casefold(),
                        "parent_id": district_id,
                        "created_at": T0,
                        "updated_at": T0,
                        "archived_at": T0 if n == PPO_PER_DISTRICT else None,
                    }
                )
        await _bulk(session, Organization, ppo_rows)
        ppo_ids = await org_ids(session, OrgKind.PPO)
        parent_of = await _mapping(
            session,
            select(Organization.id, Organization.parent_id).where(Organization.kind == OrgKind.PPO),
        )
        counts["ППО"] = len(ppo_ids)

        people = [
            {
                "tg_user_id": 10_000_000 + i,
                "full_name": f"Председатель {i} Иван Иванович",
                "created_at": T0,
                "unreachable_at": T0 if i % 20 == 0 else None,
                "reminders_paused_until": date(2026, 12, 31) if i % 50 == 1 else None,
            }
            for i in range(len(ppo_ids))
        ]
        await _bulk(session, Person, people)
        person_ids = list((await session.scalars(select(Person.id).order_by(Person.id))).all())
        pairs = zip(ppo_ids, person_ids, strict=True)
        chairs = {org: person for i, (org, person) in enumerate(pairs) if i % 33 != 0}
        grants = [
            {"person_id": p, "role": Role.CHAIR, "org_id": o, "granted_at": T0}
            for o, p in chairs.items()
        ]
        await _bulk(session, RoleGrant, grants)

        maker = ReportMaker(rng, ppo_ids, {o: chairs.get(o, person_ids[0]) for o in ppo_ids})
        for period in history_periods():
            for org in ppo_ids:
                maker.add(org, period, 1)
        for i, org in enumerate(ppo_ids):
            if i % 10 == 9:
                continue  # 10 % have not submitted yet
            maker.add(org, OPEN_PERIOD, 1)
            if i % 40 == 0:
                maker.add(org, OPEN_PERIOD, 2)
            elif i % 97 == 0:
                returned = datetime(2026, 12, 12, tzinfo=UTC)
                maker.add(org, OPEN_PERIOD, 2, returned_at=returned, return_comment="Проверьте")
        await _bulk(session, MembershipReport, maker.rows)

        collections = [
            {
                "kind": CollectionKind.MEMBERSHIP,
                "scope_org_id": d,
                "period": OPEN_PERIOD,
                "title": "Мониторинг",
                "one_off": False,
                "opened_at": datetime(2026, 12, 1, tzinfo=UTC),
                "deadline": DEADLINE,
            }
            for d in district_ids
        ]
        await _bulk(session, Collection, collections)
        collection_of = await _mapping(session, select(Collection.scope_org_id, Collection.id))
        targets = [
            {
                "collection_id": collection_of[parent_of[o]],
                "org_id": o,
                "tier": "50-80",
                "deadline": DEADLINE,
            }
            for o in ppo_ids
        ]
        await _bulk(session, CollectionTarget, targets)

        events = []
        for i in range(20_000):
            day = date(2022, 1, 1) + timedelta(days=rng.randrange(0, 1810))
            events.append(
                {
                    "org_id": rng.choice(ppo_ids),
                    "kind": "seminar",
                    "topic": "Семинар",
                    "date_from": day,
                    "date_to": day,
                    "online": False,
                    "participants": rng.randint(5, 150),
                    "direction": "training",
                    "photos": {},
                    "created_by": person_ids[0],
                    "created_at": T0,
                    "updated_at": T0,
                    "deleted_at": T0 if i % 50 == 0 else None,
                    "submission_key": f"e{i}",
                }
            )
        await _bulk(session, Event, events)
        counts["events"] = len(events)
    async with pool() as session:
        stmt = select(func.count()).select_from(MembershipReport)
        counts["membership_reports rows"] = int(await session.scalar(stmt) or 0)
    if engine.dialect.name == "postgresql":
        # What autovacuum does within a minute of a bulk load in production: without planner
        # statistics PostgreSQL nested-loops late_deliveries (0.7 s instead of 0.04 s).
        async with engine.begin() as connection:
            await connection.execute(text("ANALYZE"))
    await engine.dispose()
    return counts


# --- Measuring ------------------------------------------------------------------------------


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def max_rss_mb() -> float:
    """The process's peak RSS (VmHWM). Not ``getrusage``'s ru_maxrss: Linux carries that over
    an exec from the forked parent, so it reported the database generator's peak (~270 MB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Step:
    name: str
    seconds: float  # median of the timed runs
    peak_mb: float  # tracemalloc peak of one more, traced, run
    rss_mb: float  # process RSS after the step
    result: Any


async def timed(name: str, repeat: int, step: Callable[[], Awaitable[Any]]) -> Step:
    times = []
    result: Any = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = await step()
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    await step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return Step(name, statistics.median(times), peak / 2**20, rss_mb(), result)


async def _measure_scope(pool: Any, label: str, scope: int, repeat: int) -> None:
    async def load() -> Digest:
        async with pool() as session:
            return await load_digest(
                session,
                scope_org_id=scope,
                today=TODAY,
                events_since=EVENTS_SINCE,
                sections=DIGEST_SECTIONS,
            )

    loaded = await timed("load_digest (8 queries + build)", repeat, load)
    digest: Digest = loaded.result

    def step(fn: Callable[[Digest], Any]) -> Callable[[], Awaitable[Any]]:
        async def run() -> Any:
            return fn(digest)

        return run

    steps = [
        loaded,
        await timed("digest_text", repeat, step(digest_text)),
        await timed("status_text", repeat, step(status_text)),
        await timed("digest_table_xlsx", repeat, step(digest_table_xlsx)),
        await timed("digest_chart_png", repeat, step(digest_chart_png)),
    ]
    notes = [
        f"{len(digest.lines)} ППО",
        f"{len(steps[1].result)} chars",
        f"{len(steps[2].result)} chars",
        f"{len(steps[3].result) / 1024:.0f} KiB",
        f"{len(steps[4].result) / 1024:.0f} KiB",
    ]
    change = digest.coverage_change or 0.0
    print(
        f"\n== {label}: period {digest.period:%Y-%m}, submitted {digest.submitted} of "
        f"{digest.due}, late {len(digest.late)}, returned {len(digest.returned)}, coverage "
        f"{digest.coverage or 0:.1f} % ({change:+.2f} p.p. over {digest.compared} ППО), "
        f"under 50 %: {len(digest.low)}, fell by 5+ p.p.: {len(digest.fell)}, "
        f"events: {digest.events_count} / {digest.events_participants} participants"
    )
    print(f"{'step':34} {'median s':>9} {'tracemalloc peak MB':>20} {'RSS after MB':>13}  output")
    for item, note in zip(steps, notes, strict=True):
        print(
            f"{item.name:34} {item.seconds:9.3f} {item.peak_mb:20.1f} {item.rss_mb:13.0f}  {note}"
        )
    total = sum(item.seconds for item in steps if item.name != "status_text")
    print(f"{'digest: load + text + xlsx + png':34} {total:9.3f}")
    print(f"peak RSS of the process so far {max_rss_mb():.0f} MB")


async def measure(url: str, repeat: int, *, freeze: bool) -> None:
    if freeze:  # as bot/__main__.py does once the dispatcher is built
        gc.collect()
        gc.freeze()
    engine = create_engine(url)
    pool = create_session_pool(engine)
    async with pool() as session:
        region_id = (await org_ids(session, OrgKind.REGION))[0]
        district_id = (await org_ids(session, OrgKind.DISTRICT))[0]
    frozen = "frozen" if freeze else "not frozen"
    print(f"measuring process: RSS before {rss_mb():.0f} MB (Python + libraries, {frozen})")
    await _measure_scope(pool, "region, 10,000 ППО (9,900 live)", region_id, repeat)
    await _measure_scope(pool, "one district, 100 ППО", district_id, repeat)
    await engine.dispose()


def _measure_command(url: str, repeat: int, freeze: bool) -> list[str]:
    command = [sys.executable, "-m", "bench.digest_10k", "--measure", "--url", url]
    return [*command, "--repeat", str(repeat), *([] if freeze else ["--no-freeze"])]


def _build_and_measure(url: str, repeat: int, freeze: bool) -> None:
    started = time.perf_counter()
    counts = asyncio.run(build_database(url))
    summary = ", ".join(f"{name}: {value:,}" for name, value in counts.items())
    print(f"built the database in {time.perf_counter() - started:.1f} s: {summary}")
    sys.stdout.flush()
    subprocess.run(_measure_command(url, repeat, freeze), check=True)


def _postgres(repeat: int, freeze: bool) -> None:
    """The same on a throwaway PostgreSQL 15 server (the test suite's ``tests/pg_cluster``)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from pg_cluster import postgres_unavailable_reason, start_postgres

    reason = postgres_unavailable_reason()
    if reason is not None:
        raise SystemExit(f"PostgreSQL is not available: {reason}")
    with tempfile.TemporaryDirectory() as folder, start_postgres(Path(folder)) as cluster:
        print("PostgreSQL 15 (durability off, as in the tests)")
        _build_and_measure(cluster.create_database("bench"), repeat, freeze)


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--db", help="SQLite file to use (created if missing, then kept)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per step (median)")
    parser.add_argument("--no-freeze", action="store_true", help="skip gc.freeze() at start")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    freeze = not args.no_freeze
    if args.measure:
        asyncio.run(measure(args.url, args.repeat, freeze=freeze))
        return
    if args.postgres:
        _postgres(args.repeat, freeze)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(args.db) if args.db else Path(folder) / "bench.sqlite3"
        url = f"sqlite+aiosqlite:///{path}"
        if path.exists():
            subprocess.run(_measure_command(url, args.repeat, freeze), check=True)
        else:
            print("SQLite (WAL, as in production)")
            _build_and_measure(url, args.repeat, freeze)
            print(f"database file: {path.stat().st_size / 2**20:.0f} MB")


if __name__ == "__main__":
    main()
