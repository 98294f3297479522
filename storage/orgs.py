"""The organization tree: import, lookup, the ППО of a scope, listing with chairs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.closure import none_archived
from storage.models import AuditEntry, Organization, OrgKind, Person, Role, RoleGrant

# The names' keys, known to callers as ``orgs.name_key`` and the like.
from storage.org_names import folded as folded
from storage.org_names import name_key as name_key
from storage.org_names import sort_key
from storage.org_zones import adopt_common_zones, spread_zones


class ImportRow(Protocol):
    """What the importer needs of a parsed spreadsheet row."""

    @property
    def region(self) -> str | None: ...
    @property
    def district(self) -> str: ...
    @property
    def organization(self) -> str: ...
    @property
    def workers(self) -> int | None: ...
    @property
    def chair_name(self) -> str | None: ...
    @property
    def timezone(self) -> str | None: ...


@dataclass
class ImportSummary:
    """``archived``: rows that landed in the archive (an archived ППО or district), seen by no one
    until restored. ``known_as``: rows naming a ППО by a former name or district (left as
    they are: the row may be older than the rename)."""

    new_ppos: list[Organization] = field(default_factory=list)
    updated: int = 0
    unchanged: int = 0
    districts_created: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)
    known_as: list[tuple[str, str, str]] = field(default_factory=list)  # row's, ППО's, district's

    @property
    def created(self) -> int:
        return len(self.new_ppos)


_Places = dict[tuple[OrgKind, int | None, str], Organization]
"""Organizations by (kind, parent id, name key): the tree's unique key."""


def _child(
    session: AsyncSession,
    cache: _Places,
    *,
    kind: OrgKind,
    name: str,
    parent_id: int | None,
    now: datetime,
) -> tuple[Organization, bool]:
    key = (kind, parent_id, name_key(name))
    if key in cache:
        return cache[key], False
    org = Organization(
        kind=kind, name=name, name_key=key[2], parent_id=parent_id, created_at=now, updated_at=now
    )
    session.add(org)
    cache[key] = org
    return org, True


async def apply_import(
    session: AsyncSession, rows: Iterable[ImportRow], *, default_region: str, now: datetime
) -> ImportSummary:
    """Create or update region → district → ППО for each row; the same list twice changes nothing.

    Empty optional cells never erase known values. A row naming a ППО by the name or the
    district it had before a rename or a move is left out (``former_places``): an older list
    imported again must not create it a second time.
    """
    rows = list(rows)
    summary = ImportSummary()
    everything = await all_orgs(session)
    by_id = {o.id: o for o in everything}
    cache, former = await _places(session, everything)
    zones_named: dict[int, tuple[Organization, set[str | None]]] = {}  # a district's rows'
    for row in rows:
        region, region_created = _child(
            session,
            cache,
            kind=OrgKind.REGION,
            name=row.region or default_region,
            parent_id=None,
            now=now,
        )
        if region_created:
            await session.flush()
        district, district_created = _child(
            session, cache, kind=OrgKind.DISTRICT, name=row.district, parent_id=region.id, now=now
        )
        if district_created:
            await session.flush()
            summary.districts_created.append(district.name)
        place = (OrgKind.PPO, district.id, name_key(row.organization))
        if place not in cache and (known := former.get(place)) is not None:
            where = by_id.get(known.parent_id or 0)
            summary.known_as.append((row.organization, known.name, where.name if where else ""))
            continue
        ppo, ppo_created = _child(
            session, cache, kind=OrgKind.PPO, name=row.organization, parent_id=district.id, now=now
        )
        zones_named.setdefault(district.id, (district, set()))[1].add(row.timezone)
        changed = _fill(ppo, row)
        if ppo.archived_at is not None or district.archived_at is not None:
            summary.archived.append(ppo.name)
        if ppo_created:
            summary.new_ppos.append(ppo)
        elif changed:
            ppo.updated_at = now
            summary.updated += 1
        else:
            summary.unchanged += 1
    adopt_common_zones(zones_named.values(), now)
    spread_zones(cache.values(), now)
    await session.flush()
    return summary


async def _places(
    session: AsyncSession, everything: Sequence[Organization]
) -> tuple[_Places, _Places]:
    """The organizations by (kind, parent id, name key) as they are, a renamed district or
    region also by its former name (it is still itself); and the former places of all."""
    cache = {(o.kind, o.parent_id, o.name_key): o for o in everything}
    former = await former_places(session)
    for place, org in former.items():
        if org.kind is not OrgKind.PPO:
            cache.setdefault(place, org)
    return cache, former


