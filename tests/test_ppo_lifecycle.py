"""A ППО's life over time (moved, archived, restored) and what the calendar and the staff
outputs say about it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain import org_admin
from bot.domain.calendar import CalendarSettings
from bot.domain.digest import load_digest
from bot.domain.due_periods import rejoin_open_periods
from bot.domain.tick import Tick
from bot.texts import admin as admin_texts
from storage import collections
from storage.models import CollectionKind, CollectionTarget, Organization
from test_reminders import (
    D1,
    D2,
    MOSCOW,
    build,
    local,
    open_october,
    outbox,
    parts,
    plan_at,
)


async def archived_at(
    session_pool: async_sessionmaker[AsyncSession], org_id: int, tick: Tick
) -> list[tuple[int, str]]:
    """The organization archived as the admin's button does, by nobody, at ``tick``: who is
    to be told (``org_admin.set_archived``)."""
    async with session_pool() as session, session.begin():
        org = await session.get(Organization, org_id)
        assert org is not None
        return await org_admin.set_archived(session, org, archived=True, by=None, tick=tick)


async def test_moving_a_ppo_again_to_the_district_it_is_in_keeps_what_it_owes(
    session_pool, clock
) -> None:
    """The admin taps «Переместить → Вторая» twice (a double tap, or the same keyboard again):
    the second tap changes nothing, and the garden still owes D2 its October report."""
    world = await build(session_pool)
    await open_october(session_pool, clock)
    garden_id = world.org["Детский сад"]
    replies = []
    for _ in range(2):
        async with session_pool() as session, session.begin():
            garden = await session.get(Organization, garden_id)
            d2 = await session.get(Organization, world.org[D2])
            assert garden is not None and d2 is not None
            moment = local(MOSCOW, 2026, 10, 5, 12)
            replies.append(await org_admin.move(session, garden, d2, by=None, now=moment))
    assert replies[1] == admin_texts.already_in("Детский сад", D2)
    async with session_pool() as session:
        owed = (
            await session.scalars(
                select(CollectionTarget).where(
                    CollectionTarget.org_id == garden_id, CollectionTarget.submitted_at.is_(None)
                )
            )
        ).all()
        digest = await load_digest(session, scope_org_id=world.org[D2], today=date(2026, 10, 27))
    assert len(owed) == 1, "the October target the garden owes D2 was deleted by the 2nd move"
    assert "Детский сад" in [line.ppo.name for line in digest.late], (
        "D2's /status does not name the garden among those who have not reported"
    )


async def test_chairs_of_an_archived_district_are_not_reminded_of_a_region_request(
    session_pool, clock
) -> None:
    """The region asks every ППО for something; then district D1 is archived (merged away).
    Its ППО are out of every staff output and their chairs were told: the calendar does not
    remind them of the region's request either."""
    world = await build(session_pool)
    region = world.org["Область"]
    async with session_pool() as session, session.begin():
        await collections.open_collection(
            session,
            kind=CollectionKind.PASSPORT,
            scope_org_id=region,
            period=date(2026, 10, 1),
            title="Обновить паспорта",
            one_off=True,
            deadline_for_target=date(2026, 10, 20),
            targets=[(world.org[n], "request") for n in ("Больница", "Школа № 2")],
            now=local(MOSCOW, 2026, 10, 1, 10),
        )
    at = Tick(local(MOSCOW, 2026, 10, 2, 12), CalendarSettings(), "Europe/Moscow")
    told = await archived_at(session_pool, world.org[D1], at)
    assert any(chat == 104 for chat, _ in told)  # the hospital's chair is told it is archived
    await plan_at(session_pool, clock, local(MOSCOW, 2026, 10, 13, 10, 0))  # before7
    hospital = world.org["Больница"]
    reminded = [
        m.key
        for m in await outbox(session_pool)
        if m.chat_id == 104 and m.status == "pending" and parts(m)[0] == hospital
    ]
    assert not reminded, f"the archived district's chair is still reminded: {reminded}"


async def test_a_report_delivered_before_a_move_counts_as_delivered_in_the_new_district(
    session_pool, clock
) -> None:
    """«Детский сад» reports October in D1, then moves to D2 in the same period: D2, whose
    coverage counts its report, counts it among those who delivered, and the districts add
    up to the region."""
    from storage import reports

    world = await build(session_pool)
    await open_october(session_pool, clock)
    garden = world.org["Детский сад"]
    async with session_pool() as session, session.begin():
        await reports.add_report(
            session,
            org_id=garden,
            period=date(2026, 10, 1),
            values={"workers": 100, "members": 45},
            submitted_by=world.person[103],
            submitted_at=local(MOSCOW, 2026, 10, 3, 12),
            submission_key="garden-oct",
        )
        await collections.mark_submitted(
            session,
            org_id=garden,
            kind=CollectionKind.MEMBERSHIP,
            now=local(MOSCOW, 2026, 10, 3, 12),
            local_day=date(2026, 10, 3),
        )
    async with session_pool() as session, session.begin():
        ppo = await session.get(Organization, garden)
        d2 = await session.get(Organization, world.org[D2])
        assert ppo is not None and d2 is not None
        await org_admin.move(session, ppo, d2, by=None, now=local(MOSCOW, 2026, 10, 5, 12))
    async with session_pool() as session:
        digests = {
            name: await load_digest(session, scope_org_id=world.org[name], today=date(2026, 10, 27))
            for name in (D1, D2, "Область")
        }
    second = digests[D2]
    assert (second.submitted, second.due) == (1, 2), (
        f"D2 says «Сдали: {second.submitted} из {second.due}» while counting the garden's "
        f"report in its coverage ({second.counted} report)"
    )
    assert digests[D1].submitted + second.submitted == digests["Область"].submitted


