"""How long a chair waits for the next question while the bot is busy with others.

    .venv/bin/python -m bench.latency exports [--chats-at-once 16] [--postgres]
    .venv/bin/python -m bench.latency wave [--limit 30] [--rate 20] [--postgres]

Runs the bot's own polling loop (``bot/wiring/inbox.py``: every update written to the inbox,
then handled per chat) in this process against the fake Bot API server, over a real
database, and streams chairs' answers to the membership form at a steady rate
(``bench/answer_stream.py``); prints the median and p99 time from an answer to the next
question. A figure-printing benchmark, not a test.

``exports``: 3,000 ППО with five years of reports (``bench.digest_10k``'s database, 30
districts), 40 chairs answering 20 times a second; first alone, then while a region staff
member sends /export and /digest back to back (each waits for its table). With
``--chats-at-once 1`` the inbox handles one update at a time, as the bot did before it
handled chats in parallel.

``wave``: 200 chairs answering ``--rate`` times a second while the outbox sends 3,000
reminders to other chats, the bot's limit and the fake server's (which answers 429 beyond
it and counts violations) both at ``--limit`` messages a second. Replies and reminders
share that budget; a reply waiting for a permit goes first.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the fake server and the harness live with the tests

from bench.answer_stream import (  # noqa: E402
    Stream,
    answered,
    describe,
    finish_rounds,
    give_consent,
    latencies,
    run_stream,
)
from bench.databases import arguments, on_database  # noqa: E402
from bench.digest_10k import build_database as build_region  # noqa: E402
from bench.kill_answers import build_database as build_chairs  # noqa: E402
from bench.loop_block import STAFF_TG, FixedClock, add_region_staff  # noqa: E402
from bot.domain.clock import SystemClock  # noqa: E402
from bot.wiring.inbox import InboxPolling, run_polling  # noqa: E402
from harness import Harness, running_harness  # noqa: E402
from storage import outbox  # noqa: E402
from storage.engine import create_engine, create_session_pool  # noqa: E402

EXPORT_CHAIRS, EXPORT_RATE, EXPORT_SECONDS = 40, 20.0, 30.0
WAVE_CHAIRS, WAVE_REMINDERS, WAVE_SECONDS = 200, 3000, 30.0
FIRST_REMINDED = 500_000
EXPORT_TIMEOUT = 120.0


def unreported_chairs(count: int) -> list[int]:
    """Chairs of ППО with no December report in ``bench.digest_10k``'s database: the i-th
    ППО's chair is user 10,000,000 + i; every tenth ППО has not reported, every 33rd has no
    chair, every 100th is archived."""
    picked = (i for i in range(3000) if i % 10 == 9 and i % 100 != 99 and i % 33 != 0)
    return [10_000_000 + i for _, i in zip(range(count), picked, strict=False)]


def freeze_as_the_bot_does() -> None:
    """What ``bot/__main__.py`` does once the dispatcher is built: a full garbage collection
    then walks only what came later."""
    gc.collect()
    gc.freeze()


@contextlib.asynccontextmanager
async def polling(h: Harness, chats_at_once: int) -> AsyncIterator[None]:
    """The inbox's fetch loop and chat workers, without the scheduler and the sender."""
    freeze_as_the_bot_does()
    inbox_polling = InboxPolling(h.dp, h.bot, chats_at_once=chats_at_once)
    await inbox_polling.resume()
    fetching = asyncio.create_task(inbox_polling.fetch_forever())
    try:
        yield
    finally:
        fetching.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await fetching
        await inbox_polling.workers.stop(30.0)


async def measured_stream(h: Harness, chairs: list[int], rate: float, seconds: float) -> str:
    mark = len(h.server.requests)
    stream = Stream()
    await run_stream(h.server, chairs, rate, seconds, stream)
    await finish_rounds(h.server, stream)
    await answered(h.server, stream, since=mark)
    return describe(latencies(h.server, stream, since=mark))