def _fill(ppo: Organization, row: ImportRow) -> bool:
    """The row's filled optional cells onto the ППО (empty ones erase nothing); True if any
    value changed."""
    changed = False
    for attr in ("workers", "chair_name", "timezone"):
        value = getattr(row, attr)
        if value is not None and getattr(ppo, attr) != value:
            setattr(ppo, attr, value)
            changed = True
    return changed


# --- Former names and districts ------------------------------------------------------------
# An older list imported again names a renamed ППО by its old name, or a moved one under its
# old district; matched only on (district, name), it would create the ППО a second time, an
# empty twin with no chair that then owes every report.

RENAMED, MOVED = "org.rename", "org.move"


async def former_places(session: AsyncSession) -> _Places:
    """(kind, parent id, name key) → the organization, for every pair of its former or current
    parent and its former or current name (renamed and moved, an old list may name either)."""
    stmt = (
        select(AuditEntry, Organization)
        .join(Organization, Organization.id == AuditEntry.org_id)
        .where(AuditEntry.action.in_((RENAMED, MOVED)))
    )
    names: dict[int, set[str]] = defaultdict(set)
    parents: dict[int, set[int | None]] = defaultdict(set)
    renamed: dict[int, Organization] = {}
    for entry, org in await session.execute(stmt):
        renamed[org.id] = org
        before = entry.before or {}
        if entry.action == RENAMED and isinstance(before.get("name"), str):
            names[org.id].add(name_key(before["name"]))
        elif entry.action == MOVED and isinstance(before.get("parent_id"), int):
            parents[org.id].add(before["parent_id"])
    places: _Places = {}
    for org_id, org in renamed.items():
        for parent_id in parents[org_id] | {org.parent_id}:
            for key in names[org_id] | {org.name_key}:
                places[(org.kind, parent_id, key)] = org
    return places


async def namesake(
    session: AsyncSession, *, kind: OrgKind, parent_id: int | None, name: str, other_than: int
) -> Organization | None:
    """The organization that already holds ``name`` in that place (the tree's unique key)."""
    stmt = select(Organization).where(
        Organization.kind == kind,
        Organization.name_key == name_key(name),
        Organization.parent_id == parent_id
        if parent_id is not None
        else Organization.parent_id.is_(None),
        Organization.id != other_than,
    )
    return (await session.scalars(stmt)).first()


async def get_org(session: AsyncSession, org_id: int) -> Organization | None:
    return await session.get(Organization, org_id)


async def any_org(session: AsyncSession) -> bool:
    """Whether any organization was loaded yet (a fresh install has none)."""
    return await session.scalar(select(Organization.id).limit(1)) is not None


async def regions(session: AsyncSession) -> Sequence[Organization]:
    """The regions by name: the order their buttons show (unordered, PostgreSQL would give
    them in the order rows lie on disk, which a rename changes)."""
    stmt = select(Organization).where(Organization.kind == OrgKind.REGION)
    return (await session.scalars(stmt.order_by(Organization.sort_key, Organization.id))).all()


def set_name(org: Organization, name: str, now: datetime) -> None:
    """Rename in place; the keys organizations are matched and listed by follow the name."""
    org.name, org.name_key, org.sort_key = name, name_key(name), sort_key(name)
    org.updated_at = now


async def all_orgs(session: AsyncSession) -> Sequence[Organization]:
    stmt = select(Organization).order_by(Organization.kind, Organization.sort_key)
    return (await session.scalars(stmt)).all()


async def under(session: AsyncSession, org_id: int) -> Sequence[Organization]:
    """Every organization below ``org_id``, archived ones too: a region's districts and their
    ППО, a district's ППО."""
    children = select(Organization.id).where(Organization.parent_id == org_id)
    below = or_(Organization.parent_id == org_id, Organization.parent_id.in_(children))
    return (await session.scalars(select(Organization).where(below))).all()


# --- The ППО of a scope ---------------------------------------------------------------------

PPO_DISTRICT = aliased(Organization, name="ppo_district")
"""The district of the ППО in ``scope_ppos``: select its columns (name, id) through this alias."""
_ABOVE = aliased(Organization, name="above_district")
"""The region of a district listed (``scope_ppos``, ``scope_districts`` and the lists of
districts below): closed, it closes the district and its ППО (``storage.closure``)."""


def scope_districts(scope_org_id: int) -> Select[Any]:
    """A subquery: ids of the districts a scope covers (itself, or a region's), closed ones
    (``storage.closure``: archived, or of an archived region) left out."""
    return (
        select(Organization.id)
        .outerjoin(_ABOVE, _ABOVE.id == Organization.parent_id)
        .where(
            Organization.kind == OrgKind.DISTRICT,
            none_archived(Organization, _ABOVE),
            or_(Organization.id == scope_org_id, Organization.parent_id == scope_org_id),
        )
    )


