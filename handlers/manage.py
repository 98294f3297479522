"""Admins manage organizations and roles; admins and staff read the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters import CommandObject
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import due_periods, org_admin
from bot.domain.directory import deep_link
from bot.domain.org_admin import RENAME_FORM, TIMEZONE_FORM
from bot.domain.staff_scope import can_act_on
from bot.domain.tick import Tick
from bot.domain.viewer import acting_person
from bot.forms.declaration import Form
from bot.forms.parsers import TELEGRAM_ID_MAX, record_number
from bot.rendering.audit import change_summary
from bot.texts import common
from bot.texts import staff as t
from bot.wiring.config import Settings
from bot.wiring.context import Ctx
from handlers import keyboards
from handlers.callbacks import OrgAction, OrgCb, RoleRevoke
from handlers.filters import IsAdmin, IsStaffOrAdmin, command
from handlers.form_chat import FormChat
from handlers.menu import rights_narrowed, rights_widened
from handlers.org_search import SEARCH_SHOWN, answer_found
from handlers.replies import answer_lines
from handlers.taps import TapHandler, tap_router
from storage import audit, orgs, people
from storage.models import Organization, OrgKind, Role, RoleGrant

AUDIT_SHOWN = 20


async def org_command(message: Message, command: CommandObject, session: AsyncSession) -> None:
    query = (command.args or "").strip()
    if not query:
        await message.answer(t.search_usage("/org"))
        return
    found = await org_admin.search(session, query, None)
    await answer_found(message, found, t.ORG_CARD_ACTIONS, keyboards.org_found)


async def curator_command(message: Message, command: CommandObject, ctx: Ctx) -> None:
    """/curator <ППО>: a link that attaches a curator (seed 002: for ППО with low coverage)."""
    query = (command.args or "").strip()
    if not query:
        await message.answer(t.search_usage("/curator"))
        return
    found = await org_admin.search(ctx.session, query, None)
    found = [org for org in found if org.kind is OrgKind.PPO]
    if len(found) != 1:
        if not found:
            await message.answer(t.NOT_FOUND)
        else:
            await message.answer(
                t.ORG_CARD_ACTIONS, reply_markup=keyboards.org_found(found[:SEARCH_SHOWN])
            )
        return
    await _curator_link(message, found[0], ctx)


async def _curator_link(message: Message, org: Organization, ctx: Ctx) -> None:
    invite = await people.issue_invite(
        ctx.session,
        org_id=org.id,
        role=Role.CURATOR,
        now=ctx.now(),
        ttl=ctx.settings.invite_ttl,
        replacing=False,  # one link per curator: the first one sent stays good
    )
    link = deep_link((await ctx.bot.me()).username or "", invite.code)
    expires = common.local_date(invite.expires_at, ctx.settings.timezone)
    await message.answer(t.curator_link(org.name, link, expires), disable_web_page_preview=True)


async def _card(
    message: Message, org: Organization, session: AsyncSession, settings: Settings
) -> None:
    parent = await orgs.get_org(session, org.parent_id) if org.parent_id else None
    district = parent.name if parent is not None and org.kind is OrgKind.PPO else ""
    await message.answer(
        t.org_card(
            org.id,
            org.name,
            t.KIND_NAMES[org.kind.value],
            district,
            org.timezone or t.default_tz(settings.timezone),
            org.archived_at is not None,
        ),
        reply_markup=keyboards.org_actions(org),
    )


@dataclass(frozen=True)
class OrgTap:
    """An admin's tap on an organization's card: the organization, the chat, the actor, and
    the update's context."""

    org: Organization
    message: Message
    actor: int
    ctx: Ctx


async def _org_tap(query: CallbackQuery, callback_data: OrgCb, ctx: Ctx) -> OrgTap | None:
    """The tapped organization if it still exists (the router admits admins only)."""
    org = await orgs.get_org(ctx.session, callback_data.org_id)
    message = query.message
    if org is None or not isinstance(message, Message):
        await query.answer(t.NOT_FOUND, show_alert=True)
        return None
    await query.answer()
    actor = await acting_person(ctx.session, ctx.viewer, query.from_user, ctx.now())
    return OrgTap(org, message, actor.id, ctx)


