"""The clockwork never stalls on a broken row, never stops the start, and reports refusals.

A collection with a deadline of 31.12.9999 (written straight into the database, as the
request form used to allow), a ППО with a time zone that does not exist, an announcement
without its author: each is logged with its id and skipped, and everything next to it is
reminded, escalated, digested and reported as before. A catch-up that fails at start-up is
reported to the admins and the bot runs on. A message Telegram refuses (400) is given up at
once, and the announcement's delivery report says how many failed and why.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update

import bot.domain.due_periods
import bot.wiring.scheduler
from bot.domain.announcements import report_finished_announcements
from bot.domain.due_periods import open_due_periods
from bot.domain.reminders import plan_reminders
from bot.domain.tick import Planning
from bot.texts import reminders as tr
from bot.wiring.scheduler import Background, calendar_tick, catch_up
from fakes.telegram_server import FakeTelegramServer, Request
from harness import ADMIN, TOKEN, Harness, background, last_message
from scenarios import DISTRICT, accept_invite, code_of, invite_links, join
from storage import audit, collections, orgs
from storage.engine import create_engine, create_session_pool
from storage.migrate import upgrade
from storage.models import (
    CollectionKind,
    CollectionTarget,
    Organization,
    OutboxMessage,
    OutboxStatus,
)
from storage.outbox import enqueue
from test_end_to_end import bot_process
from test_reminders import (
    D1,
    D2,
    MOSCOW,
    SETTINGS,
    World,
    build,
    button,
    local,
    outbox,
    parts,
)

SCHOOL, KINDERGARTEN = "МБОУ СОШ № 1", "МБДОУ детский сад «Солнышко»"
CHAIR, SECOND_CHAIR, STAFF = 501, 502, 801
FAR_FUTURE = date(9999, 12, 31)


def at(day: int, month: int = 10, hour_utc: int = 7) -> datetime:
    return datetime(2026, month, day, hour_utc, 0, tzinfo=UTC)


@pytest.fixture
def october(clock) -> None:
    clock.moment = at(1)  # Thursday 1 October 2026, 10:00 in Moscow


async def district_with_staff(h: Harness) -> None:
    await join(h, SCHOOL, CHAIR)
    links = await invite_links(h)
    await accept_invite(h, SECOND_CHAIR, code_of(links[KINDERGARTEN]), first_name="Ольга")
    staff = (await invite_links(h, whom="сотрудник аппарата"))[DISTRICT]
    await accept_invite(h, STAFF, code_of(staff), first_name="Светлана")


async def org_ids(h: Harness) -> dict[str, int]:
    async with h.session_pool() as session:
        return {org.name: org.id for org in await orgs.all_orgs(session)}


async def plant_endless_request(h: Harness, now: datetime) -> int:
    """A one-off request to every ППО of the district with a deadline of 31.12.9999."""
    ids = await org_ids(h)
    async with h.session_pool() as session, session.begin():
        request = await collections.open_collection(
            session,
            kind=CollectionKind.PASSPORT,
            scope_org_id=ids[DISTRICT],
            period=date(now.year, now.month, 1),
            title="Обновить паспорт ППО",
            one_off=True,
            deadline_for_target=FAR_FUTURE,
            targets=[(ids[SCHOOL], "new"), (ids[KINDERGARTEN], "new")],
            now=now,
        )
        await session.execute(
            update(Organization)
            .where(Organization.id == ids[KINDERGARTEN])
            .values(timezone="Mars/Olympus_Mons")
        )
    return request.id


def to(chat: int, requests: list[Request]) -> list[str]:
    return [r.plain_text or "" for r in requests if r.chat_id == chat and r.ok]


async def run(h: Harness, step, bg: Background | None = None) -> list[Request]:
    """Run one scheduled step (a tick or a catch-up) and deliver what it queued."""
    mark = h.server.mark()
    bg = bg or background(h)
    await step(bg)
    await bg.deliverer.drain()
    return h.server.requests[mark:]


def failures(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "bot.domain.isolation"]


# -- a broken collection next to good ones --------------------------------------------------


async def test_an_endless_request_does_not_stop_reminders_escalation_or_digests(
    october, harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await district_with_staff(harness)
    broken = await plant_endless_request(harness, harness.clock.now())
    caplog.set_level(logging.INFO)
    bg = background(harness)  # one process: it remembers what failed before

    opened = await run(harness, calendar_tick, bg)
    for chair in (CHAIR, SECOND_CHAIR):  # the bogus time zone counts as Moscow's
        [text] = to(chair, opened)
        assert "Открыт мониторинг профсоюзного членства за октябрь 2026" in text
    logged = {r.getMessage() for r in failures(caplog)}
    assert f"escalation of collection {broken} failed and was skipped" in " ".join(logged)
    assert any(f"reminder of collection {broken} to ППО" in line for line in logged)
    assert all(r.exc_info for r in failures(caplog))  # the first time with the traceback

    caplog.clear()
    harness.clock.moment = at(19)  # Monday a week before the deadline: reminder and digest
    week = await run(harness, calendar_tick, bg)
    assert all(not r.exc_info for r in failures(caplog))  # the same rows again: one line each
    assert failures(caplog)
    for chair in (CHAIR, SECOND_CHAIR):
        [text] = to(chair, week)
        assert "осталось 7 дней" in text
    assert [r.method for r in week if r.chat_id == STAFF and r.ok] == [
        "sendMessage",
        "sendPhoto",
        "sendDocument",
    ]

    # The bot was down over the deadline; it starts on Tuesday 27 October.
    harness.clock.moment = at(27)
    started = await run(harness, lambda bg: catch_up(bg, harness.clock.now()))
    for chair in (CHAIR, SECOND_CHAIR):
        [text] = to(chair, started)
        assert "истёк вчера (26.10.2026)" in text
    staff = to(STAFF, started)
    [escalation] = [text for text in staff if text.startswith("Не сдали мониторинг")]
    assert SCHOOL in escalation and "Солнышко" in escalation
    assert len([text for text in staff if text.startswith("📊 Сводка")]) == 1
    told = to(ADMIN, started)
    skipped = [text for text in told if "часть плановой работы пропущена" in text]
    assert len(skipped) == 1 and f"escalation of collection {broken}" in skipped[0]
    assert any("напоминаний — 3, сводок — 1" in text for text in told)  # after1 ×2, late1


async def test_a_target_with_an_endless_deadline_spares_its_siblings(
    session_pool, clock, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    clock.moment = datetime(2026, 10, 1, 0, 30, tzinfo=UTC)
    [october] = [
        c
        for c in await open_due_periods(Planning(session_pool, clock, SETTINGS, "Europe/Moscow"))
        if c.scope_org_id == world.org[D1]
    ]
    async with session_pool() as session, session.begin():
        await session.execute(
            update(CollectionTarget)
            .where(
                CollectionTarget.collection_id == october.id,
                CollectionTarget.org_id == world.org["Детский сад"],
            )
            .values(deadline=FAR_FUTURE)
        )
    clock.moment = local(MOSCOW, 2026, 10, 1, 11, 0)  # 10:00 in Kaliningrad
    queued = await plan_reminders(Planning(session_pool, clock, SETTINGS, "Europe/Moscow"), button)
    reminded = {parts(m)[2] for m in await outbox(session_pool)}
    assert reminded == {101, 102, 104, 201}  # all but the kindergarten's chair (103)
    assert queued == 4
    [record] = failures(caplog)
    assert f"reminder of collection {october.id} to ППО {world.org['Детский сад']}" in (
        record.getMessage()
    )


async def test_a_district_that_cannot_open_its_period_spares_the_others(
    session_pool, clock, world: World, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    real = bot.domain.due_periods._open_district_period

    async def broken_for_d1(session, district_id, *args):
        if district_id == world.org[D1]:
            raise RuntimeError("a row nobody foresaw")
        return await real(session, district_id, *args)

    monkeypatch.setattr(bot.domain.due_periods, "_open_district_period", broken_for_d1)
    clock.moment = datetime(2026, 10, 1, 6, 0, tzinfo=UTC)
    opened = await open_due_periods(Planning(session_pool, clock, SETTINGS, "Europe/Moscow"))
    assert [c.scope_org_id for c in opened] == [world.org[D2]]
    [record] = failures(caplog)
    assert f"opening the period of district {world.org[D1]}" in record.getMessage()


@pytest.fixture
async def world(session_pool) -> World:
    return await build(session_pool)


# -- start-up -------------------------------------------------------------------------------


async def test_catch_up_that_raises_is_reported_and_the_bot_starts(
    october, harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken_tick(*_args, **_kwargs) -> int:
        raise RuntimeError("database exploded")

    monkeypatch.setattr(bot.wiring.scheduler, "calendar_tick", broken_tick)
    workflow = harness.dp.workflow_data
    await harness.dp.emit_startup(bot=harness.bot, dispatcher=harness.dp, **workflow)
    try:
        told = await harness.server.wait_message(ADMIN, contains="Бот запущен", timeout=20)
        assert told.plain_text == tr.CATCH_UP_FAILED
        assert workflow["scheduler"].running
        last_message(await harness.send(ADMIN, "/help"))  # and the bot answers as usual
    finally:
        await harness.dp.emit_shutdown(**harness.dp.workflow_data)


@pytest.mark.timeout(300)
async def test_the_real_bot_starts_on_a_database_with_an_endless_request(
    tmp_path: Path,
) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    engine = create_engine(db_url)
    now = datetime.now(UTC)
    try:
        await upgrade(engine)
        pool = create_session_pool(engine)
        async with pool() as session, session.begin():
            await orgs.apply_import(session, [_Row()], default_region="Область", now=now)
            ids = {org.name: org.id for org in await orgs.all_orgs(session)}
            request = await collections.open_collection(
                session,
                kind=CollectionKind.PASSPORT,
                scope_org_id=ids[DISTRICT],
                period=date(now.year, now.month, 1),
                title="Обновить паспорт ППО",
                one_off=True,
                deadline_for_target=FAR_FUTURE,
                targets=[(ids[SCHOOL], "new")],
                now=now,
            )
    finally:
        await engine.dispose()
    async with FakeTelegramServer(token=TOKEN) as server, bot_process(server, db_url, tmp_path):
        told = await server.wait_message(
            ADMIN, contains="часть плановой работы пропущена", timeout=60
        )
        assert f"escalation of collection {request.id}" in (told.plain_text or "")
        await server.wait_polling(timeout=30)
        mark = server.mark()
        server.message(ADMIN, "/help")
        await server.wait_message(ADMIN, after=mark, timeout=20)  # the bot answers


class _Row:
    region = None
    district = DISTRICT
    organization = SCHOOL
    workers = 54
    chair_name = None
    timezone = None


# -- announcements --------------------------------------------------------------------------


async def announce(h: Harness, text: str) -> None:
    question = last_message(await h.send(STAFF, "/announce"))
    await h.tap(STAFF, question, "Всем председателям")
    summary = last_message(await h.send(STAFF, text))
    await h.tap(STAFF, summary, "Отправить")


async def spoil(h: Harness, chats: list[int]) -> None:
    """Make these recipients' copies HTML that Telegram refuses (an unclosed tag)."""
    async with h.session_pool() as session, session.begin():
        for row in (await session.scalars(select(OutboxMessage))).all():
            if row.key.startswith("announce:") and row.chat_id in chats:
                row.payload = {"text": "<b>Собрание <в 15:00> & «Итоги»"}


