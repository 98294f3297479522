"""Answers to a district event (``bot/domain/district_events.py``): a chair's «будем, N
человек» or «не сможем, потому что…», and afterwards how many actually came, typed by the
chair or by the staff for each ППО.

Each is a small form on the engine, opened from a button of the invitation, the reminder or
the attendance prompt (``handlers/district_events.py`` checks who taps). The checks that
matter are made again when the answer is stored: only the chair of the invited ППО answers
for it (the base context's rule), an answer is taken until the end of the answer day in the
ППО's own zone and before the event starts, attendance only once the event has started.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Self
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.calendar import local_today
from bot.domain.district_events import PpoRef, resolve
from bot.domain.staff_scope import lineage
from bot.forms import declaration
from bot.forms.engine import AskAgain, Choice, Field, FormSpec, Rule
from bot.forms.fields import asked_when, one_of
from bot.forms.parsers import text, whole_number
from bot.texts import district_events as t
from bot.texts import forms
from storage import district_events as store
from storage import orgs
from storage.models import DistrictEvent, DistrictEventAnswer, DistrictEventInvite

MAX_PEOPLE = 10_000
COMING, DECLINED = DistrictEventAnswer.COMING.value, DistrictEventAnswer.DECLINED.value
ANSWER_CHOICES = (Choice(COMING, t.ANSWER_COMING), Choice(DECLINED, t.ANSWER_DECLINED))


def _within_quota(answers: Any) -> str | None:
    """The quota rides in the answers (put there when the form opens), so the engine's rule
    can refuse a number above it at the question itself."""
    quota = int(answers["quota"])
    return None if int(answers["people"]) <= quota else t.over_quota(quota)


REPLY = FormSpec(
    name="devent_reply",
    title=t.REPLY_TITLE,
    fields=(
        one_of("answer", t.L_ANSWER, t.Q_ANSWER, ANSWER_CHOICES),
        Field(
            "people",
            t.L_PEOPLE,
            t.Q_PEOPLE,
            whole_number(minimum=1, maximum=MAX_PEOPLE),
            ask_if=asked_when("answer", COMING),
        ),
        Field(
            "reason",
            t.L_REASON,
            t.Q_REASON,
            text(maximum=500),
            ask_if=asked_when("answer", DECLINED),
        ),
    ),
    rules=(Rule(("people", "quota"), _within_quota),),
)
CAME = FormSpec(
    name="devent_came",
    title=t.CAME_TITLE,
    fields=(Field("came", t.L_CAME, t.Q_CAME, whole_number(minimum=0, maximum=MAX_PEOPLE)),),
)
STAFF_CAME = FormSpec(
    name="devent_staff_came",
    title=t.STAFF_CAME_TITLE,
    fields=(Field("lines", t.L_CAME_LINES, t.Q_CAME_LINES, text(maximum=4000, minimum=1)),),
)


def event_subject(event_id: int, title: str) -> declaration.Subject:
    """What a district event's forms are about: a tap under another event is told apart."""
    return declaration.Subject("district_event", event_id, title)


class ChairEventContext(declaration.FormContext):
    """A chair's answer about one event for the draft's ППО (the base rule: its chair only)."""

    event_id: int
    org_name: str
    title: str

    @property
    def subject(self) -> declaration.Subject:
        return event_subject(self.event_id, self.title)


class StaffEventContext(declaration.ScopeContext):
    """A staff form on one event, opened from the scope (``request.org``) it belongs to."""

    event_id: int
    title: str

    @property
    def subject(self) -> declaration.Subject:
        return event_subject(self.event_id, self.title)

    @classmethod
    async def of_event(
        cls, request: declaration.OpenRequest, event: DistrictEvent, **fields: Any
    ) -> Self:
        lineage_ids = tuple(await lineage(request.session, request.org))
        return cls(
            event_id=event.id, title=event.title, lineage=lineage_ids, tz=request.tz, **fields
        )


class StaffCameContext(StaffEventContext):
    """Staff typing the attendance of an event's invited ППО (read when the form opened)."""

    ppos: tuple[PpoRef, ...]


def answers_open(event: DistrictEvent, tz: str, now: datetime) -> bool:
    """Answers are taken until the end of the answer day in the ППО's zone, and never once
    the event has begun or was called off."""
    return (
        event.cancelled_at is None
        and now < event.starts_at
        and local_today(now, ZoneInfo(tz)) <= event.answer_by
    )


