"""Staff at the edges: a report returned after the chair sent a newer one, an archived
district's staff, a chair of two ППО counted once, district names with «<» and «&»."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select, update

from bot.domain.digest import load_digest
from bot.rendering.plans import template_xlsx
from bot.rendering.xlsx import build_table_xlsx
from bot.texts import common
from bot.texts import staff as ts
from factories import membership_report
from handlers.paging import PAGE_SIZE
from harness import ADMIN, Harness, last_message, texts
from scenarios import (
    CHAIR,
    DISTRICT,
    FULL,
    HEADERS,
    accept_invite,
    answer_all,
    code_of,
    invite_links,
    join,
)
from storage.models import (
    Collection,
    CollectionKind,
    CollectionTarget,
    MembershipReport,
    Organization,
    Person,
)
from test_staff_tools import (
    STAFF,
    district_with_staff,
    drain,
    org_id,
    submit,
)

SCHOOL = "МБОУ СОШ № 1"
KINDERGARTEN = "МБДОУ детский сад «Солнышко»"
AT = datetime(2026, 10, 5, 7, 0, tzinfo=UTC)


async def _person_id(h: Harness, tg: int) -> int:
    async with h.session_pool() as session:
        return (await session.scalars(select(Person.id).where(Person.tg_user_id == tg))).one()


async def test_a_card_shown_before_a_newer_report_returns_nothing_unseen(
    harness: Harness,
) -> None:
    """Staff open the card of the October report; the chair files November meanwhile.
    «Вернуть» on the October card returns nothing: it says a newer report came and shows its
    card, whose «Вернуть» returns November, the report staff now saw."""
    await district_with_staff(harness)
    school = await org_id(harness, SCHOOL)
    chair = await _person_id(harness, CHAIR)
    async with harness.session_pool() as session, session.begin():
        session.add(membership_report(school, date(2026, 10, 1), 53, 39, by=chair, at=AT))
    choice = last_message(await harness.send(STAFF, "/return сош"))
    card = last_message(await harness.tap(STAFF, choice, SCHOOL))
    assert "Работников: 53" in (card.plain_text or "")  # the October report is on the card
    summary = last_message(await answer_all(harness, FULL))  # the chair files November
    for button in ("Подтверждаю", "Отправить"):
        if button in str(summary.buttons()):
            summary = last_message(await harness.tap(CHAIR, summary, button))
    newer = last_message(await harness.tap(STAFF, card, "Вернуть"))
    shown = newer.plain_text or ""
    assert shown.startswith(ts.REPORT_SUPERSEDED) and "Работников: 53" not in shown, shown
    assert await _returned_periods(harness) == []
    await harness.tap(STAFF, newer, "Вернуть")
    summary = last_message(await harness.send(STAFF, "Проверьте число работников"))
    await harness.tap(STAFF, summary, "Отправить")
    assert await _returned_periods(harness) == [date(2026, 11, 1)]


async def _returned_periods(h: Harness) -> list[date]:
    async with h.session_pool() as session:
        returned = select(MembershipReport.period).where(MembershipReport.returned_at.is_not(None))
        return list((await session.scalars(returned)).all())


async def test_staff_of_an_archived_district_find_nothing_to_return(harness: Harness) -> None:
    """An archived district is out of reach: its staff member holds no staff role any more
    (/status is not theirs), and /return finds none of its ППО."""
    await district_with_staff(harness)
    await submit(harness)
    district = await org_id(harness, DISTRICT)
    async with harness.session_pool() as session, session.begin():
        await session.execute(
            update(Organization).where(Organization.id == district).values(archived_at=AT)
        )
    assert texts(await harness.send(STAFF, "/status")) == [ts.your_scope_archived(DISTRICT)]
    replies = await harness.send(STAFF, "/return сош")
    assert SCHOOL not in str(last_message(replies).buttons())


async def test_a_chair_of_two_ppo_is_one_recipient_of_an_announcement(harness: Harness) -> None:
    """A chair heading two ППО gets the announcement once, and the preview counts one."""
    await join(harness)
    links = await invite_links(harness)
    await accept_invite(harness, CHAIR, code_of(links[KINDERGARTEN]), first_name="Мария")
    staff = (await invite_links(harness, whom="сотрудник аппарата"))[DISTRICT]
    await accept_invite(harness, STAFF, code_of(staff), first_name="Светлана")
    question = last_message(await harness.send(STAFF, "/announce"))
    await harness.tap(STAFF, question, "Всем председателям")
    summary = last_message(await harness.send(STAFF, "Семинар председателей 30.11 в 10:00"))
    done = texts(await harness.tap(STAFF, summary, "Отправить"))[0]
    assert "очередь" in done
    sent = await drain(harness)
    delivered = [r for r in sent if "Семинар председателей" in (r.plain_text or "")]
    assert len(delivered) == 1  # one chat, one message
    assert "получателей: 1" in (summary.plain_text or ""), summary.plain_text


async def test_a_district_sees_the_regions_membership_request_to_its_ppo(harness: Harness) -> None:
    """The region asks every ППО for membership figures by 30.11; the district's own calendar
    period asks one of its two. The district's /status counts both ППО as owing, as the
    region's staff see it."""
    await district_with_staff(harness)
    district = await org_id(harness, DISTRICT)
    school, kindergarten = await org_id(harness, SCHOOL), await org_id(harness, KINDERGARTEN)
    async with harness.session_pool() as session, session.begin():
        region = (await session.get(Organization, district)).parent_id
        period = date(2026, 11, 1)
        own = Collection(
            kind=CollectionKind.MEMBERSHIP,
            scope_org_id=district,
            period=period,
            title="Мониторинг за ноябрь",
            one_off=False,
            opened_at=AT,
            deadline=date(2026, 11, 25),
        )
        asked = Collection(
            kind=CollectionKind.MEMBERSHIP,
            scope_org_id=region,
            period=period,
            title="Запрос области",
            one_off=True,
            opened_at=AT,
            deadline=date(2026, 11, 30),
        )
        session.add_all([own, asked])
        await session.flush()
        session.add(
            CollectionTarget(
                collection_id=own.id, org_id=school, tier="mid", deadline=date(2026, 11, 25)
            )
        )
        for ppo in (school, kindergarten):
            session.add(
                CollectionTarget(
                    collection_id=asked.id, org_id=ppo, tier="request", deadline=date(2026, 11, 30)
                )
            )
    async with harness.session_pool() as session:
        whole = await load_digest(session, scope_org_id=region, today=date(2026, 11, 21))
    assert whole.due == 2  # the region's staff: both ППО owe the region's request
    status = texts(await harness.send(STAFF, "/status"))[0]
    assert "Сдали: 0 из 2" in status, status


