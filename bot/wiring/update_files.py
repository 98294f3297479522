"""The files an update brings, downloaded once for all its tries.

An update whose try met a busy database is run again (``bot.wiring.middlewares``), on
SQLite in a transaction that holds the write lock from its start: downloading the file again
there would make every other chat wait for Telegram's file server. The bytes of the first
try are kept for the next ones, in a context variable that lives as long as the update.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_KEPT: ContextVar[dict[str, bytes] | None] = ContextVar("update_files", default=None)


@contextmanager
def kept_for_the_update() -> Iterator[None]:
    """Around all the tries of one update: what they download is kept until it is done."""
    token = _KEPT.set({})
    try:
        yield
    finally:
        _KEPT.reset(token)


async def fetched_once(file_id: str, fetch: Callable[[], Awaitable[bytes]]) -> bytes:
    """The file's bytes: fetched by the update's first try, kept for the others."""
    kept = _KEPT.get()
    if kept is None:
        return await fetch()
    if file_id not in kept:
        kept[file_id] = await fetch()
    return kept[file_id]
