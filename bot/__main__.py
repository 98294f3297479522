"""``python -m bot`` starts the bot; ``python -m bot migrate`` only applies migrations;
``python -m bot transfer --from URL --to URL`` copies a database into an empty one.

The bot polls Telegram through a durable inbox (``bot/wiring/inbox.py``), or, with
``WEBHOOK_URL`` set, serves a webhook (``bot/wiring/webhook.py``); the lock below covers both.

One bot per SQLite database: the sender and the scheduler assume they are alone (two would
send every reminder twice). ``run`` takes an exclusive ``flock`` on ``<database>.lock``
beside the database file before anything else (migrations included) and writes its pid
there; a second ``python -m bot`` on the same file stops at once with one line naming the
running one. The lock belongs to the open file, so it goes with the process however it ends:
a lock file left behind by a killed bot blocks nothing. PostgreSQL takes no lock here.
``transfer`` takes the same lock on an SQLite source (and target), so that neither changes
while it copies, and no bot starts on them meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import gc
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.domain.clock import SystemClock
from bot.wiring.config import DatabaseSettings, Settings, describe_error
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.transfer import TransferError, transfer


class AlreadyRunningError(RuntimeError):
    """Another bot process holds the database's lock."""


def _sqlite_file(database_url: str) -> Path | None:
    """The database file of an SQLite URL, None for PostgreSQL or an in-memory database."""
    url = make_url(database_url)
    if not url.get_backend_name().startswith("sqlite") or url.database in {None, "", ":memory:"}:
        return None
    return Path(str(url.database)).expanduser().resolve()


@contextlib.contextmanager
def single_instance(database_url: str) -> Iterator[None]:
    """Hold the database's lock for the duration; AlreadyRunningError if another bot has it."""
    database = _sqlite_file(database_url)
    if database is None:
        yield
        return
    path = database.with_name(database.name + ".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            msg = (
                f"Another bot is already running on {database} (pid {holder}); "
                "stop it first (one bot per database)"
            )
            raise AlreadyRunningError(msg) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # releases the lock


async def run(settings: Settings) -> None:
    # Imported here: a start refused by the lock stops before loading the handlers.
    from bot.wiring.factory import close, create_bot, create_dispatcher
    from bot.wiring.inbox import run_polling
    from bot.wiring.webhook import leave_webhook, run_webhook, stop_on_signals

    engine = create_engine(settings.database_url)
    await upgrade(engine)
    bot = create_bot(settings)
    dp = create_dispatcher(settings, engine, SystemClock())
    # Everything loaded at start lives as long as the process: frozen, a full garbage
    # collection walks only what came later (bench/loop_block.py: 210 ms to 45 ms at most).
    gc.collect()
    gc.freeze()
    try:
        if settings.webhook_url is not None:
            await run_webhook(dp, bot, settings, stop_on_signals())
        else:
            await leave_webhook(bot)
            # Each update is written to the inbox before Telegram is told it arrived.
            await run_polling(dp, bot, stop_on_signals(), chats_at_once=settings.chats_at_once)
    finally:
        await close(bot, engine)


async def migrate(settings: DatabaseSettings) -> None:
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def _transfer_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot transfer",
        description="Copy a bot database into an empty one (e.g. SQLite to PostgreSQL). "
        "Stop the bot first: the source must not change during the copy.",
    )
    parser.add_argument("--from", dest="source", required=True, metavar="DATABASE_URL")
    parser.add_argument("--to", dest="target", required=True, metavar="DATABASE_URL")
    return parser.parse_args(argv)


def _transfer_refusal(source: str, target: str) -> str | None:
    """Why the transfer cannot even start (a bad URL, no source file), None when it can."""
    for flag, url in (("--from", source), ("--to", target)):
        try:
            DatabaseSettings(database_url=url, _env_file=None)  # type: ignore[call-arg]
        except ValidationError as error:
            return f"{flag} " + error.errors()[0]["msg"].removeprefix("Value error, ")
    source_file = _sqlite_file(source)
    if source_file is not None and not source_file.is_file():
        return f"there is no database file {source_file}"
    return None


def transfer_command(argv: list[str]) -> int:
    """``transfer --from URL --to URL``: copy, print the rows per table; 1 when refused."""
    args = _transfer_arguments(argv)
    refusal = _transfer_refusal(args.source, args.target)
    if refusal is not None:
        print(f"Transfer refused: {refusal}", file=sys.stderr)  # noqa: T201
        return 1
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(single_instance(args.source))
            stack.enter_context(single_instance(args.target))
            copies = asyncio.run(transfer(args.source, args.target))
        except (AlreadyRunningError, TransferError) as error:
            print(f"Transfer refused: {error}", file=sys.stderr)  # noqa: T201
            return 1
        except (OSError, SQLAlchemyError) as error:  # a database unreachable, or failing
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            print(f"Transfer failed, the target left empty: {reason}", file=sys.stderr)  # noqa: T201
            return 1
    for copy in copies:
        print(f"{copy.table}: {copy.rows}")  # noqa: T201
    total = sum(copy.rows for copy in copies)
    print(f"copied {total} rows in {len(copies)} tables; every table's count matches")  # noqa: T201
    return 0


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "run"
    if command == "transfer":
        return transfer_command(argv[1:])
    if command not in {"run", "migrate"}:
        usage = f"usage: python -m bot [run|migrate|transfer] (got {command!r})"
        print(usage, file=sys.stderr)  # noqa: T201
        return 2
    try:
        settings = DatabaseSettings() if command == "migrate" else Settings()  # type: ignore[call-arg]
    except ValidationError as error:
        print(describe_error(error), file=sys.stderr)  # noqa: T201
        return 2
    level = getattr(settings, "log_level", "INFO")
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if isinstance(settings, Settings):
        with contextlib.ExitStack() as stack:
            try:
                stack.enter_context(single_instance(settings.database_url))
            except AlreadyRunningError as error:
                print(error, file=sys.stderr)  # noqa: T201
                return 1
            asyncio.run(run(settings))
    else:
        asyncio.run(migrate(settings))
        logging.getLogger(__name__).info("database is at the latest schema")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
