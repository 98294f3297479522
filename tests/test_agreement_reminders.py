"""A chair whose collective agreement ends within 60 days is told once per end date, at an
allowed moment of the ППО's zone, with the button to the passport; pauses are kept."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.domain.agreement_reminders import plan_agreement_reminders
from bot.domain.tick import Planning
from bot.wiring import scheduler
from bot.wiring.scheduler import Background, nightly, nightly_if_missed
from handlers.keyboards import reminder_button
from harness import Harness, background, texts
from scenarios import CHAIR, join
from storage.models import Organization, OutboxMessage, OutboxStatus, Passport, Person

SCHOOL = "МБОУ СОШ № 1"


def utc(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


async def set_agreement(h: Harness, until: date | None, *, in_force: bool = True) -> int:
    async with h.session_pool() as session, session.begin():
        org = await session.scalar(select(Organization).where(Organization.name == SCHOOL))
        assert org is not None
        passport = await session.get(Passport, org.id)
        if passport is None:
            passport = Passport(org_id=org.id, institution="Школа", updated_at=h.clock.now())
            session.add(passport)
        passport.agreement, passport.agreement_until = in_force, until
        return org.id


async def plan(h: Harness) -> int:
    calendar, tz = h.settings.calendar, h.settings.timezone
    return await plan_agreement_reminders(
        Planning(h.session_pool, h.clock, calendar, tz), reminder_button
    )


async def queued(h: Harness) -> list[OutboxMessage]:
    async with h.session_pool() as session:
        return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def test_agreement_ending_soon_reaches_the_chair_once(
    harness: Harness, tmp_path: Path
) -> None:
    await join(harness)  # 21.11.2026 is a Saturday
    org_id = await set_agreement(harness, date(2027, 1, 10))
    bg = background(harness)
    bg.settings = harness.settings.model_copy(update={"backup_dir": tmp_path / "backups"})
    await nightly(bg)  # the daily job is wired into the nightly work
    assert await plan(harness) == 0  # once per agreement date
    [message] = await queued(harness)
    assert message.key == f"agreement:{org_id}:2027-01-10:{CHAIR}"
    assert message.not_before == utc(2026, 11, 23, 7)  # Monday, 10:00 in Moscow

    mark = harness.server.mark()
    await bg.deliverer.drain()  # the weekend: nothing goes out yet
    assert [r for r in harness.server.requests[mark:] if r.chat_id == CHAIR] == []
    harness.clock.moment = utc(2026, 11, 23, 7)
    mark = harness.server.mark()
    await bg.deliverer.drain()
    [sent] = [r for r in harness.server.requests[mark:] if r.chat_id == CHAIR]
    text = sent.plain_text or ""
    assert SCHOOL in text and "до 10.01.2027: истекает через 48 дней" in text
    opened = texts(await harness.tap(CHAIR, sent, "Паспорт ППО"))
    assert "Полное наименование учреждения?" in opened[0]  # the passport form opened

    harness.clock.moment = utc(2026, 11, 24, 7)
    assert await plan(harness) == 0  # the next day: already told
    await set_agreement(harness, date(2027, 1, 12))  # a new date is told again
    assert await plan(harness) == 1


async def test_far_expired_or_not_in_force_agreements_are_quiet(harness: Harness) -> None:
    await join(harness)
    for until, in_force in (
        (date(2027, 1, 21), True),  # 61 days ahead
        (date(2026, 11, 20), True),  # already over
        (date(2026, 12, 1), False),  # no agreement in force
    ):
        await set_agreement(harness, until, in_force=in_force)
        assert await plan(harness) == 0, until
    await set_agreement(harness, date(2027, 1, 20))  # the 60th day counts
    assert await plan(harness) == 1


async def test_a_paused_chair_is_told_after_the_pause(harness: Harness) -> None:
    await join(harness)
    await set_agreement(harness, date(2026, 12, 20))
    await harness.send(CHAIR, "/pause 30.11.2026")
    assert await plan(harness) == 0
    harness.clock.moment = utc(2026, 12, 1, 7)
    assert not [m for m in await queued(harness) if m.key.startswith("agreement:")]
    assert await plan(harness) == 1
    [message] = [m for m in await queued(harness) if m.key.startswith("agreement:")]
    assert message.status == OutboxStatus.PENDING
    assert "истекает через 19 дней" in message.payload["text"]


async def test_a_reminder_queued_before_a_pause_waits_for_its_end(harness: Harness) -> None:
    await join(harness)  # Saturday 21.11.2026: the reminder is queued for Monday morning
    await set_agreement(harness, date(2026, 12, 20))
    assert await plan(harness) == 1
    await harness.send(CHAIR, "/pause 30.11.2026")
    assert not [m for m in await queued(harness) if m.key.startswith("agreement:")]
    harness.clock.moment = utc(2026, 11, 23, 7)
    assert await plan(harness) == 0  # still paused
    harness.clock.moment = utc(2026, 12, 1, 7)
    assert await plan(harness) == 1
    [message] = [m for m in await queued(harness) if m.key.startswith("agreement:")]
    assert "истекает через 19 дней" in message.payload["text"]


async def test_a_bot_off_at_three_at_night_does_the_nightly_work_when_it_starts(
    harness: Harness, tmp_path: Path
) -> None:
    """An office PC runs the bot from 09:00 to 18:00: the 03:00 job never fires. At start the
    night's work is done if no backup was written since the last 03:00, and (on SQLite, which
    the bot backs up) only then."""
    await join(harness)
    org_id = await set_agreement(harness, date(2027, 1, 10))
    bg = background(harness)
    backups = tmp_path / "backups"
    bg.settings = harness.settings.model_copy(update={"backup_dir": backups})
    harness.clock.moment = utc(2026, 11, 23, 6)  # Monday, 09:00 in Moscow: the bot starts
    await nightly_if_missed(bg)
    assert [m.key for m in await queued(harness)] == [f"agreement:{org_id}:2027-01-10:{CHAIR}"]
    if harness.engine.dialect.name != "sqlite":
        return  # PostgreSQL is not backed up by the bot: its nightly work runs at every start
    written = sorted(backups.iterdir())
    assert len(written) == 1

    harness.clock.moment = utc(2026, 11, 23, 12)  # restarted at 15:00: done already today
    await nightly_if_missed(bg)
    assert sorted(backups.iterdir()) == written
    harness.clock.moment = utc(2026, 11, 24, 6)  # the next morning: the night was missed again
    await nightly_if_missed(bg)
    assert len(list(backups.iterdir())) == 2


async def test_a_pause_over_the_new_year_typed_without_a_year_is_taken(harness: Harness) -> None:
    """20 December: «/pause 10.01» pauses until 10 January next, instead of being refused as
    a day already past."""
    await join(harness)
    harness.clock.moment = utc(2026, 12, 20, 9)
    [reply] = texts(await harness.send(CHAIR, "/pause 10.01"))
    assert "10.01.2027" in reply, reply
    async with harness.session_pool() as session:
        chair = (await session.scalars(select(Person).where(Person.tg_user_id == CHAIR))).one()
    assert chair.reminders_paused_until == date(2027, 1, 10)


async def test_the_nightly_work_done_once_is_not_done_again_at_the_next_start(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Started at 09:00, the bot does the missed night's work; restarted at 15:00 (on
    PostgreSQL too, where no backup says so) it does not do it again: the audit log's
    «nightly» entry says it was done."""
    bg = background(harness)
    bg.settings = harness.settings.model_copy(update={"backup_dir": tmp_path / "backups"})
    runs: list[datetime] = []
    real = scheduler.nightly

    async def counted(bg: Background) -> None:
        runs.append(bg.clock.now())
        await real(bg)

    monkeypatch.setattr(scheduler, "nightly", counted)
    harness.clock.moment = utc(2026, 11, 23, 6)  # Monday, 09:00 in Moscow: the bot starts
    await nightly_if_missed(bg)
    harness.clock.moment = utc(2026, 11, 23, 12)  # restarted at 15:00
    await nightly_if_missed(bg)
    assert len(runs) == 1
