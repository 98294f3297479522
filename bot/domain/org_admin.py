"""Organization management: rename, move, time zone, archive and restore; roles over them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.forms.engine import Field, FormSpec, InvalidAnswer, ParseEnv
from bot.forms.flow import Summary
from bot.forms.parsers import text, typed_int
from bot.rendering.spreadsheets import parse_timezone
from bot.texts import admin as admin_texts
from bot.texts import forms
from bot.texts import staff as t
from storage import audit, drafts, orgs
from storage.models import FormDraft, Organization, OrgKind


def _timezone(raw: str, env: ParseEnv) -> str:
    zone = parse_timezone(raw) if raw.strip() else None
    if zone is None:
        raise InvalidAnswer(t.BAD_TZ)
    return zone


RENAME = FormSpec(
    name="org_rename",
    title=t.RENAME_TITLE,
    fields=(Field("name", t.L_NEW_NAME, t.Q_NEW_NAME, text(maximum=300, minimum=3)),),
)
TIMEZONE = FormSpec(
    name="org_tz",
    title=t.TZ_TITLE,
    fields=(Field("timezone", t.L_TZ, t.Q_TZ, _timezone),),
)


async def open_form(
    session: AsyncSession, *, form: str, tg_user_id: int, org: Organization, now: datetime
) -> FormDraft:
    spec = RENAME if form == RENAME.name else TIMEZONE
    return await drafts.start_draft(
        session,
        tg_user_id=tg_user_id,
        form=spec.name,
        org_id=None,
        step=spec.first_step({}),
        context={"target_org": org.id, "org_name": org.name, "admin_only": True},
        now=now,
    )


class _OrgFieldFlow:
    """One field of an organization, changed with an audit record."""

    spec: FormSpec
    attribute: str
    action: str

    def previous_value(self, field: str, context: dict[str, Any]) -> Any:
        return None

    def summary(self, answers: dict[str, Any], context: dict[str, Any], today: date) -> Summary:
        field = self.spec.fields[0]
        lines = [
            t.org_form_header(self.spec.title, context["org_name"]),
            forms.field_line(field.label, str(answers.get(field.name, ""))),
            "",
            forms.SUMMARY_CONFIRM_HINT,
        ]
        return Summary("\n".join(lines))

    async def submit(
        self, session: AsyncSession, draft: FormDraft, person_id: int, now: datetime
    ) -> str:
        org = await orgs.get_org(session, draft.context["target_org"])
        if org is None:
            return t.NOT_FOUND
        value = draft.answers[self.spec.fields[0].name]
        if self.attribute == "name" and (
            taken := await orgs.namesake(
                session, kind=org.kind, parent_id=org.parent_id, name=value, other_than=org.id
            )
        ):
            return admin_texts.name_taken(value, taken.id)
        before = getattr(org, self.attribute)
        setattr(org, self.attribute, value)
        if self.attribute == "name":
            org.name_key = orgs.name_key(value)
        org.updated_at = now
        audit.record(
            session,
            at=now,
            actor_id=person_id,
            action=self.action,
            org_id=org.id,
            before={self.attribute: before},
            after={self.attribute: value},
        )
        return self.done(before, org)

    def done(self, before: Any, org: Organization) -> str:
        raise NotImplementedError


class RenameFlow(_OrgFieldFlow):
    spec, attribute, action = RENAME, "name", "org.rename"

    def done(self, before: Any, org: Organization) -> str:
        return t.renamed(str(before), org.name)


class TimezoneFlow(_OrgFieldFlow):
    spec, attribute, action = TIMEZONE, "timezone", "org.timezone"

    def done(self, before: Any, org: Organization) -> str:
        return t.tz_set(org.name, org.timezone or "")


async def districts(session: AsyncSession) -> list[Organization]:
    return [
        org
        for org in await orgs.all_orgs(session)
        if org.kind is OrgKind.DISTRICT and org.archived_at is None
    ]


async def move(
    session: AsyncSession,
    org: Organization,
    district: Organization,
    *,
    by: int | None,
    now: datetime,
) -> str:
    """Move a ППО to another district; refused (with the reason) when a ППО of the same name
    is there already, since names are unique within a district."""
    taken = await orgs.namesake(
        session, kind=org.kind, parent_id=district.id, name=org.name, other_than=org.id
    )
    if taken is not None:
        return admin_texts.move_name_taken(org.name, district.name, taken.id)
    before = org.parent_id
    org.parent_id, org.updated_at = district.id, now
    audit.record(
        session,
        at=now,
        actor_id=by,
        action="org.move",
        org_id=org.id,
        before={"parent_id": before},
        after={"parent_id": district.id},
    )
    return t.moved(org.name, district.name)


def set_archived(
    org: Organization, session: AsyncSession, *, archived: bool, by: int | None, now: datetime
) -> None:
    """Archived organizations keep their history and drop out of reminders and digests."""
    org.archived_at = now if archived else None
    org.updated_at = now
    audit.record(
        session,
        at=now,
        actor_id=by,
        action="org.archive" if archived else "org.restore",
        org_id=org.id,
    )


async def search(
    session: AsyncSession, query: str, scope_ids: set[int] | None
) -> list[Organization]:
    """Organizations whose name contains ``query`` (or whose number it is), within ``scope_ids``
    (districts or regions; None: everywhere)."""
    everything = await orgs.all_orgs(session)
    by_id = {org.id: org for org in everything}
    key = orgs.name_key(query.lstrip("#"))
    number = typed_int(query.strip().lstrip("#№"))
    found = [org for org in everything if key and (key in org.name_key or number == org.id)]
    if scope_ids is None:
        return found

    def inside(org: Organization) -> bool:
        current: Organization | None = org
        while current is not None:
            if current.id in scope_ids:
                return True
            current = by_id.get(current.parent_id) if current.parent_id else None
        return False

    return [org for org in found if inside(org)]
