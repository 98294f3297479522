"""The real ``python -m bot`` process against the fake Bot API server on loopback.

Walks the core loop: import → invites → join → report with a bad answer → SIGKILL in the
middle of the form → restart → resume → confirm tapped twice → history shows one report.
"""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.__main__ import USAGE, main
from bot.texts.common import period_name
from fakes.telegram_server import FakeTelegramServer, Request
from handled import wait_handled
from harness import ADMIN, TOKEN
from pg_cluster import PostgresCluster
from scenarios import DISTRICT, org_file
from storage.engine import create_engine, create_session_pool
from storage.models import FormDraft, MembershipReport, Organization

# Real `python -m bot` processes start and stop here, slower on a loaded machine than the
# suite's 120 s default allows for; a stuck one still fails long before CI gives up.
pytestmark = pytest.mark.timeout(300)

CHAIR = 501
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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


async def deliver(server: FakeTelegramServer, db_url: str, update_id: int) -> None:
    await wait_handled(server, db_url, update_id)


@asynccontextmanager
async def open_session(db_url: str) -> AsyncIterator[AsyncSession]:
    engine = create_engine(db_url)
    try:
        async with create_session_pool(engine)() as session:
            yield session
    finally:
        await engine.dispose()


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(token=TOKEN) as running:
        yield running


async def said(server: FakeTelegramServer, db_url: str, update_id: int, chat_id: int) -> Request:
    """Deliver one update and return the last message the bot sent to ``chat_id`` for it."""
    mark = server.mark()
    await deliver(server, db_url, update_id)
    sent = [r for r in server.messages_to(chat_id, after=mark) if r.method == "sendMessage"]
    assert sent, f"the bot said nothing to {chat_id}"
    return sent[-1]


async def accept(
    server: FakeTelegramServer, db_url: str, user: int, code: str, first_name: str
) -> None:
    """``/start <code>`` and «Согласен» on the consent question."""
    start = server.message(user, f"/start {code}", first_name=first_name)
    question = await said(server, db_url, start, user)
    await deliver(server, db_url, server.press_button(question, "Согласен"))


async def invite_code(server: FakeTelegramServer, db_url: str, org: str) -> str:
    await deliver(server, db_url, server.message(ADMIN, "/invites"))
    _, data = server.sent_files(ADMIN)[-1]
    rows = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    org_col, link_col = rows[0].index("Организация"), rows[0].index("Ссылка")
    return next(r[link_col] for r in rows[1:] if r[org_col] == org).split("?start=")[1]


