"""Data requests with a deadline (collections), their targets, and their reminders' outbox rows.

Who is reminded is in ``storage.contacts``; the ППО of a scope in ``storage.orgs``.

A collection is a calendar monitoring period or a one-off request of the district; its
targets are the ППО that owe an answer. Archived organizations are left out of everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import Select, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import (
    Collection,
    CollectionKind,
    CollectionTarget,
    Organization,
    OutboxMessage,
    OutboxStatus,
)
from storage.orgs import PPO_DISTRICT
from storage.outbox_keys import KeyPurpose
from storage.outbox_prefix import keys_starting

OPEN_GRACE_DAYS = 31
"""A collection stays open (reminded, satisfiable by a later report) this long after its
deadline: longer than any after-deadline reminder plus holiday shifts."""


# --- Collections and targets ----------------------------------------------------------------


def _date_of(moment: datetime | None) -> date | None:
    return None if moment is None else moment.date()


async def find_collection(
    session: AsyncSession,
    *,
    kind: CollectionKind,
    scope_org_id: int,
    period: date,
    one_off: bool,
    title: str | None = None,
) -> Collection | None:
    """A calendar period is one per (scope, kind, period); a one-off is also told by title."""
    stmt = select(Collection).where(
        Collection.scope_org_id == scope_org_id,
        Collection.kind == kind,
        Collection.period == period,
        Collection.one_off == one_off,
    )
    if one_off:
        stmt = stmt.where(Collection.title == title)
    return (await session.scalars(stmt.order_by(Collection.id))).first()


async def open_collection(
    session: AsyncSession,
    *,
    kind: CollectionKind,
    scope_org_id: int,
    period: date,
    title: str,
    one_off: bool,
    deadline_for_target: date | Callable[[int], date],
    targets: Iterable[tuple[int, str]],
    now: datetime,
    created_by: int | None = None,
    already_submitted: Mapping[int, datetime] | None = None,
) -> Collection:
    """Open a collection with its targets ``(ППО id, tier)``; idempotent.

    Opening the same calendar period (or the same one-off, by title) for the same scope again
    returns the existing collection and changes nothing. ``deadline_for_target`` is one date
    for all or a function of the ППО id (already a working day); the collection's own deadline
    is the latest of its targets'. ``already_submitted`` marks targets that delivered before the
    collection opened (e.g. a report for the period filed in its first minutes): on time, since
    the collection opens before its deadline, so the UTC date stands for the local one.
    """
    find_same = partial(
        find_collection,
        session,
        kind=kind,
        scope_org_id=scope_org_id,
        period=period,
        one_off=one_off,
        title=title,
    )
    existing = await find_same()
    if existing is not None:
        return existing
    pairs = list(targets)
    deadlines, overall = _deadlines(pairs, deadline_for_target, scope_org_id)
    collection = Collection(
        kind=kind,
        scope_org_id=scope_org_id,
        period=period,
        title=title,
        one_off=one_off,
        opened_at=now,
        deadline=overall,
        created_by=created_by,
    )
    try:
        async with session.begin_nested():
            session.add(collection)
            await session.flush()
            _add_targets(session, collection.id, pairs, deadlines, already_submitted or {})
            await session.flush()
    except IntegrityError:
        # Opened by someone else at the same moment: theirs stands.
        found = await find_same()
        if found is None:
            raise
        return found
    return collection


def _deadlines(
    pairs: Sequence[tuple[int, str]],
    deadline_for_target: date | Callable[[int], date],
    scope_org_id: int,
) -> tuple[dict[int, date], date]:
    """Each target's deadline and the collection's own (the latest of them)."""
    if not callable(deadline_for_target):
        return {org_id: deadline_for_target for org_id, _ in pairs}, deadline_for_target
    deadlines = {org_id: deadline_for_target(org_id) for org_id, _ in pairs}
    overall = max(deadlines.values()) if deadlines else deadline_for_target(scope_org_id)
    return deadlines, overall


def _add_targets(
    session: AsyncSession,
    collection_id: int,
    pairs: Sequence[tuple[int, str]],
    deadlines: Mapping[int, date],
    submitted: Mapping[int, datetime],
) -> None:
    """One target per ППО (a ППО listed twice keeps its first tier)."""
    seen: set[int] = set()
    for org_id, tier in pairs:
        if org_id in seen:
            continue
        seen.add(org_id)
        session.add(
            CollectionTarget(
                collection_id=collection_id,
                org_id=org_id,
                tier=str(tier),
                deadline=deadlines[org_id],
                submitted_at=submitted.get(org_id),
                submitted_on=_date_of(submitted.get(org_id)),
            )
        )


async def has_target(session: AsyncSession, collection_id: int, org_id: int) -> bool:
    found = await session.scalar(
        select(CollectionTarget.id).where(
            CollectionTarget.collection_id == collection_id, CollectionTarget.org_id == org_id
        )
    )
    return found is not None


async def add_target(
    session: AsyncSession,
    collection: Collection,
    org_id: int,
    tier: str,
    deadline: date,
    submitted_at: datetime | None,
) -> None:
    """One more ППО due in an open collection (restored from the archive); the collection's
    deadline stays the latest of its targets'."""
    _add_targets(
        session, collection.id, [(org_id, tier)], {org_id: deadline}, _given(org_id, submitted_at)
    )
    collection.deadline = max(collection.deadline, deadline)
    await session.flush()


