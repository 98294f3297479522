"""The curator's view (/curated) and the staff's list of low ППО without a curator
(/nocurator), through the dispatcher."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from factories import membership_report
from harness import ADMIN, Harness, texts
from scenarios import (
    CHAIR,
    DISTRICT,
    FULL,
    accept_invite,
    answer_all,
    code_of,
    invite_links,
    join,
    setup_district,
)
from storage.models import (
    Collection,
    CollectionKind,
    CollectionTarget,
    MembershipReport,
    Organization,
    Person,
    Role,
    RoleGrant,
)

CURATOR, STAFF = 702, 801
SCHOOL, GARDEN = "МБОУ СОШ № 1", "МБДОУ детский сад «Солнышко»"


async def attach_curator(h: Harness, query: str, user: int = CURATOR) -> None:
    reply = texts(await h.send(ADMIN, f"/curator {query}"))[0]
    link = reply.split("?start=", 1)[1].split()[0]
    await accept_invite(h, user, link, first_name="Ольга")


async def ids(h: Harness) -> dict[str, int]:
    async with h.session_pool() as session:
        found = {o.name: o.id for o in (await session.scalars(select(Organization))).all()}
        person = await session.scalar(select(Person.id).where(Person.tg_user_id == CHAIR))
        assert person is not None
        return found | {"person": person}


def report(org_id: int, period: date, members: int, workers: int, by: int) -> MembershipReport:
    at = datetime(period.year, period.month, 20, 9, tzinfo=UTC)
    return membership_report(org_id, period, workers, members, by=by, at=at)


def request(
    org: dict[str, int],
    *,
    period: date,
    deadline: date,
    submitted_on: date | None,
    kind: CollectionKind = CollectionKind.MEMBERSHIP,
    title: str = "Мониторинг",
) -> tuple[Collection, CollectionTarget]:
    collection = Collection(
        kind=kind,
        scope_org_id=org[DISTRICT],
        period=period,
        title=title,
        one_off=kind is not CollectionKind.MEMBERSHIP,
        opened_at=datetime(period.year, period.month, 1, 9, tzinfo=UTC),
        deadline=deadline,
    )
    submitted_at = None
    if submitted_on is not None:
        submitted_at = datetime.combine(submitted_on, datetime.min.time(), tzinfo=UTC)
    target = CollectionTarget(
        org_id=org[SCHOOL],
        tier="mid",
        deadline=deadline,
        submitted_at=submitted_at,
        submitted_on=submitted_on,
    )
    return collection, target


async def seed_history(h: Harness, org: dict[str, int]) -> None:
    """Two older reports, three past requests (on time, late, missed) and one open request."""
    async with h.session_pool() as session, session.begin():
        by = org["person"]
        session.add(report(org[SCHOOL], date(2025, 10, 1), 30, 54, by))
        session.add(report(org[SCHOOL], date(2026, 10, 1), 38, 54, by))
        rows = [
            request(
                org,
                period=date(2026, 10, 1),
                deadline=date(2026, 10, 26),
                submitted_on=date(2026, 10, 20),
            ),
            request(
                org,
                period=date(2026, 6, 1),
                deadline=date(2026, 6, 25),
                submitted_on=date(2026, 6, 30),
            ),
            request(org, period=date(2026, 3, 1), deadline=date(2026, 3, 25), submitted_on=None),
            request(
                org,
                period=date(2026, 11, 1),
                deadline=date(2026, 12, 10),
                submitted_on=None,
                kind=CollectionKind.PASSPORT,
                title="Паспорта <обновить>",
            ),
        ]
        for collection, target in rows:
            session.add(collection)
            await session.flush()
            target.collection_id = collection.id
            session.add(target)


async def test_curator_sees_report_trend_record_and_open_requests(harness: Harness) -> None:
    await join(harness)
    summary = (await answer_all(harness, FULL))[-1]
    await harness.tap(CHAIR, summary, "Отправить")
    await seed_history(harness, await ids(harness))
    await attach_curator(harness, "СОШ")
    help_text = "\n".join(texts(await harness.send(CURATOR, "/help")))
    assert "/curated" in help_text
    card = "\n".join(texts(await harness.send(CURATOR, "/curated")))
    assert SCHOOL in card and GARDEN not in card
    assert "Последний мониторинг: ноябрь 2026 — охват 74,1 % (40 из 54 чел.)" in card
    assert "Изменение с прошлого отчёта: +3,7 п.п. (к отчёту за октябрь 2026)" in card
    assert "Изменение за год: +18,5 п.п. (к отчёту за октябрь 2025)" in card
    assert "(последние 3 запроса): в срок — 1, с опозданием — 1, не сдано — 1" in card
    assert "• «Паспорта <обновить>»: до 10.12.2026" in card
    refused = texts(await harness.send(CHAIR, "/curated"))[0]
    assert "недоступна" in refused


async def test_curator_card_passes_over_a_report_sent_back_for_correction(
    harness: Harness,
) -> None:
    """November's «5 из 54» was sent back as a typo: the card shows October's figures and
    measures the change from them, as the chair's standing, /trends and /rating do."""
    await join(harness)
    org = await ids(harness)
    async with harness.session_pool() as session, session.begin():
        for period, members in ((date(2025, 10, 1), 30), (date(2026, 10, 1), 38)):
            session.add(report(org[SCHOOL], period, members, 54, org["person"]))
        returned = report(org[SCHOOL], date(2026, 11, 1), 5, 54, org["person"])
        returned.returned_at = datetime(2026, 11, 20, 12, tzinfo=UTC)
        session.add(returned)
    await attach_curator(harness, "СОШ")
    card = "\n".join(texts(await harness.send(CURATOR, "/curated")))
    assert "5 из 54" not in card
    assert "Последний мониторинг: октябрь 2026 — охват 70,4 % (38 из 54 чел.)" in card
    assert "Изменение за год: +14,8 п.п. (к отчёту за октябрь 2025)" in card