async def test_core_loop_survives_sigkill(server: FakeTelegramServer, tmp_path: Path) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    # A Bot API server without the command menu: a warning, and the bot runs on.
    server.fail_next("setMyCommands", error_code=404, description="Not Found", times=100)
    async with bot_process(server, db_url, tmp_path) as process:
        await server.wait_polling(timeout=60)
        await deliver(server, db_url, server.document(ADMIN, org_file(), "list.xlsx", "/import"))
        await server.wait_message(ADMIN, contains="Новых ППО: 2")

        code = await invite_code(server, db_url, "МБОУ СОШ № 1")

        await accept(server, db_url, CHAIR, code, "Мария")
        await server.wait_message(CHAIR, contains="Вы подключены как председатель")
        await deliver(server, db_url, server.message(CHAIR, "/report"))
        await deliver(server, db_url, server.message(CHAIR, "54"))
        mark = server.mark()
        await deliver(server, db_url, server.message(CHAIR, "сто"))
        await server.wait_message(CHAIR, contains="целое число", after=mark)

        # The answer arrives and the process dies while handling it: its reply was sent,
        # its transaction not necessarily committed, the update not confirmed.
        mark = server.mark()
        answer = server.message(CHAIR, "40")
        await server.wait_message(CHAIR, contains="до 35 лет", after=mark)
        process.send_signal(signal.SIGKILL)
        await process.wait()

    async with bot_process(server, db_url, tmp_path):
        await deliver(server, db_url, answer)
        mark = server.mark()
        await deliver(server, db_url, server.message(CHAIR, "/report"))
        resumed = await server.wait_message(CHAIR, contains="незаконченная форма", after=mark)
        assert "до 35 лет" in (resumed.plain_text or "")
        for value in ["12", "8", "3", "2", "4", "1", "5"]:
            await deliver(server, db_url, server.message(CHAIR, value))
        summary = await server.wait_message(CHAIR, contains="Охват профчленством: 74,1 %")
        first = server.press_button(summary, "Отправить")
        second = server.press_button(summary, "Отправить")
        await deliver(server, db_url, second)
        await server.wait_message(CHAIR, contains="Отчёт сохранён")
        assert first < second

        mark = server.mark()
        await deliver(server, db_url, server.message(CHAIR, "/history"))
        history = await server.wait_message(CHAIR, contains="Отчёты ППО", after=mark)
        lines = (history.plain_text or "").splitlines()[1:]
        this_month = datetime.now(ZoneInfo("Europe/Moscow")).date().replace(day=1)
        assert len(lines) == 1
        assert f"{period_name(this_month)}: охват 74,1 % (40 из 54)" in lines[0]

    saved = [r for r in server.messages_to(CHAIR) if "Отчёт сохранён" in (r.plain_text or "")]
    assert len(saved) == 1
    async with open_session(db_url) as session:
        assert await session.scalar(select(func.count()).select_from(MembershipReport)) == 1
        report = (await session.scalars(select(MembershipReport))).one()
        assert (report.workers, report.members, report.youth_workers) == (54, 40, 12)
        assert (await session.scalars(select(FormDraft))).all() == []


