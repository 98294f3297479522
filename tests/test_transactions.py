"""An update's answer is saved whatever the database or Telegram does meanwhile.

Replies leave after the commit, a transient database error re-runs the update without
sending anything twice, a 429 on a reply waits and sends it, and a bug is answered once.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

import bot.middlewares
from bot.texts import common
from harness import Harness, texts
from scenarios import CHAIR, join
from storage.models import FormDraft


async def draft_step(h: Harness) -> str:
    async with h.session_pool() as session:
        return (await session.scalars(select(FormDraft))).one().step


def fail_claims(monkeypatch: pytest.MonkeyPatch, times: int, error: Exception) -> list[int]:
    """Make recording the update id fail ``times`` times: the last write of every update."""
    real = bot.middlewares.claim_update
    calls: list[int] = []

    async def flaky(session: Any, update_id: int, now: Any) -> bool:
        calls.append(update_id)
        if len(calls) <= times:
            raise error
        return await real(session, update_id, now)

    monkeypatch.setattr(bot.middlewares, "claim_update", flaky)
    return calls


def locked() -> OperationalError:
    return OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))


async def test_transient_error_reruns_the_update_and_replies_once(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await join(harness)
    await harness.send(CHAIR, "/report")
    calls = fail_claims(monkeypatch, 2, locked())

    replies = await harness.send(CHAIR, "54")

    assert len(calls) == 3  # two busy tries, then applied
    assert await draft_step(harness) == "members"
    sent = texts(replies)
    assert len(sent) == 1
    assert "членов профсоюза" in sent[0]


async def test_database_busy_on_every_try_says_so_and_keeps_earlier_answers(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await join(harness)
    await harness.send(CHAIR, "/report")
    await harness.send(CHAIR, "54")
    fail_claims(monkeypatch, 100, locked())

    replies = await harness.send(CHAIR, "40")

    assert texts(replies) == [common.BUSY]
    assert await draft_step(harness) == "members"  # the 54 is kept, the 40 was not applied


async def test_reply_refused_with_429_is_sent_after_retry_after(harness: Harness) -> None:
    await join(harness)
    await harness.send(CHAIR, "/report")
    harness.server.fail_next("sendMessage", error_code=429, retry_after=1, chat_id=CHAIR)

    replies = await harness.send(CHAIR, "54")

    refused = [r for r in replies if r.method == "sendMessage" and r.error_code == 429]
    delivered = [r for r in replies if r.method == "sendMessage" and r.ok]
    assert len(refused) == 1
    assert len(delivered) == 1
    assert "членов профсоюза" in (delivered[0].plain_text or "")
    assert delivered[0].at - refused[0].at >= 1.0
    assert await draft_step(harness) == "members"


async def test_a_bug_is_answered_once_logged_once_and_saves_nothing(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await join(harness)
    await harness.send(CHAIR, "/report")
    calls = fail_claims(monkeypatch, 1, KeyError("a bug"))

    replies = await harness.send(CHAIR, "54")

    assert len(calls) == 1  # a bug is not retried
    assert texts(replies) == [common.ERROR]
    assert await draft_step(harness) == "workers"
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(failures) == 1
    assert "failed" in failures[0].getMessage()
