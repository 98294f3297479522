"""Webhook mode: the real aiohttp server of ``bot.wiring.webhook`` on a loopback port, posted
updates the way Telegram posts them; its replies land in the fake Bot API server."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr, ValidationError
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.util import greenlet_spawn

from bot.wiring.config import Settings, describe_error
from bot.wiring.scheduler import NIGHTLY_DONE
from bot.wiring.webhook import SECRET_HEADER, WebhookSetupError, leave_webhook, run_webhook
from fakes.telegram_server import FakeTelegramServer
from harness import ADMIN, TOKEN, Harness
from pg_cluster import PostgresCluster
from storage import audit, outbox
from storage.outbox import OutboxKind
from storage.updates import was_applied
from test_end_to_end import ROOT, free_port, start_failing
from test_inbox import Gate, add_test_handlers
from test_single_instance import environment, second_bot

SECRET = "Webhook_secret-42"
PUBLIC_URL = "https://bot.example.org/telegram/updates"


class Served:
    """A running webhook server for a harness: where to post, and how to stop it."""

    def __init__(self, harness: Harness) -> None:
        self.harness = harness
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        self.settings = Settings(
            bot_token=SecretStr(TOKEN),
            database_url=harness.settings.database_url,
            admin_ids=harness.settings.admin_ids,
            telegram_api_url=harness.server.base_url,
            webhook_url=PUBLIC_URL,
            webhook_secret=SecretStr(SECRET),
            webhook_listen=f"127.0.0.1:{port}",
            _env_file=None,  # type: ignore[call-arg]
        )
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        mark = self.harness.server.mark()
        self.task = asyncio.create_task(
            run_webhook(self.harness.dp, self.harness.bot, self.settings, self.stop)
        )
        # registered with Telegram only once the server listens
        await self.harness.server.wait_for(lambda r: r.method == "setWebhook", after=mark)

    async def shut(self) -> None:
        self.stop.set()
        if self.task is not None:
            await self.task

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> int:
        headers = {} if secret is None else {SECRET_HEADER: secret}
        async with (
            aiohttp.ClientSession() as http,
            http.post(f"{self.base_url}/telegram/updates", json=update, headers=headers) as answer,
        ):
            return answer.status

    async def health(self) -> tuple[int, dict[str, Any]]:
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"{self.base_url}/health") as answer,
        ):
            return answer.status, await answer.json()


@pytest.fixture
async def served(harness: Harness) -> AsyncIterator[Served]:
    running = Served(harness)
    await running.start()
    try:
        yield running
    finally:
        await running.shut()


def put_a_directory_in_place_of(database: Path) -> None:
    """SQLite cannot open a directory: the database is gone as far as the bot can tell."""
    database.rename(database.with_name("moved.sqlite3"))
    database.mkdir()


async def applied(h: Harness, update_id: int) -> bool:
    async with h.session_pool() as session:
        return await was_applied(session, update_id)


async def test_the_webhook_is_registered_at_start_and_kept_at_shutdown(served: Served) -> None:
    server = served.harness.server
    registered = next(r for r in server.requests if r.method == "setWebhook")
    assert registered.params["url"] == PUBLIC_URL
    assert registered.params["secret_token"] == SECRET
    assert registered.params["drop_pending_updates"] is False
    assert set(registered.params["allowed_updates"]) == set(
        served.harness.dp.resolve_used_update_types()
    )
    assert {"message", "callback_query"} <= set(registered.params["allowed_updates"])

    await served.shut()
    assert not [r for r in server.requests if r.method == "deleteWebhook"]
    assert server.webhook_url == PUBLIC_URL


async def test_polling_after_a_webhook_run_removes_the_webhook(served: Served) -> None:
    h = served.harness
    await served.shut()
    pending = h.server.message(ADMIN, "/help")  # arrived while no one served it

    await leave_webhook(h.bot)

    assert h.server.webhook_url == ""
    deleted = next(r for r in h.server.requests if r.method == "deleteWebhook")
    assert deleted.params.get("drop_pending_updates") is False
    assert pending in {update["update_id"] for update in h.server.pending_updates}
    mark = h.server.mark()
    await leave_webhook(h.bot)  # none set: nothing to remove
    assert [r.method for r in h.server.requests[mark:]] == ["getWebhookInfo"]


async def test_an_update_is_answered_only_after_it_was_applied(served: Served) -> None:
    h = served.harness
    update_id = h.server.message(ADMIN, "/help")
    mark = h.server.mark()

    status = await served.post(h.server.get_update(update_id))

    # by the time Telegram hears 200, the update is committed and its reply sent
    assert status == 200
    assert await applied(h, update_id)
    assert h.server.messages_to(ADMIN, after=mark)

    # Telegram delivering it again (its answer lost) changes nothing
    again = h.server.mark()
    assert await served.post(h.server.get_update(update_id)) == 200
    assert not h.server.messages_to(ADMIN, after=again)


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET + "x"])
async def test_a_request_without_the_right_secret_is_refused(
    served: Served, secret: str | None
) -> None:
    h = served.harness
    update_id = h.server.message(ADMIN, "/help")
    mark = h.server.mark()

    assert await served.post(h.server.get_update(update_id), secret=secret) == 401

    assert not await applied(h, update_id)
    assert not h.server.messages_to(ADMIN, after=mark)


async def test_a_body_that_is_not_an_update_is_a_bad_request(served: Served) -> None:
    assert await served.post({"no": "update"}) == 400


async def test_health_reports_the_database_the_outbox_and_the_scheduler(served: Served) -> None:
    h = served.harness
    now = h.clock.now()
    async with h.session_pool() as session, session.begin():
        for n in range(2):  # deferred to later: pending, not yet due
            await outbox.enqueue(
                session,
                key=f"health-test-{n}",
                chat_id=ADMIN,
                kind=OutboxKind.TEXT,
                payload={"text": "later"},
                not_before=now + timedelta(hours=5),
                now=now,
            )

    status, body = await served.health()

    assert status == 200
    assert body == {
        "database": "ok",
        "outbox": {"pending": 2, "due": 0, "waiting": 0, "oldest_due_age_seconds": None},
        "scheduler": "this process",
    }


async def test_health_is_503_when_the_database_is_gone(
    served: Served, request: pytest.FixtureRequest
) -> None:
    h = served.harness
    assert (await served.health())[0] == 200
    url = make_url(h.settings.database_url)
    on_postgres = url.get_backend_name() == "postgresql"
    if on_postgres:
        cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
        cluster.drop_database(str(url.database))
    else:
        # No open connection may keep the old file alive. A connection the sender holds right now
        # goes back to the retired pool, which nothing closes but this test, once the server stops.
        retired_pool = h.engine.sync_engine.pool
        await h.engine.dispose()
        database = Path(str(url.database))
        put_a_directory_in_place_of(database)

    status, body = await served.health()

    if not on_postgres:
        await served.shut()
        await greenlet_spawn(retired_pool.dispose)
    assert status == 503
    # On PostgreSQL the dropped database also ended the leader's lock: this process stepped down.
    holder = "another process" if on_postgres else "this process"
    assert body == {"database": "unreachable", "outbox": None, "scheduler": holder}


async def test_backlog_counts_pending_and_due_messages(harness: Harness) -> None:
    now = harness.clock.now()
    async with harness.session_pool() as session, session.begin():
        for key, minutes in (("a", -10), ("b", -3), ("c", 30)):
            await outbox.enqueue(
                session,
                key=f"backlog-{key}",
                chat_id=ADMIN,
                kind=OutboxKind.TEXT,
                payload={"text": key},
                not_before=now + timedelta(minutes=minutes),
                now=now,
            )
    async with harness.session_pool() as session:
        backlog = await outbox.backlog(session, now=now)
    assert backlog == outbox.Backlog(
        pending=3, due=2, waiting=0, oldest_due_at=now - timedelta(minutes=10)
    )


async def test_python_m_bot_serves_the_webhook_alone_on_sqlite(tmp_path: Path) -> None:
    """The real command: webhook mode chosen by WEBHOOK_URL, the SQLite lock held as in
    polling (a second bot stops at once), SIGTERM stops it cleanly with the webhook kept."""
    database = tmp_path / "data" / "bot.sqlite3"
    port = free_port()
    async with FakeTelegramServer(token=TOKEN) as server:
        env = environment(server, f"sqlite+aiosqlite:///{database}")
        env |= {
            "WEBHOOK_URL": PUBLIC_URL,
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_LISTEN": f"127.0.0.1:{port}",
        }
        with (tmp_path / "bot.log").open("ab") as log:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", cwd=tmp_path, env=env, stderr=log
            )
        try:
            await server.wait_for(lambda r: r.method == "setWebhook", timeout=60)
            update_id = server.message(ADMIN, "/help")
            mark = server.mark()
            url = f"http://127.0.0.1:{port}/telegram/updates"
            async with aiohttp.ClientSession() as http:
                headers = {SECRET_HEADER: SECRET}
                update = server.get_update(update_id)
                async with http.post(url, json=update, headers=headers) as answer:
                    assert answer.status == 200
            assert server.messages_to(ADMIN, after=mark)

            code, stderr, _ = await second_bot(env, tmp_path)
            assert code == 1
            assert stderr.splitlines() == [
                f"Another bot is already running on {database} (pid {process.pid}); "
                "stop it first (one bot per database)"
            ]

            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), timeout=30) == 0
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        methods = {request.method for request in server.requests}
        assert "deleteWebhook" not in methods and "getUpdates" not in methods


async def test_a_listen_address_another_program_has_is_one_clear_line(tmp_path: Path) -> None:
    """Another program (or a bot left running) on WEBHOOK_LISTEN's port: the start stops
    with one line naming the setting, not a traceback."""
    async with FakeTelegramServer(token=TOKEN) as server:
        env = environment(server, f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}")
        env |= {"WEBHOOK_URL": PUBLIC_URL, "WEBHOOK_SECRET": SECRET, "LOG_LEVEL": "WARNING"}
        with socket.create_server(("127.0.0.1", 0)) as taken:
            port = taken.getsockname()[1]
            env["WEBHOOK_LISTEN"] = f"127.0.0.1:{port}"
            code, stderr = await start_failing(env, tmp_path)
    assert code == 2, stderr
    assert "Traceback" not in stderr
    assert stderr.splitlines()[-1] == (
        f"Configuration error: WEBHOOK_LISTEN 127.0.0.1:{port} cannot be listened on: error "
        f"while attempting to bind on address ('127.0.0.1', {port}): address already in use"
    )


async def test_a_taken_port_stops_the_start_before_the_scheduler_and_the_sender(
    harness: Harness, tmp_path: Path
) -> None:
    """The port is taken before the bot starts: a start refused for it has run no catch-up
    (no nightly work, no backup), sent nothing from the outbox and set no menus."""
    async with harness.session_pool() as session, session.begin():
        await outbox.enqueue(
            session,
            key="waiting-for-the-sender",
            chat_id=ADMIN,
            kind=OutboxKind.TEXT,
            payload={"text": "ждёт отправки"},
            not_before=harness.clock.now() - timedelta(minutes=5),
            now=harness.clock.now(),
        )
    mark = harness.server.mark()
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        settings = Served(harness).settings.model_copy(
            update={"webhook_listen": f"127.0.0.1:{port}", "backup_dir": tmp_path / "backups"}
        )
        with pytest.raises(WebhookSetupError, match="cannot be listened on"):
            await run_webhook(harness.dp, harness.bot, settings, asyncio.Event())
    assert "scheduler" not in harness.dp.workflow_data
    assert harness.server.requests[mark:] == []  # no menus, nothing sent
    async with harness.session_pool() as session:
        backlog = await outbox.backlog(session, now=harness.clock.now())
        a_year_ago = harness.clock.now() - timedelta(days=365)
        assert not await audit.since(session, action=NIGHTLY_DONE, since=a_year_ago)
    assert (backlog.pending, backlog.due) == (1, 1)
    assert not (tmp_path / "backups").exists()


async def test_a_webhook_url_telegram_refuses_is_one_clear_line(tmp_path: Path) -> None:
    """A WEBHOOK_URL whose host Telegram cannot resolve (a typo, DNS not set up yet): the
    start stops with one line giving Telegram's reason, not a traceback."""
    refusal = "Bad Request: bad webhook: Failed to resolve host: Name or service not known"
    async with FakeTelegramServer(token=TOKEN) as server:
        server.fail_next("setWebhook", error_code=400, description=refusal, times=1)
        env = environment(server, f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}")
        env |= {
            "WEBHOOK_URL": PUBLIC_URL,
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_LISTEN": f"127.0.0.1:{free_port()}",
            "LOG_LEVEL": "WARNING",
        }
        code, stderr = await start_failing(env, tmp_path)
    assert code == 2, stderr
    assert "Traceback" not in stderr
    assert stderr.splitlines()[-1] == (
        f"Configuration error: WEBHOOK_URL {PUBLIC_URL} is refused by Telegram: {refusal}"
    )


