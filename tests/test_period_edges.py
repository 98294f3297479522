"""Periods and time at their edges: an event over the New Year, a report sent back and never
corrected, /report while one waits for correction, a district's time zone for its ППО."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from bot.forms.engine import InvalidAnswer, ParseEnv
from bot.forms.parsers import date_range
from bot.texts import membership as tm
from factories import membership_report
from harness import ADMIN, Harness, last_message, texts
from scenarios import CHAIR, DISTRICT
from storage.models import Person
from test_periods import SCHOOL, STAFF, org_id, report, staff_and_chairs, tick, utc


def test_an_event_over_the_new_year_typed_in_december() -> None:
    """A New-Year campaign «29.12–09.01» reported on 30 December ends next January."""
    env = ParseEnv(today=date(2026, 12, 30))
    try:
        value = date_range("29.12–09.01", env)
    except InvalidAnswer as refused:
        pytest.fail(f"refused: {refused}")
    assert value == {"from": "2026-12-29", "to": "2027-01-09"}


async def test_history_passes_over_a_report_sent_back(harness: Harness) -> None:
    """December's 95 of 100 was sent back as a typo and never corrected: /history tells the
    chair what the calendar does, a ППО without a report due in March, not «2 раза в год»."""
    h = harness
    h.clock.moment = utc(2026, 11, 23)
    await staff_and_chairs(h)
    school = await org_id(h, SCHOOL)
    async with h.session_pool() as session, session.begin():
        chair = (await session.scalars(select(Person.id).where(Person.tg_user_id == CHAIR))).one()
        session.add(
            membership_report(
                school,
                date(2026, 12, 1),
                100,
                95,
                by=chair,
                at=datetime(2026, 12, 5, tzinfo=UTC),
                returned_at=datetime(2026, 12, 6, tzinfo=UTC),
                returned_by=chair,
                return_comment="Проверьте число членов",
            )
        )
    h.clock.moment = utc(2027, 1, 20)
    history = texts(await h.send(CHAIR, "/history"))[0]
    first_line = history.splitlines()[0]
    assert "2 раза в год" not in first_line, first_line
    assert "25.03.2027" in first_line, first_line


async def test_report_with_none_asked_points_to_the_one_sent_back(
    harness: Harness,
) -> None:
    """October (due 26.10) was filed on time and sent back on 28.10. On 2.11, with nothing
    asked, /report opens a report «вне графика» and says that October waits for correction
    and how to open it, so that the chair does not send the fix as November's."""
    h = harness
    h.clock.moment = utc(2026, 10, 1)
    await staff_and_chairs(h)
    await tick(h)
    h.clock.moment = utc(2026, 10, 5)
    await report(h)
    h.clock.moment = utc(2026, 10, 28)
    choice = last_message(await h.send(STAFF, "/return сош"))
    card = last_message(await h.tap(STAFF, choice, SCHOOL))
    await h.tap(STAFF, card, "Вернуть")
    await h.tap(STAFF, last_message(await h.send(STAFF, "Проверьте число членов")), "Отправить")

    h.clock.moment = utc(2026, 11, 2)
    first = " ".join(texts(await h.send(CHAIR, "/report")))
    assert tm.returned_waits("октябрь 2026") in first, first


async def test_a_ppo_without_a_zone_of_its_own_takes_its_districts(
    harness: Harness,
) -> None:
    """The admin sets the district's zone to Kaliningrad (UTC+2); its ППО had none of their
    own and take it: a report sent at 23:30 on the deadline day in Kaliningrad (00:30 next day
    in Moscow) is on time."""
    h = harness
    h.clock.moment = utc(2026, 9, 28)
    await staff_and_chairs(h)
    found = last_message(await h.send(ADMIN, f"/org {DISTRICT}"))
    card = last_message(await h.tap(ADMIN, found, DISTRICT))
    await h.tap(ADMIN, card, "Часовой пояс")
    summary = last_message(await h.send(ADMIN, "Калининград"))
    assert "Europe/Kaliningrad" in texts(await h.tap(ADMIN, summary, "Отправить"))[0]
    h.clock.moment = utc(2026, 10, 1)
    await tick(h)

    h.clock.moment = datetime(2026, 10, 26, 21, 30, tzinfo=UTC)  # 23:30 on 26.10 in Kaliningrad
    first, saved = await report(h)
    assert "опозданием" not in first + saved, first + "\n" + saved
