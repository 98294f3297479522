"""The passports of a scope's ППО in one read, for the staff passport report (/passports).

One outer join: every active ППО of the scope comes back, with its passport when the chair
filled one. Rows are frozen dataclasses, not ORM objects, so the report can be drawn after the
session closed (the .xlsx is rendered after the commit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Organization, Passport
from storage.orgs import PPO_DISTRICT, scope_ppos


@dataclass(frozen=True, slots=True)
class PassportValues:
    """What a chair filled in the passport form, and when it was last saved."""

    institution: str | None
    address: str | None
    chair_full_name: str | None
    chair_phone: str | None
    agreement: bool | None
    agreement_until: date | None
    youth_council: bool | None
    site_url: str | None
    social_url: str | None
    stand: bool | None
    corner: bool | None
    info_person: str | None
    public_report_on: date | None
    members_registry: bool | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class PpoPassport:
    """An active ППО of the scope; ``passport`` is None when nobody filled it yet."""

    org_id: int
    name: str
    district_name: str
    workers: int | None  # the organization's figure, shared with the reports
    passport: PassportValues | None


_PASSPORT_COLUMNS = (
    Passport.institution,
    Passport.address,
    Passport.chair_full_name,
    Passport.chair_phone,
    Passport.agreement,
    Passport.agreement_until,
    Passport.youth_council,
    Passport.site_url,
    Passport.social_url,
    Passport.stand,
    Passport.corner,
    Passport.info_person,
    Passport.public_report_on,
    Passport.members_registry,
    Passport.updated_at,
)


def _scope_passports_stmt(scope_org_id: int) -> Select[Any]:
    """Every ППО of the scope (``storage.orgs.scope_ppos``) with its passport, by district and
    name; callers narrow it."""
    return (
        scope_ppos(
            scope_org_id,
            Organization.id,
            Organization.name,
            PPO_DISTRICT.name,
            Organization.workers,
            Passport.org_id,
            *_PASSPORT_COLUMNS,
        )
        .outerjoin(Passport, Passport.org_id == Organization.id)
        .order_by(PPO_DISTRICT.sort_key, PPO_DISTRICT.id, Organization.sort_key, Organization.id)
    )


async def _read(session: AsyncSession, stmt: Select[Any]) -> list[PpoPassport]:
    rows = []
    for org_id, name, district_name, workers, passport_org, *values in (
        await session.execute(stmt)
    ).all():
        passport = None if passport_org is None else PassportValues(*values)
        rows.append(PpoPassport(org_id, name, district_name, workers, passport))
    return rows


async def scope_passports(session: AsyncSession, scope_org_id: int) -> list[PpoPassport]:
    """Every ППО of the scope with its passport, by district and name."""
    return await _read(session, _scope_passports_stmt(scope_org_id))


async def agreements_ending(
    session: AsyncSession, scope_org_id: int, first: date, last: date
) -> list[PpoPassport]:
    """The ППО of the scope whose collective agreement is marked in force and ends between
    ``first`` and ``last`` (both included): the few rows the digest needs, not the whole scope.
    The rule itself stays ``bot.domain.passport_report.agreement_expiring``."""
    stmt = _scope_passports_stmt(scope_org_id).where(
        Passport.agreement.is_(True), Passport.agreement_until.between(first, last)
    )
    return await _read(session, stmt)