def _given(org_id: int, submitted_at: datetime | None) -> dict[int, datetime]:
    return {} if submitted_at is None else {org_id: submitted_at}


async def open_collections(
    session: AsyncSession, *, now: datetime, grace_days: int = OPEN_GRACE_DAYS
) -> Sequence[Collection]:
    """Collections opened by ``now`` whose deadline is at most ``grace_days`` behind, whose
    scope is not archived."""
    scope = aliased(Organization)
    stmt = (
        select(Collection)
        .join(scope, scope.id == Collection.scope_org_id)
        .where(
            Collection.opened_at <= now,
            Collection.deadline >= now.date() - timedelta(days=grace_days),
            scope.archived_at.is_(None),
        )
        .order_by(Collection.id)
    )
    return (await session.scalars(stmt)).all()


TargetRows = list[tuple[CollectionTarget, Organization]]


async def targets(
    session: AsyncSession, collection_id: int, *, lock: bool = False
) -> tuple[TargetRows, TargetRows]:
    """The targets of a collection with their ППО, by name: the open ones, and apart those
    closed (a ППО archived, or in an archived district: its chair was told it is closed, and
    ``orgs.scope_ppos`` leaves it out), read by the same query: nobody is reminded of a closed
    one, but an escalation notes those it leaves out, so that a restore reopens it.

    ``lock`` takes row locks on the targets (PostgreSQL) so a concurrent submission waits for
    the caller's transaction and then cancels whatever it enqueued.
    """
    closed = or_(Organization.archived_at.is_not(None), PPO_DISTRICT.archived_at.is_not(None))
    stmt = (
        select(CollectionTarget, Organization, closed.label("closed"))
        .join(Organization, Organization.id == CollectionTarget.org_id)
        .join(PPO_DISTRICT, PPO_DISTRICT.id == Organization.parent_id)
        .where(CollectionTarget.collection_id == collection_id)
        .order_by(Organization.sort_key, Organization.id)
    )
    if lock:
        stmt = stmt.with_for_update(of=CollectionTarget)
    rows = (await session.execute(stmt)).all()
    return (
        [(target, org) for target, org, shut in rows if not shut],
        [(target, org) for target, org, shut in rows if shut],
    )


