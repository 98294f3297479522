"""A reminder wave and twenty chairs answering forms at once, on one SQLite file.

The outbox drain and the updates of twenty chairs share SQLite's single write lock. Reads
take no lock, no transaction stays open across a Telegram call or a rendering, and an update
that meets a busy database is run again: so nothing fails with «database is locked», no
answer is lost, and every reminder is sent exactly once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from bot.delivery.sender import Deliverer
from bot.rendering.xlsx import build_table_xlsx
from bot.texts import common
from harness import ADMIN, FAST_DELIVERY, Harness
from scenarios import FULL, HEADERS, accept_invite, code_of, invite_links
from storage import outbox
from storage.engine import create_reading_pool
from storage.models import MembershipReport, OutboxMessage, OutboxStatus

DISTRICT = "Районная организация"
CHAIRS = 20
WAVE = 1_000
FIRST_CHAIR = 7_001
FIRST_CHAT = 100_001
LATENCY = 0.05  # seconds each Bot API call takes, as over a real network


def school(number: int) -> str:
    return f"МБОУ СОШ № {number}"


async def set_up_chairs(h: Harness) -> list[int]:
    rows = [(DISTRICT, school(n), 54, "") for n in range(1, CHAIRS + 1)]
    await h.upload(ADMIN, build_table_xlsx("ППО", HEADERS, rows), "list.xlsx", caption="/import")
    links = await invite_links(h)
    chairs = []
    for n in range(1, CHAIRS + 1):
        user = FIRST_CHAIR + n - 1
        await accept_invite(h, user, code_of(links[school(n)]), first_name=f"Председатель {n}")
        chairs.append(user)
    return chairs


async def queue_wave(h: Harness) -> None:
    async with h.session_pool() as session, session.begin():
        for chat in range(FIRST_CHAT, FIRST_CHAT + WAVE):
            await outbox.enqueue(
                session,
                key=f"remind:wave:{chat}",
                chat_id=chat,
                kind="text",
                payload={"text": f"<b>Напоминание</b> remind:wave:{chat}"},
                not_before=h.clock.now(),
                now=h.clock.now(),
            )


async def file_report(h: Harness, chair: int) -> None:
    """One chair walks the whole membership form and confirms it."""
    await h.send(chair, "/report")
    for value in FULL:
        await h.send(chair, value)
    summary = h.server.messages_to(chair)[-1]
    await h.tap(chair, summary, "Отправить")


@pytest.mark.timeout(300)
async def test_wave_and_twenty_forms_share_sqlite_without_a_lock_error(
    sqlite_harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = sqlite_harness
    chairs = await set_up_chairs(h)
    await queue_wave(h)
    sender = Deliverer(
        h.bot, h.session_pool, h.clock, FAST_DELIVERY, reading_pool=create_reading_pool(h.engine)
    )
    h.server.latency = LATENCY
    caplog.set_level(logging.INFO)

    started = time.perf_counter()
    drain, *_ = await asyncio.gather(sender.drain(), *(file_report(h, c) for c in chairs))
    elapsed = time.perf_counter() - started

    locked = [
        r for r in caplog.records if "locked" in r.getMessage() and r.levelno >= logging.WARNING
    ]
    reruns = Counter(
        r.args[0]  # the update id
        for r in caplog.records
        if r.getMessage().startswith("update ") and "transient database error" in r.getMessage()
    )
    updates = CHAIRS * (len(FULL) + 2)
    print(  # the figures for the README and the closing note
        f"\n{WAVE} reminders + {CHAIRS} chairs x {len(FULL) + 2} updates in {elapsed:.1f} s "
        f"({WAVE / elapsed:.0f} msg/s); drain: {drain}; updates re-run after a busy database: "
        f"{len(reruns)} of {updates} ({sum(reruns.values())} re-runs, at most "
        f"{max(reruns.values(), default=0)} for one update)"
    )
    assert locked == []
    assert (drain.sent, drain.failed, drain.unreachable) == (WAVE, 0, 0)
    async with h.session_pool() as session:
        reports = await session.scalar(select(func.count()).select_from(MembershipReport))
        statuses = Counter(
            (
                await session.scalars(
                    select(OutboxMessage.status).where(OutboxMessage.key.like("remind:wave:%"))
                )
            ).all()
        )
    assert reports == CHAIRS
    assert statuses == Counter({OutboxStatus.SENT: WAVE})
    sent_per_chat = Counter(r.chat_id for r in h.server.requests if r.method == "sendMessage")
    assert all(sent_per_chat[chat] == 1 for chat in range(FIRST_CHAT, FIRST_CHAT + WAVE))
    for chair in chairs:
        seen = [m.plain_text or "" for m in h.server.messages_to(chair)]
        assert not any(common.BUSY in text or common.ERROR in text for text in seen)
        assert any("Отчёт сохранён" in text for text in seen)
