"""Chairs of primary organizations: monitoring, events, passport, history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from aiogram import F, Router
from aiogram.filters import CommandObject, Filter
from aiogram.types import CallbackQuery, Message, TelegramObject
from magic_filter import MagicFilter

from bot.domain import events as event_reports
from bot.domain import passport
from bot.domain.audience import Audience
from bot.domain.event_report import PeriodKind, parse_recent_period
from bot.domain.event_report import ReportPeriod as Period  # not the callback of that name
from bot.domain.events import EVENT_FORM
from bot.domain.history import history_lines
from bot.domain.membership import MEMBERSHIP_FORM
from bot.domain.passport import PASSPORT_FORM
from bot.domain.standing import standing_lines
from bot.domain.timezones import zone_named
from bot.forms.declaration import Form, MenuEntry
from bot.forms.engine import InvalidAnswer, ParseEnv
from bot.forms.parsers import date_ahead, event_years
from bot.forms.registry import form_named, forms_for
from bot.rendering import event_list
from bot.rendering.event_report import period_name
from bot.texts import chair as t
from bot.texts import common
from bot.texts import events as te
from bot.wiring.context import Ctx
from handlers import keyboards
from handlers.callbacks import EventAction, EventCb, OpenForm, OrgChoicePage, ReportPeriod
from handlers.filters import IsChair, command
from handlers.form_chat import FormChat
from handlers.replies import answer_lines
from handlers.taps import TapHandler, tap_router
from storage import events as event_store
from storage import reminder_pause
from storage.models import Event, Organization

MAX_PAUSE = timedelta(days=180)
PAUSE_OFF = {"off", "снять", "отмена", "нет"}


class Opens(Filter):
    """Hands the handler the declared form a command or a keyboard button opens."""

    def __init__(self, form: Form[Any]) -> None:
        self.form = form

    async def __call__(self, event: TelegramObject) -> dict[str, Any]:
        return {"form": self.form}


async def open_chair_form(message: Message, form: Form[Any], ctx: Ctx) -> None:
    """A chair's form command or button: resume an unfinished form, else open ``form`` (a
    chair of several ППО picks which one first)."""
    chaired, chat = ctx.viewer.chaired, FormChat(message, ctx)
    draft = await chat.unfinished()
    if draft is not None:
        await chat.resume(draft)  # no ППО was named: none is told apart
    elif len(chaired) > 1:
        await message.answer(t.CHOOSE_ORG, reply_markup=keyboards.org_choice(form.name, chaired))
    else:
        await chat.open_or_resume(form, chat.request(chaired[0]))


async def report_period_tapped(query: CallbackQuery, callback_data: ReportPeriod, ctx: Ctx) -> None:
    """The chair picked which open request a report answers; only the chair of that ППО."""
    org = ctx.viewer.chaired_org(callback_data.org_id)
    if org is None or not isinstance(query.message, Message):
        await query.answer(common.NO_RIGHTS, show_alert=True)
        return
    await query.answer()
    chat = FormChat(query.message, ctx)
    request = chat.request(org, collection_id=callback_data.collection_id)
    await chat.open_or_resume(MEMBERSHIP_FORM, request)


async def form_button_tapped(query: CallbackQuery, callback_data: OpenForm, ctx: Ctx) -> None:
    """Any button that opens a chair's form for a ППО; the sender must chair that ППО now."""
    org = ctx.viewer.chaired_org(callback_data.org_id)
    form = form_named(callback_data.form)
    chairs_form = form is not None and bool(form.audience & Audience.CHAIR)
    if org is None or form is None or not chairs_form or not isinstance(query.message, Message):
        await query.answer(common.NO_RIGHTS, show_alert=True)
        return
    await query.answer()
    chat = FormChat(query.message, ctx)
    await chat.open_or_resume(form, chat.request(org))


async def org_page_tapped(query: CallbackQuery, callback_data: OrgChoicePage, ctx: Ctx) -> None:
    """«Ещё…» / «Назад» under the choice of ППО: the same message shows that page of the ППО
    the sender chairs now (one closed since is gone from it)."""
    form = form_named(callback_data.form)
    if form is None or not form.audience & Audience.CHAIR or not isinstance(query.message, Message):
        await query.answer(common.NO_RIGHTS, show_alert=True)
        return
    await query.answer()
    keyboard = keyboards.org_choice(form.name, ctx.viewer.chaired, callback_data.page)
    await query.message.edit_reply_markup(reply_markup=keyboard)


