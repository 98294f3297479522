"""What a ППО still owes when it moves to another district: owed to the new one."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.collections import cancel_pending_reminders, has_target
from storage.models import Collection, CollectionTarget


async def follow_move(
    session: AsyncSession, *, org_id: int, from_scope: int, to_scope: int
) -> None:
    """The ППО ``org_id`` moved from district ``from_scope`` to ``to_scope``: each of its
    targets in the old district's calendar collections goes to the new district's calendar
    collection of the same kind and period, delivered or not, so that the new district's
    «Сдали» counts the report its coverage already counts. What it owes with no such
    counterpart (or under a request of the old district's own) is dropped: the old district's
    staff are no longer told it is late, nor shown its chair. What it delivered with none
    stays where it is, the record of the request it answered. The reminders queued under the
    old collection are withdrawn: the new one reminds it."""
    if from_scope == to_scope:
        return
    found = await session.execute(
        select(CollectionTarget, Collection)
        .join(Collection, Collection.id == CollectionTarget.collection_id)
        .where(CollectionTarget.org_id == org_id, Collection.scope_org_id == from_scope)
    )
    for target, collection in found.all():
        owed = target.submitted_at is None
        if owed:
            await cancel_pending_reminders(
                session, collection_id=collection.id, org_id=org_id, reason="moved"
            )
        counterpart = (
            None if collection.one_off else await _calendar_twin(session, collection, to_scope)
        )
        if counterpart is not None and not await has_target(session, counterpart, org_id):
            target.collection_id = counterpart
        elif owed:
            await session.delete(target)
    await session.flush()


async def _calendar_twin(
    session: AsyncSession, collection: Collection, scope_id: int
) -> int | None:
    """The id of ``scope_id``'s calendar collection of the kind and period of ``collection``."""
    return await session.scalar(
        select(Collection.id).where(
            Collection.scope_org_id == scope_id,
            Collection.kind == collection.kind,
            Collection.period == collection.period,
            Collection.one_off.is_(False),
        )
    )
