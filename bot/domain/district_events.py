"""District events (seed 000: the presidium counts who came to each seminar and names the chairs
whose organizations sent nobody): staff announce one for the ППО of their scope.

The staff form asks what, when, where, which ППО are expected (all of the scope, a typed list
of numbers and names, or those under a coverage level), an optional quota per ППО and the
day answers are due. The ППО of the scope are read once, when the form opens, into its
context; the summary shows exactly who will be invited, and the submit stores the event with
one invite per ППО still in the scope. Invitations, reminders and the attendance prompt are
the clockwork's (``bot/domain/district_event_mail.py``); answers and attendance are
``bot/domain/district_event_answers.py``.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from bot.domain.coverage import coverage
from bot.forms import declaration
from bot.forms.engine import AskAgain, Choice, Field, FormSpec, InvalidAnswer, ParseEnv, Rule
from bot.forms.event import DIRECTION, KIND_CHOICES, KIND_OTHER
from bot.forms.fields import asked_when, one_of
from bot.forms.parsers import (
    date_ahead,
    deadline,
    not_past,
    show_date,
    text,
    typed_int,
    whole_number,
)
from bot.texts import district_events as t
from bot.texts import forms
from storage import digest, orgs
from storage import district_events as store
from storage.contacts import chairs_of
from storage.models import DistrictEvent
from storage.submissions import stored_for

WHO_ALL, WHO_LIST, WHO_BELOW = "all", "list", "below"
WHO_CHOICES = (
    Choice(WHO_ALL, t.WHO_ALL),
    Choice(WHO_LIST, t.WHO_LIST),
    Choice(WHO_BELOW, t.WHO_BELOW),
)
_TIME = re.compile(r"(?:в\s*)?([0-9]{1,2})[:.]([0-9]{2})$")
_ONLINE_WORDS = ("http://", "https://", "онлайн", "online", "zoom", "vk.com", "t.me/")
_LIST_SPLIT = re.compile(r"[\n;]+")
MAX_QUOTA = 500
HORIZON = timedelta(days=366)
VALUES_ROOM = 2400
"""UTF-16 units the answers may take in the summary (a title of 300, a place of 500 and a
typed list of 3000 would fill it past one message): the scope, the labels, the pieces the
list did not find (``t.UNRESOLVED_ROOM``) and the hints take the rest of Telegram's 4096."""


def starts(raw: str, env: ParseEnv) -> str:
    """«05.12.2026 10:00», «5.12 в 10.00»: a local date and time still ahead, as ISO. An hour
    already past today is refused like a past day: the event would be stored as begun, and
    the clockwork never invites to one that has begun."""
    value = " ".join(raw.strip().split())
    found = _TIME.search(value)
    if found is None:
        raise InvalidAnswer(t.BAD_STARTS)
    hour, minute = int(found.group(1)), int(found.group(2))
    if hour > 23 or minute > 59:
        raise InvalidAnswer(t.BAD_STARTS)
    day = date.fromisoformat(date_ahead(value[: found.start()].strip(), env))
    start = datetime.combine(day, time(hour, minute)).isoformat(timespec="minutes")
    if (passed := still_ahead(start, env)) is not None:
        raise InvalidAnswer(passed)
    if day > env.today + HORIZON:
        raise InvalidAnswer(t.STARTS_TOO_FAR)
    return start


def still_ahead(value: str, env: ParseEnv) -> str | None:
    """A start kept in a draft while its hour came: passed, so asked again (why, else None)."""
    start = datetime.fromisoformat(value)
    if start.date() < env.today:
        return t.STARTS_PAST
    if start.date() == env.today and start.time() <= env.time_of_day:
        return t.starts_passed_today(env.time_of_day)
    return None


def show_starts(value: Any) -> str:
    return t.when(datetime.fromisoformat(value))


def _answer_in_time(answers: Any) -> str | None:
    held_on = datetime.fromisoformat(answers["starts"]).date()
    return None if date.fromisoformat(answers["answer_by"]) <= held_on else t.ANSWER_AFTER_START


SPEC = FormSpec(
    name="devent",
    title=t.TITLE,
    fields=(
        one_of("kind", t.L_KIND, t.Q_KIND, KIND_CHOICES),
        KIND_OTHER,
        Field("title", t.L_TITLE, t.Q_TITLE, text(maximum=300, minimum=3)),
        Field("starts", t.L_STARTS, t.Q_STARTS, starts, show=show_starts, recheck=still_ahead),
        Field("place", t.L_PLACE, t.Q_PLACE, text(maximum=500, minimum=3)),
        DIRECTION,
        one_of("who", t.L_WHO, t.Q_WHO, WHO_CHOICES),
        Field(
            "list",
            t.L_LIST,
            t.Q_LIST,
            text(maximum=3000, minimum=1),
            ask_if=asked_when("who", WHO_LIST),
        ),
        Field(
            "below",
            t.L_BELOW,
            t.Q_BELOW,
            whole_number(minimum=1, maximum=100),
            ask_if=asked_when("who", WHO_BELOW),
        ),
        Field(
            "quota", t.L_QUOTA, t.Q_QUOTA, whole_number(minimum=1, maximum=MAX_QUOTA), optional=True
        ),
        Field(
            "answer_by", t.L_ANSWER_BY, t.Q_ANSWER_BY, deadline, show=show_date, recheck=not_past
        ),
    ),
    rules=(Rule(("starts", "answer_by"), _answer_in_time),),
)


class PpoRef(BaseModel):
    """A ППО of the scope as the form knows it: what a typed list is matched against."""

    model_config = ConfigDict(frozen=True)

    id: int
    name: str
    key: str
    coverage: float | None = None


