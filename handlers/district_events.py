"""District events in the chat: /devents (staff: the scope's events, each a button to its
card and table) and the buttons of an event, each tap checked again (``_event_tap``): a chair
answers only for the ППО they chair and that is invited, staff open only the events of a scope
they oversee. Announcing is the form /devent (``bot/domain/district_events.py``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from aiogram import Router
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.district_event_answers import (
    answers_open,
    event_subject,
    start_came,
    start_reply,
    start_staff_came,
)
from bot.domain.district_event_cancel import cancel_event
from bot.domain.district_event_move import start_move
from bot.domain.district_event_news import still_ahead
from bot.domain.staff_scope import can_act_on
from bot.domain.timezones import zone_of
from bot.domain.viewer import Viewer
from bot.forms.declaration import OpenRequest, Started
from bot.rendering.district_events import EventCard, card_lines, card_xlsx
from bot.texts import common
from bot.texts import district_events as t
from bot.wiring.context import Ctx
from handlers import district_event_keyboards as keyboards
from handlers.callbacks import DistrictEventAction, DistrictEventCb
from handlers.form_chat import FormChat
from handlers.replies import answer_file, answer_lines
from handlers.taps import TapHandler, tap_router
from storage import district_events as store
from storage import orgs
from storage.models import DistrictEvent, DistrictEventAnswer, Organization

if TYPE_CHECKING:  # handlers.staff lists this runner: importing it at run time would be a cycle
    from handlers.staff import Scoped


async def run_devents(c: Scoped) -> None:
    """/devents: the latest events of the scope, newest first, a button each."""
    events = await store.scope_events(c.session, c.scope.id)
    if not events:
        await c.message.answer(t.NO_EVENTS)
        return
    zone = zone_of(c.scope, c.ctx.settings.timezone)
    labels = [
        (e, t.list_button(e.starts_at.astimezone(zone), e.title, e.cancelled_at is not None))
        for e in events
    ]
    await c.message.answer(t.LIST_HEADER, reply_markup=keyboards.event_list(labels))


@dataclass(frozen=True)
class EventTap:
    """A district event's button, checked: the event, the ППО of a chair's button or the scope
    of a staff one, and the chat the forms it opens run in."""

    query: CallbackQuery
    action: DistrictEventAction
    event: DistrictEvent
    org: Organization
    chat: FormChat

    async def open_form(self, start: Callable[[OpenRequest], Awaitable[Started]]) -> None:
        """The form this button opens, or the one left unfinished; one about another event
        says so by name, so that the next answers are not taken for this event."""
        await self.query.answer()
        chat = self.chat
        draft = await chat.unfinished()
        if draft is None:
            await chat.show((await start(chat.request(self.org))).draft)
            return
        await chat.resume(
            draft, asked_for=self.org, about=event_subject(self.event.id, self.event.title)
        )

    async def open_once_begun(self, start: Callable[[OpenRequest], Awaitable[Started]]) -> None:
        """Attendance is entered once the event has begun."""
        if self.chat.ctx.now() < self.event.starts_at:
            await self.query.answer(t.NOT_STARTED, show_alert=True)
            return
        await self.open_form(start)


async def _chairs_invite(
    session: AsyncSession, data: DistrictEventCb, viewer: Viewer
) -> tuple[DistrictEvent, Organization] | None:
    """The event and the ППО of a chair's button, if the sender chairs that invited ППО now."""
    org = viewer.chaired_org(data.org_id)
    event = await store.get_event(session, data.event_id)
    if org is None or event is None or await store.invite_of(session, event.id, org.id) is None:
        return None
    return event, org


async def _staffs_event(
    session: AsyncSession, data: DistrictEventCb, viewer: Viewer
) -> tuple[DistrictEvent, Organization] | None:
    """The event of a staff button and its scope, if the sender oversees that scope."""
    event = await store.get_event(session, data.event_id)
    scope = None if event is None else await orgs.get_org(session, event.scope_org_id)
    if event is None or scope is None or not await can_act_on(session, viewer, scope):
        return None
    return event, scope


async def _event_tap(query: CallbackQuery, data: DistrictEventCb, ctx: Ctx) -> EventTap | None:
    """A chair answers only for the ППО they chair and that is invited; staff open only the
    events of a scope they oversee. Anyone else is refused."""
    by_staff = data.action in STAFF_ACTIONS
    found = await (_staffs_event if by_staff else _chairs_invite)(ctx.session, data, ctx.viewer)
    if found is None or not isinstance(query.message, Message):
        await query.answer(common.NO_RIGHTS, show_alert=True)
        return None
    event, org = found
    if event.cancelled_at is not None and data.action is not DistrictEventAction.OPEN:
        await query.answer(t.EVENT_CANCELLED, show_alert=True)
        return None
    return EventTap(query, data.action, event, org, FormChat(query.message, ctx))


