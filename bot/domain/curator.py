"""What a curator watches (seed 002 item 11: a member of the presidium or staff attached to a
ППО with low coverage), and which low ППО have nobody attached.

A curator's card of one ППО: its latest report, the coverage's change since the previous
report and over a year, how the last requests were delivered (on time, late, not at all: the
one definition of lateness, ``storage.obligations``, a month asked twice counted once), and
the requests open now with their deadlines. Dates are the ППО's local ones (``zone_of``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.calendar import Tier, local_today, tier_of
from bot.domain.coverage import coverage, format_percent, format_points, shown_change
from bot.domain.timezones import zone_of
from bot.texts import curator as t
from storage import collections, reports
from storage.contacts import curators_of
from storage.curator import LatestFigures, latest_figures, past_deliveries
from storage.models import CollectionKind, MembershipReport, Organization

RECORD_SIZE = 6  # the last requests the on-time record counts
LOW_COVERAGE = 50  # %: below it a ППО should have a curator (seed 002 item 11)


@dataclass(frozen=True, slots=True)
class Point:
    period: date
    members: int
    workers: int

    @property
    def coverage(self) -> float | None:
        return coverage(self.members, self.workers)


@dataclass(frozen=True, slots=True)
class OpenItem:
    calendar: bool
    period: date
    title: str
    deadline: date
    overdue: bool


@dataclass(frozen=True, slots=True)
class CuratedCard:
    name: str
    latest: Point | None
    previous: Point | None
    year_ago: Point | None
    on_time: int
    late: int
    missed: int
    open: tuple[OpenItem, ...]


def _point(report: MembershipReport | None) -> Point | None:
    return None if report is None else Point(report.period, report.members, report.workers)


def _year_before(period: date) -> date:
    return period.replace(year=period.year - 1, day=1)


def _trend(rows: Sequence[MembershipReport]) -> tuple[Point | None, Point | None, Point | None]:
    """The newest report, the one before it, and the newest at least a year older (of the
    reports whose figures stand: one sent back for correction shows nowhere on the card)."""
    if not rows:
        return None, None, None
    newest = rows[0]
    year_ago = next((r for r in rows if r.period <= _year_before(newest.period)), None)
    return _point(newest), _point(rows[1] if len(rows) > 1 else None), _point(year_ago)


async def _open_items(
    session: AsyncSession, org_id: int, now: datetime, today: date
) -> tuple[OpenItem, ...]:
    items = []
    for kind in CollectionKind:
        for target in await collections.open_targets(
            session, org_id, kind=kind, now=now, local_day=today
        ):
            if not target.submitted:
                calendar = kind is CollectionKind.MEMBERSHIP and not target.one_off
                items.append(
                    OpenItem(
                        calendar,
                        target.period,
                        target.title,
                        target.deadline,
                        target.deadline < today,
                    )
                )
    return tuple(sorted(items, key=lambda item: item.deadline))


async def load_card(
    session: AsyncSession, org: Organization, now: datetime, default_tz: str
) -> CuratedCard:
    today = local_today(now, zone_of(org, default_tz))
    latest, previous, year_ago = _trend(await reports.standing_reports(session, org.id))
    record = await past_deliveries(session, org.id, local_today=today, limit=RECORD_SIZE)
    missed = sum(1 for item in record if item.submitted_on is None)
    late = sum(1 for item in record if item.late)
    return CuratedCard(
        name=org.name,
        latest=latest,
        previous=previous,
        year_ago=year_ago,
        on_time=len(record) - missed - late,
        late=late,
        missed=missed,
        open=await _open_items(session, org.id, now, today),
    )


def _change(card: CuratedCard, other: Point | None, label: str, missing: str) -> str:
    if card.latest is None:
        return missing
    now, before = card.latest.coverage, None if other is None else other.coverage
    if other is None or now is None or before is None:
        return missing
    return t.change_since(label, format_points(shown_change(now, before)), other.period)


def card_lines(card: CuratedCard) -> list[str]:
    """The card as message lines (``handlers.replies.answer_lines`` splits a long list)."""
    lines = [t.org_header(card.name)]
    if card.latest is None:
        lines.append(t.NO_REPORT)
    else:
        latest = card.latest
        lines.append(
            t.latest(latest.period, format_percent(latest.coverage), latest.members, latest.workers)
        )
        lines.append(_change(card, card.previous, t.SINCE_PREVIOUS, t.NO_PREVIOUS))
        lines.append(_change(card, card.year_ago, t.OVER_YEAR, t.NO_YEAR))
    total = card.on_time + card.late + card.missed
    lines.append(t.record(total, card.on_time, card.late, card.missed))
    if not card.open:
        lines.append(t.NO_OPEN)
        return lines
    lines.append(t.OPEN_HEADER)
    for item in card.open:
        if item.calendar:
            lines.append(t.open_calendar(item.period, item.deadline, item.overdue))
        else:
            lines.append(t.open_one_off(item.title, item.deadline, item.overdue))
    return lines


@dataclass(frozen=True, slots=True)
class Uncurated:
    """The low ППО of a scope (by their newest report) and those of them without a curator."""

    low: tuple[LatestFigures, ...]
    without: tuple[LatestFigures, ...]


async def uncurated_low(session: AsyncSession, scope_org_id: int) -> Uncurated:
    """ППО of the scope whose newest report shows coverage under ``LOW_COVERAGE`` % (the
    calendar's low tier)."""
    low = tuple(
        row
        for row in await latest_figures(session, scope_org_id)
        if tier_of(coverage(row.members, row.workers)) is Tier.LOW  # as the calendar reads it
    )
    curated = await curators_of(session, (row.org_id for row in low))
    return Uncurated(low, tuple(row for row in low if row.org_id not in curated))


def uncurated_lines(scope_name: str, found: Uncurated) -> list[str]:
    if not found.without:
        return [t.nocurator_none(LOW_COVERAGE)]
    lines = [t.nocurator_header(scope_name, LOW_COVERAGE), ""]
    lines += [
        t.nocurator_line(
            row.name,
            row.district_name,
            format_percent(coverage(row.members, row.workers)),
            row.period,
        )
        for row in found.without
    ]
    return [*lines, "", t.nocurator_count(len(found.without), len(found.low)), t.NOCURATOR_HINT]
