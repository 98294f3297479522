"""The digest district staff get: who has reported, who is late, coverage and its change, low and
falling ППО, events; with a chart and the full table. Also /status and /export.

Definitions (the numbers staff see must mean one thing):

* **Due** (the Y of "submitted X of Y"): the targets of the scope's membership collection for
  the period (see ``storage.digest.current_collection``); without a collection, every ППО. A
  region joins the collections of that period of all its districts: the ППО of a district
  that has none for the period are «не требуется» there.
* **Submitted**: a due ППО whose counting (latest) revision for the period exists and was not
  returned for correction. It **came late** («сдан с опозданием») when its request for the
  period was delivered after the deadline (``storage.collections.late_deliveries``): a late
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
* **Under 50 %**: counted ППО with coverage < 50. **Fell**: counted ППО whose coverage is at
  least 5 p.p. below their own previous report.
* **Events**: not deleted events of the scope that started in ``[events_since, today)``.

``status_text`` (/status) is the short variant: the period, the deadline, submitted X of Y and
who is late or returned: what staff check between digests. ``digest_text`` adds coverage,
low and falling ППО and events.
"""

from __future__ import annotations

import enum
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.coverage import coverage, format_percent, format_points
from bot.rendering.charts import coverage_chart_png
from bot.rendering.spreadsheets import build_table_xlsx
from bot.texts import common
from bot.texts import digest as t
from bot.texts import membership as mt
from storage import digest as store
from storage.digest import CollectionInfo, PpoRow, ReportRow, ScopeInfo
from storage.models import OrgKind

LOW_COVERAGE = 50.0
FALL_POINTS = 5.0
TEXT_LIMIT = 1500  # characters of HTML: one phone screen
LIST_CAP = 10  # names per list before «…и ещё N»
STATUS_LIST_CAP = 15
NAME_LIMIT = 40  # characters of a ППО or person name in the message
DEFAULT_EVENTS_WINDOW = timedelta(days=7)
_EPSILON = 1e-9
_T = TypeVar("_T")


class Status(enum.StrEnum):
    SUBMITTED = "submitted"
    LATE = "late"  # submitted after the deadline
    MISSING = "missing"
    RETURNED = "returned"
    NOT_DUE = "not_due"


STATUS_TEXT = {
    Status.SUBMITTED: t.STATUS_SUBMITTED,
    Status.LATE: t.STATUS_LATE,
    Status.MISSING: t.STATUS_MISSING,
    Status.RETURNED: t.STATUS_RETURNED,
    Status.NOT_DUE: t.STATUS_NOT_DUE,
}


@dataclass(frozen=True)
class DigestData:
    """Everything the digest is computed from, as storage returns it."""

    scope: ScopeInfo
    period: date
    today: date
    tz: str
    ppos: Sequence[PpoRow]
    reports: Mapping[int, ReportRow]  # counting revision for the period, by org id
    previous: Mapping[int, ReportRow]  # each ППО's counting report before the period
    collection: CollectionInfo | None
    events: tuple[int, int] = (0, 0)  # (count, participants)
    events_since: date | None = None


@dataclass(frozen=True)
class PpoLine:
    """One ППО in the digest and in the table."""

    ppo: PpoRow
    status: Status
    due: bool
    deadline: date | None
    report: ReportRow | None
    previous: ReportRow | None

    @property
    def counted(self) -> bool:
        return (
            self.report is not None and self.report.returned_at is None and self.report.workers > 0
        )

    @property
    def coverage(self) -> float | None:
        return None if self.report is None else coverage(self.report.members, self.report.workers)

    @property
    def youth_coverage(self) -> float | None:
        if self.report is None:
            return None
        return coverage(self.report.youth_members, self.report.youth_workers)

    @property
    def previous_coverage(self) -> float | None:
        if self.previous is None:
            return None
        return coverage(self.previous.members, self.previous.workers)

    @property
    def change(self) -> float | None:
        now, before = self.coverage, self.previous_coverage
        return None if now is None or before is None else now - before

    def overdue(self, today: date) -> bool:
        return self.deadline is not None and self.deadline < today


@dataclass(frozen=True)
class Digest:
    scope: ScopeInfo
    period: date
    today: date
    tz: str
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