@pytest.mark.parametrize(
    ("mode", "signum", "waiting_on"),
    [("webhook", signal.SIGTERM, "setWebhook"), ("polling", signal.SIGINT, "getWebhookInfo")],
)
async def test_a_stop_while_telegram_cannot_be_reached_at_start_is_obeyed(
    tmp_path: Path, mode: str, signum: signal.Signals, waiting_on: str
) -> None:
    """A start before the network is up waits for Telegram; a ``systemctl stop`` (SIGTERM)
    or Ctrl+C (SIGINT) meanwhile stops the bot cleanly at once, not after systemd's SIGKILL
    nor with a traceback."""
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": f"http://127.0.0.1:{free_port()}",  # nothing listens there
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING",
    }
    if mode == "webhook":
        env |= {
            "WEBHOOK_URL": PUBLIC_URL,
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_LISTEN": f"127.0.0.1:{free_port()}",
        }
    log = tmp_path / "bot.log"
    with log.open("ab") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=tmp_path, env=env, stderr=output
        )
    try:
        for _ in range(600):  # migrations, then the start-up call refused
            if f"start: {waiting_on}: TelegramNetworkError" in log.read_text():
                break
            await asyncio.sleep(0.1)
        assert process.returncode is None, log.read_text()[-600:]
        process.send_signal(signum)
        assert await asyncio.wait_for(process.wait(), timeout=30) == 0
        assert "Traceback" not in log.read_text()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


