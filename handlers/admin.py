"""Admins: load the list of organizations, see the tree, hand out invites."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from functools import partial
from pathlib import Path

from aiogram import F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import CommandObject, or_f
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.domain import consent, erasure
from bot.domain.audience import Audience
from bot.domain.clock import Clock
from bot.domain.directory import (
    ImportOutcome,
    deep_link,
    import_organizations,
    invites_for_unchaired,
    reissue_invite,
    staff_invites,
    tree_lines,
)
from bot.domain.viewer import acting_person
from bot.forms.parsers import TELEGRAM_ID_MAX
from bot.rendering.xlsx import build_table_xlsx, build_template_xlsx
from bot.texts import admin as t
from bot.texts import common, importing
from bot.wiring.config import Settings
from bot.wiring.context import Ctx
from handlers import keyboards
from handlers.callbacks import ForgetCb
from handlers.filters import IsAdmin, command
from handlers.forms import HasDraft
from handlers.menu import set_chat_menu
from handlers.replies import answer_file, answer_lines, downloaded, found_by_number
from storage import orgs, people
from storage.backup import BackupUnsupportedError, copy_database
from storage.models import Role

MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
ERRORS_SHOWN = 30


async def import_command(message: Message) -> None:
    await message.answer(t.SEND_FILE)


async def import_file(message: Message, ctx: Ctx) -> None:
    data = await downloaded(message, ctx.bot, limit_bytes=MAX_IMPORT_BYTES, too_big=t.FILE_TOO_BIG)
    if data is None:
        return
    assert message.document is not None
    outcome = await import_organizations(
        ctx.session,
        data,
        message.document.file_name or "",
        default_region=ctx.settings.default_region,
        now=ctx.now(),
        calendar=ctx.settings.calendar,
        default_tz=ctx.settings.timezone,
    )
    await _say_imported(message, outcome)
    if outcome.table.unread_sheets:
        await message.answer(importing.unread_sheets(outcome.table.unread_sheets))


async def _say_imported(message: Message, outcome: ImportOutcome) -> None:
    if outcome.table.fatal:
        await message.answer(outcome.table.fatal)
        return
    if outcome.summary is not None:
        s = outcome.summary
        await message.answer(t.import_done(s.created, s.updated, s.unchanged, s.districts_created))
        if outcome.region_named is not None:
            await message.answer(t.region_named(*outcome.region_named))
        if s.archived:
            await message.answer(t.imported_into_archive(s.archived))
        if s.known_as:
            await message.answer(t.imported_known_as(s.known_as))
    if outcome.table.errors:
        errors = [(e.row_number, e.message) for e in outcome.table.errors]
        await answer_lines(message, t.import_errors(errors, ERRORS_SHOWN).split("\n"))


async def template(message: Message) -> None:
    await answer_file(message, build_template_xlsx, t.TEMPLATE_FILENAME, t.TEMPLATE_CAPTION)


async def org_tree(message: Message, session: AsyncSession) -> None:
    await answer_lines(message, await tree_lines(session))


async def invites(message: Message, ctx: Ctx) -> None:
    now, ttl, tz = ctx.now(), ctx.settings.invite_ttl, ctx.settings.timezone
    chairs = await invites_for_unchaired(ctx.session, ttl=ttl, now=now)
    staff = await staff_invites(ctx.session, ttl=ttl, now=now)
    if not chairs and not staff:
        known = await orgs.any_org(ctx.session)
        await message.answer(t.INVITES_NONE if known else t.INVITES_NO_ORGS)
        return
    username = (await ctx.bot.me()).username or ""
    rows = []
    lines: list[str] = []
    for header, whom, pending in (
        (t.INVITES_HEADER, t.ROLE_CHAIR, chairs),
        (t.STAFF_INVITES_HEADER, t.ROLE_STAFF, staff),
    ):
        if pending:
            lines += ["", header] if lines else [header]
        for item in pending:
            link = deep_link(username, item.invite.code)
            expires = common.local_date(item.invite.expires_at, tz)
            lines += ["", t.invite_line(item.org.name, link, expires)]
            listed = item.org.chair_name or "" if whom == t.ROLE_CHAIR else ""
            rows.append((item.region, item.district, item.org.name, whom, listed, link, expires))
    await answer_lines(message, lines)
    await answer_file(
        message,
        partial(build_table_xlsx, t.INVITES_SHEET, t.INVITES_COLUMNS, rows),
        t.INVITES_FILENAME,
        t.INVITES_FILE_CAPTION,
    )


async def invite_one(message: Message, command: CommandObject, ctx: Ctx) -> None:
    """/invite N: a fresh link for the ППО (its chair) or district (its staff) number N; none
    for an archived one, which a link would not let anyone into."""
    find = partial(orgs.get_org, ctx.session)
    org = await found_by_number(message, command, find, t.INVITE_USAGE, t.INVITE_NOT_FOUND)
    if org is None:
        return
    if org.archived_at is not None:
        await message.answer(t.invite_archived(org.id, org.name))
        return
    invite = await reissue_invite(ctx.session, org, ttl=ctx.settings.invite_ttl, now=ctx.now())
    username = (await ctx.bot.me()).username or ""
    await message.answer(
        t.invite_reissued(
            org.name,
            t.ROLE_CHAIR if invite.role is Role.CHAIR else t.ROLE_STAFF,
            deep_link(username, invite.code),
            common.local_date(invite.expires_at, ctx.settings.timezone),
        ),
        disable_web_page_preview=True,
    )


async def backup(message: Message, engine: AsyncEngine, settings: Settings, clock: Clock) -> None:
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    with tempfile.TemporaryDirectory() as folder:
        try:
            path = await copy_database(engine, Path(folder) / f"bot-{stamp}.sqlite3")
        except BackupUnsupportedError:
            await message.answer(t.BACKUP_NOT_SQLITE)
            return
        size = path.stat().st_size
        if size > MAX_UPLOAD_BYTES:
            await message.answer(t.backup_too_big(size // (1024 * 1024), str(settings.backup_dir)))
            return
        data = await asyncio.to_thread(path.read_bytes)  # the folder is gone once sent
    await answer_file(message, lambda: data, path.name, t.backup_caption(stamp))


async def forget_command(message: Message, command: CommandObject, session: AsyncSession) -> None:
    """/forget <telegram id>: shows whom and what it erases, and asks to confirm."""
    find = partial(people.get_person, session)
    person = await found_by_number(
        message, command, find, t.FORGET_USAGE, t.FORGET_NOT_FOUND, "@", TELEGRAM_ID_MAX
    )
    if person is None:
        return
    roles = [
        f"{consent.ROLE_LABELS[role]}: {org.name}" if org else consent.ROLE_LABELS[role]
        for role, org in await people.active_grants(session, person.tg_user_id)
    ]
    await message.answer(
        t.forget_confirm(person.full_name, person.tg_user_id, roles),
        reply_markup=keyboards.forget_confirm(person.id),
    )


async def forget_confirmed(query: CallbackQuery, callback_data: ForgetCb, ctx: Ctx) -> None:
    message, session = query.message, ctx.session
    person = await people.person_by_id(session, callback_data.person_id)
    if not isinstance(message, Message) or person is None or person.erased_at is not None:
        await query.answer(t.FORGET_NOT_FOUND, show_alert=True)
        return
    await query.answer()
    with contextlib.suppress(TelegramAPIError):
        await message.edit_reply_markup(reply_markup=None)
    if not callback_data.confirm:
        await message.answer(t.FORGET_KEPT)
        return
    now = ctx.now()
    actor = await acting_person(session, ctx.viewer, query.from_user, now)
    chat_id = person.tg_user_id  # erasing replaces it
    erased = await erasure.erase(session, person, by=actor.id, now=now)
    await message.answer(t.forgotten(erased.person_id, erased.roles_ended))
    # Nothing is written to them; their menu stops offering the commands of roles now ended.
    await set_chat_menu(ctx.bot, chat_id, Audience.STRANGER)


def create_router() -> Router:
    router = Router(name="admin")
    router.message.filter(IsAdmin())
    router.callback_query.filter(IsAdmin())
    router.callback_query.register(forget_confirmed, ForgetCb.filter())
    router.message.register(forget_command, command("forget"))
    router.message.register(import_command, command("import"), ~F.document)
    # A file sent during an open form is the form's (a photo sent as a file), unless it says
    # /import: an admin who also chairs a ППО is not answered as if importing a list.
    router.message.register(import_file, F.document, or_f(command("import"), ~HasDraft()))
    router.message.register(template, command("template"))
    router.message.register(org_tree, command("orgs"))
    router.message.register(invites, command("invites"))
    router.message.register(invite_one, command("invite"))
    router.message.register(backup, command("backup"))
    return router
