"""Opening monitoring periods and planning reminders into the outbox, with a controlled clock,
on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.calendar import CalendarSettings
from bot.domain.due_periods import open_due_periods
from bot.domain.reminders import plan_reminders
from bot.domain.tick import Planning
from storage import collections, contacts, orgs, people, reminder_pause, reports
from storage.models import (
    Collection,
    CollectionKind,
    CollectionTarget,
    Organization,
    OutboxMessage,
    OutboxStatus,
    Person,
    Role,
    RoleGrant,
)
from storage.outbox import enqueue
from storage.outbox_keys import KeyPurpose, outbox_key

DEFAULT_TZ = "Europe/Moscow"
MOSCOW = ZoneInfo(DEFAULT_TZ)
KALININGRAD = ZoneInfo("Europe/Kaliningrad")
KAMCHATKA = ZoneInfo("Asia/Kamchatka")
SETUP = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
SETTINGS = CalendarSettings()

D1 = "Первая районная организация"
D2 = "Вторая районная организация"


@dataclass(frozen=True)
class Row:
    district: str
    organization: str
    workers: int | None = None
    chair_name: str | None = None
    timezone: str | None = None
    region: str | None = None


ROWS = [
    Row(D1, "Школа Калининград", 100, timezone="Europe/Kaliningrad"),
    Row(D1, "Школа Камчатка", 100, timezone="Asia/Kamchatka"),
    Row(D1, "Детский сад", 100),
    Row(D1, "Больница", 100),
    Row(D1, "Библиотека", 10, chair_name="Сидорова Н. В."),
    Row(D2, "Школа № 2", 100),
]
# ППО name → (chair tg id, chair name, coverage of the June report or None: never reported)
CHAIRS: dict[str, tuple[int, str, int | None]] = {
    "Школа Калининград": (101, "Анна Калинина", 70),
    "Школа Камчатка": (102, "Пётр Камчатов", None),
    "Детский сад": (103, "Мария Садова", 40),
    "Больница": (104, "Борис Больничный", 90),
    "Школа № 2": (201, "Вера Вторая", 60),
}
STAFF_D1 = {901: "Специалист Один", 902: "Специалист Два"}
STAFF_REGION = {950: "Областной специалист"}
CURATOR = (801, "Куратор Садова")  # curates «Детский сад»


@dataclass
class World:
    org: dict[str, int] = field(default_factory=dict)
    person: dict[int, int] = field(default_factory=dict)  # tg id → person id


def button(kind: str, org_id: int) -> tuple[str, str]:
    return ("Заполнить", f"form:{kind}:{org_id}")


def local(
    tz: ZoneInfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0
) -> datetime:
    """A local wall-clock moment in ``tz``, as UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=tz).astimezone(UTC)


async def build(pool: async_sessionmaker[AsyncSession]) -> World:
    world = World()
    async with pool() as session, session.begin():
        await orgs.apply_import(session, ROWS, default_region="Область", now=SETUP)
        for org in await orgs.all_orgs(session):
            world.org[org.name] = org.id
        for name, (tg, full_name, cover) in CHAIRS.items():
            person = await people.upsert_person(
                session, tg_user_id=tg, full_name=full_name, username=None, now=SETUP
            )
            world.person[tg] = person.id
            await people.grant_chair(session, person=person, org_id=world.org[name], now=SETUP)
            if cover is not None:
                await reports.add_report(
                    session,
                    org_id=world.org[name],
                    period=date(2025, 12, 1),
                    values={"workers": 100, "members": cover},
                    submitted_by=person.id,
                    submitted_at=SETUP,
                    submission_key=f"dec2025-{tg}",
                )
        grants = [(tg, n, Role.STAFF, world.org[D1]) for tg, n in STAFF_D1.items()]
        grants += [(tg, n, Role.STAFF, world.org["Область"]) for tg, n in STAFF_REGION.items()]
        grants.append((*CURATOR, Role.CURATOR, world.org["Детский сад"]))
        for tg, full_name, role, org_id in grants:
            person = await people.upsert_person(
                session, tg_user_id=tg, full_name=full_name, username=None, now=SETUP
            )
            world.person[tg] = person.id
            session.add(RoleGrant(person_id=person.id, role=role, org_id=org_id, granted_at=SETUP))
    return world


