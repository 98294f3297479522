"""Staff send a report back for correction; the chair gets the comment and a pre-filled form."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.coverage import coverage, format_percent
from bot.forms.engine import Field, FormSpec
from bot.forms.flow import Summary
from bot.forms.membership import MEMBERSHIP
from bot.forms.parsers import text
from bot.texts import common, forms
from bot.texts import staff as t
from storage import audit, drafts, outbox, people, reports
from storage.models import FormDraft, MembershipReport, Organization

RETURN = FormSpec(
    name="return",
    title=t.RETURN_TITLE,
    fields=(Field("comment", t.L_COMMENT, t.Q_COMMENT, text(maximum=1000, minimum=5)),),
)

FormButton = Callable[[str, int], tuple[str, str]]


def report_lines(report: MembershipReport) -> list[str]:
    lines = []
    for field in MEMBERSHIP.fields:
        value = getattr(report, field.name)
        lines.append(f"{field.label}: {forms.SKIPPED if value is None else value}")
    lines.append(f"Охват: {format_percent(coverage(report.members, report.workers))}")
    return lines


async def open_return(
    session: AsyncSession,
    *,
    tg_user_id: int,
    org: Organization,
    report: MembershipReport,
    lineage: list[int],
    now: datetime,
) -> FormDraft:
    return await drafts.start_draft(
        session,
        tg_user_id=tg_user_id,
        form=RETURN.name,
        org_id=None,
        step=RETURN.first_step({}),
        context={
            "target_org": org.id,
            "org_name": org.name,
            "report_id": report.id,
            "period": report.period.isoformat(),
            "lineage": lineage,
        },
        now=now,
    )


class ReturnFlow:
    spec = RETURN

    def __init__(self, form_button: FormButton) -> None:
        self.form_button = form_button

    def previous_value(self, field: str, context: dict[str, Any]) -> Any:
        return None

    def summary(self, answers: dict[str, Any], context: dict[str, Any], today: date) -> Summary:
        period = common.period_name(date.fromisoformat(context["period"]))
        lines = [t.return_preview(context["org_name"], period), ""]
        lines.append(forms.field_line(t.L_COMMENT, answers.get("comment", "")))
        return Summary("\n".join([*lines, "", forms.SUMMARY_CONFIRM_HINT]))

    async def submit(
        self, session: AsyncSession, draft: FormDraft, person_id: int, now: datetime
    ) -> str:
        context = draft.context
        report = await session.get(MembershipReport, context["report_id"])
        if report is None:
            return t.NO_REPORT
        if report.returned_at is not None:
            return t.ALREADY_RETURNED
        comment = draft.answers["comment"]
        report.returned_at, report.returned_by, report.return_comment = now, person_id, comment
        audit.record(
            session,
            at=now,
            actor_id=person_id,
            action="report.return",
            org_id=report.org_id,
            after={
                "period": report.period.isoformat(),
                "revision": report.revision,
                "comment": comment,
            },
        )
        chair = await people.chair_of(session, report.org_id)
        if chair is None:
            return t.NO_CHAIR_TO_TELL
        person = await people.person_by_id(session, chair.person_id)
        assert person is not None
        label, data = self.form_button("correction", report.org_id)
        period = common.period_name(report.period)
        await outbox.enqueue(
            session,
            key=f"return:{report.id}:{person.tg_user_id}",
            chat_id=person.tg_user_id,
            kind="text",
            payload={
                "text": t.returned_to_chair(context["org_name"], period, comment),
                "buttons": [[{"text": label, "callback_data": data}]],
            },
            not_before=now,
            now=now,
        )
        return t.returned_done(context["org_name"])


async def returned_report(session: AsyncSession, org_id: int) -> MembershipReport | None:
    """The ППО's counting report if it waits for a correction."""
    report = await reports.last_report(session, org_id)
    return report if report is not None and report.returned_at is not None else None
