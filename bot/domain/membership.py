"""Membership monitoring: the report form declared (opening it for the period it is for, its
summary, storing a report) and the correction of a report the district sent back."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.coverage import coverage, format_percent, format_points, soft_checks
from bot.domain.due_periods import join_open_period
from bot.domain.report_periods import (
    Assignment,
    chosen,
    local_day,
    options_for,
    reassign,
    same_place,
)
from bot.domain.standing import standing_lines
from bot.forms import declaration
from bot.forms.engine import SUMMARY, Field
from bot.forms.membership import MEMBERSHIP, derived_members
from bot.texts import common, forms
from bot.texts import membership as t
from bot.texts.markup import SafeHtml
from storage import collections, reports
from storage.models import CollectionKind, MembershipReport, Organization

REASONS = "left_reasons"
"""The form's one answer holding the split of «выбыло» (four columns when stored)."""


def _values(report: Any) -> dict[str, int | None]:
    return {name: getattr(report, name) for name in reports.REPORT_FIELDS}


def report_answers(report: MembershipReport) -> dict[str, Any]:
    """A stored report as the form's answers: its figures and the split of «выбыло»."""
    parts = [getattr(report, name) for name in reports.LEAVING_FIELDS]
    known = any(part is not None for part in parts)
    return {**_values(report), REASONS: [part or 0 for part in parts] if known else None}


def report_columns(answers: dict[str, Any]) -> dict[str, int | None]:
    """The form's answers as the report's columns (the split spread over its four)."""
    parts = answers.get(REASONS) or [None] * len(reports.LEAVING_FIELDS)
    return {
        **{name: answers.get(name) for name in reports.REPORT_FIELDS},
        **dict(zip(reports.LEAVING_FIELDS, parts, strict=True)),
    }


async def returned_report(session: AsyncSession, org_id: int) -> MembershipReport | None:
    """The newest of the ППО's counting reports that waits for a correction, of any period:
    November sent back stays correctable after December was reported."""
    counting = await reports.latest_reports(session, org_id)
    return next((report for report in counting if report.returned_at is not None), None)


class MembershipContext(declaration.FormContext):
    """A report's draft: the ППО, what the report counts for (:class:`Assignment`), the last
    report to compare with, and whether it corrects a report the district sent back."""

    org_name: str
    known_workers: int | None = None
    period: date
    collection_id: int | None = None
    request_title: str | None = None
    deadline: date | None = None
    late: bool = False
    correcting: bool = False
    previous: dict[str, int | None] | None = None
    previous_period: date | None = None
    revision: int = 1
    return_html: str | None = None  # the comment, as HTML (a draft from before held plain
    # text as ``return_comment``: ignored, not shown unescaped)

    @property
    def assignment(self) -> Assignment:
        return Assignment(
            period=self.period,
            collection_id=self.collection_id,
            title=self.request_title,
            deadline=self.deadline,
            late=self.late,
        )


def _pick(options: Sequence[Assignment], picked_before: bool) -> declaration.PickOne:
    """The open requests a report may answer, each with its deadline (only requests have one)."""
    prompt = "\n".join([t.PERIODS_CHANGED, t.CHOOSE_PERIOD] if picked_before else [t.CHOOSE_PERIOD])
    return declaration.PickOne(
        prompt,
        tuple(
            declaration.PickOption(
                t.period_button(
                    common.period_name(option.period),
                    option.title,
                    option.deadline,
                    option.submitted,
                ),
                option.collection_id,
            )
            for option in options
            if option.collection_id is not None and option.deadline is not None
        ),
    )


