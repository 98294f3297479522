"""Marking an item of a plan of measures done: the button's rights, the form asking what was
done (a short note, a number, or a file), the mark stored once per item, unit and stage. An
item due in stages is marked stage by stage: the button under a stage's reminder marks that
stage (a stage missed stays missed), a button from before stages rode with it the unit's
earliest stage not marked; the item is done for the unit when every stage is."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.audience import Audience
from bot.domain.plan_sheet import RESPONSIBLE_STAFF
from bot.domain.plans import done_stages, owed_stages, stages_of, units_of
from bot.domain.staff_scope import lineage
from bot.domain.timezones import zone_of
from bot.domain.viewer import Viewer
from bot.forms.declaration import Form, FormContext, Opening, OpenRequest, Submission, Summary
from bot.forms.engine import Field, FormSpec, InvalidAnswer, ParseEnv
from bot.texts import common
from bot.texts import plan_marks as t
from storage import audit, drafts, orgs
from storage import plans as store
from storage.models import FormDraft, Organization, Plan, PlanItem, PlanMark

DONE_FORM_NAME = "plan_done"


# --- Marking done ---------------------------------------------------------------------------


class PlanDoneContext(FormContext):
    """The item being marked; the ППО's chair (``unit``) or the staff member may go on."""

    audience: ClassVar[Audience] = Audience.CHAIR | Audience.STAFF | Audience.ADMIN
    item_id: int
    unit: int
    number: str
    text: str
    org_name: str | None = None
    person_id: int | None = None
    lineage: tuple[int, ...] = ()  # the plan's scope and its parents
    due: date | None = None  # the stage being marked; None (drafts from before): the earliest
    stages: tuple[date, ...] = ()  # the item's stages, () for one deadline

    def allows(self, viewer: Viewer, org_id: int | None) -> bool:
        """The ППО's chair; or the responsible staff member while they still oversee the
        plan's scope (one removed from the district is not)."""
        if self.unit:
            return viewer.chairs(self.unit)
        mine = viewer.person is not None and viewer.person.id == self.person_id
        return mine and (not self.lineage or viewer.oversees(*self.lineage))  # () before 12.2026


@dataclass(frozen=True)
class Target:
    item: PlanItem
    plan: Plan
    unit: int
    org: Organization | None
    scope: Organization
    since: datetime | None = None  # when the ППО came into the plan's scope (``Unit.since``)
    due: date | None = None  # the stage to mark, once known

    def owed(self, default_tz: str) -> tuple[date, ...]:
        """The stages this unit owes (none from before it got the item), in its own day."""
        return owed_stages(self.item, self.since, zone_of(self.org or self.scope, default_tz))


async def _target(session: AsyncSession, item_id: int, unit: int, default_tz: str) -> Target | str:
    """The item and unit if that unit answers for it today, else why not."""
    found = await store.item_with_plan(session, item_id)
    scope = None if found is None else await orgs.get_org(session, found[1].scope_org_id)
    if found is None or scope is None:
        return t.ITEM_GONE
    item, plan = found
    if not unit:
        return (
            Target(item, plan, 0, None, scope)
            if item.responsible == RESPONSIBLE_STAFF
            else t.NOT_YOURS
        )
    ppos = await orgs.ppo_in_scope(session, scope.id)
    moved = await audit.moved_into(session, scope.id)
    units = units_of(item, ppos, {}, moved, lambda org: zone_of(org, default_tz))
    found_unit = next((u for u in units if u.id == unit), None)
    if found_unit is None:
        return t.NOT_YOURS
    return Target(item, plan, unit, found_unit.org, scope, found_unit.since)


async def may_mark(
    session: AsyncSession,
    viewer: Viewer,
    item_id: int,
    unit: int,
    due: date | None,
    default_tz: str,
) -> Target | str:
    """Checked on every press: only the ППО's chair, or the responsible staff member; anyone
    else (and a forged button) hears «нет прав». ``due``: the stage the button is for."""
    target = await _target(session, item_id, unit, default_tz)
    if isinstance(target, str):
        return common.NO_RIGHTS
    if unit and not viewer.chairs(unit):
        return common.NO_RIGHTS
    if not unit and (
        viewer.person is None
        or viewer.person.id != target.item.person_id
        or not viewer.oversees(*await lineage(session, target.scope))
    ):
        return common.NO_RIGHTS
    stage = await _stage_to_mark(session, target, target.owed(default_tz), due)
    return stage if isinstance(stage, str) else replace(target, due=stage)


async def _done_days(session: AsyncSession, target: Target) -> set[date]:
    """The stages done for the unit: its own, and those done for the item by whoever held it
    alone before it (``plans.done_stages``): not asked of it again."""
    marks = await store.marks_of(session, [target.item.id])
    alone = (await store.held_alone(session, target.scope.id)).get(target.item.id, set())
    return set(done_stages(target.item, target.unit, marks, alone))


