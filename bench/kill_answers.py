"""kill -9 during a stream of answers, then a restart: nothing lost, nothing twice, order kept.

    .venv/bin/python -m bench.kill_answers [--chats 100] [--rate 50] [--kill-at 0.5]
    .venv/bin/python -m bench.kill_answers --postgres   # on a throwaway PostgreSQL 15

Builds a fresh database (SQLite file by default) with ``--chats`` ППО, each with a
registered chair, and runs the real ``python -m bot`` against a fake Bot API server in this
process. Every chair fills in the membership form: ``/report`` and nine numbers, ten updates
per chat, sent round-robin over the chats at ``--rate`` updates per second. When the
``--kill-at`` share of the stream has been sent, the bot is killed with SIGKILL and started
again at once while the stream goes on. Then it waits until every update is applied and
prints: answers lost (never applied), answers applied twice (an update applied more than once
would move every later answer of its chat one field on), chats whose form holds their answers
in the order sent, and what the kill left: updates confirmed to Telegram and still in the
inbox, updates not confirmed yet. A figure-printing benchmark, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the fake server lives with the tests

from bench.databases import arguments  # noqa: E402
from bot.texts.consent import CONSENT_VERSION  # noqa: E402
from fakes.telegram_server import FakeTelegramServer  # noqa: E402
from storage.engine import create_engine, create_session_pool  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import (  # noqa: E402
    FormDraft,
    InboxUpdate,
    Organization,
    OrgKind,
    Person,
    ProcessedUpdate,
    Role,
    RoleGrant,
)

TOKEN = "123456:BENCH-fake-telegram-token"
FIRST_CHAIR = 200_000
#: The membership form's questions in order, and the answer each chair gives.
ANSWERS = (
    ("workers", 54),
    ("members", 40),
    ("youth_workers", 12),
    ("youth_members", 8),
    ("managers", 3),
    ("managers_members", 2),
    ("joined", 4),
    ("left", 0),  # none left: the reasons are not asked
    ("retired", 5),
)
SETTLE_TIMEOUT_SECONDS = 300.0


async def build_database(engine: AsyncEngine, chats: int) -> list[int]:
    """A region, a district, ``chats`` ППО each with a chair who has agreed to the terms."""
    now = datetime.now(UTC)
    await upgrade(engine)
    async with create_session_pool(engine)() as session, session.begin():
        region = Organization(
            kind=OrgKind.REGION, name="Область", name_key="область", created_at=now, updated_at=now
        )
        session.add(region)
        await session.flush()
        district = Organization(
            kind=OrgKind.DISTRICT,
            name="Район",
            name_key="район",
            parent_id=region.id,
            created_at=now,
            updated_at=now,
        )
        session.add(district)
        await session.flush()
        chairs = [FIRST_CHAIR + n for n in range(chats)]
        for n, tg_user_id in enumerate(chairs):
            name = f"МБОУ СОШ № {n + 1}"
            org = Organization(
                kind=OrgKind.PPO,
                name=name,
                name_key=name.casefold(),
                parent_id=district.id,
                created_at=now,
                updated_at=now,
            )
            person = Person(
                tg_user_id=tg_user_id,
                full_name=f"Председатель {n + 1}",
                created_at=now,
                consent_version=CONSENT_VERSION,
                consented_at=now,
            )
            session.add_all([org, person])
            await session.flush()
            session.add(
                RoleGrant(person_id=person.id, role=Role.CHAIR, org_id=org.id, granted_at=now)
            )
    return chairs


async def start_bot(
    server: FakeTelegramServer, database_url: str, workdir: Path, log: IO[bytes]
) -> asyncio.subprocess.Process:
    """The real bot, as ``tests/test_end_to_end.py`` starts it."""
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": server.base_url,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=workdir,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=log,
    )


async def stop_bot(process: asyncio.subprocess.Process, how: signal.Signals) -> None:
    if process.returncode is None:
        process.send_signal(how)
    await process.wait()


def stream(chairs: list[int]) -> list[tuple[int, str]]:
    """(chat, text) in sending order: round-robin, each chat's answers in form order."""
    per_chat = ["/report", *(str(value) for _, value in ANSWERS)]
    return [(chair, text) for text in per_chat for chair in chairs]


async def count(engine: AsyncEngine, model: type[ProcessedUpdate] | type[InboxUpdate]) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(model)) or 0)


async def what_the_kill_left(engine: AsyncEngine, server: FakeTelegramServer) -> dict[str, int]:
    return {
        "applied": await count(engine, ProcessedUpdate),
        "inbox": await count(engine, InboxUpdate),
        "unconfirmed": len(server.pending_updates),
    }


