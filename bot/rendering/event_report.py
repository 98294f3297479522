"""The staff events report drawn for people: the message lines and the .xlsx.

The message fits a phone: totals, by kind, by direction, the training figures, the three most
attended events (with their numbers, for /showevent) and the ППО without events (clipped).
The .xlsx holds everything: one row per event (its number last), the kind × direction totals
with row and column totals, per ППО, and the ППО without events. The file is written in
openpyxl's write-only mode (streamed, as the other tables).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from datetime import date

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from bot.domain.event_report import EventsReport, PeriodKind, ReportPeriod, Tally, Training
from bot.rendering.openpyxl_cells import write_only_cell
from bot.texts import common
from bot.texts import event_report as t
from storage.event_report import EventLine

SILENT_SHOWN = 30
MAX_COLUMN_WIDTH = 60


def period_name(period: ReportPeriod) -> str:
    if period.kind is PeriodKind.MONTH:
        return t.month_period(period.number, period.year)
    if period.kind is PeriodKind.QUARTER:
        return t.quarter_period(period.number, period.year)
    return t.year_period(period.year)


def file_name(period: ReportPeriod) -> str:
    stamp = {
        PeriodKind.MONTH: f"{period.year}-{period.number:02d}",
        PeriodKind.QUARTER: f"{period.year}-Q{period.number}",
        PeriodKind.YEAR: str(period.year),
    }[period.kind]
    return t.file_name(stamp)


def _codes(present: Iterable[str], known: Sequence[str]) -> list[str]:
    """Every known code in the form's order, then codes no longer offered, sorted."""
    return list(known) + sorted(set(present) - set(known))


def _training_figures(training: Training) -> tuple[int, ...]:
    """In the order of ``t.TRAINING_LABELS``."""
    return (
        training.schools,
        training.seminars,
        training.webinars,
        training.other,
        training.trained,
        training.online,
    )


# --- The message ----------------------------------------------------------------------------


def _tally_lines(title: str, tallies: dict[str, Tally], names: dict[str, str]) -> list[str]:
    ranked = sorted(tallies.items(), key=lambda item: (-item[1].events, names[item[0]]))
    lines = [title]
    for code, tally in ranked:
        lines.append(t.tally_line(names[code], tally.events, tally.participants, tally.views))
    return lines


def _silent_lines(report: EventsReport) -> list[str]:
    if not report.silent:
        return [t.ALL_HELD] if report.ppo_count else []
    regional = len({item.ppo.district_name for item in report.by_ppo}) > 1
    lines = [t.silent_header(len(report.silent))]
    lines += [
        t.silent_line(ppo.name, ppo.district_name if regional else None)
        for ppo in report.silent[:SILENT_SHOWN]
    ]
    if len(report.silent) > SILENT_SHOWN:
        lines.append(common.more(len(report.silent) - SILENT_SHOWN))
    return lines


def report_lines(report: EventsReport) -> list[str]:
    """The message as lines (``handlers.replies.answer_lines`` splits it if ever too long)."""
    total = report.total
    lines = [
        t.header(period_name(report.period), report.scope_name),
        t.totals(total.events, total.participants, total.views),
        t.held_by(report.ppo_count - len(report.silent), report.ppo_count),
        "",
    ]
    if not report.events:
        lines += [t.NONE_HELD, ""]
    else:
        kind_names = {code: t.kind_name(code) for code in report.by_kind}
        direction_names = {code: t.direction_name(code) for code in report.by_direction}
        lines += [*_tally_lines(t.BY_KIND, report.by_kind, kind_names), ""]
        lines += [*_tally_lines(t.BY_DIRECTION, report.by_direction, direction_names), ""]
        figures = _training_figures(report.training)
        lines += [t.TRAINING, *map(t.figure_line, t.TRAINING_LABELS, figures), ""]
        lines.append(t.LARGEST)
        for line in report.largest:
            kind = t.kind_name(line.kind, line.kind_other)
            lines.append(
                t.event_line(
                    line.date_from,
                    line.org_name,
                    kind,
                    line.topic,
                    line.participants,
                    line.number,
                )
            )
        lines += [t.OPEN_EVENT_HINT, ""]
    silent = _silent_lines(report)
    return [*lines, *silent, *([""] if silent else []), t.ATTACHMENT]


# --- The spreadsheet ------------------------------------------------------------------------


