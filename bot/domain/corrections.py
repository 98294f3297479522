"""Staff send a report back for correction; the chair gets the comment and a pre-filled form."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.calendar import next_allowed_moment
from bot.domain.coverage import coverage, format_percent
from bot.domain.membership import CORRECTION_FORM, report_answers
from bot.domain.staff_scope import lineage
from bot.forms import declaration
from bot.forms.engine import Field, FormSpec
from bot.forms.formatted import formatted_text
from bot.forms.membership import MEMBERSHIP
from bot.texts import common, forms
from bot.texts import staff as t
from bot.texts.markup import SafeHtml, visible
from storage import orgs, outbox, people, reports
from storage.models import MembershipReport
from storage.outbox import OutboxKind
from storage.outbox_keys import KeyPurpose, outbox_key

RETURN = FormSpec(
    name="return",
    title=t.RETURN_TITLE,
    fields=(
        Field(
            "comment_html",  # a draft from before, whose "comment" was plain text, asks it again
            t.L_COMMENT,
            t.Q_COMMENT,
            formatted_text(maximum=1000, minimum=5),
            formatted=True,
        ),
    ),
)


def report_lines(report: MembershipReport) -> list[str]:
    """A report's figures as staff see it before sending it back (the split of «выбыло»
    only where someone left)."""
    answers = report_answers(report)
    lines = []
    for field in MEMBERSHIP.fields:
        if field.in_summary and not field.applies(answers):
            continue
        value = answers[field.name]
        lines.append(f"{field.label}: {forms.SKIPPED if value is None else field.display(value)}")
    lines.append(t.coverage_line(format_percent(coverage(report.members, report.workers))))
    return lines


class ReturnContext(declaration.ScopeContext):
    """A return's draft: the ППО (``target_org``) and its report going back."""

    target_org: int
    org_name: str
    report_id: int
    period: date


async def open_return(request: declaration.OpenRequest) -> declaration.Opening:
    """``request.org``: the ППО; ``request.report``: its report to send back."""
    org, report = request.org, request.report
    assert report is not None, "a return needs the report it sends back"
    context = ReturnContext(
        target_org=org.id,
        org_name=org.name,
        report_id=report.id,
        period=report.period,
        lineage=tuple(await lineage(request.session, org)),
        tz=request.tz,
    )
    return await request.start_new(RETURN, context)


def summary(answers: dict[str, Any], context: ReturnContext, today: date) -> declaration.Summary:
    lines = [t.return_preview(context.org_name, common.period_name(context.period)), ""]
    lines.append(forms.formatted_line(t.L_COMMENT, SafeHtml(answers.get("comment_html", ""))))
    return declaration.Summary("\n".join([*lines, "", forms.SUMMARY_CONFIRM_HINT]))


async def submit(submission: declaration.Submission[ReturnContext]) -> str:
    session, context, now = submission.session, submission.context, submission.now
    person_id = submission.person_id
    report = await session.get(MembershipReport, context.report_id)
    if report is None:
        return t.NO_REPORT
    if report.returned_at is not None:
        return t.ALREADY_RETURNED
    if await reports.newest_revision(session, report.org_id, report.period) != report.revision:
        return t.report_resent(context.org_name)
    if not await _where_it_was(session, context):
        return t.return_overtaken(context.org_name)
    comment = SafeHtml(submission.draft.answers["comment_html"])
    report.returned_at, report.returned_by, report.return_comment = now, person_id, comment
    submission.audit(
        "report.return",
        report.org_id,
        after={
            "period": report.period.isoformat(),
            "revision": report.revision,
            "comment": visible(comment),  # what was read: /audit shows it as plain text
        },
    )
    chair = await people.chair_of(session, report.org_id)
    if chair is None:  # returned all the same: its figures are in doubt whoever corrects them
        return t.returned_untold(context.org_name)
    person = await people.person_by_id(session, chair.person_id)
    assert person is not None
    period = common.period_name(report.period)
    zone = ZoneInfo(context.tz or "UTC")  # the ППО's: the notice waits out its night
    await outbox.enqueue(
        session,
        key=outbox_key(KeyPurpose.RETURNED_REPORT, report.id, person.tg_user_id, report.org_id),
        chat_id=person.tg_user_id,
        kind=OutboxKind.TEXT,
        payload=declaration.with_button(
            t.returned_to_chair(context.org_name, period, comment),
            submission.form_button(CORRECTION_FORM.name, report.org_id),
        ),
        not_before=next_allowed_moment(now, zone, submission.calendar, working_days=False),
        now=now,
    )
    return t.returned_done(context.org_name)


async def correction_owed(session: AsyncSession, org_id: int, org_name: str) -> str | None:
    """The notice of a report the ППО still owes a correction of (its latest, sent back and
    not corrected), for a chair who has just joined: the notice went to the chair before
    them, or was withdrawn unsent when that chair's role ended. None: nothing owed."""
    report = await reports.last_report(session, org_id)
    if report is None or report.returned_at is None:
        return None
    period = common.period_name(report.period)
    return t.returned_to_chair(org_name, period, SafeHtml(report.return_comment or ""))


async def _where_it_was(session: AsyncSession, context: ReturnContext) -> bool:
    """Whether the ППО is still open and under the organizations it was under when the return
    was opened: the rights were checked against those (moved or archived meanwhile: no)."""
    org = await orgs.get_org(session, context.target_org)
    if org is None or org.archived_at is not None:
        return False
    return tuple(await lineage(session, org)) == context.lineage


RETURN_FORM: declaration.Form[ReturnContext] = declaration.Form(
    spec=RETURN,
    context=ReturnContext,
    open=open_return,
    summary=summary,
    submit=submit,
    menu=declaration.MenuEntry("return", t.CMD_RETURN, opens_form=False),
)
"""``/return`` finds the ППО first (a search in the sender's scope), then opens the form."""
