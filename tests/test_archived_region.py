"""What archiving a region still left open: its districts in an admin's scope pickers and
scope-wide actions; an escalation that went up to the region's staff; the curators of its
ППО, who were not told."""

from __future__ import annotations

from sqlalchemy import select

from bot.texts import curator as curator_texts
from bot.texts import staff as staff_texts
from harness import ADMIN, Harness, texts
from scenarios import DISTRICT, join, setup_district
from storage import orgs
from storage.models import Organization, OutboxMessage, OutboxStatus
from test_calendar_flow import STAFF as DISTRICT_STAFF
from test_calendar_flow import october, staff_joins, to
from test_curator import CURATOR, GARDEN, attach_curator
from test_ended_rights import _menu_of
from test_roles_in_flight import _card, _escalation_queued
from test_several_roles import REGION, _join_region_staff

__all__ = ["october"]  # the fixture, used by name


async def _district_id(h: Harness) -> int:
    async with h.session_pool() as session:
        found = await session.scalar(select(Organization.id).where(Organization.name == DISTRICT))
    assert found is not None
    return found


async def test_an_admin_is_offered_no_district_of_an_archived_region(harness: Harness) -> None:
    """The admin archives the region: /status, /digest and /request no longer act on its
    district, as if it were archived itself."""
    h = harness
    await setup_district(h)
    await h.tap(ADMIN, await _card(h, REGION), "В архив")

    for command in ("/status", "/digest", "/request"):
        assert texts(await h.send(ADMIN, command)) == [staff_texts.NO_DISTRICTS_YET], command


async def test_a_district_of_an_archived_region_has_no_ppo_to_act_on(harness: Harness) -> None:
    """Whatever acts on the ППО of a scope (a request, a district event, a plan) finds none in
    a district of an archived region."""
    h = harness
    await join(h)
    district = await _district_id(h)
    async with h.session_pool() as session:
        assert await orgs.ppo_in_scope(session, district), "the district has ППО to start with"
    await h.tap(ADMIN, await _card(h, REGION), "В архив")

    async with h.session_pool() as session:
        assert await orgs.ppo_in_scope(session, district) == []


REGION_STAFF = 704


async def _queued_to(h: Harness, chat: int, start: str) -> list[tuple[str, OutboxStatus]]:
    async with h.session_pool() as session:
        rows = await session.execute(
            select(OutboxMessage.key, OutboxMessage.status).where(OutboxMessage.chat_id == chat)
        )
    return [(key, status) for key, status in rows.all() if key.startswith(start)]


async def test_an_escalation_sent_up_to_the_region_is_withdrawn_with_its_district(
    october: None, harness: Harness
) -> None:
    """The district has no staff, so its late ППО are escalated to Ольга, on the region's
    staff; the admin archives the district while that waits: it does not go out, and Ольга,
    who keeps her region, is not told of the district."""
    h = harness
    await join(h)
    await _join_region_staff(h, REGION_STAFF)
    await _escalation_queued(h)
    queued = await _queued_to(h, REGION_STAFF, "remind:")
    assert queued and all(s is OutboxStatus.PENDING for _, s in queued), queued

    replies = await h.tap(ADMIN, await _card(h, DISTRICT), "В архив")

    assert to(REGION_STAFF, replies) == []
    assert all(s is OutboxStatus.FAILED for _, s in await _queued_to(h, REGION_STAFF, "remind:"))


async def test_the_curator_of_a_closed_ppo_is_told_once_and_loses_curated(
    harness: Harness,
) -> None:
    """Ольга curates «Солнышко»; the admin archives its district: she is told, once, that it
    is closed, and /curated leaves her menu."""
    h = harness
    await join(h)
    await attach_curator(h, GARDEN)

    replies = await h.tap(ADMIN, await _card(h, DISTRICT), "В архив")

    told = [r.plain_text for r in to(CURATOR, replies) if r.method == "sendMessage"]
    assert told == [curator_texts.curated_archived(GARDEN)], told
    assert "curated" not in _menu_of(h, CURATOR)
    assert texts(await h.send(CURATOR, "/curated")) == [curator_texts.NONE_ACTIVE]


async def test_a_curator_on_the_districts_staff_gets_one_message(harness: Harness) -> None:
    """Светлана is on the district's staff and curates «Солнышко»: the district archived, she
    gets one message naming both."""
    h = harness
    await join(h)
    await staff_joins(h)
    await attach_curator(h, GARDEN, DISTRICT_STAFF)

    replies = await h.tap(ADMIN, await _card(h, DISTRICT), "В архив")

    (told,) = [r.plain_text or "" for r in to(DISTRICT_STAFF, replies) if r.method == "sendMessage"]
    assert DISTRICT in told and "Солнышко" in told and "куратором" in told, told


async def test_the_curator_of_a_restored_ppo_is_told_and_gets_curated_back(
    harness: Harness,
) -> None:
    """The district archived by mistake is restored: Ольга is told «Солнышко» is open again
    and /curated is back in her menu."""
    h = harness
    await join(h)
    await attach_curator(h, GARDEN)
    await h.tap(ADMIN, await _card(h, DISTRICT), "В архив")

    replies = await h.tap(ADMIN, await _card(h, DISTRICT), staff_texts.BTN_RESTORE)

    told = [r.plain_text for r in to(CURATOR, replies) if r.method == "sendMessage"]
    assert told == [curator_texts.curated_restored(GARDEN)], told
    assert "curated" in _menu_of(h, CURATOR)
