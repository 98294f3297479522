"""Who is asking is read in one statement on every update: the person, their roles and
whether archiving above closed them. Since the archiving work it took three (the person, the
roles, then a statement for the closure of the organizations they hold), on every update of
a chair, a staff member or a curator."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from harness import Harness
from scenarios import CHAIR, join
from test_calendar_flow import STAFF as DISTRICT_STAFF
from test_calendar_flow import staff_joins
from test_several_roles import _join_region_staff

REGION_STAFF = 705


@contextmanager
def counted(engine: AsyncEngine) -> Iterator[list[str]]:
    """Every statement run on ``engine`` inside the block, in order, repeats included."""
    ran: list[str] = []

    def note(_conn: object, _cursor: object, sql: str, *_: object) -> None:
        ran.append(sql)

    event.listen(engine.sync_engine, "before_cursor_execute", note)
    try:
        yield ran
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", note)


@pytest.mark.parametrize("user", [CHAIR, DISTRICT_STAFF, REGION_STAFF])
async def test_an_update_of_a_chair_or_staff_runs_six_statements(
    sqlite_harness: Harness, user: int
) -> None:
    """/help of a chair, a district's and a region's staff member: was the update applied,
    who is asking (one statement), and the update's id recorded in a short transaction of its
    own (read again there, then written), with SQLite's two BEGINs. Before: eight."""
    h = sqlite_harness
    await join(h)
    await staff_joins(h)
    await _join_region_staff(h, REGION_STAFF)

    with counted(h.engine) as ran:
        await h.send(user, "/help")

    who = [sql for sql in ran if "people" in sql or "organizations" in sql]
    assert len(who) == 1, who
    assert len(ran) == 6, ran
