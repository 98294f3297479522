"""The leadership reserve of a ППО (кадровый резерв, seeds 001 item 6 and 002 item 7): people
prepared to lead it, kept current by the chair from the passport card.

Adding is a small declared form («reserve»: name, position, under 35 or not, in union
training or not), opened by the
card's button; removing is a button under the reserve list (``handlers/reserve.py``). Both are
written to the audit log. Staff see the reserve's size per ППО in /passports.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.forms import declaration
from bot.forms.passport import RESERVE
from bot.texts import forms
from bot.texts import passport as t
from storage import audit, passports
from storage.models import ReservePerson
from storage.submissions import stored_for

RESERVE_LIMIT = 50
"""People in one ППО's reserve at most: the list's remove buttons must fit one keyboard
(Telegram takes 100 buttons), and a reserve is a few people prepared to lead, not a roster."""


class ReserveContext(declaration.FormContext):
    org_name: str


async def open_form(request: declaration.OpenRequest) -> declaration.Opening:
    context = ReserveContext(org_name=request.org.name, tz=request.tz)
    return await request.start_new(RESERVE, context, org_id=request.org.id)


def summary(answers: dict[str, Any], context: ReserveContext, today: date) -> declaration.Summary:
    lines = [
        t.reserve_summary(context.org_name),
        "",
        *declaration.field_lines(RESERVE, answers, skipped_shown=True),
        "",
    ]
    return declaration.Summary("\n".join([*lines, forms.SUMMARY_CONFIRM_HINT]))


def _record(person: ReservePerson) -> dict[str, Any]:
    return {
        "full_name": person.full_name,
        "position": person.position,
        "under_35": person.under_35,
        "trained": person.trained,
    }


async def submit(submission: declaration.Submission[ReserveContext]) -> str:
    """Idempotent on the draft's token: a repeated confirmation adds nobody twice."""
    session, draft, now = submission.session, submission.draft, submission.now
    assert draft.org_id is not None
    present = await passports.reserve_of(session, draft.org_id)
    if len(present) >= RESERVE_LIMIT and not await stored_for(session, ReservePerson, draft.token):
        return t.reserve_full(RESERVE_LIMIT)
    answers = RESERVE.visible_answers(draft.answers)
    person, added = await passports.add_reserve_person(
        session,
        org_id=draft.org_id,
        full_name=answers["full_name"],
        position=answers["position"],
        under_35=bool(answers["under_35"]),
        trained=bool(answers["trained"]),
        by=submission.person_id,
        now=now,
        key=draft.token,
    )
    if added:
        submission.audit("reserve.add", draft.org_id, after=_record(person))
    total = len(await passports.reserve_of(session, draft.org_id))
    return t.reserve_added(person.full_name, total)


async def remove(session: AsyncSession, person: ReservePerson, *, by: int, now: datetime) -> int:
    """Take a person out of the reserve; how many remain. The row goes (the reserve lists only
    current people); the audit log keeps the change, as for every passport field."""
    org_id = person.org_id
    audit.record(
        session, at=now, actor_id=by, action="reserve.remove", org_id=org_id, before=_record(person)
    )
    await passports.remove_reserve_person(session, person)
    return len(await passports.reserve_of(session, org_id))


RESERVE_FORM: declaration.Form[ReserveContext] = declaration.Form(
    spec=RESERVE,
    context=ReserveContext,
    open=open_form,
    summary=summary,
    submit=submit,
)
"""No command of its own: the passport card's reserve list opens it by a button."""