def scope_ppos(scope_org_id: int, *columns: Any) -> Select[Any]:
    """``select(*columns)`` over the ППО of a scope: the one definition of who they are.

    A scope is a district or a region; its ППО are the ППО of its districts but the closed
    ones (``storage.closure``: archived, or with their district or region): none of a closed
    scope. ``Organization`` is the ППО, ``PPO_DISTRICT`` its district; callers add their
    joins, conditions and order.
    """
    return (
        select(*columns)
        .select_from(Organization)
        .join(PPO_DISTRICT, PPO_DISTRICT.id == Organization.parent_id)
        .outerjoin(_ABOVE, _ABOVE.id == PPO_DISTRICT.parent_id)
        .where(
            Organization.kind == OrgKind.PPO,
            none_archived(Organization, PPO_DISTRICT, _ABOVE),
            PPO_DISTRICT.kind == OrgKind.DISTRICT,
            or_(PPO_DISTRICT.id == scope_org_id, PPO_DISTRICT.parent_id == scope_org_id),
        )
    )


def scope_ppo_ids(scope_org_id: int) -> Select[Any]:
    """A subquery: ids of the ППО of a scope (see ``scope_ppos``)."""
    return scope_ppos(scope_org_id, Organization.id)


async def ppo_in_scope(session: AsyncSession, scope_org_id: int) -> Sequence[Organization]:
    """The ППО of a scope (see ``scope_ppos``) by name; none when the scope is closed."""
    stmt = scope_ppos(scope_org_id, Organization).order_by(Organization.sort_key, Organization.id)
    return (await session.scalars(stmt)).all()


async def live_districts_in(session: AsyncSession, region_id: int | None) -> Sequence[Organization]:
    """The districts of a region (None: of no region) that are not closed, by name: archived
    or of an archived region (``storage.closure``), a district takes no ППО moved to it."""
    in_region = (
        Organization.parent_id.is_(None)
        if region_id is None
        else Organization.parent_id == region_id
    )
    stmt = (
        select(Organization)
        .outerjoin(_ABOVE, _ABOVE.id == Organization.parent_id)
        .where(
            Organization.kind == OrgKind.DISTRICT, none_archived(Organization, _ABOVE), in_region
        )
    )
    return (await session.scalars(stmt.order_by(Organization.sort_key, Organization.id))).all()


async def active_districts(session: AsyncSession) -> Sequence[Organization]:
    """The districts not closed (``storage.closure``: archived, or of an archived region)."""
    stmt = (
        select(Organization)
        .outerjoin(_ABOVE, _ABOVE.id == Organization.parent_id)
        .where(Organization.kind == OrgKind.DISTRICT, none_archived(Organization, _ABOVE))
        .order_by(Organization.id)
    )
    return (await session.scalars(stmt)).all()


# --- Chairs and staff -----------------------------------------------------------------------


@dataclass(frozen=True)
class ChairInfo:
    org_id: int
    person_id: int
    tg_user_id: int
    full_name: str
    username: str | None


async def active_chairs(session: AsyncSession) -> dict[int, ChairInfo]:
    """The current chair of every ППО that has one, by org id."""
    stmt = (
        select(RoleGrant.org_id, Person)
        .join(Person, Person.id == RoleGrant.person_id)
        .where(RoleGrant.role == Role.CHAIR, RoleGrant.revoked_at.is_(None))
    )
    result: dict[int, ChairInfo] = {}
    for org_id, person in (await session.execute(stmt)).all():
        if org_id is not None:
            result[org_id] = ChairInfo(
                org_id, person.id, person.tg_user_id, person.full_name, person.username
            )
    return result


async def staffed_org_ids(session: AsyncSession) -> set[int]:
    """Districts and regions that have at least one active staff member."""
    stmt = select(RoleGrant.org_id).where(
        RoleGrant.role == Role.STAFF, RoleGrant.revoked_at.is_(None)
    )
    return {org_id for org_id in (await session.scalars(stmt)).all() if org_id is not None}


async def grants_over(session: AsyncSession, org_id: int) -> Sequence[tuple[RoleGrant, Person]]:
    """Active roles people hold over this organization."""
    stmt = (
        select(RoleGrant, Person)
        .join(Person, Person.id == RoleGrant.person_id)
        .where(RoleGrant.org_id == org_id, RoleGrant.revoked_at.is_(None))
        .order_by(RoleGrant.role, Person.full_name)
    )
    return [(grant, person) for grant, person in (await session.execute(stmt)).all()]