async def test_a_ppo_restored_after_its_period_opened_is_asked_for_it(session_pool, clock) -> None:
    """«Больница» (90 %: due in October) is archived by mistake on 28 September and restored
    on 2 October, after D1's October period opened without it: it is due in October and its
    chair is reminded, as if it had never been archived."""
    world = await build(session_pool)
    hospital = world.org["Больница"]
    at = Tick(local(MOSCOW, 2026, 9, 28, 12), CalendarSettings(), "Europe/Moscow")
    await archived_at(session_pool, hospital, at)
    await open_october(session_pool, clock)
    async with session_pool() as session, session.begin():
        org = await session.get(Organization, hospital)
        assert org is not None
        restored_at = local(MOSCOW, 2026, 10, 2, 12)
        await org_admin.set_archived(
            session,
            org,
            archived=False,
            by=None,
            tick=Tick(restored_at, CalendarSettings(), "Europe/Moscow"),
        )
        added = await rejoin_open_periods(
            session, org, CalendarSettings(), restored_at, "Europe/Moscow"
        )
    assert added == 1
    for day in (5, 13, 20, 23, 27):
        await plan_at(session_pool, clock, local(MOSCOW, 2026, 10, day, 10, 0))
    async with session_pool() as session:
        digest = await load_digest(session, scope_org_id=world.org[D1], today=date(2026, 10, 27))
    line = next(line for line in digest.lines if line.ppo.name == "Больница")
    assert line.due, "the restored hospital is «не требуется» for October"
    assert [m for m in await outbox(session_pool) if m.chat_id == 104], "its chair is not reminded"


async def test_a_move_into_an_archived_district_is_refused(session_pool, clock) -> None:
    """A stale keyboard offers a district archived since: nothing moves."""
    world = await build(session_pool)
    async with session_pool() as session, session.begin():
        garden = await session.get(Organization, world.org["Детский сад"])
        d2 = await session.get(Organization, world.org[D2])
        assert garden is not None and d2 is not None
        d2.archived_at = local(MOSCOW, 2026, 10, 1, 12)
        reply = await org_admin.move(
            session, garden, d2, by=None, now=local(MOSCOW, 2026, 10, 5, 12)
        )
        assert reply == admin_texts.MOVE_TARGET_GONE
        assert garden.parent_id == world.org[D1]


async def test_no_district_of_an_archived_region_takes_a_moved_ppo(session_pool, clock) -> None:
    """The region is archived: its districts are closed with it, so the garden's card offers
    none of them to move to, and a keyboard from before the archiving moves nothing."""
    world = await build(session_pool)
    async with session_pool() as session, session.begin():
        garden = await session.get(Organization, world.org["Детский сад"])
        d2 = await session.get(Organization, world.org[D2])
        region = await session.get(Organization, world.org["Область"])
        assert garden is not None and d2 is not None and region is not None
        assert await org_admin.move_targets(session, garden) == [d2], "D2 offered to start with"
        region.archived_at = local(MOSCOW, 2026, 10, 1, 12)
        assert await org_admin.move_targets(session, garden) == []
        reply = await org_admin.move(
            session, garden, d2, by=None, now=local(MOSCOW, 2026, 10, 5, 12)
        )
        assert reply == admin_texts.MOVE_TARGET_GONE
        assert garden.parent_id == world.org[D1]


async def test_a_region_requests_escalation_waiting_drops_a_district_archived(
    session_pool, clock
) -> None:
    """The region asks the hospital (D1) and the second school (D2); both are late, and the
    escalation to the region's specialist has not gone out yet when D1 is archived: it is
    queued again naming the school only."""
    world = await build(session_pool)
    async with session_pool() as session, session.begin():
        await collections.open_collection(
            session,
            kind=CollectionKind.PASSPORT,
            scope_org_id=world.org["Область"],
            period=date(2026, 10, 1),
            title="Обновить паспорта",
            one_off=True,
            deadline_for_target=date(2026, 10, 20),
            targets=[(world.org[n], "request") for n in ("Больница", "Школа № 2")],
            now=local(MOSCOW, 2026, 10, 1, 10),
        )
    await plan_at(session_pool, clock, local(MOSCOW, 2026, 10, 21, 10, 0))

    def escalated(rows: list) -> list[str]:
        return [m.payload["text"] for m in rows if m.chat_id == 950 and m.status == "pending"]

    (before,) = escalated(await outbox(session_pool))
    assert "Больница" in before and "Школа № 2" in before, before
    at = Tick(local(MOSCOW, 2026, 10, 21, 10, 30), CalendarSettings(), "Europe/Moscow")
    await archived_at(session_pool, world.org[D1], at)
    await plan_at(session_pool, clock, local(MOSCOW, 2026, 10, 21, 10, 31))

    (after,) = escalated(await outbox(session_pool))
    assert "Школа № 2" in after and "Больница" not in after, after
