"""One bot per SQLite database: a second ``python -m bot`` on the same file stops at once.

Real processes against the fake Bot API server, as in ``tests/test_end_to_end.py``.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from fakes.telegram_server import FakeTelegramServer
from harness import ADMIN, TOKEN
from test_end_to_end import ROOT, bot_process

pytestmark = pytest.mark.timeout(300)


def environment(server: FakeTelegramServer, db_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": server.base_url,
        "DATABASE_URL": db_url,
        "ADMIN_IDS": str(ADMIN),
        "PYTHONPATH": str(ROOT),
    }


async def second_bot(env: dict[str, str], workdir: Path) -> tuple[int | None, str, float]:
    """Start another ``python -m bot``; its exit code, its stderr and how long it ran."""
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=workdir,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    return process.returncode, stderr.decode().strip(), time.monotonic() - started


async def answers(server: FakeTelegramServer) -> bool:
    """Whether a running bot answers ``/help`` (only a bot that polls gets the update)."""
    mark = server.mark()
    server.message(ADMIN, "/help")
    await server.wait_message(ADMIN, after=mark, timeout=30)
    return True


async def test_a_second_bot_on_the_same_database_exits_at_once(tmp_path: Path) -> None:
    database = tmp_path / "data" / "bot.sqlite3"
    db_url = f"sqlite+aiosqlite:///{database}"
    async with FakeTelegramServer(token=TOKEN) as server:
        async with bot_process(server, db_url, tmp_path) as first:
            await server.wait_polling(timeout=30)
            assert await answers(server)

            # started elsewhere, with a relative path to the same file
            elsewhere = tmp_path / "elsewhere"
            elsewhere.mkdir()
            relative = "sqlite+aiosqlite:///../data/bot.sqlite3"
            code, stderr, took = await second_bot(environment(server, relative), elsewhere)
            assert code == 1
            assert stderr.splitlines() == [
                f"Another bot is already running on {database} (pid {first.pid}); "
                "stop it first (one bot per database)"
            ]
            assert took < 30  # at once: no migrations, no polling
            assert first.returncode is None and await answers(server)

            # killed without a chance to clean up: its lock file stays, and blocks nothing
            first.send_signal(signal.SIGKILL)
            await first.wait()
        assert (database.parent / "bot.sqlite3.lock").exists()
        async with bot_process(server, db_url, tmp_path) as third:
            assert await answers(server)
            lock = (database.parent / "bot.sqlite3.lock").read_text().strip()
            assert lock == str(third.pid)
