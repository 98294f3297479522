"""What the digest district staff get says: who has reported, who is late, coverage and its
change, low and falling ППО, events. Also what /status and /export show. Its message, chart and
table are drawn by ``bot.rendering.digest``.

Definitions (the numbers staff see must mean one thing):

* **Due** (the Y of "submitted X of Y"): the targets of the scope's membership collection for
  the period (see ``storage.digest.current_collection``); while it has none at all, every ППО.
  A region joins the collections of that period of all its districts: the ППО of a district
  that has none for the period are «не требуется» there, as in the district's own table.
* **Submitted**: a due ППО whose counting (latest) revision for the period exists and was not
  returned for correction. It **came late** («сдан с опозданием») when its request for the
  period was delivered after the deadline (``storage.obligations.late_deliveries``): a late
  report counts for the period it is for, not the month it was sent in. A returned report is
  neither submitted nor late: it has its own list («возвращён на исправление») until the
  chair sends a newer revision.
* **Late**: a due ППО with no report for the period at all, overdue ones (own target deadline
  passed) first. The list is headed «не сдали в срок» once a deadline has passed and «ещё не
  сдали» before. A region lists the districts with the most late ППО instead of names.
* **Counted reports**: counting revisions for the period that were not returned and have
  workers > 0, due or not (a ППО that reports off-schedule still has real numbers).
* **District coverage** = Σ members / Σ workers × 100 over the counted reports (members of
  large ППО weigh more, as in the union's statistical report).
* **Change in p.p.** is like-for-like: over the counted ППО that also have an earlier report
  (each ППО's own most recent period before this one, since ППО report on different
  schedules), Σ members / Σ workers now minus the same over their previous reports. Comparing
  with whatever set reported last time would show a jump whenever a large ППО is merely late.
* **Under 50 %**: counted ППО with coverage < 50, the calendar's tier (``tier_of``), so the
  list names the ППО their chairs are told are below 50 %. **Fell**: counted ППО whose
  coverage is at least 5 p.p. below their own previous report; **rose**: at least 5 p.p. above
  it (ППО with positive dynamics, to learn from: seed 002 item 9).
* **Counts** (members, workers, pensioners, youth) and **why members left** are summed over
  the counted reports (``bot.domain.digest_totals``), so they agree with the coverage.
* **Events**: not deleted events of the scope staff learn of in ``[events_since, today)``:
  on the later of the day held and the day entered (``storage.digest_events``), so one
  entered weeks after it was held still reaches the next digest, once; those are counted
  apart as entered late («внесены позже»).
* **Forms' sections**: what other forms declare for the digest (``Form.digest``, read for the
  scope and ``today``): the passport's collective agreements ending within 60 days.

/status is the short variant: the period, the deadline, submitted X of Y and who is late or
returned: what staff check between digests. The digest adds coverage, low and falling ППО and
events.
"""

from __future__ import annotations

import asyncio
import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.calendar import Tier, tier_of
from bot.domain.coverage import coverage
from bot.domain.digest_totals import Counts, LeavingSplit, counts_of, leaving_split
from bot.domain.timezones import zone_named
from bot.forms.digest_section import DigestLines, DigestSection, read_sections
from storage import digest as store
from storage.digest import CollectionInfo, PastReport, PpoRow, ReportRow, ScopeInfo
from storage.digest_events import event_totals, events_entered_late
from storage.models import OrgKind

FALL_POINTS = 5.0
DEFAULT_EVENTS_WINDOW = timedelta(days=7)
_EPSILON = 1e-9


class Status(enum.StrEnum):
    """Where one ППО stands for the period (see the module docstring)."""

    SUBMITTED = "submitted"
    LATE = "late"  # submitted after the deadline
    MISSING = "missing"
    RETURNED = "returned"
    NOT_DUE = "not_due"


@dataclass(frozen=True)
class DigestData:
    """Everything the digest is computed from, as storage returns it."""

    scope: ScopeInfo
    period: date
    today: date
    tz: str
    ppos: Sequence[PpoRow]
    reports: Mapping[int, ReportRow]  # counting revision for the period, by org id
    previous: Mapping[int, PastReport]  # each ППО's counting report before the period
    collection: CollectionInfo | None
    events: tuple[int, int] = (0, 0)  # (count, participants)
    events_since: date | None = None
    events_late: int = 0  # of ``events``, held before ``events_since``: entered late
    sections: tuple[DigestLines, ...] = ()  # the forms' own lines, read for the scope
    default_tz: str = "Europe/Moscow"  # a ППО's zone when it has none of its own


