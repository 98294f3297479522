"""CPU-heavy work runs off the event loop that serves every chat.

Parsing an uploaded .xlsx (an organization list, past figures, a plan) and writing a scheduled
digest run in worker threads: checked through the real Dispatcher by wrapping the pure function
and recording which thread ran it. A district's or region's /digest, /status and /export are
loaded and drawn in a worker process (``bot/wiring/workers.py``). Timing is not asserted here
(``bench/loop_block.py`` and ``bench/latency.py`` measure it).
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import select

import bot.delivery.digests as digests
import bot.domain.directory as directory
import bot.domain.history_load as history_load
import bot.domain.plans as plans
import handlers.staff as staff
from bot.texts import common, importing
from bot.texts import history_import as history_texts
from bot.texts import plans as plan_texts
from bot.wiring.workers import Sessions, Workers
from harness import ADMIN, Harness, background, texts
from scenarios import DISTRICT, setup_district
from storage.models import Organization

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


async def _where_and_what(sessions: Sessions, org_id: int) -> tuple[int, str | None]:
    """A worker job: the process it ran in, and what it read."""
    async with sessions() as session:
        name = await session.scalar(select(Organization.name).where(Organization.id == org_id))
    return os.getpid(), name


async def _die(sessions: Sessions, ask: object) -> None:
    """A worker job that dies the way the kernel kills a process for memory."""
    os.kill(os.getpid(), signal.SIGKILL)


async def district_id(h: Harness) -> int:
    async with h.session_pool() as session:
        found = await session.scalar(select(Organization.id).where(Organization.name == DISTRICT))
    assert found is not None
    return found


async def test_a_worker_job_reads_the_bot_s_database_in_another_process(
    harness: Harness,
) -> None:
    await setup_district(harness)
    workers: Workers = harness.dp["workers"]
    pid, name = await workers.run(_where_and_what, await district_id(harness))
    assert (pid != os.getpid(), name) == (True, DISTRICT)


async def test_digests_status_and_tables_are_loaded_and_drawn_by_a_worker(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await setup_district(harness)
    jobs: list[str] = []
    run = Workers.run

    async def recorded(self: Workers, job: Any, request: Any) -> Any:
        jobs.append(job.__name__)
        return await run(self, job, request)

    monkeypatch.setattr(Workers, "run", recorded)
    replies = await harness.send(ADMIN, "/digest")
    sent = [r.method for r in replies if r.method.startswith("send")]
    assert sent == ["sendMessage", "sendPhoto", "sendDocument"]
    assert DISTRICT in texts(replies)[0]
    assert DISTRICT in texts(await harness.send(ADMIN, "/status"))[0]
    exported = await harness.send(ADMIN, "/export")
    assert [r.method for r in exported if r.method.startswith("send")] == ["sendDocument"]
    assert jobs == ["digest_reply"] * 3


async def test_a_dead_worker_is_replaced_and_twice_dead_is_said_plainly(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await setup_district(harness)
    workers: Workers = harness.dp["workers"]
    before, _ = await workers.run(_where_and_what, await district_id(harness))
    monkeypatch.setattr(staff, "digest_reply", _die)

    replies = await harness.send(ADMIN, "/digest")

    assert texts(replies) == [common.WORKERS_FAILED]
    monkeypatch.undo()
    after, name = await workers.run(_where_and_what, await district_id(harness))
    assert (after != before, name) == (True, DISTRICT)  # new workers serve the next job


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
        built = await digests.build_digest(
            session,
            scope_org_id=district,
            chat_id=ADMIN,
            today=date(2026, 11, 23),
            due_on=date(2026, 11, 23),
        )
        assert built is not None
        queued = await digests.queue_digest(session, built, not_before=now, now=now)
    harness.clock.moment = now
    mark = harness.server.mark()
    await background(harness).deliverer.drain()  # the text is written when it is sent
    assert queued and write.ran_off(threading.get_ident())
    sent = [r.plain_text or "" for r in harness.server.requests[mark:] if r.chat_id == ADMIN]
    assert any(DISTRICT in text for text in sent), sent