async def answer_tapped(_: CallbackQuery, tap: EventTap) -> None:
    """«будем» or «не сможем»: the reply form with that answer, while answers are open."""
    tz = tap.org.timezone or tap.chat.ctx.settings.timezone
    if not answers_open(tap.event, tz, tap.chat.ctx.now()):
        await tap.query.answer(t.ANSWERS_CLOSED, show_alert=True)
        return
    answer = CHAIR_ANSWERS[tap.action]
    await tap.open_form(lambda request: start_reply(request, tap.event, answer))


async def came_tapped(_: CallbackQuery, tap: EventTap) -> None:
    await tap.open_once_begun(lambda request: start_came(request, tap.event))


async def staff_came_tapped(_: CallbackQuery, tap: EventTap) -> None:
    await tap.open_once_begun(lambda request: start_staff_came(request, tap.event))


async def open_tapped(_: CallbackQuery, tap: EventTap) -> None:
    """The card: answers, and once the event has begun, attendance; then the table."""
    event, message, ctx = tap.event, tap.chat.message, tap.chat.ctx
    zone = zone_of(tap.org, ctx.settings.timezone)
    cancelled = event.cancelled_at
    await tap.query.answer()
    card = EventCard(
        kind=event.kind,
        kind_other=event.kind_other,
        title=event.title,
        starts=event.starts_at.astimezone(zone),
        place=event.place,
        online=event.online,
        quota=event.quota,
        answer_by=event.answer_by,
        held=cancelled is None and ctx.now() >= event.starts_at,
        rows=tuple(await store.invite_rows(ctx.session, event.id)),
        cancelled_on=None if cancelled is None else cancelled.astimezone(zone).date(),
    )
    await answer_lines(message, card_lines(card))
    if card.held:
        await message.answer(t.ENTER_CAME_HINT, reply_markup=keyboards.card_keyboard(event.id))
    elif still_ahead(event, ctx.now()):
        await message.answer(t.CANCEL_HINT, reply_markup=keyboards.change_keyboard(event.id))
    await answer_file(message, partial(card_xlsx, card), t.file_name(card.starts), t.FILE_CAPTION)


async def move_tapped(_: CallbackQuery, tap: EventTap) -> None:
    """The move form, while the event has not begun (checked again at the submit)."""
    if not still_ahead(tap.event, tap.chat.ctx.now()):
        await tap.query.answer(t.CANNOT_MOVE, show_alert=True)
        return
    await tap.open_form(lambda request: start_move(request, tap.event))


async def cancel_asked(_: CallbackQuery, tap: EventTap) -> None:
    await tap.query.answer()
    starts = tap.event.starts_at.astimezone(zone_of(tap.org, tap.chat.ctx.settings.timezone))
    await tap.chat.message.answer(
        t.confirm_cancel(tap.event.title, starts),
        reply_markup=keyboards.confirm_cancel(tap.event.id),
    )


async def cancel_confirmed(_: CallbackQuery, tap: EventTap) -> None:
    ctx = tap.chat.ctx
    assert ctx.viewer.person is not None  # staff are registered people
    told = await cancel_event(
        ctx.session,
        tap.event.id,
        by=ctx.viewer.person.id,
        now=ctx.now(),
        settings=ctx.settings.calendar,
        default_tz=ctx.settings.timezone,
    )
    if told is None:
        await tap.query.answer(t.CANNOT_CANCEL, show_alert=True)
        return
    await tap.query.answer()
    await tap.chat.message.answer(t.event_cancelled(tap.event.title, told))


async def cancel_declined(_: CallbackQuery, tap: EventTap) -> None:
    await tap.query.answer()
    await tap.chat.message.answer(t.CANCEL_KEPT)


CHAIR_ANSWERS = {
    DistrictEventAction.COMING: DistrictEventAnswer.COMING,
    DistrictEventAction.DECLINE: DistrictEventAnswer.DECLINED,
}
STAFF_ACTIONS = frozenset(
    {
        DistrictEventAction.OPEN,
        DistrictEventAction.STAFF_CAME,
        DistrictEventAction.MOVE,
        DistrictEventAction.CANCEL,
        DistrictEventAction.CANCEL_YES,
        DistrictEventAction.CANCEL_NO,
    }
)
BUTTONS: dict[DistrictEventAction, TapHandler] = {
    DistrictEventAction.COMING: answer_tapped,
    DistrictEventAction.DECLINE: answer_tapped,
    DistrictEventAction.CAME: came_tapped,
    DistrictEventAction.OPEN: open_tapped,
    DistrictEventAction.STAFF_CAME: staff_came_tapped,
    DistrictEventAction.MOVE: move_tapped,
    DistrictEventAction.CANCEL: cancel_asked,
    DistrictEventAction.CANCEL_YES: cancel_confirmed,
    DistrictEventAction.CANCEL_NO: cancel_declined,
}


def create_router() -> Router:
    return tap_router("district_events", DistrictEventCb, BUTTONS, _event_tap)
