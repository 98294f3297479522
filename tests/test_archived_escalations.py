"""Escalations of late ППО waiting at a scope wider than what is archived: a region's plan item
late across its districts when one district is archived, a district's monitoring when one of
its ППО is; and escalations queued by an older version, whose payload named no scope and no
ППО."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.rendering.xlsx import build_table_xlsx
from bot.wiring.scheduler import calendar_tick
from harness import Harness, background
from scenarios import join
from storage.models import OutboxMessage
from storage.outbox import claim_due
from storage.outbox_withdraw import withdrawn
from test_calendar_flow import STAFF as DISTRICT_STAFF
from test_calendar_flow import at, october, staff_joins, tick_and_send, to
from test_curator import GARDEN, SCHOOL
from test_plans import DISTRICT_A, HEADERS, HOSPITAL, PLAN_ROWS, plan_rows, sent_to
from test_plans import GARDEN as PLAN_GARDEN
from test_plans import SCHOOL as PLAN_SCHOOL
from test_plans import STAFF as PLAN_STAFF
from test_plans import setup as plan_setup
from test_roles_in_flight import _escalation_queued
from test_several_roles import _archive, _join_region_staff

__all__ = ["october"]  # the fixture, used by name

REGION_STAFF = 704
LATE_ITEM = "Просрочен пункт плана"
OTHER = "another sender"
OLDER = "older"
"""An escalation queued before its payload named its scope and listed its ППО: text only."""


async def _as_older_versions_queued(h: Harness, start: str) -> None:
    """The pending rows whose key starts with ``start`` take the payload an older version gave
    them: the text only."""
    async with h.session_pool() as session, session.begin():
        rows = await session.scalars(select(OutboxMessage).where(OutboxMessage.key.like(start)))
        for row in rows:
            row.payload = {"text": (row.payload or {})["text"]}


async def _region_plan_late(h: Harness, rows: list[tuple[str, ...]]) -> None:
    """Ольга, on the region's staff, loads a plan for the whole region; on 11.12, the day after
    item 1's deadline, its escalation is queued for her, not yet sent."""
    await plan_setup(h)
    await _join_region_staff(h, REGION_STAFF)
    await h.upload(
        REGION_STAFF, build_table_xlsx("План", HEADERS, rows), "План.xlsx", caption="/plan"
    )
    h.clock.moment = datetime(2026, 12, 11, 7, 30, tzinfo=UTC)
    await calendar_tick(background(h))
    assert [k for k in await plan_rows(h) if k.startswith("plan-late:")], "nothing was queued"


async def _sent_after_tick(h: Harness, chat: int) -> list[str]:
    """What ``chat`` gets of a late plan item from the next minute's tick on."""
    mark = h.server.mark()
    bg = background(h)
    await calendar_tick(bg)
    await bg.deliverer.drain()
    return [r.plain_text or "" for r in sent_to(h, chat, mark, LATE_ITEM)]


@pytest.mark.parametrize("queued_by", ["current", OLDER])
async def test_a_regions_late_item_no_longer_names_the_ppo_of_a_district_archived(
    harness: Harness, queued_by: str
) -> None:
    """Item 1 (every ППО) is late in the school and the kindergarten of the Кировская district
    and in the hospital of the Ленинская; the Кировская is archived while Ольга's escalation
    waits: she gets one, naming the hospital only."""
    h = harness
    await _region_plan_late(h, PLAN_ROWS[:1])
    if queued_by == OLDER:
        await _as_older_versions_queued(h, "plan-late:%")

    await _archive(h, DISTRICT_A)
    (late,) = await _sent_after_tick(h, REGION_STAFF)

    assert HOSPITAL in late, late
    assert PLAN_SCHOOL not in late and PLAN_GARDEN not in late, late


async def test_a_regions_late_item_with_nothing_left_to_name_is_not_sent(
    harness: Harness,
) -> None:
    """Item 1 is the hospital's alone; the hospital is archived while Ольга's escalation
    waits: nothing is left late, and nothing goes to her."""
    h = harness
    await _region_plan_late(h, [("1", "Отчёт о работе ППО", "10.12.2026", HOSPITAL)])

    await _archive(h, HOSPITAL)

    assert await _sent_after_tick(h, REGION_STAFF) == []


