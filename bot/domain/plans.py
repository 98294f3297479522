"""Plans of measures: loading one from a file, who answers for each item, its progress
(changing an item: ``plan_edit.py``; marking one done: ``plan_done.py``; reminders and the
review: ``plan_reminders.py``).

An item is answered for by a staff member, by one ППО, or by every ППО of the plan's scope; an
item for every ППО is done per ППО (each chair marks their own). A mark's ``unit`` is the ППО's
id, or 0 for the staff member's item.

An item due in stages is done stage by stage: a mark is of the day of the stage it was made
for, and counts while that day is a stage of the item; a unit's current stage is the first it
has not marked, and the item is done for it when every stage is. The plan shows the earliest
stage anyone still owes, and is late when that one has passed. A stage whose day came before
one answering for the item got it (added, given to them by ``/planedit``, or their ППО came
into the bot or the district since) is not theirs (``owed_stages``, the one rule everything
that counts or offers a stage follows); a ППО that came after an item for every ППО was over
does not answer for it (``came_after``).

A handover keeps the history (``done_stages``, what everything that counts, offers or shows a
stage done follows): a stage done by whoever answered for the item alone (a staff member, or
the one ППО it was given to) was done for the item, and stays done for whoever gets it next:
shown with who did it, counted, never asked of them again. For «все ППО» every ППО answers
for itself: its own marks stay its own, another's never count for it, and a mark made as one
of «все ППО» is not the item's when it is narrowed to another ППО.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.calendar import local_today
from bot.domain.plan_deadline import Deadline
from bot.domain.plan_sheet import (
    RESPONSIBLE_ALL,
    RESPONSIBLE_PPO,
    RESPONSIBLE_STAFF,
    Directory,
    Named,
    PlanTable,
    parse_plan,
)
from bot.domain.timezones import zone_of
from bot.texts import plans as t
from bot.texts.reminders import day_text
from storage import audit, orgs
from storage import plans as store
from storage.contacts import staff_of
from storage.models import Organization, Person, Plan, PlanItem, PlanMark


def stages_of(item: PlanItem) -> tuple[date, ...]:
    """The item's deadlines, earliest first: its stages, or its one deadline."""
    return (
        tuple(date.fromisoformat(day) for day in item.stages) if item.stages else (item.deadline,)
    )


def given_on(item: PlanItem, since: datetime | None, tz: ZoneInfo) -> date:
    """The day (``tz``'s) one answering for the item got it: the day it was added or last given
    to another responsible (``assigned_at``), or a ППО's coming into the plan's scope
    (``since``: ``Unit.since``), if later."""
    moments = [item.assigned_at or item.created_at, *([since] if since else [])]
    return local_today(max(moments), tz)


def owed_stages(item: PlanItem, since: datetime | None, tz: ZoneInfo) -> tuple[date, ...]:
    """The stages one answering for the item owes: those from the day they got it on
    (``given_on``). Nobody could have done an earlier stage then: it is never reminded of,
    offered, escalated, counted as missed or as owed. The last stage is always owed: an item
    added or given to one after its one deadline is still to be done (escalated as if due the
    day it was got: ``plan_escalations``); a ППО that came after it was over does not answer
    for it at all (``came_after``)."""
    stages, day = stages_of(item), given_on(item, since, tz)
    return tuple(stage for stage in stages if stage >= day) or stages[-1:]


def set_deadline(item: PlanItem, deadline: Deadline) -> None:
    """The last stage is ``deadline``: the items still to remind of are found by it."""
    item.deadline, item.deadline_label = deadline.last, deadline.label
    multiple = len(deadline.stages) > 1
    item.stages = [day.isoformat() for day in deadline.stages] if multiple else None


def counted(marks: Sequence[PlanMark], stages: Sequence[date]) -> dict[date, PlanMark]:
    """The marks that count, by their stage's day: those whose day is still a stage (after a
    changed deadline a March mark is not June's); of two for one day, the earlier."""
    found: dict[date, PlanMark] = {}
    for mark in sorted(marks, key=lambda mark: mark.done_at):
        if mark.due is not None and mark.due in stages:
            found.setdefault(mark.due, mark)
    return found