@dataclass(frozen=True)
class PpoLine:
    """One ППО in the digest and in the table. Its percentages are computed once
    (``cached_property``): building and drawing a region's digest reads each several times."""

    ppo: PpoRow
    status: Status
    due: bool
    deadline: date | None
    report: ReportRow | None
    previous: PastReport | None

    @property
    def counted(self) -> bool:
        return (
            self.report is not None and self.report.returned_at is None and self.report.workers > 0
        )

    @cached_property
    def coverage(self) -> float | None:
        return None if self.report is None else coverage(self.report.members, self.report.workers)

    @cached_property
    def youth_coverage(self) -> float | None:
        if self.report is None:
            return None
        return coverage(self.report.youth_members, self.report.youth_workers)

    @cached_property
    def previous_coverage(self) -> float | None:
        if self.previous is None:
            return None
        return coverage(self.previous.members, self.previous.workers)

    @cached_property
    def change(self) -> float | None:
        now, before = self.coverage, self.previous_coverage
        return None if now is None or before is None else now - before

    def overdue(self, today: date) -> bool:
        return self.deadline is not None and self.deadline < today


@dataclass(frozen=True)
class Digest:
    """The digest's numbers and lists, ready to be rendered."""

    scope: ScopeInfo
    period: date
    today: date
    tz: str
    default_tz: str  # a ППО's zone when it has none of its own
    deadline: date | None  # of the collection; None without one
    lines: list[PpoLine]  # every ППО, by district and name
    submitted: int
    due: int
    late: list[PpoLine]  # overdue first, then by district and name
    returned: list[PpoLine]
    coverage: float | None
    counted: int  # reports the coverage is computed over
    coverage_change: float | None
    compared: int  # ППО the change is computed over
    low: list[PpoLine]  # coverage < 50 %, lowest first
    fell: list[PpoLine]  # fell by ≥ 5 p.p., biggest fall first
    events_count: int = 0
    events_participants: int = 0
    events_since: date | None = None
    events_late: int = 0  # of the events, those held before ``events_since``
    rose: list[PpoLine] = field(default_factory=list)  # rose by ≥ 5 p.p., biggest rise first
    counts: Counts = field(default_factory=Counts)
    leaving: LeavingSplit = field(default_factory=LeavingSplit)
    sections: tuple[DigestLines, ...] = ()  # the forms' own lines, in the registry's order

    @property
    def region(self) -> bool:
        return self.scope.kind == OrgKind.REGION

    @property
    def came_late(self) -> list[PpoLine]:
        return [line for line in self.lines if line.status is Status.LATE]

    @property
    def deadline_passed(self) -> bool:
        return self.deadline is not None and self.deadline < self.today

    def chart_items(self) -> list[tuple[str, float]]:
        """(ППО name, coverage) of every counted report: what the chart draws."""
        items: list[tuple[str, float]] = []
        for line in self.lines:
            value = line.coverage
            if line.counted and value is not None:
                items.append((line.ppo.name, value))
        return items


def _ratio(pairs: Sequence[tuple[int, int]]) -> float | None:
    workers = sum(w for _, w in pairs)
    return None if workers <= 0 else sum(m for m, _ in pairs) / workers * 100


def _status(report: ReportRow | None, *, due: bool, came_late: bool) -> Status:
    if report is not None and report.returned_at is not None:
        return Status.RETURNED
    if report is not None:
        return Status.LATE if came_late else Status.SUBMITTED
    return Status.MISSING if due else Status.NOT_DUE


def _ppo_lines(data: DigestData) -> list[PpoLine]:
    """Every ППО of the scope with its status, deadline and reports, in storage's order."""
    targets = data.collection.targets if data.collection is not None else None
    came_late = data.collection.late if data.collection is not None else frozenset()
    lines: list[PpoLine] = []
    for ppo in data.ppos:
        due = targets is None or ppo.org_id in targets
        report = data.reports.get(ppo.org_id)
        lines.append(
            PpoLine(
                ppo=ppo,
                status=_status(report, due=due, came_late=ppo.org_id in came_late),
                due=due,
                deadline=targets.get(ppo.org_id) if targets is not None else None,
                report=report,
                previous=data.previous.get(ppo.org_id),
            )
        )
    return lines


def _like_for_like_change(counted: Sequence[PpoLine]) -> tuple[float | None, int]:
    """(change in p.p., ППО compared): over the counted ППО that have an earlier report."""
    same = [
        line
        for line in counted
        if line.report is not None and line.previous is not None and line.previous.workers > 0
    ]
    now_same = _ratio([(line.report.members, line.report.workers) for line in same if line.report])
    before_same = _ratio(
        [(line.previous.members, line.previous.workers) for line in same if line.previous]
    )
    change = None if now_same is None or before_same is None else now_same - before_same
    return change, len(same)


def _rose(counted: Sequence[PpoLine]) -> list[PpoLine]:
    """Risen by 5 p.p. or more, biggest rise first."""
    rose = [
        line
        for line in counted
        if line.change is not None and line.change >= FALL_POINTS - _EPSILON
    ]
    rose.sort(key=lambda line: -(line.change or 0.0))
    return rose


def _low_and_fell(counted: Sequence[PpoLine]) -> tuple[list[PpoLine], list[PpoLine]]:
    """Under 50 %, lowest first; fallen by 5 p.p. or more, biggest fall first."""
    low = [line for line in counted if tier_of(line.coverage or 0.0) is Tier.LOW]
    low.sort(key=lambda line: line.coverage or 0.0)
    fell = [
        line
        for line in counted
        if line.change is not None and line.change <= -FALL_POINTS + _EPSILON
    ]
    fell.sort(key=lambda line: line.change or 0.0)
    return low, fell


