"""Chairs answering the membership form, as a stream of updates at a steady rate, and the
time from each answer to the bot's next question. Shared by ``bench.latency``.

The stream is open-loop: answer *k* is due ``k / rate`` seconds after the start, whatever
the bot is doing, and its latency counts from that moment (not from when the driver got
round to it), so a blocked event loop shows up in the figures instead of slowing the
stream down. Every update of a chair gets exactly one message back (the next question,
the summary, the start of the form, its cancellation); the k-th message to a chat is the
answer to its k-th update.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import update

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the fake server

from bot.texts.consent import CONSENT_VERSION
from fakes.telegram_server import FakeTelegramServer
from storage.engine import create_engine, create_session_pool
from storage.models import Person

#: One round of a chair: open the form, the nine numbers, cancel (to start again).
ROUND = ("/report", "54", "40", "12", "8", "3", "2", "4", "0", "5", "/cancel")
MEASURED = frozenset(range(1, 10))  # the nine answers; opening and cancelling are not steps
SETTLE_SECONDS = 120.0


@dataclass
class Stream:
    """What was sent: per chat, when each update was due and whether it is a form step."""

    due: dict[int, list[tuple[float, bool]]] = field(default_factory=lambda: defaultdict(list))
    sent: int = 0


async def run_stream(
    server: FakeTelegramServer, chairs: list[int], rate: float, seconds: float, stream: Stream
) -> None:
    """Send answers round-robin over ``chairs`` at ``rate`` per second for ``seconds``."""
    start = time.monotonic()
    total = int(rate * seconds)
    step_of = defaultdict(int)
    for k in range(total):
        due = start + k / rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        chat = chairs[k % len(chairs)]
        step = step_of[chat] % len(ROUND)
        step_of[chat] += 1
        server.message(chat, ROUND[step])
        stream.due[chat].append((due, step in MEASURED))
        stream.sent += 1


async def finish_rounds(server: FakeTelegramServer, stream: Stream) -> None:
    """Cancel every form left open, so the next stream starts each chair at /report."""
    for chat, due in stream.due.items():
        if len(due) % len(ROUND):
            server.message(chat, "/cancel")
            due.append((time.monotonic(), False))
            stream.sent += 1


async def answered(server: FakeTelegramServer, stream: Stream, since: int) -> None:
    """Wait until every update of the stream (sent after request ``since``) has its message
    back."""
    missing = {chat: len(due) for chat, due in stream.due.items()}
    cursor = since

    def all_back() -> bool:
        nonlocal cursor
        for request in server.requests[cursor:]:
            chat = request.chat_id
            if request.method == "sendMessage" and isinstance(chat, int) and chat in missing:
                missing[chat] -= 1
        cursor = len(server.requests)
        return all(count <= 0 for count in missing.values())

    await server.wait_until(all_back, timeout=SETTLE_SECONDS, description="every answer back")


def latencies(server: FakeTelegramServer, stream: Stream, since: int = 0) -> list[float]:
    """Seconds from each form step's due moment to the message that answered it."""
    replies: dict[int, list[float]] = defaultdict(list)
    for request in server.requests[since:]:
        chat = request.chat_id
        if request.method == "sendMessage" and isinstance(chat, int) and chat in stream.due:
            replies[chat].append(request.at)
    result = []
    for chat, due in stream.due.items():
        for (moment, measured), replied_at in zip(due, replies[chat], strict=False):
            if measured:
                result.append(replied_at - moment)
    return result


def describe(seconds: list[float]) -> str:
    """Median and p99 in milliseconds, and how many."""
    if len(seconds) < 2:
        return f"{len(seconds)} answers: too few to describe"
    median = statistics.median(seconds) * 1000
    p99 = statistics.quantiles(seconds, n=100)[98] * 1000
    longest, steps = max(seconds) * 1000, len(seconds)
    return f"median {median:6.1f} ms  p99 {p99:6.1f} ms  max {longest:6.1f} ms  ({steps} steps)"


async def give_consent(url: str, chairs: list[int]) -> None:
    """The chairs of the stream have agreed to the terms and can be written to."""
    engine = create_engine(url)
    async with create_session_pool(engine)() as session, session.begin():
        await session.execute(
            update(Person)
            .where(Person.tg_user_id.in_(chairs))
            .values(
                consent_version=CONSENT_VERSION,
                consented_at=Person.created_at,
                unreachable_at=None,
                reminders_paused_until=None,
            )
        )
    await engine.dispose()
