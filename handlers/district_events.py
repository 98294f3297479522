"""District events in the chat: /devents (staff: the scope's events, each a button to its
card and table) and the buttons of an event, one handler per action, each checking again who
taps: a chair answers only for the ППО they chair and that is invited, staff open only the
events of a scope they oversee. Announcing is the form /devent (``bot/domain/district_events.py``).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.district_event_answers import (
    answers_open,
    start_came,
    start_reply,
    start_staff_came,
)
from bot.domain.staff_scope import can_act_on
from bot.domain.timezones import zone_of
from bot.domain.viewer import Viewer
from bot.rendering.district_events import EventCard, card_lines, card_xlsx
from bot.texts import common
from bot.texts import district_events as t
from bot.wiring.config import Settings
from handlers import district_event_keyboards as keyboards
from handlers.callbacks import DistrictEventAction, DistrictEventCb
from handlers.form_chat import FormChat
from handlers.replies import answer_file, answer_lines
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
    zone = zone_of(c.scope, c.settings.timezone)
    labels = [(e, t.list_button(e.starts_at.astimezone(zone), e.title)) for e in events]
    await c.message.answer(t.LIST_HEADER, reply_markup=keyboards.event_list(labels))


async def _chairs_invite(
    query: CallbackQuery, data: DistrictEventCb, session: AsyncSession, viewer: Viewer
) -> tuple[DistrictEvent, Organization, Message] | None:
    """The event and the ППО of a chair's button, if the sender chairs that invited ППО now."""
    org = next((o for o in viewer.chaired if o.id == data.org_id), None)
    event = await store.get_event(session, data.event_id)
    invited = (
        org is not None
        and event is not None
        and await store.invite_of(session, event.id, org.id) is not None
    )
    if not invited or org is None or event is None or not isinstance(query.message, Message):
        await query.answer(common.NO_RIGHTS, show_alert=True)
        return None
    return event, org, query.message


async def _answer_tapped(
    query: CallbackQuery,
    data: DistrictEventCb,
    session: AsyncSession,
    viewer: Viewer,
    settings: Settings,
    clock: Clock,
    answer: DistrictEventAnswer,
) -> None:
    found = await _chairs_invite(query, data, session, viewer)
    if found is None:
        return
    event, org, message = found
    tz = org.timezone or settings.timezone
    if not answers_open(event, tz, clock.now()):
        await query.answer(t.ANSWERS_CLOSED, show_alert=True)
        return
    await query.answer()
    chat = FormChat(message, session, viewer.tg_user_id, settings, clock)
    await chat.resume_or_start(lambda: start_reply(chat.request(org), event, answer))


async def coming_tapped(
    query: CallbackQuery,
    callback_data: DistrictEventCb,
    session: AsyncSession,
    viewer: Viewer,
    settings: Settings,
    clock: Clock,
) -> None:
    await _answer_tapped(
        query, callback_data, session, viewer, settings, clock, DistrictEventAnswer.COMING
    )


async def decline_tapped(
    query: CallbackQuery,
    callback_data: DistrictEventCb,
    session: AsyncSession,
    viewer: Viewer,
    settings: Settings,
    clock: Clock,
) -> None:
    await _answer_tapped(
        query, callback_data, session, viewer, settings, clock, DistrictEventAnswer.DECLINED
    )


async def came_tapped(
    query: CallbackQuery,
    callback_data: DistrictEventCb,
    session: AsyncSession,
    viewer: Viewer,
    settings: Settings,
    clock: Clock,
) -> None:
    found = await _chairs_invite(query, callback_data, session, viewer)
    if found is None:
        return
    event, org, message = found
    if clock.now() < event.starts_at:
        await query.answer(t.NOT_STARTED, show_alert=True)
        return
    await query.answer()
    chat = FormChat(message, session, viewer.tg_user_id, settings, clock)
    await chat.resume_or_start(lambda: start_came(chat.request(org), event))


async def _staffs_event(
    query: CallbackQuery, data: DistrictEventCb, session: AsyncSession, viewer: Viewer
) -> tuple[DistrictEvent, Organization, Message] | None:
    """The event of a staff button and its scope, if the sender oversees that scope."""
    event = await store.get_event(session, data.event_id)
    scope = None if event is None else await orgs.get_org(session, event.scope_org_id)
    allowed = scope is not None and await can_act_on(session, viewer, scope)
    if not allowed or event is None or scope is None or not isinstance(query.message, Message):
        await query.answer(common.NO_RIGHTS, show_alert=True)
        return None
    return event, scope, query.message


async def open_tapped(
    query: CallbackQuery,
    callback_data: DistrictEventCb,
    session: AsyncSession,
    viewer: Viewer,
    settings: Settings,
    clock: Clock,
) -> None:
    """The card: answers, and once the event has begun, attendance; then the table."""
    found = await _staffs_event(query, callback_data, session, viewer)
    if found is None:
        return
    event, scope, message = found
    await query.answer()
    card = EventCard(
        kind=event.kind,
        title=event.title,
        starts=event.starts_at.astimezone(zone_of(scope, settings.timezone)),
        place=event.place,
        online=event.online,
        quota=event.quota,
        answer_by=event.answer_by,
        held=clock.now() >= event.starts_at,
        rows=tuple(await store.invite_rows(session, event.id)),
    )
    await answer_lines(message, card_lines(card))
    if card.held:
        await message.answer(t.ENTER_CAME_HINT, reply_markup=keyboards.card_keyboard(event.id))
    await answer_file(message, partial(card_xlsx, card), t.file_name(card.starts), t.FILE_CAPTION)


async def staff_came_tapped(
    query: CallbackQuery,
    callback_data: DistrictEventCb,
    session: AsyncSession,
    viewer: Viewer,
    settings: Settings,
    clock: Clock,
) -> None:
    found = await _staffs_event(query, callback_data, session, viewer)
    if found is None:
        return
    event, scope, message = found
    if clock.now() < event.starts_at:
        await query.answer(t.NOT_STARTED, show_alert=True)
        return
    await query.answer()
    chat = FormChat(message, session, viewer.tg_user_id, settings, clock)
    await chat.resume_or_start(lambda: start_staff_came(chat.request(scope), event))


BUTTONS = {
    DistrictEventAction.COMING: coming_tapped,
    DistrictEventAction.DECLINE: decline_tapped,
    DistrictEventAction.CAME: came_tapped,
    DistrictEventAction.OPEN: open_tapped,
    DistrictEventAction.STAFF_CAME: staff_came_tapped,
}


def create_router() -> Router:
    router = Router(name="district_events")
    for action, handler in BUTTONS.items():
        router.callback_query.register(handler, DistrictEventCb.filter(F.action == action))
    return router
