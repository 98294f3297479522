"""An announcement's delivery report is counted by the database, per chair (a chair with a
file is delivered only if the text and the file both went), without reading the messages'
payloads: the report is asked for every minute of an announcement's week, and loading its
thousand rows whole to count them was most of the tick."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.domain.announcements import ACTION, report_finished_announcements
from bot.domain.calendar import CalendarSettings
from bot.domain.tick import Planning
from bot.texts import announcements as t
from conftest import FakeClock
from query_plans import recorded
from storage import audit, outbox
from storage.models import OutboxMessage, OutboxStatus

NOW = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)


async def report_tick(session_pool: async_sessionmaker[AsyncSession]) -> int:
    """One run of the delivery reports' planner at ``NOW``; how many reports it queued."""
    planning = Planning(session_pool, FakeClock(NOW), CalendarSettings(), "Europe/Moscow")
    return await report_finished_announcements(planning)


AUTHOR = 99
S, U, F, P = (
    OutboxStatus.SENT,
    OutboxStatus.UNREACHABLE,
    OutboxStatus.FAILED,
    OutboxStatus.PENDING,
)
CHAIRS: dict[int, tuple[tuple[OutboxStatus, str | None], ...]] = {
    # chat: (the text's outcome, error), then the file's if the chair has one
    11: ((S, None), (S, None)),
    12: ((S, None),),
    13: ((S, None), (F, "Bad Request: file is too big")),
    14: ((F, "Bad Request: can't parse entities"), (F, "Bad Request: can't parse entities")),
    15: ((F, "Bad Request: can't parse entities"),),
    16: ((U, "Forbidden: bot was blocked by the user"), (U, "Forbidden")),
    17: ((S, None), (U, "Forbidden: bot was blocked by the user")),
}


async def _announce(pool: async_sessionmaker[AsyncSession]) -> int:
    async with pool() as session, session.begin():
        entry = audit.record(
            session,
            at=NOW,
            actor_id=None,
            action=ACTION,
            after={"html": "Семинар", "only_late": False, "chat": AUTHOR},
        )
        await session.flush()
        for chat, messages in CHAIRS.items():
            for part, (status, error) in zip(("", ":file"), messages, strict=False):
                key = f"announce:{entry.id}:{chat}:{chat}{part}"
                await outbox.enqueue(
                    session,
                    key=key,
                    chat_id=chat,
                    kind=outbox.OutboxKind.TEXT,
                    payload={},
                    not_before=NOW,
                    now=NOW,
                )
                await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.key == key)
                    .values(status=status, error=error)
                )
        return entry.id


async def _report(pool: async_sessionmaker[AsyncSession], entry_id: int) -> str | None:
    async with pool() as session:
        report = await outbox.by_key(session, f"announce-report:{entry_id}")
    return None if report is None else str(report.payload["text"])


async def test_the_report_counts_each_chair_once_by_the_first_message_that_did_not_go(
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    """Two chairs got everything; a text sent without its file counts as not delivered, by the
    file's reason; a text that failed counts once whatever its file did; an unreachable
    chair is named, also when only their file found them gone."""
    entry_id = await _announce(session_pool)

    assert await report_tick(session_pool) == 1

    assert await _report(session_pool, entry_id) == t.delivery_report(
        2,
        ["16", "17"],
        [
            ("Bad Request: can't parse entities", 2),
            (t.file_not_delivered("Bad Request: file is too big"), 1),
        ],
    )


async def test_no_report_while_a_file_still_waits(
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    """Every text has gone, one chair's file waits for the end of their night: no report."""
    entry_id = await _announce(session_pool)
    async with session_pool() as session, session.begin():
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.key == f"announce:{entry_id}:11:11:file")
            .values(status=P)
        )

    assert await report_tick(session_pool) == 0
    assert await _report(session_pool, entry_id) is None


async def test_the_report_tick_reads_no_payload(
    engine: AsyncEngine, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    """What the tick reads of the announcement's messages is their outcomes, never the
    messages themselves (before, every row of the announcement, payload and all)."""
    await _announce(session_pool)

    with recorded(engine) as ran:
        assert await report_tick(session_pool) == 1

    by_range = [sql for sql, params in ran.items() if "announce:" in str(params)]
    assert len(by_range) == 1, ran
    assert "payload" not in by_range[0], by_range[0]
