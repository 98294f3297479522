"""Where a plan item stands, and the escalation of its late ППО and staff.

After a missed deadline the curators of the late ППО and the scope's staff get one
escalation per item and stage, listing who has not done it, and who left an earlier stage
unmarked: only the latest stage passed is escalated, so after downtime an earlier one gets no
message of its own. One who got the item after its last stage had passed owes it all the
same, and is escalated the day after they got it, in a message of its own (the stage's went
out before they had the item), within a few days of it or not at all (``GOT_LATE_WINDOW``).
An escalation waiting in the outbox is rewritten by an archiving or a restore with what it
says now (``escalation_now``, ``bot.domain.archived_escalations``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.calendar import local_today, send_moment
from bot.domain.escalation import escalation_recipients
from bot.domain.plan_sheet import RESPONSIBLE_ALL, RESPONSIBLE_STAFF
from bot.domain.plans import (
    Unit,
    done_stages,
    given_on,
    owed_stages,
    owes_more,
    stages_of,
    units_of,
)
from bot.domain.tick import Tick
from bot.texts import plan_marks as tm
from storage import audit, orgs
from storage import plans as store
from storage.closure import is_closed
from storage.contacts import Contact, chairs_of
from storage.models import Organization, Person, Plan, PlanItem, PlanMark
from storage.outbox import OutboxKind, enqueue
from storage.outbox_keys import KeyPurpose, outbox_key

LOOK_BACK = timedelta(days=60)  # items overdue longer than this (or got since) are left alone
GOT_LATE_WINDOW = timedelta(days=3)
"""How long after its moment the one reminder and the one escalation of an item got after its
deadline may still go out: a few days cover a bot off over a weekend. Later they would come
weeks after the handover, in one wave with every other such item (the first pass of the
version that brought them found every item got late in the last 60 days), telling nobody
anything they can act on that day."""


GOT_LATE_LOOK_BACK = timedelta(days=21)
"""How far back the scheduler looks for items got after their deadline (added, given to
another, or a ППО moved into the plan's district): their escalation's moment is the day after
the day got, put off past days off (the New Year holidays, the longest run, are under two
weeks), and its window follows. An item whose deadline is older than ``LOOK_BACK`` has nothing
else to send: read every minute for 60 days, it cost a pass 7 statements an item, for
nothing."""


def past_got_late_window(day: date, tz: ZoneInfo, tick: Tick) -> bool:
    """Whether the message of an item got late planned for ``day`` is past its window."""
    return tick.now >= send_moment(day, tz, tick.calendar) + GOT_LATE_WINDOW


@dataclass(frozen=True)
class Stage:
    """One deadline of an item: its index among the item's stages, and how many there are."""

    index: int
    day: date
    count: int

    @property
    def shown(self) -> tm.Stage:
        return (self.index + 1, self.count) if self.count > 1 else None


@dataclass(frozen=True)
class Owing:
    """Where an item stands, as one pass reads it: its scope, the units that have not done all
    the stages they owe, and by unit id the stages owed, those done, the day they got the item
    (``plans.given_on``) and the chairs; the staff member answering for it (``people``); the
    ППО closed under the scope that have not done them either (``closed``: nobody is reminded
    of them, an escalation notes those late as withheld, so that a restore reopens it)."""

    scope: Organization
    pending: list[Unit]
    owed: dict[int, tuple[date, ...]]
    done: dict[int, dict[date, PlanMark]]
    given: dict[int, date]
    chairs: dict[int, Contact]
    people: dict[int, Person]
    closed: list[Unit]


async def owing(session: AsyncSession, item: PlanItem, plan: Plan, tick: Tick) -> Owing | None:
    """None while the plan's scope is closed: nobody is reminded or escalated about it then."""
    scope = await orgs.get_org(session, plan.scope_org_id)
    if scope is None or await is_closed(session, scope):
        return None
    ppos, shut = await store.scope_ppos_apart(session, scope.id)
    people = await store.people_named(session, [item.person_id] if item.person_id else [])
    marks = await store.marks_of(session, [item.id])
    staff = item.responsible == RESPONSIBLE_STAFF
    moved = {} if staff else await audit.moved_into(session, scope.id)
    open_units = units_of(item, ppos, people, moved, tick.zone)
    closed = [] if staff else units_of(item, shut, people, moved, tick.zone)
    units = open_units + closed
    given = {u.id: given_on(item, u.since, tick.zone(u.org or scope)) for u in units}
    owed = {u.id: owed_stages(item, u.since, tick.zone(u.org or scope)) for u in units}
    handed = item.responsible != RESPONSIBLE_ALL and item.assigned_at is not None
    alone = (await store.held_alone(session, scope.id)).get(item.id, set()) if handed else set()
    done = {u.id: done_stages(item, u.id, marks, alone) for u in units}
    pending = [u for u in open_units if owes_more(owed[u.id], done[u.id])]
    chairs = await chairs_of(session, [u.id for u in pending if u.id])
    closed = [u for u in closed if owes_more(owed[u.id], done[u.id])]
    return Owing(scope, pending, owed, done, given, chairs, people, closed)


def passed_stage(stages: tuple[date, ...], today: date) -> Stage | None:
    """The latest stage before ``today``: the one late units are escalated for."""
    passed = [index for index, day in enumerate(stages) if day < today]
    return Stage(passed[-1], stages[passed[-1]], len(stages)) if passed else None


def _late_lines(
    stage: Stage, state: Owing, units: list[Unit], tick: Tick
) -> dict[date | None, dict[int, str]]:
    """Who of ``units`` is late with ``stage``, and who still owes a stage before it (of those
    it owes: none from before it got the item): only the latest stage passed is escalated, so after
    downtime its message is the one that names the earlier stages left unmarked, not a
    second message. By the day their lateness counts from: None for the stage's own; the
    day one got the item after the stage's day passed (it is their last, owed all the same),
    as if it were due then."""
    groups: dict[date | None, dict[int, str]] = {}
    for unit in units:
        owed, done = state.owed[unit.id], state.done[unit.id]
        got = state.given[unit.id] if state.given[unit.id] > stage.day else None
        earlier = [day for day in owed if day < stage.day and day not in done]
        missed = stage.day in owed and stage.day not in done
        today = local_today(tick.now, tick.zone(unit.org or state.scope))
        if earlier or (missed and today > (got or stage.day)):
            chair = state.chairs.get(unit.id)
            person = chair.full_name if chair is not None else None
            line = tm.late_line(unit.name, person, earlier, missed)
            groups.setdefault(got, {})[unit.id] = line
    return groups


async def _payloads(
    session: AsyncSession,
    item: PlanItem,
    stage: Stage,
    got: date | None,
    scope: Organization,
    lines: dict[int, str],
    closed: list[int],
) -> dict[int, dict[str, Any]]:
    """What the item's escalation for ``stage`` (for those who got it on ``got``) says to each
    recipient it reaches, by chat: curators get their own ППО, staff all; the late ППО
    ``closed`` are noted as withheld."""
    recipients = await escalation_recipients(session, scope, list(lines), closed)
    payloads: dict[int, dict[str, Any]] = {}
    for tg_user_id, recipient in recipients.items():
        if recipient.contact.unreachable:
            continue
        own = [line for unit_id, line in lines.items() if unit_id in recipient.org_ids]
        text = tm.escalation(item.number, item.text, (stage.day, stage.shown), own, got)
        payloads[tg_user_id] = recipient.payload(text)
    return payloads


async def escalate(session: AsyncSession, item: PlanItem, state: Owing, tick: Tick) -> int:
    """Queue the item's escalations now due: for its latest stage passed, the day after it;
    for those who got the item after it, the day after that day."""
    scope = state.scope
    stage = passed_stage(stages_of(item), local_today(tick.now, tick.zone(scope)))
    if stage is None:
        return 0
    count = 0
    withheld = _late_lines(stage, state, state.closed, tick)
    for got, lines in _late_lines(stage, state, state.pending, tick).items():
        closed = list(withheld.get(got, {}))
        count += await _escalate(session, item, stage, got, state, (lines, closed), tick)
    return count


def _in_window(stage: date, got: date | None, tz: ZoneInfo, tick: Tick) -> bool:
    """Whether an escalation of ``stage`` (of those who got it on ``got``, after it) is queued
    now: from the day after the later of the two, for ``LOOK_BACK``; of those who got it late,
    within ``GOT_LATE_WINDOW`` of its moment only."""
    day = (got or stage) + timedelta(days=1)
    if got is not None and past_got_late_window(day, tz, tick):
        return False
    return tick.now >= send_moment(day, tz, tick.calendar) and day > (tick.now - LOOK_BACK).date()


async def _escalate(
    session: AsyncSession,
    item: PlanItem,
    stage: Stage,
    got: date | None,
    state: Owing,
    late: tuple[dict[int, str], list[int]],
    tick: Tick,
) -> int:
    """One message per recipient, item and stage (and day got), once it has come; ``late``:
    the lines of the late ППО by id, and the late ППО closed."""
    tz = tick.zone(state.scope)
    if not _in_window(stage.day, got, tz, tick):
        return 0
    count = 0
    payloads = await _payloads(session, item, stage, got, state.scope, *late)
    for tg_user_id, payload in payloads.items():
        parts: list[str | int] = [item.id, stage.day.isoformat(), tg_user_id]
        parts += [got.isoformat()] if got else []
        if await enqueue(
            session,
            key=outbox_key(KeyPurpose.PLAN_ESCALATION, *parts),
            chat_id=tg_user_id,
            kind=OutboxKind.TEXT,
            payload=payload,
            not_before=tick.deliver_at(tz),
            now=tick.now,
        ):
            count += 1
    return count


async def escalation_now(
    session: AsyncSession, item_id: int, day: date, got: date | None, chat_id: int, tick: Tick
) -> dict[str, Any] | None:
    """What the item's escalation for its stage ``day`` (for those who got it on ``got``) says
    to ``chat_id`` now, whether or not it is due (its payload); None when nothing: its scope
    closed, the stage gone from the item, none of theirs late."""
    item = await session.get(PlanItem, item_id)
    plan = None if item is None else await session.get(Plan, item.plan_id)
    stages = () if item is None else stages_of(item)
    if item is None or plan is None or day not in stages:
        return None
    state = await owing(session, item, plan, tick)
    if state is None:
        return None
    stage = Stage(stages.index(day), day, len(stages))
    lines = _late_lines(stage, state, state.pending, tick).get(got)
    if not lines:
        return None
    closed = list(_late_lines(stage, state, state.closed, tick).get(got, {}))
    return (await _payloads(session, item, stage, got, state.scope, lines, closed)).get(chat_id)


async def escalation_due(
    session: AsyncSession, item_id: int, day: date, got: date | None, tick: Tick
) -> bool:
    """Whether the item's escalation for its stage ``day`` (for those who got it on ``got``)
    is one its planner queues now: that stage the latest passed, within ``LOOK_BACK``. A
    restore frees the key of one that went out only while this holds
    (``bot.domain.archived_escalations``)."""
    item = await session.get(PlanItem, item_id)
    plan = None if item is None else await session.get(Plan, item.plan_id)
    scope = None if plan is None else await orgs.get_org(session, plan.scope_org_id)
    if item is None or scope is None:
        return False
    tz = tick.zone(scope)
    stage = passed_stage(stages_of(item), local_today(tick.now, tz))
    return stage is not None and stage.day == day and _in_window(day, got, tz, tick)
