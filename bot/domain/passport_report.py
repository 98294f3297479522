"""The passports of a scope, read as the district reads them (seed 002 item 6, seed 004 item 5).

The district runs a passport update campaign («актуализация паспортов») and watches the
information work of every ППО: how many have a collective agreement in force, a youth council,
a page on the institution's site, a social network group, a stand, a «профсоюзный уголок», a
person responsible for information work. It also needs to know in time which collective
agreements end soon (to renegotiate them) and which passports nobody confirmed for a year.
Every ППО gives a public report every year (seed 002 item 26: «Создание Публичных отчетов
всеми первичными профсоюзными организациями … ежегодно»): the report names those whose
passport has no public report dated in the current year.

Every date rule here is a plain function of the scope's local date, passed in.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from storage import passport_report as store
from storage.org_names import sort_key
from storage.passport_report import PassportValues, PpoPassport

AGREEMENT_NOTICE = timedelta(days=60)  # an agreement ending within this is «expiring»
STALE_AFTER = timedelta(days=365)  # a passport not confirmed for longer is stale


class Resource(enum.Enum):
    """What a ППО may have, counted as «есть у X из N ППО»."""

    AGREEMENT = enum.auto()
    YOUTH_COUNCIL = enum.auto()
    SITE = enum.auto()
    SOCIAL = enum.auto()
    STAND = enum.auto()
    CORNER = enum.auto()
    INFO_PERSON = enum.auto()
    REGISTRY = enum.auto()  # members kept in the АИС «Единый реестр» (seed 002 item 3)


def agreement_in_force(passport: PassportValues, today: date) -> bool:
    """Marked as in force and not past its end date (an agreement without a date counts)."""
    if passport.agreement is not True:
        return False
    return passport.agreement_until is None or passport.agreement_until >= today


def agreement_expiring(passport: PassportValues, today: date) -> bool:
    """In force and ending within ``AGREEMENT_NOTICE`` of today, both days included."""
    until = passport.agreement_until
    return (
        passport.agreement is True
        and until is not None
        and today <= until <= today + AGREEMENT_NOTICE
    )


def agreement_expired(passport: PassportValues, today: date) -> bool:
    """Marked as in force by the chair, but its end date has passed."""
    until = passport.agreement_until
    return passport.agreement is True and until is not None and until < today


def public_report_given(passport: PassportValues | None, today: date) -> bool:
    """The passport's last public report is dated in ``today``'s year."""
    given = None if passport is None else passport.public_report_on
    return given is not None and given.year == today.year


def is_stale(confirmed_on: date | None, today: date) -> bool:
    """Never confirmed, or last confirmed more than ``STALE_AFTER`` before today."""
    return confirmed_on is None or confirmed_on < today - STALE_AFTER


def has_resource(passport: PassportValues, resource: Resource, today: date) -> bool:
    match resource:
        case Resource.AGREEMENT:
            return agreement_in_force(passport, today)
        case Resource.YOUTH_COUNCIL:
            return passport.youth_council is True
        case Resource.SITE:
            return bool(passport.site_url)
        case Resource.SOCIAL:
            return bool(passport.social_url)
        case Resource.STAND:
            return passport.stand is True
        case Resource.CORNER:
            return passport.corner is True
        case Resource.INFO_PERSON:
            return bool(passport.info_person)
        case Resource.REGISTRY:
            return passport.members_registry is True


@dataclass(frozen=True, slots=True)
class PassportLine:
    """One ППО of the report, with the local date its passport was last confirmed."""

    ppo: PpoPassport
    confirmed_on: date | None


@dataclass(frozen=True, slots=True)
class AgreementTerm:
    ppo: str
    until: date


@dataclass(frozen=True, slots=True)
class PassportReport:
    scope_name: str
    today: date
    lines: tuple[PassportLine, ...]  # every ППО of the scope, by district and name
    counts: dict[Resource, int]
    without_passport: int
    expiring: tuple[AgreementTerm, ...]  # soonest first
    expired: tuple[AgreementTerm, ...]  # longest expired first
    stale: tuple[PassportLine, ...]  # never confirmed first, then the oldest
    no_public_report: tuple[str, ...]  # ППО without this year's public report, in line order
    # The leadership reserve: (people, of them under 35, of them in training) by ППО id, ППО
    # with none absent.
    reserve: Mapping[int, tuple[int, int, int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.lines)


def _terms(lines: Sequence[PassportLine]) -> list[AgreementTerm]:
    terms = []
    for line in lines:
        passport = line.ppo.passport
        assert passport is not None and passport.agreement_until is not None
        terms.append(AgreementTerm(line.ppo.name, passport.agreement_until))
    return sorted(terms, key=lambda term: (term.until, sort_key(term.ppo)))


def expiring_agreements(rows: Sequence[PpoPassport], today: date) -> tuple[AgreementTerm, ...]:
    """The agreements of ``rows`` ending within ``AGREEMENT_NOTICE`` of ``today``, soonest first
    (what the staff digest lists; ``storage.passport_report.agreements_ending`` reads them)."""
    ending = [
        PassportLine(row, None)
        for row in rows
        if row.passport is not None and agreement_expiring(row.passport, today)
    ]
    return tuple(_terms(ending))


async def load_expiring(
    session: AsyncSession, scope_org_id: int, today: date
) -> tuple[AgreementTerm, ...]:
    """The passport's section of the staff digest: the scope's agreements ending soon."""
    rows = await store.agreements_ending(session, scope_org_id, today, today + AGREEMENT_NOTICE)
    return expiring_agreements(rows, today)


def build_report(
    scope_name: str,
    rows: Sequence[PpoPassport],
    *,
    today: date,
    zone: ZoneInfo,
    reserve: Mapping[int, tuple[int, int, int]] | None = None,
) -> PassportReport:
    """The report of a scope on its local date ``today``; ``zone`` gives the confirmation dates."""
    lines = tuple(
        PassportLine(
            row, None if row.passport is None else row.passport.updated_at.astimezone(zone).date()
        )
        for row in rows
    )
    filled = [(line, line.ppo.passport) for line in lines if line.ppo.passport is not None]
    counts = {
        resource: sum(has_resource(passport, resource, today) for _, passport in filled)
        for resource in Resource
    }
    stale = [line for line in lines if is_stale(line.confirmed_on, today)]
    stale.sort(key=lambda line: (line.confirmed_on is not None, line.confirmed_on or today))
    return PassportReport(
        scope_name=scope_name,
        today=today,
        lines=lines,
        counts=counts,
        without_passport=len(lines) - len(filled),
        expiring=tuple(_terms([ln for ln, p in filled if agreement_expiring(p, today)])),
        expired=tuple(_terms([ln for ln, p in filled if agreement_expired(p, today)])),
        stale=tuple(stale),
        no_public_report=tuple(
            line.ppo.name for line in lines if not public_report_given(line.ppo.passport, today)
        ),
        reserve=dict(reserve or {}),
    )
