"""A spreadsheet built to hurt the bot: a zip bomb (a part that unpacks to gigabytes from a few
hundred kilobytes), a workbook of thousands of sheets. Each reader (/import, /loadhistory,
/plan) refuses it in Russian from the zip's table of contents, without opening the workbook:
openpyxl would read the shared strings whole and the bot would scan the sheet to its end, in
the bot's own process. How long the old way took is in the report, not asserted here.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

import bot.domain.cells as cells
from bot.domain.history_import import read_history
from bot.domain.org_list import parse_org_table
from bot.domain.plan_sheet import Directory, parse_plan
from bot.texts import importing
from harness import ADMIN, Harness, texts
from scenarios import setup_district

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
REFUSAL = importing.xlsx_unpacks_too_big(cells.MAX_PART_BYTES // (1024 * 1024))


def workbook(shared_text: str, sheets: int = 1) -> bytes:
    """A minimal valid .xlsx: ``sheets`` sheets whose A1 shows the one shared string."""
    names = range(1, sheets + 1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/officeDocument"'
            ' Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            + "".join(f'<sheet name="S{n}" sheetId="{n}" r:id="rId{n}"/>' for n in names)
            + "</sheets></workbook>",
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{_PKG}">'
            + "".join(
                f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/s{n}.xml"/>'
                for n in names
            )
            + f'<Relationship Id="rIdS" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
            + "</Relationships>",
        )
        sheet = f'<worksheet xmlns="{_MAIN}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c>'
        for n in names:
            archive.writestr(f"xl/worksheets/s{n}.xml", sheet + "</row></sheetData></worksheet>")
        archive.writestr(
            "xl/sharedStrings.xml", f'<sst xmlns="{_MAIN}"><si><t>{shared_text}</t></si></sst>'
        )
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """A few dozen kilobytes whose shared strings unpack past the part's limit."""
    return workbook("A" * (cells.MAX_PART_BYTES + 1))


READERS: dict[str, Callable[[bytes], Any]] = {
    "org list": lambda data: parse_org_table(data, "orgs.xlsx"),
    "past figures": read_history,
    "plan": lambda data: parse_plan(data, "plan.xlsx", Directory(staff=[], ppos=[]), date.today()),
}


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the workbooks openpyxl is asked to open."""
    calls: list[int] = []
    original = cells.load_workbook

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(cells, "load_workbook", counting)
    return calls


@pytest.mark.parametrize("reader", READERS)
def test_a_zip_bomb_is_refused_unopened(reader: str, opened: list[int]) -> None:
    data = zip_bomb()
    assert len(data) < 200_000  # a small upload, far under the 5-10 MB the commands take
    table = READERS[reader](data)
    assert table.fatal == REFUSAL
    assert table.rows == [] and opened == []


@pytest.mark.parametrize("reader", READERS)
def test_thousands_of_sheets_are_refused_unopened(reader: str, opened: list[int]) -> None:
    table = READERS[reader](workbook("Район", sheets=cells.MAX_PARTS))
    assert table.fatal == REFUSAL
    assert opened == []


def test_a_workbook_under_the_limits_is_still_read(opened: list[int]) -> None:
    table = parse_org_table(workbook("Район", sheets=3), "orgs.xlsx")
    assert table.fatal is not None and table.fatal != REFUSAL  # no «Организация» column
    assert opened


async def test_an_admin_sending_a_zip_bomb_is_told_why_in_one_message(harness: Harness) -> None:
    await setup_district(harness)
    for caption in ("/import", "/loadhistory", "/plan"):
        replies = await harness.upload(ADMIN, zip_bomb(), "list.xlsx", caption=caption)
        assert texts(replies) == [REFUSAL], caption
