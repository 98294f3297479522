"""CPU-heavy work runs in worker threads, not on the event loop that serves every chat.

Parsing an uploaded .xlsx (an organization list, past figures, a plan), building a digest
from what was loaded and writing its text, chart and table: each is checked through the real
Dispatcher by wrapping the pure function and recording which thread ran it. Timing is not
asserted here (``bench/loop_block.py`` measures how long the loop is blocked).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import select

import bot.delivery.digests as digests
import bot.domain.digest as digest_domain
import bot.domain.directory as directory
import bot.domain.history_load as history_load
import bot.domain.plans as plans
import handlers.staff as staff
from bot.texts import history_import as history_texts
from bot.texts import importing
from bot.texts import plans as plan_texts
from harness import ADMIN, Harness, texts
from scenarios import DISTRICT, setup_district
from storage.models import Organization, OutboxMessage

BROKEN_XLSX = b"PK\x03\x04 not really a zip"


class ThreadSpy:
    """Wraps a module's function and records the thread each call ran in."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, module: ModuleType, name: str) -> None:
        self.threads: list[int] = []
        original: Callable[..., Any] = getattr(module, name)

        def spy(*args: Any, **kwargs: Any) -> Any:
            self.threads.append(threading.get_ident())
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, spy)

    def ran_off(self, loop_thread: int) -> bool:
        """Called at least once, and never in the event loop's thread."""
        return bool(self.threads) and loop_thread not in self.threads


async def test_an_organization_list_is_parsed_off_the_loop(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    parse = ThreadSpy(monkeypatch, directory, "parse_org_table")
    await setup_district(harness)
    assert parse.ran_off(threading.get_ident())
    async with harness.session_pool() as session:
        names = set((await session.scalars(select(Organization.name))).all())
    assert {DISTRICT, "МБОУ СОШ № 1"} <= names


async def test_a_broken_organization_list_still_gets_its_message(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    parse = ThreadSpy(monkeypatch, directory, "parse_org_table")
    replies = await harness.upload(ADMIN, BROKEN_XLSX, "orgs.xlsx", caption="/import")
    assert texts(replies) == [importing.BROKEN_XLSX]
    assert parse.ran_off(threading.get_ident())


async def test_past_figures_are_parsed_off_the_loop(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    read = ThreadSpy(monkeypatch, history_load, "read_history")
    await setup_district(harness)
    replies = await harness.upload(ADMIN, BROKEN_XLSX, "past.xlsx", caption="/loadhistory")
    assert texts(replies) == [importing.BROKEN_XLSX]
    replies = await harness.upload(ADMIN, b"a;b\n1;2\n", "past.csv", caption="/loadhistory")
    assert texts(replies) == [history_texts.NOT_XLSX]
    assert read.ran_off(threading.get_ident()) and len(read.threads) == 2


async def test_a_plan_is_parsed_off_the_loop(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    parse = ThreadSpy(monkeypatch, plans, "parse_plan")
    await setup_district(harness)
    replies = await harness.upload(ADMIN, BROKEN_XLSX, "plan.xlsx", caption="/plan")
    assert texts(replies) == [plan_texts.BROKEN_FILE]
    assert parse.ran_off(threading.get_ident())


async def test_a_digest_is_built_and_drawn_off_the_loop(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await setup_district(harness)
    spies = [
        ThreadSpy(monkeypatch, digest_domain, "build_digest"),
        ThreadSpy(monkeypatch, staff, "digest_text"),
        ThreadSpy(monkeypatch, staff, "digest_chart_png"),
        ThreadSpy(monkeypatch, staff, "digest_table_xlsx"),
    ]
    replies = await harness.send(ADMIN, "/digest")
    sent = [r.method for r in replies if r.method.startswith("send")]
    assert sent == ["sendMessage", "sendPhoto", "sendDocument"]
    assert DISTRICT in texts(replies)[0]
    loop_thread = threading.get_ident()
    assert [spy.ran_off(loop_thread) for spy in spies] == [True] * 4

    status = ThreadSpy(monkeypatch, staff, "status_text")
    assert DISTRICT in texts(await harness.send(ADMIN, "/status"))[0]
    assert status.ran_off(loop_thread)


async def test_a_scheduled_digest_is_written_off_the_loop(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await setup_district(harness)
    write = ThreadSpy(monkeypatch, digests, "digest_text")
    now = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    async with harness.session_pool() as session, session.begin():
        named = Organization.name == DISTRICT
        district = await session.scalar(select(Organization.id).where(named))
        assert district is not None
        queued = await digests.enqueue_digest(
            session,
            scope_org_id=district,
            chat_id=ADMIN,
            today=date(2026, 11, 23),
            due_on=date(2026, 11, 23),
            not_before=now,
            now=now,
            default_tz="Europe/Moscow",
        )
    assert queued and write.ran_off(threading.get_ident())
    async with harness.session_pool() as session:
        payloads = (await session.scalars(select(OutboxMessage.payload))).all()
    assert any(DISTRICT in str(payload.get("text", "")) for payload in payloads)
