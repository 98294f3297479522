"""«Отправить» that finds an answer naming what the database no longer has (``AskAgain``): the
question is asked again with why, the other answers kept, nothing stored; never the draft
dropped with «начните заново»."""

from __future__ import annotations

from sqlalchemy import select

from bot.texts import district_events as t
from conftest import FakeClock
from harness import Harness, texts
from storage.models import DistrictEvent, DistrictEventInvite, Organization
from test_district_events import (
    ARTS,
    GARDEN,
    SCHOOL,
    STAFF,
    TITLE,
    announce,
    setup,
    staff_entering_attendance,
)


async def test_an_event_whose_listed_ppo_left_the_scope_asks_the_list_again(
    harness: Harness,
) -> None:
    """The list names the kindergarten, archived between the summary and «Отправить»: nobody
    is invited, so the list is asked again (before, the draft was dropped and the staff member
    told to change who is invited, with nothing left to change); the school typed, the event
    is announced with its title, start and place as answered."""
    h = harness
    ids = await setup(h)
    summary = await announce(h, who=t.WHO_LIST, listed=GARDEN)
    async with h.session_pool() as session, session.begin():
        garden = await session.get(Organization, ids[GARDEN])
        assert garden is not None
        garden.archived_at = h.clock.now()

    said = texts(await h.tap(STAFF, summary[-1], "Отправить"))[-1]

    assert t.NOBODY_INVITED in said and t.Q_LIST in said, said
    async with h.session_pool() as session:
        assert (await session.scalars(select(DistrictEvent))).all() == []
    summary = await h.send(STAFF, SCHOOL)
    shown = summary[-1].plain_text or ""
    assert TITLE in shown and "Приглашаем ППО: 1" in shown, shown
    done = texts(await h.tap(STAFF, summary[-1], "Отправить"))[-1]
    assert "приглашено ППО — 1" in done, done
    async with h.session_pool() as session:
        event = (await session.scalars(select(DistrictEvent))).one()
    assert (event.title, event.place) == (TITLE, "Дом профсоюзов, ул. Ленина, 1")


async def test_attendance_lines_none_understood_are_asked_again(
    harness: Harness, clock: FakeClock
) -> None:
    """Staff type the attendance after the event and no line names an invited ППО: the
    summary says so and «Отправить» asks the lines again (before, the draft was dropped,
    «ничего не сохранено»); a line understood, the attendance is stored."""
    h = harness
    ids = await staff_entering_attendance(h, clock)
    summary = await h.send(STAFF, "Непонятная строка")
    assert t.NOTHING_RECOGNISED in (summary[-1].plain_text or "")

    said = texts(await h.tap(STAFF, summary[-1], "Отправить"))[-1]

    assert t.NOTHING_RECOGNISED in said and t.Q_CAME_LINES in said, said
    summary = await h.send(STAFF, f"{ids[ARTS]} — 2")
    assert "по ППО: 1" in texts(await h.tap(STAFF, summary[-1], "Отправить"))[-1]
    async with h.session_pool() as session:
        invite = await session.scalar(select(DistrictEventInvite).filter_by(org_id=ids[ARTS]))
    assert invite is not None and invite.attended == 2
