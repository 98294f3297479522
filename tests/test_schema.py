"""The migrations build exactly the schema the models declare, on both backends: a model
changed without its migration (or the reverse) fails here, not in a region's database."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.migrate import downgrade, upgrade
from storage.models import Base

# PostgreSQL only, read and written by raw SQL (``storage/call_budget.py``): no models.
CALL_BUDGET_TABLES = frozenset({"call_slots", "call_chats", "call_pause"})


def _modelled(name: str | None, kind: str, parent: object) -> bool:
    return not (kind == "table" and name in CALL_BUDGET_TABLES)


def _differences(connection: Connection) -> list[object]:
    options = {"render_as_batch": True, "include_name": _modelled}
    context = MigrationContext.configure(connection, opts=options)
    return list(compare_metadata(context, Base.metadata))


async def test_the_migrated_schema_is_the_models_schema(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


async def test_the_latest_migration_goes_down_and_up_again(engine: AsyncEngine) -> None:
    await downgrade(engine, "-1")
    async with engine.connect() as connection:
        assert await connection.run_sync(_differences) != []  # the models are ahead of it
    await upgrade(engine)
    async with engine.connect() as connection:
        assert await connection.run_sync(_differences) == []
