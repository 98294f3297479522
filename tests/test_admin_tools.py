"""Admin and staff tools through the Dispatcher: backup, help per role, refusals."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.texts.admin import BACKUP_NOT_SQLITE
from harness import ADMIN, Harness, texts
from scenarios import CHAIR, accept_invite, join, setup_district


async def test_backup_command_sends_a_database_that_opens(
    sqlite_harness: Harness, tmp_path: Path
) -> None:
    await setup_district(sqlite_harness)
    await sqlite_harness.send(ADMIN, "/backup")
    name, data = sqlite_harness.server.sent_files(ADMIN)[-1]
    assert name.endswith(".sqlite3")
    copy = tmp_path / name
    copy.write_bytes(data)
    with sqlite3.connect(copy) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT count(*) FROM organizations WHERE kind = 'ppo'").fetchone() == (
            2,
        )


async def test_backup_on_postgresql_points_to_pg_dump(postgres_harness: Harness) -> None:
    await setup_district(postgres_harness)
    replies = texts(await postgres_harness.send(ADMIN, "/backup"))
    assert replies == [BACKUP_NOT_SQLITE]
    assert postgres_harness.server.sent_files(ADMIN) == []


async def test_backup_is_admins_only(harness: Harness) -> None:
    await join(harness)
    assert "недоступна" in texts(await harness.send(CHAIR, "/backup"))[0]
    assert harness.server.sent_files(CHAIR) == []


async def test_help_lists_exactly_the_senders_commands(harness: Harness) -> None:
    admin_help = texts(await harness.send(ADMIN, "/help"))[0]
    assert "/import" in admin_help and "/backup" in admin_help and "/report" not in admin_help
    await join(harness)
    chair_help = texts(await harness.send(CHAIR, "/help"))[0]
    commands = {line.split(" ")[0] for line in chair_help.splitlines() if line.startswith("/")}
    assert commands == {
        "/report",
        "/event",
        "/events",
        "/passport",
        "/history",
        "/pause",
        "/cancel",
        "/help",
    }


async def test_curator_joins_by_link(harness: Harness) -> None:
    await join(harness)
    reply = texts(await harness.send(ADMIN, "/curator Солнышко"))[0]
    code = reply.split("?start=", 1)[1].split()[0]
    welcome = texts(await accept_invite(harness, 702, code))[0]
    assert "куратор ППО «МБДОУ детский сад «Солнышко»»" in welcome
    help_text = texts(await harness.send(702, "/help"))[0]
    assert "куратор" in help_text and "ссылку-приглашение" not in help_text
    assert "Ничего не найдено" in texts(await harness.send(ADMIN, "/curator больница"))[0]
