"""Organization management: rename, move, time zone, archive and restore; roles over them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import archived_escalations
from bot.domain.staff_scope import lineage
from bot.domain.tick import Tick
from bot.domain.timezones import parse_timezone
from bot.forms.declaration import AdminContext, Form, Opening, OpenRequest, Submission, Summary
from bot.forms.engine import Field, FormSpec, InvalidAnswer, ParseEnv
from bot.forms.parsers import org_number, text
from bot.texts import admin as admin_texts
from bot.texts import curator as curator_texts
from bot.texts import forms
from bot.texts import staff as t
from storage import audit, contacts, org_zones, orgs, people
from storage.closure import is_closed
from storage.models import Organization, OrgKind, Person, Role, RoleGrant
from storage.org_names import contains
from storage.outbox_withdraw import (
    ARCHIVED,
    drop_escalations_about,
    drop_reminders_about,
    withdraw_about,
)
from storage.target_moves import follow_move


def _timezone(raw: str, env: ParseEnv) -> str:
    zone = parse_timezone(raw) if raw.strip() else None
    if zone is None:
        raise InvalidAnswer(t.BAD_TZ)
    return zone


RENAME = FormSpec(
    name="org_rename",
    title=t.RENAME_TITLE,
    fields=(
        Field("name", t.L_NEW_NAME, t.Q_NEW_NAME, text(maximum=300, minimum=3, one_line=True)),
    ),
)
TIMEZONE = FormSpec(
    name="org_tz",
    title=t.TZ_TITLE,
    fields=(Field("timezone", t.L_TZ, t.Q_TZ, _timezone),),
)


def _field_form(
    spec: FormSpec, submit: Callable[[Submission[AdminContext]], Awaitable[str]]
) -> Form[AdminContext]:
    """An admin's form changing one field of an organization (``spec`` asks only that field):
    the two differ only in the question and in how the answer is stored (``submit``)."""

    async def open_form(request: OpenRequest) -> Opening:
        context = AdminContext(target_org=request.org.id, org_name=request.org.name)
        return await request.start_new(spec, context)

    def summary(answers: dict[str, Any], context: AdminContext, today: date) -> Summary:
        """The field and its new value."""
        field = spec.fields[0]
        lines = [
            t.org_form_header(spec.title, context.org_name),
            forms.field_line(field.label, str(answers.get(field.name, ""))),
            "",
            forms.SUMMARY_CONFIRM_HINT,
        ]
        return Summary("\n".join(lines))

    return Form(
        spec=spec,
        context=AdminContext,
        open=open_form,
        summary=summary,
        submit=submit,
    )


async def _change(
    submission: Submission[AdminContext], attribute: str, action: str
) -> tuple[Any, Organization] | str:
    """Set ``attribute`` of the organization (the form's one answer) with an audit record;
    (the value before, the organization), or the text saying why not."""
    session, now = submission.session, submission.now
    org = await orgs.get_org(session, submission.context.target_org)
    if org is None:
        return t.NOT_FOUND
    value = submission.draft.answers[attribute]
    if attribute == "name" and (
        taken := await orgs.namesake(
            session, kind=org.kind, parent_id=org.parent_id, name=value, other_than=org.id
        )
    ):
        return admin_texts.name_taken(value, taken.id)
    before = getattr(org, attribute)
    if attribute == "name":
        orgs.set_name(org, value, now)  # the keys it is matched and listed by follow
    else:
        setattr(org, attribute, value)
        org.updated_at = now
    submission.audit(action, org.id, before={attribute: before}, after={attribute: value})
    return before, org


async def _rename(submission: Submission[AdminContext]) -> str:
    changed = await _change(submission, "name", "org.rename")
    return changed if isinstance(changed, str) else t.renamed(str(changed[0]), changed[1].name)


async def _set_timezone(submission: Submission[AdminContext]) -> str:
    """A district's or region's zone is also that of the organizations under it that had none
    of their own (or had its old one): a ППО's reports are late by its district's clock."""
    changed = await _change(submission, "timezone", "org.timezone")
    if isinstance(changed, str):
        return changed
    before, org = changed
    below = await orgs.under(submission.session, org.id)
    now = submission.now
    followers = [
        under for under in below if org_zones.follow_zone(under, org, followed=before, now=now)
    ]
    return t.tz_set(org.name, org.timezone or "", len(followers))


RENAME_FORM = _field_form(RENAME, _rename)
TIMEZONE_FORM = _field_form(TIMEZONE, _set_timezone)


async def move_targets(session: AsyncSession, ppo: Organization) -> list[Organization]:
    """The districts a ППО may be moved to: the live ones of its own region, but its own
    (the same names recur from region to region; the admin picks from pages of them)."""
    district = None if ppo.parent_id is None else await orgs.get_org(session, ppo.parent_id)
    region = None if district is None else district.parent_id
    return [org for org in await orgs.live_districts_in(session, region) if org.id != ppo.parent_id]


async def move(
    session: AsyncSession,
    org: Organization,
    district: Organization,
    *,
    by: int | None,
    now: datetime,
) -> str:
    """Move a ППО to another district, with what it still owes the old one; refused (with the
    reason) when a ППО of the same name is there already, since names are unique within a
    district. A stale or repeated button is refused too: a move into the district it is in
    would drop what it owes there, one into a closed district (archived, or of an archived
    region) or another region is not offered."""
    if district.id == org.parent_id:
        return admin_texts.already_in(org.name, district.name)
    if district not in await move_targets(session, org):
        return admin_texts.MOVE_TARGET_GONE
    taken = await orgs.namesake(
        session, kind=org.kind, parent_id=district.id, name=org.name, other_than=org.id
    )
    if taken is not None:
        return admin_texts.move_name_taken(org.name, district.name, taken.id)
    before, zone = org.parent_id, org.timezone
    old = None if before is None else await orgs.get_org(session, before)
    org.parent_id, org.updated_at = district.id, now
    # A ППО that followed its old district's zone follows the new one's; its own stays.
    followed = None if old is None else old.timezone
    rezoned = org_zones.follow_zone(org, district, followed=followed, now=now)
    if before is not None:
        await follow_move(session, org_id=org.id, from_scope=before, to_scope=district.id)
    audit.record(
        session,
        at=now,
        actor_id=by,
        action="org.move",
        org_id=org.id,
        before={"parent_id": before} | ({"timezone": zone} if rezoned else {}),
        after={"parent_id": district.id} | ({"timezone": org.timezone} if rezoned else {}),
    )
    return t.moved(org.name, district.name, org.timezone if rezoned else None, rezoned)


async def set_archived(
    session: AsyncSession, org: Organization, *, archived: bool, by: int | None, tick: Tick
) -> list[tuple[int, str]]:
    """Archived organizations keep their history and drop out of reminders and digests, and so
    does everything under them (``storage.closure``); what was already queued to the chairs of
    the ППО closed, or to the staff of a district or region closed, about it is withdrawn,
    the escalations listing them rewritten without them (``archived_escalations``), and a
    restore puts them back. ``tick``: now, and the zone of organizations without their own,
    by which escalations are written. Returns those chairs, staff and
    curators, who are to be told, each once with what they are told (chat,
    notice): on an archiving, those it closes out; on a restore, those it gives their role
    back. None when nothing opens or closes for them (archived twice, or under an
    organization still archived): they were told then, or will be when that one is
    restored."""
    was_closed, now = await is_closed(session, org), tick.now
    org.archived_at = now if archived else None
    org.updated_at = now
    audit.record(
        session,
        at=now,
        actor_id=by,
        action="org.archive" if archived else "org.restore",
        org_id=org.id,
    )
    if was_closed is await is_closed(session, org):
        return []
    if archived:
        return await _withdraw_notices(session, org, tick)
    return await _restore_notices(session, org, tick)


async def _turning(session: AsyncSession, org: Organization) -> list[Organization]:
    """``org`` and what is under it but was not archived on its own earlier (with what is under
    that): what archiving ``org`` closes, or restoring it opens."""
    below = await orgs.under(session, org.id)
    earlier = {o.id for o in below if o.archived_at is not None}
    return [org, *(o for o in below if o.id not in earlier and o.parent_id not in earlier)]


def _tell(told: dict[int, list[str]], chat: int, notice: str) -> None:
    told.setdefault(chat, []).append(notice)


def _once(told: dict[int, list[str]]) -> list[tuple[int, str]]:
    """One message to each person, however many of their roles it is about."""
    return [(chat, "\n\n".join(notices)) for chat, notices in told.items()]


async def _withdraw_notices(
    session: AsyncSession, org: Organization, tick: Tick
) -> list[tuple[int, str]]:
    shut = await _turning(session, org)
    names = {o.id: o.name for o in shut if o.kind is OrgKind.PPO}
    chairs = await contacts.chairs_of(session, names)
    told: dict[int, list[str]] = {}
    for ppo_id, chair in chairs.items():
        await drop_reminders_about(session, chat_id=chair.tg_user_id, org_id=ppo_id)
        await withdraw_about(session, chat_id=chair.tg_user_id, org_id=ppo_id, reason=ARCHIVED)
        _tell(told, chair.tg_user_id, t.your_ppo_archived(names[ppo_id]))
    chats = await _tell_curators(session, names, told, curator_texts.curated_archived)
    for scope in (o for o in shut if o.kind is not OrgKind.PPO):
        for staff in await contacts.staff_of(session, scope.id):
            chat = staff.tg_user_id
            await _withdraw_scope(session, chat, scope.id)
            _tell(told, chat, t.your_scope_archived(scope.name))
        await _withdraw_escalated_up(session, scope)
    above = (await lineage(session, org))[1:]
    chats += await _staff_chats(session, above)
    await archived_escalations.cut(session, tick, chats=chats, closed=names, above=above)
    return _once(told)


async def _withdraw_scope(session: AsyncSession, chat: int, scope_id: int) -> None:
    """What waits for ``chat`` about the district or region ``scope_id`` just closed will not go
    out; its escalations are deleted, so that a restore has them queued again while due."""
    await drop_escalations_about(session, chat_id=chat, scope_id=scope_id)
    await withdraw_about(session, chat_id=chat, org_id=scope_id, reason=ARCHIVED)


async def _tell_curators(
    session: AsyncSession,
    names: dict[int, str],
    told: dict[int, list[str]],
    notice: Callable[[str], str],
) -> list[int]:
    """Tell the curators of the ППО ``names`` (by id) what became of them (``notice`` of a
    ППО's name); their chats, whose waiting escalations list them."""
    curators = await contacts.curators_of(session, names)
    for ppo_id, contacts_of_ppo in curators.items():
        for curator in contacts_of_ppo:
            _tell(told, curator.tg_user_id, notice(names[ppo_id]))
    return [c.tg_user_id for people in curators.values() for c in people]


async def _staff_chats(session: AsyncSession, scopes: Collection[int]) -> list[int]:
    return [
        person.tg_user_id for scope in scopes for person in await contacts.staff_of(session, scope)
    ]


async def _withdraw_escalated_up(session: AsyncSession, scope: Organization) -> None:
    """What went about a district to its region's staff because it had no staff to write to
    (``staff_scope.scope_staff``: its late ППО's escalation, its plans' review, its rating
    notice, each naming the district in its key or payload) is withdrawn with it; they are
    not told, the region is not theirs to lose (if it closes too, they are told of it)."""
    if scope.kind is not OrgKind.DISTRICT or scope.parent_id is None:
        return
    for staff in await contacts.staff_of(session, scope.parent_id):
        await _withdraw_scope(session, staff.tg_user_id, scope.id)


async def _restore_notices(
    session: AsyncSession, org: Organization, tick: Tick
) -> list[tuple[int, str]]:
    opened = await _turning(session, org)
    names = {o.id: o.name for o in opened if o.kind is OrgKind.PPO}
    told: dict[int, list[str]] = {}
    for ppo_id, chair in (await contacts.chairs_of(session, names)).items():
        _tell(told, chair.tg_user_id, t.your_ppo_restored(names[ppo_id]))
    chats = await _tell_curators(session, names, told, curator_texts.curated_restored)
    for scope in (o for o in opened if o.kind is not OrgKind.PPO):
        for staff in await contacts.staff_of(session, scope.id):
            _tell(told, staff.tg_user_id, t.your_scope_restored(scope.name))
    chats += await _staff_chats(session, (await lineage(session, org))[1:])
    await archived_escalations.reopen(session, tick, chats=chats, opened=names)
    return _once(told)


async def revoke(session: AsyncSession, grant: RoleGrant, *, by: int | None, tick: Tick) -> None:
    """End ``grant`` (``people.revoke_grant``). A curator's escalations waiting that list its
    ППО are rewritten with the ППО they still curate (``archived_escalations.uncurated``), not
    dropped for the planner to queue again: it queues them only while the request or the plan
    stage is escalated, and the others they listed would be lost after that."""
    await people.revoke_grant(session, grant, now=tick.now, actor_id=by)
    person = await session.get(Person, grant.person_id)
    if grant.role is Role.CURATOR and grant.org_id is not None and person is not None:
        chat = person.tg_user_id
        await archived_escalations.uncurated(session, tick, chat=chat, org_id=grant.org_id)


async def search(
    session: AsyncSession, query: str, scope_ids: set[int] | None
) -> list[Organization]:
    """Organizations whose name contains ``query`` (``org_names.contains``) or whose number it
    is (``parsers.org_number``: «#123» or «123», never «№ 3»), within ``scope_ids`` (districts
    or regions; None: everywhere). Each found is a button to pick, so both may come back."""
    everything = await orgs.all_orgs(session)
    by_id = {org.id: org for org in everything}
    key = orgs.name_key(query.lstrip("#"))
    number = org_number(query)
    found = [org for org in everything if key and (contains(org.name_key, key) or number == org.id)]
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