def done_stages(
    item: PlanItem,
    unit: int,
    marks: Mapping[tuple[int, int], Sequence[PlanMark]],
    alone: Collection[int],
) -> dict[date, PlanMark]:
    """The stages ``unit`` has done, by day, owed or not (the history is kept): its own marks
    (one it did while it answered for the item before stays done), and, of an item one
    answers for alone, the marks made before they got it by those who held it alone before
    (``alone``: those ППО, ``store.held_alone``; a staff member's, unit 0, always): what the
    one answering alone did was done for the item. For «все ППО» every ППО answers for itself:
    another's mark never counts for it, nor a ППО's made as one of them for whoever it is
    narrowed to (that one owes what it owed)."""
    stages = stages_of(item)
    done = counted(marks.get((item.id, unit), []), stages)
    given = item.assigned_at
    if item.responsible == RESPONSIBLE_ALL or given is None:
        return done
    before = [m for u in {0, *alone} - {unit} for m in marks.get((item.id, u), [])]
    for day, mark in counted([m for m in before if m.done_at < given], stages).items():
        done.setdefault(day, mark)
    return done


def by_another(item: PlanItem, unit: int, mark: PlanMark) -> bool:
    """Whether ``mark`` was made by one who answered for the item before ``unit`` got it."""
    return mark.unit != unit or (unit == 0 and mark.done_by != item.person_id)


def owes_more(owed: Sequence[date], done: Mapping[date, PlanMark]) -> bool:
    """Whether a stage owed is not done yet."""
    return any(day not in done for day in owed)


def stages_text(stages: Sequence[date]) -> str:
    return ", ".join(day_text(day) for day in stages)


async def scope_staff(session: AsyncSession, scope: Organization) -> list[Named]:
    """Staff of the scope, and of its region: either may answer for a district's item."""
    ids = [scope.id] if scope.parent_id is None else [scope.id, scope.parent_id]
    found: dict[int, Named] = {}
    for org_id in ids:
        for contact in await staff_of(session, org_id):
            found.setdefault(contact.person_id, Named(contact.person_id, contact.full_name))
    return list(found.values())


async def scope_directory(session: AsyncSession, scope: Organization) -> Directory:
    ppos = [Named(org.id, org.name) for org in await orgs.ppo_in_scope(session, scope.id)]
    return Directory(ppos, await scope_staff(session, scope))


@dataclass(frozen=True)
class Loaded:
    table: PlanTable
    plan: Plan | None


async def load_plan(
    session: AsyncSession,
    scope: Organization,
    data: bytes,
    filename: str,
    *,
    title: str,
    person_id: int,
    now: datetime,
    today: date,
) -> Loaded:
    """Read the file and store its good rows as a new plan of the scope (none if no good row)."""
    directory = await scope_directory(session, scope)
    table = await asyncio.to_thread(parse_plan, data, filename, directory, today)
    if table.fatal or not table.rows:
        return Loaded(table, None)
    plan = await store.create_plan(session, scope.id, title, person_id, now)
    for row in table.rows:
        item = PlanItem(
            plan_id=plan.id,
            number=row.number,
            text=row.text,
            responsible=row.responsible.kind,
            person_id=row.responsible.id if row.responsible.kind == RESPONSIBLE_STAFF else None,
            org_id=row.responsible.id if row.responsible.kind == RESPONSIBLE_PPO else None,
            created_at=now,
            updated_at=now,
        )
        set_deadline(item, row.deadline)
        session.add(item)
    audit.record(
        session,
        at=now,
        actor_id=person_id,
        action="plan.load",
        org_id=scope.id,
        after={"plan": plan.id, "title": title, "items": len(table.rows)},
    )
    return Loaded(table, plan)