def _write_sheet(
    workbook: Workbook,
    title: str,
    rows: Sequence[Sequence[object]],
    *,
    bold_rows: frozenset[int] = frozenset({0}),
) -> None:
    """A sheet with a frozen first row, bold ``bold_rows`` and columns as wide as their text."""
    sheet = workbook.create_sheet(title)
    widths: dict[int, int] = {}
    for values in rows:
        for column, value in enumerate(values, start=1):
            shown = 10 if isinstance(value, date) else len(str(value or ""))
            widths[column] = max(widths.get(column, 0), shown)
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(
            max(width + 2, 8), MAX_COLUMN_WIDTH
        )
    sheet.freeze_panes = "A2"
    for index, values in enumerate(rows):
        sheet.append([write_only_cell(sheet, value, bold=index in bold_rows) for value in values])


def _event_row(line: EventLine) -> list[object]:
    return [
        line.date_from,
        line.date_to if line.date_to != line.date_from else None,
        line.district_name,
        line.org_name,
        t.kind_name(line.kind, line.kind_other),
        line.topic,
        t.place(line.place, line.online),
        line.participants,
        line.views,
        t.direction_name(line.direction),
        line.photos,
        line.number if line.number is not None else t.DISTRICT_EVENT,
    ]


def _event_rows(report: EventsReport) -> list[list[object]]:
    header: list[object] = [
        t.H_DATE,
        t.H_DATE_TO,
        t.H_DISTRICT,
        t.H_PPO,
        t.H_KIND,
        t.H_TOPIC,
        t.H_PLACE,
        t.H_PARTICIPANTS,
        t.H_VIEWS,
        t.H_DIRECTION,
        t.H_PHOTOS,
        t.H_NUMBER,  # last: what /showevent takes
    ]
    return [header, *map(_event_row, report.events)]


def _matrix(
    report: EventsReport, measure: str, value: Callable[[Tally], int]
) -> tuple[list[list[object]], int]:
    """One kind × direction block of ``value(tally)`` with row and column totals."""
    kinds = _codes(report.by_kind, t.KIND_ORDER)
    directions = _codes(report.by_direction, t.DIRECTION_ORDER)
    empty = Tally()
    rows: list[list[object]] = [
        [t.matrix_corner(measure), *map(t.direction_name, directions), t.TOTAL]
    ]
    for kind in kinds:
        cells = [value(report.by_kind_direction.get((kind, d), empty)) for d in directions]
        rows.append([t.kind_name(kind), *cells, value(report.by_kind.get(kind, empty))])
    column_totals = [value(report.by_direction.get(d, empty)) for d in directions]
    rows.append([t.TOTAL, *column_totals, value(report.total)])
    return rows, len(rows)


def _totals_rows(report: EventsReport) -> tuple[list[list[object]], frozenset[int]]:
    """The three blocks (events, participants, views), then the training figures."""
    rows: list[list[object]] = []
    bold: set[int] = set()
    measures: tuple[tuple[str, Callable[[Tally], int]], ...] = (
        (t.H_EVENTS, lambda tally: tally.events),
        (t.H_PARTICIPANTS, lambda tally: tally.participants),
        (t.H_VIEWS, lambda tally: tally.views),
    )
    for measure, value in measures:
        block, size = _matrix(report, measure, value)
        bold |= {len(rows), len(rows) + size - 1}
        rows += [*block, []]
    bold.add(len(rows))
    rows.append([t.TRAINING_TITLE])
    figures = _training_figures(report.training)
    rows += [[label, figure] for label, figure in zip(t.TRAINING_LABELS, figures, strict=True)]
    return rows, frozenset(bold)


def _ppo_rows(report: EventsReport) -> list[list[object]]:
    header: list[object] = [t.H_DISTRICT, t.H_PPO, t.H_EVENTS, t.H_PARTICIPANTS, t.H_VIEWS]
    rows = [header]
    for item in report.by_ppo:
        tally = item.tally
        rows.append(
            [item.ppo.district_name, item.ppo.name, tally.events, tally.participants, tally.views]
        )
    return rows


def _silent_rows(report: EventsReport) -> list[list[object]]:
    if not report.silent:
        return [[t.SILENT_NONE]]
    rows: list[list[object]] = [[t.H_DISTRICT, t.H_PPO]]
    rows += [[ppo.district_name, ppo.name] for ppo in report.silent]
    return rows


def report_xlsx(report: EventsReport) -> bytes:
    """The four sheets; drawn after the commit, in a worker thread (``answer_file``)."""
    workbook = Workbook(write_only=True)
    _write_sheet(workbook, t.SHEET_EVENTS, _event_rows(report))
    totals, bold = _totals_rows(report)
    _write_sheet(workbook, t.SHEET_TOTALS, totals, bold_rows=bold)
    _write_sheet(workbook, t.SHEET_PPO, _ppo_rows(report))
    _write_sheet(workbook, t.SHEET_SILENT, _silent_rows(report))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