async def open_report(request: declaration.OpenRequest) -> declaration.Opening:
    """A new report for the period it is for; with two requests open, the chair picks
    (``request.collection_id``: the one picked, if it still is an option). With none asked
    and the last report sent back, the chair may mean to correct it: told how."""
    options = await options_for(
        request.session, request.org, default_tz=request.default_tz, now=request.now
    )
    assignment = chosen(options, request.collection_id)
    if assignment is None:
        return _pick(options, picked_before=request.collection_id is not None)
    note = t.report_for(assignment.label, assignment.deadline, assignment.late)
    latest = await reports.latest_reports(request.session, request.org.id, limit=1)
    if latest and latest[0].returned_at is not None and assignment.deadline is None:
        note = f"{note}\n{t.returned_waits(common.period_name(latest[0].period))}"
    if request.collection_id not in (None, assignment.collection_id):  # an old button
        note = f"{t.PICKED_CLOSED}\n{note}"
    return await _start(request, assignment, None, note=note)


async def open_correction(request: declaration.OpenRequest) -> declaration.Opening:
    """The report the district sent back, pre-filled and opened at its summary so the chair
    changes only what was asked; none waiting: a new report."""
    returned = await returned_report(request.session, request.org.id)
    if returned is None:
        return await open_report(request)
    return await _start(request, Assignment(period=returned.period), returned)


async def _start(
    request: declaration.OpenRequest,
    assignment: Assignment,
    correcting: MembershipReport | None,
    *,
    note: str | None = None,
) -> declaration.Started:
    org, period = request.org, assignment.period
    previous = await reports.previous_report(request.session, org.id, before=period)
    revisions = (await reports.revision_counts(request.session, org.id)).get(period, 0)
    context = MembershipContext(
        org_name=org.name,
        tz=request.tz,
        known_workers=org.workers,
        period=period,
        collection_id=assignment.collection_id,
        request_title=assignment.title,
        deadline=assignment.deadline,
        late=assignment.late,
        correcting=correcting is not None,
        previous=_values(previous) if previous else None,
        previous_period=previous.period if previous else None,
        revision=revisions + 1,
        return_html=correcting.return_comment if correcting else None,
    )
    answers = MEMBERSHIP.stored_answers(report_answers(correcting)) if correcting else {}
    return await request.start(
        MEMBERSHIP,
        context,
        org_id=org.id,
        step=SUMMARY if correcting else MEMBERSHIP.first_step({}),
        answers=answers,
        note=note,
    )


def _line(field: Field, value: Any) -> str:
    return f"{field.label}: {forms.SKIPPED if value is None else field.display(value)}"


def _members_note(answers: dict[str, Any], context: MembershipContext) -> str | None:
    """How «как в прошлый раз» computed the members, while the answer still is that sum."""
    before = (context.previous or {}).get("members")
    if context.shortcut_from is None or before is None:
        return None
    if answers.get("members") != derived_members(answers, before):
        return None
    return t.members_derived(before, answers.get("joined") or 0, answers.get("left") or 0)


def previous_value(field: str, context: MembershipContext) -> Any:
    """Last report's value; workers from the organization, which the passport updates too."""
    if field == "workers" and context.known_workers is not None:
        return context.known_workers
    return (context.previous or {}).get(field)


def _warnings(answers: dict[str, Any], previous: dict[str, int | None] | None) -> list[str]:
    warnings = []
    for found in soft_checks(answers, previous):
        if found.kind == "jump":
            warnings.append(t.warn_jump(found.previous_members, found.members))
        elif found.expected is not None:
            warnings.append(t.warn_balance(found.previous_members, found.expected, found.members))
    return warnings


def _coverage_lines(answers: dict[str, Any], context: MembershipContext) -> list[str]:
    workers, members = answers.get("workers"), answers.get("members")
    current = coverage(members, workers)
    lines = [f"<b>{t.COVERAGE}: {format_percent(current)}</b>"]
    youth = coverage(answers.get("youth_members"), answers.get("youth_workers"))
    if youth is not None:
        lines.append(f"{t.YOUTH_COVERAGE}: {format_percent(youth)}")
    managers = coverage(answers.get("managers_members"), answers.get("managers"))
    if managers is not None:
        lines.append(f"{t.MANAGERS_COVERAGE}: {format_percent(managers)}")
    previous = context.previous
    if previous and context.previous_period is not None:
        before = coverage(previous.get("members"), previous.get("workers"))
        delta = None if current is None or before is None else current - before
        members_delta = (members or 0) - (previous["members"] or 0)  # both required
        period = common.period_name(context.previous_period)
        lines.append(t.change_line(period, format_points(delta), members_delta))
    else:
        lines.append(t.NO_PREVIOUS)
    return lines


