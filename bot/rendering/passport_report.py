"""The staff passport report drawn for people: the message of counts and the .xlsx.

The message fits a phone: counts first, then the agreements to act on and the stale passports,
each list clipped after ``LIST_CAP`` names. The .xlsx has every passport field of every ППО.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.passport_report import (
    AGREEMENT_NOTICE,
    AgreementTerm,
    PassportLine,
    PassportReport,
    Resource,
)
from bot.rendering.tables import capped, short
from bot.rendering.xlsx import build_table_xlsx
from bot.texts import passport as tp
from bot.texts import passport_report as t
from storage.passport_report import PassportValues

LIST_CAP = 10  # names per list before «…и ещё N»

LABELS = {
    Resource.AGREEMENT: t.L_AGREEMENT,
    Resource.YOUTH_COUNCIL: tp.L_YOUTH_COUNCIL,
    Resource.SITE: tp.L_SITE,
    Resource.SOCIAL: tp.L_SOCIAL,
    Resource.STAND: tp.L_STAND,
    Resource.CORNER: tp.L_CORNER,
    Resource.INFO_PERSON: tp.L_INFO_PERSON,
    Resource.REGISTRY: tp.L_REGISTRY,
}
INFO_WORK = (Resource.SITE, Resource.SOCIAL, Resource.STAND, Resource.CORNER, Resource.INFO_PERSON)


def _agreement_item(term: AgreementTerm) -> str:
    return t.agreement_item(term.ppo, term.until)


def _stale_item(line: PassportLine) -> str:
    return t.stale_item(line.ppo.name, line.confirmed_on)


def digest_lines(expiring: Sequence[AgreementTerm], cap: int) -> list[str]:
    """The passport's lines in the staff digest: the agreements ending within 60 days, on one
    line (the digest must fit a phone screen)."""
    if not expiring:
        return []
    terms = capped(expiring, cap, lambda term: tp.digest_ppo_until(short(term.ppo, 30), term.until))
    return [tp.digest_expiring_header(len(expiring)), "; ".join(terms)]


def report_lines(report: PassportReport) -> list[str]:
    """The message, line by line (``handlers.replies.answer_lines`` splits it if it must)."""
    total = report.total

    def count(resource: Resource) -> str:
        return t.has_line(LABELS[resource], report.counts[resource], total)

    lines = [t.header(report.scope_name, report.today), ""]
    lines += [count(Resource.AGREEMENT), count(Resource.YOUTH_COUNCIL), count(Resource.REGISTRY)]
    lines += ["", t.INFO_WORK_HEADER]
    lines += [count(resource) for resource in INFO_WORK]
    sizes = report.reserve.values()
    people, young, trained = (sum(size[part] for size in sizes) for part in range(3))
    lines += ["", t.reserve_line(len(report.reserve), total, people, young, trained)]
    year, missing = report.today.year, report.no_public_report
    lines.append(t.has_line(t.public_report_label(year), total - len(missing), total))
    lines += ["", t.without_passport(report.without_passport, total)]
    if report.expiring:
        lines += ["", t.expiring_header(len(report.expiring), AGREEMENT_NOTICE.days)]
        lines += capped(report.expiring, LIST_CAP, _agreement_item)
    if report.expired:
        lines += ["", t.expired_header(len(report.expired))]
        lines += capped(report.expired, LIST_CAP, _agreement_item)
    if report.stale:
        lines += ["", t.stale_header(len(report.stale))]
        lines += capped(report.stale, LIST_CAP, _stale_item)
    if missing:
        lines += ["", t.no_public_report_header(year, len(missing))]
        lines += capped(missing, LIST_CAP, t.ppo_item)
    return [*lines, "", t.ATTACHMENT]


# --- The .xlsx ------------------------------------------------------------------------------

_PASSPORT_CELLS = len(t.COLUMNS) - 7  # all but district, ППО, workers, confirmed, reserve ×3


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else (t.YES if value else t.NO)


def _passport_cells(passport: PassportValues | None) -> list[object]:
    if passport is None:
        return [None] * _PASSPORT_CELLS
    return [
        passport.institution,
        passport.address,
        passport.chair_full_name,
        passport.chair_phone,
        _yes_no(passport.agreement),
        passport.agreement_until,
        _yes_no(passport.youth_council),
        passport.site_url,
        passport.social_url,
        _yes_no(passport.stand),
        _yes_no(passport.corner),
        passport.info_person,
        passport.public_report_on,
        _yes_no(passport.members_registry),
    ]


def table_rows(report: PassportReport) -> list[list[object]]:
    """One row per ППО in ``t.COLUMNS`` order; a ППО without a passport has empty cells."""
    return [
        [
            line.ppo.district_name,
            line.ppo.name,
            *_passport_cells(line.ppo.passport),
            *report.reserve.get(line.ppo.org_id, (None, None, None)),  # empty: no reserve
            line.ppo.workers,
            line.confirmed_on,
        ]
        for line in report.lines
    ]


def passport_table_xlsx(report: PassportReport) -> bytes:
    """One sheet of every passport field per ППО, through the one table writer."""
    return build_table_xlsx(t.SHEET_TITLE, t.COLUMNS, table_rows(report))
