"""Events a ППО held; deletions are soft so the record stays."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Event
from storage.submissions import add_once

EVENT_FIELDS = (
    "kind",
    "kind_other",
    "topic",
    "date_from",
    "date_to",
    "online",
    "place",
    "views",
    "participants",
    "direction",
    "description",
    "photos",
)


def snapshot(event: Event) -> dict[str, Any]:
    """The event's fields as JSON-safe values, for the audit log."""
    values = {name: getattr(event, name) for name in EVENT_FIELDS}
    values["date_from"], values["date_to"] = event.date_from.isoformat(), event.date_to.isoformat()
    return values


async def add_event(
    session: AsyncSession,
    *,
    org_id: int,
    values: Mapping[str, Any],
    created_by: int,
    now: datetime,
    submission_key: str,
) -> tuple[Event, bool]:
    """Store a new event once per submission key; returns (event, created)."""
    event = Event(
        org_id=org_id,
        created_by=created_by,
        created_at=now,
        updated_at=now,
        submission_key=submission_key,
        **{name: values.get(name) for name in EVENT_FIELDS},
    )
    return await add_once(session, event)


async def get_event(session: AsyncSession, event_id: int) -> Event | None:
    event = await session.get(Event, event_id)
    return None if event is None or event.deleted_at is not None else event


def update_event(event: Event, values: Mapping[str, Any], now: datetime) -> None:
    for name in EVENT_FIELDS:
        setattr(event, name, values.get(name))
    event.updated_at = now


def delete_event(event: Event, *, by: int, now: datetime) -> None:
    event.deleted_at, event.deleted_by = now, by


async def events_between(
    session: AsyncSession, org_id: int, start: date, end: date
) -> Sequence[Event]:
    """Live events of a ППО that started within [start, end], newest first."""
    stmt = (
        select(Event)
        .where(
            Event.org_id == org_id,
            Event.deleted_at.is_(None),
            Event.date_from >= start,
            Event.date_from <= end,
        )
        .order_by(Event.date_from.desc(), Event.id.desc())
    )
    return (await session.scalars(stmt)).all()
