"""Passports of primary organizations; the workers figure lives on the organization itself."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Organization, Passport, ReservePerson
from storage.orgs import scope_ppo_ids, scope_ppos
from storage.submissions import add_once

PASSPORT_FIELDS = (
    "institution",
    "address",
    "chair_full_name",
    "chair_phone",
    "agreement",
    "agreement_until",
    "youth_council",
    "site_url",
    "social_url",
    "stand",
    "corner",
    "info_person",
    "public_report_on",
    "members_registry",
)
DATE_FIELDS = ("agreement_until", "public_report_on")


async def get_passport(session: AsyncSession, org_id: int) -> Passport | None:
    return await session.get(Passport, org_id)


def values_of(passport: Passport | None, org: Organization) -> dict[str, Any]:
    """JSON-safe values of the card, with the organization's workers figure."""
    values: dict[str, Any] = dict.fromkeys(PASSPORT_FIELDS)
    if passport is not None:
        values.update({name: getattr(passport, name) for name in PASSPORT_FIELDS})
    for name in DATE_FIELDS:
        if isinstance(values[name], date):
            values[name] = values[name].isoformat()
    values["workers"] = org.workers
    return values


async def save_passport(
    session: AsyncSession,
    *,
    org: Organization,
    values: dict[str, Any],
    by: int,
    now: datetime,
) -> Passport:
    passport = await get_passport(session, org.id)
    if passport is None:
        passport = Passport(org_id=org.id, updated_at=now)
        session.add(passport)
    for name in PASSPORT_FIELDS:
        value = values.get(name)
        if name in DATE_FIELDS and value is not None:
            value = date.fromisoformat(value)
        setattr(passport, name, value)
    passport.updated_at, passport.updated_by = now, by
    if values.get("workers") is not None:
        org.workers = values["workers"]
    await session.flush()
    return passport


async def agreements_ending(
    session: AsyncSession, scope_org_id: int, *, earliest: date, latest: date
) -> list[tuple[Organization, date]]:
    """The ППО of a scope (``storage.orgs.scope_ppos``) whose collective agreement, marked in
    force, ends between ``earliest`` and ``latest``: a wide window the caller narrows by each
    ППО's local date."""
    stmt = (
        scope_ppos(scope_org_id, Organization, Passport.agreement_until)
        .join(Passport, Passport.org_id == Organization.id)
        .where(
            Passport.agreement.is_(True),
            Passport.agreement_until.between(earliest, latest),
        )
        .order_by(Organization.id)
    )
    return [(org, until) for org, until in (await session.execute(stmt)).all()]


# --- The leadership reserve (кадровый резерв) -----------------------------------------------


async def reserve_of(session: AsyncSession, org_id: int) -> list[ReservePerson]:
    """A ППО's reserve, in the order people were added."""
    stmt = (
        select(ReservePerson)
        .where(ReservePerson.org_id == org_id)
        .order_by(ReservePerson.added_at, ReservePerson.id)
    )
    return list((await session.scalars(stmt)).all())


async def add_reserve_person(
    session: AsyncSession,
    *,
    org_id: int,
    full_name: str,
    position: str,
    under_35: bool,
    trained: bool,
    by: int,
    now: datetime,
    key: str,
) -> tuple[ReservePerson, bool]:
    """Add a person to the reserve; ``key`` (the draft's token) makes a repeat a no-op.
    Returns the person and whether they were added now."""
    person = ReservePerson(
        org_id=org_id,
        full_name=full_name,
        position=position,
        under_35=under_35,
        trained=trained,
        added_at=now,
        added_by=by,
        submission_key=key,
    )
    return await add_once(session, person)


async def get_reserve_person(session: AsyncSession, person_id: int) -> ReservePerson | None:
    return await session.get(ReservePerson, person_id)


async def remove_reserve_person(session: AsyncSession, person: ReservePerson) -> None:
    await session.delete(person)
    await session.flush()


async def reserve_counts(
    session: AsyncSession, scope_org_id: int
) -> dict[int, tuple[int, int, int]]:
    """(people, of them under 35, of them in training) in the reserve of each ППО of the scope
    that has any."""
    young = func.sum(case((ReservePerson.under_35.is_(True), 1), else_=0))
    trained = func.sum(case((ReservePerson.trained.is_(True), 1), else_=0))
    stmt = (
        select(ReservePerson.org_id, func.count(), young, trained)
        .where(ReservePerson.org_id.in_(scope_ppo_ids(scope_org_id)))
        .group_by(ReservePerson.org_id)
    )
    return {
        org_id: (int(total), int(under_35 or 0), int(in_training or 0))
        for org_id, total, under_35, in_training in (await session.execute(stmt)).all()
    }
