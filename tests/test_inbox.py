"""Polling through the durable inbox (``bot/wiring/inbox.py``): the real dispatcher and
database, the fake Bot API server, and a few test handlers put in front of the bot's own:
``wait`` blocks until the test opens a gate, ``echo ...`` answers at once."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiogram import Dispatcher, F
from aiogram.types import Message
from sqlalchemy import func, select

from bot.wiring.inbox import ChatWorkers, run_polling
from fakes.telegram_server import FakeTelegramServer
from harness import Harness
from storage import inbox
from storage.models import InboxUpdate, ProcessedUpdate

CHAT_A, CHAT_B = 701, 702
WAIT_SECONDS = 20


class Gate:
    """What the ``wait`` handler waits on: ``entered`` once it runs, ``opened`` lets it go."""

    def __init__(self) -> None:
        self.entered = asyncio.Event()
        self.opened = asyncio.Event()


def add_test_handlers(dp: Dispatcher, gate: Gate) -> None:
    """Handlers on the dispatcher itself: aiogram tries them before the included routers."""

    async def wait_for_gate(message: Message) -> None:
        gate.entered.set()
        await gate.opened.wait()
        await message.answer("waited")

    async def echo(message: Message) -> None:
        await message.answer(f"answer to {message.text}")

    dp.message.register(wait_for_gate, F.text == "wait")
    dp.message.register(echo, F.text.startswith("echo"))


@asynccontextmanager
async def polling(h: Harness, gate: Gate, *, stop_grace: float = 10.0) -> AsyncIterator[None]:
    """The runner over the harness's dispatcher until the block ends; ``stop_grace=0`` stops
    it the way a crash would leave things: the update in hand unfinished."""
    add_test_handlers(h.dp, gate)
    stop = asyncio.Event()
    runner = asyncio.create_task(run_polling(h.dp, h.bot, stop, stop_grace=stop_grace))
    try:
        await h.server.wait_polling(timeout=WAIT_SECONDS)
        yield
    finally:
        stop.set()
        async with asyncio.timeout(WAIT_SECONDS):
            await runner


async def inbox_ids(h: Harness) -> list[int]:
    async with h.session_pool() as session:
        return [row.update_id for row in await inbox.pending(session)]


def answers(server: FakeTelegramServer, chat_id: int) -> list[str]:
    return [r.plain_text or "" for r in server.messages_to(chat_id)]


async def test_an_update_is_in_the_inbox_before_it_is_confirmed(harness: Harness) -> None:
    h, gate = harness, Gate()
    async with polling(h, gate):
        blocked = h.server.message(CHAT_A, "wait")
        await h.server.wait_confirmed(blocked, timeout=WAIT_SECONDS)
        async with asyncio.timeout(WAIT_SECONDS):
            await gate.entered.wait()
        # Confirmed to Telegram while its handler has not finished: the inbox holds it.
        assert await inbox_ids(h) == [blocked]
        async with h.session_pool() as session:
            row = await session.get(InboxUpdate, blocked)
        assert row is not None
        assert row.chat_key == CHAT_A
        assert '"text":"wait"' in row.raw
        gate.opened.set()
        await h.server.wait_message(CHAT_A, contains="waited", timeout=WAIT_SECONDS)
    assert await inbox_ids(h) == []  # handled, so removed (the stop let the worker finish)


async def test_one_chat_waits_for_its_turn_while_another_is_answered(harness: Harness) -> None:
    h, gate = harness, Gate()
    async with polling(h, gate):
        h.server.message(CHAT_A, "wait")
        async with asyncio.timeout(WAIT_SECONDS):
            await gate.entered.wait()
        second_of_a = h.server.message(CHAT_A, "echo a2")
        h.server.message(CHAT_B, "echo b1")

        await h.server.wait_message(CHAT_B, contains="answer to echo b1", timeout=WAIT_SECONDS)
        await h.server.wait_confirmed(second_of_a, timeout=WAIT_SECONDS)
        assert answers(h.server, CHAT_A) == []  # its first update still holds the chat
        assert second_of_a in await inbox_ids(h)

        gate.opened.set()
        await h.server.wait_message(CHAT_A, contains="answer to echo a2", timeout=WAIT_SECONDS)
    assert answers(h.server, CHAT_A) == ["waited", "answer to echo a2"]
    assert answers(h.server, CHAT_B) == ["answer to echo b1"]


async def test_a_crash_leaves_the_rest_in_the_inbox_for_the_restart(harness: Harness) -> None:
    h, gate = harness, Gate()
    async with polling(h, gate, stop_grace=0):
        first = h.server.message(CHAT_A, "wait")
        later = [h.server.message(CHAT_A, f"echo a{n}") for n in (2, 3)]
        done_elsewhere = h.server.message(CHAT_B, "echo b1")
        await h.server.wait_message(CHAT_B, contains="answer to echo b1", timeout=WAIT_SECONDS)
        await h.server.wait_confirmed(later[-1], timeout=WAIT_SECONDS)
        async with asyncio.timeout(WAIT_SECONDS):
            await gate.entered.wait()
    # Stopped mid-update: chat A's three updates were confirmed to Telegram and never applied
    # (b1 may be there too: answered, and cut off before its removal).
    assert [i for i in await inbox_ids(h) if i != done_elsewhere] == [first, *later]
    assert h.server.pending_updates == []
    # For certain now: as if the process had died after applying b1, before removing it.
    async with h.session_pool() as session, session.begin():
        raw = json.dumps(h.server.get_update(done_elsewhere))
        await inbox.store_received(
            session, [inbox.ReceivedUpdate(done_elsewhere, CHAT_B, raw)], h.clock.now()
        )

    h.restart()
    gate = Gate()
    gate.opened.set()
    async with polling(h, gate):
        await h.server.wait_message(CHAT_A, contains="answer to echo a3", timeout=WAIT_SECONDS)
        h.server.message(CHAT_B, "echo b2")  # behind the re-fed b1 in chat B's queue
        await h.server.wait_message(CHAT_B, contains="answer to echo b2", timeout=WAIT_SECONDS)

    assert answers(h.server, CHAT_A) == ["waited", "answer to echo a2", "answer to echo a3"]
    assert answers(h.server, CHAT_B) == ["answer to echo b1", "answer to echo b2"]
    assert await inbox_ids(h) == []
    async with h.session_pool() as session:
        applied = await session.scalar(select(func.count()).select_from(ProcessedUpdate))
    assert applied == 5  # wait, a2, a3, b1, b2: each once


async def test_a_stop_lets_the_update_in_hand_finish_and_keeps_the_rest(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h, gate = harness, Gate()
    stopping = ChatWorkers.stop

    async def open_the_gate_as_the_stop_begins(workers: ChatWorkers, grace: float) -> None:
        gate.opened.set()  # the handler resumes only once the stop below has begun
        await stopping(workers, grace)

    monkeypatch.setattr(ChatWorkers, "stop", open_the_gate_as_the_stop_begins)
    async with polling(h, gate):
        h.server.message(CHAT_A, "wait")
        behind = h.server.message(CHAT_A, "echo a2")
        await h.server.wait_confirmed(behind, timeout=WAIT_SECONDS)
        async with asyncio.timeout(WAIT_SECONDS):
            await gate.entered.wait()
    assert answers(h.server, CHAT_A) == ["waited"]  # finished, not cut off
    assert await inbox_ids(h) == [behind]  # not begun: left for the next start
