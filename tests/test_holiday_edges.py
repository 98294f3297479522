"""The New Year holidays: what is due in them goes out on a working day before or after, once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.domain.calendar import CalendarSettings
from bot.domain.plan_reminders import plan_measures
from bot.domain.tick import Planning
from bot.wiring.scheduler import calendar_tick
from harness import Harness, background
from storage.models import OutboxMessage, Plan, PlanItem
from test_periods import STAFF, staff_and_chairs
from test_reminders import MOSCOW, build, local, outbox


def _digest_texts_to(h: Harness, chat: int, since: int) -> list[str]:
    return [
        r.plain_text or ""
        for r in h.server.requests[since:]
        if r.method == "sendMessage" and r.chat_id == chat and "Сводка" in (r.plain_text or "")
    ]


async def test_one_digest_on_the_first_working_day_after_the_new_year_holidays_when_sent(
    harness: Harness,
) -> None:
    """Monday 04.01.2027 is a holiday: its weekly digest could go out only on Monday 11.01,
    09:00, the moment that week's own digest falls due. The sender wakes exactly at a queued
    message's moment, seconds before the minute tick: staff get one digest that morning, not
    the stale one of 04.01 and then the new one."""
    h = harness
    h.clock.moment = datetime(2026, 12, 30, 7, 0, tzinfo=UTC)
    await staff_and_chairs(h)
    bg = background(h)

    h.clock.moment = local(MOSCOW, 2027, 1, 4, 9, 0) + timedelta(seconds=20)
    await calendar_tick(bg)
    await bg.deliverer.drain()
    mark = h.server.mark()

    # 11.01.2027 09:00:00: the held digest's moment: the sender wakes and drains
    h.clock.moment = local(MOSCOW, 2027, 1, 11, 9, 0)
    await bg.deliverer.drain()
    # 09:00:20: the minute tick
    h.clock.moment += timedelta(seconds=20)
    await calendar_tick(bg)
    await bg.deliverer.drain()

    sent = _digest_texts_to(h, STAFF, mark)
    async with h.session_pool() as session:
        keys = (await session.scalars(select(OutboxMessage.key))).all()
    digest_keys = sorted(k for k in keys if k.startswith("digest:") and k.endswith(":text"))
    assert len(sent) == 1, (len(sent), digest_keys)


# --- A plan item due in the New Year holidays ----------------------------------------------


def _done_button(item_id: int, unit: int, _stage: date | None) -> tuple[str, str]:
    return ("Выполнено", f"plan:{item_id}:{unit}")


async def _plan_item(pool, scope_id: int, org_id: int, deadline: date, at: datetime) -> int:
    async with pool() as session, session.begin():
        plan = Plan(scope_org_id=scope_id, title="План на 2027 год", created_at=at)
        session.add(plan)
        await session.flush()
        item = PlanItem(
            plan_id=plan.id,
            number="1",
            text="Провести собрание коллектива",
            deadline=deadline,
            deadline_label=deadline.strftime("%d.%m.%Y"),
            responsible="ppo",
            org_id=org_id,
            created_at=at,
            updated_at=at,
        )
        session.add(item)
        await session.flush()
        return item.id


async def test_a_plan_item_due_in_the_new_year_holidays_is_reminded_before_them(
    session_pool, clock
) -> None:
    """Item «до 10.01.2027» (a Sunday at the end of the New Year holidays), loaded on
    01.12.2026, ППО «Детский сад». Its 7-day reminder (03.01) and 1-day one (09.01) fall in
    the holidays: the chair is reminded on the last working day before them, not after the
    deadline (when only the escalation to staff would be left)."""
    world = await build(session_pool)
    settings = CalendarSettings()
    await _plan_item(
        session_pool,
        world.org["Первая районная организация"],
        world.org["Детский сад"],
        date(2027, 1, 10),
        local(MOSCOW, 2026, 12, 1, 12, 0),
    )
    day = date(2026, 12, 20)
    while day <= date(2027, 1, 12):
        for hour in (10, 15):
            clock.moment = local(MOSCOW, day.year, day.month, day.day, hour, 5)
            await plan_measures(
                Planning(session_pool, clock, settings, "Europe/Moscow"), _done_button
            )
        day += timedelta(days=1)
    sent = [(m.key, m.chat_id, m.not_before) for m in await outbox(session_pool)]
    to_chair = [(key, moment) for key, chat, moment in sent if chat == 103]
    assert len(to_chair) == 1, sent  # both fall on the last working day: one reminder
    assert to_chair[0][1] < local(MOSCOW, 2027, 1, 1, 0, 0), to_chair
