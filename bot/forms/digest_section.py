"""A form's lines in the staff digest, declared with the form (``Form.digest``) and read off
the registry (``bot/forms/registry.py``), so a new form reaches the digest by its declaration
alone."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

V = TypeVar("V")

DigestLines = Callable[[int], list[str]]
"""A form's lines in one digest, given how many names a list may show before «…и ещё N» (the
digest shrinks that number until its message fits one phone screen)."""


@dataclass(frozen=True)
class DigestSection(Generic[V]):
    """The form's say in the staff digest, after the coverage and the events: what it reads
    for the digest's scope on its day (``load``: session, scope org id, the scope's local
    date), and the lines that say it (``lines``: the value read, the list cap)."""

    load: Callable[[AsyncSession, int, date], Awaitable[V]]
    lines: Callable[[V, int], list[str]]

    async def read(self, session: AsyncSession, scope_org_id: int, today: date) -> DigestLines:
        return partial(self.lines, await self.load(session, scope_org_id, today))


async def read_sections(
    sections: Sequence[DigestSection[Any]],
    session: AsyncSession,
    scope_org_id: int,
    today: date,
) -> tuple[DigestLines, ...]:
    """Every section read for one digest, in the order the forms are listed."""
    return tuple([await section.read(session, scope_org_id, today) for section in sections])
