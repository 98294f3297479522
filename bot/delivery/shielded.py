"""Awaiting through a cancellation: the sender's database work and in-flight calls are let
finish before a cancellation goes on, so none is cut in half."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from typing import TypeVar

_T = TypeVar("_T")


async def uninterrupted(awaitable: Awaitable[_T]) -> _T:
    """Await database work so that a cancellation cannot cut it in half.

    A query cancelled mid-flight can leave its connection inside a transaction (on SQLite
    holding the write lock). On cancellation the work is allowed to finish first, then
    the cancellation goes on.
    """
    task = asyncio.ensure_future(awaitable)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        await asyncio.wait({task})
        raise


async def join_workers(workers: Sequence[asyncio.Future[None]]) -> None:
    """Wait for the workers to finish their calls; a second cancellation is hard."""
    try:
        await asyncio.shield(asyncio.gather(*workers, return_exceptions=True))
    except asyncio.CancelledError:
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        raise
