"""On SQLite the writers that ask for the write lock up front get it in the order they asked.

SQLite keeps no queue: a waiter polls in its busy handler, and one that has waited long polls
seldom and loses to newcomers. Under load (a reminder wave recording every send while chairs
answer forms) the sender's record of a message Telegram had accepted lost that race for the
whole busy timeout and failed with «database is locked» (``storage/write_gate.py``). Here the
busy timeout is taken away altogether: a writer that met the lock held in SQLite would fail at
once, so each one that succeeds waited for its turn in the bot, and in order.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event, text

from storage.engine import create_engine, create_reading_pool, create_session_pool


async def test_writers_that_meet_the_write_lock_held_get_it_in_turn(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)

    @event.listens_for(engine.sync_engine, "connect")
    def _no_busy_wait(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=0")  # SQLite's own wait would fail at once
        cursor.close()

    writing = create_session_pool(engine)
    reading = create_reading_pool(engine)
    async with writing() as session, session.begin():
        await session.execute(text("CREATE TABLE turns (id INTEGER PRIMARY KEY, who TEXT)"))
    async with reading() as a, reading() as b, reading() as c:  # idle connections to take
        for session in (a, b, c):
            await session.execute(text("SELECT 1"))
    committed: list[str] = []

    async def write(who: str, asking: asyncio.Event) -> None:
        async with writing() as session, session.begin():
            asking.set()  # runs on to its BEGIN IMMEDIATE before the holder goes on
            await session.execute(text("INSERT INTO turns (who) VALUES (:who)"), {"who": who})
        committed.append(who)

    async with writing() as holder, holder.begin():
        await holder.execute(text("INSERT INTO turns (who) VALUES ('holder')"))
        writers = []
        for who in ("first", "second", "third"):
            asking = asyncio.Event()
            writers.append(asyncio.ensure_future(write(who, asking)))
            await asking.wait()
    outcomes = await asyncio.gather(*writers, return_exceptions=True)
    async with reading() as session:
        rows = (await session.scalars(text("SELECT who FROM turns ORDER BY id"))).all()
    await engine.dispose()

    assert outcomes == [None, None, None]
    assert committed == ["first", "second", "third"]
    assert rows == ["holder", "first", "second", "third"]
