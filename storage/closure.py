"""What archiving closes: an organization archived, and everything under it (a district's ППО,
a region's districts and their ППО) until it is restored. Nothing is written on the ones under
it: restoring the one archived reopens them, but those archived on their own."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import Organization

PARENT = aliased(Organization, name="parent")
GRANDPARENT = aliased(Organization, name="grandparent")
"""Built once: :func:`under_archived` runs on every update of a chair or staff member
(``load_viewer``), and an alias made per call cost its statement about 0.7 ms more a call
(``bench.step_cost``)."""
CLOSED = aliased(Organization, name="closed")
"""The organization :func:`closed_ids` asks about: an alias of its own, so that the statement
it is a subquery of (whose ``Organization`` is a ППО or a district) does not correlate it."""
ARCHIVED_ABOVE = or_(PARENT.archived_at.is_not(None), GRANDPARENT.archived_at.is_not(None))
"""The depth rule: the tree is at most three deep (region, district, ППО), so a parent and a
grandparent are all there is above."""


async def under_archived(session: AsyncSession, org_ids: Sequence[int]) -> set[int]:
    """Those of ``org_ids`` with an archived organization above them: a ППО of a district
    merged away, or of a region closed, is closed with it, and so is a district of a closed
    region (``ARCHIVED_ABOVE``)."""
    if not org_ids:
        return set()
    stmt = (
        select(Organization.id)
        .join(PARENT, PARENT.id == Organization.parent_id)
        .outerjoin(GRANDPARENT, GRANDPARENT.id == PARENT.parent_id)
        .where(Organization.id.in_(org_ids), ARCHIVED_ABOVE)
    )
    return set((await session.scalars(stmt)).all())


def closed_ids() -> Select[int]:
    """A subquery: ids of every organization archived or under an archived one, for the
    statements that list what a scope holds (its districts, its ППО), so that none of them
    writes the depth rule again."""
    return (
        select(CLOSED.id)
        .outerjoin(PARENT, PARENT.id == CLOSED.parent_id)
        .outerjoin(GRANDPARENT, GRANDPARENT.id == PARENT.parent_id)
        .where(or_(CLOSED.archived_at.is_not(None), ARCHIVED_ABOVE))
        .correlate(None)
    )


async def is_closed(session: AsyncSession, org: Organization) -> bool:
    """Archived, or closed with the district or region above it: nothing of it is reminded,
    escalated, reviewed or drawn."""
    return org.archived_at is not None or bool(await under_archived(session, [org.id]))