async def start_reply(
    request: declaration.OpenRequest, event: DistrictEvent, answer: DistrictEventAnswer | None
) -> declaration.Started:
    """The reply form for ``request.org`` on ``event``; a tapped answer is taken already."""
    context = ChairEventContext(
        event_id=event.id, org_name=request.org.name, title=event.title, tz=request.tz
    )
    answers: dict[str, Any] = {} if event.quota is None else {"quota": event.quota}
    if answer is not None:
        answers["answer"] = answer.value
    step = REPLY.next_step("answer", answers) if answer is not None else REPLY.first_step({})
    return await request.start(REPLY, context, org_id=request.org.id, step=step, answers=answers)


async def start_came(request: declaration.OpenRequest, event: DistrictEvent) -> declaration.Started:
    context = ChairEventContext(
        event_id=event.id, org_name=request.org.name, title=event.title, tz=request.tz
    )
    return await request.start_new(CAME, context, org_id=request.org.id)


async def _invited_events(request: declaration.OpenRequest) -> list[DistrictEvent]:
    """The events the ППО is invited to, newest first."""
    return list(await store.events_of_ppo(request.session, request.org.id))


async def open_reply(request: declaration.OpenRequest) -> declaration.Opening:
    """Opened without a tapped answer: the invitation of the ППО whose answer is due first."""
    for event in reversed(await _invited_events(request)):
        if answers_open(event, request.tz, request.now):
            return await start_reply(request, event, None)
    return declaration.PickOne(t.NO_OPEN_INVITATIONS, ())


async def open_came(request: declaration.OpenRequest) -> declaration.Opening:
    """Opened without an event: the latest event of the ППО that has begun."""
    for event in await _invited_events(request):
        if event.starts_at <= request.now:
            return await start_came(request, event)
    return declaration.PickOne(t.NO_OPEN_INVITATIONS, ())


def reply_summary(
    answers: dict[str, Any], context: ChairEventContext, today: date
) -> declaration.Summary:
    lines = [*declaration.field_lines(REPLY, answers), "", forms.SUMMARY_CONFIRM_HINT]
    return declaration.Summary(t.reply_preview(context.org_name, context.title, lines))


def came_summary(
    answers: dict[str, Any], context: ChairEventContext, today: date
) -> declaration.Summary:
    lines = [*declaration.field_lines(CAME, answers), "", forms.SUMMARY_CONFIRM_HINT]
    return declaration.Summary(t.came_preview(context.org_name, context.title, lines))


async def _invite(
    session: AsyncSession, event_id: int, org_id: int | None
) -> tuple[DistrictEvent, DistrictEventInvite] | None:
    event = await store.get_event(session, event_id)
    invite = (
        None
        if event is None or org_id is None
        else await store.invite_of(session, event_id, org_id)
    )
    return None if event is None or invite is None else (event, invite)


async def submit_reply(submission: declaration.Submission[ChairEventContext]) -> str:
    draft, context, now = submission.draft, submission.context, submission.now
    found = await _invite(submission.session, context.event_id, draft.org_id)
    if found is None:
        return t.NO_OPEN_INVITATIONS
    event, invite = found
    if event.cancelled_at is not None:
        return t.EVENT_CANCELLED
    if not answers_open(event, context.tz or "UTC", now):
        return t.ANSWERS_CLOSED
    answers = draft.answers
    coming = answers["answer"] == COMING
    before = {"answer": invite.answer, "people": invite.people, "reason": invite.reason}
    invite.answer = DistrictEventAnswer(answers["answer"])
    invite.people = int(answers["people"]) if coming else None
    invite.reason = None if coming else answers["reason"]
    invite.answered_at, invite.answered_by = now, submission.person_id
    submission.audit(
        "devent.answer",
        invite.org_id,
        before={"event": event.id, **before},
        after={"event": event.id, "answer": invite.answer, "people": invite.people},
    )
    return t.reply_saved(coming, invite.people)


def _record_came(
    submission: declaration.Submission[Any], invite: DistrictEventInvite, count: int
) -> None:
    before = invite.attended
    invite.attended, invite.attended_at = count, submission.now
    invite.attended_by = submission.person_id
    submission.audit(
        "devent.attended",
        invite.org_id,
        before={"event": invite.event_id, "attended": before},
        after={"event": invite.event_id, "attended": count},
    )


async def submit_came(submission: declaration.Submission[ChairEventContext]) -> str:
    found = await _invite(submission.session, submission.context.event_id, submission.draft.org_id)
    if found is None:
        return t.NO_OPEN_INVITATIONS
    event, invite = found
    if submission.now < event.starts_at:
        return t.NOT_STARTED
    count = int(submission.draft.answers["came"])
    _record_came(submission, invite, count)
    return t.came_saved(count)


_CAME_LINE = re.compile(
    r"^(?P<ref>.*?)(?<![№#\s])[\s:—–\-]+(?P<count>[0-9]{1,5})\s*(?:чел\.?|человек[а]?)?$"
)
"""«ППО — число»: the count is the line's last number, never one straight after «№» (in
«Школа № 5» the 5 is the school's)."""


