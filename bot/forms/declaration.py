"""A form declared once: its fields, who may open it, how it opens, its menu entry and
reminder button, its summary and how it is stored, and the typed context its drafts keep.

The registry (``bot/forms/registry.py``) lists the declarations; the form lookup, the command
menu, /help, the chair's keyboard and the reminder buttons are derived from it. A draft's
context is JSON in the database and is read and written here only, as the form's
:class:`FormContext`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar, Generic, Self, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.audience import Audience
from bot.domain.calendar import CalendarSettings
from bot.domain.staff_scope import lineage
from bot.domain.viewer import Viewer
from bot.forms import shortcut, stored
from bot.forms.digest_section import DigestSection
from bot.forms.engine import SUMMARY, Answers, FormSpec, ParseEnv, Previous
from bot.texts import forms
from bot.texts.markup import clip, utf16_len
from storage import audit, drafts
from storage.models import Event, FormDraft, MembershipReport, Organization

FormButton = Callable[[str, int], tuple[str, str]]
"""(form name, ППО id) -> (label, callback data) of a button opening that form; made by the
Telegram side (``handlers.keyboards.reminder_button``) so the domain knows no callback format."""


def with_button(text: str, *buttons: tuple[str, str]) -> dict[str, Any]:
    """An outbox payload: ``text`` with its buttons under it, (label, callback data) each. More
    than one go one under another: a second button's label names what it is for («Выполнено:
    срок 31.03»), and side by side on a phone it would be cut short."""
    rows = [[{"text": label, "callback_data": callback_data}] for label, callback_data in buttons]
    return {"text": text, "buttons": rows}


@dataclass(frozen=True)
class Subject:
    """The record a draft is about beyond its organization (a district event): a button for
    another one must not resume the draft unnamed, or the next answer goes to the wrong one."""

    kind: str
    id: int
    title: str = dataclasses.field(compare=False)


class FormContext(BaseModel):
    """What a draft keeps beside the answers, typed per form (a subclass adds its fields).

    ``tz``: the time zone of the form's organization, for «сегодня» and local dates;
    ``editing``: the engine's own state, one field being changed from the summary;
    ``shortcut_from``: the engine's too, the question «как в прошлый раз» was taken at;
    ``earlier``: the engine's too, the old answers of questions asked again because a changed
    answer made them apply again (``FormSpec.reopened``), each offered as one tap until answered.

    ``audience`` (a class attribute) is who may open the form: declared beside :meth:`allows`,
    who may go on with its draft, since the two are one decision.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")
    audience: ClassVar[Audience] = Audience.CHAIR

    tz: str | None = None
    editing: bool = False
    shortcut_from: str | None = None
    earlier: dict[str, Any] = {}

    @classmethod
    def of(cls, draft: FormDraft) -> Self:
        return cls.model_validate(draft.context)

    def store(self, draft: FormDraft) -> None:
        """Write back into ``draft`` (a new dict, so the JSON column is seen as changed)."""
        draft.context = self.model_dump(mode="json")

    def allows(self, viewer: Viewer, org_id: int | None) -> bool:
        """Whether ``viewer`` may go on with the draft; by default its ППО's chair."""
        return org_id is None or viewer.chairs(org_id)

    @property
    def subject(self) -> Subject | None:
        """What the draft is about beyond its organization; most forms: nothing."""
        return None


class ScopeContext(FormContext):
    """A staff form acting on an organization: whoever oversees it (``lineage``: it and its
    parents up to the region) may go on."""

    audience: ClassVar[Audience] = Audience.STAFF | Audience.ADMIN
    lineage: tuple[int, ...]

    def allows(self, viewer: Viewer, org_id: int | None) -> bool:
        return viewer.oversees(*self.lineage)


class StaffScopeContext(ScopeContext):
    """A staff form on the district or region it was opened from: its id and name."""

    scope_id: int
    scope_name: str

    @classmethod
    async def opened(cls, request: OpenRequest, **fields: Any) -> Self:
        """The context of a draft opened on ``request.org``, with the form's own ``fields``."""
        scope = request.org
        return cls(
            scope_id=scope.id,
            scope_name=scope.name,
            lineage=tuple(await lineage(request.session, scope)),
            tz=request.tz,
            **fields,
        )


