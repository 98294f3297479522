"""What a ППО still owes when it moves to another district: owed to the new one."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.collections import cancel_pending_reminders
from storage.models import Collection, CollectionTarget


async def follow_move(
    session: AsyncSession, *, org_id: int, from_scope: int, to_scope: int
) -> None:
    """The ППО ``org_id`` moved from district ``from_scope`` to ``to_scope``: each target it
    has not delivered in the old district's collections goes to the new district's calendar
    collection of the same kind and period, or, with none (or a request of the old district's
    own), is dropped. The old district's staff are then no longer told it is late, nor shown
    its chair; what it delivered stays the old district's record. The reminders queued under
    the old collection are withdrawn: the new one reminds it."""
    owed = await session.execute(
        select(CollectionTarget, Collection)
        .join(Collection, Collection.id == CollectionTarget.collection_id)
        .where(
            CollectionTarget.org_id == org_id,
            CollectionTarget.submitted_at.is_(None),
            Collection.scope_org_id == from_scope,
        )
    )
    for target, collection in owed.all():
        await cancel_pending_reminders(
            session, collection_id=collection.id, org_id=org_id, reason="moved"
        )
        counterpart = (
            None if collection.one_off else await _calendar_twin(session, collection, to_scope)
        )
        if counterpart is None or await _has_target(session, counterpart, org_id):
            await session.delete(target)
        else:
            target.collection_id = counterpart
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


async def _has_target(session: AsyncSession, collection_id: int, org_id: int) -> bool:
    found = await session.scalar(
        select(CollectionTarget.id).where(
            CollectionTarget.collection_id == collection_id, CollectionTarget.org_id == org_id
        )
    )
    return found is not None