@pytest.mark.parametrize(
    ("given", "refusal"),
    [
        (
            {"WEBHOOK_URL": PUBLIC_URL},
            "Configuration error: WEBHOOK_SECRET is not set: it is required when WEBHOOK_URL "
            "is set (1-256 characters: letters, digits, _ and -)",
        ),
        (
            {"WEBHOOK_URL": "http://bot.example.org/x", "WEBHOOK_SECRET": SECRET},
            "Configuration error: WEBHOOK_URL must be an https:// URL "
            "(Telegram posts updates only over HTTPS)",
        ),
        (
            {"WEBHOOK_URL": PUBLIC_URL, "WEBHOOK_SECRET": "with space"},
            "Configuration error: WEBHOOK_SECRET must be 1-256 characters: "
            "letters A-Z a-z, digits, _ and -",
        ),
        (
            {"WEBHOOK_URL": PUBLIC_URL, "WEBHOOK_SECRET": "x" * 257},
            "Configuration error: WEBHOOK_SECRET must be 1-256 characters: "
            "letters A-Z a-z, digits, _ and -",
        ),
        (
            {"WEBHOOK_LISTEN": "8080"},
            "Configuration error: WEBHOOK_LISTEN must be host:port, e.g. 127.0.0.1:8080",
        ),
        (
            {"WEBHOOK_LISTEN": "127.0.0.1:80:8080"},
            "Configuration error: WEBHOOK_LISTEN must be host:port, e.g. 127.0.0.1:8080",
        ),
        (
            {"WEBHOOK_LISTEN": "127.0.0.1 :8080"},
            "Configuration error: WEBHOOK_LISTEN must be host:port, e.g. 127.0.0.1:8080",
        ),
        (
            {"WEBHOOK_LISTEN": "[::1:8080"},
            "Configuration error: WEBHOOK_LISTEN must be host:port, e.g. 127.0.0.1:8080",
        ),
        (
            {"WEBHOOK_URL": "https://bot.example.org:8080/u", "WEBHOOK_SECRET": SECRET},
            "Configuration error: WEBHOOK_URL port must be 443, 80, 88 or 8443 "
            "(Telegram posts to no other)",
        ),
        (
            {"WEBHOOK_URL": "https://bot.example.org:x/u", "WEBHOOK_SECRET": SECRET},
            "Configuration error: WEBHOOK_URL has a port that is not a number from 1 to 65535",
        ),
    ],
)
def test_webhook_settings_are_checked_at_start(
    monkeypatch: pytest.MonkeyPatch, given: dict[str, str], refusal: str
) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    for name, value in given.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as error:
        Settings(_env_file=None)  # type: ignore[call-arg]
    assert describe_error(error.value) == refusal