def build_digest(data: DigestData) -> Digest:
    """Pure: the digest's numbers and lists from what storage returned."""
    targets = data.collection.targets if data.collection is not None else None
    came_late = data.collection.late if data.collection is not None else frozenset()
    lines: list[PpoLine] = []
    for ppo in data.ppos:
        due = targets is None or ppo.org_id in targets
        report = data.reports.get(ppo.org_id)
        if report is not None and report.returned_at is not None:
            status = Status.RETURNED
        elif report is not None:
            status = Status.LATE if ppo.org_id in came_late else Status.SUBMITTED
        else:
            status = Status.MISSING if due else Status.NOT_DUE
        deadline = targets.get(ppo.org_id) if targets is not None else None
        lines.append(
            PpoLine(
                ppo=ppo,
                status=status,
                due=due,
                deadline=deadline,
                report=report,
                previous=data.previous.get(ppo.org_id),
            )
        )

    due_lines = [line for line in lines if line.due]
    submitted = sum(1 for line in due_lines if line.status in (Status.SUBMITTED, Status.LATE))
    late = [line for line in due_lines if line.status is Status.MISSING]
    late.sort(key=lambda line: (not line.overdue(data.today),))  # stable: keeps district, name
    returned = [line for line in lines if line.status is Status.RETURNED]

    counted = [line for line in lines if line.counted]
    now_pairs = [(line.report.members, line.report.workers) for line in counted if line.report]
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

    low = [line for line in counted if (line.coverage or 0.0) < LOW_COVERAGE - _EPSILON]
    low.sort(key=lambda line: line.coverage or 0.0)
    fell = [
        line
        for line in counted
        if line.change is not None and line.change <= -FALL_POINTS + _EPSILON
    ]
    fell.sort(key=lambda line: line.change or 0.0)

    count, participants = data.events
    return Digest(
        scope=data.scope,
        period=data.period,
        today=data.today,
        tz=data.tz,
        deadline=data.collection.deadline if data.collection is not None else None,
        lines=lines,
        submitted=submitted,
        due=len(due_lines),
        late=late,
        returned=returned,
        coverage=_ratio(now_pairs),
        counted=len(counted),
        coverage_change=change,
        compared=len(same),
        low=low,
        fell=fell,
        events_count=count,
        events_participants=participants,
        events_since=data.events_since,
    )


# --- Loading --------------------------------------------------------------------------------


async def load_digest(
    session: AsyncSession,
    *,
    scope_org_id: int,
    period: date | None = None,
    today: date,
    events_since: date | None = None,
    default_tz: str = "Europe/Moscow",
) -> Digest:
    """Read the scope (a district or a region) and build its digest.

    ``period`` None: the period of the open (or latest) membership collection of the scope, or
    the month of ``today`` when there is none. ``today`` is the scope's local date. Events are
    counted from ``events_since`` (default: a week back) up to, not including, ``today``.
    Raises LookupError for an unknown scope.
    """
    scope = await store.scope_info(session, scope_org_id)
    if scope is None:
        raise LookupError(f"organization {scope_org_id} not found")
    collection = await store.current_collection(session, scope_org_id, today, period=period)
    if period is None:
        period = collection.period if collection is not None else today.replace(day=1)
    since = events_since if events_since is not None else today - DEFAULT_EVENTS_WINDOW
    data = DigestData(
        scope=scope,
        period=period,
        today=today,
        tz=scope.timezone or default_tz,
        ppos=await store.ppo_rows(session, scope_org_id),
        reports=await store.counting_reports(session, scope_org_id, period),
        previous=await store.latest_before(session, scope_org_id, period),
        collection=collection,
        events=await store.event_totals(session, scope_org_id, since, today),
        events_since=since,
    )
    return build_digest(data)


# --- Text -----------------------------------------------------------------------------------


def short(text: str, limit: int = NAME_LIMIT) -> str:
    """A name cut to ``limit`` characters with «…» (still raw: the texts escape it)."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def chair_label(ppo: PpoRow, today: date) -> str:
    """The chair's name with marks: 📵 the bot cannot reach them, ⏸ reminders paused."""
    if ppo.chair_person_id is None or not ppo.chair_name:
        return t.NO_CHAIR
    label = short(ppo.chair_name, 30)
    if ppo.chair_unreachable:
        label += f" {t.MARK_UNREACHABLE}"
    if ppo.chair_paused_until is not None and ppo.chair_paused_until >= today:
        label += f" {t.paused_mark(ppo.chair_paused_until)}"
    return label


def _capped(items: Sequence[_T], cap: int, render: Callable[[_T], str]) -> list[str]:
    """The first ``cap`` items rendered, then «…и ещё N» (only those shown are formatted)."""
    shown = [render(item) for item in items[:cap]]
    if len(items) > cap:
        shown.append(t.more(len(items) - cap))
    return shown