def summary(
    answers: dict[str, Any], context: MembershipContext, today: date
) -> declaration.Summary:
    lines = [t.summary_header(context.org_name, common.period_name(context.period))]
    if not context.correcting:
        assignment = context.assignment
        lines.append(t.report_for(assignment.label, assignment.deadline, assignment.late))
    if context.return_html:
        lines.append(t.return_comment(SafeHtml(context.return_html)))
    lines.append("")
    lines += [_line(f, answers.get(f.name)) for f in MEMBERSHIP.fields if f.applies(answers)]
    note = _members_note(answers, context)
    if note is not None:
        lines.append(note)
    lines += ["", *_coverage_lines(answers, context)]
    if context.revision > 1:
        lines.append(t.revision_note(context.revision))
    warnings = _warnings(answers, context.previous)
    if warnings:
        lines += ["", *warnings, "", forms.SUMMARY_WARN_HINT]
    else:
        lines += ["", forms.SUMMARY_CONFIRM_HINT]
    return declaration.Summary("\n".join(lines), needs_explicit_confirm=bool(warnings))


async def submit(submission: declaration.Submission[MembershipContext]) -> str:
    """Store the report where it belongs now: the assignment is decided again at submit,
    since a draft may be finished in another period than it was opened in."""
    session, draft, context, now = (
        submission.session,
        submission.draft,
        submission.context,
        submission.now,
    )
    assert draft.org_id is not None and context.tz is not None
    planned = context.assignment
    today = local_day(now, context.tz)
    assignment = (
        planned
        if context.correcting
        else await reassign(session, draft.org_id, planned, today, now)
    )
    answers = MEMBERSHIP.visible_answers(draft.answers)
    values = report_columns(answers)
    report = await reports.add_report(
        session,
        org_id=draft.org_id,
        period=assignment.period,
        values=values,
        submitted_by=submission.person_id,
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
    _audit(submission, report, assignment, values)
    assert org is not None
    await join_open_period(session, org, submission.calendar, now, submission.default_tz)
    saved = t.saved(
        context.org_name,
        common.period_name(assignment.period),
        format_percent(coverage(report.members, report.workers)),
        late_deadline=assignment.deadline if assignment.late else None,
        moved=None if same_place(planned, assignment) else (planned.label, assignment.label),
    )
    standing = await standing_lines(
        session, org, calendar=submission.calendar, default_tz=context.tz, now=now
    )
    return "\n".join([saved, *standing])


def _audit(
    submission: declaration.Submission[MembershipContext],
    report: MembershipReport,
    assignment: Assignment,
    values: dict[str, int | None],
) -> None:
    submission.audit(
        "report.submit",
        report.org_id,
        after={
            "period": assignment.period.isoformat(),
            "revision": report.revision,
            "collection_id": assignment.collection_id,
            "late": assignment.late,
            **{name: value for name, value in values.items() if value is not None},
        },
    )


MEMBERSHIP_FORM: declaration.Form[MembershipContext] = declaration.Form(
    spec=MEMBERSHIP,
    context=MembershipContext,
    open=open_report,
    summary=summary,
    submit=submit,
    previous_value=previous_value,
    menu=declaration.MenuEntry("report", t.CMD_REPORT, button=t.MENU_REPORT),
    reminder_label=t.MENU_REPORT,
    request_kind=t.REQUEST_KIND,
)
CORRECTION_FORM = dataclasses.replace(
    MEMBERSHIP_FORM, name="correction", open=open_correction, menu=None, request_kind=None
)
"""A report sent back by the district: its button opens a draft of the report itself, the
report form in all but how it opens (and no command of its own)."""
