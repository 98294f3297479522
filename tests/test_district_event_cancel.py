"""Staff call a district event off before it begins: asked first, only for a scope they oversee;
the chairs already invited are told, the waiting invitations and reminders are dropped, the
old buttons say it is cancelled, and the card, the list and the audit log show it."""

from __future__ import annotations

from sqlalchemy import select

from bot.texts import common
from bot.texts import district_events as t
from conftest import FakeClock
from handlers.callbacks import DistrictEventAction, DistrictEventCb
from harness import Harness, Request, texts
from storage.models import AuditEntry, OutboxMessage, OutboxStatus
from test_district_events import (
    CENTRE_CHAIR,
    CHAIR,
    GARDEN_CHAIR,
    OTHER_STAFF,
    STAFF,
    announce,
    at,
    event_id,
    keys,
    last_to,
    move,
    setup,
    tick,
)


def alert(replies: list[Request]) -> object:
    [answer] = [r for r in replies if r.method == "answerCallbackQuery"]
    return answer.params.get("text")


async def cancel_hint(h: Harness) -> Request:
    listing = await h.send(STAFF, "/devents")
    card = await h.tap(STAFF, listing[-1], "04.12.2026")
    return [r for r in card if t.CANCEL_HINT in (r.plain_text or "")][-1]


async def test_calling_an_event_off_tells_the_invited_and_stops_the_clockwork(
    harness: Harness, clock: FakeClock
) -> None:
    h = harness
    await setup(h)
    await h.tap(STAFF, (await announce(h))[-1], "Отправить")
    move(clock, at(23, 11, 7))  # Monday 10:00 Moscow: the invitations go out
    await tick(h)
    invitation = last_to(h, CHAIR, "Приглашение")

    asked = await h.tap(STAFF, await cancel_hint(h), t.BTN_CANCEL_EVENT)
    assert "Отменить «Семинар председателей <ППО> & актива»" in texts(asked)[-1]
    assert texts(await h.tap(STAFF, asked[-1], t.BTN_CANCEL_NO)) == [t.CANCEL_KEPT]
    yes = DistrictEventCb(action=DistrictEventAction.CANCEL_YES, event_id=await event_id(h))
    assert alert(await h.feed(h.server.callback(OTHER_STAFF, yes.pack()))) == common.NO_RIGHTS
    assert alert(await h.feed(h.server.callback(CHAIR, yes.pack()))) == common.NO_RIGHTS

    done = texts(await h.tap(STAFF, asked[-1], t.BTN_CANCEL_YES))
    assert "отменено. Сообщение об отмене получат председатели ППО: 3" in done[-1]
    assert alert(await h.tap(STAFF, asked[-1], t.BTN_CANCEL_YES)) == t.EVENT_CANCELLED

    await tick(h)  # within allowed hours: the notices go out at once
    notice = last_to(h, CHAIR, "Мероприятие отменено")
    assert "<ППО> & актива»" in (notice.plain_text or "")  # parsed as HTML by the fake server
    assert "04.12.2026 10:00" in (notice.plain_text or "")
    assert last_to(h, GARDEN_CHAIR, "Мероприятие отменено")
    assert alert(await h.tap(CHAIR, invitation, "Будем")) == t.EVENT_CANCELLED

    # The silent are not reminded, nobody is asked how many came.
    move(clock, at(30, 11, 8))
    await tick(h)
    move(clock, at(7, 12, 7))
    await tick(h)
    assert await keys(h, "devent-remind:") == [] and await keys(h, "devent-came:") == []
    assert not [
        r for r in h.server.requests if r.chat_id == CENTRE_CHAIR and "ждём" in (r.plain_text or "")
    ]

    listing = await h.send(STAFF, "/devents")
    card = "\n".join(texts(await h.tap(STAFF, listing[-1], "04.12.2026")))
    assert "Отменено 23.11.2026" in card and "Приняли участие" not in card
    async with h.session_pool() as session:
        [entry] = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "devent.cancel"))
        ).all()
        assert entry.after is not None and entry.after["told"] == 3
    log = "\n".join(texts(await h.send(STAFF, f"/audit {entry.org_id}")))
    assert "мероприятие района отменено — Название: Семинар председателей <ППО>" in log
    assert "Дата и время: 04.12.2026 10:00; Сообщили председателям: 3" in log


async def test_invitations_still_waiting_are_dropped_and_the_uninvited_hear_nothing(
    harness: Harness,
) -> None:
    h = harness
    await setup(h)
    await h.tap(STAFF, (await announce(h))[-1], "Отправить")
    await tick(h)  # Saturday: the invitations wait for Monday
    asked = await h.tap(STAFF, await cancel_hint(h), t.BTN_CANCEL_EVENT)
    done = texts(await h.tap(STAFF, asked[-1], t.BTN_CANCEL_YES))
    assert "председатели ППО: 0" in done[-1]
    async with h.session_pool() as session:
        stmt = select(OutboxMessage.status).where(OutboxMessage.key.startswith("devent-"))
        assert set((await session.scalars(stmt)).all()) == {OutboxStatus.FAILED}
    assert await keys(h, "devent-cancel:") == []