# --- Who answers and what is done -----------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """One who answers for an item: a ППО (``id``: its id) or the staff member (``id`` 0).
    ``since``: when a ППО came into the plan's scope: into the bot, or moved into the
    district since (None for the staff member)."""

    id: int
    name: str
    org: Organization | None
    since: datetime | None = None


def units_of(
    item: PlanItem,
    ppos: Sequence[Organization],
    people: dict[int, Person],
    moved: Mapping[int, datetime],
    zone: Callable[[Organization], ZoneInfo],
) -> list[Unit]:
    """``moved``: when ППО were moved into the plan's district (``audit.moved_into``). A ППО
    that came after every stage of an item for every ППО had passed does not answer for it
    (``came_after``)."""
    if item.responsible == RESPONSIBLE_STAFF:
        person = people.get(item.person_id or 0)
        return [] if person is None else [Unit(0, person.full_name, None)]
    mine = [org for org in ppos if item.responsible == RESPONSIBLE_ALL or org.id == item.org_id]
    units = [Unit(o.id, o.name, o, max(o.created_at, moved.get(o.id, o.created_at))) for o in mine]
    if item.responsible != RESPONSIBLE_ALL:
        return units
    return [u for u in units if u.org is None or not came_after(item, u.since, zone(u.org))]


def came_after(item: PlanItem, since: datetime | None, tz: ZoneInfo) -> bool:
    """Whether a ППО came into the plan's scope (into the bot, or moved into the district)
    after the item's last stage, the item already there: nobody gave it to them, and it was
    done or missed before they came (an item added or given to one after its deadline is
    theirs all the same: ``owed_stages``)."""
    got = item.assigned_at or item.created_at
    return since is not None and since > got and local_today(since, tz) > stages_of(item)[-1]


def responsible_label(item: PlanItem, units: Sequence[Unit]) -> str:
    if item.responsible == RESPONSIBLE_ALL:
        return t.ALL_PPO
    return units[0].name if units else t.NOBODY


@dataclass(frozen=True)
class ItemStatus:
    item: PlanItem
    units: list[Unit]
    marks: dict[int, dict[date, PlanMark]]  # by unit: the marks that count, by stage day
    owed: dict[int, tuple[date, ...]]  # by unit: the stages it owes (``owed_stages``)
    responsible: str
    stages: tuple[date, ...]
    today: date
    handed: dict[int, str] = field(default_factory=dict)  # who made a mark ``by_another``, by id

    def settled(self, unit_id: int) -> int:
        """How many stages the unit has done (those done before it got the item too)."""
        return len(self.marks.get(unit_id, {}))

    def counted(self, unit_id: int) -> int:
        """How many stages count for the unit: those it owes, and those done before it got the
        item by whoever answered for it then."""
        return len({*self.owed.get(unit_id, ()), *self.marks.get(unit_id, {})})

    def done_before(self, unit_id: int) -> list[tuple[date, PlanMark, str]]:
        """The stages done for the unit by one who answered for the item before it, with
        their marks and who made them."""
        done = self.marks.get(unit_id, {})
        return [
            (day, done[day], self.handed[done[day].id])
            for day in sorted(done)
            if done[day].id in self.handed
        ]

    def current(self, unit_id: int) -> int | None:
        """The unit's current stage (its place among the item's): the earliest it owes and has
        not done (None: all are)."""
        done = self.marks.get(unit_id, {})
        day = next((day for day in self.owed.get(unit_id, ()) if day not in done), None)
        return None if day is None else self.stages.index(day)

    @property
    def stage(self) -> int:
        """The earliest stage anyone still owes; the last when nobody owes any."""
        owed = [c for u in self.units if (c := self.current(u.id)) is not None]
        return min(owed, default=len(self.stages) - 1)

    @property
    def deadline(self) -> date:
        return self.stages[self.stage]

    @property
    def owing(self) -> list[Unit]:
        """Who owes the stage shown (a ППО that came after its day does not)."""
        return [u for u in self.units if self.deadline in self.owed.get(u.id, ())]

    @property
    def missing(self) -> list[Unit]:
        """Who has not done the stage shown (for one deadline: who has not done the item)."""
        return [u for u in self.owing if self.deadline not in self.marks.get(u.id, {})]

    @property
    def state(self) -> str:
        if self.units and all(self.current(u.id) is None for u in self.units):
            return t.STATE_DONE
        return t.STATE_OVERDUE if self.deadline < self.today else t.STATE_UPCOMING

    def unit_state(self, unit_id: int) -> str:
        """The unit's own: done when every stage is, late when its current one passed."""
        current = self.current(unit_id)
        if current is None:
            return t.STATE_DONE
        return t.STATE_OVERDUE if self.stages[current] < self.today else t.STATE_UPCOMING

    def late(self, unit_id: int) -> list[date]:
        """The stages the unit marked after their day (a missed one marked from a later
        reminder): done, but the review must not show them as done on time (one done before
        the unit got the item is shown with who did it: ``done_before``)."""
        done = self.marks.get(unit_id, {})
        own = [day for day in sorted(done) if done[day].id not in self.handed]
        return [day for day in own if done[day].done_on > day]

    def unit_deadline(self, unit_id: int) -> date:
        current = self.current(unit_id)
        return self.stages[-1 if current is None else current]


