"""The passport of a ППО: its card, the form to edit it, every change kept in the audit log."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.passport_report import load_expiring
from bot.domain.timezones import zone_of
from bot.forms import declaration
from bot.forms.digest_section import DigestSection
from bot.forms.engine import SUMMARY
from bot.forms.parsers import show_date
from bot.forms.passport import PASSPORT
from bot.rendering.passport_report import digest_lines
from bot.texts import forms
from bot.texts import passport as t
from storage import audit, collections, orgs, passports
from storage.models import CollectionKind, Organization, Person


async def card_text(session: AsyncSession, org: Organization, default_tz: str) -> str:
    passport = await passports.get_passport(session, org.id)
    values = passports.values_of(passport, org)
    lines = [t.card_header(org.name), ""]
    if passport is None:
        lines.append(t.EMPTY_CARD)
    lines += declaration.field_lines(PASSPORT, values, skipped_shown=True, room=VALUES_ROOM)
    reserve = await passports.reserve_of(session, org.id)
    young, trained = sum(p.under_35 for p in reserve), sum(bool(p.trained) for p in reserve)
    lines += ["", t.reserve_count(len(reserve), young, trained)]
    if passport is not None and passport.updated_by is not None:
        who = await session.get(Person, passport.updated_by)
        when = passport.updated_at.astimezone(zone_of(org, default_tz))
        lines += ["", t.updated_by(when.strftime("%d.%m.%Y %H:%M"), who.full_name if who else "")]
    return "\n".join(lines)


VALUES_ROOM = 3000
"""UTF-16 units the passport's answers may take in its card and summary: the labels, header,
reserve line and hints take the rest of Telegram's 4096."""


class PassportContext(declaration.FormContext):
    """``workers``: the ППО's figure when the form opened, kept when the question is skipped;
    ``opened``: the passport's values the form opened with, so that its submit writes only
    what this chair changed and keeps what changed meanwhile (the admin's new list of
    workers, another chair of the ППО)."""

    org_name: str
    workers: int | None = None
    opened: dict[str, Any] = Field(default_factory=dict)


async def open_form(request: declaration.OpenRequest) -> declaration.Opening:
    """A filled passport opens at the summary to change single fields; an empty one at the start."""
    org = request.org
    passport = await passports.get_passport(request.session, org.id)
    values = passports.values_of(passport, org)
    if passport is None:  # what is known of the ППО already (its workers), all else to ask
        answers = {key: value for key, value in values.items() if value is not None}
    else:
        answers = PASSPORT.stored_answers(values)
    filled = not PASSPORT.missing_required(answers)
    return await request.start(
        PASSPORT,
        PassportContext(
            org_name=org.name,
            tz=request.tz,
            workers=org.workers,
            opened=dict.fromkeys(values) | PASSPORT.visible_answers(answers),
        ),
        org_id=org.id,
        step=SUMMARY if filled else PASSPORT.first_step(answers),
        answers=answers,
    )


def summary(answers: dict[str, Any], context: PassportContext, today: date) -> declaration.Summary:
    if answers.get("workers") is None:  # skipped: the figure the ППО has is kept, so shown
        answers = {**answers, "workers": context.workers}
    lines = [
        t.card_header(context.org_name),
        "",
        *declaration.field_lines(PASSPORT, answers, skipped_shown=True, room=VALUES_ROOM),
        "",
    ]
    until = answers.get("agreement_until")
    warn = (
        bool(answers.get("agreement")) and until is not None and date.fromisoformat(until) < today
    )
    if warn:
        lines += [t.agreement_expired(show_date(until)), "", forms.SUMMARY_WARN_HINT]
    else:
        lines.append(forms.SUMMARY_CONFIRM_HINT)
    return declaration.Summary("\n".join(lines), needs_explicit_confirm=warn)


async def submit(submission: declaration.Submission[PassportContext]) -> str:
    session, draft, now = submission.session, submission.draft, submission.now
    assert draft.org_id is not None and submission.context.tz is not None
    org = await orgs.get_org(session, draft.org_id)
    assert org is not None
    before = passports.values_of(await passports.get_passport(session, org.id), org)
    given = dict.fromkeys(before) | PASSPORT.visible_answers(draft.answers)
    opened = submission.context.opened  # empty in a draft begun before it was kept
    values = before | {
        name: value for name, value in given.items() if name not in opened or opened[name] != value
    }
    if values.get("workers") is None:
        values["workers"] = before["workers"]
    await passports.save_passport(session, org=org, values=values, by=submission.person_id, now=now)
    await collections.mark_submitted(
        session,
        org_id=org.id,
        kind=CollectionKind.PASSPORT,
        now=now,
        local_day=now.astimezone(ZoneInfo(submission.context.tz)).date(),
    )
    old, new = audit.changes(before, values)
    if new:
        submission.audit("passport.update", org.id, before=old, after=new)
    return t.saved(len(new))


PASSPORT_FORM: declaration.Form[PassportContext] = declaration.Form(
    spec=PASSPORT,
    context=PassportContext,
    open=open_form,
    summary=summary,
    submit=submit,
    menu=declaration.MenuEntry(
        "passport", t.CMD_PASSPORT, button=t.MENU_PASSPORT, opens_form=False
    ),
    reminder_label=t.MENU_PASSPORT,
    request_kind=t.REQUEST_KIND,
    digest=DigestSection(load_expiring, digest_lines),
)
"""``/passport`` shows the card first (``card_text``), whose button opens the form."""
