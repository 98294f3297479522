"""An organization without a zone of its own runs on its district's (or region's) clock, also
when it reaches that district after the zone was set: a later import, a move (through the
Dispatcher, as the admin does it)."""

from __future__ import annotations

from sqlalchemy import select

from bot.rendering.xlsx import build_table_xlsx
from handlers.callbacks import OrgAction, OrgCb
from harness import ADMIN, Harness, last_message, texts
from storage.models import Organization

REGION = "Приморская краевая организация"
FAR, WEST = "Asia/Vladivostok", "Europe/Kaliningrad"


async def _import(h: Harness, rows: list[tuple[object, ...]]) -> str:
    headers = ("Регион", "Район", "Организация", "Часовой пояс")
    data = build_table_xlsx("ППО", headers, rows)
    return "\n".join(texts(await h.upload(ADMIN, data, "list.xlsx", caption="/import")))


async def _set_zone(h: Harness, name: str, zone: str) -> None:
    """The admin's card of ``name`` → «Часовой пояс» → the zone → «Отправить»."""
    found = last_message(await h.send(ADMIN, f"/org {name}"))
    card = last_message(await h.tap(ADMIN, found, name))
    await h.tap(ADMIN, card, "Часовой пояс")
    summary = last_message(await h.send(ADMIN, zone))
    assert zone in texts(await h.tap(ADMIN, summary, "Отправить"))[0]


async def _card(h: Harness, name: str) -> str:
    found = last_message(await h.send(ADMIN, f"/org {name}"))
    return texts(await h.tap(ADMIN, found, name))[0]


async def _zones(h: Harness) -> dict[str, str | None]:
    async with h.session_pool() as session:
        rows = await session.execute(select(Organization.name, Organization.timezone))
        zones: dict[str, str | None] = dict(rows.all())
        return zones


async def test_a_ppo_imported_into_a_district_with_a_zone_takes_it(harness: Harness) -> None:
    """The district runs on Vladivostok's clock; a ППО added by a later list without a zone
    of its own is on it too (its card says so), not on the bot's default one."""
    h = harness
    await _import(h, [(REGION, "Приморская районная", "Школа № 1", "")])
    await _set_zone(h, "Приморская районная", FAR)
    await _import(h, [(REGION, "Приморская районная", "Школа № 2", "")])
    card = await _card(h, "Школа № 2")
    assert f"Часовой пояс: {FAR}" in card, card


async def test_a_region_zone_reaches_a_district_imported_later(harness: Harness) -> None:
    """A district (and its ППО) added to a region with a zone follow the region's; a row
    naming a zone of its own keeps it."""
    h = harness
    await _import(h, [(REGION, "Старая районная", "Школа № 1", "")])
    await _set_zone(h, REGION, FAR)
    await _import(
        h,
        [
            (REGION, "Новая районная", "Школа № 2", ""),
            (REGION, "Новая районная", "Школа № 3", "Калининград"),
        ],
    )
    zones = await _zones(h)
    assert (zones["Новая районная"], zones["Школа № 2"], zones["Школа № 3"]) == (FAR, FAR, WEST)


async def test_a_district_that_adopts_its_rows_zone_gives_it_to_its_other_ppo(
    harness: Harness,
) -> None:
    """A district without a zone takes the one every row of a new list names; its ППО listed
    earlier without a zone follow it too, not the default zone."""
    h = harness
    await _import(h, [(REGION, "Приморская районная", "Школа № 1", "")])
    await _import(h, [(REGION, "Приморская районная", "Школа № 2", "Владивосток")])
    zones = await _zones(h)
    assert (zones["Приморская районная"], zones["Школа № 1"]) == (FAR, FAR)


async def test_a_moved_ppo_follows_its_new_districts_zone(harness: Harness) -> None:
    """Moved from a district in Kaliningrad to one in Vladivostok, a ППО that followed the old
    district's zone follows the new one's (the admin is told); one with a zone of its own
    keeps it."""
    h = harness
    await _import(
        h,
        [
            (REGION, "Западная районная", "Школа № 1", "Калининград"),
            (REGION, "Западная районная", "Школа № 2", "Калининград"),
            (REGION, "Восточная районная", "Школа № 3", "Владивосток"),
        ],
    )
    async with h.session_pool() as session, session.begin():
        by_name = {
            org.name: org
            for org in await session.scalars(select(Organization).where(Organization.id > 0))
        }
        by_name["Школа № 2"].timezone = "Europe/Samara"
        ids = {name: org.id for name, org in by_name.items()}
    for school in ("Школа № 1", "Школа № 2"):
        data = OrgCb(org_id=ids[school], action=OrgAction.MOVE).pack()
        choice = last_message(await h.feed(h.server.callback(ADMIN, data)))
        moved = texts(await h.tap(ADMIN, choice, "Восточная районная"))[0]
        assert (FAR in moved) is (school == "Школа № 1"), moved
    zones = await _zones(h)
    assert (zones["Школа № 1"], zones["Школа № 2"]) == (FAR, "Europe/Samara")
