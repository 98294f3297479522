"""Writing the spreadsheets the bot sends: tables of one or several sheets and the organization
list template.

The writer is rustpy-xlsxwriter (the Rust ``rust_xlsxwriter`` crate behind a Python binding),
chosen in ``bench.xlsx_writers`` on a region's table of 10,000 rows: openpyxl write-only ~2-3 s,
XlsxWriter constant-memory ~2 s, rustpy-xlsxwriter ~0.3 s; the region digest's whole table
(28 columns, three sheets) went from 2.0 s to ~0.15 s. Every file is still read back with
openpyxl in the tests, and opens in Excel and LibreOffice.

The binding takes a sheet as records (one dict per row, keyed by header) and has no per-cell
styles, so this module prepares each column before handing it over:

* text is cleaned of characters XML cannot carry and cut to Excel's 32,767; every string is
  written as an inline string, never as a formula, so «=Итого» or «=HYPERLINK(…)» typed by a
  person stays text (no formula injection; ``tests/test_xlsx_writer.py``);
* a column of dates gets the «ДД.ММ.ГГГГ» format, a column with times «ДД.ММ.ГГГГ ЧЧ:ММ»;
  the binding guesses a column's type from its first value, so in a column that has both,
  dates are written as midnight datetimes (else a later time of day would be cut off);
* numbers stay numbers, aware datetimes lose their zone (Excel has none);
* a bold frozen header (with an autofilter for tables) and columns as wide as their content,
  capped at ``MAX_COLUMN_WIDTH``; a column with longer text wraps it.

Pure: knows nothing of Telegram or the database. Sheet titles and the template's texts come
from ``bot.texts.importing``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

import rustpy_xlsxwriter as rx

from bot.domain.cells import CONTROL_CHARS
from bot.domain.org_columns import Field
from bot.texts import importing as texts

MAX_COLUMN_WIDTH = 60
INSTRUCTION_WIDTH = 100
_MAX_CELL_CHARS = 32_767  # Excel's limit for one cell
_SHEET_TITLE_LIMIT = 31
_FORBIDDEN_TITLE_RE = re.compile(r"[\[\]:*?/\\]")
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""What XML 1.0 cannot carry (openpyxl's ``ILLEGAL_CHARACTERS_RE`` misses U+FFFE and U+FFFF: a
file with one in a cell is refused or «repaired» by Excel); dropped from every cell."""
_DATE_FORMAT = "DD.MM.YYYY"
_DATETIME_FORMAT = "DD.MM.YYYY HH:MM"
# rust_xlsxwriter stores a width w as w + 5/7 (the cell padding, in characters); openpyxl
# stores it as given. Passing w − 5/7 keeps the widths the bot's files always had.
_PADDING = 5 / 7

_NUMBERS = {type(None), bool, int, float}
_TEXTS = {type(None), str}

Table = tuple[str, Sequence[str], Sequence[Sequence[object]]]
"""One sheet: its title, the header row and the data rows."""


@dataclass(frozen=True)
class _Sheet:
    """One sheet ready for the binding: unique keys, records, per-column widths and formats."""

    title: str
    records: list[dict[str, object]]
    widths: list[float]
    formats: dict[str, rx.Format]  # by header key: the columns that need a style
    header: rx.Format
    freeze: bool = True  # the header row stays in view
    autofilter: bool = True


def _sheet_title(title: str, taken: set[str]) -> str:
    """A valid sheet title, unique in the workbook («Лист», «Лист1», … like openpyxl)."""
    cleaned = " ".join(_FORBIDDEN_TITLE_RE.sub(" ", CONTROL_CHARS.sub(" ", title)).split())
    cleaned = _clipped(cleaned.strip("'"), _SHEET_TITLE_LIMIT).strip().strip("'")
    base = cleaned or texts.DEFAULT_SHEET_TITLE
    unique, number = base, 0
    while unique.casefold() in taken:
        number += 1
        unique = f"{_clipped(base, _SHEET_TITLE_LIMIT - len(str(number)))}{number}"
    taken.add(unique.casefold())
    return unique


