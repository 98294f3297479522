"""The audit log: every change of data or of rights, with who, when, before and after."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry


def record(
    session: AsyncSession,
    *,
    at: datetime,
    actor_id: int | None,
    action: str,
    org_id: int | None = None,
    person_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        at=at,
        actor_id=actor_id,
        action=action,
        org_id=org_id,
        person_id=person_id,
        before=before,
        after=after,
    )
    session.add(entry)
    return entry


async def latest(
    session: AsyncSession,
    *,
    org_id: int | None = None,
    person_id: int | None = None,
    limit: int = 20,
) -> Sequence[AuditEntry]:
    """Newest first, for an organization, or for a person as actor or subject."""
    stmt = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if org_id is not None:
        stmt = stmt.where(AuditEntry.org_id == org_id)
    if person_id is not None:
        stmt = stmt.where(or_(AuditEntry.person_id == person_id, AuditEntry.actor_id == person_id))
    return (await session.scalars(stmt)).all()


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values differ, as (before, after)."""
    keys = [key for key in after if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}


async def since(
    session: AsyncSession, *, action: str, since: datetime, org_ids: Collection[int] | None = None
) -> Sequence[AuditEntry]:
    """The entries of ``action`` from ``since`` on, oldest first; of ``org_ids`` only if given."""
    stmt = select(AuditEntry).where(AuditEntry.action == action, AuditEntry.at >= since)
    if org_ids is not None:
        stmt = stmt.where(AuditEntry.org_id.in_(org_ids))
    return (await session.scalars(stmt.order_by(AuditEntry.at, AuditEntry.id))).all()


async def moved_into(session: AsyncSession, scope_id: int) -> dict[int, datetime]:
    """When organizations were moved under ``scope_id``, by id, of those whose latest move
    (``org.move``, the record of moves; an admin's rare act, so all are read) was there: a
    ППО moved into a district answers for the district's plan items from then on."""
    stmt = select(AuditEntry).where(AuditEntry.action == "org.move")
    latest: dict[int | None, AuditEntry] = {}
    for entry in (await session.scalars(stmt.order_by(AuditEntry.at, AuditEntry.id))).all():
        latest[entry.org_id] = entry
    return {
        org_id: entry.at
        for org_id, entry in latest.items()
        if org_id is not None and (entry.after or {}).get("parent_id") == scope_id
    }


async def scopes_moved_into(session: AsyncSession, start: datetime) -> set[int]:
    """The districts a ППО was moved into from ``start`` on."""
    entries = await since(session, action="org.move", since=start)
    return {
        scope for entry in entries if isinstance(scope := (entry.after or {}).get("parent_id"), int)
    }