async def settle(engine: AsyncEngine, total: int) -> float:
    """Wait (reading the database of the other process) until every update is applied or the
    timeout passes; the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < SETTLE_TIMEOUT_SECONDS:
        if await count(engine, ProcessedUpdate) >= total and not await count(engine, InboxUpdate):
            break
        await asyncio.sleep(0.2)
    return time.monotonic() - started


async def run(args: argparse.Namespace, database_url: str, workdir: Path) -> None:
    engine = create_engine(database_url)
    chairs = await build_database(engine, args.chats)
    sends = stream(chairs)
    kill_index = int(len(sends) * args.kill_at)
    at_kill: dict[str, int] = {}
    stream_seconds = settle_seconds = 0.0
    replies: dict[int, int] = {}
    async with FakeTelegramServer(token=TOKEN) as server:
        with (workdir / "bot.log").open("ab") as log:
            process = await start_bot(server, database_url, workdir, log)
            try:
                await server.wait_polling(timeout=60)
                started = time.monotonic()
                for index, (chat, text) in enumerate(sends):
                    if index == kill_index:
                        await stop_bot(process, signal.SIGKILL)
                        at_kill = await what_the_kill_left(engine, server)
                        process = await start_bot(server, database_url, workdir, log)
                    server.message(chat, text)
                    pace = started + (index + 1) / args.rate - time.monotonic()
                    await asyncio.sleep(max(0.0, pace))  # the stream's rate, not a wait
                stream_seconds = time.monotonic() - started
                settle_seconds = await settle(engine, len(sends))
                replies = {chat: len(server.messages_to(chat)) for chat in chairs}
            finally:
                await stop_bot(process, signal.SIGTERM)
    await report(engine, args, chairs, replies, at_kill, stream_seconds, settle_seconds)
    await engine.dispose()


async def report(
    engine: AsyncEngine,
    args: argparse.Namespace,
    chairs: list[int],
    replies: dict[int, int],
    at_kill: dict[str, int],
    stream_seconds: float,
    settle_seconds: float,
) -> None:
    total = len(chairs) * (len(ANSWERS) + 1)
    expected = dict(ANSWERS)
    async with create_session_pool(engine)() as session:
        applied = await session.scalar(select(func.count()).select_from(ProcessedUpdate)) or 0
        drafts = {d.tg_user_id: d.answers for d in await session.scalars(select(FormDraft))}
    in_order = sum(
        1 for chair in chairs if {k: drafts.get(chair, {}).get(k) for k in expected} == expected
    )
    print(
        f"answers sent: {total} from {len(chairs)} chats at {args.rate}/s "
        f"({stream_seconds:.1f} s); SIGKILL after {int(total * args.kill_at)} sent"
    )
    print(
        f"at the kill: {at_kill['applied']} applied, {at_kill['inbox']} confirmed and "
        f"waiting in the inbox, {at_kill['unconfirmed']} not yet confirmed"
    )
    print(f"all applied {settle_seconds:.1f} s after the stream ended")
    print(f"answers lost: {total - applied}")
    print(
        f"answers applied twice: {len(chairs) - in_order} chats with a shifted or "
        f"doubled answer; replies beyond one per answer: "
        f"{sum(max(0, n - len(ANSWERS) - 1) for n in replies.values())}"
    )
    print(
        f"per-chat order kept: {in_order}/{len(chairs)} chats' forms hold their answers "
        f"in the order sent"
    )
    print(
        f"replies lost to the kill (answer applied, reply not sent): "
        f"{sum(max(0, len(ANSWERS) + 1 - n) for n in replies.values())}"
    )


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--chats", type=int, default=100)
    parser.add_argument("--rate", type=float, default=50.0, help="updates per second")
    parser.add_argument("--kill-at", type=float, default=0.5, help="share of the stream")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        if not args.postgres:
            url = f"sqlite+aiosqlite:///{workdir / 'bot.sqlite3'}"
            asyncio.run(run(args, url, workdir))
            return
        from pg_cluster import postgres_unavailable_reason, start_postgres

        reason = postgres_unavailable_reason()
        if reason is not None:
            raise SystemExit(f"PostgreSQL is not available: {reason}")
        with start_postgres(workdir / "pg") as cluster:
            print("PostgreSQL 15 (durability off, as in the tests)")
            asyncio.run(run(args, cluster.create_database("bench"), workdir))


if __name__ == "__main__":
    main()
