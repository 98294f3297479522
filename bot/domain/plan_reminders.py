"""What a plan of measures sends by itself, through the outbox and the calendar's rules.

Every minute (``bot/wiring/scheduler.py``): each responsible person whose item is not done gets
it 7 and 1 days before its deadline (before each stage of an item due in stages: the nearest
not yet passed that they have not marked, with a second button for the earliest stage before it
left unmarked, of those they owe: ``plans.owed_stages``) (the ППО's local working day, the send
time, never in quiet hours, never while the chair's reminders are paused) with a «Выполнено»
button; after a missed deadline the curators of the late ППО and the scope's staff get one
escalation per item and stage (listing who has not done it, and who left an earlier stage
unmarked: only the latest stage passed is escalated, so after downtime an earlier one gets no
message of its own); on 1 January and 1 July the scope's staff get the half-year review, a
message and an .xlsx. Every message has its own outbox key, so a second run or a restart sends
nothing twice. Catch-up after downtime sends only the latest due reminder.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.files import Drawing, RenderedFile, Renderer
from bot.domain.calendar import (
    PlannedReminder,
    local_today,
    previous_working_day,
    send_moment,
)
from bot.domain.escalation import escalation_recipients
from bot.domain.plans import Unit, counted, load_progress, owed_stages, stages_of, units_of
from bot.domain.plans import scope_staff as plans_staff
from bot.domain.staff_scope import scope_staff
from bot.domain.tick import Planning, Tick
from bot.forms.declaration import with_button
from bot.rendering.plans import progress_lines, review_xlsx
from bot.texts import plan_marks as tm
from bot.texts import plans as t
from storage import orgs
from storage import plans as store
from storage.closure import is_closed
from storage.contacts import Contact, chairs_of, contact_of
from storage.models import Organization, Person, Plan, PlanItem
from storage.outbox import OutboxKind, enqueue
from storage.outbox_keys import KeyPurpose, outbox_key

DoneButton = Callable[[int, int, date | None], tuple[str, str]]
"""(item id, unit, the stage's day of an item in stages) -> (label, callback data) of the
«Выполнено» button (made by handlers)."""

REMIND_BEFORE_DAYS = (7, 1)
LOOK_BACK = timedelta(days=60)  # items overdue longer than this are left alone
REVIEW_WINDOW = timedelta(days=14)  # a review not sent within two weeks is not sent late


@dataclass(frozen=True)
class Stage:
    """One deadline of an item: its index among the item's stages, and how many there are."""

    index: int
    day: date
    count: int

    @property
    def shown(self) -> tm.Stage:
        return (self.index + 1, self.count) if self.count > 1 else None


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


async def _remind(
    session: AsyncSession,
    item: PlanItem,
    unit: Unit,
    owed: tuple[date, ...],
    done: Collection[date],
    contact: Contact,
    tz: ZoneInfo,
    tick: Tick,
    button: DoneButton,
) -> bool:
    today, stages = local_today(tick.now, tz), stages_of(item)
    stage = _reminded_stage(stages, done, today)
    if contact.unreachable or contact.paused_on(today) or stage is None:
        return False
    picked = tick.due(reminder_days(item, stage.day, tz), tz)
    if picked is None:
        return False
    current, deliver_at = picked
    days_left = (stage.day - local_today(deliver_at, tz)).days
    org_name = unit.org.name if unit.org is not None else None
    unmarked = next((day for day in owed if day < stage.day and day not in done), None)
    text = tm.reminder(
        org_name, item.number, item.text, (stage.day, stage.shown), days_left, unmarked
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


def _passed_stage(stages: tuple[date, ...], today: date) -> Stage | None:
    """The latest stage before ``today``: the one late units are escalated for."""
    passed = [index for index, day in enumerate(stages) if day < today]
    return Stage(passed[-1], stages[passed[-1]], len(stages)) if passed else None


def _late_lines(
    stage: Stage,
    scope: Organization,
    pending: list[Unit],
    owed: Mapping[int, tuple[date, ...]],
    done: Mapping[int, Collection[date]],
    chairs: dict[int, Contact],
    tick: Tick,
) -> dict[int, str]:
    """Who is late with ``stage``, and who still owes a stage before it (of those it owes:
    none from before it got the item): only the latest stage passed is escalated, so after
    downtime its message is the one that names the earlier stages left unmarked, not a
    second message."""
    lines = {}
    for unit in pending:
        earlier = [day for day in owed[unit.id] if day < stage.day and day not in done[unit.id]]
        missed = stage.day in owed[unit.id] and stage.day not in done[unit.id]
        if earlier or (missed and local_today(tick.now, tick.zone(unit.org or scope)) > stage.day):
            person = chairs[unit.id].full_name if unit.id in chairs else None
            lines[unit.id] = tm.late_line(unit.name, person, earlier, missed)
    return lines


async def _escalations(
    session: AsyncSession, item: PlanItem, stage: Stage, scope: Organization, lines: dict[int, str]
) -> dict[int, dict[str, Any]]:
    """What the item's escalation for ``stage`` says to each recipient it reaches, by chat (its
    payload): curators get their own ППО, staff all."""
    recipients = await escalation_recipients(session, scope, list(lines))
    payloads: dict[int, dict[str, Any]] = {}
    for tg_user_id, recipient in recipients.items():
        if recipient.contact.unreachable:
            continue
        own = [line for unit_id, line in lines.items() if unit_id in recipient.org_ids]
        text = tm.escalation(item.number, item.text, (stage.day, stage.shown), own)
        payloads[tg_user_id] = recipient.payload(text)
    return payloads


async def _escalate(
    session: AsyncSession,
    item: PlanItem,
    stage: Stage,
    scope: Organization,
    lines: dict[int, str],
    tick: Tick,
) -> int:
    """One message per recipient, item and stage, once the day after the stage has come."""
    tz = tick.zone(scope)
    due = send_moment(stage.day + timedelta(days=1), tz, tick.calendar)
    if stage.day < local_today(item.created_at, tz) or tick.now < due:
        return 0
    count = 0
    for tg_user_id, payload in (await _escalations(session, item, stage, scope, lines)).items():
        if await enqueue(
            session,
            key=outbox_key(KeyPurpose.PLAN_ESCALATION, item.id, stage.day.isoformat(), tg_user_id),
            chat_id=tg_user_id,
            kind=OutboxKind.TEXT,
            payload=payload,
            not_before=tick.deliver_at(tz),
            now=tick.now,
        ):
            count += 1
    return count


@dataclass(frozen=True)
class _Progress:
    """Where an item stands: its scope, its units not done, the stages each owes and has
    marked, and the chairs of those units."""

    scope: Organization
    pending: list[Unit]
    owed: dict[int, tuple[date, ...]]
    done: Mapping[int, Collection[date]]
    chairs: dict[int, Contact]
    people: dict[int, Person]


async def _progress(
    session: AsyncSession, item: PlanItem, plan: Plan, tick: Tick
) -> _Progress | None:
    """None while the plan's scope is closed: nobody is reminded or escalated about it then."""
    scope = await orgs.get_org(session, plan.scope_org_id)
    if scope is None or await is_closed(session, scope):
        return None
    ppos = await orgs.ppo_in_scope(session, scope.id)
    people = await store.people_named(session, [item.person_id] if item.person_id else [])
    marks = await store.marks_of(session, [item.id])
    units = units_of(item, ppos, people)
    owed = {u.id: owed_stages(item, u.org, tick.zone(u.org or scope)) for u in units}
    done = {u.id: counted(marks.get((item.id, u.id), []), owed[u.id]) for u in units}
    pending = [u for u in units if len(done[u.id]) < len(owed[u.id])]
    chairs = await chairs_of(session, [u.id for u in pending if u.id])
    return _Progress(scope, pending, owed, done, chairs, people)


async def _plan_item(
    session: AsyncSession,
    item: PlanItem,
    plan: Plan,
    tick: Tick,
    button: DoneButton,
) -> int:
    progress = await _progress(session, item, plan, tick)
    if progress is None:
        return 0
    scope, pending = progress.scope, progress.pending
    staff_pending = any(not unit.id for unit in pending)  # read the scope's staff only then
    holders = {named.id for named in await plans_staff(session, scope)} if staff_pending else set()
    count = 0
    for unit in pending:
        if unit.id:
            contact = progress.chairs.get(unit.id)
        else:  # the responsible staff member, unless removed from the scope since
            held = item.person_id in holders
            contact = contact_of(progress.people[item.person_id or 0]) if held else None
        tz = tick.zone(unit.org or scope)
        owed, done = progress.owed[unit.id], progress.done[unit.id]
        if contact is not None and await _remind(
            session, item, unit, owed, done, contact, tz, tick, button
        ):
            count += 1
    stage = _passed_stage(stages_of(item), local_today(tick.now, tick.zone(scope)))
    if stage is None or stage.day < (tick.now - LOOK_BACK).date():
        return count
    lines = _late_lines(stage, scope, pending, progress.owed, progress.done, progress.chairs, tick)
    if lines:
        count += await _escalate(session, item, stage, scope, lines, tick)
    return count


async def escalation_now(
    session: AsyncSession, item_id: int, day: date, chat_id: int, tick: Tick
) -> dict[str, Any] | None:
    """What the item's escalation for its stage ``day`` says to ``chat_id`` now, whether or not
    it is due (its payload); None when nothing: its scope closed, the stage gone from the item,
    none of theirs late. An archiving or a restore rewrites a waiting escalation with it
    (``bot.domain.archived_escalations``)."""
    item = await session.get(PlanItem, item_id)
    plan = None if item is None else await session.get(Plan, item.plan_id)
    stages = () if item is None else stages_of(item)
    if item is None or plan is None or day not in stages:
        return None
    progress = await _progress(session, item, plan, tick)
    if progress is None:
        return None
    stage = Stage(stages.index(day), day, len(stages))
    scope = progress.scope
    lines = _late_lines(
        stage, scope, progress.pending, progress.owed, progress.done, progress.chairs, tick
    )
    return (await _escalations(session, item, stage, scope, lines)).get(chat_id) if lines else None


def half_year_start(today: date) -> date:
    """1 January or 1 July: the start of the half-year ``today`` is in."""
    return date(today.year, 7 if today.month >= 7 else 1, 1)


async def _review(session: AsyncSession, scope_id: int, tick: Tick) -> int:
    """The half-year review to the scope's staff: counts in a message, the items in an .xlsx."""
    scope = await orgs.get_org(session, scope_id)
    if scope is None or await is_closed(session, scope):
        return 0
    tz, now = tick.zone(scope), tick.now
    start = half_year_start(local_today(now, tz))
    moment = send_moment(start, tz, tick.calendar)
    plans = await store.plans_of(session, scope.id)
    if not moment <= now < moment + REVIEW_WINDOW or all(p.created_at >= moment for p in plans):
        return 0
    today = local_today(now, tz)
    progress = await load_progress(session, scope, today, tick.default_tz)
    text = "\n\n".join([t.review_header(scope.name, today), *progress_lines(progress, items=False)])
    count = 0
    for contact in await scope_staff(session, scope):
        if contact.unreachable:
            continue
        for kind, payload in (
            (OutboxKind.TEXT, {"text": text}),
            (OutboxKind.PLAN_REVIEW, {"scope_org_id": scope.id, "today": today.isoformat()}),
        ):
            key = outbox_key(
                KeyPurpose.PLAN_REVIEW, scope.id, start.isoformat(), contact.tg_user_id, kind
            )
            count += await enqueue(
                session,
                key=key,
                chat_id=contact.tg_user_id,
                kind=kind,
                payload=payload,
                not_before=tick.deliver_at(tz),
                now=now,
            )
    return count


async def plan_measures(planning: Planning, button: DoneButton) -> int:
    """Enqueue every plan reminder, escalation and review whose moment has come; how many.

    One transaction per item and per review; each is a unit of ``isolation``, so one broken
    row is logged and skipped while the rest go out.
    """
    session_pool, isolation, tick = planning.session_pool, planning.isolation, planning.tick()
    now = tick.now
    async with session_pool() as session:
        rows = await store.live_items(session, (now - LOOK_BACK).date())
        scope_ids = await store.scopes_with_plans(session, now)
    count = 0
    for item, plan in rows:
        unit = isolation.unit(f"plan item {item.id}")
        async with unit, session_pool() as session, session.begin():
            count += await _plan_item(session, item, plan, tick, button)
    for scope_id in scope_ids:
        unit = isolation.unit(f"plan review of {scope_id}")
        async with unit, session_pool() as session, session.begin():
            count += await _review(session, scope_id, tick)
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
