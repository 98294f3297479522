"""A wave of reminders through a fake Bot API that enforces Telegram's limits.

    .venv/bin/python -m bench.reminder_wave [--messages 3000] [--same-chat 300]
        [--rate 30] [--per-chat 1] [--concurrency 8] [--database-url URL]

Enqueues ``--messages`` reminders to as many chats (plus ``--same-chat`` second
reminders to some of those chats, to exercise the per-chat spacing) in a fresh SQLite
database migrated with Alembic, drains them with the Deliverer configured at ``--rate``
per second, against the fake server enforcing the same limits (429 beyond them), and
prints: total time, achieved rate and its share of the configured limit, limit
violations, lost (enqueued but never delivered) and duplicate (delivered more than once
per key) counts, peak RSS. A figure-printing benchmark, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import resource
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the fake server lives with the tests

from bot.delivery.sender import Deliverer  # noqa: E402
from bot.domain.clock import SystemClock  # noqa: E402
from bot.wiring.config import DeliverySettings  # noqa: E402
from fakes.telegram_server import FakeTelegramServer  # noqa: E402
from outbox_queries import stats as outbox_stats  # noqa: E402
from storage import outbox  # noqa: E402
from storage.engine import create_engine, create_session_pool  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

TOKEN = "123456:BENCH-fake-telegram-token"
FIRST_CHAT = 100_000


async def run(args: argparse.Namespace, database_url: str) -> None:
    engine = create_engine(database_url)
    await upgrade(engine)
    pool = create_session_pool(engine)
    now = datetime.now(UTC)
    keys: list[str] = []
    async with pool() as session, session.begin():
        jobs = [(n, "deadline") for n in range(args.messages)]
        jobs += [(n, "overdue") for n in range(min(args.same_chat, args.messages))]
        for n, purpose in jobs:
            chat = FIRST_CHAT + n
            key = f"remind:1:{chat}:{purpose}:{chat}"
            await outbox.enqueue(
                session,
                key=key,
                chat_id=chat,
                kind="text",
                payload={
                    "text": f"<b>Напоминание</b>: сдайте мониторинг до 1 декабря. {key}",
                    "buttons": [[{"text": "📊 Заполнить", "callback_data": "report:1"}]],
                },
                not_before=now,
                now=now,
            )
            keys.append(key)
    enqueue_seconds = (datetime.now(UTC) - now).total_seconds()

    settings = DeliverySettings(
        global_per_second=args.rate,
        per_chat_per_second=args.per_chat,
        concurrency=args.concurrency,
    )
    async with FakeTelegramServer(token=TOKEN) as server:
        server.enforce_limits(per_second_global=args.rate, per_chat_per_second=int(args.per_chat))
        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(server.base_url)))
        try:
            deliverer = Deliverer(bot, pool, SystemClock(), settings)
            started = time.perf_counter()
            report = await deliverer.drain()
            elapsed = time.perf_counter() - started
        finally:
            await bot.session.close()

        sends = [r for r in server.requests if r.method == "sendMessage"]
        ok = [r for r in sends if r.ok]
        per_key = Counter((r.plain_text or "").rsplit(" ", 1)[-1] for r in ok)
        violations = dict(server.limit_violations)
        internal_errors = len(server.internal_errors)

    async with pool() as session:
        stats = await outbox_stats(session)
    await engine.dispose()

    lost = sum(1 for key in keys if per_key[key] == 0)
    duplicates = sum(count - 1 for count in per_key.values() if count > 1)
    unknown = sum(count for key, count in per_key.items() if key not in set(keys))
    span = ok[-1].at - ok[0].at if len(ok) > 1 else 0.0
    achieved = len(ok) / elapsed if elapsed else 0.0
    steady = (len(ok) - 1) / span if span else 0.0
    # A sliding one-second window lets the first `rate` calls go at once, so the fastest a
    # limit-keeping sender can deliver N messages is (ceil(N / rate) - 1) seconds.
    ideal = max(0, math.ceil(len(ok) / args.rate) - 1)
    peak_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"database            {database_url.split('://', 1)[0]}")
    print(
        f"enqueued            {len(keys)} reminders to {args.messages} chats "
        f"({len(keys) - args.messages} second ones to the same chats) in {enqueue_seconds:.2f} s"
    )
    print(
        f"configured limit    {args.rate}/s overall, {args.per_chat}/s per chat, "
        f"concurrency {args.concurrency}"
    )
    print(f"total time          {elapsed:.2f} s (one drain)")
    print(
        f"achieved rate       {achieved:.2f} msg/s = {achieved / args.rate:.1%} of the limit "
        f"(first to last send: {steady:.2f} msg/s = {steady / args.rate:.1%})"
    )
    print(
        f"vs. ideal           {ideal} s is the least any sender within the limit needs "
        f"for {len(ok)} messages: {ideal / elapsed:.1%} of that pace"
    )
    print(f"API calls           {len(sends)} ({len(sends) - len(ok)} rejected)")
    print(f"limit violations    {violations or 0} (429 pauses honoured: {len(report.pauses)})")
    print(f"delivered           {len(ok)}; outbox: { {s.value: n for s, n in stats.items()} }")
    print(f"lost                {lost}")
    print(f"duplicates          {duplicates}")
    if unknown or internal_errors:
        print(f"unexpected          {unknown} unknown keys, {internal_errors} fake-server errors")
    print(f"report              {report}")
    print(f"peak RSS            {peak_rss_mib:.1f} MiB")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reminder_wave", description=__doc__)
    parser.add_argument("--messages", type=int, default=3000, help="chats, one reminder each")
    parser.add_argument(
        "--same-chat", type=int, default=300, help="second reminders to the first N chats"
    )
    parser.add_argument("--rate", type=int, default=30, help="global limit, messages/s")
    parser.add_argument("--per-chat", type=float, default=1.0, help="per-chat limit, messages/s")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--database-url", default=None, help="default: a fresh SQLite file in a temp folder"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.database_url:
        asyncio.run(run(args, args.database_url))
        return 0
    with tempfile.TemporaryDirectory(prefix="reminder-wave-") as folder:
        asyncio.run(run(args, f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
