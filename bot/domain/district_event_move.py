"""Moving a district event (another day, hour or place), by staff of its scope, before it
begins: a small form opened from the event's card, each question offering the current value
as one tap.

The event keeps its invitees and their answers. What was waiting to go out about it (an
invitation, a reminder) is dropped and written afresh by the clockwork with the new details;
the chairs whose invitation went out are told the new time and place («перенесено»), at the
next allowed moment of their zone or at once if that would come after the new start. Their
old buttons still answer, while answers are open.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.district_event_answers import StaffEventContext
from bot.domain.district_event_news import NewsText, still_ahead, tell_invited
from bot.domain.district_events import SPEC as ANNOUNCED
from bot.domain.district_events import is_online
from bot.forms import declaration
from bot.forms.engine import FormSpec
from bot.texts import district_events as t
from bot.texts import forms
from storage import district_events as store
from storage.models import DistrictEvent
from storage.outbox_keys import KeyPurpose

MOVE = FormSpec(
    name="devent_move",
    title=t.MOVE_TITLE,
    fields=tuple(ANNOUNCED.field(name) for name in ("starts", "place", "answer_by")),
    rules=tuple(rule for rule in ANNOUNCED.rules if "answer_by" in rule.fields),
)


class MoveContext(StaffEventContext):
    """The event being moved and what it says now (local start, place, answer day, as the
    form stores them): each is offered as one tap. ``default_tz``: the zone of ППО without one
    of their own (``TIMEZONE``, as in the clockwork's invitations); drafts begun before it was
    kept have None and use the scope's."""

    current: dict[str, str]
    default_tz: str | None = None


async def start_move(request: declaration.OpenRequest, event: DistrictEvent) -> declaration.Started:
    """The form for ``event``; ``request.org`` is the event's scope."""
    local = event.starts_at.astimezone(ZoneInfo(request.tz))
    current = {
        "starts": local.replace(tzinfo=None).isoformat(timespec="minutes"),
        "place": event.place,
        "answer_by": event.answer_by.isoformat(),
    }
    context = await MoveContext.of_event(
        request, event, current=current, default_tz=request.default_tz
    )
    return await request.start_new(MOVE, context)


async def open_move(request: declaration.OpenRequest) -> declaration.Opening:
    """Opened without an event (by name): the card is where an event is picked."""
    return declaration.PickOne(t.MOVE_FROM_CARD, ())


def move_summary(answers: dict[str, Any], context: MoveContext, today: date) -> declaration.Summary:
    lines = [t.move_preview(context.title), *declaration.field_lines(MOVE, answers)]
    return declaration.Summary("\n".join([*lines, "", t.MOVE_HINT, forms.SUMMARY_CONFIRM_HINT]))


def _reschedule(event: DistrictEvent, answers: dict[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    """Apply the answers; what the event said before, for the audit log."""
    before = {"starts": event.starts_at.isoformat(), "place": event.place}
    before["answer_by"] = event.answer_by.isoformat()
    local_start = datetime.fromisoformat(answers["starts"])
    event.starts_at, event.starts_on = local_start.replace(tzinfo=zone), local_start.date()
    event.place, event.online = answers["place"], is_online(answers["place"])
    event.answer_by = date.fromisoformat(answers["answer_by"])
    return before


async def submit_move(submission: declaration.Submission[MoveContext]) -> str:
    session, context = submission.session, submission.context
    event = await store.event_to_change(session, context.event_id)
    if event is None:
        return t.NO_EVENTS
    if not still_ahead(event, submission.now):
        return t.CANNOT_MOVE
    before = _reschedule(event, submission.draft.answers, ZoneInfo(context.tz or "UTC"))
    told = await tell_invited(
        session,
        event,
        await store.recall_unsent(session, event),
        text=_moved_text(event),
        purpose=KeyPurpose.DISTRICT_MOVED,
        now=submission.now,
        settings=submission.calendar,
        default_tz=context.default_tz or context.tz or "UTC",
    )
    after = {"starts": event.starts_at.isoformat(), "place": event.place}
    after["answer_by"] = event.answer_by.isoformat()
    submission.audit("devent.move", event.scope_org_id, before=before, after=after | {"told": told})
    return t.moved(event.title, told)


def _moved_text(event: DistrictEvent) -> NewsText:
    def text(org: str, starts: datetime) -> str:
        where, online, answer_by = event.place, event.online, event.answer_by
        return t.moved_notice(org, event.title, starts, where, online, answer_by)

    return text


MOVE_FORM: declaration.Form[MoveContext] = declaration.Form(
    spec=MOVE,
    context=MoveContext,
    open=open_move,
    summary=move_summary,
    submit=submit_move,
    previous_value=lambda name, context: context.current.get(name),
)
