"""``python -m bot`` starts the bot; ``python -m bot migrate`` only applies migrations."""

from __future__ import annotations

import asyncio
import logging
import sys

from pydantic import ValidationError

from bot.clock import SystemClock
from bot.config import DatabaseSettings, Settings, describe_error
from bot.factory import close, create_bot, create_dispatcher
from storage.engine import create_engine
from storage.migrate import upgrade


async def run(settings: Settings) -> None:
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
        asyncio.run(run(settings))
    else:
        asyncio.run(migrate(settings))
        logging.getLogger(__name__).info("database is at the latest schema")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
