"""/events reaches every event a chair filed: a year's list shows the newest and points to
the months, a month's lists all of them, a quarter is a period too."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from harness import Harness, last_message, texts
from scenarios import CHAIR, join
from storage.models import Event, Organization, Person

SCHOOL = "МБОУ СОШ № 1"
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


async def _add_events(h: Harness, days: list[date]) -> None:
    """Seminars of the school's ППО on ``days``, «Семинар NN от dd.mm» in that order."""
    async with h.session_pool() as session:
        org_id = (
            await session.scalars(select(Organization.id).where(Organization.name == SCHOOL))
        ).one()
        person = (await session.scalars(select(Person.id))).first()
        for number, day in enumerate(days):
            session.add(
                Event(
                    org_id=org_id,
                    kind="seminar",
                    topic=f"Семинар {number:02d} от {day:%d.%m}",
                    date_from=day,
                    date_to=day,
                    online=False,
                    place="Актовый зал",
                    participants=10,
                    direction="education",
                    photos=[],
                    created_by=person,
                    created_at=T0,
                    updated_at=T0,
                    submission_key=f"list{number}",
                )
            )
        await session.commit()


async def test_a_years_list_cut_short_points_to_the_month_of_the_rest(harness: Harness) -> None:
    """16 seminars in 2026: the list shows the 15 newest, and the January one, left out,
    used to be out of reach (neither to correct nor to delete). The list names its month,
    whose list opens it."""
    await join(harness)
    days = [date(2026, 1, 20)] + [date(2026, 2 + n // 2, 1 + 10 * (n % 2)) for n in range(15)]
    await _add_events(harness, days)
    listing = "\n".join(texts(await harness.send(CHAIR, "/events")))
    assert "Всего: 16" in listing and "Показаны последние 15 из 16" in listing, listing
    assert "/events январь 2026" in listing, listing
    january = await harness.send(CHAIR, "/events январь 2026")
    assert "за январь 2026" in texts(january)[0]
    card = last_message(await harness.tap(CHAIR, last_message(january), "1. Семинар 00 от 20.01"))
    assert "Исправить" in str(card.buttons())


async def test_a_month_with_more_events_than_a_message_lists_them_all(harness: Harness) -> None:
    """A busy March of 20 seminars: its list comes in messages of 15, each with the buttons
    of its events, numbered on, so the oldest can be opened too."""
    await join(harness)
    await _add_events(harness, [date(2026, 3, 1 + n) for n in range(20)])
    replies = await harness.send(CHAIR, "/events март 2026")
    with_buttons = [reply for reply in replies if reply.buttons()]
    assert len(with_buttons) == 2, texts(replies)
    assert "Показаны последние" not in "\n".join(texts(replies))
    card = last_message(await harness.tap(CHAIR, with_buttons[-1], "20. Семинар 00 от 01.03"))
    assert "Семинар 00 от 01.03" in (card.plain_text or "")


async def test_a_quarter_and_a_month_without_its_year_are_periods_too(harness: Harness) -> None:
    """«/events 1 кв 2026» lists January to March; «/events ноябрь» the latest November."""
    await join(harness)
    await _add_events(harness, [date(2026, 1, 20), date(2026, 4, 2), date(2026, 11, 5)])
    quarter = "\n".join(texts(await harness.send(CHAIR, "/events 1 кв 2026")))
    assert "за I квартал 2026" in quarter and "Всего: 1," in quarter, quarter
    assert "Семинар 00" in quarter and "Семинар 01" not in quarter
    november = "\n".join(texts(await harness.send(CHAIR, "/events ноябрь")))
    assert "за ноябрь 2026" in november and "Семинар 02" in november, november
    [empty] = texts(await harness.send(CHAIR, "/events май 2026"))
    assert "За май 2026 мероприятий нет" in empty, empty
