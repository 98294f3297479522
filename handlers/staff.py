"""District staff (and admins): status, digests, tables, rating, requests, announcements,
corrections, paused chairs, the audit log. Everything acts on the sender's own scope only."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from aiogram import Router
from aiogram.filters import CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.digests import EVENTS_WINDOW
from bot.domain import corrections
from bot.domain.audience import Audience
from bot.domain.corrections import RETURN_FORM
from bot.domain.digest import parse_period
from bot.domain.org_admin import search
from bot.domain.rating import load_rating, rating_year
from bot.domain.staff_scope import can_act_on, regions_over, scopes_for
from bot.domain.timezones import zone_named
from bot.domain.viewer import Viewer
from bot.forms.declaration import Form
from bot.forms.registry import forms_for
from bot.rendering.digest_reply import DigestAsk, DigestReply, digest_reply
from bot.rendering.rating import rating_file_name, rating_text, rating_xlsx
from bot.texts import common
from bot.texts import digest as td
from bot.texts import rating as tr
from bot.texts import staff as t
from bot.wiring.context import Ctx
from handlers import keyboards
from handlers.callbacks import ReturnPick, ScopePage, ScopePick, ScopeRegionPick
from handlers.curator import run_nocurator
from handlers.district_events import run_devents
from handlers.event_report import run_events_report
from handlers.filters import IsStaffOrAdmin, command
from handlers.form_chat import FormChat
from handlers.org_search import answer_found
from handlers.passport_report import run_passports
from handlers.plans import run_plan, run_plan_edit
from handlers.replies import answer_file, answer_lines
from handlers.trends import run_trends
from storage import contacts, orgs, reports
from storage.models import Organization, OrgKind


@dataclass(frozen=True)
class Scoped:
    """One staff command acting on one district or region, with what it needs."""

    message: Message
    scope: Organization
    arg: str
    ctx: Ctx

    @property
    def session(self) -> AsyncSession:
        return self.ctx.session

    @property
    def today(self) -> date:
        """The scope's local date."""
        tz = zone_named(self.scope.timezone, self.ctx.settings.timezone)
        return self.ctx.now().astimezone(tz).date()


Runner = Callable[[Scoped], Awaitable[None]]


async def _digest_reply(c: Scoped, **parts: Any) -> DigestReply:
    """Loaded and drawn in a worker process: a region's is half a second of CPU."""
    default_tz = c.ctx.settings.timezone
    ask = DigestAsk(scope_org_id=c.scope.id, today=c.today, default_tz=default_tz, **parts)
    return await c.ctx.workers.run(digest_reply, ask)


async def _send_table(c: Scoped, reply: DigestReply) -> None:
    table, caption = reply.table_xlsx, td.table_caption(c.scope.name)
    await answer_file(c.message, lambda: table, td.table_file_name(reply.period), caption)


async def run_status(c: Scoped) -> None:
    await c.message.answer((await _digest_reply(c, text="status")).text)


async def run_digest(c: Scoped) -> None:
    since = c.today - EVENTS_WINDOW
    reply = await _digest_reply(c, events_since=since, text="digest", chart=True, table=True)
    await c.message.answer(reply.text)
    chart = reply.chart_png
    await answer_file(
        c.message,
        lambda: chart,
        td.chart_file_name(reply.period),
        td.chart_caption(c.scope.name),
        as_photo=True,
    )
    await _send_table(c, reply)


async def run_export(c: Scoped) -> None:
    period = parse_period(c.arg) if c.arg else None
    if c.arg and period is None:
        await c.message.answer(td.EXPORT_BAD_PERIOD)
        return
    await _send_table(c, await _digest_reply(c, period=period, table=True))


async def run_rating(c: Scoped) -> None:
    today = c.today
    year = rating_year(c.arg, today)
    if year is None:
        await c.message.answer(tr.bad_year(today.year))
        return
    rating = await load_rating(c.session, scope_org_id=c.scope.id, year=year, today=today)
    await c.message.answer(rating_text(rating))
    await answer_file(
        c.message, partial(rating_xlsx, rating), rating_file_name(year), tr.FILE_CAPTION
    )


