"""The half-year review's pass runs every minute, and for 50 weeks of the year no scope can
be in its window (the 14 days from 1 January's or 1 July's send moment in the scope's zone).
It used to read each scope with plans, whether it was closed and its plans, four statements
a scope a minute, each scope in a transaction that took SQLite's write lock up front; now a
pass whose moment is outside every zone's window reads no scope, and a pass that only reads
takes no write lock. Inside the window the review goes out as before, in the far east and
the far west too."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.domain import plan_reminders
from harness import Harness, background
from storage import audit
from storage.models import OutboxMessage, PlanItem
from test_plan_moved_tick import statements_of_a_pass
from test_plan_review_tick import (
    DISTRICTS,
    REVIEW,
    STAFF,
    _three_districts_with_plans,
    districts_with_plans,
)
from test_plan_stages import tick_at
from test_plans import sent_to
from test_zone_inheritance import _set_zone

MARCH_10 = datetime(2028, 3, 10, 7, 30, tzinfo=UTC)  # no item of 2027's plans is live then
JULY_5 = datetime(2027, 7, 5, 7, 30, tzinfo=UTC)
LIVE_DAY = datetime(2027, 3, 10, 7, 30, tzinfo=UTC)  # 120 items live, 39 due 28.02 escalated
PASSED = date(2027, 2, 28)


async def _escalations(h: Harness) -> int:
    async with h.session_pool() as session:
        late = select(func.count()).where(OutboxMessage.key.startswith("plan-late:"))
        return int(await session.scalar(late) or 0)


def _write_locks(ran: list[str]) -> list[str]:
    return [sql for sql in ran if sql.startswith("BEGIN IMMEDIATE")]


async def test_an_ordinary_day_reads_no_scope_and_takes_no_write_lock(
    sqlite_harness: Harness,
) -> None:
    """10 March: the pass reads the moved ППО and the live items, nothing of the three
    scopes: 3 statements; before, 16 (4 of the pass, 4 a scope), 4 of them BEGIN IMMEDIATE."""
    h = sqlite_harness
    await _three_districts_with_plans(h)
    ran = await statements_of_a_pass(h, MARCH_10)
    assert _write_locks(ran) == []
    assert len(ran) == 3, ran


async def test_a_pass_in_the_window_that_queues_nothing_takes_no_write_lock(
    sqlite_harness: Harness,
) -> None:
    """5 July, every review queued on 1 July: the pass only reads, in transactions that
    take SQLite's write lock at their first write, which never comes."""
    h = sqlite_harness
    await _three_districts_with_plans(h)
    ran = await statements_of_a_pass(h, JULY_5)
    assert _write_locks(ran) == []


async def test_the_review_goes_out_at_the_edges_of_the_far_zones(harness: Harness) -> None:
    """1 July 10:00 in Vladivostok is 00:00 UTC, seven hours before Moscow's window opens:
    only the far east's staff get the review. The window of UTC−10 ends at 20:00 UTC on
    15 July, thirteen hours after Moscow's: a pass a minute before (the bot was off till
    then) still sends its review, and the Moscow district's staff nothing."""
    h = harness
    await districts_with_plans(h)
    await _set_zone(h, DISTRICTS[0], "Asia/Vladivostok")
    await _set_zone(h, DISTRICTS[1], "Etc/GMT+10")  # UTC−10
    bg = background(h)
    mark = await tick_at(h, bg, datetime(2027, 6, 30, 23, 59, tzinfo=UTC))
    assert [len(sent_to(h, user, mark, REVIEW)) for user in STAFF] == [0, 0, 0]
    mark = await tick_at(h, bg, datetime(2027, 7, 1, 0, 0, tzinfo=UTC))
    assert [len(sent_to(h, user, mark, REVIEW)) for user in STAFF] == [1, 0, 0]
    mark = await tick_at(h, bg, datetime(2027, 7, 15, 19, 59, tzinfo=UTC))
    assert [len(sent_to(h, user, mark, REVIEW)) for user in STAFF] == [0, 1, 0]
    mark = await tick_at(h, bg, datetime(2027, 7, 15, 20, 0, tzinfo=UTC))
    assert sent_to(h, STAFF[2], mark, REVIEW) == []


async def test_a_pass_over_live_items_with_nothing_due_takes_no_write_lock(
    sqlite_harness: Harness,
) -> None:
    """10 March 2027: the first pass queues the escalations of the 39 items due 28.02; the
    next one finds all 120 items' messages queued and only reads: before, it took SQLite's
    write lock 120 times (each item's transaction began IMMEDIATE), now never."""
    h = sqlite_harness
    await districts_with_plans(h)
    first = await statements_of_a_pass(h, LIVE_DAY)
    assert await _escalations(h) == 39
    assert _write_locks(first) == []
    ran = await statements_of_a_pass(h, LIVE_DAY.replace(minute=31))
    assert _write_locks(ran) == [] and await _escalations(h) == 39


async def test_an_item_whose_write_meets_another_commit_is_run_again(
    sqlite_harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone commits while an escalated item is read: SQLite refuses the item's write (its
    reading transaction began before that commit), and the item is run again holding the
    lock from its start: every escalation is still queued, once."""
    h = sqlite_harness
    await districts_with_plans(h)
    real_owing = plan_reminders.owing

    async def owing_then_someone_commits(session: Any, item: PlanItem, *args: Any) -> Any:
        state = await real_owing(session, item, *args)
        if item.deadline == PASSED:
            monkeypatch.setattr(plan_reminders, "owing", real_owing)
            async with h.session_pool() as other, other.begin():
                audit.record(other, at=LIVE_DAY, actor_id=None, action="meanwhile")
        return state

    monkeypatch.setattr(plan_reminders, "owing", owing_then_someone_commits)
    ran = await statements_of_a_pass(h, LIVE_DAY)
    assert await _escalations(h) == 39
    assert len(_write_locks(ran)) == 2, "the other commit and the item run again"
