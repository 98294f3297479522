"""What Telegram's limits shared by replicas cost per call: the PostgreSQL call budget.

    .venv/bin/python -m bench.call_budget [--calls 500] [--wave-rate 15]

On a throwaway PostgreSQL 15 server (the test suite's ``tests/pg_cluster``), migrated with
Alembic, prints the time to take and to give back one call:

1. the in-process ``RateLimiter`` alone (what SQLite uses), for reference;
2. the shared budget (``bot/delivery/shared_limiter.py``), one replica, calls to
   different chats one after another, far from the limit;
3. the same for replies (``burst``, about 8 a second) of one replica while another replica
   sends a wave at ``--wave-rate`` calls a second (8 workers, each call taking 20 ms):
   together below the 30 a second they share, so mostly the database's cost; near the limit
   a reply waits for a slot like any call.

Figures are the median and the 99th percentile in milliseconds. A figure-printing benchmark,
not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the throwaway server lives with the tests

from bot.delivery.limiter import Pacer, RateLimiter  # noqa: E402
from bot.delivery.shared_limiter import SharedRateLimiter  # noqa: E402
from pg_cluster import postgres_unavailable_reason, start_postgres  # noqa: E402
from storage.engine import create_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

WAVE_WORKERS = 8
WAVE_CALL_SECONDS = 0.02
FIRST_WAVE_CHAT = 1_000_000


def milliseconds(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"median {statistics.median(ordered) * 1000:.3f} ms, p99 {p99 * 1000:.3f} ms"


async def timed_calls(
    pacer: Pacer, calls: int, *, burst: bool, between: Callable[[], Awaitable[None]] | None = None
) -> tuple[list[float], list[float]]:
    """Take and give back ``calls`` calls to different chats; the time of each half."""
    taking: list[float] = []
    giving: list[float] = []
    for chat in range(1, calls + 1):
        started = time.perf_counter()
        permit = await pacer.acquire(chat, burst=burst)
        taken = time.perf_counter()
        await pacer.release(permit)
        taking.append(taken - started)
        giving.append(time.perf_counter() - taken)
        if between is not None:
            await between()
    return taking, giving


async def wave(pacer: Pacer, rate: float, stop: asyncio.Event) -> int:
    """Calls at about ``rate`` a second from ``WAVE_WORKERS`` workers until ``stop``."""
    sent = 0
    chats = iter(range(FIRST_WAVE_CHAT, FIRST_WAVE_CHAT + 10_000_000))

    async def worker() -> None:
        nonlocal sent
        while not stop.is_set():
            permit = await pacer.acquire(next(chats))
            await asyncio.sleep(WAVE_CALL_SECONDS)  # the call
            await pacer.release(permit)
            sent += 1
            await asyncio.sleep(max(0.0, WAVE_WORKERS / rate - WAVE_CALL_SECONDS))

    await asyncio.gather(*(worker() for _ in range(WAVE_WORKERS)))
    return sent


async def migrated(url: str) -> str:
    setup = create_engine(url)
    await upgrade(setup)
    await setup.dispose()
    return url


async def run(args: argparse.Namespace, alone_url: str, shared_url: str) -> None:
    """Each shared phase on a database of its own: no slot still busy from the one before."""
    local = RateLimiter(1000, 1.0)
    taking, giving = await timed_calls(local, args.calls, burst=False)
    print(f"in-process limiter:  take {milliseconds(taking)}; give back {milliseconds(giving)}")

    engine = create_engine(await migrated(alone_url))
    try:
        alone = SharedRateLimiter(engine, "bench-a", 1000, 1.0, lease_seconds=31)
        taking, giving = await timed_calls(alone, args.calls, burst=False)
        print(f"shared, alone:       take {milliseconds(taking)}; give back {milliseconds(giving)}")
    finally:
        await engine.dispose()

    await migrated(shared_url)
    first, second = create_engine(shared_url), create_engine(shared_url)
    try:
        replies = SharedRateLimiter(first, "bench-replies", 30, 1.0, lease_seconds=31)
        sender = SharedRateLimiter(second, "bench-wave", 30, 1.0, lease_seconds=31)
        stop = asyncio.Event()
        waving = asyncio.create_task(wave(sender, args.wave_rate, stop))
        started = time.perf_counter()

        async def pace_replies() -> None:
            await asyncio.sleep(1 / 8)  # replies at about 8 a second beside the wave

        taking, giving = await timed_calls(
            replies, args.calls // 5, burst=True, between=pace_replies
        )
        stop.set()
        sent = await waving
        rate = sent / (time.perf_counter() - started)
        print(
            f"shared, replies beside a wave of {rate:.1f}/s from another replica: "
            f"take {milliseconds(taking)}; give back {milliseconds(giving)}"
        )
    finally:
        await first.dispose()
        await second.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--wave-rate", type=float, default=15.0)
    args = parser.parse_args()
    reason = postgres_unavailable_reason()
    if reason is not None:
        print(f"PostgreSQL unavailable: {reason}")
        return
    with tempfile.TemporaryDirectory() as folder, start_postgres(Path(folder)) as cluster:
        urls = cluster.create_database("alone"), cluster.create_database("shared")
        asyncio.run(run(args, *urls))


if __name__ == "__main__":
    main()
