"""The sample file for /loadhistory: the data sheet to fill, an instruction, the sender's ППО.

Pure: knows nothing of Telegram or the database. Texts come from ``bot.texts.history_import``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot.rendering.xlsx import XML_FORBIDDEN
from bot.texts import history_import as t

_BOLD = Font(bold=True)
COLUMNS = tuple(t.COLUMN_TITLES)
"""The data sheet's columns, in the order of the sample."""
_EXAMPLES: tuple[tuple[object, ...], ...] = (
    (t.EXAMPLE_PPO, "", "12.2024", 54, 40, 12, 8, 3, 2, 4, 1, 5),
    (t.EXAMPLE_PPO, "", "октябрь 2024", 55, 38, 12, 7, 3, 2, 2, 3, 5),
)


def _cell(sheet: Any, value: object, *, bold: bool) -> object:
    """Plain values go as they are; the header is bold, and a name like «=Школа № 1» is text:
    openpyxl would write it as a formula (Excel repairs the file, or runs what a person typed)."""
    if isinstance(value, str):
        value = XML_FORBIDDEN.sub("", value)
    text_formula = isinstance(value, str) and value.startswith("=")
    if not (bold or text_formula):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    if bold:
        cell.font = _BOLD
    if text_formula:
        cell.data_type = "s"
    return cell


def _sheet(workbook: Workbook, title: str, rows: Sequence[Sequence[object]], width: int) -> None:
    sheet = workbook.create_sheet(title)
    for index in range(len(rows[0]) if rows else 0):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    for number, values in enumerate(rows):
        sheet.append([_cell(sheet, value, bold=number == 0) for value in values])


def template_xlsx(ppos: Sequence[tuple[str, str]]) -> bytes:
    """``ppos``: (district, ППО) the sender may load figures for, listed to copy names from."""
    workbook = Workbook(write_only=True)
    header = [t.COLUMN_TITLES[column] for column in COLUMNS]
    _sheet(workbook, t.TEMPLATE_SHEET, [header, *_EXAMPLES], 18)
    _sheet(workbook, t.INSTRUCTION_SHEET, [[line] for line in t.INSTRUCTION_LINES], 120)
    _sheet(workbook, t.PPO_SHEET, [t.PPO_SHEET_HEADERS, *ppos], 50)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
