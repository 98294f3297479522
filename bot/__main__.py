"""``python -m bot`` starts the bot; ``python -m bot migrate`` only applies migrations.

One bot per SQLite database: the sender and the scheduler assume they are alone (two would
send every reminder twice). ``run`` takes an exclusive ``flock`` on ``<database>.lock``
beside the database file before anything else (migrations included) and writes its pid
there; a second ``python -m bot`` on the same file stops at once with one line naming the
running one. The lock belongs to the open file, so it goes with the process however it ends:
a lock file left behind by a killed bot blocks nothing. PostgreSQL takes no lock here.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.engine import make_url

from bot.domain.clock import SystemClock
from bot.wiring.config import DatabaseSettings, Settings, describe_error
from storage.engine import create_engine
from storage.migrate import upgrade


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

    engine = create_engine(settings.database_url)
    await upgrade(engine)
    bot = create_bot(settings)
    dp = create_dispatcher(settings, engine, SystemClock())
    try:
        # Sequential handling: an update is confirmed to Telegram only after it was applied.
        await dp.start_polling(bot, handle_as_tasks=False)
    finally:
        await close(bot, engine)


async def migrate(settings: DatabaseSettings) -> None:
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "run"
    if command not in {"run", "migrate"}:
        print(f"usage: python -m bot [run|migrate] (got {command!r})", file=sys.stderr)  # noqa: T201
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
