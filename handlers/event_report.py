"""Staff and events: /eventsreport (a scope's events and activist training for a period) and
/showevent (one event of the report, its card and photos)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from aiogram import Router
from aiogram.filters import CommandObject
from aiogram.types import InputMediaPhoto, MediaUnion, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.event_report import parse_recent_period, summarize
from bot.domain.events import staff_card
from bot.domain.viewer import Viewer
from bot.rendering.event_report import file_name, report_lines, report_xlsx
from bot.texts import event_report as t
from handlers.filters import IsStaffOrAdmin, command
from handlers.replies import answer_file, answer_lines, found_by_number
from storage import district_events as devents
from storage import event_report as store

if TYPE_CHECKING:  # handlers.staff lists this runner: importing it at run time would be a cycle
    from handlers.staff import Scoped

SHOW_COMMAND = "showevent"


async def run_events_report(c: Scoped) -> None:
    """The message now; the .xlsx drawn after the commit (seconds for a whole region)."""
    period = parse_recent_period(c.arg, c.today)
    if period is None:
        await c.message.answer(t.BAD_PERIOD)
        return
    events = await store.scope_events(c.session, c.scope.id, period.start, period.end)
    # A district event counts for each ППО that took part (its attendance above zero).
    attended = await devents.attendance_lines(c.session, c.scope.id, period.start, period.end)
    events = sorted([*events, *attended], key=lambda line: line.date_from)
    active = await store.active_ppo(c.session, c.scope.id)
    report = summarize(c.scope.name, period, events, active)
    await answer_lines(c.message, report_lines(report))
    await answer_file(c.message, partial(report_xlsx, report), file_name(period), t.FILE_CAPTION)


async def show_event(
    message: Message, command: CommandObject, session: AsyncSession, viewer: Viewer
) -> None:
    """/showevent <номер>: staff of the event's district or region (and admins) only."""
    find = partial(store.event_place, session)
    found = await found_by_number(message, command, find, t.SHOW_USAGE, t.SHOW_NOT_FOUND)
    if found is None:
        return
    if not viewer.oversees(found.district_id, found.region_id):
        await message.answer(t.SHOW_FOREIGN)
        return
    event = found.event
    await message.answer(staff_card(event, found.org_name, found.district_name))
    photos, caption = list(event.photos or []), t.photos_caption(event.id)
    if len(photos) == 1:
        await message.answer_photo(photos[0], caption=caption)
    elif photos:  # an album takes 2 to 10 photos; the form keeps at most 5
        album: list[MediaUnion] = [
            InputMediaPhoto(media=photo, caption=caption if index == 0 else None)
            for index, photo in enumerate(photos)
        ]
        await message.answer_media_group(album)


def create_router() -> Router:
    router = Router(name="event_report")
    router.message.filter(IsStaffOrAdmin())
    router.message.register(show_event, command(SHOW_COMMAND))
    return router