async def test_an_older_late_item_waiting_for_the_staff_of_an_archived_district_is_withdrawn(
    harness: Harness,
) -> None:
    """Светлана's district's item 1 is late; its escalation was queued by a version that named
    no scope in it; the district is archived before it goes out: it does not go out."""
    h = harness
    await plan_setup(h)
    await h.upload(
        PLAN_STAFF, build_table_xlsx("План", HEADERS, PLAN_ROWS[:1]), "План.xlsx", caption="/plan"
    )
    h.clock.moment = datetime(2026, 12, 11, 7, 30, tzinfo=UTC)
    await calendar_tick(background(h))
    await _as_older_versions_queued(h, "plan-late:%")

    await _archive(h, DISTRICT_A)

    assert await _sent_after_tick(h, PLAN_STAFF) == []


@pytest.mark.parametrize("queued_by", ["current", OLDER])
async def test_a_districts_late_monitoring_no_longer_names_a_ppo_archived(
    october: None, harness: Harness, queued_by: str
) -> None:
    """Both ППО of Светлана's district are late with October's monitoring; the kindergarten is
    archived while her escalation waits: she gets one, naming the school only."""
    h = harness
    await join(h)
    await staff_joins(h)
    await _escalation_queued(h)
    if queued_by == OLDER:
        await _as_older_versions_queued(h, f"remind:%:{DISTRICT_STAFF}")

    await _archive(h, GARDEN)
    sent = [r.plain_text or "" for r in to(DISTRICT_STAFF, await tick_and_send(h))]

    (late,) = [text for text in sent if text.startswith("Не сдали мониторинг")]
    assert SCHOOL in late and "Солнышко" not in late, late


async def test_a_districts_escalation_rewritten_goes_out_after_the_collection_closed(
    october: None, harness: Harness
) -> None:
    """Светлана's escalation of October's monitoring (both ППО late) still waits a month on,
    when the collection no longer reminds anyone; the kindergarten is archived then: she gets
    the escalation all the same, naming the school only."""
    h = harness
    await join(h)
    await staff_joins(h)
    await _escalation_queued(h)
    h.clock.moment = at(27, month=11)  # past the deadline (26.10) by more than 31 days

    await _archive(h, GARDEN)
    sent = [r.plain_text or "" for r in to(DISTRICT_STAFF, await tick_and_send(h))]

    (late,) = [text for text in sent if text.startswith("Не сдали мониторинг")]
    assert SCHOOL in late and "Солнышко" not in late, late


async def test_a_regions_late_item_rewritten_goes_out_past_the_stages_window(
    harness: Harness,
) -> None:
    """Ольга's escalation of item 1 (10.12) still waits 61 days on, when the item is no longer
    escalated; the Кировская is archived then: she gets it all the same, naming the hospital."""
    h = harness
    await _region_plan_late(h, PLAN_ROWS[:1])
    h.clock.moment = datetime(2027, 2, 10, 7, 30, tzinfo=UTC)

    await _archive(h, DISTRICT_A)
    (late,) = await _sent_after_tick(h, REGION_STAFF)

    assert HOSPITAL in late, late
    assert PLAN_SCHOOL not in late and PLAN_GARDEN not in late, late


async def test_an_escalation_rewritten_is_taken_from_a_sender_holding_what_it_said_before(
    october: None, harness: Harness
) -> None:
    """Another sender has claimed Светлана's escalation (both ППО) when the kindergarten is
    archived: it may no longer send it (it holds the old text), and the escalation goes out
    at once, naming the school only, not after that sender's lease."""
    h = harness
    await join(h)
    await staff_joins(h)
    await _escalation_queued(h)
    async with h.session_pool() as session, session.begin():
        lease = timedelta(minutes=10)
        claimed = await claim_due(session, now=h.clock.now(), limit=100, holder=OTHER, lease=lease)
        mine = [m for m in claimed if m.chat_id == DISTRICT_STAFF]
        (escalation,) = [m.id for m in mine if m.key.startswith("remind:")]

    await _archive(h, GARDEN)
    async with h.session_pool() as session:
        assert await withdrawn(session, escalation, OTHER)
    sent = [r.plain_text or "" for r in to(DISTRICT_STAFF, await tick_and_send(h))]

    (late,) = [text for text in sent if text.startswith("Не сдали мониторинг")]
    assert SCHOOL in late and "Солнышко" not in late, late