@pytest.fixture
async def world(session_pool: async_sessionmaker[AsyncSession]) -> World:
    return await build(session_pool)


async def open_at(pool, clock, moment: datetime) -> list[Collection]:
    clock.moment = moment
    return await open_due_periods(Planning(pool, clock, SETTINGS, DEFAULT_TZ))


async def plan_at(pool, clock, moment: datetime, settings: CalendarSettings = SETTINGS) -> int:
    clock.moment = moment
    return await plan_reminders(Planning(pool, clock, settings, DEFAULT_TZ), button)


async def outbox(pool) -> list[OutboxMessage]:
    async with pool() as session:
        return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


def parts(message: OutboxMessage) -> tuple[int, str, int]:
    """(org or scope id, purpose, tg id) of a reminder key."""
    _, _, org_id, purpose, tg = message.key.split(":")
    return int(org_id), purpose, int(tg)


async def open_october(pool, clock) -> Collection:
    opened = await open_at(pool, clock, datetime(2026, 10, 1, 0, 30, tzinfo=UTC))
    return next(c for c in opened if c.title.endswith("октябрь 2026"))


async def target_rows(pool, collection_id: int) -> dict[str, CollectionTarget]:
    async with pool() as session:
        rows, _ = await collections.targets(session, collection_id)
    return {org.name: target for target, org in rows}


# -- opening periods ------------------------------------------------------------------------


async def test_period_opens_for_the_right_ppo_by_tier(session_pool, clock, world) -> None:
    march = await open_at(session_pool, clock, datetime(2026, 3, 2, 6, 0, tzinfo=UTC))
    assert sorted(c.scope_org_id for c in march) == sorted([world.org[D1], world.org[D2]])
    d1 = next(c for c in march if c.scope_org_id == world.org[D1])
    assert d1.period == date(2026, 3, 1) and not d1.one_off
    assert d1.title == "Мониторинг профсоюзного членства за март 2026"
    assert d1.deadline == date(2026, 3, 25)
    tiers = {name: t.tier for name, t in (await target_rows(session_pool, d1.id)).items()}
    # the 90 % hospital is not due in March; never-reported ones (with or without chair) are
    assert tiers == {
        "Школа Калининград": "mid",
        "Школа Камчатка": "new",
        "Детский сад": "low",
        "Библиотека": "new",
    }

    # opening again (same moment, later in the month) does nothing new
    assert await open_at(session_pool, clock, datetime(2026, 3, 2, 6, 0, tzinfo=UTC)) == []
    assert await open_at(session_pool, clock, datetime(2026, 3, 30, 6, 0, tzinfo=UTC)) == []
    # no calendar month, no collection
    assert await open_at(session_pool, clock, datetime(2026, 4, 10, 6, 0, tzinfo=UTC)) == []

    october = await open_october(session_pool, clock)
    assert october.deadline == date(2026, 10, 26)  # 25.10.2026 is a Sunday
    assert "Больница" in await target_rows(session_pool, october.id)
    async with session_pool() as session:
        count = len((await session.scalars(select(Collection))).all())
    assert count == 4  # March and October, one per district each


async def test_tier_comes_from_the_latest_report_and_a_filed_report_counts(
    session_pool, clock, world
) -> None:
    async with session_pool() as session, session.begin():
        # the hospital dropped to 75 % in February: due in June as a 50-80 % ППО
        await reports.add_report(
            session,
            org_id=world.org["Больница"],
            period=date(2026, 2, 1),
            values={"workers": 100, "members": 75},
            submitted_by=world.person[104],
            submitted_at=SETUP,
            submission_key="feb-104",
        )
        # the kindergarten filed June's report in the first minutes of June
        await reports.add_report(
            session,
            org_id=world.org["Детский сад"],
            period=date(2026, 6, 1),
            values={"workers": 100, "members": 85},
            submitted_by=world.person[103],
            submitted_at=datetime(2026, 5, 31, 21, 5, tzinfo=UTC),
            submission_key="june2026-103",
        )
    june = await open_at(session_pool, clock, datetime(2026, 5, 31, 21, 30, tzinfo=UTC))
    d1 = next(c for c in june if c.scope_org_id == world.org[D1])
    rows = await target_rows(session_pool, d1.id)
    assert rows["Больница"].tier == "mid"
    assert rows["Детский сад"].tier == "low"  # from the report before the period
    assert rows["Детский сад"].submitted_at == datetime(2026, 5, 31, 21, 5, tzinfo=UTC)
    assert rows["Школа Калининград"].submitted_at is None