async def run_paused(c: Scoped) -> None:
    paused = await contacts.paused_chairs(c.session, c.scope.id, c.today)
    if not paused:
        await c.message.answer(t.PAUSED_NONE)
        return
    lines = [t.PAUSED_HEADER]
    for item in paused:
        until = item.chair.paused_until
        lines.append(
            t.paused_line(
                item.org.name,
                td.chair_named(item.chair.full_name, item.record_name),
                until.strftime("%d.%m.%Y") if until else "",
            )
        )
    await answer_lines(c.message, lines)


def _form_runner(form: Form[Any]) -> Runner:
    """A staff form's command: opened on the scope picked."""

    async def run_form(c: Scoped) -> None:
        chat = FormChat(c.message, c.ctx)
        await chat.open_or_resume(form, chat.request(c.scope))

    return run_form


FORM_RUNNERS: dict[str, Runner] = {
    form.menu.command: _form_runner(form)
    for form in forms_for(Audience.STAFF)
    if form.menu is not None and form.menu.opens_form
}
RUNNERS: dict[str, Runner] = {
    "status": run_status,
    "digest": run_digest,
    "export": run_export,
    "eventsreport": run_events_report,
    "devents": run_devents,
    "rating": run_rating,
    "passports": run_passports,
    "trends": run_trends,
    "paused": run_paused,
    "plan": run_plan,
    "planedit": run_plan_edit,
    "nocurator": run_nocurator,
    **FORM_RUNNERS,
}


async def scoped_command(message: Message, command: CommandObject, ctx: Ctx) -> None:
    name, arg = command.command.lower(), (command.args or "").strip()
    chat = FormChat(message, ctx)
    if name in FORM_RUNNERS and (draft := await chat.unfinished()):
        await chat.resume(draft)
        return
    scopes = await scopes_for(ctx.session, ctx.viewer)
    if not scopes:
        await message.answer(t.NO_DISTRICTS_YET if ctx.viewer.is_admin else t.NO_SCOPE)
    elif len(scopes) == 1:
        await RUNNERS[name](Scoped(message, scopes[0], arg, ctx))
    else:
        # A reply: the pick reads the command's words back from the message it answers,
        # since a button's data (64 bytes) cannot carry them whole.
        await message.reply(t.CHOOSE_SCOPE, reply_markup=await _scope_keyboard(ctx, name, scopes))


async def _scope_keyboard(
    ctx: Ctx, command: str, scopes: Sequence[Organization], page: int = 0
) -> InlineKeyboardMarkup:
    """A button per scope, in pages; past what five pages hold (an admin of several regions),
    a button per region, whose tap shows its districts in the same message."""
    if len(scopes) <= keyboards.BUTTONS_PER_MESSAGE:
        return keyboards.scope_choice(command, scopes, page=page)
    return keyboards.scope_region_choice(command, await regions_over(ctx.session, scopes), page)


def _in_region(scopes: Sequence[Organization], region_id: int) -> list[Organization]:
    """The scopes a region's button leads to: the region itself, if held, and its districts."""
    return [scope for scope in scopes if region_id in (scope.parent_id, scope.id)]


async def region_picked(query: CallbackQuery, callback_data: ScopeRegionPick, ctx: Ctx) -> None:
    inside = _in_region(await scopes_for(ctx.session, ctx.viewer), callback_data.region_id)
    if not inside or not isinstance(query.message, Message):
        await query.answer(common.NO_RIGHTS, show_alert=True)
        return
    await query.answer()
    region = callback_data.region_id
    keyboard = keyboards.scope_choice(callback_data.command, inside, region_id=region)
    await query.message.edit_text(t.CHOOSE_SCOPE, reply_markup=keyboard)


