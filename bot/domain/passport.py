"""The passport of a ППО: its card, the form to edit it, every change kept in the audit log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.forms.engine import SUMMARY
from bot.forms.flow import Summary
from bot.forms.parsers import show_date
from bot.forms.passport import PASSPORT
from bot.texts import forms
from bot.texts import passport as t
from storage import audit, collections, drafts, orgs, passports
from storage.models import CollectionKind, FormDraft, Organization, Person


def _lines(values: dict[str, Any]) -> list[str]:
    lines = []
    for field in PASSPORT.fields:
        if field.applies(values):
            value = values.get(field.name)
            shown = None if value is None else field.display(value)
            lines.append(forms.field_line(field.label, shown))
    return lines


async def card_text(session: AsyncSession, org: Organization, default_tz: str) -> str:
    passport = await passports.get_passport(session, org.id)
    values = passports.values_of(passport, org)
    lines = [t.card_header(org.name), ""]
    if passport is None:
        lines.append(t.EMPTY_CARD)
    lines += _lines(values)
    if passport is not None and passport.updated_by is not None:
        who = await session.get(Person, passport.updated_by)
        when = passport.updated_at.astimezone(ZoneInfo(org.timezone or default_tz))
        lines += ["", t.updated_by(when.strftime("%d.%m.%Y %H:%M"), who.full_name if who else "")]
    return "\n".join(lines)


async def open_form(
    session: AsyncSession, *, tg_user_id: int, org: Organization, default_tz: str, now: datetime
) -> FormDraft:
    """A filled passport opens at the summary to change single fields; an empty one at the start."""
    passport = await passports.get_passport(session, org.id)
    values = passports.values_of(passport, org)
    answers = {key: value for key, value in values.items() if value is not None}
    filled = not PASSPORT.missing_required(answers)
    return await drafts.start_draft(
        session,
        tg_user_id=tg_user_id,
        form=PASSPORT.name,
        org_id=org.id,
        step=SUMMARY if filled else PASSPORT.first_step(answers),
        answers=answers,
        context={"org_name": org.name, "tz": org.timezone or default_tz},
        now=now,
    )


class PassportFlow:
    spec = PASSPORT

    def previous_value(self, field: str, context: dict[str, Any]) -> Any:
        return None

    def summary(self, answers: dict[str, Any], context: dict[str, Any], today: date) -> Summary:
        lines = [t.card_header(context["org_name"]), "", *_lines(answers), ""]
        until = answers.get("agreement_until")
        warn = (
            bool(answers.get("agreement"))
            and until is not None
            and date.fromisoformat(until) < today
        )
        if warn:
            lines += [t.agreement_expired(show_date(until)), "", forms.SUMMARY_WARN_HINT]
        else:
            lines.append(forms.SUMMARY_CONFIRM_HINT)
        return Summary("\n".join(lines), needs_explicit_confirm=warn)

    async def submit(
        self, session: AsyncSession, draft: FormDraft, person_id: int, now: datetime
    ) -> str:
        assert draft.org_id is not None
        org = await orgs.get_org(session, draft.org_id)
        assert org is not None
        before = passports.values_of(await passports.get_passport(session, org.id), org)
        values = dict.fromkeys(before) | self.spec.visible_answers(draft.answers)
        if values.get("workers") is None:
            values["workers"] = before["workers"]
        await passports.save_passport(session, org=org, values=values, by=person_id, now=now)
        await collections.mark_submitted(
            session,
            org_id=org.id,
            kind=CollectionKind.PASSPORT,
            now=now,
            local_day=now.astimezone(ZoneInfo(draft.context["tz"])).date(),
        )
        old, new = audit.changes(before, values)
        if new:
            audit.record(
                session,
                at=now,
                actor_id=person_id,
                action="passport.update",
                org_id=org.id,
                before=old,
                after=new,
            )
        return t.saved(len(new))