async def test_archived_ppo_are_not_targets(session_pool, clock, world) -> None:
    async with session_pool() as session, session.begin():
        org = await session.get(Organization, world.org["Библиотека"])
        assert org is not None
        org.archived_at = SETUP
    opened = await open_at(session_pool, clock, datetime(2026, 3, 2, 6, 0, tzinfo=UTC))
    d1 = next(c for c in opened if c.scope_org_id == world.org[D1])
    assert "Библиотека" not in await target_rows(session_pool, d1.id)
    async with session_pool() as session:
        in_region = await orgs.ppo_in_scope(session, world.org["Область"])
    assert {o.name for o in in_region} == set(CHAIRS)


async def test_open_collection_is_idempotent_for_one_offs(session_pool, world) -> None:
    now = datetime(2026, 11, 10, 8, 0, tzinfo=UTC)
    async with session_pool() as session, session.begin():
        first = await collections.open_collection(
            session,
            kind=CollectionKind.PASSPORT,
            scope_org_id=world.org[D1],
            period=date(2026, 11, 1),
            title="Обновить паспорт ППО",
            one_off=True,
            deadline_for_target=date(2026, 11, 30),
            targets=[(world.org["Детский сад"], "low"), (world.org["Больница"], "high")],
            now=now,
        )
        again = await collections.open_collection(
            session,
            kind=CollectionKind.PASSPORT,
            scope_org_id=world.org[D1],
            period=date(2026, 11, 1),
            title="Обновить паспорт ППО",
            one_off=True,
            deadline_for_target=date(2026, 12, 30),
            targets=[(world.org["Школа Камчатка"], "new")],
            now=now,
        )
        assert again.id == first.id
        listed, closed = await collections.targets(session, first.id)
        assert len(listed) == 2 and closed == []


# -- reminders ------------------------------------------------------------------------------


async def test_reminders_land_on_local_ten_oclock_across_time_zones(
    session_pool, clock, world
) -> None:
    october = await open_october(session_pool, clock)
    kal, kam = world.org["Школа Калининград"], world.org["Школа Камчатка"]

    # At opening (00:30 UTC) it is already 12:30 on 1 October in Kamchatka: its «open» is due.
    await plan_at(session_pool, clock, datetime(2026, 10, 1, 0, 30, tzinfo=UTC))
    first = await outbox(session_pool)
    assert [parts(m) for m in first] == [(kam, "open", 102)]
    assert first[0].not_before == datetime(2026, 10, 1, 0, 30, tzinfo=UTC)
    assert first[0].key == f"remind:{october.id}:{kam}:open:102"
    assert first[0].payload["buttons"] == [
        [{"text": "Заполнить", "callback_data": f"form:membership:{kam}"}]
    ]
    assert "Открыт мониторинг профсоюзного членства за октябрь 2026" in first[0].payload["text"]
    assert "Срок — до 26.10.2026" in first[0].payload["text"]

    # 10:00 in Moscow is 07:00 UTC; in Kaliningrad 08:00 UTC
    assert await plan_at(session_pool, clock, datetime(2026, 10, 1, 6, 59, tzinfo=UTC)) == 0
    await plan_at(session_pool, clock, datetime(2026, 10, 1, 7, 0, tzinfo=UTC))
    await plan_at(session_pool, clock, datetime(2026, 10, 1, 7, 59, tzinfo=UTC))
    moscow = {parts(m)[2] for m in (await outbox(session_pool))[1:]}
    assert moscow == {103, 104, 201}  # the library has no chair
    await plan_at(session_pool, clock, datetime(2026, 10, 1, 8, 0, tzinfo=UTC))
    last = (await outbox(session_pool))[-1]
    assert parts(last) == (kal, "open", 101)
    assert last.not_before == datetime(2026, 10, 1, 8, 0, tzinfo=UTC)

    # before7 = Monday 19 October, 10:00 local: 22:00 UTC on the 18th in Kamchatka
    assert await plan_at(session_pool, clock, datetime(2026, 10, 18, 21, 59, tzinfo=UTC)) == 0
    assert await plan_at(session_pool, clock, datetime(2026, 10, 18, 22, 0, tzinfo=UTC)) == 1
    kam_before7 = (await outbox(session_pool))[-1]
    assert parts(kam_before7) == (kam, "before7", 102)
    assert kam_before7.not_before == datetime(2026, 10, 18, 22, 0, tzinfo=UTC)
    assert "осталось 7 дней" in kam_before7.payload["text"]
    assert await plan_at(session_pool, clock, datetime(2026, 10, 19, 7, 59, tzinfo=UTC)) == 3
    assert await plan_at(session_pool, clock, datetime(2026, 10, 19, 8, 0, tzinfo=UTC)) == 1
    kal_before7 = (await outbox(session_pool))[-1]
    assert parts(kal_before7) == (kal, "before7", 101)
    assert kal_before7.not_before == datetime(2026, 10, 19, 8, 0, tzinfo=UTC)


