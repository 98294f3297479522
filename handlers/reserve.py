"""The leadership reserve under the passport card: the list, and removing a person (asked
first). Adding is the declared form «reserve» (``bot/domain/reserve.py``), opened by a button.

Every tap is checked again: the sender must chair the ППО now, and the person must still be in
that ППО's reserve.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message

from bot.domain.calendar import local_today
from bot.domain.reserve import remove
from bot.domain.timezones import zone_of
from bot.domain.viewer import Viewer
from bot.texts import common
from bot.texts import passport as t
from bot.wiring.context import Ctx
from handlers import keyboards
from handlers.callbacks import ReserveAction, ReserveCb
from handlers.filters import IsChair
from handlers.replies import answer_lines
from storage import passports
from storage.models import Organization, ReservePerson


async def _own_org(
    query: CallbackQuery, callback_data: ReserveCb, viewer: Viewer
) -> tuple[Organization, Message] | None:
    """The ППО of the button if the sender chairs it now; otherwise the tap is refused."""
    org = viewer.chaired_org(callback_data.org_id)
    if org is None or not isinstance(query.message, Message):
        await query.answer(common.NO_RIGHTS, show_alert=True)
        return None
    return org, query.message


async def _own_person(
    query: CallbackQuery, callback_data: ReserveCb, ctx: Ctx
) -> tuple[ReservePerson, Message] | None:
    """The person of the button if they are still in the reserve of a ППО the sender chairs."""
    owned = await _own_org(query, callback_data, ctx.viewer)
    if owned is None:
        return None
    person = await passports.get_reserve_person(ctx.session, callback_data.person_id)
    if person is None or person.org_id != owned[0].id:
        await query.answer(t.RESERVE_GONE, show_alert=True)
        return None
    await query.answer()
    return person, owned[1]


async def reserve_list(query: CallbackQuery, callback_data: ReserveCb, ctx: Ctx) -> None:
    owned = await _own_org(query, callback_data, ctx.viewer)
    if owned is None:
        return
    await query.answer()
    org, message = owned
    people = await passports.reserve_of(ctx.session, org.id)
    zone = zone_of(org, ctx.settings.timezone)  # «в резерве с» the ППО's own day
    lines = [t.reserve_header(org.name, len(people)), ""]
    lines += [
        t.reserve_line(
            n, p.full_name, p.position, p.under_35, p.trained, local_today(p.added_at, zone)
        )
        for n, p in enumerate(people, 1)
    ]
    lines.append(t.RESERVE_HINT if people else t.RESERVE_EMPTY)
    await answer_lines(message, lines, keyboards.reserve_list(org.id, people))


async def remove_asked(query: CallbackQuery, callback_data: ReserveCb, ctx: Ctx) -> None:
    found = await _own_person(query, callback_data, ctx)
    if found is not None:
        person, message = found
        await message.answer(
            t.reserve_confirm_remove(person.full_name),
            reply_markup=keyboards.reserve_remove_confirm(person.org_id, person.id),
        )


async def remove_confirmed(query: CallbackQuery, callback_data: ReserveCb, ctx: Ctx) -> None:
    found = await _own_person(query, callback_data, ctx)
    if found is not None:
        person, message = found
        assert ctx.viewer.person is not None
        name = person.full_name
        left = await remove(ctx.session, person, by=ctx.viewer.person.id, now=ctx.now())
        await message.answer(t.reserve_removed(name, left))


async def kept(query: CallbackQuery, callback_data: ReserveCb, ctx: Ctx) -> None:
    found = await _own_person(query, callback_data, ctx)
    if found is not None:
        await found[1].answer(t.RESERVE_KEPT)


def create_router() -> Router:
    router = Router(name="reserve")
    router.callback_query.filter(IsChair())
    router.callback_query.register(reserve_list, ReserveCb.filter(F.action == ReserveAction.LIST))
    router.callback_query.register(remove_asked, ReserveCb.filter(F.action == ReserveAction.REMOVE))
    router.callback_query.register(
        remove_confirmed, ReserveCb.filter(F.action == ReserveAction.REMOVE_YES)
    )
    router.callback_query.register(kept, ReserveCb.filter(F.action == ReserveAction.KEEP))
    return router
