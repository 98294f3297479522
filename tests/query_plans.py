"""What SQLite plans for the statements a piece of code runs: whether a query that runs every
minute or every night reaches its rows through an index, asserted on the real statements."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@contextmanager
def recorded(engine: AsyncEngine) -> Iterator[dict[str, object]]:
    """The statements run on ``engine`` inside the block, each once, with its first parameters."""
    ran: dict[str, object] = {}

    def note(_conn: object, _cursor: object, sql: str, params: object, *_: object) -> None:
        ran.setdefault(sql, params)

    event.listen(engine.sync_engine, "before_cursor_execute", note)
    try:
        yield ran
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", note)


async def plans_by_statement(
    engine: AsyncEngine, ran: dict[str, object], table: str
) -> dict[str, list[str]]:
    """SQLite's plan lines (EXPLAIN QUERY PLAN) of each statement in ``ran`` naming ``table``."""
    found = {}
    async with engine.connect() as connection:
        for sql, params in ran.items():
            if table in sql:
                explained = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)
                found[sql] = [str(row[-1]) for row in explained]
    return found


async def plans(engine: AsyncEngine, ran: dict[str, object], table: str) -> list[str]:
    """The plan lines of every statement in ``ran`` naming ``table``, one list."""
    found = await plans_by_statement(engine, ran, table)
    return [line for lines in found.values() for line in lines]
