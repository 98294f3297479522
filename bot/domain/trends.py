"""Membership trends over years (seed 002 section 1.1, seed 001 item 5, seed 002 item 9): how
members, workers, coverage, youth coverage and the coverage of managers and their deputies
(seed 002 item 4) moved, for the scope and for one ППО, and which
ППО moved most, to learn from the risers and to call the fallers.

Definitions (the figures staff see must mean one thing):

* **A report** is the counting (latest) revision of a ППО for a period, not returned for
  correction (``storage.trends``). Periods are what the report is *for*, never the day it was
  sent: a December report delivered in January belongs to December.
* **A ППО's year** is its last report of that calendar year.
* **The scope's year** sums the years of its ППО: members / workers × 100 over the ППО that
  reported that year (members of large ППО weigh more, as in the union's statistical report);
  youth coverage the same over the reports that give both youth figures, managers' coverage
  over the reports that give both managers' figures (none: not known, never 0 %).
* **The scope's period P** sums each ППО's latest report of the twelve months up to P. ППО
  report on different schedules (4 or 2 times a year), so summing only the reports *for* P
  would dip every spring, when the ППО above 80 % do not report. At December it equals the
  year (the last report of the year is the latest of the twelve months up to December).
* **The by-year table** has a row per ППО of a district, or per district of a region (each
  its ППО summed), then the totals row: the sums of the rows above it.
* **Risers and fallers over N years**: per ППО, coverage of the latest year with data minus
  coverage N years before, over the ППО that have both; a district names one each way, a
  region five. A ППО whose coverage did not move is neither.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.domain.coverage import coverage, shown_change
from bot.domain.sums import Sums, summed
from bot.forms.parsers import org_number
from storage.org_names import contains, name_key, sort_key
from storage.trends import Figures, TrendPpo, TrendsData

SPANS = (1, 3, 5)  # years the risers and fallers are looked for over
SHOWN_DISTRICT = 1
SHOWN_REGION = 5
WINDOW_MONTHS = 12  # a period carries each ППО's latest report of this many months
_EPSILON = 1e-9


def combine(points: Iterable[Sums]) -> Sums:
    """The sum of already summed figures (a district of its ППО, a region of its districts)."""
    return sum(points, Sums())


@dataclass(frozen=True, slots=True)
class YearRow:
    """A row of the by-year table: a ППО, or a whole district in a region's table."""

    district: str
    number: int | None  # the ППО's number; None for a district
    name: str | None  # the ППО's name; None for a district
    chair: TrendPpo | None  # whose chair to name; None for a district
    years: dict[int, Sums]


@dataclass(frozen=True, slots=True)
class Series:
    """Year by year and period by period, oldest first."""

    years: list[tuple[int, Sums]]
    periods: list[tuple[date, Sums]]


@dataclass(frozen=True, slots=True)
class Move:
    """How a ППО's coverage moved between two years."""

    ppo: TrendPpo
    from_year: int
    to_year: int
    before: float
    after: float

    @property
    def change(self) -> float:
        return self.after - self.before

    @property
    def shown_change(self) -> float:
        """The change as shown beside «before → after»: the difference of the two shown
        figures, so that a reader's subtraction agrees (70,04 → 70,16 reads 70 → 70,2, +0,2,
        where the exact 0,12 would read +0,1). Ranking uses the exact ``change``."""
        return shown_change(self.after, self.before)


@dataclass(frozen=True)
class Trends:
    scope_name: str
    region: bool
    ppos: list[TrendPpo]  # every ППО of the scope, by district and name
    yearly: dict[int, dict[int, Figures]]  # ППО id → year → its last report of the year
    years: list[int]  # every year with data, oldest first
    scope: Series
    subject: TrendPpo | None = None  # the ППО asked for, if any
    subject_series: Series | None = None
    moves: dict[int, list[Move]] = field(default_factory=dict)  # span → every move, falls first

    @property
    def shown(self) -> int:
        """How many risers and fallers the message names per span."""
        return SHOWN_REGION if self.region else SHOWN_DISTRICT

    def fallers(self, span: int) -> list[Move]:
        """The biggest falls of coverage over ``span`` years, biggest first."""
        return [move for move in self.moves.get(span, []) if move.change < 0][: self.shown]

    def risers(self, span: int) -> list[Move]:
        """The biggest rises of coverage over ``span`` years, biggest first."""
        rising = [move for move in reversed(self.moves.get(span, [])) if move.change > 0]
        return rising[: self.shown]


