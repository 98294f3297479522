"""/trends drawn for people: the message and the .xlsx (the chart: ``bot.rendering.trend_chart``).

The message: the scope's (or one ППО's) figures year by year and the latest periods (with
managers' coverage once any report gave it), then the
ППО whose coverage fell and rose most over 1, 3 and 5 years. The .xlsx holds everything: every
ППО year by year with a totals row, the series period by period, and every move over each span.

Pure: no Telegram, no database.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.coverage import format_percent, format_points, rounded_percent
from bot.domain.sums import Sums
from bot.domain.trends import SPANS, Move, Series, Trends, combine, year_rows
from bot.rendering.tables import Column, headers, short, table_rows
from bot.rendering.xlsx import build_workbook_xlsx
from bot.texts import common
from bot.texts import digest as td
from bot.texts import trends as t
from storage.trends import TrendPpo

PERIODS_SHOWN = 8
MOVES_IN_TABLE = 100  # falls and rises per span in the table (a district's every ППО)
NAME_LIMIT = 40


def chair_of(ppo: TrendPpo) -> str:
    """The chair as staff lists name them (``bot.texts.digest.chair_named``)."""
    return td.chair_named(ppo.chair_profile, ppo.chair_record)


# --- The message ----------------------------------------------------------------------------


def _figures(point: Sums) -> str:
    return t.figures(format_percent(point.coverage), point.members, point.workers)


def _youth(point: Sums) -> str | None:
    if not point.youth_workers:
        return None
    return t.youth(format_percent(point.youth_coverage), point.youth_members, point.youth_workers)


def _managers(point: Sums) -> str:
    value = point.managers_coverage
    shown = None if value is None else format_percent(value)
    return t.managers(shown, point.managers_members, point.managers)


def _series_lines(series: Series, *, scope: bool) -> list[str]:
    """Year and period lines; managers' coverage on each (or «—») once any report of the
    series gave managers' figures: a scope that never collected them is not lined with «—»."""
    points = [point for _, point in [*series.years, *series.periods]]
    heads = _managers if any(point.managers for point in points) else lambda _: None
    lines = [t.YEARS_HEADER]
    for year, point in series.years:
        if not point.reports:
            lines.append(t.no_reports(year))
            continue
        reports = point.reports if scope else None
        lines.append(t.year_line(year, _figures(point), _youth(point), reports, heads(point)))
    shown = series.periods[-PERIODS_SHOWN:]
    lines += ["", t.periods_header(len(shown), len(series.periods))]
    for period, point in shown:
        name, reports = common.period_name(period), point.reports if scope else None
        lines.append(t.period_line(name, _figures(point), reports, heads(point)))
    return lines


def _move_line(move: Move) -> str:
    return t.move_line(
        short(move.ppo.name, NAME_LIMIT),
        short(chair_of(move.ppo), NAME_LIMIT),
        format_percent(move.before),
        format_percent(move.after),
        format_points(move.shown_change),
    )


def _moves_lines(trends: Trends) -> list[str]:
    if not trends.years:
        return []
    last = trends.years[-1]
    lines: list[str] = []
    for span in SPANS:
        fallers, risers = trends.fallers(span), trends.risers(span)
        if not fallers and not risers:
            lines += ["", t.no_moves(span)]
            continue
        if fallers:
            lines += ["", t.fallers_header(span, last - span, last), *map(_move_line, fallers)]
        if risers:
            lines += ["", t.risers_header(span, last - span, last), *map(_move_line, risers)]
    return lines


def trends_lines(trends: Trends) -> list[str]:
    """The message as lines (``handlers.replies.answer_lines`` splits it if ever too long)."""
    lines = [t.header(short(trends.scope_name, 60))]
    if trends.subject is not None and trends.subject_series is not None:
        lines.append(t.subject_line(trends.subject.name, chair_of(trends.subject)))
        lines += ["", *_series_lines(trends.subject_series, scope=False)]
    else:
        lines += ["", *_series_lines(trends.scope, scope=True)]
    return [*lines, *_moves_lines(trends), "", t.ATTACHMENTS]


# --- The table ------------------------------------------------------------------------------


def _managers_cell(point: Sums) -> object:
    """Managers' coverage, or «—» where no report gave both managers' figures (not 0 %)."""
    value = point.managers_coverage
    return t.NOT_GIVEN if value is None else rounded_percent(value)


def _point_cells(point: Sums) -> list[object]:
    """The figures of a year, in the order of ``_YEAR_WHAT``."""
    return [
        point.members,
        point.workers,
        rounded_percent(point.coverage),
        point.youth_members if point.youth_workers else None,
        point.youth_workers or None,
        rounded_percent(point.youth_coverage),
        _managers_cell(point),
    ]