async def test_catch_up_at_night_goes_out_at_nine_on_the_next_working_day(
    session_pool, clock, world
) -> None:
    await open_october(session_pool, clock)
    # the planner did not run until Friday 2 October, 23:30 Moscow time
    count = await plan_at(session_pool, clock, local(MOSCOW, 2026, 10, 2, 23, 30))
    assert count == 5
    by_tg = {parts(m)[2]: m for m in await outbox(session_pool)}
    assert {tg: parts(m)[1] for tg, m in by_tg.items()} == dict.fromkeys(
        (101, 102, 103, 104, 201), "open"
    )
    # Monday 5 October, 09:00 local, in each chair's own zone
    assert by_tg[103].not_before == local(MOSCOW, 2026, 10, 5, 9, 0)
    assert by_tg[101].not_before == local(KALININGRAD, 2026, 10, 5, 9, 0)
    # in Kamchatka it is already Saturday 3 October 08:30: Monday 09:00 there
    assert by_tg[102].not_before == local(KAMCHATKA, 2026, 10, 5, 9, 0)


async def test_downtime_sends_only_the_latest_missed_reminder(session_pool, clock, world) -> None:
    await open_october(session_pool, clock)
    # down from before opening until Thursday 22 October 23:30 Moscow: open and before7
    # were missed, and the catch-up would go out on Friday, the day of before3: skipped
    assert await plan_at(session_pool, clock, local(MOSCOW, 2026, 10, 22, 23, 30)) == 0
    count = await plan_at(session_pool, clock, local(MOSCOW, 2026, 10, 23, 10, 0))
    messages = await outbox(session_pool)
    assert count == len(messages) == 4
    assert {parts(m)[1] for m in messages} == {"before3"}
    assert "осталось 3 дня" in messages[0].payload["text"]


async def test_before3_on_saturday_goes_out_on_monday(session_pool, clock, world) -> None:
    no_before1 = CalendarSettings(remind_before_days=(7, 3, 0))
    kinder = world.org["Детский сад"]
    async with session_pool() as session, session.begin():
        request = await collections.open_collection(
            session,
            kind=CollectionKind.PASSPORT,
            scope_org_id=world.org[D1],
            period=date(2026, 11, 1),
            title="Обновить паспорт ППО до 24.11",
            one_off=True,
            deadline_for_target=date(2026, 11, 24),  # Tuesday; before3 = Saturday 21.11
            targets=[(kinder, "low")],
            now=local(MOSCOW, 2026, 11, 10, 12, 0),
            created_by=world.person[901],
        )
    await plan_at(session_pool, clock, local(MOSCOW, 2026, 11, 10, 12, 0), no_before1)
    assert [parts(m)[1] for m in await outbox(session_pool)] == ["open"]
    assert "Обновить паспорт ППО до 24.11" in (await outbox(session_pool))[0].payload["text"]
    assert await plan_at(session_pool, clock, local(MOSCOW, 2026, 11, 17, 10, 0), no_before1) == 1
    assert await plan_at(session_pool, clock, local(MOSCOW, 2026, 11, 21, 10, 0), no_before1) == 0
    assert await plan_at(session_pool, clock, local(MOSCOW, 2026, 11, 22, 12, 0), no_before1) == 0
    assert await plan_at(session_pool, clock, local(MOSCOW, 2026, 11, 23, 9, 59), no_before1) == 0
    assert await plan_at(session_pool, clock, local(MOSCOW, 2026, 11, 23, 10, 0), no_before1) == 1
    monday = (await outbox(session_pool))[-1]
    assert monday.key == f"remind:{request.id}:{kinder}:before3:103"
    assert monday.not_before == local(MOSCOW, 2026, 11, 23, 10, 0)
    assert monday.payload["buttons"][0][0]["callback_data"] == f"form:passport:{kinder}"
    assert "остался 1 день" in monday.payload["text"]  # counted from the day it goes out


