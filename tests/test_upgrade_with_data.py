"""Upgrading a deployment that holds rows an earlier version wrote: the rows come through, on
both backends, and a running bot's writes do not make ``python -m bot migrate`` fail."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.texts.markup import esc
from fakes.telegram_server import parse_html
from storage import outbox
from storage.engine import create_engine, create_session_pool
from storage.migrate import alembic_config, downgrade, upgrade

BEFORE_CANCELLED_EVENTS = "e7f8a9b0c1d2"  # district_events rebuilt on SQLite right above it
BEFORE_REMINDER_DAYS = "a9b0c1d2e3f4"  # reminder keys without the answer day
BEFORE_SORT_KEYS = "b8c9d0e1f2a3"  # organizations without the key they are listed by
DAY = "'2026-11-02 09:00:00'"


async def _district_event_with_invitation(engine: AsyncEngine) -> None:
    """What a district had before events could be called off: an event, a ППО invited."""
    async with engine.begin() as connection:
        for statement in (
            "INSERT INTO organizations (id, kind, name, name_key, created_at, updated_at)"
            f" VALUES (1, 'district', 'Советский район', 'советский район', {DAY}, {DAY}),"
            f" (2, 'ppo', 'ППО школы № 1', 'ппо школы № 1', {DAY}, {DAY})",
            "INSERT INTO people (id, tg_user_id, full_name, created_at)"
            f" VALUES (1, 501, 'Мария', {DAY})",
            "INSERT INTO district_events (id, scope_org_id, kind, direction, title, starts_at,"
            " starts_on, place, online, answer_by, created_by, created_at, submission_key)"
            f" VALUES (1, 1, 'seminar', 'education', 'Семинар', {DAY}, '2026-11-20',"
            f" 'Зал', false, '2026-11-18', 1, {DAY}, 'k1')",
            "INSERT INTO district_event_invites (id, event_id, org_id, answer, people)"
            " VALUES (1, 1, 2, 'coming', 3)",
        ):
            await connection.execute(text(statement))


async def _invitations(engine: AsyncEngine) -> list[tuple[Any, ...]]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT i.event_id, i.org_id, i.answer, i.people, e.title"
                " FROM district_event_invites i JOIN district_events e ON e.id = i.event_id"
            )
        )
        return [tuple(row) for row in rows]


async def test_a_district_event_with_invitations_goes_up_and_down(engine: AsyncEngine) -> None:
    """SQLite rebuilds district_events to add who called one off; the invitations pointing at
    the old table must neither stop that rebuild nor be lost by it, either way."""
    await downgrade(engine, BEFORE_CANCELLED_EVENTS)
    await _district_event_with_invitation(engine)
    expected = [(1, 2, "coming", 3, "Семинар")]

    await upgrade(engine)
    assert await _invitations(engine) == expected
    async with engine.connect() as connection:
        cancelled = await connection.scalar(text("SELECT cancelled_at FROM district_events"))
    assert cancelled is None

    await downgrade(engine, BEFORE_CANCELLED_EVENTS)
    assert await _invitations(engine) == expected
    await upgrade(engine)
    assert await _invitations(engine) == expected


async def test_foreign_keys_are_enforced_again_after_migrating(engine: AsyncEngine) -> None:
    """The rebuild's switch-off does not outlive it: a connection the migration used refuses
    an invitation to an event that is not there."""
    await downgrade(engine, BEFORE_CANCELLED_EVENTS)
    await upgrade(engine)
    refused = 0
    for _ in range(3):  # whichever pooled connection the migration left behind
        try:
            async with engine.begin() as connection:
                await connection.execute(
                    text("INSERT INTO district_event_invites (event_id, org_id) VALUES (99, 99)")
                )
        except IntegrityError:
            refused += 1
    assert refused == 3


async def test_migrate_holds_the_write_lock_while_the_bot_writes(sqlite_url: str) -> None:
    """The bot writes between the migration's first read and its first write: a migration
    that took the write lock only then would find its snapshot stale and fail at once; one
    holding it from the start makes the bot wait (here: refuses it, with no busy timeout)."""
    engine = create_engine(sqlite_url)
    try:
        await upgrade(engine, "c3d4e5f6a7b8")  # before the outbox's outages
        bot = sqlite3.connect(make_url(sqlite_url).database or "", timeout=0, isolation_level=None)
        bot_writes: list[str] = []

        def _bot_writes(update_id: int) -> None:
            try:
                bot.execute("BEGIN IMMEDIATE")
                bot.execute(
                    "INSERT INTO processed_updates (update_id, processed_at)"
                    f" VALUES ({update_id}, {DAY})"
                )
                bot.execute("COMMIT")
                bot_writes.append("written")
            except sqlite3.OperationalError as error:
                bot_writes.append(str(error))

        def _before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            first_word = statement.split(maxsplit=1)[0].upper()
            if not bot_writes and first_word not in {"SELECT", "PRAGMA", "BEGIN"}:
                _bot_writes(1)  # the first write: the schema change

        event.listen(engine.sync_engine, "before_cursor_execute", _before)
        try:
            await upgrade(engine)
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", _before)
        _bot_writes(2)
        bot.close()
        async with engine.connect() as connection:
            version = await connection.scalar(text("SELECT version_num FROM alembic_version"))
            outages = await connection.scalar(text("SELECT count(outages) FROM outbox"))
    finally:
        await engine.dispose()
    assert version == _heads()[0]
    assert outages == 0
    assert bot_writes == ["database is locked", "written"]


async def test_reminders_of_a_moved_event_go_down_to_one_old_key(engine: AsyncEngine) -> None:
    """A district event moved to another answer day was reminded of under each day's key;
    the keys without the day are one key, kept by the latest reminder (what the bot knew
    last), and up again it names the event's day."""
    await downgrade(engine, BEFORE_SORT_KEYS)  # the rows as that version wrote them
    await _district_event_with_invitation(engine)
    await upgrade(engine)
    now = datetime(2026, 11, 2, 9, tzinfo=UTC)
    keys = ["devent-remind:1:2:2026-11-15:3:501", "devent-remind:1:2:2026-11-18:3:501"]
    async with create_session_pool(engine)() as session, session.begin():
        for key in keys:
            await outbox.enqueue(
                session, key=key, chat_id=501, kind="text", payload={}, not_before=now, now=now
            )
        await session.execute(
            text("UPDATE outbox SET status = 'sent' WHERE key = :key"), {"key": keys[0]}
        )

    await downgrade(engine, BEFORE_REMINDER_DAYS)
    assert await _outbox(engine) == [("devent-remind:1:2:3:501", "pending")]
    await upgrade(engine)
    assert await _outbox(engine) == [(keys[1], "pending")]


