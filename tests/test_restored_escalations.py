"""A district or ППО restored from the archive while the request or the plan stage it is late
with is still escalated: its late ППО are escalated as they would have been had it never been
closed, once, whether its escalation was waiting when it was archived (withdrawn from its own
staff, rewritten without it for the staff above) or had gone out without it since."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.rendering.xlsx import build_table_xlsx
from bot.texts import staff as staff_texts
from bot.wiring.scheduler import calendar_tick
from harness import ADMIN, Harness, background, last_message
from scenarios import DISTRICT, join
from test_archived_escalations import REGION_STAFF, _region_plan_late, _sent_after_tick
from test_calendar_flow import STAFF as DISTRICT_STAFF
from test_calendar_flow import at, october, staff_joins, tick_and_send, to
from test_curator import CURATOR, GARDEN, SCHOOL, attach_curator
from test_plans import DISTRICT_A, HEADERS, HOSPITAL, PLAN_ROWS, plan_file, plan_rows
from test_plans import GARDEN as PLAN_GARDEN
from test_plans import SCHOOL as PLAN_SCHOOL
from test_plans import STAFF as PLAN_STAFF
from test_plans import setup as plan_setup
from test_returned_reports import return_report
from test_roles_in_flight import _escalation_queued, _escalations
from test_several_roles import _archive, _join_region_staff
from test_staff_tools import submit

__all__ = ["october"]  # the fixture, used by name

LATE_MONITORING = "Не сдали мониторинг"


async def _restore(h: Harness, name: str) -> None:
    found = last_message(await h.send(ADMIN, f"/org {name}"))
    card = last_message(await h.tap(ADMIN, found, found.buttons()[0][0]))
    await h.tap(ADMIN, card, staff_texts.BTN_RESTORE)


async def _late_monitoring_sent(h: Harness) -> list[str]:
    """What the district's staff member gets of late monitoring from the next tick on."""
    sent = [r.plain_text or "" for r in to(DISTRICT_STAFF, await tick_and_send(h))]
    return [text for text in sent if text.startswith(LATE_MONITORING)]


async def sent_without_the_garden(h: Harness) -> None:
    """Светлана's escalation of the school and the kindergarten waits; the kindergarten is
    archived: it goes out naming the school only."""
    await join(h)
    await staff_joins(h)
    await _escalation_queued(h)
    await _archive(h, GARDEN)
    (without,) = await _late_monitoring_sent(h)
    assert SCHOOL in without and "Солнышко" not in without, without


async def _garden_named_once_after_restore(h: Harness) -> None:
    """The kindergarten is restored: the next tick's escalation names it, the one after sends
    nothing more."""
    await _restore(h, GARDEN)
    (late,) = await _late_monitoring_sent(h)
    assert "Солнышко" in late, late
    assert await _late_monitoring_sent(h) == []


async def _district_named_once_after_restore(h: Harness) -> None:
    """The Кировская is restored: the next tick's escalation to the region's staff names its
    school and kindergarten, the one after sends nothing more."""
    await _restore(h, DISTRICT_A)
    (late,) = await _sent_after_tick(h, REGION_STAFF)
    assert PLAN_SCHOOL in late and PLAN_GARDEN in late, late
    assert await _sent_after_tick(h, REGION_STAFF) == []


async def test_a_district_restored_while_its_escalation_waited_gets_it_once(
    october: None, harness: Harness
) -> None:
    """Both ППО of Светлана's district are late with October's monitoring; the district is
    archived while her escalation waits (it is withdrawn) and restored the same day: the next
    tick sends it to her, naming both, and the one after sends nothing more."""
    h = harness
    await join(h)
    await staff_joins(h)
    await _escalation_queued(h)

    await _archive(h, DISTRICT)
    await _restore(h, DISTRICT)

    (late,) = await _late_monitoring_sent(h)
    assert SCHOOL in late and "Солнышко" in late, late
    assert await _late_monitoring_sent(h) == []


async def test_a_ppo_restored_after_its_districts_escalation_went_without_it_is_escalated(
    october: None, harness: Harness
) -> None:
    """The kindergarten is archived while Светлана's escalation waits: she gets it naming the
    school only. The kindergarten is restored, still late: the next tick tells her of it, once."""
    h = harness
    await sent_without_the_garden(h)

    await _garden_named_once_after_restore(h)


async def test_a_district_restored_is_escalated_again_to_the_region_for_a_late_plan_item(
    harness: Harness,
) -> None:
    """Ольга's region plan item 1 is late in both districts; the Кировская is archived while her
    escalation waits: she gets it naming the hospital only. The Кировская is restored: the next
    tick tells her of its school and kindergarten, once."""
    h = harness
    await _region_plan_late(h, PLAN_ROWS[:1])
    await _archive(h, DISTRICT_A)
    (without,) = await _sent_after_tick(h, REGION_STAFF)
    assert HOSPITAL in without and PLAN_SCHOOL not in without, without

    await _district_named_once_after_restore(h)


