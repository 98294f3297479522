"""The due messages of one drain, queued per chat so that each chat gets them in order."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from typing import Any

from bot.delivery.limiter import Signal
from storage.models import OutboxMessage


@dataclass(frozen=True)
class Item:
    """A snapshot of a due row (no ORM object crosses a session)."""

    id: int
    key: str
    chat_id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    outages: int  # of ``attempts``, those the network was down for

    @classmethod
    def of(cls, row: OutboxMessage) -> Item:
        return cls(
            id=row.id,
            key=row.key,
            chat_id=row.chat_id,
            kind=row.kind,
            payload=dict(row.payload or {}),
            attempts=row.attempts,
            outages=row.outages,
        )


class Schedule:
    """Due messages of one drain, per chat in order; a chat is handed to one worker at a time."""

    def __init__(self) -> None:
        self.halted = asyncio.Event()
        self.changed = Signal()
        self.ids: set[int] = set()  # queued or in flight
        self._queues: dict[int, deque[Item]] = {}
        self._ready: deque[int] = deque()
        self._busy: set[int] = set()
        self._finished = False

    @property
    def outstanding(self) -> int:
        return len(self.ids)

    def add(self, item: Item) -> None:
        self.ids.add(item.id)
        queue = self._queues.get(item.chat_id)
        if queue is None:
            queue = self._queues[item.chat_id] = deque()
            if item.chat_id not in self._busy:
                self._ready.append(item.chat_id)
        queue.append(item)
        self.changed.notify()

    async def take(self) -> Item | None:
        """The next message of the next chat not in flight; None once finished or halted."""
        while True:
            if self.halted.is_set():
                return None
            if self._ready:
                chat_id = self._ready.popleft()
                self._busy.add(chat_id)
                return self._queues[chat_id].popleft()
            if self._finished:
                return None
            await self.changed.wait()

    def done(self, item: Item) -> None:
        self.ids.discard(item.id)
        self._busy.discard(item.chat_id)
        queue = self._queues.get(item.chat_id)
        if queue:
            self._ready.append(item.chat_id)
        else:
            self._queues.pop(item.chat_id, None)
        self.changed.notify()

    def halt(self) -> None:
        self.halted.set()
        self.changed.notify()

    def finish(self) -> None:
        self._finished = True
        self.changed.notify()
