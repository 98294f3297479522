"""Past monitoring figures a district brings from Excel (/loadhistory): reading and checking.

A district starts with years of figures in its own tables; loaded, they make trends and the
rating work from the first day. Three pure steps, so each is tested without Telegram or a
database:

1. ``read_history`` (here): the .xlsx into rows (ППО name, optional district, the month, the
   form's figures), every problem of a row in one Russian message, as ``/import`` does.
2. ``bot.domain.history_match.resolve``: each row's ППО among the organizations the bot knows
   (matched by ``normalize_name`` like ``/import``), refused when unknown, of another district
   than the sender's, ambiguous, for a month not yet over at the ППО, or a repeated row.
3. ``bot.domain.history_match.plan``: what becomes of each good row beside what is stored:
   new, an update of an earlier load, unchanged, or skipped because a chair reported that
   period (a chair's report is never overwritten nor outranked) or because the period is
   still being collected from the chair.

The file is all or nothing: one bad row and nothing is stored (the whole list comes back), so a
district never ends up with a half-loaded series whose gaps look like falls.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from bot.domain.cells import (
    NotAValue,
    RowError,
    SheetTable,
    TooManyRows,
    UnusableFile,
    cell_count,
    cell_text,
    filled_rows,
    find_header,
    other_filled_sheets,
    shown,
    xlsx_rows,
)
from bot.domain.event_report import PeriodKind, parse_period
from bot.forms.membership import MAX_PEOPLE, MEMBERSHIP
from bot.texts import history_import as t
from bot.texts import importing
from storage.orgs import folded
from storage.reports import REPORT_FIELDS

MAX_DATA_ROWS = 20_000
FIRST_YEAR = 2000
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PARTS = (("youth_members", "youth_workers"), ("managers_members", "managers"))

Values = dict[str, int | None]


@dataclass(frozen=True)
class HistoryRow:
    """One row of the file: a ППО's figures for one month (``period``: its first day)."""

    row_number: int
    ppo: str
    district: str | None
    period: date
    values: Values


HistoryTable = SheetTable[HistoryRow]


# --- The header -----------------------------------------------------------------------------

# (column, stems naming it, stems vetoing it, stems it also needs), tried in order: the first
# match wins, so «Руководителей — членов» is not «Членов профсоюза», «Молодёжь до 35» is not
# young members, «Районная организация» is not the ППО, and «Дата заполнения» (when the row
# was typed) is not the period it is for.
_STEMS: tuple[tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "period",
        ("период", "дата", "месяц", "period", "date"),
        ("заполн", "сдач", "представлен", "составлен", "подпис", "внесен", "отправ"),
        (),
    ),
    ("district", ("район", "местн", "территориал", "district"), (), ()),
    ("managers_members", ("руковод",), ("работник",), ("член",)),
    ("managers", ("руковод",), (), ()),
    ("youth_members", ("молод", "35"), ("работник",), ("член",)),
    ("youth_workers", ("молод", "35"), (), ()),
    ("joined", ("принят", "вступ"), (), ()),
    ("left", ("выбыл", "выбыт"), (), ()),
    ("retired", ("пенсион",), (), ()),
    ("members", ("член",), (), ()),
    ("workers", ("работник", "работающ", "сотрудник", "workers"), (), ()),
    ("ppo", ("ппо", "организац", "первичн", "учрежден", "наименован", "назван"), (), ()),
)


def _column_of(text: str) -> str | None:
    words = re.sub(r"[\W_]+", " ", folded(text)).split()

    def has(stems: tuple[str, ...]) -> bool:
        return any(word.startswith(stems) for word in words)

    for column, stems, vetoes, needs in _STEMS:
        if has(stems) and not (vetoes and has(vetoes)) and (not needs or has(needs)):
            return column
    return None