async def test_a_refused_message_is_final_at_once_and_the_report_says_why(
    october, harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await district_with_staff(harness)
    await announce(harness, "Собрание председателей 30.11 в 10:00")
    await spoil(harness, [SECOND_CHAIR])
    caplog.set_level(logging.INFO)

    sent = await run(harness, calendar_tick)
    to_second = [r for r in sent if r.chat_id == SECOND_CHAIR and "Собрание" in (r.text or "")]
    assert len(to_second) == 1 and not to_second[0].ok and to_second[0].error_code == 400
    assert [text for text in to(CHAIR, sent) if "Собрание председателей" in text]
    async with harness.session_pool() as session:
        row = (
            await session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.chat_id == SECOND_CHAIR, OutboxMessage.key.like("announce:%")
                )
            )
        ).one()
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 1)
    assert "can't parse entities" in (row.error or "")

    reported = await run(harness, calendar_tick)
    assert not [r for r in reported if r.chat_id == SECOND_CHAIR]  # not tried again
    [report] = to(STAFF, reported)
    assert "Доставлено: 1" in report
    assert "Не доставлено из-за ошибки: 1" in report
    assert f"{row.error} — 1" in report  # Telegram's reason, with how many it refused
    [line] = [r.getMessage() for r in caplog.records if "announcement" in r.getMessage()]
    assert "1 sent, 0 unreachable, 1 failed; 1 × Bad Request: can't parse entities" in line


