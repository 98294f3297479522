"""``python -m bot`` starts the bot; ``python -m bot migrate`` only applies migrations;
``python -m bot transfer --from URL --to URL`` copies a database into an empty one;
``python -m bot restore [BACKUP]`` lists the nightly copies or puts one back in place.

The bot polls Telegram through a durable inbox (``bot/wiring/inbox.py``), or, with
``WEBHOOK_URL`` set, serves a webhook (``bot/wiring/webhook.py``); the lock below covers both.

One bot per SQLite database: the sender and the scheduler assume they are alone (two would
send every reminder twice). ``run`` takes an exclusive ``flock`` on ``<database>.lock``
beside the database file before anything else (migrations included) and writes its pid
there; a second ``python -m bot`` on the same file stops at once with one line naming the
running one. The lock belongs to the open file, so it goes with the process however it ends:
a lock file left behind by a killed bot blocks nothing. PostgreSQL takes no lock here.
``restore`` takes the lock too: it refuses while a bot runs, and no bot starts meanwhile.
``transfer`` takes the same lock on an SQLite source (and target), so that neither changes
while it copies, and no bot starts on them meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import fcntl
import gc
import logging
import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.clock import SystemClock
from bot.wiring.config import BackupSettings, DatabaseSettings, Settings, describe_error
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.restore import Restored, RestoreError, copies, restore
from storage.transfer import TransferError, transfer

CANNOT_OPEN = "Configuration error: DATABASE_URL cannot be opened: "
USAGE = (
    "usage: python -m bot [run | migrate | restore [BACKUP]"
    " | transfer --from DATABASE_URL --to DATABASE_URL]"
)


class AlreadyRunningError(RuntimeError):
    """Another bot process holds the database's lock."""


class DatabaseUnreachableError(RuntimeError):
    """The database of ``DATABASE_URL`` does not answer (a PostgreSQL server down, a wrong
    password or database name, an SQLite file that cannot be opened): one line, no traceback."""


def _reason(error: BaseException) -> str:
    """One line saying why a database could not be opened."""
    if isinstance(error, OSError) and error.filename is not None:
        return f"{error.strerror or error}: {error.filename}"
    if isinstance(error, DBAPIError) and error.orig is not None:
        error = error.orig
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


async def opened(database_url: str) -> AsyncEngine:
    """The engine, once one connection has shown the database answers; otherwise
    DatabaseUnreachableError (an error in a migration itself stays a traceback)."""
    try:
        engine = create_engine(database_url)
    except OSError as error:  # a file in the way of the SQLite file's folder
        raise DatabaseUnreachableError(_reason(error)) from None
    try:
        async with engine.connect():
            pass
    except (OSError, SQLAlchemyError) as error:
        await engine.dispose()
        raise DatabaseUnreachableError(_reason(error)) from None
    return engine


def _sqlite_file(database_url: str) -> Path | None:
    """The database file of an SQLite URL, None for PostgreSQL or an in-memory database."""
    url = make_url(database_url)
    if not url.get_backend_name().startswith("sqlite") or url.database in {None, "", ":memory:"}:
        return None
    return Path(str(url.database)).resolve()  # «~» is expanded by the settings


@contextlib.contextmanager
def single_instance(database_url: str) -> Iterator[None]:
    """Hold the database's lock for the duration; AlreadyRunningError if another bot has it."""
    database = _sqlite_file(database_url)
    if database is None:
        yield
        return
    if database.is_dir():  # SQLite would fail later, with no word of which setting
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a database file", str(database))
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
    from bot.wiring.webhook import leave_webhook, run_webhook, stop_on_signals, unless_stopped

    engine = await opened(settings.database_url)
    await upgrade(engine)
    bot = create_bot(settings)
    dp = create_dispatcher(settings, engine, SystemClock())
    # Everything loaded at start lives as long as the process: frozen, a full garbage
    # collection walks only what came later (bench/loop_block.py: 210 ms to 45 ms at most).
    gc.collect()
    gc.freeze()
    stop = stop_on_signals()  # also while a start-up call waits for Telegram to answer
    try:
        if settings.webhook_url is not None:
            await run_webhook(dp, bot, settings, stop)
        elif await unless_stopped(leave_webhook(bot), stop):
            # Each update is written to the inbox before Telegram is told it arrived.
            await run_polling(dp, bot, stop, chats_at_once=settings.chats_at_once)
    finally:
        await close(bot, engine)