def _header(cells: Sequence[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        column = _column_of(cell)
        if column is not None:
            columns.setdefault(column, index)
    return columns


# --- Cells ----------------------------------------------------------------------------------


def _number(value: object, column: str) -> tuple[int | None, str | None]:
    """(number, None), (None, None) for an empty cell, or (None, a Russian error)."""
    try:
        return cell_count(value, MAX_PEOPLE), None
    except ValueError:
        return None, t.bad_number(column, shown(cell_text(value)), MAX_PEOPLE)


def parse_period_cell(value: object) -> date | None:
    """The month a cell names: a date cell, «12.2024», «декабрь 2024», «15.12.2024»."""
    if isinstance(value, datetime | date):
        day = value.date() if isinstance(value, datetime) else value
        return date(day.year, day.month, 1) if day.year >= FIRST_YEAR else None
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:.4f}"  # «10.2020» typed in Excel is the number 10.202
    else:
        text = cell_text(value)
    # parse_period's «today» only stands in for an empty text, which never reaches it here
    period = parse_period(text, date(FIRST_YEAR, 1, 1)) if text else None
    if period is None or period.kind is not PeriodKind.MONTH:
        return None
    return date(period.year, period.number, 1)


def _parse_row(number: int, raw: Mapping[str, object]) -> tuple[HistoryRow | None, list[str]]:
    problems: list[str] = []
    ppo = cell_text(raw.get("ppo"))
    if not ppo:
        problems.append(t.MISSING_PPO)
    problems += [
        importing.not_a_value(t.COLUMN_TITLES[column], str(value))
        for column in ("ppo", "district")
        if isinstance(value := raw.get(column), NotAValue)
    ]
    period_text = cell_text(raw.get("period"))
    period = parse_period_cell(raw.get("period")) if period_text else None
    if not period_text:
        problems.append(t.MISSING_PERIOD)
    elif period is None:
        problems.append(t.bad_period(shown(period_text), FIRST_YEAR))
    values: Values = {}
    for column in REPORT_FIELDS:
        values[column], problem = _number(raw.get(column), column)
        if problem:
            problems.append(problem)
    problems += _figure_problems(values, raw)
    if problems or period is None:
        return None, problems
    district = cell_text(raw.get("district")) or None
    return HistoryRow(number, ppo, district, period, values), []


def _figure_problems(values: Values, raw: Mapping[str, object]) -> list[str]:
    """Required figures, parts without their whole, and the membership form's own rules."""
    problems = [
        t.missing_number(column)
        for column in ("workers", "members")
        if values[column] is None and not cell_text(raw.get(column))
    ]
    if values["workers"] == 0:
        problems.append(t.zero_workers())
    problems += [
        t.part_without_whole(part, whole)
        for part, whole in _PARTS
        if values[part] is not None and values[whole] is None
    ]
    for rule in MEMBERSHIP.rules:
        if all(values.get(name) is not None for name in rule.fields):
            message = rule.check(values)
            if message:
                problems.append(message)
    return problems


# --- Reading the file -----------------------------------------------------------------------


def _sheet_rows(data: bytes) -> Iterator[tuple[int, tuple[object, ...]]]:
    if data.startswith(_OLE_MAGIC):
        raise UnusableFile(importing.OLD_XLS)
    if not data.startswith(b"PK"):
        raise UnusableFile(t.NOT_XLSX)
    yield from xlsx_rows(data, broken=importing.BROKEN_XLSX)


def read_history(data: bytes) -> HistoryTable:
    """Read the first sheet (naming the other filled ones, unread): the header is the first
    filled row (of the first ten; or two, a group title over its sub-columns) naming the ППО,
    the period, workers and members; below it one row per ППО and month."""
    if not data.strip():
        return HistoryTable(fatal=importing.EMPTY_FILE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's notes on other writers' features
        try:
            table = _read_rows(_sheet_rows(data))
        except UnusableFile as fatal:
            table = HistoryTable(fatal=fatal.message)
        return replace(table, unread_sheets=other_filled_sheets(data))


def _locate(rows: Iterator[tuple[int, tuple[object, ...]]]) -> dict[str, int]:
    columns, first = find_header(rows, _header, t.REQUIRED)
    if columns is not None:
        return columns
    if first is None:
        raise UnusableFile(importing.EMPTY_FILE)
    found = _header(first)
    missing = [column for column in t.REQUIRED if column not in found]
    raise UnusableFile(t.missing_columns(missing, [shown(cell) for cell in first if cell][:15]))


def _read_rows(rows: Iterator[tuple[int, tuple[object, ...]]]) -> HistoryTable:
    columns = _locate(rows)
    table = HistoryTable()
    try:
        for number, raw in filled_rows(rows, columns, MAX_DATA_ROWS):
            row, problems = _parse_row(number, raw)
            if row is None:
                table.errors.append(RowError(number, t.SEPARATOR.join(problems)))
            else:
                table.rows.append(row)
    except TooManyRows:
        raise UnusableFile(t.too_many_rows(MAX_DATA_ROWS)) from None
    if not table.rows and not table.errors:
        raise UnusableFile(t.NO_DATA_ROWS)
    return table