def test_an_ipv6_listen_address_and_telegram_s_ports_are_taken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.org:8443/u")
    monkeypatch.setenv("WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("WEBHOOK_LISTEN", "[::1]:8080")
    assert Settings(_env_file=None).webhook_address == ("::1", 8080)  # type: ignore[call-arg]


async def test_set_webhook_is_tried_again_while_telegram_fails(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """A Telegram that answers 5xx at start (or a network not up yet): the registration is
    tried again after a growing pause, each failure logged in one line."""
    harness.server.fail_next("setWebhook", error_code=502, description="Bad Gateway", times=2)
    running = Served(harness)
    await running.start()
    try:
        await harness.server.wait_for(
            lambda _: [r.method for r in harness.server.requests].count("setWebhook") == 3,
            timeout=30,
        )
        failures = [r.getMessage() for r in caplog.records]
        failures = [line for line in failures if line.startswith("start: setWebhook")]
        assert len(failures) == 2 and all("\n" not in line for line in failures)
        update = harness.server.get_update(harness.server.message(ADMIN, "/help"))
        assert await running.post(update) == 200
    finally:
        await running.shut()


def test_without_a_webhook_url_the_bot_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("WEBHOOK_URL", "")
    monkeypatch.setenv("WEBHOOK_SECRET", "")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.webhook_url is None and settings.webhook_address == ("127.0.0.1", 8080)


async def test_one_chat_waits_for_its_turn_while_another_is_answered(served: Served) -> None:
    h, gate = served.harness, Gate()
    add_test_handlers(h.dp, gate)
    blocked = asyncio.create_task(served.post(h.server.get_update(h.server.message(701, "wait"))))
    async with asyncio.timeout(20):
        await gate.entered.wait()
    behind = asyncio.create_task(served.post(h.server.get_update(h.server.message(701, "echo a2"))))

    # Another chat is answered (and confirmed) while chat 701's first update is still applied.
    assert await served.post(h.server.get_update(h.server.message(702, "echo b1"))) == 200
    assert [r.plain_text for r in h.server.messages_to(702)] == ["answer to echo b1"]
    assert h.server.messages_to(701) == []
    assert not blocked.done()
    assert not behind.done()

    gate.opened.set()
    assert await blocked == 200
    assert await behind == 200
    assert [r.plain_text for r in h.server.messages_to(701)] == ["waited", "answer to echo a2"]


async def test_a_chat_s_update_holds_its_advisory_lock_against_other_replicas(
    postgres_harness: Harness,
) -> None:
    h, gate = postgres_harness, Gate()
    add_test_handlers(h.dp, gate)
    update = h.server.get_update(h.server.message(701, "wait"))
    feeding = asyncio.create_task(h.dp.feed_raw_update(h.bot, update))
    async with asyncio.timeout(20):
        await gate.entered.wait()
    try_lock = text("select pg_try_advisory_xact_lock(:key)")
    async with h.engine.connect() as replica:  # what another process would ask for
        assert await replica.scalar(try_lock, {"key": 701}) is False
        assert await replica.scalar(try_lock, {"key": 702}) is True
    gate.opened.set()
    await feeding
    async with h.engine.connect() as replica:
        assert await replica.scalar(try_lock, {"key": 701}) is True
