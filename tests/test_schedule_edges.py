"""The calendar's edges: notices not repeated after the outbox is pruned, a ППО moved or
archived, a chair replaced, a period opened late, a digest held over the holidays, district
staff who blocked the bot, and an announcement at night in a distant zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.delivery.digests import plan_digests
from bot.domain import org_admin
from bot.domain.agreement_reminders import plan_agreement_reminders
from bot.domain.announcements import announce, recipients
from bot.domain.calendar import CalendarSettings, in_quiet_hours
from bot.domain.due_periods import open_due_periods
from bot.domain.housekeeping import prune_outbox
from bot.domain.tick import Planning, Tick
from bot.rendering.xlsx import build_table_xlsx
from bot.texts.markup import as_html
from bot.wiring.scheduler import calendar_tick
from handlers.keyboards import reminder_button
from harness import ADMIN, Harness, background
from scenarios import accept_invite, code_of, invite_links, join
from storage import people as people_store
from storage.models import Organization, OutboxMessage, OutboxStatus, Passport, Person
from storage.outbox import OutboxKind
from test_reminders import (
    CURATOR,
    D1,
    D2,
    KAMCHATKA,
    MOSCOW,
    build,
    local,
    open_october,
    outbox,
    parts,
    plan_at,
)

SCHOOL = "МБОУ СОШ № 1"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


async def keys(h: Harness, prefix: str = "") -> list[str]:
    async with h.session_pool() as session:
        rows = (await session.scalars(select(OutboxMessage.key).order_by(OutboxMessage.id))).all()
    return [k for k in rows if k.startswith(prefix)]


async def test_agreement_reminder_is_not_sent_again_after_the_outbox_is_pruned(
    harness: Harness,
) -> None:
    """An agreement's notice is due for 60 days before its end: its sent row, the only record
    that it was given, outlives the nightly prune that long, so the chair is told once."""
    h = harness
    await join(h)  # Saturday 21.11.2026
    async with h.session_pool() as session, session.begin():
        org = await session.scalar(select(Organization).where(Organization.name == SCHOOL))
        assert org is not None
        session.add(
            Passport(
                org_id=org.id,
                institution="Школа",
                updated_at=h.clock.now(),
                agreement=True,
                agreement_until=date(2027, 1, 19),  # 59 days ahead
            )
        )

    async def plan() -> int:
        s = h.settings
        return await plan_agreement_reminders(
            Planning(h.session_pool, h.clock, s.calendar, s.timezone), reminder_button
        )

    assert await plan() == 1
    bg = background(h)
    h.clock.moment = utc(2026, 11, 23, 7)
    await bg.deliverer.drain()
    # every night: prune, then plan (the order of ``nightly``)
    day = utc(2026, 11, 24, 0)
    while day < utc(2027, 1, 10):
        h.clock.moment = day
        await prune_outbox(h.session_pool, day)
        assert await plan() == 0, f"the chair is told again on {day.date()}"
        day += timedelta(days=1)


DISTRICT_A = "Кировская районная организация"
GARDEN = "Детский сад № 2"
STAFF, CHAIR2 = 801, 502


async def test_plan_escalation_is_not_sent_again_a_month_later(harness: Harness) -> None:
    """A plan item's escalation is due for 60 days after its deadline: the staff get it once,
    also after the nightly prunes of the month that follows."""
    h = harness
    rows = [(DISTRICT_A, SCHOOL, 54), (DISTRICT_A, GARDEN, 20)]
    data = build_table_xlsx("ППО", ("Район", "Организация", "Работников"), rows)
    await h.upload(ADMIN, data, "list.xlsx", caption="/import")
    chairs = await invite_links(h)
    await accept_invite(h, 501, code_of(chairs[SCHOOL]), first_name="Мария")
    await accept_invite(h, CHAIR2, code_of(chairs[GARDEN]), first_name="Ольга")
    staff = await invite_links(h, whom="сотрудник аппарата")
    await accept_invite(h, STAFF, code_of(staff[DISTRICT_A]), first_name="Светлана")
    plan = build_table_xlsx(
        "План",
        ("№ п/п", "Мероприятия", "Срок исполнения", "Ответственные"),
        [("1", "Актуализация паспортов", "10.12.2026", "все ППО")],
    )
    await h.upload(STAFF, plan, "План.xlsx", caption="/plan")
    bg = background(h)
    h.clock.moment = utc(2026, 12, 11, 7, 30)
    await calendar_tick(bg)
    await bg.deliverer.drain()
    assert len(await keys(h, "plan-late:")) == 1

    for day in range(12, 32):
        h.clock.moment = utc(2026, 12, day, 7, 30)
        await calendar_tick(bg)
    for day in range(11, 20):
        h.clock.moment = utc(2027, 1, day, 0, 0)
        await prune_outbox(h.session_pool, h.clock.moment)
        h.clock.moment = utc(2027, 1, day, 7, 30)
        await calendar_tick(bg)
        await bg.deliverer.drain()
    again = [
        r
        for r in h.server.requests
        if r.chat_id == STAFF and "Просрочен пункт плана 1." in (r.plain_text or "")
    ]
    assert len(again) == 1, f"{len(again)} escalations of one item"


async def test_escalation_of_a_moved_ppo_goes_to_its_new_district(session_pool, clock) -> None:
    """A ППО moved to another district while a period is open owes its report to the new one:
    the old district's staff are not told it is late (nor shown its chair), the new
    district's are (the region's staff, as it has none of its own)."""
    world = await build(session_pool)
    await open_october(session_pool, clock)
    async with session_pool() as session, session.begin():
        garden = await session.get(Organization, world.org["Детский сад"])
        d2 = await session.get(Organization, world.org[D2])
        assert garden is not None and d2 is not None
        await org_admin.move(session, garden, d2, by=None, now=local(MOSCOW, 2026, 10, 20, 12))
    await plan_at(session_pool, clock, local(MOSCOW, 2026, 10, 27, 10, 0))
    late = [m for m in await outbox(session_pool) if parts(m)[1] == "late1"]
    by_tg = {parts(m)[2]: m.payload["text"] for m in late}
    assert "Детский сад" not in by_tg[901], "the old district's staff are told about it"
    assert "Детский сад" in by_tg[950], "the new district (region staff) is not told"


async def test_a_period_is_not_opened_with_a_deadline_already_past(session_pool, clock) -> None:
    """A district whose October period opens on 28 October (the bot set up after the 25th)
    gets a deadline ahead, not one already behind every chair."""
    await build(session_pool)
    clock.moment = local(MOSCOW, 2026, 10, 28, 10, 0)
    opened = await open_due_periods(
        Planning(session_pool, clock, CalendarSettings(), "Europe/Moscow")
    )
    assert opened
    for collection in opened:
        assert collection.deadline >= date(2026, 10, 28), (
            f"{collection.title}: deadline {collection.deadline} before it opened"
        )


async def test_a_replaced_chair_does_not_get_the_reminders_queued_for_the_old_one(
    session_pool, clock
) -> None:
    """Reminders caught up on Friday night wait for Monday 09:00. A new chair of «Детский сад»
    takes over on Saturday: nothing queued to the former chair about it is still pending."""
    world = await build(session_pool)
    await open_october(session_pool, clock)
    await plan_at(session_pool, clock, local(MOSCOW, 2026, 10, 2, 23, 30))
    async with session_pool() as session, session.begin():
        newcomer = await people_store.upsert_person(
            session,
            tg_user_id=777,
            full_name="Новая Председательница",
            username=None,
            now=local(MOSCOW, 2026, 10, 3, 12, 0),
        )
        previous = await people_store.grant_chair(
            session,
            person=newcomer,
            org_id=world.org["Детский сад"],
            now=local(MOSCOW, 2026, 10, 3, 12, 0),
        )
        assert previous is not None and previous.tg_user_id == 103
    old = [m for m in await outbox(session_pool) if m.chat_id == 103]
    assert old and all(m.status != OutboxStatus.PENDING for m in old), [
        (m.key, m.status) for m in old
    ]


async def test_archiving_a_ppo_cancels_its_queued_reminders(session_pool, clock) -> None:
    """A reminder already queued (caught up on Friday night for Monday 09:00) to the chair of
    a ППО archived on Saturday does not go out (it is deleted, its key freed for a restore)."""
    world = await build(session_pool)
    await open_october(session_pool, clock)
    await plan_at(session_pool, clock, local(MOSCOW, 2026, 10, 2, 23, 30))
    waiting = [m for m in await outbox(session_pool) if m.chat_id == 104]
    assert [m for m in waiting if m.status == OutboxStatus.PENDING], "nothing was queued"
    async with session_pool() as session, session.begin():
        hospital = await session.get(Organization, world.org["Больница"])
        assert hospital is not None
        await org_admin.set_archived(
            session,
            hospital,
            archived=True,
            by=None,
            tick=Tick(local(MOSCOW, 2026, 10, 3, 12, 0), CalendarSettings(), "Europe/Moscow"),
        )
    queued = [m for m in await outbox(session_pool) if m.chat_id == 104]
    assert all(m.status != OutboxStatus.PENDING for m in queued), [
        (m.key, m.status) for m in queued
    ]


async def test_staff_get_one_digest_on_the_first_working_day_after_the_new_year_holidays(
    session_pool, clock
) -> None:
    """The weekly digest of Monday 04.01.2027 (a holiday) waits for the next working day,
    Monday 11.01, 09:00, when that week's own digest falls due: only the newer one goes."""
    await build(session_pool)
    settings = CalendarSettings()
    for moment in (
        local(MOSCOW, 2027, 1, 4, 9, 0),
        local(MOSCOW, 2027, 1, 7, 12, 0),
        local(MOSCOW, 2027, 1, 11, 9, 0),
    ):
        clock.moment = moment
        await plan_digests(Planning(session_pool, clock, settings, "Europe/Moscow"))
    texts_901 = [
        m
        for m in await outbox(session_pool)
        if m.chat_id == 901
        and m.kind == OutboxKind.DIGEST_TEXT
        and m.status == OutboxStatus.PENDING
    ]
    assert len(texts_901) == 1, [(m.key, m.not_before) for m in texts_901]
    assert ":2027-01-11:" in texts_901[0].key


