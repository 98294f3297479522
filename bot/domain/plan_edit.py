"""Changing an item of a plan of measures by ``/planedit``: its deadline, or who answers for
it (what the editor is told of the marks and the stages passed), audited."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.cells import shown
from bot.domain.plan_deadline import Deadline, parse_deadline
from bot.domain.plan_sheet import (
    RESPONSIBLE_ALL,
    RESPONSIBLE_PPO,
    RESPONSIBLE_STAFF,
    Responsible,
    parse_responsible,
)
from bot.domain.plans import scope_directory, set_deadline, stages_of, stages_text
from bot.forms.parsers import record_number
from bot.texts import plans as t
from storage import audit
from storage import plans as store
from storage.models import Organization, PlanItem

_EDIT_RE = re.compile(r"#?(\d+)\s+(срок|ответственн\w*)\s+(.+)", re.IGNORECASE | re.DOTALL)


async def edit_item(
    session: AsyncSession,
    scope: Organization,
    arg: str,
    *,
    person_id: int,
    now: datetime,
    today: date,
) -> str:
    """``/planedit 12 срок 30.04.2027`` or ``/planedit 12 ответственный все ППО``, audited."""
    match = _EDIT_RE.fullmatch(arg.strip())
    if match is None:
        return t.EDIT_USAGE
    number = record_number(match.group(1))
    found = None if number is None else await store.item_with_plan(session, number)
    if found is None or found[1].scope_org_id != scope.id:
        return t.EDIT_NOT_FOUND
    item, value = found[0], " ".join(match.group(3).split())
    before, note = _audited(item), ""
    if match.group(2).casefold() == "срок":
        deadline = parse_deadline(value, today)
        if deadline is None:
            return "❗ " + t.bad_deadline(shown(value))
        note = await _move_deadline(session, item, deadline)
        what, new_value = t.WHAT_DEADLINE, stages_text(deadline.stages)
    else:
        who = parse_responsible(value, await scope_directory(session, scope))
        if who is None:
            return "❗ " + t.bad_responsible(shown(value))
        if _give(item, who, now):
            note = _not_owed_note(item, today)
        what, new_value = t.WHAT_RESPONSIBLE, value
    item.updated_at = now
    old, new = audit.changes(before, _audited(item))
    audit.record(
        session,
        at=now,
        actor_id=person_id,
        action="plan.item_change",
        org_id=scope.id,
        before={"item": item.id, **old},
        after={"item": item.id, **new},
    )
    return t.edited(item.number, what, new_value) + note


async def _move_deadline(session: AsyncSession, item: PlanItem, deadline: Deadline) -> str:
    """Set the new stages; what the editor is told of the marks: each stays with the day of
    the stage it was made for, so a mark whose day is no longer a stage stops counting (kept,
    it counts again if that day comes back). An item with one deadline before and after is
    one piece of work whose date was corrected: its marks move to the new date."""
    old = stages_of(item)
    set_deadline(item, deadline)
    marks = [m for ms in (await store.marks_of(session, [item.id])).values() for m in ms]
    if len(old) == 1 and len(deadline.stages) == 1:
        taken = {m.unit for m in marks if m.due == deadline.last}
        for mark in marks:
            if mark.due == old[0] and mark.unit not in taken:
                mark.due = deadline.last
        return ""
    lost = [
        m.due for m in marks if m.due is not None and m.due in old and m.due not in deadline.stages
    ]
    return "\n" + t.marks_left_out(len(lost), sorted(set(lost))) if lost else ""


def _give(item: PlanItem, who: Responsible, now: datetime) -> bool:
    """Give the item to ``who``: one who did not answer for it before owes its stages from
    ``now`` on (``assigned_at``), not those passed while it was another's. «все ППО» narrowed
    to one ППО keeps its day: that ППО answered for the item already; widened, every ППО
    gets it now, the one that had it too. Whether it was given anew."""
    person = who.id if who.kind == RESPONSIBLE_STAFF else None
    org = who.id if who.kind == RESPONSIBLE_PPO else None
    same = (item.responsible, item.person_id, item.org_id) == (who.kind, person, org)
    narrowed = item.responsible == RESPONSIBLE_ALL and who.kind == RESPONSIBLE_PPO
    if not (same or narrowed):
        item.assigned_at = now
    item.responsible, item.person_id, item.org_id = who.kind, person, org
    return not (same or narrowed)


def _not_owed_note(item: PlanItem, today: date) -> str:
    """What the editor is told of an item given anew: the stages passed before ``today`` are
    not the new responsible's (``owed_stages``; the last is owed all the same)."""
    stages = stages_of(item)
    passed = [stage for stage in stages[:-1] if stage < today]
    return "\n" + t.passed_not_owed(passed) if passed else ""


def _audited(item: PlanItem) -> dict[str, object]:
    return {
        "deadline": item.deadline.isoformat(),
        "stages": item.stages,
        "responsible": item.responsible,
        "person_id": item.person_id,
        "org_id": item.org_id,
    }