async def test_holiday_reminder_moves_to_the_next_working_day(session_pool, clock, world) -> None:
    kinder = world.org["Детский сад"]
    async with session_pool() as session, session.begin():
        await collections.open_collection(
            session,
            kind=CollectionKind.MEMBERSHIP,
            scope_org_id=world.org[D1],
            period=date(2026, 11, 1),
            title="Внеочередной мониторинг",
            one_off=True,
            deadline_for_target=date(2026, 11, 11),  # before7 = 04.11, a public holiday
            targets=[(kinder, "low")],
            now=local(MOSCOW, 2026, 11, 2, 12, 0),
        )
    await plan_at(session_pool, clock, local(MOSCOW, 2026, 11, 2, 12, 0))
    assert await plan_at(session_pool, clock, local(MOSCOW, 2026, 11, 4, 10, 0)) == 0
    assert await plan_at(session_pool, clock, local(MOSCOW, 2026, 11, 5, 10, 0)) == 1
    assert parts((await outbox(session_pool))[-1])[1] == "before7"


async def test_submission_stops_reminders_and_cancels_pending(session_pool, clock, world) -> None:
    october = await open_october(session_pool, clock)
    kinder, hospital = world.org["Детский сад"], world.org["Больница"]
    # caught up on Friday night: the «open» reminders wait for Monday 09:00
    await plan_at(session_pool, clock, local(MOSCOW, 2026, 10, 2, 23, 30))
    submitted_at = local(MOSCOW, 2026, 10, 3, 11, 0)
    async with session_pool() as session, session.begin():
        await reports.add_report(
            session,
            org_id=kinder,
            period=date(2026, 10, 1),
            values={"workers": 100, "members": 45},
            submitted_by=world.person[103],
            submitted_at=submitted_at,
            submission_key="oct-103",
        )
        marked = await collections.mark_submitted(
            session,
            org_id=kinder,
            kind=CollectionKind.MEMBERSHIP,
            collection_id=october.id,
            now=submitted_at,
            local_day=date(2026, 10, 3),
        )
        assert [t.org_id for t in marked] == [kinder]
    async with session_pool() as session, session.begin():
        again = await collections.mark_submitted(
            session,
            org_id=kinder,
            kind=CollectionKind.MEMBERSHIP,
            collection_id=october.id,
            now=local(MOSCOW, 2026, 10, 4, 11, 0),
            local_day=date(2026, 10, 4),
        )
        assert again == []
    rows = await target_rows(session_pool, october.id)
    assert rows["Детский сад"].submitted_at == submitted_at
    status = {parts(m)[2]: (m.status, m.error) for m in await outbox(session_pool)}
    assert status[103] == (OutboxStatus.FAILED, "submitted")
    assert status[104] == (OutboxStatus.PENDING, None)

    await plan_at(session_pool, clock, local(MOSCOW, 2026, 10, 19, 10, 0))
    before7 = [parts(m) for m in await outbox(session_pool) if parts(m)[1] == "before7"]
    assert (kinder, "before7", 103) not in before7
    assert (hospital, "before7", 104) in before7
    # and no escalation names it
    await plan_at(session_pool, clock, local(MOSCOW, 2026, 10, 27, 10, 0))
    staff = [m for m in await outbox(session_pool) if parts(m)[2] == 901]
    assert len(staff) == 1 and "Детский сад" not in staff[0].payload["text"]
    assert not [m for m in await outbox(session_pool) if parts(m)[2] == CURATOR[0]]