async def pause(message: Message, command: CommandObject, ctx: Ctx) -> None:
    """/pause 15.12.2026 — no reminders until then (vacation); /pause off — remind again."""
    arg = (command.args or "").strip().casefold()
    person = ctx.viewer.person
    assert person is not None
    today = _local_today(ctx.viewer.chaired[0], ctx).date()
    if arg in PAUSE_OFF:
        await reminder_pause.pause_reminders(ctx.session, person.id, None)
        await message.answer(t.PAUSE_OFF)
        return
    try:
        until = date.fromisoformat(date_ahead(arg, ParseEnv(today=today))) if arg else None
    except InvalidAnswer as error:
        await message.answer(f"{error}\n{t.PAUSE_USAGE}")
        return
    if until is None:
        current = person.reminders_paused_until
        status = (
            t.paused_until(current.strftime("%d.%m.%Y")) if current and current >= today else ""
        )
        await message.answer("\n".join(filter(None, [status, t.PAUSE_USAGE])))
    elif not today <= until <= today + MAX_PAUSE:
        await message.answer(t.PAUSE_RANGE)
    else:
        await reminder_pause.pause_reminders(ctx.session, person.id, until)
        await message.answer(t.paused_until(until.strftime("%d.%m.%Y")))


async def history(message: Message, ctx: Ctx) -> None:
    """Each ППО's reports, then where it stands (tier, how often, the next deadline)."""
    settings = ctx.settings
    for org in ctx.viewer.chaired:
        standing = await standing_lines(
            ctx.session,
            org,
            calendar=settings.calendar,
            default_tz=settings.timezone,
            now=ctx.now(),
        )
        await answer_lines(message, await history_lines(ctx.session, org, standing))


def _period_asked(args: str | None, today: date) -> Period | None:
    """The year, quarter or month after /events, read as staff periods are (a month without
    its year: the latest begun); none is this year. A year no event may be dated in
    (``event_years``: 2000 to next year) or text that is no period is None."""
    period = parse_recent_period(args or "", today)
    return period if period is not None and period.year in event_years(today) else None


def _local_today(org: Organization, ctx: Ctx) -> datetime:
    return ctx.now().astimezone(zone_named(org.timezone, ctx.settings.timezone))


async def events_list(message: Message, command: CommandObject, ctx: Ctx) -> None:
    """/events: this year's events of each ППО chaired, to open, correct or delete;
    /events 2026, /events 4 кв 2026, /events март 2026: that period's (in January a December
    event still needs correcting)."""
    for org in ctx.viewer.chaired:
        today = _local_today(org, ctx).date()
        period = _period_asked(command.args, today)
        if period is None:
            await message.answer(te.events_usage(today.year))
            return
        await _list_events(message, org, period, today.year, ctx)


async def _list_events(
    message: Message, org: Organization, period: Period, this_year: int, ctx: Ctx
) -> None:
    """One ППО's events of ``period``: totals by direction, then each event with its button."""
    overview = await event_reports.overview(ctx.session, org.id, period)
    whole_this_year = period == Period(PeriodKind.YEAR, this_year)
    lines = [te.list_header(org.name, period_name(period))]
    if not overview.events:
        empty = (
            te.none_this_year(this_year) if whole_this_year else te.list_empty(period_name(period))
        )
        await message.answer("\n".join([*lines, empty]))
        return
    lines.append(te.totals(len(overview.events), overview.participants))
    lines += [te.direction_line(*row) for row in overview.by_direction]
    lines.append("")
    *pages, last = event_list.pages(overview.events, period)
    first = 1
    for page in pages:  # a month's first events: each message with the buttons of its own
        lines += [event_list.event_line(number, item) for number, item in enumerate(page, first)]
        await answer_lines(message, lines, reply_markup=keyboards.event_list(page, first))
        first, lines = first + len(page), []
    lines += [event_list.event_line(number, item) for number, item in enumerate(last, first)]
    shown = first + len(last) - 1
    await answer_lines(
        message, lines + event_list.footer(overview.events, shown, whole_this_year, this_year)
    )
    await message.answer(te.OPEN_HINT, reply_markup=keyboards.event_list(last, first))