class DistrictEventContext(declaration.StaffScopeContext):
    """The announcing scope and its ППО (with their latest coverage), read when the form
    opened."""

    ppos: tuple[PpoRef, ...]


def resolve(raw: str, ppos: tuple[PpoRef, ...]) -> tuple[list[PpoRef], list[str]]:
    """The ППО a typed list names (numbers from /orgs or names, a unique part of a name is
    enough), and the pieces that name none or several."""
    pieces = [p.strip() for p in _LIST_SPLIT.split(raw) if p.strip()]
    refs: list[str] = []
    for piece in pieces:
        numbers = [part.strip().lstrip("№#").strip() for part in piece.split(",")]
        if all(typed_int(n) is not None for n in numbers):
            refs += numbers
        else:
            refs += [part.strip() for part in piece.split(",") if part.strip()]
    by_id = {p.id: p for p in ppos}
    found: dict[int, PpoRef] = {}
    missing: list[str] = []
    for ref in refs:
        number = typed_int(ref.lstrip("№#").strip())
        key = orgs.name_key(ref)
        exact = [p for p in ppos if p.key == key]
        matches = [by_id[number]] if number in by_id else exact or [p for p in ppos if key in p.key]
        if len(matches) == 1:
            found[matches[0].id] = matches[0]
        else:
            missing.append(ref)
    return list(found.values()), missing


_WHO_ASKED = {WHO_LIST: "list", WHO_BELOW: "below"}
"""The question asked again when nobody is invited: the list typed, or the coverage level."""


def expected(
    answers: dict[str, Any], context: DistrictEventContext
) -> tuple[list[PpoRef], list[str]]:
    """Who the answers invite, and the typed pieces that matched nobody."""
    who = answers.get("who")
    if who == WHO_LIST:
        return resolve(answers.get("list") or "", context.ppos)
    if who == WHO_BELOW:
        level = answers.get("below") or 0
        return [p for p in context.ppos if p.coverage is not None and p.coverage < level], []
    return list(context.ppos), []


async def open_form(request: declaration.OpenRequest) -> declaration.Opening:
    scope = request.org
    rows = await digest.ppo_rows(request.session, scope.id)
    reports = await digest.latest_before(request.session, scope.id, date.max)
    ppos = []
    for row in rows:
        report = reports.get(row.org_id)
        share = None if report is None else coverage(report.members, report.workers)
        key = orgs.name_key(row.name)
        ppos.append(PpoRef(id=row.org_id, name=row.name, key=key, coverage=share))
    context = await DistrictEventContext.opened(request, ppos=tuple(ppos))
    return await request.start_new(SPEC, context)


def summary(
    answers: dict[str, Any], context: DistrictEventContext, today: date
) -> declaration.Summary:
    lines = declaration.field_lines(SPEC, answers, room=VALUES_ROOM)
    invited, missing = expected(answers, context)
    text_lines = [t.preview(context.scope_name, len(invited), lines)]
    if missing:
        text_lines.append(t.unresolved(missing))
    if answers.get("who") == WHO_BELOW:
        text_lines.append(t.without_coverage(sum(1 for p in context.ppos if p.coverage is None)))
    if not invited:
        text_lines.append(t.NOBODY_INVITED)
    return declaration.Summary("\n".join([*text_lines, "", forms.SUMMARY_CONFIRM_HINT]))


def is_online(place: str) -> bool:
    lowered = place.casefold()
    return any(word in lowered for word in _ONLINE_WORDS)


async def submit(submission: declaration.Submission[DistrictEventContext]) -> str:
    session, context, answers = submission.session, submission.context, submission.draft.answers
    if await stored_for(session, DistrictEvent, submission.draft.token) is not None:
        return t.ALREADY_CREATED
    invited, _ = expected(answers, context)
    in_scope = {org.id for org in await orgs.ppo_in_scope(session, context.scope_id)}
    org_ids = [p.id for p in invited if p.id in in_scope]
    if not org_ids:  # the summary warned, or the ППО named have left the scope since
        raise AskAgain(_WHO_ASKED.get(answers["who"], "who"), "❗ " + t.NOBODY_INVITED)
    local_start = datetime.fromisoformat(answers["starts"])
    zone = ZoneInfo(context.tz or "UTC")
    event = await store.add_event(
        session,
        DistrictEvent(
            scope_org_id=context.scope_id,
            kind=answers["kind"],
            kind_other=answers.get("kind_other") if answers["kind"] == "other" else None,
            direction=answers["direction"],
            title=answers["title"],
            starts_at=local_start.replace(tzinfo=zone),
            starts_on=local_start.date(),
            place=answers["place"],
            online=is_online(answers["place"]),
            quota=answers.get("quota"),
            answer_by=date.fromisoformat(answers["answer_by"]),
            created_by=submission.person_id,
            created_at=submission.now,
            submission_key=submission.draft.token,
        ),
        org_ids,
    )
    submission.audit(
        "devent.create",
        context.scope_id,
        after={"event": event.id, "title": event.title, "invited": len(org_ids)},
    )
    connected = len(await chairs_of(session, org_ids))
    return t.created(event.title, len(org_ids), len(org_ids) - connected)


DISTRICT_EVENT_FORM: declaration.Form[DistrictEventContext] = declaration.Form(
    spec=SPEC,
    context=DistrictEventContext,
    open=open_form,
    summary=summary,
    submit=submit,
    menu=declaration.MenuEntry("devent", t.CMD_DEVENT),
)
