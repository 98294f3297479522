"""Cells of an uploaded .xlsx that hold no value a person could mean: a number that is none
(NaN, an infinity) or a formula saved without its result. Each is refused in its row, the row
and column named; never read as empty, as zero, or as a reason to refuse the whole file."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from datetime import date

import pytest
from openpyxl import Workbook

from bot.domain.history_import import read_history
from bot.domain.org_list import parse_org_table
from bot.domain.plan_sheet import Directory, parse_plan

STAND_IN = 987_654  # written by openpyxl, then replaced by what another writer stores


def workbook(rows: Sequence[Sequence[object]], cells: Mapping[str, str]) -> bytes:
    """An .xlsx of ``rows`` whose cells named in ``cells`` («C2») hold the given XML instead
    (openpyxl writes a NaN as an empty cell; LibreOffice, scripts and pandas may not)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for values in rows:
        sheet.append(list(values))
    for reference in cells:
        sheet[reference] = STAND_IN
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    patched = io.BytesIO()
    with zipfile.ZipFile(patched, "w") as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            for reference, xml in cells.items():
                written = f'<c r="{reference}" t="n"><v>{STAND_IN}</v></c>'.encode()
                if written in data:
                    data = data.replace(written, xml.format(r=reference).encode())
            archive.writestr(item, data)
    return patched.getvalue()


NAN = '<c r="{r}" t="n"><v>nan</v></c>'
INFINITY = '<c r="{r}"><v>1e999</v></c>'
NOT_CALCULATED = '<c r="{r}"><f>C1/0</f><v></v></c>'
EXCEL_ERROR = '<c r="{r}" t="e"><f>NA()</f><v>#N/A</v></c>'


def test_an_organization_list_names_each_row_whose_workers_cell_holds_no_number() -> None:
    header = ["Район", "Организация", "Работников"]
    rows = [header, *(["Центральный", f"Школа № {n}", 10] for n in range(1, 7))]
    odd = {"C2": NAN, "C3": INFINITY, "C4": NOT_CALCULATED, "C5": EXCEL_ERROR}
    table = parse_org_table(workbook(rows, odd), "orgs.xlsx")
    assert table.fatal is None, table.fatal
    assert [(row.row_number, row.workers) for row in table.rows] == [(6, 10), (7, 10)]
    errors = {error.row_number: error.message for error in table.errors}
    assert sorted(errors) == [2, 3, 4, 5]
    assert all(message.startswith("число работников должно быть") for message in errors.values())
    assert "не число (nan)" in errors[2]
    assert "не число (1e999)" in errors[3]
    assert "формула без вычисленного значения" in errors[4]
    assert "#N/A" in errors[5]


@pytest.mark.parametrize("xml", [NOT_CALCULATED, NAN])
def test_a_name_cell_with_no_value_is_refused_naming_its_column(xml: str) -> None:
    rows = [["Район", "Организация"], ["Центральный", "Школа № 1"], ["Центральный", "x"]]
    table = parse_org_table(workbook(rows, {"B3": xml}), "orgs.xlsx")
    assert table.fatal is None, table.fatal
    assert [row.organization for row in table.rows] == ["Школа № 1"]
    [error] = table.errors
    assert error.row_number == 3
    assert "в столбце «Организация» не значение" in error.message


def test_past_figures_name_the_row_and_column_of_a_figure_that_is_none() -> None:
    header = ["ППО", "Период", "Работников", "Членов профсоюза"]
    rows = [header, ["Школа № 1", "12.2024", 50, 30], ["Школа № 2", "12.2024", 40, 20]]
    table = read_history(workbook(rows, {"D2": NAN, "C3": NOT_CALCULATED}))
    assert table.fatal is None, table.fatal
    assert table.rows == []
    errors = {error.row_number: error.message for error in table.errors}
    assert "в столбце «Членов профсоюза» нужно целое число" in errors[2]
    assert "не число (nan)" in errors[2]
    assert "в столбце «Работников» нужно целое число" in errors[3]
    assert "формула без вычисленного значения" in errors[3]


def test_a_plan_item_whose_text_is_an_uncalculated_formula_is_refused() -> None:
    rows = [
        ["№", "Мероприятие", "Срок", "Ответственный"],
        [1, "Собрание", "31.12.2026", "все ППО"],
        [2, "x", "31.12.2026", "все ППО"],
    ]
    data = workbook(rows, {"B3": NOT_CALCULATED})
    table = parse_plan(data, "plan.xlsx", Directory(ppos=[], staff=[]), date(2026, 11, 21))
    assert table.fatal is None, table.fatal
    assert [row.text for row in table.rows] == ["Собрание"]
    [error] = table.errors
    assert error.row_number == 3 and "в столбце «Мероприятие» не значение" in error.message
