"""Writing the spreadsheets the bot sends: one-sheet tables and the organization list template.

Pure: knows nothing of Telegram or the database. Sheet titles and the template's texts come
from ``bot.texts.importing``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from bot.domain.cells import CONTROL_CHARS
from bot.domain.org_columns import Field
from bot.texts import importing as texts

MAX_COLUMN_WIDTH = 60
_MAX_CELL_CHARS = 32_767  # Excel's limit for one cell
_SHEET_TITLE_LIMIT = 31
_FORBIDDEN_TITLE_RE = re.compile(r"[\[\]:*?/\\]")
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")


def _sheet_title(title: str) -> str:
    cleaned = " ".join(_FORBIDDEN_TITLE_RE.sub(" ", CONTROL_CHARS.sub(" ", title)).split())
    cleaned = cleaned.strip("'")[:_SHEET_TITLE_LIMIT].strip().strip("'")
    return cleaned or texts.DEFAULT_SHEET_TITLE


def _cell_value(value: object) -> object:
    """A value openpyxl can store: text sanitized, aware datetimes made naive."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, datetime | time):
        return value.replace(tzinfo=None)  # Excel has no time zones
    if isinstance(value, date | timedelta):
        return value
    text = value if isinstance(value, str) else str(value)
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:_MAX_CELL_CHARS]


def _shown_width(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def _to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def build_table_xlsx(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    """One sheet: bold frozen header with an autofilter, then the rows; URLs stay plain text.

    Written in openpyxl's write-only mode: a region's table of 10,000 rows is streamed, not
    held as cell objects (several times faster, a fraction of the memory).
    """
    workbook = Workbook(write_only=True)
    _stream_table(workbook, _sheet_title(title), headers, rows, autofilter=True)
    return _to_bytes(workbook)


def build_workbook_xlsx(
    sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[object]]]],
) -> bytes:
    """Several sheets (title, headers, rows), each written like ``build_table_xlsx``'s one."""
    workbook = Workbook(write_only=True)
    for title, headers, rows in sheets:
        _stream_table(workbook, _sheet_title(title), headers, rows, autofilter=True)
    return _to_bytes(workbook)


def _stream_table(
    workbook: Workbook,
    title: str,
    headers: Sequence[object],
    rows: Iterable[Sequence[object]],
    *,
    autofilter: bool,
) -> None:
    """A sheet with a bold frozen header and columns as wide as their content (capped)."""
    sheet = workbook.create_sheet(title)
    table = [[_cell_value(raw) for raw in values] for values in [headers, *rows]]
    widths: dict[int, int] = {}
    for row_index, values in enumerate(table):
        for column_index, value in enumerate(values, start=1):
            width = _shown_width(value) + (2 if row_index == 0 else 0)
            widths[column_index] = max(widths.get(column_index, 0), width)
    for column_index, width in widths.items():
        sheet.column_dimensions[get_column_letter(column_index)].width = min(
            max(width + 2, 8), MAX_COLUMN_WIDTH
        )
    sheet.freeze_panes = "A2"
    if autofilter and headers:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(table)}"
    for row_index, values in enumerate(table):
        sheet.append([_streamed_cell(sheet, value, header=row_index == 0) for value in values])


def _streamed_cell(sheet: Any, value: object, *, header: bool) -> object:
    """Plain values go as they are; only cells that need a style or a type become cells."""
    text_formula = isinstance(value, str) and value.startswith("=")
    wide = isinstance(value, str) and len(value) > MAX_COLUMN_WIDTH
    if not (header or text_formula or wide or isinstance(value, date)):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    if header:
        cell.font = _BOLD
    if text_formula:
        cell.data_type = "s"  # a name like «=Итого» is text, not a formula
    if isinstance(value, datetime):
        cell.number_format = "DD.MM.YYYY HH:MM"
    elif isinstance(value, date):
        cell.number_format = "DD.MM.YYYY"
    if wide and not header:
        cell.alignment = _WRAP
    return cell


def build_template_xlsx() -> bytes:
    """A sample organization list to fill in, with an instruction sheet."""
    workbook = Workbook(write_only=True)
    headers = [texts.COLUMN_TITLES[fld] for fld in Field]
    _stream_table(
        workbook, texts.TEMPLATE_SHEET_TITLE, headers, texts.TEMPLATE_EXAMPLE_ROWS, autofilter=False
    )
    instructions = workbook.create_sheet(texts.INSTRUCTION_SHEET_TITLE)
    instructions.column_dimensions["A"].width = 100
    for index, line in enumerate(texts.INSTRUCTION_LINES, start=1):
        cell = WriteOnlyCell(instructions, value=line)
        cell.alignment = _WRAP
        if index == 1:
            cell.font = Font(bold=True, size=13)
        instructions.append([cell])
    return _to_bytes(workbook)
