"""Fault isolation for scheduled work: one bad row is logged and skipped, never the whole tick.

The clockwork (``bot/wiring/scheduler.py``) works every minute over everything stored: districts,
collections and their targets, staff digests, announcements. A stored row can be wrong in a
way no input check foresaw (a deadline of 31.12.9999 overflows date arithmetic, a time zone
that does not exist): one such row used to make every tick fail, and the start as well, since
catch-up runs at start-up. So each unit of work runs inside :meth:`Isolation.unit`, around its
own transaction or savepoint: its exception rolls that back, is logged with the unit's name
(which carries its ids) and is swallowed, and its siblings go on. The names of the failed units
are kept, so that catch-up can tell the admins what it skipped.

A unit failing tick after tick is logged with its traceback once, then in one line each time,
so that a broken row does not write a traceback into the log every minute.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

log = logging.getLogger(__name__)


class Isolation:
    """Runs units of scheduled work so that a failing one is logged and skipped.

    ``failing`` is the set of units that failed before (kept across ticks by the caller) and
    only decides how verbosely a failure is logged.
    """

    def __init__(self, failing: set[str] | None = None) -> None:
        self.failed: list[str] = []
        self._failing = failing if failing is not None else set()

    @asynccontextmanager
    async def unit(self, name: str) -> AsyncIterator[None]:
        """Run the body as the unit ``name``; an ``Exception`` from it ends here, logged."""
        try:
            yield
        except Exception:
            self.failed.append(name)
            if name in self._failing:
                log.error("%s failed again and was skipped", name)
            else:
                self._failing.add(name)
                log.exception("%s failed and was skipped; the rest of the work goes on", name)
        else:
            self._failing.discard(name)