async def migrate(settings: DatabaseSettings) -> None:
    engine = await opened(settings.database_url)
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


def _checked_url(flag: str, url: str) -> str:
    """The URL as the settings read it («~» expanded), so that the checks, the lock and the
    copy all open the same file; TransferError naming the flag when it cannot be used."""
    try:
        return DatabaseSettings(database_url=url, _env_file=None).database_url  # type: ignore[call-arg]
    except ValidationError as error:
        raise TransferError(
            f"{flag} " + error.errors()[0]["msg"].removeprefix("Value error, ")
        ) from None


def _transfer_urls(args: argparse.Namespace) -> tuple[str, str]:
    """The source and target URLs; TransferError when the copy cannot even start."""
    source, target = _checked_url("--from", args.source), _checked_url("--to", args.target)
    for flag, url in (("--from", source), ("--to", target)):
        if _sqlite_file(url) is None and make_url(url).get_backend_name().startswith("sqlite"):
            raise TransferError(f"{flag} is an in-memory database: nothing would stay in it")
    source_file = _sqlite_file(source)
    if source_file is not None and not source_file.is_file():
        raise TransferError(f"there is no database file {source_file}")
    if source_file is not None and source_file == _sqlite_file(target):
        raise TransferError("the source and the target are the same database")
    return source, target


def transfer_command(argv: list[str]) -> int:
    """``transfer --from URL --to URL``: copy, print the rows per table; 1 when refused."""
    args = _transfer_arguments(argv)
    with contextlib.ExitStack() as stack:
        try:
            source, target = _transfer_urls(args)
            stack.enter_context(single_instance(source))
            stack.enter_context(single_instance(target))
            copies = asyncio.run(transfer(source, target))
        except (AlreadyRunningError, TransferError) as error:
            print(f"Transfer refused: {error}", file=sys.stderr)  # noqa: T201
            return 1
        except (OSError, SQLAlchemyError) as error:  # a database unreachable, or failing
            # One transaction on the target: whether it failed at once or midway, nothing of
            # the copy is in it (and it may never have been reached).
            reason = _reason(error)
            print(f"Transfer failed, nothing copied into the target: {reason}", file=sys.stderr)  # noqa: T201
            return 1
    for copy in copies:
        print(f"{copy.table}: {copy.rows}")  # noqa: T201
    total = sum(copy.rows for copy in copies)
    print(f"copied {total} rows in {len(copies)} tables; every table's count matches")  # noqa: T201
    return 0


def _restorable(database_url: str) -> Path:
    """The SQLite file a copy is restored into; RestoreError for any other database."""
    if not make_url(database_url).get_backend_name().startswith("sqlite"):
        raise RestoreError(
            "DATABASE_URL is PostgreSQL; the bot's nightly copies are SQLite only: "
            "restore a pg_dump with pg_restore"
        )
    database = _sqlite_file(database_url)
    if database is None:
        raise RestoreError("DATABASE_URL is an in-memory database: nothing to restore into")
    return database


def _listing(folder: Path) -> str:
    """The copies, newest first, when taken (the machine's time) and how big; how to choose."""
    found = copies(folder)
    if not found:
        raise RestoreError(f"there are no copies in {folder.resolve()} (BACKUP_DIR)")
    lines = [f"Nightly copies in {folder.resolve()}, newest first:"]
    for copy in found:
        taken = copy.taken_at.astimezone().strftime("%Y-%m-%d %H:%M %Z")
        lines.append(f"  {copy.path.name}  {taken}  {copy.size / 1024 / 1024:.1f} MB")
    lines.append(
        f"To restore one, stop the bot and run: python -m bot restore {found[0].path.name}"
    )
    return "\n".join(lines)


def _chosen(folder: Path, backup: str, database: Path) -> Path:
    """The copy named on the command line: a path, or a name in BACKUP_DIR."""
    copy = Path(backup).expanduser()
    if not copy.is_file() and (folder / backup).is_file():
        copy = folder / backup
    if not copy.is_file():
        raise RestoreError(f"there is no copy {backup} (python -m bot restore lists them)")
    if copy.resolve() == database:
        raise RestoreError(f"{backup} is the database itself")
    return copy


