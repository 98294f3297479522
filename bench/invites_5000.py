"""What ``/invites`` costs on a whole region's list: a link for each of 5,000 ППО.

    .venv/bin/python -m bench.invites_5000 [--districts 50] [--per-district 100]

On a temporary SQLite file migrated like production: one region of ``--districts`` districts
of ``--per-district`` ППО, none chaired. Times ``invites_for_unchaired`` twice in one
transaction each: the first run writes a link per ППО, the second finds them all live.
A figure-printing benchmark, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta

from bot.domain.directory import invites_for_unchaired
from storage.engine import create_engine, create_session_pool
from storage.migrate import upgrade
from storage.models import Organization, OrgKind

NOW = datetime(2026, 12, 6, tzinfo=UTC)


def _org(name: str, kind: OrgKind, parent_id: int | None = None) -> Organization:
    return Organization(
        name=name,
        name_key=name.casefold(),
        kind=kind,
        parent_id=parent_id,
        created_at=NOW,
        updated_at=NOW,
    )


async def _measure(districts: int, per_district: int) -> None:
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
        for run in ("first (writes the links)", "second (all live)"):
            started = time.perf_counter()
            async with pool() as session, session.begin():
                links = await invites_for_unchaired(session, ttl=timedelta(days=30), now=NOW)
            print(f"{run}: {len(links):,} links in {time.perf_counter() - started:.2f} s")
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--districts", type=int, default=50)
    parser.add_argument("--per-district", type=int, default=100)
    args = parser.parse_args()
    asyncio.run(_measure(args.districts, args.per_district))


if __name__ == "__main__":
    main()
