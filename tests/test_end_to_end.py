"""The real ``python -m bot`` process against the fake Bot API server on loopback.

Walks the core loop: import → invites → join → report with a bad answer → SIGKILL in the
middle of the form → restart → resume → confirm tapped twice → history shows one report.
"""

from __future__ import annotations

import asyncio
import io
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from fakes.telegram_server import FakeTelegramServer
from harness import ADMIN, TOKEN
from sqlalchemy import func, select
from test_district_setup import org_file

from bot.texts.common import period_name
from storage.engine import create_engine, create_session_pool
from storage.models import FormDraft, MembershipReport

CHAIR = 501
ROOT = Path(__file__).resolve().parent.parent


@asynccontextmanager
async def bot_process(
    server: FakeTelegramServer, db_url: str, workdir: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": server.base_url,
        "DATABASE_URL": db_url,
        "ADMIN_IDS": str(ADMIN),
        "LOG_LEVEL": "INFO",
        "PYTHONPATH": str(ROOT),
    }
    with (workdir / "bot.log").open("ab") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=workdir,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=log,
        )
        try:
            yield process
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()


async def deliver(server: FakeTelegramServer, update_id: int) -> None:
    await server.wait_confirmed(update_id, timeout=20)


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(token=TOKEN) as running:
        yield running


async def test_core_loop_survives_sigkill(server: FakeTelegramServer, tmp_path: Path) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    # A Bot API server without the command menu: a warning, and the bot runs on.
    server.fail_next("setMyCommands", error_code=404, description="Not Found", times=100)
    async with bot_process(server, db_url, tmp_path) as process:
        await server.wait_polling(timeout=30)
        await deliver(server, server.document(ADMIN, org_file(), "list.xlsx", "/import"))
        await server.wait_message(ADMIN, contains="Новых ППО: 2")

        await deliver(server, server.message(ADMIN, "/invites"))
        _, data = server.sent_files(ADMIN)[-1]
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        rows = list(sheet.iter_rows(values_only=True))
        org_col, link_col = rows[0].index("Организация"), rows[0].index("Ссылка")
        link = next(r[link_col] for r in rows[1:] if r[org_col] == "МБОУ СОШ № 1")
        code = link.split("?start=")[1]

        await deliver(server, server.message(CHAIR, f"/start {code}", first_name="Мария"))
        await server.wait_message(CHAIR, contains="Вы подключены как председатель")
        await deliver(server, server.message(CHAIR, "/report"))
        await deliver(server, server.message(CHAIR, "54"))
        mark = server.mark()
        await deliver(server, server.message(CHAIR, "сто"))
        await server.wait_message(CHAIR, contains="целое число", after=mark)

        # The answer arrives and the process dies while handling it: its reply was sent,
        # its transaction not necessarily committed, the update not confirmed.
        mark = server.mark()
        answer = server.message(CHAIR, "40")
        await server.wait_message(CHAIR, contains="до 35 лет", after=mark)
        process.send_signal(signal.SIGKILL)
        await process.wait()

    async with bot_process(server, db_url, tmp_path):
        await deliver(server, answer)
        mark = server.mark()
        await deliver(server, server.message(CHAIR, "/report"))
        resumed = await server.wait_message(CHAIR, contains="незаконченная форма", after=mark)
        assert "до 35 лет" in (resumed.plain_text or "")
        for value in ["12", "8", "3", "2", "4", "1", "5"]:
            await deliver(server, server.message(CHAIR, value))
        summary = await server.wait_message(CHAIR, contains="Охват профчленством: 74,1 %")
        first = server.press_button(summary, "Отправить")
        second = server.press_button(summary, "Отправить")
        await deliver(server, second)
        await server.wait_message(CHAIR, contains="Отчёт сохранён")
        assert first < second

        mark = server.mark()
        await deliver(server, server.message(CHAIR, "/history"))
        history = await server.wait_message(CHAIR, contains="Отчёты ППО", after=mark)
        lines = (history.plain_text or "").splitlines()[1:]
        this_month = datetime.now(ZoneInfo("Europe/Moscow")).date().replace(day=1)
        assert len(lines) == 1
        assert f"{period_name(this_month)}: охват 74,1 % (40 из 54)" in lines[0]

    saved = [r for r in server.messages_to(CHAIR) if "Отчёт сохранён" in (r.plain_text or "")]
    assert len(saved) == 1
    engine = create_engine(db_url)
    try:
        async with create_session_pool(engine)() as session:
            assert await session.scalar(select(func.count()).select_from(MembershipReport)) == 1
            report = (await session.scalars(select(MembershipReport))).one()
            assert (report.workers, report.members, report.youth_workers) == (54, 40, 12)
            assert (await session.scalars(select(FormDraft))).all() == []
    finally:
        await engine.dispose()


async def test_missing_token_is_one_clear_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    env["PYTHONPATH"] = str(ROOT)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2
    lines = stderr.decode().strip().splitlines()
    assert lines == [
        "Configuration error: BOT_TOKEN is not set (put it in .env or the environment)"
    ]


async def test_malformed_setting_is_named(tmp_path: Path) -> None:
    env = {**os.environ, "BOT_TOKEN": TOKEN, "ADMIN_IDS": "12,abc", "PYTHONPATH": str(ROOT)}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2
    assert stderr.decode().strip().startswith("Configuration error: ADMIN_IDS")