async def org_opened(_: CallbackQuery, tap: OrgTap) -> None:
    await _card(tap.message, tap.org, tap.ctx.session, tap.ctx.settings)


def _field_form(form: Form[Any]) -> TapHandler:
    """Rename, time zone: a form on the organization (or the admin's unfinished one)."""

    async def open_field_form(_: CallbackQuery, tap: OrgTap) -> None:
        chat = FormChat(tap.message, tap.ctx)
        await chat.open_or_resume(form, chat.request(tap.org))

    return open_field_form


async def move_tapped(_: CallbackQuery, tap: OrgTap) -> None:
    choices = await org_admin.move_targets(tap.ctx.session, tap.org)
    if not choices:
        await tap.message.answer(t.NO_DISTRICT_TO_MOVE_TO)
        return
    await tap.message.answer(
        t.CHOOSE_DISTRICT, reply_markup=keyboards.move_choice(tap.org.id, choices)
    )


async def move_page_turned(_: CallbackQuery, callback_data: OrgCb, tap: OrgTap) -> None:
    """«Ещё…» / «Назад» under the districts to move to: that page of those open now."""
    choices = await org_admin.move_targets(tap.ctx.session, tap.org)
    if not choices:
        await tap.message.answer(t.NO_DISTRICT_TO_MOVE_TO)
        return
    keyboard = keyboards.move_choice(tap.org.id, choices, callback_data.target)
    await tap.message.edit_reply_markup(reply_markup=keyboard)


async def move_to_tapped(_: CallbackQuery, callback_data: OrgCb, tap: OrgTap) -> None:
    session = tap.ctx.session
    district = await orgs.get_org(session, callback_data.target)
    if district is None or district.kind is not OrgKind.DISTRICT or tap.org.kind is not OrgKind.PPO:
        await tap.message.answer(t.NOT_FOUND)
        return
    moved = await org_admin.move(session, tap.org, district, by=tap.actor, now=tap.ctx.now())
    await tap.message.answer(moved)


def _archiving(archived: bool) -> TapHandler:
    async def set_archived(_: CallbackQuery, tap: OrgTap) -> None:
        org, session, now, settings = tap.org, tap.ctx.session, tap.ctx.now(), tap.ctx.settings
        tick = Tick(now, settings.calendar, settings.timezone)
        told = await org_admin.set_archived(
            session, org, archived=archived, by=tap.actor, tick=tick
        )
        await tap.message.answer(t.archived(org.name) if archived else t.restored(org.name))
        if not archived:
            await due_periods.rejoin_open_periods(
                session, org, settings.calendar, now, settings.timezone
            )
        tell = rights_narrowed if archived else rights_widened
        for chat_id, notice in told:
            await tell(tap.ctx, chat_id, notice)

    return set_archived


async def curator_tapped(_: CallbackQuery, tap: OrgTap) -> None:
    if tap.org.kind is OrgKind.PPO:
        await _curator_link(tap.message, tap.org, tap.ctx)


async def roles_tapped(_: CallbackQuery, tap: OrgTap) -> None:
    grants = await orgs.grants_over(tap.ctx.session, tap.org.id)
    if not grants:
        await tap.message.answer(t.ROLES_NONE)
        return
    for grant, person in grants:
        await tap.message.answer(
            t.role_line(person.full_name, grant.role.value),
            reply_markup=keyboards.revoke_button(grant.id),
        )


