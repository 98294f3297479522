"""Cells for the few tables written with openpyxl's write-only mode (the events report with its
bold totals rows, the /loadhistory sample), where rustpy-xlsxwriter's one-style columns
(``bot/rendering/xlsx.py``) do not fit."""

from __future__ import annotations

from datetime import date
from typing import Any

from openpyxl.cell.cell import WriteOnlyCell
from openpyxl.styles import Font

from bot.rendering.xlsx import XML_FORBIDDEN

_BOLD = Font(bold=True)


def write_only_cell(sheet: Any, value: object, *, bold: bool) -> object:
    """Plain values go as they are; bold ones, dates and text like «=…» become styled cells.

    openpyxl writes any text starting with «=» as a formula: a topic or a name a person typed
    («=Итоги года», ``=HYPERLINK(…)``) would be run by Excel, or «repaired» away. Characters XML
    cannot carry are dropped, or the file would not open."""
    if isinstance(value, str):
        value = XML_FORBIDDEN.sub("", value)
    text_formula = isinstance(value, str) and value.startswith("=")
    if not (bold or text_formula or isinstance(value, date)):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    if bold:
        cell.font = _BOLD
    if text_formula:
        cell.data_type = "s"
    if isinstance(value, date):
        cell.number_format = "DD.MM.YYYY"
    return cell