async def test_late_report_in_the_next_month_satisfies_the_overdue_period(
    session_pool, clock, world
) -> None:
    october = await open_october(session_pool, clock)
    kinder = world.org["Детский сад"]
    async with session_pool() as session, session.begin():
        await enqueue(
            session,
            key=outbox_key(KeyPurpose.REMINDER, october.id, kinder, "after3", 103),
            chat_id=103,
            kind="text",
            payload={"text": "x"},
            not_before=local(MOSCOW, 2026, 11, 2, 9, 0),
            now=local(MOSCOW, 2026, 11, 1, 9, 0),
        )
        marked = await collections.mark_submitted(
            session,
            org_id=kinder,
            kind=CollectionKind.MEMBERSHIP,
            collection_id=october.id,
            now=local(MOSCOW, 2026, 11, 1, 10, 0),
            local_day=date(2026, 11, 1),
        )
        assert [(t.collection_id, t.submitted_on) for t in marked] == [
            (october.id, date(2026, 11, 1))
        ]
        # a passport update is another kind of request
        assert (
            await collections.mark_submitted(
                session,
                org_id=world.org["Больница"],
                kind=CollectionKind.PASSPORT,
                now=local(MOSCOW, 2026, 11, 1, 10, 0),
                local_day=date(2026, 11, 1),
            )
            == []
        )
    assert (await outbox(session_pool))[0].status == OutboxStatus.FAILED


async def test_paused_chair_gets_nothing_until_the_date_and_staff_see_it(
    session_pool, clock, world
) -> None:
    await open_october(session_pool, clock)
    async with session_pool() as session, session.begin():
        await reminder_pause.pause_reminders(session, world.person[104], date(2026, 10, 20))
    await plan_at(session_pool, clock, local(MOSCOW, 2026, 10, 1, 12, 0))
    await plan_at(session_pool, clock, local(MOSCOW, 2026, 10, 19, 12, 0))
    assert {parts(m)[2] for m in await outbox(session_pool)} == {101, 102, 103, 201}

    async with session_pool() as session:
        paused = await contacts.paused_chairs(session, world.org[D1], date(2026, 10, 19))
        assert [(p.org.name, p.chair.full_name, p.chair.paused_until) for p in paused] == [
            ("Больница", "Борис Больничный", date(2026, 10, 20))
        ]
        assert await contacts.paused_chairs(session, world.org[D2], date(2026, 10, 19)) == []
        assert await contacts.paused_chairs(session, world.org[D1], date(2026, 10, 21)) == []

    assert await plan_at(session_pool, clock, local(MOSCOW, 2026, 10, 20, 15, 0)) == 0
    # the pause is over: the latest reminder, with the days counted from today
    assert await plan_at(session_pool, clock, local(MOSCOW, 2026, 10, 21, 10, 0)) == 1
    back = (await outbox(session_pool))[-1]
    assert parts(back)[1:] == ("before7", 104)
    assert "осталось 5 дней" in back.payload["text"]


async def test_pausing_cancels_pending_chair_reminders(session_pool, clock, world) -> None:
    await open_october(session_pool, clock)
    await plan_at(session_pool, clock, local(MOSCOW, 2026, 10, 2, 23, 30))
    async with session_pool() as session, session.begin():
        await reminder_pause.pause_reminders(session, world.person[104], date(2026, 10, 9))
    status = {parts(m)[2]: (m.status, m.error) for m in await outbox(session_pool)}
    assert status[104] == (OutboxStatus.FAILED, "paused")
    assert status[103] == (OutboxStatus.PENDING, None)
    async with session_pool() as session, session.begin():
        await reminder_pause.pause_reminders(session, world.person[104], None)
        person = await session.get(Person, world.person[104])
        assert person is not None and person.reminders_paused_until is None


