"""Reading a plan of measures from an .xlsx (№, мероприятие, срок, ответственный) into items.

Pure: the caller passes the ППО and the staff of the scope to resolve «ответственный» against.
Rows with problems come back with their numbers and every problem in one Russian message; the
good rows are loaded all the same (as ``/import`` does with the organization list).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date

from bot.domain.cells import (
    NotAValue,
    RowError,
    SheetTable,
    UnusableFile,
    cell_text,
    shown,
    xlsx_rows,
)
from bot.domain.plan_deadline import Deadline, parse_deadline
from bot.forms.parsers import typed_int
from bot.texts import plans as t
from bot.texts.importing import not_a_value
from storage.orgs import name_key

MAX_ROWS = 500
MAX_TEXT = 1000
MAX_NUMBER = 16
_HEADER_ROWS = 15  # a title above the table is skipped, but not forever

RESPONSIBLE_STAFF, RESPONSIBLE_PPO, RESPONSIBLE_ALL = "staff", "ppo", "all_ppo"


@dataclass(frozen=True)
class Named:
    """A ППО or a staff member the «ответственный» cell may name."""

    id: int
    name: str


@dataclass(frozen=True)
class Directory:
    """Who can answer for an item in the scope: its ППО and its staff."""

    ppos: Sequence[Named]
    staff: Sequence[Named]


@dataclass(frozen=True)
class Responsible:
    kind: str  # RESPONSIBLE_STAFF | RESPONSIBLE_PPO | RESPONSIBLE_ALL
    id: int | None  # the person (staff) or the ППО; None for every ППО


@dataclass(frozen=True)
class ItemRow:
    row_number: int
    number: str
    text: str
    deadline: Deadline
    responsible: Responsible


PlanTable = SheetTable[ItemRow]


# --- Responsible ----------------------------------------------------------------------------


def _unique(named: Sequence[Named], key: str) -> Named | None:
    exact = [one for one in named if name_key(one.name) == key]
    if len(exact) == 1:
        return exact[0]
    near = [one for one in named if key in name_key(one.name) or name_key(one.name) in key]
    return near[0] if len(near) == 1 else None


def parse_responsible(text: str, directory: Directory) -> Responsible | None:
    """Every ППО («все ППО», «председатели ППО»), one ППО by name, or a staff member by name."""
    key = name_key(text)
    if not key:
        return None
    if any(words in key for words in t.ALL_PPO_WORDS):
        return Responsible(RESPONSIBLE_ALL, None)
    if (ppo := _unique(directory.ppos, key)) is not None:
        return Responsible(RESPONSIBLE_PPO, ppo.id)
    if (person := _unique(directory.staff, key)) is not None:
        return Responsible(RESPONSIBLE_STAFF, person.id)
    return None


# --- The sheet ------------------------------------------------------------------------------


def _columns(cells: Sequence[object]) -> dict[str, int] | None:
    """Column positions by field if this row is the header (мероприятие, срок, ответственный)."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = cell_text(cell).casefold()
        for name, stems in t.HEADER_STEMS.items():
            if name not in found and any(stem in key for stem in stems):
                found[name] = index
                break
    return found if {"text", "deadline", "responsible"} <= found.keys() else None


def parse_plan(data: bytes, filename: str, directory: Directory, today: date) -> PlanTable:
    """Read the first sheet of an .xlsx; the header is the first row naming the columns."""
    if not data.startswith(b"PK") or not filename.casefold().endswith((".xlsx", ".xlsm")):
        return PlanTable(fatal=t.NOT_XLSX)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rows = xlsx_rows(data, broken=t.BROKEN_FILE)
            with contextlib.closing(rows):
                return _read(rows, directory, today)
    except UnusableFile as fatal:
        return PlanTable(fatal=fatal.message)
    except Exception:  # a broken sheet inside a zip openpyxl opened
        return PlanTable(fatal=t.BROKEN_FILE)


def _read(
    rows: Iterator[tuple[int, Sequence[object]]], directory: Directory, today: date
) -> PlanTable:
    columns = None
    for number, cells in rows:
        columns = _columns(cells)
        if columns is not None or number >= _HEADER_ROWS:
            break
    if columns is None:
        raise UnusableFile(t.NO_HEADER)
    table = PlanTable()
    for number, cells in rows:
        raw = {name: cells[i] if i < len(cells) else None for name, i in columns.items()}
        if not any(cell_text(value) for value in raw.values()):
            continue
        if len(table.rows) + len(table.errors) >= MAX_ROWS:
            raise UnusableFile(t.too_many_rows(MAX_ROWS))
        item, problems = _row(number, raw, directory, today)
        if item is None:
            table.errors.append(RowError(number, "; ".join(problems)))
        else:
            table.rows.append(item)
    if not table.rows and not table.errors:
        raise UnusableFile(t.NO_ROWS)
    table.rows[:] = _numbered(table.rows)
    return table


def _numbered(rows: Sequence[ItemRow]) -> list[ItemRow]:
    """A row the file gives no number gets one past the largest whole number of the file: its
    position would repeat a number given further down (rows «1», —, «2»)."""
    taken = [row.number for row in rows if row.number]
    numbered = []
    for row in rows:
        if not row.number:
            row = replace(row, number=next_number(taken))
            taken.append(row.number)
        numbered.append(row)
    return numbered


def next_number(taken: Sequence[str]) -> str:
    """One past the largest whole-number item («2.1», «3а» are a file's sub-items and left
    aside): counting the items would repeat a number when the file skipped one (a refused
    row), and two items «3» could not be told apart in /plan, the reminders or the review."""
    whole = [typed_int(number.removesuffix(".")) for number in taken]
    return str(max((n for n in whole if n is not None), default=0) + 1)


def _row(
    number: int, raw: dict[str, object], directory: Directory, today: date
) -> tuple[ItemRow | None, list[str]]:
    problems = [
        not_a_value(t.COLUMN_TITLES[column], str(value))
        for column in ("number", "text")
        if isinstance(value := raw.get(column), NotAValue)
    ]
    text = cell_text(raw.get("text"))
    if not text:
        problems.append(t.MISSING_TEXT)
    elif len(text) > MAX_TEXT:
        problems.append(t.text_too_long(MAX_TEXT))
    deadline = parse_deadline(raw.get("deadline"), today)
    if deadline is None:
        problems.append(t.bad_deadline(shown(cell_text(raw.get("deadline")))))
    who_text = cell_text(raw.get("responsible"))
    responsible = parse_responsible(who_text, directory)
    if responsible is None:
        problems.append(t.bad_responsible(shown(who_text)))
    item_number = cell_text(raw.get("number"))  # none given: numbered once all are read
    if len(item_number) > MAX_NUMBER:
        problems.append(t.number_too_long(MAX_NUMBER))
    if problems or deadline is None or responsible is None:
        return None, problems
    return ItemRow(number, item_number, text, deadline, responsible), []