async def staff_tables(h: Harness, running: asyncio.Event, done: list[float]) -> None:
    """/export and /digest back to back while ``running``; each one's seconds to its table."""
    while running.is_set():
        for command in ("/export", "/digest"):
            mark = len(h.server.requests)
            started = time.monotonic()
            h.server.message(STAFF_TG, command)
            await h.server.wait_for(
                lambda r: r.method == "sendDocument" and r.chat_id == STAFF_TG,
                after=mark,
                timeout=EXPORT_TIMEOUT,
                description=f"the table of {command}",
            )
            done.append(time.monotonic() - started)


async def exports(url: str, chats_at_once: int) -> None:
    await add_region_staff(url)
    chairs = unreported_chairs(EXPORT_CHAIRS)
    await give_consent(url, chairs)
    async with running_harness(url, FixedClock()) as h, polling(h, chats_at_once):
        await measured_stream(h, chairs, EXPORT_RATE, 5.0)  # warm up: caches, pool, imports
        print(f"{len(chairs)} chairs, {EXPORT_RATE:.0f} answers/s, {chats_at_once} chats at once")
        print(f"  alone           {await measured_stream(h, chairs, EXPORT_RATE, EXPORT_SECONDS)}")
        running, tables = asyncio.Event(), []
        running.set()
        staff = asyncio.create_task(staff_tables(h, running, tables))
        during = await measured_stream(h, chairs, EXPORT_RATE, EXPORT_SECONDS)
        running.clear()
        await staff
        print(f"  during exports  {during}")
        each = sum(tables) / len(tables) if tables else 0.0
        print(f"  {len(tables)} region tables (/export, /digest) meanwhile, {each:.2f} s each")


async def enqueue_wave(url: str, count: int) -> None:
    engine = create_engine(url)
    now = datetime.now(UTC)
    async with create_session_pool(engine)() as session, session.begin():
        for n in range(count):
            chat = FIRST_REMINDED + n
            await outbox.enqueue(
                session,
                key=f"bench-wave:{chat}",
                chat_id=chat,
                kind="text",
                payload={"text": "<b>Напоминание</b>: сдайте мониторинг до 20 декабря."},
                not_before=now,
                now=now,
            )
    await engine.dispose()


async def wave(url: str, limit: int, rate: float) -> None:
    engine = create_engine(url)
    chairs = await build_chairs(engine, WAVE_CHAIRS)
    await engine.dispose()
    await enqueue_wave(url, WAVE_REMINDERS)
    os.environ["DELIVERY__GLOBAL_PER_SECOND"] = str(limit)  # the bot's limit, read by Settings
    async with running_harness(url, SystemClock()) as h:
        h.server.enforce_limits(per_second_global=limit, per_chat_per_second=1)
        freeze_as_the_bot_does()
        stop = asyncio.Event()
        bot_task = asyncio.create_task(run_polling(h.dp, h.bot, stop))
        first = await h.server.wait_for(lambda r: r.method == "sendMessage", timeout=60)
        mark = len(h.server.requests)
        result = await measured_stream(h, chairs, rate, WAVE_SECONDS)
        reminded = sum(
            1
            for r in h.server.requests[mark:]
            if r.method == "sendMessage" and r.ok and int(r.chat_id or 0) >= FIRST_REMINDED
        )
        stop.set()
        await bot_task
        span = h.server.requests[-1].at - first.at
        print(f"{len(chairs)} chairs, {rate:.0f} answers/s; limit {limit} messages/s")
        print(f"  during the wave {result}")
        print(f"  reminders sent meanwhile: {reminded} ({reminded / span:.1f}/s)")
        print(f"  limit violations: {dict(h.server.limit_violations) or 0}")


async def exports_of_a_region(url: str, chats_at_once: int) -> None:
    """``exports`` on a region of 30 districts built first."""
    await build_region(url, districts=30)
    await exports(url, chats_at_once)


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("scenario", choices=("exports", "wave"))
    parser.add_argument("--chats-at-once", type=int, default=16, help="exports: chat workers")
    parser.add_argument("--limit", type=int, default=30, help="wave: messages/s, bot and server")
    parser.add_argument("--rate", type=float, default=20.0, help="wave: answers/s")
    args = parser.parse_args()
    if args.scenario == "exports":
        on_database(args.postgres, lambda url: exports_of_a_region(url, args.chats_at_once))
    else:
        on_database(args.postgres, lambda url: wave(url, args.limit, args.rate))


if __name__ == "__main__":
    main()
