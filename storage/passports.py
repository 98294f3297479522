"""Passports of primary organizations; the workers figure lives on the organization itself."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Organization, Passport

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
)


async def get_passport(session: AsyncSession, org_id: int) -> Passport | None:
    return await session.get(Passport, org_id)


def values_of(passport: Passport | None, org: Organization) -> dict[str, Any]:
    """JSON-safe values of the card, with the organization's workers figure."""
    values: dict[str, Any] = dict.fromkeys(PASSPORT_FIELDS)
    if passport is not None:
        values.update({name: getattr(passport, name) for name in PASSPORT_FIELDS})
    if isinstance(values["agreement_until"], date):
        values["agreement_until"] = values["agreement_until"].isoformat()
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
        if name == "agreement_until" and value is not None:
            value = date.fromisoformat(value)
        setattr(passport, name, value)
    passport.updated_at, passport.updated_by = now, by
    if values.get("workers") is not None:
        org.workers = values["workers"]
    await session.flush()
    return passport
