"""Reading people's spreadsheets: a cell (or a typed answer) as the text a person would read,
the first sheet's rows, its header, its filled rows, and the result of reading a file.

Shared by the readers of the organization list, of past reports and of plans (and the time-zone
parser), which all take values as openpyxl or the csv module hand them over.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import (
    Callable,
    Collection,
    Generator,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from functools import partial
from typing import Any, Generic, TypeVar
from xml.etree.ElementTree import iterparse

from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

from bot.texts import importing

CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
INVISIBLE_CHARS = re.compile("[\u200b-\u200d\u2060\ufeff]")  # zero-width: a name of nothing
_COUNT = re.compile(r"\+?(\d{1,3}(?: \d{3})+|\d+)(?:[.,]0+)?", re.ASCII)
_MAX_SHOWN_CHARS = 40  # of a cell value quoted in a message


@dataclass(frozen=True)
class NotAValue:
    """A filled cell with no value to read: a number that is none (NaN, an infinity) or a
    formula saved without its result. Read as text it says so in Russian, so the message about
    its row quotes that; never a number, and a reader of a name refuses it."""

    text: str

    def __str__(self) -> str:
        return self.text


def cell_text(value: object) -> str:
    """A cell as text: trimmed, inner runs of spaces collapsed, zero-width characters gone
    (a name of only «\u200b» is empty, not an organization nobody can see), Excel floats
    without «.0»."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = str(value)
    elif isinstance(value, float):
        text = str(int(value)) if value.is_integer() else str(value)
    elif isinstance(value, datetime):
        text = value.strftime("%d.%m.%Y" if value.time() == time() else "%d.%m.%Y %H:%M")
    elif isinstance(value, date):
        text = value.strftime("%d.%m.%Y")
    else:
        text = str(value)
    return " ".join(CONTROL_CHARS.sub(" ", INVISIBLE_CHARS.sub("", text)).split())


def shown(text: str) -> str:
    """A cell's text as quoted back in a message: cut to a readable length with «…»."""
    if len(text) <= _MAX_SHOWN_CHARS:
        return text
    return text[: _MAX_SHOWN_CHARS - 1] + "…"


def cell_count(value: object, limit: int) -> int | None:
    """A number of people from a cell: an int, a whole float (54.0), or text («1 234», «54,0»);
    None for an empty cell. Raises ValueError for anything else or outside 0..``limit``
    (ASCII digits only: «²» is not a number)."""
    number: int | None = None
    if isinstance(value, bool):
        pass
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float | Decimal):
        if math.isfinite(value) and value == int(value):
            number = int(value)
    else:
        text = cell_text(value)
        if not text:
            return None
        if match := _COUNT.fullmatch(text):
            number = int(match.group(1).replace(" ", ""))
    if number is None or not 0 <= number <= limit:
        raise ValueError(value)
    return number


_Key = TypeVar("_Key")
_Row = TypeVar("_Row")


@dataclass(frozen=True)
class RowError:
    """What is wrong with one row (all problems of the row in one Russian message)."""

    row_number: int  # as the user sees it in Excel
    message: str


