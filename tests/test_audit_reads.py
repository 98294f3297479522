"""The audit log is never pruned, and the clockwork reads it every minute (the announcements
of the last week, whose delivery reports are due) and at start (was last night's job done):
those reads go through the (action, at) index, not over years of entries."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.domain.announcements import ACTION, report_finished_announcements
from bot.domain.calendar import CalendarSettings
from bot.domain.tick import Planning
from conftest import FakeClock
from query_plans import plans, recorded
from storage import audit
from storage.engine import create_engine, create_session_pool

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


async def test_the_minutely_read_of_recent_announcements_uses_the_action_index(
    sqlite_template: Path, tmp_path: Path
) -> None:
    shutil.copyfile(sqlite_template, tmp_path / "bot.sqlite3")
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}")
    pool = create_session_pool(engine)
    try:
        async with pool() as session, session.begin():
            for n in range(200):  # years of other entries
                at = NOW - timedelta(days=n)
                audit.record(session, at=at, actor_id=None, action="report.submit")
            audit.record(session, at=NOW - timedelta(days=30), actor_id=None, action=ACTION)
        with recorded(engine) as ran:
            assert (
                await report_finished_announcements(
                    Planning(pool, FakeClock(NOW), CalendarSettings(), "Europe/Moscow")
                )
                == 0
            )
        lines = await plans(engine, ran, "audit_log")
        assert lines and all("ix_audit_log_action_at (action=? AND at>?)" in p for p in lines), (
            lines
        )
    finally:
        await engine.dispose()
