"""Who is asking, and with which rights: the sender of an update as the domain sees them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from aiogram.types import User
from sqlalchemy.ext.asyncio import AsyncSession

from storage import people, rights
from storage.models import Organization, Person, Role


@dataclass(frozen=True)
class Viewer:
    """The sender of an update and the rights they hold right now.

    Staff hold their role over a district or a region (``staff_scopes``: archived ones are
    left out, as a chair's archived ППО), curators over ППО (closed ones left out too).
    """

    tg_user_id: int
    person: Person | None
    is_admin: bool
    chaired: Sequence[Organization] = ()
    staff_scopes: Sequence[Organization] = ()
    curated: Sequence[Organization] = ()
    closed_scopes: Sequence[Organization] = ()
    """Archived districts or regions (or districts of an archived region) the sender is still
    on the staff of: what they are told when they hold nothing else (``handlers.fallback``)."""
    closed_curated: Sequence[Organization] = ()
    """Closed ППО (archived, or with their district or region) the sender still curates: why
    /curated is not theirs when they hold nothing else (``handlers.fallback``)."""

    @property
    def is_chair(self) -> bool:
        return bool(self.chaired)

    @property
    def is_staff(self) -> bool:
        return bool(self.staff_scopes)

    def chaired_org(self, org_id: int | None) -> Organization | None:
        """The ППО ``org_id`` if the sender chairs it now."""
        return next((org for org in self.chaired if org.id == org_id), None)

    def chairs(self, org_id: int | None) -> bool:
        return self.chaired_org(org_id) is not None

    def holds(self, role: Role, org_id: int) -> bool:
        """Whether the role of an invite over ``org_id`` is held now (an old link of a
        replaced chair is told from one already used by this person)."""
        if role is Role.ADMIN:
            return self.is_admin
        if role is Role.CHAIR:
            return self.chairs(org_id)
        held = self.staff_scopes if role is Role.STAFF else self.curated
        return any(org.id == org_id for org in held)

    def oversees(self, *org_ids: int | None) -> bool:
        """Admins oversee everything; staff their district or region (pass an org's ancestry)."""
        if self.is_admin:
            return True
        scopes = {org.id for org in self.staff_scopes}
        return any(org_id in scopes for org_id in org_ids if org_id is not None)


async def load_viewer(session: AsyncSession, tg_user_id: int, admin_ids: frozenset[int]) -> Viewer:
    person, grants = await rights.person_and_roles(session, tg_user_id)

    def held(role: Role) -> list[Organization]:
        return [g.org for g in grants if g.role is role and g.org is not None]

    # A ППО archived, or closed with its district or region, is chaired no more; an archived
    # district or region, or a district of an archived region, has no staff: its specialist
    # gets the menu of what they still hold.
    # A curated ППО closed so is curated no more either: its curator's menu loses /curated.
    closed = {g.org.id for g in grants if g.org is not None and g.closed_above}
    live = [org for org in held(Role.CHAIR) + held(Role.CURATOR) if org.archived_at is None]
    staff = [org for org in held(Role.STAFF) if org.archived_at is None and org.id not in closed]
    curated = [org for org in held(Role.CURATOR) if org in live and org.id not in closed]
    return Viewer(
        tg_user_id=tg_user_id,
        person=person,
        is_admin=tg_user_id in admin_ids or any(g.role is Role.ADMIN for g in grants),
        chaired=[org for org in held(Role.CHAIR) if org in live and org.id not in closed],
        staff_scopes=staff,
        closed_scopes=[org for org in held(Role.STAFF) if org not in staff],
        curated=curated,
        closed_curated=[org for org in held(Role.CURATOR) if org not in curated],
    )


async def acting_person(session: AsyncSession, viewer: Viewer, user: User, now: datetime) -> Person:
    """The sender as a person of record (an admin may act before ever pressing /start)."""
    if viewer.person is not None:
        return viewer.person
    return await people.upsert_person(
        session, tg_user_id=user.id, full_name=user.full_name, username=user.username, now=now
    )
