"""Staff call a district event off before it begins: asked first, only for a scope they oversee;
the chairs already invited are told, the waiting invitations and reminders are dropped, the
old buttons say it is cancelled, and the card, the list and the audit log show it."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.domain.district_event_cancel import cancel_event
from bot.texts import common
from bot.texts import district_events as t
from conftest import FakeClock
from handlers.callbacks import DistrictEventAction, DistrictEventCb
from harness import Harness, Request, texts
from storage import district_events as store
from storage.models import AuditEntry, Organization, Person
from test_district_events import (
    CENTRE,
    CENTRE_CHAIR,
    CHAIR,
    DISTRICT_A,
    GARDEN,
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
    assert await keys(h, "devent-") == []  # the invitations are gone, no notice either
    await tick(h)
    assert await keys(h, "devent-") == []  # and the clockwork writes nothing more


async def move_to(h: Harness, starts: str, place: str | None, answer_by: str) -> list[str]:
    """The card's «Перенести» answered through (``place`` None: the current one, tapped);
    the replies to «Отправить»."""
    first = await h.tap(STAFF, await cancel_hint(h), t.BTN_MOVE_EVENT)
    assert t.Q_STARTS in texts(first)[-1]
    asked = await h.send(STAFF, starts)
    if place is None:
        await h.tap(STAFF, asked[-1], "Дом профсоюзов, ул. Ленина, 1")
    else:
        await h.send(STAFF, place)
    summary = await h.send(STAFF, answer_by)
    assert "Перенос мероприятия" in (summary[-1].plain_text or "")
    return texts(await h.tap(STAFF, summary[-1], "Отправить"))


async def test_moving_an_event_tells_the_invited_and_the_clockwork_follows(
    harness: Harness, clock: FakeClock
) -> None:
    h = harness
    ids = await setup(h)
    await h.tap(STAFF, (await announce(h))[-1], "Отправить")
    move(clock, at(23, 11, 7))
    await tick(h)
    move_data = DistrictEventCb(action=DistrictEventAction.MOVE, event_id=await event_id(h))
    assert alert(await h.feed(h.server.callback(OTHER_STAFF, move_data.pack()))) == (
        common.NO_RIGHTS
    )

    await h.tap(CHAIR, last_to(h, CHAIR, "Приглашение"), "Будем")  # kept through the move
    summary = await h.send(CHAIR, "2")
    assert "будем, 2 чел." in texts(await h.tap(CHAIR, summary[-1], "Отправить"))[-1]
    done = await move_to(h, "08.12.2026 11:30", "Онлайн: https://vk.com/call", "07.12.2026")
    assert "перенесено. Сообщение о переносе получат председатели ППО: 3" in done[-1]
    await tick(h)
    notice = last_to(h, CHAIR, "Мероприятие перенесено").plain_text or ""
    assert "Теперь: 08.12.2026 11:30" in notice and "онлайн: Онлайн: https://vk.com" in notice
    assert "Ответить до 07.12.2026" in notice

    # The silent are reminded against the new answer day (3 days before 07.12: 04.12).
    move(clock, at(30, 11, 8))
    await tick(h)
    assert await keys(h, "devent-remind:") == []
    move(clock, at(4, 12, 8))
    await tick(h)
    event = await event_id(h)
    assert await keys(h, "devent-remind:") == [
        f"devent-remind:{event}:{ids[GARDEN]}:2026-12-07:3:{GARDEN_CHAIR}",
        f"devent-remind:{event}:{ids[CENTRE]}:2026-12-07:3:{CENTRE_CHAIR}",
    ]
    listing = await h.send(STAFF, "/devents")
    assert any("08.12.2026" in label for label, _ in listing[-1].buttons())
    log = "\n".join(texts(await h.send(STAFF, f"/audit {ids[DISTRICT_A]}")))
    assert "мероприятие района перенесено" in log and "08.12.2026 11:30" in log


async def test_a_move_after_a_reminder_reminds_the_silent_against_the_new_answer_day(
    harness: Harness, clock: FakeClock
) -> None:
    """The 3-days reminder went out on 30.11 (answers due 03.12); on 01.12 the event moves to
    20.12, answers due 18.12: the silent chair is reminded again on 15.12, not swallowed by
    the first reminder's key."""
    h = harness
    await setup(h)
    await h.tap(STAFF, (await announce(h))[-1], "Отправить")
    move(clock, at(23, 11, 7))
    await tick(h)
    move(clock, at(30, 11, 8))
    await tick(h)
    assert "Ответить до 03.12.2026" in last_to(h, CENTRE_CHAIR, "ждём ответа").plain_text
    move(clock, at(1, 12, 8))
    assert "перенесено" in (await move_to(h, "20.12.2026 11:00", None, "18.12.2026"))[-1]
    move(clock, at(15, 12, 8))
    await tick(h)
    assert "Ответить до 18.12.2026" in last_to(h, CENTRE_CHAIR, "ждём ответа").plain_text