async def start_failing(env: dict[str, str], workdir: Path, *args: str) -> tuple[int | None, str]:
    """Run ``python -m bot`` that is expected to stop at once; its exit code and stderr."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=workdir,
        env={**env, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode, stderr.decode().strip()


async def test_missing_token_is_one_clear_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    code, stderr = await start_failing(env, tmp_path)
    assert code == 2
    assert stderr.splitlines() == [
        "Configuration error: BOT_TOKEN is not set (put it in .env or the environment)"
    ]


@pytest.mark.parametrize(
    "admin_ids",
    [
        "12,abc",
        "99999999999999999999999",  # past 64 bits: crashed the start with an OverflowError
        "-100123",  # a group chat's id, not a person
    ],
)
async def test_malformed_setting_is_named(tmp_path: Path, admin_ids: str) -> None:
    code, stderr = await start_failing(
        {**os.environ, "BOT_TOKEN": TOKEN, "ADMIN_IDS": admin_ids}, tmp_path
    )
    assert code == 2
    assert stderr.splitlines() == [
        "Configuration error: ADMIN_IDS must be Telegram user ids separated by commas"
    ]


@pytest.mark.parametrize(
    "args", [["migrate", "--foo"], ["run", "--foo"], ["migrate", "x"], ["restore", "a", "b"]]
)
async def test_extra_arguments_are_refused_with_the_usage(tmp_path: Path, args: list[str]) -> None:
    database = tmp_path / "bot.sqlite3"
    env = {**os.environ, "BOT_TOKEN": TOKEN, "DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    code, stderr = await start_failing(env, tmp_path, *args)
    assert code == 2
    assert stderr.splitlines() == [f"{USAGE} (got {' '.join(args)!r})"]
    assert not database.exists()


@pytest.mark.parametrize(
    "args", [["--help"], ["-h"], ["migrate", "--help"], ["run", "-h"], ["restore", "-h"]]
)
def test_help_prints_the_usage_and_does_nothing_else(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
) -> None:
    database = tmp_path / "bot.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    assert main(args) == 0
    assert capsys.readouterr().out.splitlines() == [USAGE]
    assert not database.exists()


async def test_a_token_telegram_refuses_is_one_clear_line(tmp_path: Path) -> None:
    """A token of the right shape that Telegram refuses (a typo in its tail, or revoked in
    @BotFather): every call answered 401."""
    async with FakeTelegramServer(token=TOKEN) as server:
        for method in ("getMe", "getWebhookInfo", "deleteWebhook", "getUpdates", "setMyCommands"):
            server.fail_next(method, error_code=401, description="Unauthorized", times=1000)
        env = {
            **os.environ,
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": server.base_url,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
            "LOG_LEVEL": "WARNING",
        }
        code, stderr = await start_failing(env, tmp_path)
    assert code == 2
    assert stderr.splitlines()[-1] == (
        "Configuration error: BOT_TOKEN is refused by Telegram (401 Unauthorized): "
        "a typo, or revoked in @BotFather"
    )
    assert "Traceback" not in stderr


@pytest.mark.parametrize("obstacle", ["a file in the way", "a folder"])
async def test_a_database_that_cannot_be_opened_is_one_clear_line(
    tmp_path: Path, obstacle: str
) -> None:
    data = tmp_path / "data"
    database_url = "sqlite+aiosqlite:///data/bot.sqlite3"
    reason = {
        "a file in the way": f"File exists: {data}",
        "a folder": f"is a folder, not a database file: {data}",
    }[obstacle]
    if obstacle == "a file in the way":
        data.write_text("not a folder")
    else:
        data.mkdir()
        database_url = "sqlite+aiosqlite:///data"
    env = {**os.environ, "BOT_TOKEN": TOKEN, "DATABASE_URL": database_url}
    code, stderr = await start_failing(env, tmp_path)
    assert code == 2
    assert stderr.splitlines() == [f"Configuration error: DATABASE_URL cannot be opened: {reason}"]


@pytest.mark.parametrize("command", [[], ["migrate"]])
async def test_a_postgresql_that_does_not_answer_is_one_clear_line(
    tmp_path: Path, pg_cluster: PostgresCluster, command: list[str]
) -> None:
    """A PostgreSQL server that is down, or a database name with a typo: the start and
    ``migrate`` stop with one line naming DATABASE_URL and why, not a traceback."""
    down = f"postgresql+asyncpg://bot@127.0.0.1:{free_port()}/bot"
    misspelt = pg_cluster.url_for("no_such_database")
    for database_url, reason in (
        (down, "Connect call failed"),
        (misspelt, 'database "no_such_database" does not exist'),
    ):
        env = {**os.environ, "BOT_TOKEN": TOKEN, "DATABASE_URL": database_url}
        code, stderr = await start_failing(env, tmp_path, *command)
        assert code == 2, stderr
        [line] = stderr.splitlines()
        assert line.startswith("Configuration error: DATABASE_URL cannot be opened: "), line
        assert reason in line


async def test_a_start_before_the_network_is_up_waits_for_it(tmp_path: Path) -> None:
    """An office PC that starts the bot before its network is up: the calls before polling
    are tried again after a growing pause, each failure one line, until Telegram answers."""
    port = free_port()
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": db_url,
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING",
    }
    log = tmp_path / "bot.log"
    with log.open("ab") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=tmp_path, env=env, stderr=output
        )
    try:
        for _ in range(600):  # migrations, then the first call refused twice
            if log.read_text().count("start: getWebhookInfo: TelegramNetworkError") >= 2:
                break
            await asyncio.sleep(0.1)
        assert process.returncode is None, log.read_text()[-600:]
        server = FakeTelegramServer(token=TOKEN)
        await server.start(port=port)  # the network is up
        try:
            await server.wait_polling(timeout=60)
        finally:
            await server.stop()
        assert "Traceback" not in log.read_text()
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()


async def test_events_passport_and_handover(server: FakeTelegramServer, tmp_path: Path) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    new_chair = 601
    async with bot_process(server, db_url, tmp_path):
        await server.wait_polling(timeout=60)
        await deliver(server, db_url, server.document(ADMIN, org_file(), "list.xlsx", "/import"))
        code = await invite_code(server, db_url, "МБОУ СОШ № 1")
        await accept(server, db_url, CHAIR, code, "Мария")

        question = await said(server, db_url, server.message(CHAIR, "/event"), CHAIR)
        await said(server, db_url, server.press_button(question, "Семинар"), CHAIR)
        await said(server, db_url, server.message(CHAIR, "Мотивация профсоюзного членства"), CHAIR)
        question = await said(server, db_url, server.message(CHAIR, "вчера"), CHAIR)
        await said(server, db_url, server.message(CHAIR, "Актовый зал"), CHAIR)
        question = await said(server, db_url, server.message(CHAIR, "114"), CHAIR)
        await said(server, db_url, server.press_button(question, "Обучение"), CHAIR)
        await said(server, db_url, server.photo(CHAIR, b"\xff\xd8\xff\xe0one"), CHAIR)
        question = await said(server, db_url, server.photo(CHAIR, b"\xff\xd8\xff\xe0two"), CHAIR)
        assert "Фото 2 из 5" in (question.plain_text or "")
        question = await said(server, db_url, server.press_button(question, "Готово"), CHAIR)
        summary = await said(server, db_url, server.message(CHAIR, "Разобрали опыт"), CHAIR)
        assert "Фото: 2" in (summary.plain_text or "")
        saved = await said(server, db_url, server.press_button(summary, "Отправить"), CHAIR)
        assert "Мероприятие сохранено" in (saved.plain_text or "")

        mark = server.mark()
        await deliver(server, db_url, server.message(CHAIR, "/events"))
        listing = [r.plain_text or "" for r in server.messages_to(CHAIR, after=mark)]
        assert "Всего: 1, участников: 114" in listing[0]
        assert listing[-1] == "Откройте мероприятие, чтобы исправить или удалить его."

        card = await said(server, db_url, server.message(CHAIR, "/passport"), CHAIR)
        question = await said(server, db_url, server.press_button(card, "Заполнить"), CHAIR)
        assert "наименование" in (question.plain_text or "")
        for answer in [
            "МБОУ СОШ № 1 х. Родионовка",
            "ул. Школьная, 1",
            "Иванова Мария Петровна",
            "+7 900 123-45-67",
            "56",
            "нет",
            "да",
            "school1.ru",
            "vk.com/school1",
            "да",
            "да",
        ]:
            question = await said(server, db_url, server.message(CHAIR, answer), CHAIR)
        await said(server, db_url, server.message(CHAIR, "Петров Пётр Петрович"), CHAIR)
        await said(server, db_url, server.message(CHAIR, "15.03.2026"), CHAIR)
        summary = await said(server, db_url, server.message(CHAIR, "да"), CHAIR)
        assert "https://school1.ru" in (summary.plain_text or "")
        saved = await said(server, db_url, server.press_button(summary, "Отправить"), CHAIR)
        assert "Паспорт сохранён" in (saved.plain_text or "")

        async with open_session(db_url) as session:
            org_id = (
                await session.scalars(
                    select(Organization.id).where(Organization.name == "МБОУ СОШ № 1")
                )
            ).one()
        reissued = await said(server, db_url, server.message(ADMIN, f"/invite {org_id}"), ADMIN)
        new_code = (reissued.plain_text or "").split("?start=", 1)[1].split()[0]
        mark = server.mark()
        await accept(server, db_url, new_chair, new_code, "Ольга")
        told = await server.wait_message(CHAIR, contains="для вас закрыт", after=mark)
        assert "Доступ к отчётам этой организации для вас закрыт" in (told.plain_text or "")

        history = await said(server, db_url, server.message(new_chair, "/history"), new_chair)
        assert "Отчёты ППО «МБОУ СОШ № 1»" in (history.plain_text or "")
        card = await said(server, db_url, server.message(new_chair, "/passport"), new_chair)
        assert "Работников: 56" in (card.plain_text or "")
        assert "Иванова Мария Петровна" in (card.plain_text or "")
        mark = server.mark()
        await deliver(server, db_url, server.message(new_chair, "/events"))
        assert any(
            "Всего: 1, участников: 114" in (r.plain_text or "")
            for r in server.messages_to(new_chair, after=mark)
        )
        refused = await said(server, db_url, server.message(CHAIR, "/passport"), CHAIR)
        assert "ссылку-приглашение" in (refused.plain_text or "")


async def test_the_real_bot_builds_region_tables_in_its_worker_process(
    server: FakeTelegramServer, tmp_path: Path
) -> None:
    """``python -m bot`` starts its worker process (``spawn``, re-importing ``bot.__main__``
    without running it) and the table comes back from it."""
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    async with bot_process(server, db_url, tmp_path):
        await server.wait_polling(timeout=60)
        await deliver(server, db_url, server.document(ADMIN, org_file(), "list.xlsx", "/import"))
        await server.wait_message(ADMIN, contains="Новых ППО: 2")

        status = await said(server, db_url, server.message(ADMIN, "/status"), ADMIN)
        assert DISTRICT in (status.plain_text or "")
        mark = server.mark()
        await deliver(server, db_url, server.message(ADMIN, "/export"))
        await server.wait_for(lambda r: r.method == "sendDocument", after=mark, timeout=30)
    name, data = server.sent_files(ADMIN)[-1]
    rows = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True)
    assert name.endswith(".xlsx")
    assert "МБОУ СОШ № 1" in {cell for row in rows for cell in row}


def fake_python(path: Path, version: str, *, calls: Path) -> None:
    """An executable that answers as Python ``version``, makes a fake ``.venv`` of itself
    on ``-m venv``, and writes down every other command it is given."""
    new = tuple(map(int, version.split("."))) >= (3, 11)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "#!/bin/sh\n"
        f'[ "$1" = -c ] && exit {0 if new else 1}\n'
        f'[ "$1" = --version ] && echo "Python {version}" && exit 0\n'
        f'[ "$1 $2" = "-m venv" ] && mkdir -p "$3/bin" && cp "$0" "$3/bin/python" && exit 0\n'
        f'echo "$@" >> {calls}\n'
    )
    path.chmod(0o755)


def run_script(project: Path, bin_dir: Path) -> subprocess.CompletedProcess[str]:
    """``bash scripts/run.sh`` in a copy of the project's scripts, with ``bin_dir``'s
    python3."""
    (project / "scripts").mkdir(parents=True, exist_ok=True)
    for name in ("run.sh", "venv.sh"):
        shutil.copy(ROOT / "scripts" / name, project / "scripts" / name)
    path = f"{bin_dir}:/usr/bin:/bin"
    return subprocess.run(
        ["bash", "scripts/run.sh"],
        cwd=project,
        env={"PATH": path, "HOME": str(project)},
        capture_output=True,
        text=True,
        check=False,
    )


def test_run_sh_without_python_3_11_says_so_in_one_line(tmp_path: Path) -> None:
    fake_python(tmp_path / "bin" / "python3", "3.10.12", calls=tmp_path / "calls")
    done = run_script(tmp_path / "project", tmp_path / "bin")
    assert done.returncode == 1
    assert done.stderr.splitlines() == ["Python 3.11+ is needed as python3 (found: Python 3.10.12)"]
    assert not (tmp_path / "project" / ".venv").exists()


def test_run_sh_remakes_a_venv_an_older_python_built(tmp_path: Path) -> None:
    project, calls = tmp_path / "project", tmp_path / "calls"
    fake_python(project / ".venv" / "bin" / "python", "3.9.2", calls=tmp_path / "old")
    fake_python(tmp_path / "bin" / "python3", "3.12.1", calls=calls)
    done = run_script(project, tmp_path / "bin")
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == ["The .venv is not of Python 3.11+: making it again"]
    assert calls.read_text().splitlines() == [
        "-m pip install -q --disable-pip-version-check -e .",
        "-m bot",
    ]
    assert not (tmp_path / "old").exists()
