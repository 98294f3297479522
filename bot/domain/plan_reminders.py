"""What a plan of measures sends by itself, through the outbox and the calendar's rules.

Every minute (``bot/wiring/scheduler.py``): each responsible person whose item is not done gets
it 7 and 1 days before its deadline (before each stage of an item due in stages: the nearest
not yet passed that they have not marked, with a second button for the earliest stage before it
left unmarked, of those they owe: ``plans.owed_stages``; one who got the item after its last
stage had passed, once, the day they got it, or within a few days of it:
``plan_escalations.GOT_LATE_WINDOW``) (the ППО's local working day, the send time,
never in quiet hours, never while the chair's reminders are paused) with a «Выполнено» button;
after a missed deadline, the curators and staff get its escalation (``plan_escalations``); on
1 January and 1 July the scope's staff get the half-year review, a message and an .xlsx.
Every message has its own outbox key, so a second run or a restart sends nothing twice.
Catch-up after downtime sends only the latest due reminder.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.files import Drawing, RenderedFile, Renderer
from bot.domain.calendar import (
    CalendarSettings,
    PlannedReminder,
    local_today,
    previous_working_day,
    send_moment,
)
from bot.domain.plan_escalations import (
    GOT_LATE_LOOK_BACK,
    LOOK_BACK,
    Owing,
    Stage,
    escalate,
    owing,
    past_got_late_window,
)
from bot.domain.plans import (
    Unit,
    load_progress,
    stages_of,
)
from bot.domain.plans import scope_staff as plans_staff
from bot.domain.staff_scope import scope_staff
from bot.domain.tick import Planning, Tick
from bot.forms.declaration import with_button
from bot.rendering.plans import progress_lines, review_xlsx
from bot.texts import plan_marks as tm
from bot.texts import plans as t
from storage import audit, orgs
from storage import plans as store
from storage.closure import is_closed
from storage.contacts import Contact, contact_of
from storage.models import Organization, Plan, PlanItem
from storage.outbox import OutboxKind, enqueue
from storage.outbox_keys import KeyPurpose, outbox_key
from storage.outbox_prefix import keys_under

DoneButton = Callable[[int, int, date | None], tuple[str, str]]
"""(item id, unit, the stage's day of an item in stages) -> (label, callback data) of the
«Выполнено» button (made by handlers)."""

REMIND_BEFORE_DAYS = (7, 1)
GOT_LATE = "got"  # the one reminder of an item got after its last stage had passed
REVIEW_WINDOW = timedelta(days=14)  # a review not sent within two weeks is not sent late
Window = tuple[date, datetime]
"""A half-year's first day and its review's moment (UTC)."""


def reminder_days(item: PlanItem, deadline: date, tz: ZoneInfo) -> list[PlannedReminder]:
    """«before7», «before1» moved back to the working day before, if they fall on a day off:
    a plan's deadline is any date, and one on a Sunday or at the end of the New Year holidays
    must be reminded of while people are at work, not after it (moved forward they would
    land past the deadline, and nobody would be told). None before the item was added; two
    on one day become the later one."""
    added = local_today(item.created_at, tz)
    plan: list[PlannedReminder] = []
    for days in REMIND_BEFORE_DAYS:
        planned = deadline - timedelta(days=days)
        if planned < added:
            continue
        day = max(previous_working_day(planned), added)
        if plan and plan[-1].local_day == day:
            plan.pop()
        plan.append(PlannedReminder(f"before{days}", day, "chair"))
    return plan


def _reminded_stage(stages: tuple[date, ...], done: Collection[date], today: date) -> Stage | None:
    """The nearest stage from ``today`` on that the unit has not marked done."""
    for index, day in enumerate(stages):
        if day >= today and day not in done:
            return Stage(index, day, len(stages))
    return None


def _reminder_plan(
    item: PlanItem, done: Collection[date], got: date, today: date, tz: ZoneInfo
) -> tuple[Stage, list[PlannedReminder]] | None:
    """The stage to remind of and its reminders: the nearest from ``today`` on not marked, 7
    and 1 days before it; or the last, passed before the unit got the item (``got``) and not
    marked: one reminder the day they got it, so that its escalation the day after does not
    come as the first word of it."""
    stages = stages_of(item)
    stage = _reminded_stage(stages, done, today)
    if stage is not None:
        return stage, reminder_days(item, stage.day, tz)
    if got > stages[-1] and stages[-1] not in done:
        last = Stage(len(stages) - 1, stages[-1], len(stages))
        return last, [PlannedReminder(GOT_LATE, got, "chair")]
    return None


async def _remind(
    session: AsyncSession,
    item: PlanItem,
    unit: Unit,
    state: Owing,
    contact: Contact,
    tz: ZoneInfo,
    tick: Tick,
    button: DoneButton,
) -> bool:
    today, owed, done = local_today(tick.now, tz), state.owed[unit.id], state.done[unit.id]
    planned = _reminder_plan(item, done, state.given[unit.id], today, tz)
    if contact.unreachable or contact.paused_on(today) or planned is None:
        return False
    stage, plan = planned
    picked = tick.due(plan, tz)
    if picked is None:
        return False
    current, deliver_at = picked
    if current.purpose == GOT_LATE and past_got_late_window(current.local_day, tz, tick):
        return False
    days_left = (stage.day - local_today(deliver_at, tz)).days
    org_name = unit.org.name if unit.org is not None else None
    unmarked = next((day for day in owed if day < stage.day and day not in done), None)
    got = current.local_day if current.purpose == GOT_LATE else None
    text = tm.reminder(
        org_name, item.number, item.text, (stage.day, stage.shown), days_left, unmarked, got
    )
    buttons = [button(item.id, unit.id, stage.day if stage.count > 1 else None)]
    if unmarked is not None:  # the earliest missed only: its reminder's button may be lost
        buttons.append((tm.missed_button(unmarked), button(item.id, unit.id, unmarked)[1]))
    return await enqueue(
        session,
        key=outbox_key(
            KeyPurpose.PLAN_REMINDER,
            item.id,
            unit.id,
            stage.day.isoformat(),
            current.purpose,
            contact.tg_user_id,
        ),
        chat_id=contact.tg_user_id,
        kind=OutboxKind.TEXT,
        payload=with_button(text, *buttons),
        not_before=deliver_at,
        now=tick.now,
    )


async def _plan_item(
    session: AsyncSession,
    item: PlanItem,
    plan: Plan,
    tick: Tick,
    button: DoneButton,
) -> int:
    state = await owing(session, item, plan, tick)
    if state is None:
        return 0
    scope, people = state.scope, state.people
    staff_pending = any(not unit.id for unit in state.pending)  # read the staff only then
    holders = {named.id for named in await plans_staff(session, scope)} if staff_pending else set()
    count = 0
    for unit in state.pending:
        if unit.id:
            contact = state.chairs.get(unit.id)
        else:  # the responsible staff member, unless removed from the scope since
            held = item.person_id in holders
            contact = contact_of(people[item.person_id or 0]) if held else None
        tz = tick.zone(unit.org or scope)
        if contact is not None and await _remind(
            session, item, unit, state, contact, tz, tick, button
        ):
            count += 1
    return count + await escalate(session, item, state, tick)


def half_year_start(today: date) -> date:
    """1 January or 1 July: the start of the half-year ``today`` is in."""
    return date(today.year, 7 if today.month >= 7 else 1, 1)


# The zones farthest east and west of UTC (no zone is further): every zone's review window is
# the same local days and hours, so it lies between theirs, and theirs overlap (14 days > 26 h).
_EDGE_ZONES = (ZoneInfo("Etc/GMT-14"), ZoneInfo("Etc/GMT+12"))


def review_window(now: datetime, tz: ZoneInfo, calendar: CalendarSettings) -> Window | None:
    """The half-year's first day and its review's moment in ``tz``, if ``now`` is within the
    14 days from that moment (the first working day's send time from 1 January or 1 July)."""
    start = half_year_start(local_today(now, tz))
    moment = send_moment(start, tz, calendar)
    return (start, moment) if moment <= now < moment + REVIEW_WINDOW else None


def review_may_be_due(tick: Tick) -> bool:
    """Whether ``tick`` is in the review window of any zone: for 50 weeks of the year it is
    not, and the pass reads no scope (it read each one's plans every minute to learn that)."""
    return any(review_window(tick.now, tz, tick.calendar) for tz in _EDGE_ZONES)


async def _review(session: AsyncSession, scope_id: int, tick: Tick) -> int:
    """The half-year review to the scope's staff: counts in a message, the items in an .xlsx.

    Built only for a recipient whose review is not yet queued (one who joined the staff in
    the two weeks, or the first pass): for the 14 days of its window the pass runs every
    minute, and loading the scope's whole plan progress to find it queued cost each scope of
    one staff member 13 statements a pass, 6 now (``tests/test_plan_review_tick.py``)."""
    scope = await orgs.get_org(session, scope_id)
    tz, now = tick.zone(scope), tick.now
    window = review_window(now, tz, tick.calendar)
    if scope is None or window is None or await is_closed(session, scope):
        return 0
    start, moment = window
    if all(p.created_at >= moment for p in await store.plans_of(session, scope.id)):
        return 0
    queued = await keys_under(session, KeyPurpose.PLAN_REVIEW, scope.id, start.isoformat())
    parts = [
        (contact, kind, key)
        for contact in await scope_staff(session, scope)
        if not contact.unreachable
        for kind in (OutboxKind.TEXT, OutboxKind.PLAN_REVIEW)
        if (key := _review_key(scope, start, contact, kind)) not in queued
    ]
    if not parts:
        return 0
    today = local_today(now, tz)
    progress = await load_progress(session, scope, today, tick.default_tz)
    text = "\n\n".join([t.review_header(scope.name, today), *progress_lines(progress, items=False)])
    payloads: dict[OutboxKind, dict[str, Any]] = {
        OutboxKind.TEXT: {"text": text},
        OutboxKind.PLAN_REVIEW: {"scope_org_id": scope.id, "today": today.isoformat()},
    }
    count = 0
    for contact, kind, key in parts:
        count += await enqueue(
            session,
            key=key,
            chat_id=contact.tg_user_id,
            kind=kind,
            payload=payloads[kind],
            not_before=tick.deliver_at(tz),
            now=now,
        )
    return count


def _review_key(scope: Organization, start: date, contact: Contact, kind: OutboxKind) -> str:
    return outbox_key(KeyPurpose.PLAN_REVIEW, scope.id, start.isoformat(), contact.tg_user_id, kind)


async def plan_measures(planning: Planning, button: DoneButton) -> int:
    """Enqueue every plan reminder, escalation and review whose moment has come; how many.

    One transaction per item and per review; each is a unit of ``isolation``, so one broken
    row is logged and skipped while the rest go out. None takes SQLite's write lock to learn
    that nothing is due (no chair's answer waits for it): it takes it when it queues
    (``Planning.reading_first``).
    """
    isolation, tick = planning.isolation, planning.tick()
    now, review = tick.now, review_may_be_due(tick)
    async with planning.reader() as session:
        moved_into = await audit.scopes_moved_into(session, now - GOT_LATE_LOOK_BACK)
        rows = await store.live_items(
            session, now - LOOK_BACK, now - GOT_LATE_LOOK_BACK, moved_into
        )
        scope_ids = await store.scopes_with_plans(session, now) if review else []
    count = 0
    for item, plan in rows:
        async with isolation.unit(f"plan item {item.id}"):
            count += await planning.reading_first(
                partial(_plan_item, item=item, plan=plan, tick=tick, button=button)
            )
    for scope_id in scope_ids:
        async with isolation.unit(f"plan review of {scope_id}"):
            count += await planning.reading_first(partial(_review, scope_id=scope_id, tick=tick))
    return count


def review_renderers(default_tz: str) -> dict[str, Renderer]:
    """The review's .xlsx, loaded when its outbox message is sent and drawn after the read."""

    async def review(session: AsyncSession, payload: dict[str, Any]) -> Drawing:
        scope = await orgs.get_org(session, int(payload["scope_org_id"]))
        today = date.fromisoformat(payload["today"])
        progress = [] if scope is None else await load_progress(session, scope, today, default_tz)
        name = t.review_file_name(today)
        return lambda: RenderedFile(name, review_xlsx(progress), t.REVIEW_CAPTION, False)

    return {OutboxKind.PLAN_REVIEW: review}
