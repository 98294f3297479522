"""Alembic migrations, applied on start and by ``python -m bot migrate``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import SQLITE_BEGIN_OPTION

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

Step = Callable[[Connection, str], None]


class MigrationError(RuntimeError):
    """A migration would leave rows pointing at rows that are not there; nothing was applied."""


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection, revision: str) -> None:
    command.upgrade(alembic_config(connection), revision)


def _downgrade(connection: Connection, revision: str) -> None:
    command.downgrade(alembic_config(connection), revision)


def _pragma(connection: Connection, statement: str) -> None:
    """A PRAGMA sent past SQLAlchemy, which would begin a transaction first (where SQLite
    ignores ``foreign_keys``)."""
    cursor: Any = connection.connection.cursor()
    try:
        cursor.execute(f"PRAGMA {statement}")
    finally:
        cursor.close()


def _broken_references(connection: Connection) -> set[tuple[Any, ...]]:
    return {tuple(row) for row in connection.exec_driver_sql("PRAGMA foreign_key_check")}


def _on_sqlite(connection: Connection, step: Step, revision: str) -> None:
    """Run the step as SQLite asks a table's rebuild to be run: foreign keys off.

    Batch mode rebuilds a table by copying it and dropping the old one; with foreign keys on,
    that drop deletes every row first, which fails (or cascades) when rows of another table
    point at them, such as a district event's invitations. So the check is made once, at
    the end, and only what the step itself broke fails it.
    """
    _pragma(connection, "foreign_keys=OFF")
    try:
        with connection.begin():
            broken_before = _broken_references(connection)
            step(connection, revision)
            broken = _broken_references(connection) - broken_before
            if broken:
                tables = sorted({str(row[0]) for row in broken})
                raise MigrationError(f"references left dangling in: {', '.join(tables)}")
    finally:
        _pragma(connection, "foreign_keys=ON")


async def _migrate(engine: AsyncEngine, step: Step, revision: str) -> None:
    if engine.dialect.name != "sqlite":
        async with engine.begin() as connection:
            await connection.run_sync(step, revision)
        return
    # The write lock from the start (waiting the busy timeout for a running bot's writes):
    # a transaction that read first fails at its first write once another has written.
    immediate = engine.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})
    async with immediate.connect() as connection:
        await connection.run_sync(_on_sqlite, step, revision)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    await _migrate(engine, _upgrade, revision)


async def downgrade(engine: AsyncEngine, revision: str = "base") -> None:
    await _migrate(engine, _downgrade, revision)