async def test_escalation_reaches_the_region_when_the_district_staff_cannot_be_written_to(
    session_pool, clock
) -> None:
    """The district's staff both blocked the bot: the late ППО are told to the region's
    staff instead, not to nobody."""
    world = await build(session_pool)
    await open_october(session_pool, clock)
    async with session_pool() as session, session.begin():
        for tg in (901, 902):
            person = await session.get(Person, world.person[tg])
            assert person is not None
            person.unreachable_at = local(MOSCOW, 2026, 10, 5, 10, 0)
    await plan_at(session_pool, clock, local(MOSCOW, 2026, 10, 27, 10, 0))
    late = [m for m in await outbox(session_pool) if parts(m)[1] == "late1"]
    d1_staff_side = [m for m in late if parts(m)[0] == world.org[D1] and parts(m)[2] != CURATOR[0]]
    assert d1_staff_side, "no staff-level escalation for the first district at all"


async def test_an_announcement_waits_for_the_morning_in_the_chairs_zone(
    session_pool, clock
) -> None:
    """Staff in Moscow send an announcement at 18:00: the Moscow chair gets it now, the chair
    in Kamchatka (UTC+12, 03:00 there) when the quiet hours there end."""
    world = await build(session_pool)
    now = local(MOSCOW, 2026, 10, 14, 18, 0)
    async with session_pool() as session, session.begin():
        chats = await recipients(
            session,
            scope_org_id=world.org[D1],
            only_late=False,
            today=now.date(),
            default_tz="Europe/Moscow",
            author_chat=901,
        )
        await announce(
            session,
            author_id=world.person[901],
            author_chat=901,
            scope_org_id=world.org[D1],
            scope_name=D1,
            chats=chats,
            html=as_html("Собрание председателей в пятницу"),
            only_late=False,
            now=now,
            calendar=CalendarSettings(),
            default_tz="Europe/Moscow",
        )
    queued = {m.chat_id: m.not_before for m in await outbox(session_pool)}
    at = queued[102].astimezone(KAMCHATKA)
    assert not in_quiet_hours(at.time(), CalendarSettings()), f"goes out at {at:%H:%M} local"
    assert queued[103] == now