async def test_escalation_reaches_curator_and_each_staff_person_once(
    session_pool, clock, world
) -> None:
    october = await open_october(session_pool, clock)
    kal = world.org["Школа Калининград"]
    async with session_pool() as session, session.begin():
        await collections.mark_submitted(
            session,
            org_id=kal,
            kind=CollectionKind.MEMBERSHIP,
            collection_id=october.id,
            now=local(MOSCOW, 2026, 10, 20, 10, 0),
            local_day=date(2026, 10, 20),
        )
        await reminder_pause.pause_reminders(session, world.person[104], date(2026, 11, 5))
        kamchatka_chair = await session.get(Person, world.person[102])
        assert kamchatka_chair is not None
        kamchatka_chair.unreachable_at = local(MOSCOW, 2026, 10, 2, 10, 0)

    # the deadline day: no escalation yet
    await plan_at(session_pool, clock, local(MOSCOW, 2026, 10, 26, 10, 0))
    assert not [m for m in await outbox(session_pool) if parts(m)[1].startswith("late")]

    # day +1, 10:00 Moscow: the district's list
    await plan_at(session_pool, clock, local(MOSCOW, 2026, 10, 27, 10, 0))
    again = await plan_at(session_pool, clock, local(MOSCOW, 2026, 10, 27, 10, 0))
    assert again == 0
    await plan_at(session_pool, clock, local(MOSCOW, 2026, 10, 27, 18, 0))
    late = [m for m in await outbox(session_pool) if parts(m)[1] == "late1"]
    by_tg = {parts(m)[2]: m for m in late}
    assert len(late) == len(by_tg) == 4  # two D1 staff, the curator, region staff for D2
    d1_scope, d2_scope = world.org[D1], world.org[D2]
    for tg in STAFF_D1:
        assert by_tg[tg].key == f"remind:{october.id}:{d1_scope}:late1:{tg}"
        assert by_tg[tg].not_before == local(MOSCOW, 2026, 10, 27, 10, 0)
        text = by_tg[tg].payload["text"]
        assert text.startswith(
            "<b>Не сдали мониторинг профсоюзного членства за октябрь 2026</b> "
            "(срок 26.10.2026): 4 из 5 ППО"
        )
        assert "Школа Калининград" not in text  # submitted
        assert "Детский сад — председатель Мария Садова" in text
        assert (
            "Больница — председатель Борис Больничный (напоминания приостановлены до 05.11.2026)"
        ) in text
        assert "Школа Камчатка — председатель Пётр Камчатов (бот не может ему написать)" in text
        assert "Библиотека — председатель Сидорова Н. В. (не подключён к боту)" in text
    curator = by_tg[CURATOR[0]].payload["text"]
    assert "ППО, которые вы курируете" in curator
    assert "Детский сад" in curator and "Больница" not in curator
    # the second district has no staff of its own: the region's staff get its list
    region = by_tg[950]
    assert parts(region)[0] == d2_scope and "Школа № 2" in region.payload["text"]
    assert "Детский сад" not in region.payload["text"]

    # chairs got their «after1» the same day; the unreachable and paused ones did not
    after1 = {parts(m)[2] for m in await outbox(session_pool) if parts(m)[1] == "after1"}
    assert after1 == {103, 201}
    assert "истёк вчера (26.10.2026)" in next(
        m.payload["text"] for m in await outbox(session_pool) if parts(m)[1:] == ("after1", 103)
    )


async def test_planning_twice_at_the_same_moment_enqueues_nothing_new(
    session_pool, clock, world
) -> None:
    await open_october(session_pool, clock)
    for moment in (
        local(MOSCOW, 2026, 10, 1, 10, 0),
        local(MOSCOW, 2026, 10, 19, 10, 0),
        local(MOSCOW, 2026, 10, 27, 10, 0),
    ):
        first = await plan_at(session_pool, clock, moment)
        size = len(await outbox(session_pool))
        assert first > 0
        assert await plan_at(session_pool, clock, moment) == 0
        assert len(await outbox(session_pool)) == size
    keys = [m.key for m in await outbox(session_pool)]
    assert len(keys) == len(set(keys))


async def test_collections_close_a_month_after_their_deadline(session_pool, clock, world) -> None:
    october = await open_october(session_pool, clock)
    async with session_pool() as session:
        on_time = await collections.open_collections(session, now=local(MOSCOW, 2026, 11, 26, 9))
        later = await collections.open_collections(session, now=local(MOSCOW, 2026, 11, 27, 9))
        before = await collections.open_collections(session, now=local(MOSCOW, 2026, 9, 30, 9))
    assert october.id in {c.id for c in on_time}
    assert later == [] and before == []