@dataclass(frozen=True)
class OwnEventTap:
    """A chair's button under an event they reported: the event, its ППО, the chat."""

    event: Event
    org: Organization
    message: Message


async def _own_event_tap(
    query: CallbackQuery, callback_data: EventCb, ctx: Ctx
) -> OwnEventTap | None:
    """The event, if it exists and the sender chairs its ППО; otherwise explain and stop."""
    item = await event_store.get_event(ctx.session, callback_data.event_id)
    if item is None:
        await query.answer(te.NOT_FOUND, show_alert=True)
        return None
    org = ctx.viewer.chaired_org(item.org_id)
    if org is None:
        await query.answer(common.NO_RIGHTS, show_alert=True)
        return None
    if not isinstance(query.message, Message):
        return None
    await query.answer()
    return OwnEventTap(item, org, query.message)


async def event_opened(_: CallbackQuery, tap: OwnEventTap) -> None:
    await tap.message.answer(
        event_reports.event_card(tap.event, tap.org.name),
        reply_markup=keyboards.event_actions(tap.event.id),
    )


async def event_correct_tapped(_: CallbackQuery, tap: OwnEventTap, ctx: Ctx) -> None:
    chat = FormChat(tap.message, ctx)
    await chat.open_or_resume(EVENT_FORM, chat.request(tap.org, event=tap.event))


async def event_delete_tapped(_: CallbackQuery, tap: OwnEventTap) -> None:
    await tap.message.answer(
        te.confirm_delete(tap.event.topic), reply_markup=keyboards.delete_confirm(tap.event.id)
    )


async def event_delete_confirmed(_: CallbackQuery, tap: OwnEventTap, ctx: Ctx) -> None:
    assert ctx.viewer.person is not None
    event_reports.delete(ctx.session, tap.event, by=ctx.viewer.person.id, now=ctx.now())
    await tap.message.answer(te.deleted(tap.event.topic))


async def event_kept(_: CallbackQuery, tap: OwnEventTap) -> None:
    await tap.message.answer(te.KEPT)


async def passport_card(message: Message, ctx: Ctx) -> None:
    for org in ctx.viewer.chaired:
        await message.answer(
            await passport.card_text(ctx.session, org, ctx.settings.timezone),
            reply_markup=keyboards.passport_edit(org.id),
            disable_web_page_preview=True,
        )


EVENT_BUTTONS: dict[EventAction, TapHandler] = {
    EventAction.OPEN: event_opened,
    EventAction.CORRECT: event_correct_tapped,
    EventAction.DELETE: event_delete_tapped,
    EventAction.DELETE_YES: event_delete_confirmed,
    EventAction.DELETE_NO: event_kept,
}


def _menu_filters(entry: MenuEntry) -> list[Filter | MagicFilter]:
    """A command and, if it has one, its keyboard button."""
    filters: list[Filter | MagicFilter] = [command(entry.command)]
    if entry.button is not None:
        filters.append(F.text == entry.button)
    return filters


def create_router() -> Router:
    router = Router(name="chair")
    router.message.filter(IsChair())
    router.callback_query.filter(IsChair())
    for form in forms_for(Audience.CHAIR):
        if form.menu is not None and form.menu.opens_form:
            for trigger in _menu_filters(form.menu):
                router.message.register(open_chair_form, trigger, Opens(form))
    router.message.register(events_list, command("events"))
    assert PASSPORT_FORM.menu is not None
    for trigger in _menu_filters(PASSPORT_FORM.menu):
        router.message.register(passport_card, trigger)
    router.message.register(pause, command("pause"))
    router.callback_query.register(form_button_tapped, OpenForm.filter())
    router.callback_query.register(org_page_tapped, OrgChoicePage.filter())
    router.callback_query.register(report_period_tapped, ReportPeriod.filter())
    router.message.register(history, command("history"))
    router.message.register(history, F.text == common.MENU_HISTORY)
    router.include_router(tap_router("chair-event-buttons", EventCb, EVENT_BUTTONS, _own_event_tap))
    return router
