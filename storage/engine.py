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

from storage.write_gate import WriteGate

SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_BEGIN_OPTION = "sqlite_begin"
# Update workers hold a connection each (16 chats at once by default), beside the inbox
# writer, the leader's lock, the sender and the scheduler: SQLAlchemy's 5 + 10 would queue them.
POOL_SIZE = 20
POOL_OVERFLOW = 10
_WROTE = "ppo_bot_wrote"  # in a SQLite connection's info: its transaction has written


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """Create the async engine; on SQLite also create the file's folder and set WAL mode.

    SQLite has one writer. Its transactions start ``DEFERRED`` (take the write lock only at
    their first write), so reading never waits for a writer nor holds one up; a session asks
    for ``BEGIN IMMEDIATE`` through the ``sqlite_begin`` execution option, as those of
    :func:`create_session_pool` do. ``hide_parameters``: a failed statement's error is
    logged, and must carry no names or phones.
    """
    parsed = make_url(url)
    if not parsed.get_backend_name().startswith("sqlite"):
        return create_async_engine(
            url,
            echo=echo,
            pool_pre_ping=True,
            hide_parameters=True,
            pool_size=POOL_SIZE,
            max_overflow=POOL_OVERFLOW,
        )

    pool: dict[str, int] = {}
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        pool = {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW}
    engine = create_async_engine(url, echo=echo, hide_parameters=True, **pool)
    gate = WriteGate()  # writers asking for the lock up front get it in turn

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
        mode = conn.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
        if mode != "DEFERRED":
            gate.enter(conn.info)
        try:
            conn.exec_driver_sql(f"BEGIN {mode}")
        except BaseException:
            gate.leave(conn.info)
            raise
        conn.info[_WROTE] = mode != "DEFERRED"  # IMMEDIATE holds the write lock from here

    gate.attach(engine.sync_engine)

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _note_writes(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip()[:6].upper() not in {"SELECT", "PRAGMA", "BEGIN "}:
            conn.info[_WROTE] = True

    return engine


async def holds_no_write_lock(session: AsyncSession) -> bool:
    """True on SQLite while the session's transaction has written nothing, not even pending
    objects: it can end without ever having taken the write lock. Always False on PostgreSQL,
    where a transaction that reads first and writes later does not fail for it."""
    if session.new or session.dirty or session.deleted:
        return False
    connection = await session.connection()
    return connection.info.get(_WROTE) is False


def create_session_pool(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for short read-then-write transactions: on SQLite ``BEGIN IMMEDIATE``.

    Such a transaction takes the write lock up front and waits for it (busy timeout) instead
    of failing with "database is locked" halfway through, when another writer committed after
    it read. So it must stay short: no network call and no rendering inside.
    """
    immediate = engine.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})
    return async_sessionmaker(immediate, expire_on_commit=False)


def create_reading_pool(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that take SQLite's write lock only at their first write (``BEGIN DEFERRED``).

    For reads, and for work that mostly reads and can be run again: a write after another
    writer committed fails at once with "database is locked" (SQLITE_BUSY_SNAPSHOT), and the
    caller must be ready to run the transaction again.
    """
    return async_sessionmaker(engine, expire_on_commit=False)