async def test_the_districts_listed_under_a_plan_file_are_escaped(harness: Harness) -> None:
    """An admin (every district) sends a plan with a bare /plan caption: the districts to
    pick from are listed, a name with «&» and «<» among them (Telegram took the message)."""
    rows = [
        (DISTRICT, SCHOOL, 54, ""),
        ("Профсоюз <Север> & Юг", "МБОУ СОШ № 2", 30, ""),
    ]
    org_list = build_table_xlsx("ППО", HEADERS, rows)
    await harness.upload(ADMIN, org_list, "list.xlsx", caption="/import")
    replies = await harness.upload(ADMIN, template_xlsx(), "plan.xlsx", caption="/plan")
    sent = [r for r in replies if r.method == "sendMessage"]
    assert sent and "несколько организаций" in (sent[0].plain_text or "")
    assert all(r.ok for r in sent), [(r.description, r.params.get("text")) for r in sent]


async def test_an_admin_of_more_districts_than_one_message_holds_picks_the_region_first(
    harness: Harness,
) -> None:
    """Two regions of 60 districts each: 120 buttons would be refused by Telegram, so /status
    asks the region first, and the region's tap shows its districts in the same message, 20 a
    page («Ещё…» on to the rest, «⬅️ Назад» back to the regions)."""
    rows = [
        (f"{region} область", f"Район № {n} ({region})", f"МБОУ СОШ № {n}", 20)
        for region in ("Ростовская", "Кемеровская")
        for n in range(1, 61)
    ]
    table = build_table_xlsx("ППО", ("Регион", "Район", "Организация", "Работников"), rows)
    await harness.upload(ADMIN, table, "list.xlsx", caption="/import")

    regions = last_message(await harness.send(ADMIN, "/status"))
    assert [label for label, _ in regions.buttons()] == [  # by name, as imported or not
        "Кемеровская область",
        "Ростовская область",
    ]
    edited = [
        r for r in await harness.tap(ADMIN, regions, "Кемеровская") if r.method == "editMessageText"
    ]
    *districts, back, more = [label for label, _ in edited[0].buttons()]
    assert (back, more) == (common.BTN_PAGE_BACK, common.BTN_PAGE_ON)
    assert len(districts) == PAGE_SIZE and all("(Кемеровская)" in label for label in districts)
    status = texts(await harness.tap(ADMIN, edited[0], districts[6]))[0]
    assert f"Сдача отчётов: {districts[6]}" in status
    again = [r for r in await harness.tap(ADMIN, edited[0], back) if r.buttons()]
    assert [label for label, _ in again[0].buttons()] == [
        "Кемеровская область",
        "Ростовская область",
    ]