class AdminContext(FormContext):
    """An admin's form on an organization (``target_org``): admins only may go on."""

    audience: ClassVar[Audience] = Audience.ADMIN
    target_org: int
    org_name: str

    def allows(self, viewer: Viewer, org_id: int | None) -> bool:
        return viewer.is_admin


C = TypeVar("C", bound=FormContext)


@dataclass(frozen=True)
class Summary:
    text: str
    needs_explicit_confirm: bool = False


def field_lines(
    spec: FormSpec, answers: Answers, *, skipped_shown: bool = False, room: int | None = None
) -> list[str]:
    """A line per question of ``spec`` that these answers make apply, for a summary or a card:
    its label and shown value. An empty answer (none, or no photos) is listed as skipped when
    ``skipped_shown`` (a card shows every question), else left out (a summary of what is set).

    ``room``: the UTF-16 units the values may take together. Form bounds count characters and
    Telegram counts an emoji as two, and a form's long answers together can outgrow one
    message; then the longest values are cut to what the shorter ones leave (:func:`_cap`),
    the cut said so (the stored answer stays whole).
    """
    shown: list[tuple[str, str | None]] = []
    for field in spec.fields:
        value = answers.get(field.name)
        empty = value is None or value == []
        if field.applies(answers) and (skipped_shown or not empty):
            shown.append((field.label, None if empty else field.display(value)))
    values = [value for _, value in shown if value is not None]
    if room is not None and sum(utf16_len(value) for value in values) > room:
        cap = _cap([utf16_len(value) for value in values], room)
        shown = [(label, None if v is None else clip(v, cap)) for label, v in shown]
    return [forms.field_line(label, value) for label, value in shown]


def _cap(sizes: list[int], room: int) -> int:
    """The length values of ``sizes`` (more than ``room`` together) are cut to: those under an
    equal share stay whole and leave what they do not use to the longer ones, so a typed list
    is cut rather than the title beside a date."""
    left, count = room, len(sizes)
    for size in sorted(sizes):
        if size * count > left:
            break
        left, count = left - size, count - 1
    return left // count


@dataclass(frozen=True)
class OpenRequest:
    """Everything an opener gets. ``org``: the ППО of a chair's form, the district or region of
    a staff form, the organization an admin changes. The rest are the extras of some forms."""

    session: AsyncSession
    tg_user_id: int
    org: Organization
    default_tz: str
    now: datetime
    collection_id: int | None = None  # a report: the open request the chair picked
    event: Event | None = None  # an event: the one being corrected
    report: MembershipReport | None = None  # a return: the report sent back

    @property
    def tz(self) -> str:
        return self.org.timezone or self.default_tz

    @property
    def env(self) -> ParseEnv:  # what stored answers are read against: the local day and time
        local = self.now.astimezone(ZoneInfo(self.tz))
        return ParseEnv(local.date(), local.time())

    async def start(
        self,
        spec: FormSpec,
        context: FormContext,
        *,
        step: str,
        org_id: int | None,
        answers: dict[str, Any] | None = None,
        note: str | None = None,
    ) -> Started:
        """Begin a draft of ``spec`` holding ``context``, replacing any other (at the summary:
        asking first a stored answer not taken now, ``bot.forms.stored``)."""
        if step == SUMMARY and answers:
            step, answers, note = stored.opening_step(spec, answers, self.env, note)
            context = context.model_copy(update={"editing": step != SUMMARY})
        draft = await drafts.start_draft(
            self.session,
            tg_user_id=self.tg_user_id,
            form=spec.name,
            org_id=org_id,
            step=step,
            answers=answers,
            context=context.model_dump(mode="json"),
            now=self.now,
        )
        return Started(draft, note)

    async def start_new(
        self, spec: FormSpec, context: FormContext, *, org_id: int | None = None
    ) -> Started:
        """Begin a draft of ``spec`` at its first question, no answers yet."""
        return await self.start(spec, context, org_id=org_id, step=spec.first_step({}))


@dataclass(frozen=True)
class Started:
    """A draft begun; ``note`` goes above its first question."""

    draft: FormDraft
    note: str | None = None


@dataclass(frozen=True)
class PickOption:
    label: str
    value: int


@dataclass(frozen=True)
class PickOne:
    """The form cannot open yet: the person picks one of ``options`` first (today: which of
    two open requests a report answers)."""

    prompt: str
    options: tuple[PickOption, ...]


Opening = Started | PickOne


