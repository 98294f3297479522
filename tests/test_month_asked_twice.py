"""A month asked for twice (the calendar's December due 25.12 and a one-off of December due
10.12) is one obligation, owed by the earlier deadline: /status and /digest name that deadline,
and the rating and /curated judge the month once, by it, as /export and /history do.

Driven through the dispatcher against the fake Bot API server.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from harness import Harness, texts
from scenarios import DISTRICT
from storage import rating as rating_store
from storage.digest import current_collection
from storage.models import Collection, CollectionKind, CollectionTarget
from test_curator import CURATOR, attach_curator
from test_periods import (
    CHAIR,
    KINDERGARTEN,
    SCHOOL,
    SECOND_CHAIR,
    STAFF,
    one_off,
    org_id,
    report,
    staff_and_chairs,
    tick,
    utc,
)
from test_trends import DISTRICT_A, GYMNASIUM, world
from test_trends import KINDERGARTEN as GARDEN_A
from test_trends import SCHOOL as SCHOOL_A


async def _december_asked_twice(harness: Harness) -> None:
    harness.clock.moment = utc(2026, 12, 1)  # Tuesday
    await staff_and_chairs(harness, second_chair=True)
    await tick(harness)  # December, due 25.12.2026
    await one_off(harness, "10.12.2026", "Численность на 1 декабря")


async def test_status_and_digest_name_the_deadline_the_month_is_owed_by(harness: Harness) -> None:
    await _december_asked_twice(harness)
    for command in ("/status", "/digest"):
        text = texts(await harness.send(STAFF, command))[0]
        assert "Срок сдачи: 10.12.2026\n" in text, text

    harness.clock.moment = utc(2026, 12, 11)  # the day after: the month is overdue
    status = texts(await harness.send(STAFF, "/status"))[0]
    assert "Срок сдачи: 10.12.2026 (истёк)" in status, status
    assert "Не сдали в срок (2)" in status, status


async def _kindergarten_before_both_school_between(harness: Harness) -> None:
    """The kindergarten reports December on 4.12, before both deadlines; the school on 14.12,
    after the one-off's 10.12 though before the calendar's 25.12: late, once (not one request
    late and one on time)."""
    await _december_asked_twice(harness)
    harness.clock.moment = utc(2026, 12, 4)
    await report(harness, SECOND_CHAIR)
    harness.clock.moment = utc(2026, 12, 14)
    await report(harness, CHAIR)


async def test_a_month_asked_twice_weighs_once_in_the_rating(harness: Harness) -> None:
    await _kindergarten_before_both_school_between(harness)
    district = await org_id(harness, DISTRICT)
    async with harness.session_pool() as session:
        rows = await rating_store.rating_rows(session, district, 2026)
    on_time = {row.name: (row.targets, row.on_time) for row in rows}
    assert (on_time[SCHOOL], on_time[KINDERGARTEN]) == ((1, 0), (1, 1))


async def test_a_month_asked_twice_weighs_once_in_curated(harness: Harness) -> None:
    await _kindergarten_before_both_school_between(harness)
    await attach_curator(harness, "СОШ")
    card = "\n".join(texts(await harness.send(CURATOR, "/curated")))
    assert "(последний запрос): в срок — 0, с опозданием — 1, не сдано — 0" in card, card


async def test_the_header_deadline_is_when_the_last_due_ppo_owes_the_period(
    harness: Harness,
) -> None:
    """A one-off due 10.12 asked the school only: the school owes December by 10.12, the others
    by 25.12, so the period is owed by all on 25.12; asked of all three, by 10.12."""
    ids = await world(harness)
    calendar, due = date(2026, 12, 25), date(2026, 12, 10)
    async with harness.session_pool() as session, session.begin():
        for one_off_, deadline in ((False, calendar), (True, due)):
            asked = Collection(
                kind=CollectionKind.MEMBERSHIP,
                scope_org_id=ids[DISTRICT_A],
                period=date(2026, 12, 1),
                title="Численность" if one_off_ else "Мониторинг",
                one_off=one_off_,
                opened_at=datetime(2026, 12, 1, 7, tzinfo=UTC),
                deadline=deadline,
            )
            session.add(asked)
            await session.flush()
            names = (SCHOOL_A,) if one_off_ else (SCHOOL_A, GARDEN_A, GYMNASIUM)
            for name in names:
                session.add(
                    CollectionTarget(
                        collection_id=asked.id, org_id=ids[name], tier="-", deadline=deadline
                    )
                )
    async with harness.session_pool() as session:
        info = await current_collection(session, ids[DISTRICT_A], date(2026, 12, 5))
    assert info.targets == {ids[SCHOOL_A]: due, ids[GARDEN_A]: calendar, ids[GYMNASIUM]: calendar}
    assert info.deadline == calendar