_YEAR_WHAT = (
    t.H_MEMBERS,
    t.H_WORKERS,
    t.H_COVERAGE,
    t.H_YOUTH_MEMBERS,
    t.H_YOUTH_WORKERS,
    t.H_YOUTH_COVERAGE,
    t.H_MANAGERS_COVERAGE,
)


def _years_sheet(trends: Trends) -> tuple[str, list[str], list[list[object]]]:
    """The by-year rows (``bot.domain.trends.year_rows``), then the totals row over them."""
    heads = [t.H_DISTRICT, t.H_NUMBER, t.H_PPO, t.H_CHAIR]
    heads += [t.year_header(year, what) for year in trends.years for what in _YEAR_WHAT]
    units = year_rows(trends)
    rows: list[list[object]] = []
    for unit in units:
        chair = None if unit.chair is None else chair_of(unit.chair) or None
        row: list[object] = [unit.district, unit.number, unit.name, chair]
        for year in trends.years:
            point = unit.years.get(year)
            empty = [None] * len(_YEAR_WHAT)
            row += empty if point is None or not point.reports else _point_cells(point)
        rows.append(row)
    totals: list[object] = [t.TOTAL, None, None, None]
    for year in trends.years:
        totals += _point_cells(combine(u.years[year] for u in units if year in u.years))
    return t.SHEET_YEARS, heads, [*rows, totals]


_PERIOD_COLUMNS: tuple[Column[None, tuple[str, object, Sums]], ...] = (
    Column(t.H_PPO, lambda _, row: row[0]),
    Column(t.H_PERIOD, lambda _, row: row[1]),
    Column(t.H_REPORTS, lambda _, row: row[2].reports),
    Column(t.H_MEMBERS, lambda _, row: row[2].members),
    Column(t.H_WORKERS, lambda _, row: row[2].workers),
    Column(t.H_COVERAGE, lambda _, row: rounded_percent(row[2].coverage)),
    Column(t.H_YOUTH_MEMBERS, lambda _, row: row[2].youth_members),
    Column(t.H_YOUTH_WORKERS, lambda _, row: row[2].youth_workers),
    Column(t.H_YOUTH_COVERAGE, lambda _, row: rounded_percent(row[2].youth_coverage)),
    Column(t.H_MANAGERS_COVERAGE, lambda _, row: _managers_cell(row[2])),
)


def _periods_sheet(trends: Trends) -> tuple[str, list[str], list[list[object]]]:
    """The scope's series period by period; the ППО's own below it when one was asked for."""
    items: list[tuple[str, object, Sums]] = [
        (trends.scope_name, common.period_name(period), point)
        for period, point in trends.scope.periods
    ]
    if trends.subject is not None and trends.subject_series is not None:
        items += [
            (trends.subject.name, common.period_name(period), point)
            for period, point in trends.subject_series.periods
        ]
    return t.SHEET_PERIODS, list(headers(_PERIOD_COLUMNS)), table_rows(_PERIOD_COLUMNS, None, items)


_MOVE_COLUMNS: tuple[Column[None, Move], ...] = (
    Column(t.H_DIRECTION, lambda _, move: t.FELL if move.change < 0 else t.ROSE),
    Column(t.H_SPAN, lambda _, move: move.to_year - move.from_year),
    Column(t.H_FROM, lambda _, move: move.from_year),
    Column(t.H_TO, lambda _, move: move.to_year),
    Column(t.H_DISTRICT, lambda _, move: move.ppo.district_name),
    Column(t.H_NUMBER, lambda _, move: move.ppo.org_id),
    Column(t.H_PPO, lambda _, move: move.ppo.name),
    Column(t.H_CHAIR, lambda _, move: chair_of(move.ppo) or None),
    Column(t.H_BEFORE, lambda _, move: rounded_percent(move.before)),
    Column(t.H_AFTER, lambda _, move: rounded_percent(move.after)),
    Column(t.H_CHANGE, lambda _, move: move.shown_change),
)


def _moves_sheet(trends: Trends) -> tuple[str, list[str], list[list[object]]]:
    """Per span the ``MOVES_IN_TABLE`` biggest falls, biggest first, then as many rises."""
    ordered: list[Move] = []
    for span in SPANS:
        moves = trends.moves.get(span, [])
        ordered += [m for m in moves if m.change < 0][:MOVES_IN_TABLE]
        ordered += [m for m in reversed(moves) if m.change > 0][:MOVES_IN_TABLE]
    return t.SHEET_MOVES, list(headers(_MOVE_COLUMNS)), table_rows(_MOVE_COLUMNS, None, ordered)


def trends_xlsx(trends: Trends) -> bytes:
    """Three sheets: by year (with the totals row), by period, risers and fallers."""
    sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[object]]]] = (
        _years_sheet(trends),
        _periods_sheet(trends),
        _moves_sheet(trends),
    )
    return build_workbook_xlsx(sheets)