async def test_the_report_comes_when_nobody_got_the_announcement(october, harness: Harness) -> None:
    await district_with_staff(harness)
    await announce(harness, "Собрание председателей 30.11 в 10:00")
    await spoil(harness, [CHAIR, SECOND_CHAIR])
    await run(harness, calendar_tick)
    [report] = to(STAFF, await run(harness, calendar_tick))
    assert "Доставлено: 0" in report and "Не доставлено из-за ошибки: 2" in report
    assert "can't parse entities" in report and "— 2" in report
    assert "Объявление не получил никто." in report


async def test_a_broken_announcement_does_not_hold_back_the_others_report(
    october, harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await district_with_staff(harness)
    now = harness.clock.now()
    async with harness.session_pool() as session, session.begin():
        orphan = audit.record(
            session, at=now, actor_id=None, action="announce", org_id=None, after={"text": "x"}
        )
        await session.flush()
        await enqueue(
            session,
            key=f"announce:{orphan.id}:{CHAIR}",
            chat_id=CHAIR,
            kind="text",
            payload={"text": "Без автора"},
            not_before=now,
            now=now,
        )
    await announce(harness, "Собрание председателей 30.11 в 10:00")
    await run(harness, calendar_tick)
    [report] = to(STAFF, await run(harness, calendar_tick))
    assert "Доставлено: 2" in report
    assert any(
        f"delivery report of announcement {orphan.id}" in r.getMessage() for r in failures(caplog)
    )
    assert (
        await report_finished_announcements(
            Planning(harness.session_pool, harness.clock, SETTINGS, "Europe/Moscow")
        )
        == 0
    )