ORG_BUTTONS: dict[OrgAction, TapHandler] = {
    OrgAction.OPEN: org_opened,
    OrgAction.RENAME: _field_form(RENAME_FORM),
    OrgAction.TIMEZONE: _field_form(TIMEZONE_FORM),
    OrgAction.MOVE: move_tapped,
    OrgAction.MOVE_TO: move_to_tapped,
    OrgAction.MOVE_PAGE: move_page_turned,
    OrgAction.ARCHIVE: _archiving(True),
    OrgAction.RESTORE: _archiving(False),
    OrgAction.CURATOR: curator_tapped,
    OrgAction.ROLES: roles_tapped,
}


async def role_revoke(query: CallbackQuery, callback_data: RoleRevoke, ctx: Ctx) -> None:
    session = ctx.session
    grant = await session.get(RoleGrant, callback_data.grant_id)
    if grant is None or grant.revoked_at is not None or not isinstance(query.message, Message):
        await query.answer(t.NOT_FOUND, show_alert=True)
        return
    person = await people.person_by_id(session, grant.person_id)
    actor = await acting_person(session, ctx.viewer, query.from_user, ctx.now())
    tick = Tick(ctx.now(), ctx.settings.calendar, ctx.settings.timezone)
    await org_admin.revoke(session, grant, by=actor.id, tick=tick)
    await query.answer()
    await query.message.answer(t.role_revoked(person.full_name if person else "", grant.role.value))
    org = await orgs.get_org(session, grant.org_id) if grant.org_id is not None else None
    if person is not None and person.erased_at is None:
        notice = t.your_role_ended(org.name if org else "", grant.role.value)
        await rights_narrowed(ctx, person.tg_user_id, notice)


async def audit_command(message: Message, command: CommandObject, ctx: Ctx) -> None:
    """/audit <№ organization> or /audit @<telegram id>: the latest changes, newest first."""
    session, viewer = ctx.session, ctx.viewer
    arg = (command.args or "").strip()
    entries, subject = None, ""
    tg_user_id = record_number(arg[1:], TELEGRAM_ID_MAX) if arg.startswith("@") else None
    org_number = None if arg.startswith("@") else record_number(arg.lstrip("#№"))
    if tg_user_id is not None and viewer.is_admin:
        person = await people.get_person(session, tg_user_id)
        if person is not None:
            entries = await audit.latest(session, person_id=person.id, limit=AUDIT_SHOWN)
            subject = person.full_name
    elif org_number is not None:
        org = await orgs.get_org(session, org_number)
        if org is not None and await can_act_on(session, viewer, org):
            entries = await audit.latest(session, org_id=org.id, limit=AUDIT_SHOWN)
            subject = org.name
        elif org is not None:
            await message.answer(common.NO_RIGHTS)
            return
    if entries is None:
        await message.answer(t.AUDIT_USAGE)
        return
    if not entries:
        await message.answer(t.AUDIT_EMPTY)
        return
    names = await people.names_by_id(session, [e.actor_id for e in entries if e.actor_id])
    tz = ZoneInfo(ctx.settings.timezone)
    lines = [t.audit_header(subject)]
    for entry in entries:
        details = change_summary(entry.before, entry.after, tz)
        lines.append(
            t.audit_line(
                entry.at.astimezone(tz).strftime("%d.%m.%Y %H:%M"),
                names.get(entry.actor_id or 0, t.SYSTEM),
                t.ACTIONS.get(entry.action, entry.action),
                details,
            )
        )
    await answer_lines(message, lines)


def create_router() -> Router:
    router = Router(name="manage")
    admin = Router(name="manage-admin")
    admin.message.filter(IsAdmin())
    admin.callback_query.filter(IsAdmin())
    admin.message.register(org_command, command("org"))
    admin.message.register(curator_command, command("curator"))
    admin.callback_query.register(role_revoke, RoleRevoke.filter())
    admin.include_router(tap_router("manage-org-buttons", OrgCb, ORG_BUTTONS, _org_tap))
    staff = Router(name="manage-staff")
    staff.message.filter(IsStaffOrAdmin())
    staff.message.register(audit_command, command("audit"))
    router.include_routers(admin, staff)
    return router