async def test_a_district_restored_while_its_plan_items_escalation_waited_gets_it_once(
    harness: Harness,
) -> None:
    """Светлана's district plan item 1 is late: its escalation waits for her when the district
    is archived (withdrawn) and restored: the next tick sends it, naming the district's two
    ППО, and the one after sends nothing more."""
    h = harness
    await plan_setup(h)
    await h.upload(PLAN_STAFF, plan_file(), "План.xlsx", caption="/plan")
    h.clock.moment = datetime(2026, 12, 11, 7, 30, tzinfo=UTC)  # the day after item 1's deadline
    await calendar_tick(background(h))
    assert [k for k in await plan_rows(h) if k.startswith("plan-late:")], "nothing was queued"

    await _archive(h, DISTRICT_A)
    await _restore(h, DISTRICT_A)

    (late,) = await _sent_after_tick(h, PLAN_STAFF)
    assert PLAN_SCHOOL in late and PLAN_GARDEN in late, late
    assert await _sent_after_tick(h, PLAN_STAFF) == []


async def test_a_curators_escalation_loses_a_ppo_archived_and_gets_it_back_on_restore(
    october: None, harness: Harness
) -> None:
    """Ольга curates both late ППО; the kindergarten is archived while her escalation waits: it
    goes out naming the school. The kindergarten is restored: the next tick tells her of it,
    once."""
    h = harness
    await join(h)
    await attach_curator(h, SCHOOL)
    await attach_curator(h, GARDEN)
    await _escalation_queued(h)
    await _archive(h, GARDEN)
    (without,) = _escalations(await tick_and_send(h), CURATOR)
    assert SCHOOL in without and "Солнышко" not in without, without

    await _restore(h, GARDEN)

    (late,) = _escalations(await tick_and_send(h), CURATOR)
    assert "Солнышко" in late, late
    assert _escalations(await tick_and_send(h), CURATOR) == []


async def test_a_district_restored_before_the_rewritten_escalation_went_is_named_in_it_again(
    harness: Harness,
) -> None:
    """Ольга's escalation of region plan item 1 still waits 61 days on, past the stage's window;
    the Кировская is archived (the escalation is rewritten naming the hospital only) and
    restored before it goes out: it goes out once, naming all three ППО again."""
    h = harness
    await _region_plan_late(h, PLAN_ROWS[:1])
    h.clock.moment = datetime(2027, 2, 10, 7, 30, tzinfo=UTC)

    await _archive(h, DISTRICT_A)
    await _restore(h, DISTRICT_A)

    (late,) = await _sent_after_tick(h, REGION_STAFF)
    assert all(name in late for name in (PLAN_SCHOOL, PLAN_GARDEN, HOSPITAL)), late
    assert await _sent_after_tick(h, REGION_STAFF) == []


async def test_a_ppo_archived_before_its_districts_escalation_was_queued_is_escalated_on_restore(
    october: None, harness: Harness
) -> None:
    """The kindergarten is archived in October, before its late monitoring is escalated: on
    27.10 Светлана's escalation names the school only. The kindergarten is restored, still
    late: the next tick tells her of it, once."""
    h = harness
    await join(h)
    await staff_joins(h)
    await tick_and_send(h)
    await _archive(h, GARDEN)
    h.clock.moment = at(27)
    (without,) = await _late_monitoring_sent(h)
    assert SCHOOL in without and "Солнышко" not in without, without

    await _garden_named_once_after_restore(h)


async def test_a_district_archived_before_the_regions_late_item_was_escalated_is_on_restore(
    harness: Harness,
) -> None:
    """Ольга's region plan item 1 (10.12) is owed in both districts; the Кировская is archived
    before its escalation is first queued: on 11.12 she gets it naming the hospital only. The
    Кировская is restored: the next tick tells her of its school and kindergarten, once."""
    h = harness
    await plan_setup(h)
    await _join_region_staff(h, REGION_STAFF)
    plan = build_table_xlsx("План", HEADERS, PLAN_ROWS[:1])
    await h.upload(REGION_STAFF, plan, "План.xlsx", caption="/plan")
    await _archive(h, DISTRICT_A)
    h.clock.moment = datetime(2026, 12, 11, 7, 30, tzinfo=UTC)
    (without,) = await _sent_after_tick(h, REGION_STAFF)
    assert HOSPITAL in without and PLAN_SCHOOL not in without, without

    await _district_named_once_after_restore(h)


async def test_a_ppo_archived_with_its_report_sent_back_is_escalated_on_restore(
    october: None, harness: Harness
) -> None:
    """The school's October report is sent back for correction, and the school is archived
    before it is corrected: on 27.10 Светлана's escalation names the kindergarten only. The
    school is restored, its report still not corrected: the next tick tells her of it, once."""
    h = harness
    await join(h)
    await staff_joins(h)
    await tick_and_send(h)
    await submit(h)
    await return_report(h)
    await _archive(h, SCHOOL)
    h.clock.moment = at(27)
    (without,) = await _late_monitoring_sent(h)
    assert "Солнышко" in without and SCHOOL not in without, without

    await _restore(h, SCHOOL)
    (late,) = await _late_monitoring_sent(h)
    assert SCHOOL in late, late
    assert await _late_monitoring_sent(h) == []