def build_digest(data: DigestData) -> Digest:
    """Pure: the digest's numbers and lists from what storage returned."""
    lines = _ppo_lines(data)
    due_lines = [line for line in lines if line.due]
    submitted = sum(1 for line in due_lines if line.status in (Status.SUBMITTED, Status.LATE))
    late = [line for line in due_lines if line.status is Status.MISSING]
    late.sort(key=lambda line: (not line.overdue(data.today),))  # stable: keeps district, name
    counted = [line for line in lines if line.counted]
    now_pairs = [(line.report.members, line.report.workers) for line in counted if line.report]
    change, compared = _like_for_like_change(counted)
    low, fell = _low_and_fell(counted)
    count, participants = data.events
    return Digest(
        scope=data.scope,
        period=data.period,
        today=data.today,
        tz=data.tz,
        default_tz=data.default_tz,
        deadline=data.collection.deadline if data.collection is not None else None,
        lines=lines,
        submitted=submitted,
        due=len(due_lines),
        late=late,
        returned=[line for line in lines if line.status is Status.RETURNED],
        coverage=_ratio(now_pairs),
        counted=len(counted),
        coverage_change=change,
        compared=compared,
        low=low,
        fell=fell,
        events_count=count,
        events_participants=participants,
        events_since=data.events_since,
        events_late=data.events_late,
        rose=_rose(counted),
        counts=counts_of(line.report for line in counted if line.report),
        leaving=leaving_split(line.report for line in counted if line.report),
        sections=data.sections,
    )


# --- Loading --------------------------------------------------------------------------------


async def load_digest(
    session: AsyncSession,
    *,
    scope_org_id: int,
    period: date | None = None,
    today: date,
    events_since: date | None = None,
    events_until: date | None = None,
    default_tz: str = "Europe/Moscow",
    sections: Sequence[DigestSection[Any]] = (),
) -> Digest:
    """Read the scope (a district or a region) and build its digest.

    ``period`` None: the period of the open (or latest) membership collection of the scope, or
    the month of ``today`` when there is none. ``today`` is the scope's local date. Events are
    counted from ``events_since`` (default: a week back) up to, not including, ``events_until``
    (default ``today``: the next scheduled digest's window starts with today).
    ``sections``: the forms' digest sections to read (``registry.DIGEST_SECTIONS``; /status
    and the chart and table need none). Raises LookupError for an unknown scope.
    """
    scope = await store.scope_info(session, scope_org_id)
    if scope is None:
        raise LookupError(f"organization {scope_org_id} not found")
    collection = await store.current_collection(session, scope_org_id, today, period=period)
    if period is None:
        period = collection.period if collection is not None else today.replace(day=1)
    since = events_since if events_since is not None else today - DEFAULT_EVENTS_WINDOW
    until = events_until if events_until is not None else today
    zone = zone_named(scope.timezone, default_tz)
    data = DigestData(
        scope=scope,
        period=period,
        today=today,
        tz=scope.timezone or default_tz,
        default_tz=default_tz,
        ppos=await store.ppo_rows(session, scope_org_id),
        reports=await store.counting_reports(session, scope_org_id, period),
        previous=await store.latest_before(session, scope_org_id, period),
        collection=collection,
        events=await event_totals(session, scope_org_id, since, until, zone),
        events_since=since,
        events_late=await events_entered_late(session, scope_org_id, since, until, zone),
        sections=await read_sections(sections, session, scope_org_id, today),
    )
    # Built in a worker thread: 10,000 lines are ~40 ms of CPU the event loop need not wait for.
    return await asyncio.to_thread(build_digest, data)


# --- The /export argument -------------------------------------------------------------------

_MONTH_STEMS = (
    "янв",
    "фев",
    "мар",
    "апр",
    "ма",
    "июн",
    "июл",
    "авг",
    "сен",
    "окт",
    "ноя",
    "дек",
)
_NUMERIC = re.compile(r"(?:(\d{1,2})[./-])?(\d{1,2})[./-](\d{4})|(\d{4})-(\d{1,2})", re.ASCII)
_WORDS = re.compile(r"([а-яё]+)\s+(\d{4})", re.ASCII)


def parse_period(text: str) -> date | None:
    """A month from «11.2026», «11/2026», «2026-11», «01.11.2026» or «ноябрь 2026»."""
    text = " ".join(text.casefold().split())
    month = year = 0
    if match := _NUMERIC.fullmatch(text):
        if match.group(3):
            month, year = int(match.group(2)), int(match.group(3))
        else:
            year, month = int(match.group(4)), int(match.group(5))
    elif match := _WORDS.fullmatch(text):
        word, year = match.group(1), int(match.group(2))
        for number, stem in enumerate(_MONTH_STEMS, start=1):
            if word.startswith(stem):  # «мар» is tried before «ма»: март ≠ май
                month = number
                break
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        return None
    return date(year, month, 1)