async def test_curator_of_a_ppo_without_reports(harness: Harness) -> None:
    await join(harness)
    await attach_curator(harness, "Солнышко")
    card = "\n".join(texts(await harness.send(CURATOR, "/curated")))
    assert GARDEN in card and "Мониторинг ещё не сдавался." in card
    assert "запросов со сроком ещё не было" in card and "Открытых запросов нет." in card


async def test_staff_see_low_ppo_without_a_curator(harness: Harness) -> None:
    await join(harness)
    org = await ids(harness)
    async with harness.session_pool() as session, session.begin():
        session.add(report(org[GARDEN], date(2026, 10, 1), 5, 20, org["person"]))
        session.add(report(org[SCHOOL], date(2026, 10, 1), 20, 54, org["person"]))
    staff = await invite_links(harness, whom="сотрудник аппарата")
    await accept_invite(harness, STAFF, code_of(staff[DISTRICT]), first_name="Светлана")
    listed = "\n".join(texts(await harness.send(STAFF, "/nocurator")))
    assert f"• {GARDEN} ({DISTRICT}) — 25 %, октябрь 2026" in listed
    assert "• МБОУ СОШ № 1" in listed and "Без куратора: 2 из 2" in listed
    await attach_curator(harness, "Солнышко")
    await attach_curator(harness, "СОШ", user=703)
    assert "есть куратор" in texts(await harness.send(ADMIN, "/nocurator"))[0]
    assert "недоступна" in texts(await harness.send(CHAIR, "/nocurator"))[0]


async def test_each_curator_of_a_ppo_gets_a_link_of_their_own(harness: Harness) -> None:
    """A ППО with low coverage gets curators (plural: from the presidium and the staff). Two
    /curator links for it both work: the second no longer revokes the first, unseen."""
    await setup_district(harness)
    links = [texts(await harness.send(ADMIN, "/curator Солнышко"))[0] for _ in range(2)]
    first, second = (link.split("?start=", 1)[1].split()[0] for link in links)
    assert texts(await accept_invite(harness, 702, second))[0].startswith("Здравствуйте")
    assert texts(await accept_invite(harness, 703, first))[0].startswith("Здравствуйте")
    async with harness.session_pool() as session:
        grants = await session.scalars(select(RoleGrant).where(RoleGrant.role == Role.CURATOR))
        assert len(grants.all()) == 2
