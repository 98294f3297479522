"""Staff add one item to the scope's plan of measures in the chat (/planitem): what, by when,
who answers for it. The item goes into the scope's latest plan (a new one if there is none)."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.domain.plan_deadline import Deadline, parse_deadline
from bot.domain.plan_sheet import (
    RESPONSIBLE_PPO,
    RESPONSIBLE_STAFF,
    Directory,
    Named,
    Responsible,
    next_number,
    parse_responsible,
)
from bot.domain.plans import scope_directory, set_deadline, stages_text
from bot.forms import declaration
from bot.forms.engine import AskAgain, Choice, Field, FormSpec, InvalidAnswer, ParseEnv
from bot.forms.parsers import text
from bot.texts import forms
from bot.texts import plans as t
from storage import orgs
from storage import plans as store
from storage.models import PlanItem


def _deadline(raw: str, env: ParseEnv) -> dict[str, Any]:
    parsed = parse_deadline(raw, env.today)
    if parsed is None:
        raise InvalidAnswer(t.bad_deadline(raw[:40]))
    stages = [day.isoformat() for day in parsed.stages]
    return {"date": parsed.last.isoformat(), "label": parsed.label, "stages": stages}


def _stored(value: dict[str, Any]) -> Deadline:
    """The answer as kept in the draft (one written before stages has only its «date»)."""
    stages = value.get("stages") or [value["date"]]
    return Deadline(tuple(date.fromisoformat(day) for day in stages), value["label"])


def _show_deadline(value: Any) -> str:
    return stages_text(_stored(value).stages)


ALL_PPO_CHOICE = Choice(t.ALL_PPO, t.ALL_PPO_BUTTON)
SPEC = FormSpec(
    name="planitem",
    title=t.ITEM_TITLE,
    fields=(
        Field("text", t.L_ITEM_TEXT, t.Q_ITEM_TEXT, text(maximum=1000, minimum=3)),
        Field(
            "deadline",
            t.L_ITEM_DEADLINE,
            t.Q_ITEM_DEADLINE,
            _deadline,
            show=_show_deadline,
            # It keeps the words written («в течение года», cut to LABEL_LIMIT) beside the days
            # its summary line gives: typed again as those days, the words would be lost.
            rereadable=False,
        ),
        Field(
            "responsible",
            t.L_ITEM_RESPONSIBLE,
            t.Q_ITEM_RESPONSIBLE,
            text(maximum=200, minimum=2),
            choices=(ALL_PPO_CHOICE,),
        ),
    ),
)


class PlanItemContext(declaration.StaffScopeContext):
    """The scope, and who in it may answer for an item (to resolve the typed name)."""

    ppos: tuple[tuple[int, str], ...]
    staff: tuple[tuple[int, str], ...]

    def resolve(self, typed: str) -> Responsible | None:
        directory = Directory(
            [Named(*one) for one in self.ppos], [Named(*one) for one in self.staff]
        )
        return parse_responsible(typed, directory)


async def open_form(request: declaration.OpenRequest) -> declaration.Opening:
    directory = await scope_directory(request.session, request.org)
    context = await PlanItemContext.opened(
        request,
        ppos=tuple((one.id, one.name) for one in directory.ppos),
        staff=tuple((one.id, one.name) for one in directory.staff),
    )
    return await request.start_new(SPEC, context)


def summary(answers: dict[str, Any], context: PlanItemContext, today: date) -> declaration.Summary:
    lines = [t.item_preview(context.scope_name), ""]
    lines += declaration.field_lines(SPEC, answers)
    typed = answers.get("responsible")
    if typed is not None and context.resolve(typed) is None:
        lines += ["", "❗ " + t.bad_responsible(typed), t.ITEM_FIX_HINT]
    return declaration.Summary("\n".join([*lines, "", forms.SUMMARY_CONFIRM_HINT]))


async def submit(submission: declaration.Submission[PlanItemContext]) -> str:
    session, answers, context = submission.session, submission.draft.answers, submission.context
    scope = await orgs.get_org(session, context.scope_id)
    assert scope is not None
    # Read again: one named when the form opened may have left the scope since; then the
    # question is asked again, the item's text and deadline kept.
    who = parse_responsible(answers["responsible"], await scope_directory(session, scope))
    if who is None:
        raise AskAgain("responsible", "❗ " + t.bad_responsible(answers["responsible"]))
    plan = await store.latest_plan(session, context.scope_id)
    if plan is None:
        plan = await store.create_plan(
            session, context.scope_id, t.PLAN_DEFAULT_TITLE, submission.person_id, submission.now
        )
    number = next_number([item.number for item in await store.items_of(session, [plan.id])])
    item = PlanItem(
        plan_id=plan.id,
        number=number,
        text=answers["text"],
        responsible=who.kind,
        person_id=who.id if who.kind == RESPONSIBLE_STAFF else None,
        org_id=who.id if who.kind == RESPONSIBLE_PPO else None,
        created_at=submission.now,
        updated_at=submission.now,
    )
    set_deadline(item, _stored(answers["deadline"]))
    session.add(item)
    await session.flush()
    submission.audit(
        "plan.item_add",
        context.scope_id,
        after={"item": item.id, "plan": plan.id, "text": item.text},
    )
    return t.item_added(number, plan.title)


PLAN_ITEM_FORM: declaration.Form[PlanItemContext] = declaration.Form(
    spec=SPEC,
    context=PlanItemContext,
    open=open_form,
    summary=summary,
    submit=submit,
    menu=declaration.MenuEntry("planitem", t.CMD_PLANITEM),
)
