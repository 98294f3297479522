"""What ``/invites`` costs on a whole region's list: a link for each of 5,000 ППО.

    .venv/bin/python -m bench.invites_5000 [--districts 50] [--per-district 100] [--spent 50000]

On a temporary SQLite file migrated like production: one region of ``--districts`` districts
of ``--per-district`` ППО, none chaired, and ``--spent`` links of earlier years that no longer
work (used, replaced or expired, spread over the last five years: what years of ``/invites``,
``/invite`` and curators' links leave behind). Times ``invites_for_unchaired`` twice in one
transaction each: the first run writes a link per ППО, the second finds them all live; then
times the read of the live links alone (the best of five) and prints the plan of each
statement that reads ``invites``. A figure-printing benchmark, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.directory import invites_for_unchaired
from storage import people
from storage.engine import create_engine, create_session_pool
from storage.migrate import upgrade
from storage.models import Invite, Organization, OrgKind, Role

NOW = datetime(2026, 12, 6, tzinfo=UTC)
is_ppo = Organization.kind == OrgKind.PPO


def _org(name: str, kind: OrgKind, parent_id: int | None = None) -> Organization:
    return Organization(
        name=name,
        name_key=name.casefold(),
        kind=kind,
        parent_id=parent_id,
        created_at=NOW,
        updated_at=NOW,
    )


async def _spent(engine: AsyncEngine, ppos: list[int], count: int) -> None:
    """``count`` links that stopped working: every third used, every third replaced, the
    rest expired unused, issued evenly over the five years before ``NOW``."""
    step = timedelta(days=5 * 365) / max(count, 1)
    rows = []
    for n in range(count):
        issued = NOW - timedelta(days=5 * 365) + step * n
        rows.append(
            {
                "code": f"spent-{n}",
                "org_id": ppos[n % len(ppos)],
                "role": Role.CHAIR,
                "created_at": issued,
                "expires_at": issued + timedelta(days=30),
                "used_at": issued + timedelta(days=1) if n % 3 == 0 else None,
                "revoked_at": issued + timedelta(days=2) if n % 3 == 1 else None,
            }
        )
    async with engine.begin() as connection:
        for start in range(0, count, 5_000):
            await connection.execute(insert(Invite), rows[start : start + 5_000])
        await connection.execute(text("ANALYZE"))


async def _plans(engine: AsyncEngine, statements: dict[str, Any]) -> None:
    """The plan SQLite chooses for each statement of the second run that reads ``invites``."""
    async with engine.connect() as connection:
        for sql, parameters in statements.items():
            if "FROM invites" in sql:
                print("  " + " ".join(sql.split())[:150])
                plan = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", parameters)
                for row in plan:
                    print("     ", row[-1])


async def _measure(districts: int, per_district: int, spent: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite+aiosqlite:///{folder}/bench.sqlite3")
        await upgrade(engine)
        pool = create_session_pool(engine)
        async with pool() as session, session.begin():
            region = _org("Регион", OrgKind.REGION)
            session.add(region)
            await session.flush()
            for k in range(districts):
                district = _org(f"Район {k}", OrgKind.DISTRICT, region.id)
                session.add(district)
                await session.flush()
                session.add_all(
                    _org(f"ППО {k}-{i}", OrgKind.PPO, district.id) for i in range(per_district)
                )
        async with pool() as session:
            ppos = (await session.scalars(select(Organization.id).where(is_ppo))).all()
        await _spent(engine, list(ppos), spent)
        statements: dict[str, Any] = {}
        note = lambda _c, _cur, sql, params, *_: statements.setdefault(sql, params)  # noqa: E731
        for run in ("first (writes the links)", "second (all live)"):
            started = time.perf_counter()
            async with pool() as session, session.begin():
                links = await invites_for_unchaired(session, ttl=timedelta(days=30), now=NOW)
            print(f"{run}: {len(links):,} links in {time.perf_counter() - started:.2f} s")
            event.listen(engine.sync_engine, "before_cursor_execute", note)
        event.remove(engine.sync_engine, "before_cursor_execute", note)
        spans = []
        for _ in range(5):
            started = time.perf_counter()
            async with pool() as session:
                live = await people.live_invites(session, now=NOW)
            spans.append(time.perf_counter() - started)
        print(f"the live links' read alone: {len(live):,} in {min(spans):.3f} s (best of 5)")
        await _plans(engine, statements)
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--districts", type=int, default=50)
    parser.add_argument("--per-district", type=int, default=100)
    parser.add_argument("--spent", type=int, default=50_000)
    args = parser.parse_args()
    asyncio.run(_measure(args.districts, args.per_district, args.spent))


if __name__ == "__main__":
    main()
