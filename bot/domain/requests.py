"""One-off data requests staff open for their ППО («обновить паспорт до 30.11»)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.calendar import next_working_day
from bot.forms.engine import Choice, Field, FormSpec
from bot.forms.flow import Summary
from bot.forms.parsers import choice, deadline, show_date, text
from bot.texts import forms
from bot.texts import staff as t
from storage import audit, collections, drafts
from storage.models import CollectionKind, FormDraft, Organization

KINDS = (
    Choice(CollectionKind.MEMBERSHIP.value, t.KIND_MEMBERSHIP),
    Choice(CollectionKind.PASSPORT.value, t.KIND_PASSPORT),
)
REQUEST = FormSpec(
    name="request",
    title=t.REQUEST_TITLE,
    fields=(
        Field(
            "kind",
            t.L_REQUEST_KIND,
            t.Q_REQUEST_KIND,
            choice(KINDS),
            choices=KINDS,
        ),
        Field("deadline", t.L_DEADLINE, t.Q_DEADLINE, deadline, show=show_date),
        Field("title", t.L_REQUEST_NAME, t.Q_REQUEST_NAME, text(maximum=200, minimum=5)),
    ),
)


async def open_form(
    session: AsyncSession,
    *,
    tg_user_id: int,
    scope: Organization,
    lineage: list[int],
    default_tz: str,
    now: datetime,
) -> FormDraft:
    targets = len(await collections.ppo_in_scope(session, scope.id))
    return await drafts.start_draft(
        session,
        tg_user_id=tg_user_id,
        form=REQUEST.name,
        org_id=None,
        step=REQUEST.first_step({}),
        context={
            "scope_id": scope.id,
            "scope_name": scope.name,
            "lineage": lineage,
            "targets": targets,
            "tz": scope.timezone or default_tz,
        },
        now=now,
    )


class RequestFlow:
    spec = REQUEST

    def previous_value(self, field: str, context: dict[str, Any]) -> Any:
        return None

    def summary(self, answers: dict[str, Any], context: dict[str, Any], today: date) -> Summary:
        lines = [t.request_preview(context["scope_name"], context["targets"]), ""]
        lines += [
            forms.field_line(f.label, f.display(answers[f.name]))
            for f in self.spec.fields
            if answers.get(f.name) is not None
        ]
        return Summary("\n".join([*lines, "", forms.SUMMARY_CONFIRM_HINT]))

    async def submit(
        self, session: AsyncSession, draft: FormDraft, person_id: int, now: datetime
    ) -> str:
        answers, context = draft.answers, draft.context
        due = next_working_day(date.fromisoformat(answers["deadline"]))
        kind = CollectionKind(answers["kind"])
        existing = await collections.find_collection(
            session,
            kind=kind,
            scope_org_id=context["scope_id"],
            period=now.date().replace(day=1),
            one_off=True,
            title=answers["title"],
        )
        if existing is not None:
            return t.REQUEST_EXISTS
        ppo = await collections.ppo_in_scope(session, context["scope_id"])
        await collections.open_collection(
            session,
            kind=kind,
            scope_org_id=context["scope_id"],
            period=now.date().replace(day=1),
            title=answers["title"],
            one_off=True,
            deadline_for_target=due,
            targets=[(org.id, "request") for org in ppo],
            now=now,
            created_by=person_id,
        )
        audit.record(
            session,
            at=now,
            actor_id=person_id,
            action="request.open",
            org_id=context["scope_id"],
            after={
                "kind": kind.value,
                "title": answers["title"],
                "deadline": due.isoformat(),
                "targets": len(ppo),
            },
        )
        return t.request_opened(answers["title"], len(ppo), due.strftime("%d.%m.%Y"))