async def scope_page_turned(query: CallbackQuery, callback_data: ScopePage, ctx: Ctx) -> None:
    """«Ещё…» / «Назад» under a scope pick: that page of the scopes the sender holds now (of
    one region's, when the pick went through the region)."""
    scopes = await scopes_for(ctx.session, ctx.viewer)
    command, region, page = callback_data.command, callback_data.region_id, callback_data.page
    inside = _in_region(scopes, region) if region else scopes
    if not inside or command not in RUNNERS or not isinstance(query.message, Message):
        await query.answer(common.NO_RIGHTS, show_alert=True)
        return
    await query.answer()
    if region:
        keyboard = keyboards.scope_choice(command, inside, region_id=region, page=page)
    else:
        keyboard = await _scope_keyboard(ctx, command, scopes, page)
    await query.message.edit_reply_markup(reply_markup=keyboard)


async def scope_picked(query: CallbackQuery, callback_data: ScopePick, ctx: Ctx) -> None:
    scopes = await scopes_for(ctx.session, ctx.viewer)
    scope = next((s for s in scopes if s.id == callback_data.org_id), None)
    runner = RUNNERS.get(callback_data.command)
    if scope is None or runner is None or not isinstance(query.message, Message):
        await query.answer(common.NO_RIGHTS, show_alert=True)
        return
    await query.answer()
    await runner(Scoped(query.message, scope, _command_args(query.message), ctx))


def _command_args(pick: Message) -> str:
    """The words after the command the pick answers. Without it (deleted), none: every command
    then shows its usage or its whole view, never acts on a guess."""
    command = pick.reply_to_message
    _, *args = (command.text or "").split(maxsplit=1) if command is not None else ("",)
    return args[0].strip() if args else ""


async def return_command(
    message: Message, command: CommandObject, session: AsyncSession, viewer: Viewer
) -> None:
    """/return <name or number>: find the ППО (in the sender's scope) whose report goes back."""
    query = (command.args or "").strip()
    if not query:
        await message.answer(t.search_usage("/return"))
        return
    scope_ids = None if viewer.is_admin else {org.id for org in await scopes_for(session, viewer)}
    found = [
        org
        for org in await search(session, query, scope_ids)
        if org.kind is OrgKind.PPO and org.archived_at is None
    ]
    await answer_found(message, found, t.CHOOSE_SCOPE, keyboards.return_choice)


async def return_picked(query: CallbackQuery, callback_data: ReturnPick, ctx: Ctx) -> None:
    """A ППО picked: the card of its newest report; «Вернуть» under the card: that report, in
    the return form, unless the chair has sent a newer one since (then its card instead)."""
    session = ctx.session
    org = await orgs.get_org(session, callback_data.org_id)
    if (
        org is None
        or org.archived_at is not None
        or not await can_act_on(session, ctx.viewer, org)
        or not isinstance(query.message, Message)
    ):
        await query.answer(common.NO_RIGHTS, show_alert=True)
        return
    await query.answer()
    report = await reports.last_report(session, org.id)
    if report is None:
        await query.message.answer(t.NO_REPORT)
        return
    if report.returned_at is not None:
        await query.message.answer(t.ALREADY_RETURNED)
        return
    if report.id != callback_data.report_id:
        superseded = callback_data.report_id != 0
        card = t.report_card(
            org.name, common.period_name(report.period), corrections.report_lines(report)
        )
        await query.message.answer(
            f"{t.REPORT_SUPERSEDED}\n\n{card}" if superseded else card,
            reply_markup=keyboards.return_confirm(org.id, report.id),
        )
        return
    chat = FormChat(query.message, ctx)
    await chat.open_or_resume(RETURN_FORM, chat.request(org, report=report))


def create_router() -> Router:
    router = Router(name="staff")
    router.message.filter(IsStaffOrAdmin())
    router.callback_query.filter(IsStaffOrAdmin())
    router.message.register(scoped_command, command(*RUNNERS))
    assert RETURN_FORM.menu is not None
    router.message.register(return_command, command(RETURN_FORM.menu.command))
    router.callback_query.register(scope_picked, ScopePick.filter())
    router.callback_query.register(region_picked, ScopeRegionPick.filter())
    router.callback_query.register(scope_page_turned, ScopePage.filter())
    router.callback_query.register(return_picked, ReturnPick.filter())
    return router
