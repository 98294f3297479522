"""Which district or region a staff member (or an admin) acts on, and what lies inside it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.viewer import Viewer
from storage import orgs
from storage.contacts import Contact, staff_of
from storage.models import Organization, OrgKind


async def scopes_for(session: AsyncSession, viewer: Viewer) -> Sequence[Organization]:
    """Admins act on every district but the closed ones (archived, or of an archived region:
    ``orgs.active_districts``), by name (one who also joined a district's staff keeps the
    rest, one on a region's staff has that region first); staff on the districts and regions
    they hold (closed ones are out of reach: ``load_viewer`` leaves them out)."""
    held = viewer.staff_scopes
    if viewer.is_admin:
        districts = sorted(await orgs.active_districts(session), key=lambda org: org.sort_key)
        return [org for org in held if org.kind is not OrgKind.DISTRICT] + districts
    return held


async def regions_over(session: AsyncSession, scopes: Sequence[Organization]) -> list[Organization]:
    """The regions the scopes lie in (or are): the first step of a choice too long for one
    message."""
    region_ids = {scope.id if scope.kind is OrgKind.REGION else scope.parent_id for scope in scopes}
    return [region for region in await orgs.regions(session) if region.id in region_ids]


async def lineage(session: AsyncSession, org: Organization) -> list[int]:
    """The organization and its parents up to the region: what a staff scope may cover."""
    chain = [org.id]
    current = org
    while current.parent_id is not None:
        parent = await orgs.get_org(session, current.parent_id)
        if parent is None:
            break
        chain.append(parent.id)
        current = parent
    return chain


async def can_act_on(session: AsyncSession, viewer: Viewer, org: Organization) -> bool:
    return viewer.oversees(*await lineage(session, org))


async def scope_staff(session: AsyncSession, scope: Organization) -> list[Contact]:
    """Who is told when a scope's ППО are late (reports, plan items): the scope's staff, or the
    region's when a district has none that can be written to (all blocked the bot)."""
    staff = await staff_of(session, scope.id)
    nobody = all(contact.unreachable for contact in staff)
    if nobody and scope.kind == OrgKind.DISTRICT and scope.parent_id is not None:
        staff = await staff_of(session, scope.parent_id)
    return staff
