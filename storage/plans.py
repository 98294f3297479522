"""Plans of measures: their items and the marks of who has done them."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry, Organization, OrgKind, Person, Plan, PlanItem, PlanMark
from storage.orgs import PPO_DISTRICT


async def create_plan(
    session: AsyncSession, scope_org_id: int, title: str, person_id: int | None, now: datetime
) -> Plan:
    plan = Plan(scope_org_id=scope_org_id, title=title, created_by=person_id, created_at=now)
    session.add(plan)
    await session.flush()
    return plan


async def latest_plan(session: AsyncSession, scope_org_id: int) -> Plan | None:
    stmt = (
        select(Plan)
        .where(Plan.scope_org_id == scope_org_id)
        .order_by(Plan.created_at.desc(), Plan.id.desc())
    )
    return (await session.scalars(stmt)).first()


async def plans_of(session: AsyncSession, scope_org_id: int) -> Sequence[Plan]:
    stmt = select(Plan).where(Plan.scope_org_id == scope_org_id).order_by(Plan.id)
    return (await session.scalars(stmt)).all()


async def items_of(session: AsyncSession, plan_ids: Iterable[int]) -> Sequence[PlanItem]:
    ids = list(plan_ids)
    if not ids:
        return []
    stmt = select(PlanItem).where(PlanItem.plan_id.in_(ids)).order_by(PlanItem.id)
    return (await session.scalars(stmt)).all()


async def marks_of(
    session: AsyncSession, item_ids: Iterable[int]
) -> dict[tuple[int, int], list[PlanMark]]:
    """The marks of these items by (item id, unit), one per stage done, earliest day first
    (those whose day is no longer a stage too: ``bot.domain.plans.counted`` leaves them out)."""
    ids = list(item_ids)
    if not ids:
        return {}
    stmt = select(PlanMark).where(PlanMark.item_id.in_(ids)).order_by(PlanMark.due, PlanMark.id)
    marks: dict[tuple[int, int], list[PlanMark]] = {}
    for mark in (await session.scalars(stmt)).all():
        marks.setdefault((mark.item_id, mark.unit), []).append(mark)
    return marks


async def item_with_plan(session: AsyncSession, item_id: int) -> tuple[PlanItem, Plan] | None:
    stmt = (
        select(PlanItem, Plan).join(Plan, Plan.id == PlanItem.plan_id).where(PlanItem.id == item_id)
    )
    row = (await session.execute(stmt)).first()
    return None if row is None else (row[0], row[1])


async def item_scopes(session: AsyncSession, item_ids: Iterable[int]) -> dict[int, int]:
    """The district or region of each item's plan, by item id: what a plan item's escalation
    queued before its payload named its scope is about (``storage.outbox_withdraw``)."""
    stmt = (
        select(PlanItem.id, Plan.scope_org_id)
        .join(Plan, Plan.id == PlanItem.plan_id)
        .where(PlanItem.id.in_(list(item_ids)))
    )
    return {row.id: row.scope_org_id for row in await session.execute(stmt)}


async def live_items(
    session: AsyncSession, due_since: datetime, got_since: datetime, moved_into: Collection[int]
) -> Sequence[tuple[PlanItem, Plan]]:
    """Items reminders or escalations may be due for: whose deadline is not before
    ``due_since``'s day, or that someone got from ``got_since`` on (added, given to another,
    or of a plan of the districts a ППО was moved into since: ``moved_into``): one who got an
    item after its deadline is told and escalated as if it were due then."""
    given = func.coalesce(PlanItem.assigned_at, PlanItem.created_at)
    stmt = (
        select(PlanItem, Plan)
        .join(Plan, Plan.id == PlanItem.plan_id)
        .where(
            or_(
                PlanItem.deadline >= due_since.date(),
                given >= got_since,
                Plan.scope_org_id.in_(list(moved_into)),
            )
        )
        .order_by(PlanItem.id)
    )
    return [(item, plan) for item, plan in (await session.execute(stmt)).all()]


async def scopes_with_plans(session: AsyncSession, created_before: datetime) -> list[int]:
    """Districts and regions holding a plan loaded before ``created_before``."""
    stmt = select(Plan.scope_org_id).where(Plan.created_at < created_before).distinct()
    return list((await session.scalars(stmt)).all())


async def people_named(session: AsyncSession, person_ids: Iterable[int]) -> dict[int, Person]:
    ids = list(set(person_ids))
    if not ids:
        return {}
    stmt = select(Person).where(Person.id.in_(ids))
    return {person.id: person for person in (await session.scalars(stmt)).all()}


async def held_alone(session: AsyncSession, scope_org_id: int) -> dict[int, set[int]]:
    """The ППО that answered alone for each item of the scope's plans before it was given to
    another, by item id: read off the audit's ``plan.item_change`` entries, whose ``before``
    names the ППО (``org_id``) only when one held the item alone (changes are rare: all are
    read). Its marks were the item's, whoever has it now (``bot.domain.plans.done_stages``)."""
    stmt = select(AuditEntry.before).where(
        AuditEntry.action == "plan.item_change", AuditEntry.org_id == scope_org_id
    )
    found: dict[int, set[int]] = {}
    for before in (await session.scalars(stmt)).all():
        org_id, item_id = (before or {}).get("org_id"), (before or {}).get("item")
        if isinstance(org_id, int) and isinstance(item_id, int):
            found.setdefault(item_id, set()).add(org_id)
    return found


async def org_names(session: AsyncSession, org_ids: Iterable[int]) -> dict[int, str]:
    ids = list(set(org_ids))
    if not ids:
        return {}
    stmt = select(Organization.id, Organization.name).where(Organization.id.in_(ids))
    return {row.id: row.name for row in await session.execute(stmt)}


async def scope_ppos_apart(
    session: AsyncSession, scope_org_id: int
) -> tuple[list[Organization], list[Organization]]:
    """The ППО of an open district or region (``orgs.scope_ppos``) by name, and apart, read by
    the same query, those closed under it (archived, or in an archived district): a plan
    item's escalation names none of them, but notes the late ones it leaves out, so that a
    restore reopens it."""
    closed = or_(Organization.archived_at.is_not(None), PPO_DISTRICT.archived_at.is_not(None))
    stmt = (
        select(Organization, closed.label("closed"))
        .join(PPO_DISTRICT, PPO_DISTRICT.id == Organization.parent_id)
        .where(
            Organization.kind == OrgKind.PPO,
            PPO_DISTRICT.kind == OrgKind.DISTRICT,
            or_(PPO_DISTRICT.id == scope_org_id, PPO_DISTRICT.parent_id == scope_org_id),
        )
        .order_by(Organization.sort_key, Organization.id)
    )
    rows = (await session.execute(stmt)).all()
    return [org for org, shut in rows if not shut], [org for org, shut in rows if shut]