def _restored_line(copy: Path, restored: Restored) -> str:
    """One line: what was done, where the previous database went, how to undo."""
    done = f"Restored {restored.database} from {copy}"
    if "" not in restored.moved:
        return f"{done}; there was no database before it"
    aside = ", ".join(restored.aside.name + end for end in restored.moved)
    undo = f"python -m bot restore {restored.aside}"
    return (
        f"{done}; the previous database is kept as {aside}; to undo, stop the bot and run: {undo}"
    )


def restore_command(backup: str | None) -> int:
    """``restore``: list the nightly copies; ``restore BACKUP``: put one in place of the
    SQLite database (``storage/restore.py``) under the bot's lock; 2 and one line when
    refused."""
    try:
        settings = BackupSettings()
    except ValidationError as error:
        print(describe_error(error), file=sys.stderr)  # noqa: T201
        return 2
    try:
        database = _restorable(settings.database_url)
        if backup is None:
            print(_listing(settings.backup_dir))  # noqa: T201
            return 0
        copy = _chosen(settings.backup_dir, backup, database)
        with single_instance(settings.database_url):
            restored = restore(copy, database, now=datetime.now(UTC))
    except (AlreadyRunningError, RestoreError) as error:
        print(f"Restore refused: {error}", file=sys.stderr)  # noqa: T201
        return 2
    except OSError as error:  # no right to write in the database's folder
        print(f"Restore failed: {_reason(error)}", file=sys.stderr)  # noqa: T201
        return 2
    print(_restored_line(copy, restored))  # noqa: T201
    return 0


def run_command(settings: Settings) -> int:
    """Start the bot under the database's lock; 1 when another bot holds it, 2 when the
    database cannot be opened, Telegram refuses the token or the webhook, or the webhook's
    address is taken (one line, no traceback)."""
    from aiogram.exceptions import TelegramUnauthorizedError

    from bot.wiring.webhook import WebhookSetupError

    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(single_instance(settings.database_url))
        except AlreadyRunningError as error:
            print(error, file=sys.stderr)  # noqa: T201
            return 1
        except OSError as error:  # a file in the way of the folder, no right to write there
            print(f"{CANNOT_OPEN}{_reason(error)}", file=sys.stderr)  # noqa: T201
            return 2
        try:
            asyncio.run(run(settings))
        except DatabaseUnreachableError as error:
            print(f"{CANNOT_OPEN}{error}", file=sys.stderr)  # noqa: T201
            return 2
        except WebhookSetupError as error:
            print(f"Configuration error: {error}", file=sys.stderr)  # noqa: T201
            return 2
        except TelegramUnauthorizedError:
            print(  # noqa: T201
                "Configuration error: BOT_TOKEN is refused by Telegram (401 Unauthorized): "
                "a typo, or revoked in @BotFather",
                file=sys.stderr,
            )
            return 2
    return 0


def _usage(argv: list[str]) -> int | None:
    """For ``-h``/``--help``: the usage line, 0; for anything but a lone known command (or
    ``transfer`` with its own arguments, ``restore`` with one): the usage line, 2; None to
    go on."""
    if argv[:1] == ["transfer"]:
        return None
    if any(arg in {"-h", "--help"} for arg in argv):
        print(USAGE)  # noqa: T201
        return 0
    restore_one = argv[:1] == ["restore"] and len(argv) == 2
    if not restore_one and (
        len(argv) > 1 or argv[:1] not in ([], ["run"], ["migrate"], ["restore"])
    ):
        print(f"{USAGE} (got {' '.join(argv)!r})", file=sys.stderr)  # noqa: T201
        return 2
    return None


def main(argv: list[str]) -> int:
    refused = _usage(argv)
    if refused is not None:
        return refused
    command = argv[0] if argv else "run"
    if command == "transfer":
        return transfer_command(argv[1:])
    if command == "restore":
        return restore_command(argv[1] if len(argv) > 1 else None)
    try:
        settings = DatabaseSettings() if command == "migrate" else Settings()  # type: ignore[call-arg]
    except ValidationError as error:
        print(describe_error(error), file=sys.stderr)  # noqa: T201
        return 2
    level = getattr(settings, "log_level", "INFO")
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if isinstance(settings, Settings):
        return run_command(settings)
    try:
        asyncio.run(migrate(settings))
    except DatabaseUnreachableError as error:
        print(f"{CANNOT_OPEN}{error}", file=sys.stderr)  # noqa: T201
        return 2
    logging.getLogger(__name__).info("database is at the latest schema")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
