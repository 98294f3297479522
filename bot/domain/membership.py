"""Membership monitoring: which period a report is for, opening the form for a ППО, its
summary, storing a report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.coverage import coverage, format_percent, format_points, soft_checks
from bot.forms.engine import SUMMARY
from bot.forms.flow import Summary
from bot.forms.membership import MEMBERSHIP
from bot.texts import common, forms
from bot.texts import membership as t
from storage import audit, collections, drafts, reports
from storage.collections import OpenTarget
from storage.models import CollectionKind, FormDraft, MembershipReport, Organization

# -- which period a report is for -------------------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    """What a report counts for: a period and the request it answers (None: an extra report,
    no one asked), that request's deadline for the ППО and whether it is already past."""

    period: date
    collection_id: int | None = None
    title: str | None = None  # a one-off request's title
    deadline: date | None = None
    late: bool = False
    submitted: bool = False  # the request was answered already: this is a new revision

    @property
    def label(self) -> str:
        return t.assignment_label(
            common.period_name(self.period), self.title, extra=self.collection_id is None
        )

    def context(self) -> dict[str, Any]:
        """As a draft keeps it (JSON)."""
        return {
            "period": self.period.isoformat(),
            "collection_id": self.collection_id,
            "request_title": self.title,
            "deadline": None if self.deadline is None else self.deadline.isoformat(),
            "late": self.late,
        }

    @classmethod
    def of_context(cls, context: dict[str, Any]) -> Assignment:
        deadline = context.get("deadline")
        return cls(
            period=date.fromisoformat(context["period"]),
            collection_id=context.get("collection_id"),
            title=context.get("request_title"),
            deadline=None if deadline is None else date.fromisoformat(deadline),
            late=bool(context.get("late")),
        )


def _assigned(target: OpenTarget, today: date) -> Assignment:
    return Assignment(
        period=target.period,
        collection_id=target.collection_id,
        title=target.title if target.one_off else None,
        deadline=target.deadline,
        late=target.deadline < today,
        submitted=target.submitted,
    )


def report_options(targets: Sequence[OpenTarget], today: date) -> tuple[Assignment, ...]:
    """The period(s) a report filed on ``today`` (the ППО's local date) is for.

    ``targets``: the ППО's membership requests still open (``storage.collections.open_targets``).
    The rule, first that applies: the requests not yet answered whose deadline has not passed
    (on the deadline day it has not); the latest overdue request not yet answered (the report
    is late); the requests already answered whose deadline has not passed (a new revision);
    the current month as an extra report. One option: decided; several (a calendar period and
    a one-off request open at once): the chair picks.
    """
    current = [target for target in targets if target.deadline >= today]
    pending = [target for target in current if not target.submitted]
    overdue = [target for target in targets if target.deadline < today and not target.submitted]
    if pending:
        return tuple(_assigned(target, today) for target in pending)
    if overdue:
        latest = max(overdue, key=lambda target: (target.deadline, target.period))
        return (_assigned(latest, today),)
    if current:
        return tuple(_assigned(target, today) for target in current)
    return (Assignment(period=today.replace(day=1)),)


def local_day(now: datetime, tz: str) -> date:
    return now.astimezone(ZoneInfo(tz)).date()


async def options_for(
    session: AsyncSession, org: Organization, *, default_tz: str, now: datetime
) -> tuple[Assignment, ...]:
    """:func:`report_options` of ``org`` at ``now``."""
    today = local_day(now, org.timezone or default_tz)
    return await _options(session, org.id, today, now)


async def _options(
    session: AsyncSession, org_id: int, today: date, now: datetime
) -> tuple[Assignment, ...]:
    targets = await collections.open_targets(
        session, org_id, kind=CollectionKind.MEMBERSHIP, now=now, local_day=today
    )
    return report_options(targets, today)


def chosen(options: Sequence[Assignment], collection_id: int | None) -> Assignment | None:
    """The one option there is, or the one with ``collection_id``; None: the chair must pick."""
    if len(options) == 1:
        return options[0]
    return next((o for o in options if o.collection_id == collection_id), None)


def opening_note(draft: FormDraft) -> str:
    """The form's first line: which period and deadline the report is for."""
    assignment = Assignment.of_context(draft.context)
    return t.report_for(assignment.label, assignment.deadline, assignment.late)


def _values(report: Any) -> dict[str, int | None]:
    return {name: getattr(report, name) for name in reports.REPORT_FIELDS}


async def open_form(
    session: AsyncSession,
    *,
    tg_user_id: int,
    org: Organization,
    default_tz: str,
    now: datetime,
    assignment: Assignment | None = None,
    correcting: MembershipReport | None = None,
) -> FormDraft:
    """A new report for ``assignment``, or (``correcting``) a returned one, pre-filled and
    opened at its summary so the chair changes only what the district asked."""
    if correcting is not None:
        assignment = Assignment(period=correcting.period)
    assert assignment is not None, "a new report needs its assignment (report_options)"
    period = assignment.period
    previous = await reports.previous_report(session, org.id, before=period)
    revisions = (await reports.revision_counts(session, org.id)).get(period, 0)
    context = {
        "org_name": org.name,
        "tz": org.timezone or default_tz,
        "known_workers": org.workers,
        **assignment.context(),
        "correcting": correcting is not None,
        "previous": _values(previous) if previous else None,
        "previous_period": previous.period.isoformat() if previous else None,
        "revision": revisions + 1,
        "return_comment": correcting.return_comment if correcting else None,
    }
    answers = _values(correcting) if correcting else {}
    return await drafts.start_draft(
        session,
        tg_user_id=tg_user_id,
        form=MEMBERSHIP.name,
        org_id=org.id,
        step=SUMMARY if correcting else MEMBERSHIP.first_step({}),
        answers={key: value for key, value in answers.items() if value is not None},
        context=context,
        now=now,
    )


