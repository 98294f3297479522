"""Pruning the invites: links that stopped working long ago (``bot.domain.housekeeping``).

A batch is chosen through ``ix_invites_expires_at``, oldest expiry first, up to the cutoff:
it reads only the rows it deletes, never the links still kept, however many years of them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Invite


async def delete_expired_before(session: AsyncSession, before: datetime, *, limit: int) -> int:
    """Delete up to ``limit`` invites that expired before ``before``; how many were deleted.

    Ordered by the expiry so that PostgreSQL, too, walks the index rather than the heap."""
    batch = (
        select(Invite.id).where(Invite.expires_at < before).order_by(Invite.expires_at).limit(limit)
    )
    result = await session.execute(
        delete(Invite)
        .where(Invite.id.in_(batch.scalar_subquery()))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