async def cancel_pending_reminders(
    session: AsyncSession, *, collection_id: int, org_id: int, reason: str = "submitted"
) -> int:
    """Reminders of this target still waiting in the outbox will not go out (marked FAILED with
    ``reason``; their keys stay taken so they are never enqueued again). Returns how many."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            keys_starting(KeyPurpose.REMINDER, collection_id, org_id, status=OutboxStatus.PENDING),
        )
        .values(status=OutboxStatus.FAILED, error=reason)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def mark_submitted(
    session: AsyncSession,
    *,
    org_id: int,
    kind: CollectionKind,
    now: datetime,
    local_day: date,
    collection_id: int | None = None,
) -> list[CollectionTarget]:
    """A ППО delivered: mark its matching targets submitted and cancel their pending reminders.

    Call it in the transaction that stores the report or the passport. ``collection_id``: the
    request the delivery answers (``bot.domain.report_periods``), with every other request of
    its period (one report for a month answers the calendar and a one-off of that month);
    None: every unsubmitted target of ``kind`` (a passport update satisfies every passport
    request). ``local_day`` is the ППО's local date, kept to tell a late delivery. Idempotent:
    already submitted targets are left as they are. Returns those marked.
    """
    stmt = (
        select(CollectionTarget)
        .join(Collection, Collection.id == CollectionTarget.collection_id)
        .where(
            CollectionTarget.org_id == org_id,
            CollectionTarget.submitted_at.is_(None),
            Collection.kind == kind,
        )
        .with_for_update(of=CollectionTarget)
    )
    if collection_id is not None:
        asked = aliased(Collection)
        period = select(asked.period).where(asked.id == collection_id).scalar_subquery()
        stmt = stmt.where(Collection.period == period)
    marked = list((await session.scalars(stmt)).all())
    for target in marked:
        target.submitted_at = now
        target.submitted_on = local_day
        await cancel_pending_reminders(
            session, collection_id=target.collection_id, org_id=target.org_id
        )
    await session.flush()
    return marked


@dataclass(frozen=True, slots=True)
class OpenTarget:
    """A request a ППО may answer now: its target in a collection that is still open."""

    collection_id: int
    period: date
    title: str
    one_off: bool
    deadline: date  # the ППО's own, a local date
    submitted: bool


async def open_targets(
    session: AsyncSession,
    org_id: int,
    *,
    kind: CollectionKind,
    now: datetime,
    local_day: date,
    grace_days: int = OPEN_GRACE_DAYS,
) -> list[OpenTarget]:
    """The ППО's targets of ``kind`` in collections opened by ``now`` whose deadline is at most
    ``grace_days`` behind ``local_day`` (the ППО's local date), scope not archived: the same
    window in which reminders go out (``open_collections``). By deadline, then collection."""
    scope = aliased(Organization)
    stmt = (
        select(
            Collection.id,
            Collection.period,
            Collection.title,
            Collection.one_off,
            CollectionTarget.deadline,
            CollectionTarget.submitted_at,
        )
        .join(CollectionTarget, CollectionTarget.collection_id == Collection.id)
        .join(scope, scope.id == Collection.scope_org_id)
        .where(
            CollectionTarget.org_id == org_id,
            Collection.kind == kind,
            Collection.opened_at <= now,
            CollectionTarget.deadline >= local_day - timedelta(days=grace_days),
            scope.archived_at.is_(None),
        )
        .order_by(CollectionTarget.deadline, Collection.id)
    )
    return [
        OpenTarget(cid, period, title, one_off, deadline, submitted_at is not None)
        for cid, period, title, one_off, deadline, submitted_at in (
            await session.execute(stmt)
        ).all()
    ]


def membership_targets(org_ids: Select[Any] | Sequence[int]) -> Select[int, date]:
    """(ППО, period) of every membership monitoring these ППО were asked for, one row per
    request (a calendar period and a one-off request of the same month are two)."""
    return (
        select(CollectionTarget.org_id, Collection.period)
        .join(Collection, Collection.id == CollectionTarget.collection_id)
        .where(
            CollectionTarget.org_id.in_(org_ids),
            Collection.kind == CollectionKind.MEMBERSHIP,
        )
    )