async def _outbox(engine: AsyncEngine) -> list[tuple[Any, ...]]:
    async with engine.connect() as connection:
        rows = await connection.execute(text("SELECT key, status FROM outbox ORDER BY id"))
        return [tuple(row) for row in rows]


def _heads() -> list[str]:
    return list(ScriptDirectory.from_config(alembic_config()).get_heads())


def test_the_migrations_are_one_chain() -> None:
    """One head, reached from every migration file: two branches would leave ``upgrade
    head`` (and the transfer's check of the revision) undecided."""
    script = ScriptDirectory.from_config(alembic_config())
    files = list((Path(script.dir) / "versions").glob("*.py"))
    assert len(_heads()) == 1
    assert len(list(script.walk_revisions())) == len(files)


BEFORE_FORMATTED_COMMENTS = "e5f6a7b8c9d0"  # a returned report's comment was plain text
OLD_COMMENT = "Проверьте <число членов> & «итоги» &amp; ещё раз"


async def _return_comment(engine: AsyncEngine) -> str:
    async with engine.connect() as connection:
        return str(await connection.scalar(text("SELECT return_comment FROM membership_reports")))


async def test_a_comment_written_before_formatting_was_kept_reads_as_typed(
    engine: AsyncEngine,
) -> None:
    """The comment is HTML now: one written as plain text before is escaped on the way up (so
    Telegram shows it as typed), and is plain text again on the way down."""
    await downgrade(engine, BEFORE_FORMATTED_COMMENTS)
    await _district_event_with_invitation(engine)  # a ППО and a person to file the report
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO membership_reports (id, org_id, period, revision, workers, members,"
                " submitted_by, submitted_at, submission_key, returned_at, returned_by,"
                " return_comment) VALUES (1, 2, '2026-11-01', 1, 40, 30, 1, "
                f"{DAY}, 'r1', {DAY}, 1, :comment)"
            ),
            {"comment": OLD_COMMENT},
        )
    await upgrade(engine)
    comment = await _return_comment(engine)
    assert comment == esc(OLD_COMMENT) and parse_html(comment) == (OLD_COMMENT, [])
    await downgrade(engine, BEFORE_FORMATTED_COMMENTS)
    assert await _return_comment(engine) == OLD_COMMENT
