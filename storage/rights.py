"""The sender of an update as the database knows them: their person and every role they hold
now, each with whether archiving above it has closed it, read in one statement. It runs on
every update (``bot.domain.viewer.load_viewer``); the person, their roles and the closure of
their organizations were three statements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.closure import ARCHIVED_ABOVE, GRANDPARENT, PARENT
from storage.models import Organization, Person, Role, RoleGrant


class Held(NamedTuple):
    """A role held now over ``org`` (None: an admin's); ``closed_above``: a district or region
    above it is archived (``storage.closure``), whatever ``org`` itself is."""

    role: Role
    org: Organization | None
    closed_above: bool


async def person_and_roles(
    session: AsyncSession, tg_user_id: int
) -> tuple[Person | None, Sequence[Held]]:
    """The person with this Telegram id (None: unknown) and the roles they hold now, by the
    name of the organization."""
    stmt = (
        select(Person, RoleGrant.role, Organization, ARCHIVED_ABOVE)
        .outerjoin(
            RoleGrant, and_(RoleGrant.person_id == Person.id, RoleGrant.revoked_at.is_(None))
        )
        .outerjoin(Organization, Organization.id == RoleGrant.org_id)
        .outerjoin(PARENT, PARENT.id == Organization.parent_id)
        .outerjoin(GRANDPARENT, GRANDPARENT.id == PARENT.parent_id)
        .where(Person.tg_user_id == tg_user_id)
        .order_by(Organization.sort_key)
    )
    rows = (await session.execute(stmt)).all()
    person = rows[0][0] if rows else None
    held = [Held(role, org, bool(closed)) for _, role, org, closed in rows if role is not None]
    return person, held