async def test_an_invitation_still_waiting_goes_out_with_the_new_details(
    harness: Harness, clock: FakeClock
) -> None:
    h = harness
    await setup(h)
    await h.tap(STAFF, (await announce(h))[-1], "Отправить")
    await tick(h)  # Saturday: the invitations wait for Monday
    done = await move_to(h, "09.12.2026 10:00", None, "08.12.2026")
    assert "председатели ППО: 0" in done[-1]
    move(clock, at(23, 11, 7))
    await tick(h)
    invitation = last_to(h, CHAIR, "Приглашение").plain_text or ""
    assert "Когда: 09.12.2026 10:00" in invitation and "Ленина, 1" in invitation
    assert await keys(h, "devent-move:") == []


async def test_two_staff_calling_an_event_off_at_once_change_it_once(
    harness: Harness, clock: FakeClock
) -> None:
    """The second reads the event before the first commits and acts after: it must see the
    first one's change (read again under a lock), not what it read, and change nothing."""
    h = harness
    await setup(h)
    await h.tap(STAFF, (await announce(h))[-1], "Отправить")
    move(clock, at(23, 11, 7))
    await tick(h)
    async with h.session_pool() as second:
        async with second.begin():
            stale = await store.get_event(second, await event_id(h))
            staff = (await second.scalars(select(Person).where(Person.tg_user_id == STAFF))).one()
        asked = await h.tap(STAFF, await cancel_hint(h), t.BTN_CANCEL_EVENT)
        assert "отменено" in texts(await h.tap(STAFF, asked[-1], t.BTN_CANCEL_YES))[-1]
        assert stale is not None and stale.cancelled_at is None  # what the second one read
        async with second.begin():
            told = await cancel_event(
                second,
                stale.id,
                by=staff.id,
                now=clock.now(),
                settings=h.settings.calendar,
                default_tz=h.settings.timezone,
            )
        assert told is None
    async with h.session_pool() as session:
        cancels = select(AuditEntry).where(AuditEntry.action == "devent.cancel")
        assert len((await session.scalars(cancels)).all()) == 1


async def test_a_move_notice_tells_the_time_the_invitation_told(
    harness: Harness, clock: FakeClock
) -> None:
    """Staff of a district in UTC+10 type times in its zone; a ППО with no zone of its own
    is in the bot's default zone (``TIMEZONE``) for the invitation and for the move alike."""
    h = harness
    await setup(h)
    async with h.session_pool() as session, session.begin():
        district = Organization.name == DISTRICT_A
        await session.execute(
            update(Organization).where(district).values(timezone="Asia/Vladivostok")
        )
    await h.tap(STAFF, (await announce(h))[-1], "Отправить")  # 04.12 10:00 in Vladivostok
    move(clock, at(23, 11, 7))
    await tick(h)
    assert "Когда: 04.12.2026 03:00" in (last_to(h, CHAIR, "Приглашение").plain_text or "")
    done = await move_to(h, "08.12.2026 11:30", None, "07.12.2026")
    assert "председатели ППО: 3" in done[-1]
    await tick(h)
    notice = last_to(h, CHAIR, "Мероприятие перенесено").plain_text or ""
    assert "Теперь: 08.12.2026 04:30" in notice
