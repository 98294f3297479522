"""Event reports: opening the form (new or a correction), its summary, storing, the list of a
year, a quarter or a month."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.event_report import ReportPeriod
from bot.forms import declaration
from bot.forms.engine import SUMMARY
from bot.forms.event import DIRECTION_LABELS, EVENT, MIXED, ONLINE, STREAMED
from bot.forms.parsers import show_date_range
from bot.texts import event_report as ter
from bot.texts import events as t
from bot.texts import forms
from storage import audit, events
from storage.models import Event

OLD_AFTER = timedelta(days=366)


def _place_answer(event: Event) -> str | None:
    """Stored as (online, place): online with a place is a mixed event."""
    if not event.online:
        return event.place
    return MIXED if event.place else ONLINE


def answers_of(event: Event) -> dict[str, Any]:
    mixed = event.online and bool(event.place)
    return {
        "kind": event.kind,
        "kind_other": event.kind_other,
        "topic": event.topic,
        "dates": {"from": event.date_from.isoformat(), "to": event.date_to.isoformat()},
        "place": _place_answer(event),
        "venue": event.place if mixed else None,
        "views": event.views,
        "participants": event.participants,
        "direction": event.direction,
        "photos": list(event.photos or []),
        "description": event.description,
    }


def _stored_place(answers: dict[str, Any]) -> str | None:
    """The place typed: the venue of a mixed event, none for an event held online only."""
    place = answers.get("place")
    if place == MIXED:
        return answers.get("venue")
    return None if place == ONLINE else place


def _values_of(answers: dict[str, Any]) -> dict[str, Any]:
    dates = answers["dates"]
    online = answers.get("place") in STREAMED
    return {
        "kind": answers["kind"],
        "kind_other": answers.get("kind_other"),
        "topic": answers["topic"],
        "date_from": date.fromisoformat(dates["from"]),
        "date_to": date.fromisoformat(dates["to"]),
        "online": online,
        "place": _stored_place(answers),
        "views": answers.get("views") if online else None,
        "participants": answers["participants"],
        "direction": answers["direction"],
        "description": answers.get("description"),
        "photos": list(answers.get("photos") or []),
    }


class EventContext(declaration.FormContext):
    """An event's draft: the ППО, and the event being corrected (None: a new one)."""

    org_name: str
    event_id: int | None = None


async def open_form(request: declaration.OpenRequest) -> declaration.Opening:
    """A new event; with ``request.event``, a correction of it, opened at the summary filled
    with the event, to change single fields."""
    org, event = request.org, request.event
    context = EventContext(
        org_name=org.name, tz=request.tz, event_id=None if event is None else event.id
    )
    if event is None:
        return await request.start_new(EVENT, context, org_id=org.id)
    return await request.start(
        EVENT,
        context,
        org_id=org.id,
        step=SUMMARY,
        answers=EVENT.stored_answers(answers_of(event)),
    )


def _every_field(answers: dict[str, Any]) -> list[str]:
    return declaration.field_lines(EVENT, answers, skipped_shown=True)


def event_card(event: Event, org_name: str) -> str:
    return "\n".join([t.summary_header(org_name), "", *_every_field(answers_of(event))])


def staff_card(event: Event, org_name: str, district_name: str) -> str:
    """The card staff open from the events report (/showevent): its number, ППО, every field."""
    header = ter.card_header(event.id, org_name, district_name)
    return "\n".join([header, "", *_every_field(answers_of(event))])


def summary(answers: dict[str, Any], context: EventContext, today: date) -> declaration.Summary:
    lines = [t.summary_header(context.org_name)]
    if context.event_id is not None:
        lines.append(t.edit_note(context.event_id))
    lines += ["", *_every_field(answers)]
    warnings = []
    dates = answers.get("dates")
    if dates:
        start, end = date.fromisoformat(dates["from"]), date.fromisoformat(dates["to"])
        if end > today:
            warnings.append(t.warn_future(show_date_range(dates)))
        elif start < today - OLD_AFTER:
            warnings.append(t.warn_old(show_date_range(dates)))
    hint = forms.SUMMARY_WARN_HINT if warnings else forms.SUMMARY_CONFIRM_HINT
    lines += ["", *warnings, *([""] if warnings else []), hint]
    return declaration.Summary("\n".join(lines), needs_explicit_confirm=bool(warnings))


async def submit(submission: declaration.Submission[EventContext]) -> str:
    draft, context = submission.draft, submission.context
    assert draft.org_id is not None
    values = _values_of(EVENT.visible_answers(draft.answers))
    if context.event_id is not None:
        return await _correct(submission, context.event_id, values)
    event, created = await events.add_event(
        submission.session,
        org_id=draft.org_id,
        values=values,
        created_by=submission.person_id,
        now=submission.now,
        submission_key=draft.token,
    )
    if created:
        submission.audit(
            "event.create", event.org_id, after={"id": event.id, **events.snapshot(event)}
        )
    return t.saved(context.org_name, date.fromisoformat(draft.answers["dates"]["from"]).year)


async def _correct(
    submission: declaration.Submission[EventContext], event_id: int, values: dict[str, Any]
) -> str:
    event = await events.get_event(submission.session, event_id)
    if event is None or event.org_id != submission.draft.org_id:
        # Deleted meanwhile (another device, another session): a correction must neither
        # revive it nor turn into a second, new event.
        return t.correction_of_deleted(event_id)
    before = events.snapshot(event)
    events.update_event(event, values, submission.now)
    old, new = audit.changes(before, events.snapshot(event))
    submission.audit("event.update", event.org_id, before={"id": event.id, **old}, after=new)
    return t.updated(event.id)


def delete(session: AsyncSession, event: Event, *, by: int, now: datetime) -> None:
    """Deleting keeps the row (marked deleted) and what it held in the audit log."""
    before = events.snapshot(event)
    events.delete_event(event, by=by, now=now)
    audit.record(
        session,
        at=now,
        actor_id=by,
        action="event.delete",
        org_id=event.org_id,
        before={"id": event.id, **before},
    )


@dataclass(frozen=True)
class Overview:
    period: ReportPeriod
    events: Sequence[Event]
    participants: int
    by_direction: list[tuple[str, int, int]]


async def overview(session: AsyncSession, org_id: int, period: ReportPeriod) -> Overview:
    """The ППО's live events begun in ``period``, newest first, with totals by direction."""
    rows = await events.events_between(session, org_id, period.start, period.end)
    counts: Counter[str] = Counter()
    people: Counter[str] = Counter()
    for event in rows:
        counts[event.direction] += 1
        people[event.direction] += event.participants
    by_direction = [
        (DIRECTION_LABELS.get(key, key), counts[key], people[key])
        for key, _ in sorted(counts.items(), key=lambda item: -item[1])
    ]
    return Overview(period, rows, sum(people.values()), by_direction)


EVENT_FORM: declaration.Form[EventContext] = declaration.Form(
    spec=EVENT,
    context=EventContext,
    open=open_form,
    summary=summary,
    submit=submit,
    menu=declaration.MenuEntry("event", t.CMD_EVENT, button=t.MENU_EVENT),
)