@dataclass(frozen=True)
class SheetTable(Generic[_Row]):
    """The result of reading a file: good rows, bad rows, or why the whole file is unusable."""

    rows: list[_Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    fatal: str | None = None
    unread_sheets: list[str] = field(default_factory=list)


EMPTY_RUN_ENDS_TABLE = 1000
"""Empty rows in a row after which a sheet's data is taken to have ended (a formatted but
empty tail of a million rows must not be read to the end)."""


HEADER_SCAN_ROWS = 10
"""Filled rows a header may stand below (a title and notes above the table)."""


def find_header(
    rows: Iterable[tuple[int, Sequence[object]]],
    match: Callable[[list[str]], dict[_Key, int]],
    required: Collection[_Key],
) -> tuple[dict[_Key, int] | None, list[str] | None]:
    """Consume a sheet's rows up to its header: the first of the first ``HEADER_SCAN_ROWS``
    filled rows whose ``match`` finds every ``required`` column. Returns its columns (None:
    no header found) and the first filled row's cells (None: the sheet is empty), so a file
    without a header can be answered with what it does have."""
    first: list[str] | None = None
    above: list[str] | None = None
    scanned = 0
    for _number, values in rows:
        cells = [cell_text(value) for value in values]
        if not any(cells):
            continue
        first = first if first is not None else cells
        candidates = [cells] if above is None else [cells, _two_row_header(above, cells)]
        for candidate in candidates:
            columns = match(candidate)
            if all(key in columns for key in required):
                return columns, first
        above = cells
        scanned += 1
        if scanned >= HEADER_SCAN_ROWS:
            break
    return None, first


def _two_row_header(above: Sequence[str], below: Sequence[str]) -> list[str]:
    """A header of two rows read as one: a group's title merged across its sub-columns
    («Численность работников» over «всего» and «из них членов профсоюза») goes before each
    of them, a title merged down over both rows («Наименование ППО») stands once. A title
    spans the empty cells to its right only while the row below names sub-columns there."""
    width = max(len(above), len(below))
    tops = [*above, *[""] * (width - len(above))]
    bottoms = [*below, *[""] * (width - len(below))]
    joined: list[str] = []
    group = ""
    for top, bottom in zip(tops, bottoms, strict=True):
        if top or not bottom:
            group = top if bottom else ""
        title = top or group
        joined.append(" ".join(part for part in dict.fromkeys((title, bottom)) if part))
    return joined


class UnusableFile(Exception):
    """The whole file cannot be read; ``message`` says why, in Russian, to whoever sent it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


MAX_PART_BYTES = 32 * 1024 * 1024
"""What one part of an .xlsx (a sheet, the shared strings) may unpack to. openpyxl reads the
shared strings whole and the bot scans the first sheet to its end: a zip bomb of a few hundred
kilobytes (one string of a gigabyte) would take the bot's memory and minutes of its CPU. The
largest list the readers take (20,000 rows of past figures) is about 14 MB of sheet."""
MAX_UNPACKED_BYTES = 128 * 1024 * 1024
"""What a whole .xlsx may unpack to (thousands of sheets each under the part's limit)."""
MAX_PARTS = 2000
"""Files inside an .xlsx (a sheet is one; a workbook of a sheet a month for years is far less)."""


def _opened(data: bytes, broken: str) -> Any:
    """The workbook, read-only, after its zip's table of contents showed nothing that unpacks
    to more than the limits (the sizes it declares bound what Python's zipfile unpacks: a part
    that lies is cut there and fails its checksum)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except Exception as exc:
        raise UnusableFile(broken) from exc
    sizes = [part.file_size for part in parts]
    too_big = max(sizes, default=0) > MAX_PART_BYTES or sum(sizes) > MAX_UNPACKED_BYTES
    if too_big or len(parts) > MAX_PARTS:
        raise UnusableFile(importing.xlsx_unpacks_too_big(MAX_PART_BYTES // (1024 * 1024)))
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise UnusableFile(broken) from exc


def xlsx_rows(data: bytes, *, broken: str) -> Generator[tuple[int, tuple[object, ...]], None, None]:
    """The first sheet's rows, numbered as Excel shows them; the workbook is closed once they
    are read or the iterator is closed. A broken workbook raises :class:`UnusableFile` with
    ``broken`` (when the rows are read: this is a generator)."""
    workbook = _opened(data, broken)
    try:
        if not workbook.worksheets:
            raise UnusableFile(broken)
        sheet = workbook.worksheets[0]
        merged_below = _merged_below(sheet)
        rows = _sheet_rows(workbook, sheet)
        tops: dict[tuple[int, int], object] = {}  # (row, column) of a merge → its value
        while True:
            try:
                number, values = next(rows)
            except StopIteration:
                return
            except Exception as exc:
                raise UnusableFile(broken) from exc
            yield number, _with_merged(number, values, merged_below, tops)
    finally:
        workbook.close()


def _sheet_rows(workbook: Any, sheet: Any) -> Iterator[tuple[int, tuple[object, ...]]]:
    """The sheet's rows numbered as Excel shows them (a row the file skips comes empty), read
    by openpyxl's own parser of a read-only sheet with :func:`_cell` reading each cell."""
    with sheet._get_source() as source:
        parser = WorkSheetParser(
            source,
            sheet._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        parser.parse_cell = partial(_cell, parser, parser.parse_cell)
        expected = 1
        for number, found in parser.parse():
            if number < expected:  # a row written twice: the first counts, as openpyxl reads it
                continue
            yield from ((empty, ()) for empty in range(expected, number))
            values: list[object] = [None] * max((cell["column"] for cell in found), default=0)
            for cell in found:
                values[cell["column"] - 1] = cell["value"]
            yield number, tuple(values)
            expected = number + 1


def _cell(parser: Any, parse: Callable[[Any], dict[str, Any]], element: Any) -> dict[str, Any]:
    """A cell as openpyxl reads it, except a number that is none and a formula without its
    result, which come back as :class:`NotAValue`: openpyxl refuses the whole file for a
    «NaN» (or «inf») some writers store, reads «1e999» as infinity, and reads a formula that
    was never calculated (a file written by a script) as an empty cell, a figure silently lost."""
    written = element.findtext(VALUE_TAG) or ""
    try:
        cell = parse(element)
    except ValueError:
        if element.get("t", "n") != "n" or not _is_float(written):
            raise
        cell = {"column": parser.col_counter, "value": float(written)}
    value = cell["value"]
    if isinstance(value, float) and not math.isfinite(value):
        cell["value"] = NotAValue(importing.not_a_number(written))
    elif value is None and element.get("t", "n") == "n" and element.find(FORMULA_TAG) is not None:
        cell["value"] = NotAValue(importing.FORMULA_WITHOUT_VALUE)
    return cell


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def other_filled_sheets(data: bytes) -> list[str]:
    """The names of a workbook's filled sheets after the first. A reader takes the first sheet
    only; the sender of a workbook kept a sheet a year is told which were not read."""
    try:
        workbook = _opened(data, "")
    except UnusableFile:  # the reader itself says what is wrong with the file
        return []
    try:
        return [sheet.title for sheet in workbook.worksheets[1:] if _has_values(sheet)]
    except Exception:  # a broken further sheet: the first was read, nothing more to say
        return []
    finally:
        workbook.close()


def _has_values(sheet: Any) -> bool:
    sheet.reset_dimensions()
    rows = sheet.iter_rows(max_row=FILLED_SHEET_SCAN_ROWS, values_only=True)
    return any(cell_text(value) for row in rows for value in row)


FILLED_SHEET_SCAN_ROWS = 50
"""Rows of a further sheet looked at to tell a filled sheet from an empty one."""


def _merged_below(sheet: Any) -> dict[int, list[tuple[int, int]]]:
    """Row → (column, top row) of the merged cells covering it below their top: «Район»
    merged down over its ППО, as Russian lists often are, shows one name on every row, while
    the file keeps it in the top cell only. openpyxl's read-only sheet does not read merges,
    so the sheet's XML is scanned for them (``<mergeCell ref="A2:A9"/>``); unreadable: none."""
    below: dict[int, list[tuple[int, int]]] = {}
    try:
        with sheet._get_source() as source:  # the read-only sheet's own XML stream
            for _, element in iterparse(source):
                if element.tag.endswith("}mergeCell"):
                    column, top, _, bottom = range_boundaries(element.get("ref", ""))
                    for row in range(top + 1, (bottom or top) + 1):
                        below.setdefault(row, []).append((column or 1, top or 1))
                element.clear()
    except Exception:  # merges are a courtesy: a sheet read without them is read as before
        return {}
    return below


def _with_merged(
    number: int,
    values: tuple[object, ...],
    merged_below: Mapping[int, list[tuple[int, int]]],
    tops: dict[tuple[int, int], object],
) -> tuple[object, ...]:
    """``values`` of row ``number`` with merged cells showing their top cell's value."""
    for column, top in merged_below.get(number + 1, ()):
        if top == number and column <= len(values):  # a merge starts here: remember it
            tops[(top, column)] = values[column - 1]
    cells = list(values)
    for column, top in merged_below.get(number, ()):
        cells += [None] * (column - len(cells))
        cells[column - 1] = tops.get((top, column))
    return tuple(cells)


class TooManyRows(ValueError):
    """A sheet has more filled rows than the reader takes."""


def filled_rows(
    rows: Iterable[tuple[int, Sequence[object]]], columns: Mapping[_Key, int], limit: int
) -> Iterator[tuple[int, dict[_Key, object]]]:
    """The data rows of a sheet as (row number, {column key: cell}), empty rows skipped;
    stops after ``EMPTY_RUN_ENDS_TABLE`` empty rows in a row and raises ``TooManyRows`` past
    ``limit`` filled ones."""
    filled = empty_run = 0
    for number, values in rows:
        raw = {key: values[i] if i < len(values) else None for key, i in columns.items()}
        if not any(cell_text(value) for value in raw.values()):
            empty_run += 1
            if empty_run >= EMPTY_RUN_ENDS_TABLE:
                return
            continue
        empty_run = 0
        filled += 1
        if filled > limit:
            raise TooManyRows(limit)
        yield number, raw
