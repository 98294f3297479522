"""One-off data requests staff open for their ППО («обновить паспорт до 30.11»)."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.domain.calendar import next_working_day
from bot.forms import declaration
from bot.forms.engine import Choice, Field, FormSpec
from bot.forms.parsers import choice, deadline, show_date, text
from bot.texts import forms
from bot.texts import staff as t
from storage import collections, orgs
from storage.models import CollectionKind

KINDS = (
    Choice(CollectionKind.MEMBERSHIP.value, t.KIND_MEMBERSHIP),
    Choice(CollectionKind.PASSPORT.value, t.KIND_PASSPORT),
)
REQUEST = FormSpec(
    name="request",
    title=t.REQUEST_TITLE,
    fields=(
        Field(
            "kind",
            t.L_REQUEST_KIND,
            t.Q_REQUEST_KIND,
            choice(KINDS),
            choices=KINDS,
        ),
        Field("deadline", t.L_DEADLINE, t.Q_DEADLINE, deadline, show=show_date),
        Field("title", t.L_REQUEST_NAME, t.Q_REQUEST_NAME, text(maximum=200, minimum=5)),
    ),
)


class RequestContext(declaration.StaffScopeContext):
    """A request's draft: the district or region it goes to and how many ППО it reaches."""

    targets: int


async def open_form(request: declaration.OpenRequest) -> declaration.Opening:
    targets = len(await orgs.ppo_in_scope(request.session, request.org.id))
    context = await RequestContext.opened(request, targets=targets)
    return await request.start_new(REQUEST, context)


def summary(answers: dict[str, Any], context: RequestContext, today: date) -> declaration.Summary:
    lines = [t.request_preview(context.scope_name, context.targets), ""]
    lines += declaration.field_lines(REQUEST, answers)
    return declaration.Summary("\n".join([*lines, "", forms.SUMMARY_CONFIRM_HINT]))


async def submit(submission: declaration.Submission[RequestContext]) -> str:
    session, answers, scope_id = (
        submission.session,
        submission.draft.answers,
        submission.context.scope_id,
    )
    now = submission.now
    due = next_working_day(date.fromisoformat(answers["deadline"]))
    kind = CollectionKind(answers["kind"])
    existing = await collections.find_collection(
        session,
        kind=kind,
        scope_org_id=scope_id,
        period=now.date().replace(day=1),
        one_off=True,
        title=answers["title"],
    )
    if existing is not None:
        return t.REQUEST_EXISTS
    ppo = await orgs.ppo_in_scope(session, scope_id)
    await collections.open_collection(
        session,
        kind=kind,
        scope_org_id=scope_id,
        period=now.date().replace(day=1),
        title=answers["title"],
        one_off=True,
        deadline_for_target=due,
        targets=[(org.id, "request") for org in ppo],
        now=now,
        created_by=submission.person_id,
    )
    submission.audit(
        "request.open",
        scope_id,
        after={
            "kind": kind.value,
            "title": answers["title"],
            "deadline": due.isoformat(),
            "targets": len(ppo),
        },
    )
    return t.request_opened(answers["title"], len(ppo), due.strftime("%d.%m.%Y"))


REQUEST_FORM: declaration.Form[RequestContext] = declaration.Form(
    spec=REQUEST,
    context=RequestContext,
    open=open_form,
    summary=summary,
    submit=submit,
    menu=declaration.MenuEntry("request", t.CMD_REQUEST),
)
