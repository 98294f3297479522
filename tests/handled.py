"""Waiting until the real bot (``python -m bot``) has handled an update.

Polling tells Telegram an update arrived as soon as it is written to the bot's inbox
(``bot/wiring/inbox.py``), before it is handled: a confirmed update is received, not yet
applied. Handled means confirmed and gone from the inbox again (its replies were sent before
the removal). The bot runs in another process, so the inbox is read until the update has left
it, every ``CHECK_SECONDS``, within ``timeout``.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from fakes.telegram_server import FakeTelegramServer
from storage.engine import create_engine
from storage.models import InboxUpdate

CHECK_SECONDS = 0.02


async def wait_handled(
    server: FakeTelegramServer,
    db_url: str,
    update_id: int,
    # A ceiling, met at once when all is well: the first update after a restart waits for a
    # new interpreter to import, migrate and poll, which took over 20 s on a loaded CI machine.
    timeout: float = 60.0,  # noqa: ASYNC109 - explicit timeout keeps test failures fast
) -> None:
    await server.wait_confirmed(update_id, timeout=timeout)
    engine = create_engine(db_url)
    query = select(InboxUpdate.update_id).where(InboxUpdate.update_id == update_id)
    try:
        async with asyncio.timeout(timeout):
            while True:
                async with engine.connect() as connection:
                    if await connection.scalar(query) is None:
                        return
                await asyncio.sleep(CHECK_SECONDS)  # the other process's progress
    finally:
        await engine.dispose()