async def _stage_to_mark(
    session: AsyncSession, target: Target, owed: Sequence[date], due: date | None
) -> date | str:
    """The day of the stage to mark: ``due``, else the earliest owed not marked; or why none
    (a stage from before the unit got the item is not theirs: a button a reminder offered it
    with before that was ruled out is stale)."""
    stages, done = stages_of(target.item), await _done_days(session, target)
    if due is None:
        return next((day for day in owed if day not in done), t.ALREADY_DONE)
    if due not in stages:
        return t.stage_gone(due, stages)
    if due not in owed:
        return t.stage_not_owed(due, owed[0])
    return t.stage_already_done(due) if due in done else due


async def begin_done(
    session: AsyncSession, tg_user_id: int, target: Target, now: datetime, default_tz: str
) -> FormDraft:
    """The draft asking what was done (replacing any draft the person had)."""
    context = PlanDoneContext(
        tz=str(zone_of(target.org or target.scope, default_tz)),
        item_id=target.item.id,
        unit=target.unit,
        number=target.item.number,
        text=target.item.text,
        org_name=target.org.name if target.org else None,
        person_id=target.item.person_id,
        lineage=tuple(await lineage(session, target.scope)),
        due=target.due,
        stages=stages if len(stages := stages_of(target.item)) > 1 else (),
    )
    return await drafts.start_draft(
        session,
        tg_user_id=tg_user_id,
        form=DONE_FORM_NAME,
        org_id=target.org.id if target.org else None,
        step="note",
        context=context.model_dump(mode="json"),
        now=now,
    )


_NUMBER_RE = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")
_NUMBER_LENGTH = 32  # of ``PlanMark.number``


def _parse_note(text: str, env: ParseEnv) -> dict[str, Any]:
    note = " ".join(text.split())
    if not note:
        raise InvalidAnswer(t.NOTE_EMPTY)
    if len(note) > 1000:
        raise InvalidAnswer(t.NOTE_TOO_LONG)
    return {"text": note, "number": _number_of(note)}


def _number_of(note: str) -> str | None:
    """The figure a note that is only a number gives, for the plan's tables; None when it is
    words, or too long to be a count (a phone or an order number: its text alone is kept)."""
    if not _NUMBER_RE.fullmatch(note) or len(note) > _NUMBER_LENGTH:
        return None
    return note.replace(",", ".")


def file_note(file_id: str, kind: str, name: str | None) -> dict[str, Any]:
    """A document or a photo given instead of words."""
    return {"file_id": file_id, "file_kind": kind, "file_name": (name or "")[:200] or None}


DONE_SPEC = FormSpec(
    name=DONE_FORM_NAME,
    title=t.DONE_TITLE,
    fields=(
        # A note may be a file sent in the chat (``file_note``), which no typing gives back;
        # each mark has its own note, so none is offered again anyway.
        Field("note", t.L_NOTE, t.Q_NOTE, _parse_note, show=t.note_shown, rereadable=False),
    ),
)


async def _open_done(request: OpenRequest) -> Opening:  # pragma: no cover - opened by a button
    raise RuntimeError("the done form opens from a plan item's button only")


def _done_summary(answers: dict[str, Any], context: PlanDoneContext, today: date) -> Summary:
    note = t.note_shown(answers.get("note") or {})
    stages, day = context.stages, context.due
    due = (day, (stages.index(day) + 1, len(stages))) if day is not None and day in stages else None
    return Summary(t.done_summary(context.org_name, context.number, context.text, note, due))


async def _submit_done(submission: Submission[PlanDoneContext]) -> str:
    """Store the mark once (unique per item and unit); rights checked again against the item.
    The reply says a mark made after its stage's day is late: the review and /plan show it so."""
    c, session = submission.context, submission.session
    target = await _target(session, c.item_id, c.unit, c.tz or "UTC")
    if isinstance(target, str):
        return target
    if not c.unit and target.item.person_id != submission.person_id:
        return t.NOT_YOURS
    owed = target.owed(c.tz or "UTC")
    stage = await _stage_to_mark(session, target, owed, c.due)
    if isinstance(stage, str):
        return stage
    stages, done = stages_of(target.item), await _done_days(session, target)
    rest = next((day for day in owed if day not in {*done, stage}), None)  # still owed after
    note: dict[str, Any] = submission.draft.answers.get("note") or {}
    done_on = submission.now.astimezone(zone_of(target.org or target.scope, c.tz or "UTC")).date()
    session.add(
        PlanMark(
            item_id=c.item_id,
            unit=c.unit,
            due=stage,
            done_at=submission.now,
            done_on=done_on,
            done_by=submission.person_id,
            note=note.get("text"),
            number=note.get("number"),
            file_id=note.get("file_id"),
            file_kind=note.get("file_kind"),
            file_name=note.get("file_name"),
        )
    )
    submission.audit(
        "plan.done",
        target.org.id if target.org else target.scope.id,
        after={
            "item": c.item_id,
            "unit": c.unit,
            "due": stage.isoformat(),
            "note": t.note_shown(note),
        },
    )
    late = done_on > stage  # as ``ItemStatus.late`` judges it
    if len(stages) == 1:
        return t.done_saved(c.number, stage if late else None)
    return t.stage_saved(c.number, stage, rest, stages[-1], late=late)


PLAN_DONE_FORM: Form[PlanDoneContext] = Form(
    spec=DONE_SPEC,
    context=PlanDoneContext,
    open=_open_done,
    summary=_done_summary,
    submit=_submit_done,
)