@dataclass(frozen=True)
class Submission(Generic[C]):
    """A confirmed draft to store; ``form_button`` makes buttons a message to someone carries;
    ``calendar``: the monitoring calendar, for what the reply says comes next."""

    session: AsyncSession
    draft: FormDraft
    context: C
    person_id: int
    now: datetime
    form_button: FormButton
    calendar: CalendarSettings
    default_tz: str  # the zone of an organization with none of its own (its district's too)

    def audit(
        self,
        action: str,
        org_id: int | None,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        """The audit log's line for what this submission changed: by its person, at its time."""
        audit.record(
            self.session,
            at=self.now,
            actor_id=self.person_id,
            action=action,
            org_id=org_id,
            before=before,
            after=after,
        )


@dataclass(frozen=True)
class MenuEntry:
    """The command (in the menu, /help and refusals) and, for chairs, the keyboard button.

    ``opens_form``: the command opens the form itself (a chair of several ППО picks one first;
    staff of several districts pick one); False: the command has its own handler (a card, a
    search) that leads into the form by a button.
    """

    command: str
    description: str
    button: str | None = None
    opens_form: bool = True


def _no_previous(field_name: str, context: Any) -> Any:
    return None


@dataclass(frozen=True)
class Form(Generic[C]):
    """One form, declared once.

    ``name`` is what drafts, buttons and reminders call it (default: the spec's name; a form
    that opens a draft of another, like a correction, has its own). ``open`` begins a draft;
    ``summary`` is the text shown before saving (``today``: the local date); ``submit`` stores
    it, idempotent on ``draft.token``, and returns the text to send; ``previous_value`` is
    offered as a one-tap answer. ``reminder_label``: the button opening it under a reminder or
    a returned report; ``request_kind``: what /request offers to ask for it by (the form's
    name is the request's collection kind); ``digest``: its lines in the staff digest.
    """

    spec: FormSpec
    context: type[C]
    open: Callable[[OpenRequest], Awaitable[Opening]]
    summary: Callable[[dict[str, Any], C, date], Summary]
    submit: Callable[[Submission[C]], Awaitable[str]]
    previous_value: Callable[[str, C], Any] = _no_previous
    menu: MenuEntry | None = None
    reminder_label: str | None = None
    request_kind: str | None = None
    digest: DigestSection[Any] | None = None
    name: str = ""

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", self.spec.name)

    @property
    def audience(self) -> Audience:
        """Who may open it: its context's, which also says who may go on with a draft."""
        return self.context.audience

    def context_of(self, draft: FormDraft) -> C:
        return self.context.of(draft)

    def mark_editing(self, draft: FormDraft, editing: bool) -> None:
        """Whether the draft's current question is one field changed from the summary."""
        self.context_of(draft).model_copy(update={"editing": editing}).store(draft)

    def summary_of(self, draft: FormDraft, today: date) -> Summary:
        return self.summary(draft.answers, self.context_of(draft), today)

    def previous_of(self, field_name: str, draft: FormDraft) -> Any:
        return self.previous_value(field_name, self.context_of(draft))

    def previous_lookup(self, draft: FormDraft) -> Previous:
        context = self.context_of(draft)
        return lambda field_name: self.previous_value(field_name, context)

    def skipped(self, draft: FormDraft) -> frozenset[str]:
        """The questions a «как в прошлый раз» taken in this draft answered."""
        start = self.context_of(draft).shortcut_from
        return frozenset() if start is None else shortcut.covered(self.spec, start)

    def mark_shortcut(self, draft: FormDraft, start: str | None) -> None:
        """Record the question the shortcut was taken at (None: it was undone)."""
        self.context_of(draft).model_copy(update={"shortcut_from": start}).store(draft)

    def offers_shortcut(self, field_name: str, draft: FormDraft, env: ParseEnv) -> bool:
        """The shortcut is offered while walking (not editing), once per draft."""
        context = self.context_of(draft)
        if context.editing or context.shortcut_from is not None:
            return False
        return shortcut.offered(self.spec, field_name, self.previous_lookup(draft), env)

    async def submit_draft(
        self,
        session: AsyncSession,
        draft: FormDraft,
        *,
        person_id: int,
        now: datetime,
        form_button: FormButton,
        calendar: CalendarSettings,
        default_tz: str,
    ) -> str:
        context = self.context_of(draft)
        return await self.submit(
            Submission(session, draft, context, person_id, now, form_button, calendar, default_tz)
        )
