"""The leadership reserve (кадровый резерв) on the passport card: the chair adds people by a
small form and removes them by a button (rights checked on every tap); staff see its size per
ППО in /passports, with how many are young and how many are in union training (seed 002 item 7:
«Обновление сведений о профсоюзном резерве, организация работы по его обучению»)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import openpyxl
from sqlalchemy import select

from bot.texts import common
from handlers.callbacks import ReserveAction, ReserveCb
from harness import Harness, Request, last_message, texts
from scenarios import CHAIR, DISTRICT, accept_invite, code_of, invite_links, join
from storage.models import AuditEntry, Organization, ReservePerson

OTHER_CHAIR, STAFF = 503, 801
SCHOOL, GARDEN = "МБОУ СОШ № 1", "МБДОУ детский сад «Солнышко»"


async def open_reserve(h: Harness) -> Request:
    card = last_message(await h.send(CHAIR, "/passport"))
    return last_message(await h.tap(CHAIR, card, "Кадровый резерв"))


async def add(h: Harness, name: str, position: str, young: str, trained: str = "Нет") -> str:
    listing = await open_reserve(h)
    await h.tap(CHAIR, listing, "Добавить в резерв")
    await h.send(CHAIR, name)
    question = last_message(await h.send(CHAIR, position))
    question = last_message(await h.tap(CHAIR, question, young))
    assert "профсоюзное обучение" in (question.plain_text or "")
    summary = last_message(await h.tap(CHAIR, question, trained))
    assert "Проверьте" in (summary.plain_text or "")
    return texts(await h.tap(CHAIR, summary, "Отправить"))[-1]


async def people(h: Harness) -> list[ReservePerson]:
    async with h.session_pool() as session:
        return list((await session.scalars(select(ReservePerson).order_by(ReservePerson.id))).all())


async def test_chair_keeps_the_reserve_and_staff_count_it(harness: Harness) -> None:
    await join(harness)
    card = texts(await harness.send(CHAIR, "/passport"))[0]
    assert "Кадровый резерв: никого" in card
    assert "пока никого нет" in (await open_reserve(harness)).plain_text

    saved = await add(harness, "Петрова <Анна> Сергеевна", "учитель математики", "Да")
    assert "Петрова <Анна> Сергеевна — в кадровом резерве. Всего в резерве: 1 чел." in saved
    await add(harness, "Сидоров Иван Петрович", "заместитель директора", "Нет", trained="Да")
    await add(harness, "Козлова Ольга Игоревна", "воспитатель", "Да")
    assert (
        "Кадровый резерв: 3 чел. (до 35 лет — 2, проходят обучение — 1)"
        in texts(await harness.send(CHAIR, "/passport"))[0]
    )

    listing = await open_reserve(harness)
    shown = listing.plain_text or ""
    assert (
        "1. Петрова <Анна> Сергеевна — учитель математики, до 35 лет, в резерве с 21.11.2026"
        in shown
    )
    assert (
        "2. Сидоров Иван Петрович — заместитель директора, проходит обучение, "
        "в резерве с 21.11.2026" in shown
    )
    asked = last_message(await harness.tap(CHAIR, listing, "1. Петрова"))
    assert "Исключить из кадрового резерва: Петрова <Анна> Сергеевна?" in (asked.plain_text or "")
    done = texts(await harness.tap(CHAIR, asked, "Да, исключить"))
    assert "Осталось в резерве: 2 чел." in done[-1]
    again = await harness.tap(CHAIR, asked, "Да, исключить")
    answers = [r for r in again if r.method == "answerCallbackQuery"]
    assert answers[0].params["text"] == "Этого человека уже нет в резерве."
    assert [p.full_name for p in await people(harness)] == [
        "Сидоров Иван Петрович",
        "Козлова Ольга Игоревна",
    ]
    async with harness.session_pool() as session:
        actions = (await session.scalars(select(AuditEntry.action))).all()
    assert actions.count("reserve.add") == 3 and actions.count("reserve.remove") == 1

    staff = await invite_links(harness, whom="сотрудник аппарата")
    await accept_invite(harness, STAFF, code_of(staff[DISTRICT]), first_name="Светлана")
    report = "\n".join(texts(await harness.send(STAFF, "/passports")))
    assert (
        "Кадровый резерв: есть у 1 из 2 ППО (всего 2 чел., до 35 лет — 1, проходят обучение — 1)"
        in report
    )
    _, data = harness.server.sent_files(STAFF)[-1]
    header, *rows = openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)
    table = {row[1]: dict(zip(header, row, strict=True)) for row in rows}
    assert table[SCHOOL]["Кадровый резерв, чел."] == 2
    assert table[SCHOOL]["Резерв до 35 лет, чел."] == 1
    assert table[SCHOOL]["Резерв проходит обучение, чел."] == 1
    assert table[GARDEN]["Кадровый резерв, чел."] is None


async def test_reserve_buttons_check_rights_every_time(harness: Harness) -> None:
    await join(harness)
    await add(harness, "Петрова Анна Сергеевна", "учитель", "Да")
    link = (await invite_links(harness))[GARDEN]
    await accept_invite(harness, OTHER_CHAIR, code_of(link), first_name="Ольга")
    [person] = await people(harness)
    async with harness.session_pool() as session:
        garden = await session.scalar(select(Organization.id).where(Organization.name == GARDEN))
    forged = [
        (
            ReserveCb(action=ReserveAction.REMOVE_YES, org_id=person.org_id, person_id=person.id),
            common.NO_RIGHTS,
        ),
        (ReserveCb(action=ReserveAction.LIST, org_id=person.org_id), common.NO_RIGHTS),
        (
            ReserveCb(action=ReserveAction.REMOVE_YES, org_id=garden or 0, person_id=person.id),
            "Этого человека уже нет в резерве.",
        ),
    ]
    for data, said in forged:
        replies = await harness.feed(harness.server.callback(OTHER_CHAIR, data.pack()))
        answers = [r for r in replies if r.method == "answerCallbackQuery"]
        assert answers[0].params["text"] == said
    assert len(await people(harness)) == 1


async def test_bad_answers_in_the_reserve_form_are_explained(harness: Harness) -> None:
    await join(harness)
    listing = await open_reserve(harness)
    await harness.tap(CHAIR, listing, "Добавить в резерв")
    assert "Слишком коротко" in texts(await harness.send(CHAIR, "Ан"))[0]
    await harness.send(CHAIR, "Петрова Анна Сергеевна")
    await harness.send(CHAIR, "учитель")
    assert "Ответьте «Да» или «Нет»" in texts(await harness.send(CHAIR, "может быть"))[0]
    assert await people(harness) == []


async def _fill_reserve(h: Harness, count: int) -> None:
    """``count`` people of the longest names and positions the form takes, straight in."""
    async with h.session_pool() as session, session.begin():
        school = (
            await session.scalars(select(Organization).where(Organization.name == SCHOOL))
        ).one()
        for n in range(count):
            session.add(
                ReservePerson(
                    org_id=school.id,
                    full_name=f"{n} " + "Ж" * 190,
                    position="учитель <и> & " + "Щ" * 180,
                    under_35=bool(n % 2),
                    added_at=h.clock.now(),
                    added_by=None,
                    submission_key=f"fill-{n}",
                )
            )


async def test_a_long_reserve_is_listed_in_parts_with_its_buttons_under_the_last(
    harness: Harness,
) -> None:
    await join(harness)
    await _fill_reserve(harness, 30)
    card = last_message(await harness.send(CHAIR, "/passport"))
    replies = [
        r for r in await harness.tap(CHAIR, card, "Кадровый резерв") if r.method == "sendMessage"
    ]
    assert len(replies) > 1 and all(r.ok for r in replies)
    assert "30. 29 ЖЖ" in (replies[-1].plain_text or "")
    assert not replies[0].buttons() and len(replies[-1].buttons()) == 31  # «добавить» and 30


async def test_a_full_reserve_takes_nobody_more(harness: Harness) -> None:
    await join(harness)
    await _fill_reserve(harness, 50)
    saved = await add(harness, "Петрова Анна Сергеевна", "учитель", "Да")
    assert "это предел" in saved
    assert len(await people(harness)) == 50


async def test_the_reserve_dates_a_person_by_the_ppo_s_own_day(harness: Harness) -> None:
    """Added at 01:30 on 22.11 in Moscow (22:30 on 21.11 in UTC): «в резерве с 22.11.2026»."""
    await join(harness)
    harness.clock.moment = datetime(2026, 11, 21, 22, 30, tzinfo=UTC)
    await add(harness, "Петрова Анна Сергеевна", "учитель математики", "Да")
    listing = (await open_reserve(harness)).plain_text or ""
    assert "в резерве с 22.11.2026" in listing
