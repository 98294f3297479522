"""One person floods the bot; what everyone else waits for their replies.

    .venv/bin/python -m bench.flood [--postgres] [--messages 200]

The bot's own polling loop (the inbox, the chat workers) in this process against the fake Bot
API server, which answers 429 beyond 30 messages a second and beyond 1 a second to one chat
(as Telegram does, ``enforce_limits``). 40 chairs answer the membership form 10 times a second
for 30 s (``bench/answer_stream.py``); first alone, then while one more chair pastes
``--messages`` messages at once, 5 s into the stream. Prints the others' median / p99 from an
answer to its next question, the 429s the fake server gave, and when the flooder's last reply
came. A figure-printing benchmark, not a test.
"""

from __future__ import annotations

import asyncio
import time

from bench.answer_stream import (
    Stream,
    answered,
    describe,
    finish_rounds,
    latencies,
    run_stream,
)
from bench.databases import arguments, on_database
from bench.kill_answers import build_database
from bench.latency import polling
from bot.domain.clock import SystemClock
from harness import running_harness
from storage.engine import create_engine

CHAIRS, RATE, SECONDS, FLOOD_AFTER = 40, 10.0, 30.0, 5.0


async def stream_with(h: object, chairs: list[int], flooder: int | None, messages: int) -> str:
    server = h.server  # type: ignore[attr-defined]
    server.limit_violations.clear()
    mark = len(server.requests)
    stream = Stream()
    running = asyncio.create_task(run_stream(server, chairs, RATE, SECONDS, stream))
    flood_sent = 0.0
    if flooder is not None:
        await asyncio.sleep(FLOOD_AFTER)
        flood_sent = time.monotonic()
        for n in range(messages):
            server.message(flooder, f"сообщение {n + 1}")
    await running
    await finish_rounds(server, stream)
    await answered(server, stream, since=mark)
    line = describe(latencies(server, stream, since=mark))
    violations = dict(server.limit_violations) or 0
    if flooder is None:
        return f"{line}; 429s: {violations}"
    await server.wait_until(
        lambda: (
            sum(
                1
                for r in server.requests[mark:]
                if r.method == "sendMessage" and r.ok and r.chat_id == flooder
            )
            >= messages
        ),
        timeout=600,
        description="every flood message answered",
    )
    last = max(r.at for r in server.requests[mark:] if r.chat_id == flooder and r.ok)
    return f"{line}; 429s: {violations}; flooder's last reply after {last - flood_sent:.1f} s"


async def run(url: str, messages: int) -> None:
    engine = create_engine(url)
    chats = await build_database(engine, CHAIRS + 1)
    await engine.dispose()
    chairs, flooder = chats[:CHAIRS], chats[CHAIRS]
    async with running_harness(url, SystemClock()) as h, polling(h, 16):
        h.server.enforce_limits(per_second_global=30, per_chat_per_second=1)
        print(f"{CHAIRS} chairs, {RATE:.0f} answers/s for {SECONDS:.0f} s; limits 30/s, 1/s a chat")
        print(f"  alone             {await stream_with(h, chairs, None, 0)}")
        flooded = await stream_with(h, chairs, flooder, messages)
        print(f"  {messages} pasted    {flooded}")


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--messages", type=int, default=200, help="messages the flooder pastes")
    args = parser.parse_args()
    on_database(args.postgres, lambda url: run(url, args.messages))


if __name__ == "__main__":
    main()