def _clipped(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` UTF-16 code units, as Excel counts a sheet title's length (an
    emoji is two: a title of 31 characters with one in it makes Excel refuse the file), and
    never inside a character."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return text[:index]
    return text


def _cell_value(value: object) -> object:
    """A value the binding stores as it is: text sanitized, aware datetimes made naive."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)  # Excel has no time zones
    if isinstance(value, date):
        return value
    if isinstance(value, Decimal):
        return float(value)
    text = value if isinstance(value, str) else str(value)
    return XML_FORBIDDEN.sub("", text)[:_MAX_CELL_CHARS]


def _shown_width(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, str):
        return max(map(len, value.splitlines()), default=0) if "\n" in value else len(value)
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    return len(str(value))


def _width(values: list[object], kinds: set[type]) -> int:
    """The widest value's width in characters (a column of 10,000 is measured in C loops)."""
    present = [value for value in values if value is not None]
    if kinds <= _NUMBERS:
        return max(map(len, map(str, present)), default=0)
    if kinds <= _TEXTS and not any("\n" in text for text in present if isinstance(text, str)):
        return max(map(len, map(str, present)), default=0)
    return max(map(_shown_width, present), default=0)


def _clean_texts(values: list[object]) -> bool:
    """Whether a column of text (and blanks) can go as it is: nothing to strip or cut."""
    texts = [value for value in values if isinstance(value, str)]
    longest = max(map(len, texts), default=0)
    return longest <= _MAX_CELL_CHARS and not XML_FORBIDDEN.search("\n".join(texts))


def _column(values: list[object]) -> tuple[list[object], int, rx.Format | None]:
    """The column's values as written, its width and its format.

    Dates beside times become midnight datetimes (the binding types a column by its first
    value and would cut a later time of day off).
    """
    kinds = set(map(type, values))
    if not (kinds <= _NUMBERS or (kinds <= _TEXTS and _clean_texts(values))):
        values = [_cell_value(value) for value in values]
        kinds = set(map(type, values))
    width = _width(values, kinds)
    has_time = any(issubclass(kind, datetime) for kind in kinds)
    has_date = any(issubclass(kind, date) for kind in kinds)
    numbers = bool(kinds & {int, float})
    wide = str in kinds and width > MAX_COLUMN_WIDTH
    if has_time and date in kinds:
        values = [
            datetime.combine(v, datetime.min.time()) if type(v) is date else v for v in values
        ]
    if not (wide or (has_date and not numbers)):
        return values, width, None
    style = rx.Format()
    if has_date and not numbers:  # a number in a date-formatted column would show as a date
        style.set_num_format(_DATETIME_FORMAT if has_time else _DATE_FORMAT)
    if wide:
        style.set_text_wrap().set_align("top")
    return values, width, style


def _keys(headers: Sequence[object], count: int) -> list[str]:
    """Header texts, unique (the binding keys cells by header): a repeat gets « (2)»."""
    keys: list[str] = []
    for index in range(count):
        raw = _cell_value(headers[index]) if index < len(headers) else ""
        text = "" if raw is None else str(raw)
        key, number = text, 1
        while key in keys:
            number += 1
            key = f"{text} ({number})"
        keys.append(key)
    return keys


def _prepare(
    title: str, headers: Sequence[object], rows: Sequence[Sequence[object]], bold: rx.Format
) -> _Sheet:
    """Column by column: clean the values, measure the widths, pick the formats."""
    count = max([len(headers), *(len(row) for row in rows)])
    keys = _keys(headers, count)
    columns: list[list[object]] = []
    widths: list[float] = []
    formats: dict[str, rx.Format] = {}
    for index in range(count):
        values = [row[index] if index < len(row) else None for row in rows]
        written, shown, style = _column(values)
        width = max(len(keys[index]) + 2, shown)
        columns.append(written)
        widths.append(min(max(width + 2, 8), MAX_COLUMN_WIDTH) - _PADDING)
        if style is not None:
            formats[keys[index]] = style
    # No rows: one empty record, so the header is still written (empty cells are not).
    records = [dict(zip(keys, cells, strict=True)) for cells in zip(*columns, strict=True)]
    return _Sheet(title, records or [dict.fromkeys(keys)], widths, formats, bold)


def _save(sheets: Sequence[_Sheet]) -> bytes:
    buffer = io.BytesIO()
    rx.write_worksheets(
        [(sheet.title, sheet.records) for sheet in sheets],
        buffer,
        freeze_panes={sheet.title: {"row": 1} for sheet in sheets if sheet.freeze},
        column_widths={sheet.title: sheet.widths for sheet in sheets},
        column_formats={sheet.title: sheet.formats for sheet in sheets},
        header_format={sheet.title: sheet.header for sheet in sheets},
        autofilter={sheet.title: sheet.autofilter for sheet in sheets},
    )
    return buffer.getvalue()


def build_table_xlsx(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    """One sheet: bold frozen header with an autofilter, then the rows; URLs stay plain text."""
    return build_workbook_xlsx([(title, headers, rows)])


def build_workbook_xlsx(sheets: Sequence[Table]) -> bytes:
    """Several sheets (title, headers, rows), each written like ``build_table_xlsx``'s one."""
    taken: set[str] = set()
    bold = rx.Format().set_bold()
    return _save(
        [_prepare(_sheet_title(title, taken), head, rows, bold) for title, head, rows in sheets]
    )


def build_template_xlsx() -> bytes:
    """A sample organization list to fill in, with an instruction sheet."""
    taken: set[str] = set()
    headers = [texts.COLUMN_TITLES[fld] for fld in Field]
    title = _sheet_title(texts.TEMPLATE_SHEET_TITLE, taken)
    example = _prepare(title, headers, texts.TEMPLATE_EXAMPLE_ROWS, rx.Format().set_bold())
    first, *lines = texts.INSTRUCTION_LINES
    instructions = _Sheet(
        title=_sheet_title(texts.INSTRUCTION_SHEET_TITLE, taken),
        records=[{first: line} for line in lines],
        widths=[INSTRUCTION_WIDTH - _PADDING],
        formats={first: rx.Format().set_text_wrap().set_align("top")},
        header=rx.Format().set_bold().set_font_size(13).set_text_wrap(),
        freeze=False,
        autofilter=False,
    )
    return _save([replace(example, autofilter=False), instructions])