def year_rows(trends: Trends) -> list[YearRow]:
    """The rows of the by-year table: the ППО asked for; else every ППО of a district; else,
    for a region, its districts (10,000 ППО rows would be a file nobody reads: a district's
    own /trends, or /trends of one ППО, gives them)."""

    def ppo_row(ppo: TrendPpo) -> YearRow:
        by_year = trends.yearly.get(ppo.org_id, {})
        points = {year: summed([figures]) for year, figures in by_year.items()}
        return YearRow(ppo.district_name, ppo.org_id, ppo.name, ppo, points)

    if trends.subject is not None:
        return [ppo_row(trends.subject)]
    if not trends.region:
        return [ppo_row(ppo) for ppo in trends.ppos]
    districts: dict[str, list[YearRow]] = {}
    for ppo in trends.ppos:  # by district and name: the districts come out in order
        districts.setdefault(ppo.district_name, []).append(ppo_row(ppo))
    return [
        YearRow(
            district,
            None,
            None,
            None,
            {
                year: combine(r.years[year] for r in rows if year in r.years)
                for year in trends.years
            },
        )
        for district, rows in districts.items()
    ]


def last_of_each_year(reports: Sequence[Figures]) -> dict[int, Figures]:
    """Year → the last report of that year (``reports`` are oldest first)."""
    return {item.period.year: item for item in reports}


def _months_back(period: date, months: int) -> date:
    index = period.year * 12 + period.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _periods(data: TrendsData) -> list[tuple[date, Sums]]:
    """Each period any ППО reported for, with the latest report of each ППО within the window.

    Each report is carried into the periods from its own up to (not including) the ППО's next
    report or the end of the window, whichever comes first: one pass over the reports.
    """
    periods = sorted({item.period for reports in data.reports.values() for item in reports})
    carried: list[list[Figures]] = [[] for _ in periods]
    for reports in data.reports.values():
        for index, item in enumerate(reports):
            end = _months_back(item.period, -WINDOW_MONTHS)
            if index + 1 < len(reports):
                end = min(end, reports[index + 1].period)
            for slot in range(bisect_left(periods, item.period), bisect_left(periods, end)):
                carried[slot].append(item)
    return [(period, summed(items)) for period, items in zip(periods, carried, strict=True)]


def _scope_series(data: TrendsData, yearly: dict[int, dict[int, Figures]]) -> Series:
    found = {year for by_year in yearly.values() for year in by_year}
    years = list(range(min(found), max(found) + 1)) if found else []  # a year without reports too
    by_year = [(year, summed(f[year] for f in yearly.values() if year in f)) for year in years]
    return Series(by_year, _periods(data))


def _ppo_series(reports: Sequence[Figures], years: Sequence[int]) -> Series:
    """One ППО over the scope's ``years`` (empty where it has no report) and its own periods."""
    by_year = last_of_each_year(reports)
    return Series(
        [(year, summed([by_year[year]]) if year in by_year else Sums()) for year in years],
        [(item.period, summed([item])) for item in reports],
    )


def _moves(
    ppos: Sequence[TrendPpo], yearly: dict[int, dict[int, Figures]], last: int, span: int
) -> list[Move]:
    moves = []
    for ppo in ppos:
        by_year = yearly.get(ppo.org_id, {})
        now, then = by_year.get(last), by_year.get(last - span)
        if now is None or then is None:
            continue
        after, before = coverage(now.members, now.workers), coverage(then.members, then.workers)
        if after is not None and before is not None and abs(after - before) > _EPSILON:
            moves.append(Move(ppo, last - span, last, before, after))
    return moves


def build_trends(
    scope_name: str, data: TrendsData, *, region: bool, subject: TrendPpo | None = None
) -> Trends:
    """Pure: the trends of the scope (and of ``subject``, one of its ППО) from storage's read."""
    yearly = {org: last_of_each_year(reports) for org, reports in data.reports.items()}
    scope = _scope_series(data, yearly)
    years = [year for year, _ in scope.years]
    moves = {
        span: sorted(
            _moves(data.ppos, yearly, years[-1], span) if years else [],
            key=lambda move: (move.change, sort_key(move.ppo.name), move.ppo.org_id),
        )
        for span in SPANS
    }
    return Trends(
        scope_name=scope_name,
        region=region,
        ppos=data.ppos,
        yearly=yearly,
        years=years,
        scope=scope,
        subject=subject,
        subject_series=None
        if subject is None
        else _ppo_series(data.reports.get(subject.org_id, []), years),
        moves=moves,
    )


def find_ppo(ppos: Sequence[TrendPpo], query: str) -> list[TrendPpo]:
    """The ППО of the scope that ``query`` names: its number as the bot shows it («123», as
    /trends lists several found; «#123», as /orgs) is that ППО alone, so a number picked from
    the list opens it; else its exact name, or the names containing it (``org_names.contains``:
    «№ 3» is a part of «Гимназия № 3», never the number 3). Only the scope's ППО are searched,
    so another district's never come back."""
    number = org_number(query)
    if number is not None:
        return [ppo for ppo in ppos if ppo.org_id == number]
    key = name_key(query)
    if not key:
        return []
    exact = [ppo for ppo in ppos if ppo.name_key == key]
    return exact or [ppo for ppo in ppos if contains(ppo.name_key, key)]
