"""What a ППО owes: a month asked for twice is one obligation, judged once.

A ППО's requests of one kind and one month (a calendar period and a one-off request of that
month) are answered by one delivery (``storage.collections.mark_submitted``), so they are one
obligation: owed by the earliest of their deadlines (the binding one, the one the form, the
reminders and the escalation use) and delivered on its first delivery, both the ППО's local
dates. Every output that tells on time from late judges obligations, never single requests, so
a month asked twice weighs once: the digest, /status, /export and /history
(``late_deliveries``), the rating's on-time criterion and /curated's record (``obligations``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Collection, CollectionKind, CollectionTarget


def came_late(
    delivered_on: ColumnElement[Any], deadline: ColumnElement[Any]
) -> ColumnElement[bool]:
    """Delivered after the deadline: «сдан с опозданием»."""
    return and_(delivered_on.is_not(None), delivered_on > deadline)


def came_on_time(
    delivered_on: ColumnElement[Any], deadline: ColumnElement[Any]
) -> ColumnElement[bool]:
    return and_(delivered_on.is_not(None), delivered_on <= deadline)


def _binding_deadline() -> ColumnElement[date]:
    return func.min(CollectionTarget.deadline)


def _first_delivery() -> ColumnElement[date | None]:
    return func.min(CollectionTarget.submitted_on)


def obligations(
    org_ids: Select[Any] | Sequence[int], *, kind: CollectionKind | None = None
) -> Select[int, CollectionKind, date, date, date | None]:
    """One row per (ППО, kind, month) these ППО were asked for, of ``kind`` or of every kind:
    ``org_id``, ``kind``, ``period``, ``deadline`` (the binding one), ``delivered_on`` (the
    first delivery, None: not delivered). Callers narrow it with ``where`` on the collection's
    columns and read it as a subquery."""
    stmt = (
        select(
            CollectionTarget.org_id,
            Collection.kind,
            Collection.period,
            _binding_deadline().label("deadline"),
            _first_delivery().label("delivered_on"),
        )
        .join(Collection, Collection.id == CollectionTarget.collection_id)
        .where(CollectionTarget.org_id.in_(org_ids))
        .group_by(CollectionTarget.org_id, Collection.kind, Collection.period)
    )
    return stmt if kind is None else stmt.where(Collection.kind == kind)


async def late_deliveries(
    session: AsyncSession, org_ids: Select[Any] | Sequence[int], *, period: date | None = None
) -> set[tuple[int, date]]:
    """(ППО, period) whose membership report for the period came late: first delivered after
    the binding deadline (a one-off due 10.12 beside the calendar's 25.12: by 10.12).
    ``period`` None: every period."""
    stmt = obligations(org_ids, kind=CollectionKind.MEMBERSHIP).having(
        came_late(_first_delivery(), _binding_deadline())
    )
    if period is not None:
        stmt = stmt.where(Collection.period == period)
    return {(row.org_id, row.period) for row in (await session.execute(stmt)).all()}
