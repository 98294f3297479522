"""Rows stored once per submission key (a confirmed draft's token): a confirm tapped twice or
an update delivered twice finds the row the first one stored instead of adding another."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DistrictEvent, Event, MembershipReport, ReservePerson

Submitted = TypeVar("Submitted", DistrictEvent, Event, MembershipReport, ReservePerson)


async def stored_for(
    session: AsyncSession, model: type[Submitted], submission_key: str
) -> Submitted | None:
    """The row of ``model`` a submission with this key stored, if any."""
    stmt = select(model).where(model.submission_key == submission_key)
    return (await session.scalars(stmt)).first()


async def add_once(session: AsyncSession, row: Submitted) -> tuple[Submitted, bool]:
    """Store ``row`` unless its submission key was stored already; (the stored row, added now)."""
    existing = await stored_for(session, type(row), row.submission_key)
    if existing is not None:
        return existing, False
    session.add(row)
    await session.flush()
    return row, True