def _line(label: str, value: Any) -> str:
    return f"{label}: {forms.SKIPPED if value is None else value}"


class MembershipFlow:
    spec = MEMBERSHIP

    def previous_value(self, field: str, context: dict[str, Any]) -> Any:
        """Last report's value; workers from the organization, which the passport updates too."""
        if field == "workers" and context.get("known_workers") is not None:
            return context["known_workers"]
        previous = context.get("previous") or {}
        return previous.get(field)

    def summary(self, answers: dict[str, Any], context: dict[str, Any], today: date) -> Summary:
        period = date.fromisoformat(context["period"])
        lines = [t.summary_header(context["org_name"], common.period_name(period))]
        if not context.get("correcting"):
            assignment = Assignment.of_context(context)
            lines.append(t.report_for(assignment.label, assignment.deadline, assignment.late))
        if context.get("return_comment"):
            lines.append(t.return_comment(context["return_comment"]))
        lines.append("")
        lines += [
            _line(f.label, answers.get(f.name)) for f in self.spec.fields if f.applies(answers)
        ]
        workers, members = answers.get("workers"), answers.get("members")
        current = coverage(members, workers)
        lines += ["", f"<b>{t.COVERAGE}: {format_percent(current)}</b>"]
        youth = coverage(answers.get("youth_members"), answers.get("youth_workers"))
        if youth is not None:
            lines.append(f"{t.YOUTH_COVERAGE}: {format_percent(youth)}")
        managers = coverage(answers.get("managers_members"), answers.get("managers"))
        if managers is not None:
            lines.append(f"{t.MANAGERS_COVERAGE}: {format_percent(managers)}")
        previous = context.get("previous")
        if previous:
            before = coverage(previous.get("members"), previous.get("workers"))
            delta = None if current is None or before is None else current - before
            previous_period = common.period_name(date.fromisoformat(context["previous_period"]))
            lines.append(
                t.change_line(previous_period, format_points(delta), members - previous["members"])
            )
        else:
            lines.append(t.NO_PREVIOUS)
        if context.get("revision", 1) > 1:
            lines.append(t.revision_note(context["revision"]))
        warnings = []
        for found in soft_checks(answers, previous):
            if found.kind == "jump":
                warnings.append(t.warn_jump(found.previous_members, found.members))
            elif found.expected is not None:
                warnings.append(
                    t.warn_balance(found.previous_members, found.expected, found.members)
                )
        if warnings:
            lines += ["", *warnings, "", forms.SUMMARY_WARN_HINT]
        else:
            lines += ["", forms.SUMMARY_CONFIRM_HINT]
        return Summary("\n".join(lines), needs_explicit_confirm=bool(warnings))

    async def submit(
        self, session: AsyncSession, draft: FormDraft, person_id: int, now: datetime
    ) -> str:
        """Store the report where it belongs now: the assignment is decided again at submit,
        since a draft may be finished in another period than it was opened in."""
        assert draft.org_id is not None
        planned = Assignment.of_context(draft.context)
        today = local_day(now, draft.context["tz"])
        assignment = (
            planned
            if draft.context.get("correcting")
            else await _reassign(session, draft.org_id, planned, today, now)
        )
        period = assignment.period
        answers = self.spec.visible_answers(draft.answers)
        report = await reports.add_report(
            session,
            org_id=draft.org_id,
            period=period,
            values=answers,
            submitted_by=person_id,
            submitted_at=now,
            submission_key=draft.token,
        )
        org = await session.get(Organization, draft.org_id)
        if org is not None:
            org.workers = report.workers
        if assignment.collection_id is not None:
            await collections.mark_submitted(
                session,
                org_id=draft.org_id,
                kind=CollectionKind.MEMBERSHIP,
                collection_id=assignment.collection_id,
                now=now,
                local_day=today,
            )
        audit.record(
            session,
            at=now,
            actor_id=person_id,
            action="report.submit",
            org_id=draft.org_id,
            after={
                "period": period.isoformat(),
                "revision": report.revision,
                "collection_id": assignment.collection_id,
                "late": assignment.late,
                **answers,
            },
        )
        same = _same(planned, assignment)
        return t.saved(
            draft.context["org_name"],
            common.period_name(period),
            format_percent(coverage(report.members, report.workers)),
            late_deadline=assignment.deadline if assignment.late else None,
            moved=None if same else (planned.label, assignment.label),
        )


def _same(planned: Assignment, now: Assignment) -> bool:
    return (planned.period, planned.collection_id) == (now.period, now.collection_id)


async def _reassign(
    session: AsyncSession, org_id: int, planned: Assignment, today: date, now: datetime
) -> Assignment:
    """The draft's assignment if it still is an option at ``now``, else where the report
    belongs now (of several open requests, the one due first)."""
    options = await _options(session, org_id, today, now)
    return next((o for o in options if _same(planned, o)), options[0])
