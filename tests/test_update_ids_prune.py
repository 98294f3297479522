"""The nightly forget of processed update ids deletes each batch through the primary key on
PostgreSQL. Its one statement, ``DELETE … WHERE update_id IN (SELECT … LIMIT 500)``, was
planned as a hash join that read the whole table for every batch: on a table of a few days'
updates the planner reckons a sequential scan cheaper than 500 probes of the key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, text

from pg_cluster import PostgresCluster
from query_plans import recorded
from storage.engine import create_engine, create_session_pool
from storage.migrate import upgrade
from storage.models import ProcessedUpdate
from storage.updates import forget_updates_before

NOW = datetime(2027, 3, 10, 3, 0, tzinfo=UTC)
ROWS = 30_000  # three days of a region's updates, a third of them past the two days kept


async def test_a_batch_is_deleted_through_the_key_not_a_scan(pg_cluster: PostgresCluster):
    url = pg_cluster.create_database("forget_updates_plan")
    engine = create_engine(url)
    try:
        await upgrade(engine)
        step = timedelta(days=3) / ROWS
        async with engine.begin() as connection:
            await connection.execute(
                insert(ProcessedUpdate),
                [{"update_id": n, "processed_at": NOW - step * (ROWS - n)} for n in range(ROWS)],
            )
        async with engine.connect() as connection:  # as autovacuum would after such a day
            await connection.execute(text("COMMIT"))
            await connection.execute(text("ANALYZE processed_updates"))
        with recorded(engine) as ran:
            async with create_session_pool(engine)() as session, session.begin():
                assert (
                    await forget_updates_before(session, NOW - timedelta(days=2), limit=500) == 500
                )
        async with engine.connect() as connection:
            deletes = {
                sql: [row[0] for row in await connection.exec_driver_sql(f"EXPLAIN {sql}", params)]
                for sql, params in ran.items()
                if sql.startswith("DELETE")
            }
    finally:
        await engine.dispose()
        pg_cluster.drop_database("forget_updates_plan")
    assert len(deletes) == 1, deletes
    plan = next(iter(deletes.values()))
    assert not [line for line in plan if "Seq Scan" in line], plan
    assert any("Index Scan using pk_processed_updates" in line for line in plan), plan