def _person_item(today: date) -> Callable[[PpoLine], str]:
    def render(line: PpoLine) -> str:
        return t.item(t.ppo_and_chair(short(line.ppo.name), chair_label(line.ppo, today)))

    return render


def _late_section(digest: Digest, cap: int) -> list[str]:
    if not digest.late:
        return []
    overdue = any(line.overdue(digest.today) for line in digest.late)
    if digest.region:
        per_district = Counter(line.ppo.district_name for line in digest.late)
        ranked = sorted(per_district.items(), key=lambda item: (-item[1], item[0]))
        shown = _capped(ranked, cap, lambda item: t.item(t.district_count(short(item[0]), item[1])))
        return [t.late_by_district_header(len(digest.late), overdue), *shown]
    return [
        t.late_header(len(digest.late), overdue),
        *_capped(digest.late, cap, _person_item(digest.today)),
    ]


def _came_late_section(digest: Digest, cap: int) -> list[str]:
    if not digest.came_late or digest.region:  # a region's lists name districts, not ППО
        return []
    shown = _capped(digest.came_late, cap, _person_item(digest.today))
    return [t.came_late_header(len(digest.came_late)), *shown]


def _returned_section(digest: Digest, cap: int) -> list[str]:
    if not digest.returned:
        return []
    shown = _capped(digest.returned, cap, _person_item(digest.today))
    return [t.returned_header(len(digest.returned)), *shown]


def _legend(digest: Digest, sections: Sequence[PpoLine]) -> list[str]:
    marks = []
    if any(line.ppo.chair_person_id and line.ppo.chair_unreachable for line in sections):
        marks.append(t.LEGEND_UNREACHABLE)
    if any(
        line.ppo.chair_person_id
        and line.ppo.chair_paused_until is not None
        and line.ppo.chair_paused_until >= digest.today
        for line in sections
    ):
        marks.append(t.LEGEND_PAUSED)
    return ["; ".join(marks)] if marks else []


def _head(digest: Digest, header: str) -> list[str]:
    lines = [header]
    if digest.deadline is not None:
        lines.append(t.deadline_line(digest.deadline, digest.deadline_passed))
    lines.append(t.submitted_line(digest.submitted, digest.due))
    if digest.due and digest.submitted == digest.due:
        lines.append(t.ALL_SUBMITTED)
    return lines


