"""Reads only the tests use, kept out of ``storage`` (the bot itself never needs them)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Person


async def person_names(session: AsyncSession, person_ids: Sequence[int]) -> dict[int, str]:
    """Full names by person id (the digest's reports already carry their submitters' names)."""
    names: dict[int, str] = {}
    ids = sorted(set(person_ids))
    for start in range(0, len(ids), 1000):  # stay far below bind-parameter limits
        stmt = select(Person.id, Person.full_name).where(Person.id.in_(ids[start : start + 1000]))
        names.update({pid: name for pid, name in (await session.execute(stmt)).all()})  # noqa: C416
    return names
