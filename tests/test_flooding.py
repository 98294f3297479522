"""One person who floods the bot (pastes many messages at once, a script, a stuck key) gets
the answers a second apart, as Telegram allows one chat, and so draws no 429: each 429 pauses
every chat of the bot, so a burst to one chat would hold everyone's replies up. The figures
(the others' wait with and without a flood) are ``bench/flood.py``'s."""

from __future__ import annotations

import asyncio

from bot.texts import common
from fakes.telegram_server import RATE_LIMITED_METHODS
from harness import Harness
from scenarios import CHAIR, join
from test_delivery import FakeTime, limiter

PASTED = 4


async def test_a_chair_pasting_messages_gets_every_answer_and_draws_no_429(
    harness: Harness,
) -> None:
    await join(harness)
    harness.keep_the_bots_limits()
    harness.server.enforce_limits(per_second_global=30, per_chat_per_second=1)
    mark = harness.server.mark()
    for n in range(PASTED):  # back to back, each the moment the previous one was handled
        await harness.send(CHAIR, f"сообщение {n + 1}")
    sends = [r for r in harness.server.requests[mark:] if r.method in RATE_LIMITED_METHODS]
    assert harness.server.limit_violations["per_chat"] == 0
    assert [r.ok for r in sends] == [True] * PASTED  # one answer each, none refused
    assert all(r.plain_text == common.UNKNOWN_INPUT for r in sends)


async def test_the_next_answer_to_a_chat_waits_its_spacing_others_do_not() -> None:
    fake = FakeTime()
    limit = limiter(fake, per_chat=1.0)
    first = await limit.acquire(1, burst=True)
    waiting = asyncio.create_task(limit.chat_spacing(1))
    await asyncio.sleep(0)
    assert not waiting.done()  # a call to the chat is in flight
    fake.now = 0.25
    first.release()
    await waiting
    assert fake.now == 1.25  # a second after the previous call returned
    await limit.chat_spacing(2)  # another chat: at once
    assert fake.now == 1.25
    await limit.chat_spacing(1)  # past the spacing: at once
    assert fake.sleeps == [1.0]
