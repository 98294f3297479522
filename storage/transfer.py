"""Copy a whole bot database into a new one: moving from SQLite to PostgreSQL.

``python -m bot transfer --from sqlite+aiosqlite:///data/bot.sqlite3 --to
postgresql+asyncpg://...`` runs :func:`transfer`. The target is brought to the latest schema
by the migrations (so it is exactly what the bot would create), every table is copied in
foreign-key order (``Base.metadata.sorted_tables``) in batches, PostgreSQL's id sequences
are moved past the copied ids, and the row counts of every table are compared. The copy is
one transaction on the target: a failure leaves it empty, and the run can simply be repeated.

It refuses a target that holds any of the bot's rows (nothing is ever overwritten or merged;
a target the bot was only started or migrated on is empty in that sense), and a
source that is not at the latest schema (the source is only read, never migrated here). The
source must not change meanwhile: the caller holds the bot's SQLite lock for it, and the
source is read in one snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Table, bindparam, func, inspect, select, update
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.engine import create_engine
from storage.migrate import alembic_config, upgrade
from storage.models import Base

#: Rows read and inserted at a time: bounded memory for any size of database.
BATCH_ROWS = 1000


class TransferError(RuntimeError):
    """A transfer refused before copying, or a copy whose row counts do not match."""


@dataclass(frozen=True)
class TableCopy:
    table: str
    rows: int


async def transfer(
    source_url: str, target_url: str, *, batch_rows: int = BATCH_ROWS
) -> list[TableCopy]:
    """Copy every table of the source database into the empty target; rows per table."""
    if make_url(source_url) == make_url(target_url):
        raise TransferError("the source and the target are the same database")
    source, target = create_engine(source_url), create_engine(target_url)
    try:
        await _require_latest_schema(source)
        await _require_empty(target)
        await upgrade(target)
        async with source.begin() as reading, target.begin() as writing:
            copies = [
                TableCopy(table.name, await _copy_table(reading, writing, table, batch_rows))
                for table in Base.metadata.sorted_tables
            ]
            if writing.dialect.name == "postgresql":
                await _reset_sequences(writing)
            await _verify(reading, writing, copies)
        return copies
    finally:
        await source.dispose()
        await target.dispose()


async def _require_latest_schema(source: AsyncEngine) -> None:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    async with source.connect() as connection:
        current = await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )
    if current is None:
        raise TransferError("the source is not a bot database (no schema version in it)")
    if current != head:
        raise TransferError(
            f"the source is at schema {current}, not the latest {head}: bring it up to date "
            "first with DATABASE_URL=<source> python -m bot migrate"
        )


def _tables_with_rows(connection: Connection) -> list[str]:
    """The bot's tables that hold rows. Only the tables the copy writes count: a database the
    bot was already started or migrated on holds rows the migrations seed (PostgreSQL's
    ``call_slots``) and the scheduler's jobs, and it is as good a target as an empty one."""
    present = set(inspect(connection).get_table_names())
    return [
        table.name
        for table in Base.metadata.sorted_tables
        if table.name in present and connection.scalar(select(func.count()).select_from(table))
    ]


async def _require_empty(target: AsyncEngine) -> None:
    async with target.connect() as connection:
        filled = await connection.run_sync(_tables_with_rows)
    if filled:
        raise TransferError(
            "the target database is not empty (rows in: "
            f"{', '.join(sorted(filled))}); give an empty database"
        )


async def _copy_table(
    reading: AsyncConnection, writing: AsyncConnection, table: Table, batch_rows: int
) -> int:
    """Copy one table in batches, in primary-key order; its count of rows.

    A row may refer to a row of its own table that comes later (an organization's parent
    added after it): such references are inserted empty and filled in once all rows are in.
    """
    own_refs = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    keys = [column.name for column in table.primary_key.columns]
    links: list[dict[str, Any]] = []
    copied = 0
    rows_of = await reading.stream(select(table).order_by(*table.primary_key.columns))
    async for batch in rows_of.partitions(batch_rows):
        rows = [dict(row._mapping) for row in batch]
        for row in rows:
            if any(row[name] is not None for name in own_refs):
                links.append({f"b_{name}": row[name] for name in [*keys, *own_refs]})
                row.update(dict.fromkeys(own_refs))
        await writing.execute(table.insert(), rows)
        copied += len(rows)
    if links:
        relink = (
            update(table)
            .where(*(table.c[name] == bindparam(f"b_{name}") for name in keys))
            .values({name: bindparam(f"b_{name}") for name in own_refs})
        )
        await writing.execute(relink, links)
    return copied


async def _reset_sequences(writing: AsyncConnection) -> None:
    """Move every id sequence past the copied ids: the rows came with their ids, so the
    sequences still stand at 1 and the first new row would collide."""
    for table in Base.metadata.sorted_tables:
        column = table.autoincrement_column
        if column is None:
            continue
        sequence = func.pg_get_serial_sequence(table.name, column.name)
        await writing.execute(
            select(func.setval(sequence, func.coalesce(func.max(column), 0) + 1, False))
        )


async def _verify(
    reading: AsyncConnection, writing: AsyncConnection, copies: list[TableCopy]
) -> None:
    """Count every table on both sides: the source's rows must all be in the target."""
    for copy in copies:
        count = select(func.count()).select_from(Base.metadata.tables[copy.table])
        here, there = await reading.scalar(count), await writing.scalar(count)
        if not here == there == copy.rows:
            raise TransferError(
                f"{copy.table}: {here} rows in the source, {copy.rows} copied, "
                f"{there} in the target"
            )
