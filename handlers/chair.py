"""Chairs of primary organizations: monitoring, events, passport, history."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import corrections, membership, passport
from bot.domain import events as event_reports
from bot.domain.clock import Clock
from bot.domain.history import history_text
from bot.domain.viewer import Viewer
from bot.forms.engine import InvalidAnswer, ParseEnv
from bot.forms.parsers import show_date_range, single_date
from bot.texts import chair as t
from bot.texts import common
from bot.texts import events as te
from bot.texts import membership as tm
from bot.wiring.config import Settings
from handlers import keyboards
from handlers.callbacks import EventAction, EventCb, OpenForm, ReportPeriod
from handlers.filters import IsChair
from handlers.forms import form_env, resume, show_step
from handlers.replies import answer_lines
from storage import collections, drafts
from storage import events as event_store
from storage.models import Event, FormDraft, Organization

Opener = Callable[..., Awaitable[FormDraft]]
OPENERS: dict[str, Opener] = {
    "event": event_reports.open_form,
    "passport": passport.open_form,
}
REPORT = "membership"
EVENTS_LISTED = 15
MAX_PAUSE = timedelta(days=180)
PAUSE_OFF = {"off", "снять", "отмена", "нет"}


async def _open(
    form: str,
    message: Message,
    org: Organization,
    session: AsyncSession,
    viewer: Viewer,
    settings: Settings,
    clock: Clock,
) -> None:
    """Start ``form`` for ``org``, or resume the form the chair left unfinished."""
    draft = await drafts.get_draft(session, viewer.tg_user_id)
    if draft is None and form == REPORT:
        await _open_report(message, org, session, viewer, settings, clock)
    elif draft is None:
        draft = await OPENERS[form](
            session,
            tg_user_id=viewer.tg_user_id,
            org=org,
            default_tz=settings.timezone,
            now=clock.now(),
        )
        await show_step(message, draft, form_env(draft, settings, clock))
    else:
        await resume(message, draft, form_env(draft, settings, clock))


async def _open_report(
    message: Message,
    org: Organization,
    session: AsyncSession,
    viewer: Viewer,
    settings: Settings,
    clock: Clock,
    collection_id: int | None = None,
    note: str | None = None,
) -> None:
    """Open a report for the period it is for; with two requests open, let the chair pick
    (``collection_id``: the one picked, if it still is an option)."""
    options = await membership.options_for(
        session, org, default_tz=settings.timezone, now=clock.now()
    )
    assignment = membership.chosen(options, collection_id)
    if assignment is None:
        text = "\n".join(filter(None, [note, tm.CHOOSE_PERIOD]))
        await message.answer(text, reply_markup=keyboards.report_periods(org.id, options))
        return
    draft = await membership.open_form(
        session,
        tg_user_id=viewer.tg_user_id,
        org=org,
        default_tz=settings.timezone,
        now=clock.now(),
        assignment=assignment,
    )
    env = form_env(draft, settings, clock)
    await show_step(message, draft, env, note=membership.opening_note(draft))


async def report_period_tapped(
    query: CallbackQuery,
    callback_data: ReportPeriod,
    session: AsyncSession,
    viewer: Viewer,
    settings: Settings,
    clock: Clock,
) -> None:
    """The chair picked which open request a report answers; only the chair of that ППО."""
    org = next((o for o in viewer.chaired if o.id == callback_data.org_id), None)
    if org is None or not isinstance(query.message, Message):
        await query.answer(common.NO_RIGHTS, show_alert=True)
        return
    await query.answer()
    draft = await drafts.get_draft(session, viewer.tg_user_id)
    if draft is not None:
        await resume(query.message, draft, form_env(draft, settings, clock))
        return
    await _open_report(
        query.message,
        org,
        session,
        viewer,
        settings,
        clock,
        collection_id=callback_data.collection_id,
        note=tm.PERIODS_CHANGED,
    )


async def _start(
    form: str,
    message: Message,
    session: AsyncSession,
    viewer: Viewer,
    settings: Settings,
    clock: Clock,
) -> None:
    draft = await drafts.get_draft(session, viewer.tg_user_id)
    if draft is not None:
        await resume(message, draft, form_env(draft, settings, clock))
    elif len(viewer.chaired) > 1:
        await message.answer(t.CHOOSE_ORG, reply_markup=keyboards.org_choice(form, viewer.chaired))
    else:
        await _open(form, message, viewer.chaired[0], session, viewer, settings, clock)


async def report(
    message: Message, session: AsyncSession, viewer: Viewer, settings: Settings, clock: Clock
) -> None:
    await _start(REPORT, message, session, viewer, settings, clock)


async def event(
    message: Message, session: AsyncSession, viewer: Viewer, settings: Settings, clock: Clock
) -> None:
    await _start("event", message, session, viewer, settings, clock)


async def form_button_tapped(
    query: CallbackQuery,
    callback_data: OpenForm,
    session: AsyncSession,
    viewer: Viewer,
    settings: Settings,
    clock: Clock,
) -> None:
    """Any button that opens a form for a ППО; the sender must chair that ППО right now."""
    org = next((o for o in viewer.chaired if o.id == callback_data.org_id), None)
    known = callback_data.form in {*OPENERS, REPORT, "correction"}
    if org is None or not known or not isinstance(query.message, Message):
        await query.answer(common.NO_RIGHTS, show_alert=True)
        return
    await query.answer()
    if callback_data.form != "correction":
        await _open(callback_data.form, query.message, org, session, viewer, settings, clock)
        return
    returned = await corrections.returned_report(session, org.id)
    draft = await drafts.get_draft(session, viewer.tg_user_id)
    if returned is None or draft is not None:
        await _open(REPORT, query.message, org, session, viewer, settings, clock)
        return
    draft = await membership.open_form(
        session,
        tg_user_id=viewer.tg_user_id,
        org=org,
        default_tz=settings.timezone,
        now=clock.now(),
        correcting=returned,
    )
    await show_step(query.message, draft, form_env(draft, settings, clock))


async def pause(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    viewer: Viewer,
    settings: Settings,
    clock: Clock,
) -> None:
    """/pause 15.12.2026 — no reminders until then (vacation); /pause off — remind again."""
    arg = (command.args or "").strip().casefold()
    assert viewer.person is not None
    today = _local_today(viewer.chaired[0], settings, clock.now()).date()
    if arg in PAUSE_OFF:
        await collections.pause_reminders(session, viewer.person.id, None)
        await message.answer(t.PAUSE_OFF)
        return
    try:
        until = date.fromisoformat(single_date(arg, ParseEnv(today=today))) if arg else None
    except InvalidAnswer as error:
        await message.answer(f"{error}\n{t.PAUSE_USAGE}")
        return
    if until is None:
        current = viewer.person.reminders_paused_until
        status = (
            t.paused_until(current.strftime("%d.%m.%Y")) if current and current >= today else ""
        )
        await message.answer("\n".join(filter(None, [status, t.PAUSE_USAGE])))
    elif not today <= until <= today + MAX_PAUSE:
        await message.answer(t.PAUSE_RANGE)
    else:
        await collections.pause_reminders(session, viewer.person.id, until)
        await message.answer(t.paused_until(until.strftime("%d.%m.%Y")))


async def history(message: Message, session: AsyncSession, viewer: Viewer) -> None:
    for org in viewer.chaired:
        await message.answer(await history_text(session, org))


def _local_today(org: Organization, settings: Settings, now: datetime) -> datetime:
    return now.astimezone(ZoneInfo(org.timezone or settings.timezone))


async def events_list(
    message: Message, session: AsyncSession, viewer: Viewer, settings: Settings, clock: Clock
) -> None:
    for org in viewer.chaired:
        today = _local_today(org, settings, clock.now()).date()
        overview = await event_reports.year_overview(session, org.id, today)
        lines = [te.list_header(org.name, overview.year)]
        if not overview.events:
            await message.answer("\n".join([*lines, te.LIST_EMPTY]))
            continue
        lines.append(te.totals(len(overview.events), overview.participants))
        lines += [te.direction_line(*row) for row in overview.by_direction]
        lines.append("")
        shown = overview.events[:EVENTS_LISTED]
        for number, item in enumerate(shown, 1):
            when = show_date_range(
                {"from": item.date_from.isoformat(), "to": item.date_to.isoformat()}
            )
            kind = event_reports.kind_label(item.kind, item.kind_other)
            lines.append(te.event_line(number, when, kind, item.topic, item.participants))
        if len(overview.events) > EVENTS_LISTED:
            lines.append(te.MORE_EVENTS.format(shown=EVENTS_LISTED, total=len(overview.events)))
        lines.append(te.OPEN_HINT)
        await answer_lines(message, lines[:-1])
        await message.answer(lines[-1], reply_markup=keyboards.event_list(shown))


async def _own_event(
    query: CallbackQuery, callback_data: EventCb, session: AsyncSession, viewer: Viewer
) -> Event | None:
    """The event, if it exists and the sender chairs its ППО; otherwise explain and stop."""
    item = await event_store.get_event(session, callback_data.event_id)
    if item is None:
        await query.answer(te.NOT_FOUND, show_alert=True)
        return None
    if not viewer.chairs(item.org_id):
        await query.answer(common.NO_RIGHTS, show_alert=True)
        return None
    return item


async def event_action(
    query: CallbackQuery,
    callback_data: EventCb,
    session: AsyncSession,
    viewer: Viewer,
    settings: Settings,
    clock: Clock,
) -> None:
    item = await _own_event(query, callback_data, session, viewer)
    message = query.message
    if item is None or not isinstance(message, Message):
        return
    await query.answer()
    title = item.topic
    action = callback_data.action
    if action is EventAction.OPEN:
        org = next(o for o in viewer.chaired if o.id == item.org_id)
        await message.answer(
            event_reports.event_card(item, org.name), reply_markup=keyboards.event_actions(item.id)
        )
    elif action is EventAction.CORRECT:
        org = next(o for o in viewer.chaired if o.id == item.org_id)
        draft = await drafts.get_draft(session, viewer.tg_user_id)
        if draft is not None:
            await resume(message, draft, form_env(draft, settings, clock))
            return
        draft = await event_reports.open_correction(
            session,
            tg_user_id=viewer.tg_user_id,
            event=item,
            org=org,
            default_tz=settings.timezone,
            now=clock.now(),
        )
        await show_step(message, draft, form_env(draft, settings, clock))
    elif action is EventAction.DELETE:
        await message.answer(
            te.confirm_delete(title), reply_markup=keyboards.delete_confirm(item.id)
        )
    elif action is EventAction.DELETE_YES:
        assert viewer.person is not None
        event_reports.delete(session, item, by=viewer.person.id, now=clock.now())
        await message.answer(te.deleted(title))
    else:
        await message.answer(te.KEPT)


async def passport_card(
    message: Message, session: AsyncSession, viewer: Viewer, settings: Settings
) -> None:
    for org in viewer.chaired:
        await message.answer(
            await passport.card_text(session, org, settings.timezone),
            reply_markup=keyboards.passport_edit(org.id),
            disable_web_page_preview=True,
        )


def create_router() -> Router:
    router = Router(name="chair")
    router.message.filter(IsChair())
    router.callback_query.filter(IsChair())
    router.message.register(report, Command("report"))
    router.message.register(report, F.text == common.MENU_REPORT)
    router.message.register(event, Command("event"))
    router.message.register(event, F.text == common.MENU_EVENT)
    router.message.register(events_list, Command("events"))
    router.message.register(passport_card, Command("passport"))
    router.message.register(passport_card, F.text == common.MENU_PASSPORT)
    router.message.register(pause, Command("pause"))
    router.callback_query.register(form_button_tapped, OpenForm.filter())
    router.callback_query.register(report_period_tapped, ReportPeriod.filter())
    router.message.register(history, Command("history"))
    router.message.register(history, F.text == common.MENU_HISTORY)
    router.callback_query.register(event_action, EventCb.filter())
    return router
