"""One-off data requests staff open for their ППО («обновить паспорт до 30.11»).

What a request may ask for is every chair's form declared with a ``request_kind``:
the registry builds this form from that list (:func:`request_form`), so a new requestable
form needs no line here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.calendar import local_today, next_working_day
from bot.forms import declaration
from bot.forms.engine import Choice, Field, FormSpec
from bot.forms.fields import one_of
from bot.forms.parsers import deadline, not_past, show_date, text
from bot.texts import forms
from bot.texts import staff as t
from storage import collections, orgs
from storage.models import CollectionKind


def _spec(kinds: tuple[Choice, ...]) -> FormSpec:
    return FormSpec(
        name="request",
        title=t.REQUEST_TITLE,
        fields=(
            one_of("kind", t.L_REQUEST_KIND, t.Q_REQUEST_KIND, kinds),
            Field(
                "deadline", t.L_DEADLINE, t.Q_DEADLINE, deadline, show=show_date, recheck=not_past
            ),
            Field("title", t.L_REQUEST_NAME, t.Q_REQUEST_NAME, text(maximum=200, minimum=5)),
        ),
    )


class RequestContext(declaration.StaffScopeContext):
    """A request's draft: the district or region it goes to and how many ППО it reaches."""

    targets: int


async def _open(spec: FormSpec, request: declaration.OpenRequest) -> declaration.Opening:
    targets = len(await orgs.ppo_in_scope(request.session, request.org.id))
    context = await RequestContext.opened(request, targets=targets)
    return await request.start_new(spec, context)


def _summary(
    spec: FormSpec, answers: dict[str, Any], context: RequestContext, today: date
) -> declaration.Summary:
    lines = [t.request_preview(context.scope_name, context.targets), ""]
    lines += declaration.field_lines(spec, answers)
    return declaration.Summary("\n".join([*lines, "", forms.SUMMARY_CONFIRM_HINT]))


async def submit(submission: declaration.Submission[RequestContext]) -> str:
    session, answers, scope_id = (
        submission.session,
        submission.draft.answers,
        submission.context.scope_id,
    )
    now = submission.now
    # The month it is opened in, in the scope's zone: on 1 December at 08:00 in Vladivostok
    # it is still November in UTC, and the reports answering it are for December.
    period = local_today(now, ZoneInfo(submission.context.tz or "UTC")).replace(day=1)
    due = next_working_day(date.fromisoformat(answers["deadline"]))
    kind = CollectionKind(answers["kind"])
    existing = await collections.find_collection(
        session,
        kind=kind,
        scope_org_id=scope_id,
        period=period,
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
        period=period,
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


def request_form(forms: Sequence[declaration.Form[Any]]) -> declaration.Form[RequestContext]:
    """The /request form, offering every one of ``forms`` declared with a ``request_kind`` (its
    name is the request's collection kind)."""
    kinds = tuple(
        Choice(form.name, form.request_kind) for form in forms if form.request_kind is not None
    )
    spec = _spec(kinds)
    return declaration.Form(
        spec=spec,
        context=RequestContext,
        open=partial(_open, spec),
        summary=partial(_summary, spec),
        submit=submit,
        menu=declaration.MenuEntry("request", t.CMD_REQUEST),
    )
