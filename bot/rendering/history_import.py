"""The sample file for /loadhistory: the data sheet to fill, an instruction, the sender's ППО.

Pure: knows nothing of Telegram or the database. Texts come from ``bot.texts.history_import``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from bot.rendering.openpyxl_cells import write_only_cell
from bot.texts import history_import as t

COLUMNS = tuple(t.COLUMN_TITLES)
"""The data sheet's columns, in the order of the sample."""
_EXAMPLES: tuple[tuple[object, ...], ...] = (
    (t.EXAMPLE_PPO, "", "12.2024", 54, 40, 12, 8, 3, 2, 4, 1, 5),
    (t.EXAMPLE_PPO, "", "октябрь 2024", 55, 38, 12, 7, 3, 2, 2, 3, 5),
)


def _sheet(workbook: Workbook, title: str, rows: Sequence[Sequence[object]], width: int) -> None:
    sheet = workbook.create_sheet(title)
    for index in range(len(rows[0]) if rows else 0):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    for number, values in enumerate(rows):
        sheet.append([write_only_cell(sheet, value, bold=number == 0) for value in values])


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
