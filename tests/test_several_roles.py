"""One person, several roles at once, as in real districts: an admin who is also the region's
staff."""

from __future__ import annotations

from sqlalchemy import select

from harness import ADMIN, Harness, last_message, texts
from scenarios import accept_invite, setup_district
from storage.models import Organization, OrgKind

REGION = "Региональная организация Профсоюза"


async def _join_region_staff(h: Harness, user: int) -> None:
    async with h.session_pool() as session:
        region = await session.scalar(
            select(Organization).where(Organization.kind == OrgKind.REGION)
        )
    assert region is not None and region.name == REGION
    reply = texts(await h.send(ADMIN, f"/invite {region.id}"))[0]
    await accept_invite(h, user, reply.split("?start=", 1)[1].split()[0], first_name="Ольга")


async def test_an_admin_on_the_regions_staff_gets_the_regions_status(harness: Harness) -> None:
    """The region's specialist also sets the bot up (an admin) and joined the region's staff:
    /status offers the region beside the districts, and its tap shows the whole region."""
    h = harness
    await setup_district(h)
    await _join_region_staff(h, ADMIN)
    pick = last_message(await h.send(ADMIN, "/status"))
    labels = [label for label, _ in pick.buttons()]
    assert REGION in labels, f"the region is not offered: {pick.plain_text} {labels}"
    status = texts(await h.tap(ADMIN, pick, REGION))
    assert any(f"Сдача отчётов: {REGION}" in text for text in status), status
