"""Who is reminded: the chairs, curators and staff of organizations, as contacts to write to.

Callers pass the organizations (the ППО of a scope from ``storage.orgs.ppo_in_scope``, the
targets of a collection), so what is archived is already left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Organization, Person, Role, RoleGrant
from storage.orgs import ppo_in_scope


@dataclass(frozen=True)
class Contact:
    """A person to remind: who, where to write, and whether they can or want to be reached."""

    person_id: int
    tg_user_id: int
    full_name: str
    unreachable: bool
    paused_until: date | None
    org_id: int | None = None

    def paused_on(self, today: date) -> bool:
        return self.paused_until is not None and self.paused_until >= today


def _contact(person: Person, org_id: int | None) -> Contact:
    return Contact(
        person_id=person.id,
        tg_user_id=person.tg_user_id,
        full_name=person.full_name,
        unreachable=person.unreachable_at is not None,
        paused_until=person.reminders_paused_until,
        org_id=org_id,
    )


async def _grants(
    session: AsyncSession, role: Role, org_ids: Iterable[int]
) -> list[tuple[int, Person]]:
    ids = list(set(org_ids))
    if not ids:
        return []
    stmt = (
        select(RoleGrant.org_id, Person)
        .join(Person, Person.id == RoleGrant.person_id)
        .where(RoleGrant.role == role, RoleGrant.revoked_at.is_(None), RoleGrant.org_id.in_(ids))
        .order_by(RoleGrant.granted_at, RoleGrant.id)
    )
    rows = (await session.execute(stmt)).all()
    return [(org_id, person) for org_id, person in rows if org_id is not None]


async def chairs_of(session: AsyncSession, org_ids: Iterable[int]) -> dict[int, Contact]:
    """The active chair of each ППО that has one, by ППО id."""
    result: dict[int, Contact] = {}
    for org_id, person in await _grants(session, Role.CHAIR, org_ids):
        result[org_id] = _contact(person, org_id)  # the latest grant wins
    return result


async def curators_of(session: AsyncSession, org_ids: Iterable[int]) -> dict[int, list[Contact]]:
    """The curators of each ППО, by ППО id (ППО without a curator are absent)."""
    result: dict[int, list[Contact]] = {}
    for org_id, person in await _grants(session, Role.CURATOR, org_ids):
        result.setdefault(org_id, []).append(_contact(person, org_id))
    return result


async def staff_of(session: AsyncSession, org_id: int) -> list[Contact]:
    """The staff holding their role over exactly this district or region."""
    seen: dict[int, Contact] = {}
    for grant_org, person in await _grants(session, Role.STAFF, [org_id]):
        seen.setdefault(person.id, _contact(person, grant_org))
    return list(seen.values())


@dataclass(frozen=True)
class PausedChair:
    org: Organization
    chair: Contact


async def paused_chairs(session: AsyncSession, scope_org_id: int, today: date) -> list[PausedChair]:
    """Chairs in the scope whose reminders are paused on ``today`` or later, by ППО name."""
    ppo = await ppo_in_scope(session, scope_org_id)
    chairs = await chairs_of(session, (org.id for org in ppo))
    return [
        PausedChair(org, chairs[org.id])
        for org in ppo
        if org.id in chairs and chairs[org.id].paused_on(today)
    ]
