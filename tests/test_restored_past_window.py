"""A ППО or district restored after the escalation it was left out of went: its staff are told
of it while the request or the plan stage is still escalated, and past that window nothing
more goes out and the escalation they got stays as it went (its record, its key)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from harness import Harness
from storage.models import OutboxMessage, OutboxStatus
from storage.outbox_keys import KeyPurpose
from test_archived_escalations import REGION_STAFF, _region_plan_late, _sent_after_tick
from test_calendar_flow import STAFF as DISTRICT_STAFF
from test_calendar_flow import at, october
from test_curator import GARDEN, SCHOOL
from test_plans import DISTRICT_A, HOSPITAL, PLAN_ROWS
from test_plans import SCHOOL as PLAN_SCHOOL
from test_restored_escalations import _late_monitoring_sent, _restore, sent_without_the_garden
from test_several_roles import _archive

__all__ = ["october"]  # the fixture, used by name


async def _sent_texts(h: Harness, chat: int, start: str) -> list[str]:
    """The texts of the escalations (keys starting ``start``) kept as sent to ``chat``."""
    async with h.session_pool() as session:
        stmt = select(OutboxMessage.payload).where(
            OutboxMessage.chat_id == chat,
            OutboxMessage.status == OutboxStatus.SENT,
            OutboxMessage.key.startswith(start),
        )
        return [payload["text"] for payload in (await session.scalars(stmt)).all()]


@pytest.mark.parametrize(("restored", "told"), [(at(26, 11), True), (at(27, 11), False)])
async def test_a_ppo_restored_is_escalated_only_while_its_request_is_open(
    october: None, harness: Harness, restored: datetime, told: bool
) -> None:
    """The kindergarten is archived while Светлана's escalation of October's monitoring (due
    26.10) waits: it goes out naming the school only. Restored on 26.11, the request's last
    day open, the next tick tells her of the kindergarten; restored on 27.11 nothing more goes
    out, and the escalation she got is kept as it went."""
    h = harness
    await sent_without_the_garden(h)

    h.clock.moment = restored
    await _restore(h, GARDEN)
    after = await _late_monitoring_sent(h)

    if told:
        (late,) = after
        assert "Солнышко" in late, late
    else:
        assert after == []
        (kept,) = await _sent_texts(h, DISTRICT_STAFF, f"{KeyPurpose.REMINDER}:")
        assert SCHOOL in kept and "Солнышко" not in kept, kept


@pytest.mark.parametrize(
    ("restored", "told"),
    [
        (datetime(2027, 2, 8, 7, 30, tzinfo=UTC), True),
        (datetime(2027, 2, 9, 7, 30, tzinfo=UTC), False),
    ],
)
async def test_a_district_restored_is_escalated_only_within_60_days_of_the_stage(
    harness: Harness, restored: datetime, told: bool
) -> None:
    """Ольга's region plan item 1 (10.12) is late in both districts; the Кировская is archived
    while her escalation waits: it goes out naming the hospital only. Restored on 8.02, 60
    days after the stage, the next tick tells her of its school; restored on 9.02 nothing
    more goes out, and the escalation she got is kept as it went."""
    h = harness
    await _region_plan_late(h, PLAN_ROWS[:1])
    await _archive(h, DISTRICT_A)
    (without,) = await _sent_after_tick(h, REGION_STAFF)
    assert HOSPITAL in without and PLAN_SCHOOL not in without, without

    h.clock.moment = restored
    await _restore(h, DISTRICT_A)
    after = await _sent_after_tick(h, REGION_STAFF)

    if told:
        (late,) = after
        assert PLAN_SCHOOL in late, late
    else:
        assert after == []
        (kept,) = await _sent_texts(h, REGION_STAFF, f"{KeyPurpose.PLAN_ESCALATION}:")
        assert HOSPITAL in kept and PLAN_SCHOOL not in kept, kept
