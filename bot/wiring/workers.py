"""Worker processes for the region-wide replies: a job loads through a session of its own and
renders there, in another process, so its CPU never competes with the event loop's.

Why processes and not threads: a region's table or digest is about half a second of Python
(turning 3,000 ППО's rows into objects, writing the xlsx, drawing the chart). In a thread it
holds the interpreter lock the event loop needs for every other chat's update; measured with
``bench.latency exports``, chairs then waited 0.3 s (median) for their next question instead of
9 ms. A worker process runs on another core with a lock of its own.

A job is a module-level ``async def job(sessions, request)`` whose request and result pickle
(plain dataclasses); ``sessions`` makes read-only sessions, so that a job can close its session
before it draws. Each worker keeps one event loop and one engine per database (the bot's URL is
sent with every job), opened at the first job. The processes are started with ``spawn``: the
bot's process has threads (aiosqlite, the sender's drawings), which ``fork`` would copy in
whatever state they were in.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.engine import create_engine, create_reading_pool

Request = TypeVar("Request")
Result = TypeVar("Result")
Sessions = async_sessionmaker[AsyncSession]
Job = Callable[[Sessions, Request], Awaitable[Result]]

log = logging.getLogger(__name__)

_ENGINES_KEPT = 2  # a worker serves one bot; tests open a database per test


class Workers:
    """Runs jobs for one bot's database in the worker processes (started at the first job,
    shared by every :class:`Workers` of this process: a job carries its database's URL)."""

    def __init__(self, database_url: str, processes: int) -> None:
        self._url, self._processes = database_url, processes

    async def run(self, job: Job[Request, Result], request: Request) -> Result:
        """``job(sessions, request)`` in a worker process, with read-only sessions of its own.

        A worker that died (killed for memory, say) breaks its pool: the job is tried once more
        in new workers, then :class:`WorkersFailedError`."""
        for attempt in (1, 2):
            pool = self._pool()
            try:
                return await asyncio.get_running_loop().run_in_executor(
                    pool, _run_job, self._url, job, request
                )
            except BrokenProcessPool as error:
                if _pools.get(self._processes) is pool:  # not one another job started since
                    del _pools[self._processes]  # the next job starts new workers
                log.warning("a worker process died (try %d): %s", attempt, error)
        raise WorkersFailedError

    def _pool(self) -> ProcessPoolExecutor:
        pool = _pools.get(self._processes)
        if pool is None:
            spawn = multiprocessing.get_context("spawn")
            pool = _pools[self._processes] = ProcessPoolExecutor(self._processes, mp_context=spawn)
        return pool


class WorkersFailedError(RuntimeError):
    """The worker processes died twice in a row running one job."""


_pools: dict[int, ProcessPoolExecutor] = {}


async def stop_workers() -> None:
    """Stop the worker processes (a job in progress is finished first, off the event loop)."""
    while _pools:
        _, pool = _pools.popitem()
        await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)


class _WorkerState:
    """What a worker process keeps between jobs: its event loop and its engines."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.engines: dict[str, AsyncEngine] = {}

    def engine_for(self, url: str) -> AsyncEngine:
        if url not in self.engines:
            while len(self.engines) >= _ENGINES_KEPT:
                oldest = next(iter(self.engines))
                self.loop.run_until_complete(self.engines.pop(oldest).dispose())
            self.engines[url] = create_engine(url)
        return self.engines[url]


@functools.cache
def _worker_state() -> _WorkerState:
    return _WorkerState()


def _run_job(url: str, job: Job[Request, Result], request: Request) -> Result:
    """In the worker process: one job, on the worker's loop and engine."""
    state = _worker_state()
    sessions = create_reading_pool(state.engine_for(url))
    return state.loop.run_until_complete(job(sessions, request))