def _unnumbered(key: str) -> str:
    """A name key without its number signs: «детский сад 12» is typed for «Детский сад № 12»."""
    return " ".join(key.replace("№", " ").replace("#", " ").split())


def _names_a_ppo(line: str, ppos: tuple[PpoRef, ...]) -> bool:
    """Whether the whole line, its last number too, is an invited ППО's name or whole words of
    it: the longest reading wins, so in «МБОУ СОШ № 1» or «детский сад 12» the number is the
    name's and no count was typed (read as a count, it stored 1 or 12 people)."""
    typed = re.compile(rf"(?<!\w){re.escape(_unnumbered(orgs.name_key(line)))}(?!\w)")
    return any(typed.search(_unnumbered(ppo.key)) for ppo in ppos)


def parse_came_lines(
    raw: str, ppos: tuple[PpoRef, ...]
) -> tuple[dict[int, tuple[PpoRef, int]], list[str]]:
    """Staff's «ППО — число» lines: the count per invited ППО, and the lines not understood
    (no number, a number past what a chair may enter, only the number of an invited ППО's
    name, or a name that matches no invited ППО or several)."""
    counts: dict[int, tuple[PpoRef, int]] = {}
    missing: list[str] = []
    for line in (part.strip() for part in raw.splitlines()):
        if not line:
            continue
        match = None if _names_a_ppo(line, ppos) else _CAME_LINE.match(line)
        found, _ = resolve(match.group("ref"), ppos) if match else ([], [])
        if match is None or len(found) != 1 or int(match.group("count")) > MAX_PEOPLE:
            missing.append(line)
            continue
        counts[found[0].id] = (found[0], int(match.group("count")))
    return counts, missing


async def start_staff_came(
    request: declaration.OpenRequest, event: DistrictEvent
) -> declaration.Started:
    """Staff type the attendance of ``event``; ``request.org`` is the event's scope."""
    rows = await store.invite_rows(request.session, event.id)
    ppos = tuple(PpoRef(id=r.org_id, name=r.org_name, key=orgs.name_key(r.org_name)) for r in rows)
    context = await StaffCameContext.of_event(request, event, ppos=ppos)
    return await request.start_new(STAFF_CAME, context)


async def open_staff_came(request: declaration.OpenRequest) -> declaration.Opening:
    """Opened without an event: the scope's latest event that has begun."""
    for event in await store.scope_events(request.session, request.org.id):
        if event.starts_at <= request.now:
            return await start_staff_came(request, event)
    return declaration.PickOne(t.NO_EVENTS, ())


def staff_came_summary(
    answers: dict[str, Any], context: StaffCameContext, today: date
) -> declaration.Summary:
    counts, missing = parse_came_lines(answers.get("lines") or "", context.ppos)
    named = [(ppo.name, count) for ppo, count in counts.values()]
    lines = [t.came_lines(named)] if named else []
    if missing:
        lines.append(t.came_not_understood(missing))
    if not counts:
        lines.append(t.NOTHING_RECOGNISED)
    lines += ["", forms.SUMMARY_CONFIRM_HINT]
    return declaration.Summary(t.staff_came_preview(context.title, lines))


async def submit_staff_came(submission: declaration.Submission[StaffCameContext]) -> str:
    session, context = submission.session, submission.context
    event = await store.get_event(session, context.event_id)
    if event is None:
        return t.NO_EVENTS
    if submission.now < event.starts_at:
        return t.NOT_STARTED
    counts, _ = parse_came_lines(submission.draft.answers["lines"], context.ppos)
    if not counts:  # the summary said so: the lines are asked again, not dropped
        raise AskAgain("lines", "❗ " + t.NOTHING_RECOGNISED)
    saved = 0
    for org_id, (_, count) in counts.items():
        invite = await store.invite_of(session, event.id, org_id)
        if invite is not None:
            _record_came(submission, invite, count)
            saved += 1
    return t.staff_came_saved(saved)


REPLY_FORM: declaration.Form[ChairEventContext] = declaration.Form(
    spec=REPLY,
    context=ChairEventContext,
    open=open_reply,
    summary=reply_summary,
    submit=submit_reply,
)
CAME_FORM: declaration.Form[ChairEventContext] = declaration.Form(
    spec=CAME,
    context=ChairEventContext,
    open=open_came,
    summary=came_summary,
    submit=submit_came,
)
STAFF_CAME_FORM: declaration.Form[StaffCameContext] = declaration.Form(
    spec=STAFF_CAME,
    context=StaffCameContext,
    open=open_staff_came,
    summary=staff_came_summary,
    submit=submit_staff_came,
)
