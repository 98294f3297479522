"""Engine and session factory, with the SQLite settings a one-writer database needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_BEGIN_OPTION = "sqlite_begin"


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """Create the async engine; on SQLite also create the file's folder and set WAL mode.

    SQLite has one writer. A transaction from :func:`create_session_pool` starts with
    ``BEGIN IMMEDIATE``: one that reads and then writes takes the write lock up front and
    waits (busy timeout) instead of failing with "database is locked" halfway through; such
    transactions are kept short (no network call, no rendering inside). One from
    :func:`create_reading_pool` starts ``DEFERRED`` and takes the lock only when it first
    writes, so reading never blocks a writer. ``hide_parameters``: a failed statement's error is
    logged, and must carry no names or phones.
    """
    parsed = make_url(url)
    if not parsed.get_backend_name().startswith("sqlite"):
        return create_async_engine(url, echo=echo, pool_pre_ping=True, hide_parameters=True)

    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, echo=echo, hide_parameters=True)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(SQLITE_BEGIN_OPTION, "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def create_session_pool(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for short read-then-write transactions (SQLite: ``BEGIN IMMEDIATE``)."""
    return async_sessionmaker(engine, expire_on_commit=False)


def create_reading_pool(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that take SQLite's write lock only at their first write (``BEGIN DEFERRED``).

    For reads and for work that mostly reads; a write after another writer committed may then
    fail with "database is locked" at once, which the caller must be ready to retry.
    """
    return async_sessionmaker(
        engine.execution_options(**{SQLITE_BEGIN_OPTION: "DEFERRED"}), expire_on_commit=False
    )