def _digest_lines(digest: Digest, cap: int, attachments: bool) -> list[str]:
    period = common.period_name(digest.period)
    lines = _head(digest, t.header(short(digest.scope.name, 60), period))
    lines += _late_section(digest, cap)
    lines += _came_late_section(digest, max(cap // 2, 1))
    lines += _returned_section(digest, max(cap // 2, 1))
    lines.append("")
    if digest.coverage is None:
        lines.append(t.NO_COVERAGE)
    else:
        lines.append(
            t.coverage_line(digest.region, format_percent(digest.coverage), digest.counted)
        )
        if digest.coverage_change is None:
            lines.append(t.NO_COMPARISON)
        else:
            lines.append(t.coverage_change(format_points(digest.coverage_change), digest.compared))
    if digest.low:
        low = _capped(
            digest.low,
            cap,
            lambda line: t.ppo_coverage(short(line.ppo.name, 30), format_percent(line.coverage)),
        )
        lines += [t.low_header(len(digest.low)), "; ".join(low)]
    if digest.fell:
        fell = _capped(
            digest.fell,
            cap,
            lambda line: t.ppo_fell(
                short(line.ppo.name, 30), format_percent(line.coverage), format_points(line.change)
            ),
        )
        lines += [t.fell_header(len(digest.fell)), "; ".join(fell)]
    if digest.events_since is not None:
        lines.append(
            t.events_line(digest.events_since, digest.events_count, digest.events_participants)
        )
    half = max(cap // 2, 1)
    # a region lists districts
    late_named = [] if digest.region else [*digest.late[:cap], *digest.came_late[:half]]
    legend = _legend(digest, [*late_named, *digest.returned[: max(cap // 2, 1)]])
    lines += ["", *legend]
    if attachments:
        lines.append(t.ATTACHMENTS)
    return lines


def _fit(build: Callable[[int], list[str]], cap: int) -> str:
    """The text with lists of at most ``cap`` names, shrinking the cap to stay on one screen."""
    text = ""
    for attempt in (cap, 7, 5, 3, 1):
        if attempt > cap:
            continue
        text = "\n".join(build(attempt))
        if len(text) <= TEXT_LIMIT:
            return text
    return text


def digest_text(digest: Digest, *, attachments: bool = True) -> str:
    """The digest message (HTML): one phone screen, under ``TEXT_LIMIT`` characters.

    ``attachments``: end with a line saying the chart and the table follow.
    """
    return _fit(lambda cap: _digest_lines(digest, cap, attachments), LIST_CAP)


def status_text(digest: Digest) -> str:
    """/status: the short variant: deadline, submitted X of Y, who is late or returned."""

    def build(cap: int) -> list[str]:
        period = common.period_name(digest.period)
        lines = _head(digest, t.status_header(short(digest.scope.name, 60), period))
        lines += _late_section(digest, cap)
        lines += _came_late_section(digest, cap)
        lines += _returned_section(digest, cap)
        late_named = [] if digest.region else [*digest.late[:cap], *digest.came_late[:cap]]
        return [*lines, *_legend(digest, [*late_named, *digest.returned[:cap]])]

    return _fit(build, STATUS_LIST_CAP)


# --- Chart and table ------------------------------------------------------------------------


def digest_chart_png(digest: Digest) -> bytes:
    """The coverage chart of the digest (CPU-bound: callers may run it in a thread)."""
    title = t.chart_title(" ".join(digest.scope.name.split()), common.period_name(digest.period))
    return coverage_chart_png(digest.chart_items(), title)


TABLE_HEADERS = (
    t.H_DISTRICT,
    t.H_PPO,
    t.H_CHAIR,
    t.H_CONTACT,
    t.H_PERIOD,
    mt.L_WORKERS,
    mt.L_MEMBERS,
    mt.L_YOUTH_WORKERS,
    mt.L_YOUTH_MEMBERS,
    mt.L_MANAGERS,
    mt.L_MANAGERS_MEMBERS,
    mt.L_JOINED,
    mt.L_LEFT,
    mt.L_RETIRED,
    t.H_COVERAGE,
    t.H_YOUTH_COVERAGE,
    t.H_CHANGE,
    t.H_PREVIOUS_PERIOD,
    t.H_STATUS,
    t.H_DEADLINE,
    t.H_SUBMITTED_AT,
    t.H_SUBMITTED_BY,
    t.H_REVISION,
    t.H_RETURN_COMMENT,
)


def _contact(ppo: PpoRow, today: date) -> str:
    if ppo.chair_person_id is None:
        return t.CONTACT_NONE
    if ppo.chair_unreachable:
        return t.CONTACT_UNREACHABLE
    if ppo.chair_paused_until is not None and ppo.chair_paused_until >= today:
        return t.contact_paused(ppo.chair_paused_until)
    return t.CONTACT_OK


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def table_rows(digest: Digest) -> list[list[object]]:
    """One row per ППО, in ``TABLE_HEADERS`` order: numbers stay numbers, times are local."""
    zone = ZoneInfo(digest.tz)
    rows: list[list[object]] = []
    for line in digest.lines:
        report, ppo = line.report, line.ppo
        submitted_at: datetime | None = None
        if report is not None:
            submitted_at = report.submitted_at.astimezone(zone).replace(tzinfo=None)
        rows.append(
            [
                ppo.district_name,
                ppo.name,
                ppo.chair_name or ppo.listed_chair,
                _contact(ppo, digest.today),
                common.period_name(digest.period),
                *(
                    (None,) * 9
                    if report is None
                    else (
                        report.workers,
                        report.members,
                        report.youth_workers,
                        report.youth_members,
                        report.managers,
                        report.managers_members,
                        report.joined,
                        report.left,
                        report.retired,
                    )
                ),
                _rounded(line.coverage),
                _rounded(line.youth_coverage),
                _rounded(line.change),
                None if line.previous is None else common.period_name(line.previous.period),
                STATUS_TEXT[line.status],
                line.deadline,
                submitted_at,
                None if report is None else report.submitted_by_name,
                None if report is None else report.revision,
                None if report is None else report.return_comment,
            ]
        )
    return rows


def digest_table_xlsx(digest: Digest) -> bytes:
    """The full table: one row per ППО with every report field (also what /export sends)."""
    title = t.table_title(common.period_name(digest.period))
    return build_table_xlsx(title, TABLE_HEADERS, table_rows(digest))


# --- /export argument -----------------------------------------------------------------------

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