@dataclass(frozen=True)
class PlanProgress:
    plan: Plan
    items: list[ItemStatus]

    def count(self, state: str) -> int:
        return sum(1 for status in self.items if status.state == state)

    def stages_done(self) -> tuple[int, int]:
        """Stages done, of all counted (``ItemStatus.counted``), over the items in stages and
        each who answers for one: the sum of the review's «Сроков выполнено» column, which
        item counts cannot give (an item is done only with its last stage)."""
        staged = [(s, u.id) for s in self.items if len(s.stages) > 1 for u in s.units]
        return sum(s.settled(unit) for s, unit in staged), sum(s.counted(u) for s, u in staged)


async def load_progress(
    session: AsyncSession, scope: Organization, today: date, default_tz: str
) -> list[PlanProgress]:
    plans = await store.plans_of(session, scope.id)
    items = await store.items_of(session, (plan.id for plan in plans))
    marks = await store.marks_of(session, (item.id for item in items))
    ppos = await orgs.ppo_in_scope(session, scope.id)
    moved = await audit.moved_into(session, scope.id)
    people = await store.people_named(session, (i.person_id for i in items if i.person_id))
    alone = await store.held_alone(session, scope.id)
    result = []
    for plan in plans:
        statuses = []
        for item in (i for i in items if i.plan_id == plan.id):
            units = units_of(item, ppos, people, moved, lambda o: zone_of(o, default_tz))
            owed = {
                u.id: owed_stages(item, u.since, zone_of(u.org or scope, default_tz)) for u in units
            }
            done = {u.id: done_stages(item, u.id, marks, alone.get(item.id, ())) for u in units}
            label = responsible_label(item, units)
            statuses.append(ItemStatus(item, units, done, owed, label, stages_of(item), today))
        result.append(PlanProgress(plan, statuses))
    return await _named_handovers(session, result)


async def _named_handovers(
    session: AsyncSession, progress: list[PlanProgress]
) -> list[PlanProgress]:
    """Who made each mark done for one by another who answered for the item before: the ППО
    by its name, a staff member by theirs."""
    handed = [
        (status, mark)
        for plan in progress
        for status in plan.items
        for unit, done in status.marks.items()
        for mark in done.values()
        if by_another(status.item, unit, mark)
    ]
    ppos = await store.org_names(session, {mark.unit for _, mark in handed if mark.unit})
    people = await store.people_named(session, (m.done_by for _, m in handed if not m.unit))
    for status, mark in handed:
        person = people.get(mark.done_by)
        name = ppos.get(mark.unit, "") if mark.unit else person.full_name if person else ""
        status.handed[mark.id] = name
    return progress
