"""Membership monitoring: opening the form for a ППО, its summary, storing a report."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.coverage import coverage, format_percent, format_points, soft_checks
from bot.forms.engine import SUMMARY
from bot.forms.flow import Summary
from bot.forms.membership import MEMBERSHIP
from bot.texts import common, forms
from bot.texts import membership as t
from storage import audit, collections, drafts, reports
from storage.models import CollectionKind, FormDraft, MembershipReport, Organization


def period_of(now: datetime, tz: str) -> date:
    """Monitoring period = the month the report is for, in the ППО's local time."""
    local = now.astimezone(ZoneInfo(tz))
    return date(local.year, local.month, 1)


def _values(report: Any) -> dict[str, int | None]:
    return {name: getattr(report, name) for name in reports.REPORT_FIELDS}


async def open_form(
    session: AsyncSession,
    *,
    tg_user_id: int,
    org: Organization,
    default_tz: str,
    now: datetime,
    correcting: MembershipReport | None = None,
) -> FormDraft:
    """A new report for the current month, or (``correcting``) a returned one, pre-filled and
    opened at its summary so the chair changes only what the district asked."""
    period = correcting.period if correcting else period_of(now, org.timezone or default_tz)
    previous = await reports.previous_report(session, org.id, before=period)
    revisions = (await reports.revision_counts(session, org.id)).get(period, 0)
    context = {
        "org_name": org.name,
        "tz": org.timezone or default_tz,
        "known_workers": org.workers,
        "period": period.isoformat(),
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
        assert draft.org_id is not None
        period = date.fromisoformat(draft.context["period"])
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
        await collections.mark_submitted(
            session, org_id=draft.org_id, kind=CollectionKind.MEMBERSHIP, period=period, now=now
        )
        audit.record(
            session,
            at=now,
            actor_id=person_id,
            action="report.submit",
            org_id=draft.org_id,
            after={"period": period.isoformat(), "revision": report.revision, **answers},
        )
        return t.saved(
            draft.context["org_name"],
            common.period_name(period),
            format_percent(coverage(report.members, report.workers)),
        )
