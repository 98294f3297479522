"""Who is reminded: the chairs, curators and staff of organizations, as contacts to write to;
and the chair's name of record, the one lists for the presidium are made with.

Callers pass the organizations (the ППО of a scope from ``storage.orgs.ppo_in_scope``, the
targets of a collection), so what is archived is already left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Organization, Passport, Person, Role, RoleGrant
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


def contact_of(person: Person, org_id: int | None = None) -> Contact:
    """A person as someone the bot writes to (``org_id``: the ППО they are reached for)."""
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
        result[org_id] = contact_of(person, org_id)  # the latest grant wins
    return result


async def curators_of(session: AsyncSession, org_ids: Iterable[int]) -> dict[int, list[Contact]]:
    """The curators of each ППО, by ППО id (ППО without a curator are absent)."""
    result: dict[int, list[Contact]] = {}
    for org_id, person in await _grants(session, Role.CURATOR, org_ids):
        result.setdefault(org_id, []).append(contact_of(person, org_id))
    return result


async def staff_of(session: AsyncSession, org_id: int) -> list[Contact]:
    """The staff holding their role over exactly this district or region."""
    seen: dict[int, Contact] = {}
    for grant_org, person in await _grants(session, Role.STAFF, [org_id]):
        seen.setdefault(person.id, contact_of(person, grant_org))
    return list(seen.values())


def with_chairs(ppos: Select[Any]) -> Select[Any]:
    """``ppos`` (a select over ``Organization`` rows of ППО) with each one's passport and its
    sitting chair (active CHAIR grant and person), outer-joined: a ППО without either stays.
    Should a ППО ever have two active chair grants, the caller keeps the newest grant's row."""
    return (
        ppos.outerjoin(Passport, Passport.org_id == Organization.id)
        .outerjoin(
            RoleGrant,
            and_(
                RoleGrant.org_id == Organization.id,
                RoleGrant.role == Role.CHAIR,
                RoleGrant.revoked_at.is_(None),
            ),
        )
        .outerjoin(Person, Person.id == RoleGrant.person_id)
    )


def name_of_record(passport_name: str | None, listed_name: str | None) -> str | None:
    """The chair's name as the union's papers carry it: the full name the chair wrote in the
    passport, else the name imported with the organization list; None when neither is known.

    A Telegram profile name («Маша 🌸») is what the person chose to show friends, not a name
    for a presidium resolution. The passport comes first: the sitting chair filled it in, while
    the imported list may predate a change of chair. Both are erased with the person (/forget).
    """
    for name in (passport_name, listed_name):
        if name is not None and name.strip():
            return " ".join(name.split())
    return None


@dataclass(frozen=True)
class PausedChair:
    org: Organization
    chair: Contact
    record_name: str | None = None  # ``name_of_record`` of the ППО's chair


async def passport_chair_names(session: AsyncSession, org_ids: Iterable[int]) -> dict[int, str]:
    """The chair's full name written in the passport, by ППО id (ППО without one are absent)."""
    ids = list(set(org_ids))
    if not ids:
        return {}
    stmt = select(Passport.org_id, Passport.chair_full_name).where(
        Passport.org_id.in_(ids), Passport.chair_full_name.is_not(None)
    )
    return {int(org_id): str(name) for org_id, name in (await session.execute(stmt)).all()}


async def paused_chairs(session: AsyncSession, scope_org_id: int, today: date) -> list[PausedChair]:
    """Chairs in the scope whose reminders are paused on ``today`` or later, by ППО name."""
    ppo = await ppo_in_scope(session, scope_org_id)
    chairs = await chairs_of(session, (org.id for org in ppo))
    paused = [org for org in ppo if org.id in chairs and chairs[org.id].paused_on(today)]
    passports = await passport_chair_names(session, (org.id for org in paused))
    return [
        PausedChair(org, chairs[org.id], name_of_record(passports.get(org.id), org.chair_name))
        for org in paused
    ]
