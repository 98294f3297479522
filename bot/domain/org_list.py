"""Reading the organization list an admin uploads (.xlsx or .csv) into rows to import.

Rows with problems come back with their numbers and every problem in one Russian message;
the good rows are imported all the same. Pure: knows nothing of Telegram or the database.
Every Russian text comes from ``bot.texts.importing``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import warnings
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, replace

from bot.domain import cells
from bot.domain.org_columns import REQUIRED_FIELDS, Field, locate_header
from bot.domain.timezones import parse_timezone
from bot.texts import importing as texts
from storage.orgs import name_key

MAX_DATA_ROWS = 5000
MAX_WORKERS = 100_000
MAX_NAME_LENGTH = 300  # region, district, organization (storage: String(300))
MAX_CHAIR_LENGTH = 200  # storage: String(200)


@dataclass(frozen=True)
class OrgRow:
    """One primary organization read from the file."""

    row_number: int  # as the user sees it in Excel
    region: str | None
    district: str
    organization: str
    workers: int | None
    chair_name: str | None
    timezone: str | None  # an IANA name


OrgTable = cells.SheetTable[OrgRow]


# The database matches names by the same key, so a duplicate here is a duplicate there.
normalize_name = name_key


def _parse_workers(value: object) -> tuple[int | None, str | None]:
    """(number, None), (None, None) for an empty cell, or (None, a Russian error)."""
    try:
        return cells.cell_count(value, MAX_WORKERS), None
    except ValueError:
        return None, texts.bad_workers(cells.shown(cells.cell_text(value)), MAX_WORKERS)


# --- Reading files --------------------------------------------------------------------------


_RowStream = Generator[tuple[int, Sequence[object]], None, None]


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls (and other MS Office 97 files)


def _detect_format(data: bytes, filename: str) -> str:
    """«xlsx» or «csv»; raises cells.UnusableFile for anything else."""
    extension = filename.rsplit(".", 1)[-1].casefold().strip() if "." in filename else ""
    if data.startswith(b"PK"):
        return "xlsx"
    if data.startswith(_OLE_MAGIC):
        raise cells.UnusableFile(texts.OLD_XLS)
    if extension in ("xlsx", "xlsm"):
        raise cells.UnusableFile(texts.BROKEN_XLSX)
    if extension == "xls":
        raise cells.UnusableFile(texts.OLD_XLS)
    if extension == "csv":
        return "csv"
    raise cells.UnusableFile(texts.unknown_format(filename))


def _decode(data: bytes) -> str:
    """UTF-16 with a BOM, UTF-8 with or without a BOM, else Windows-1251."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise cells.UnusableFile(texts.BROKEN_CSV) from exc
    if b"\x00" in data:
        raise cells.UnusableFile(texts.BROKEN_CSV)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1251", errors="replace")


_DELIMITERS = (";", "\t", ",")  # in order of preference when nothing else decides


def _csv_rows(text: str, delimiter: str) -> _RowStream:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    number = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise cells.UnusableFile(texts.BROKEN_CSV) from exc
        number += 1  # a record is one Excel row even if a quoted cell spans lines
        yield number, record


def _choose_delimiter(text: str) -> str:
    """The delimiter whose header row names the most known columns; ties: count in that line."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")

    def score(delimiter: str) -> tuple[bool, int, int, int]:
        header = locate_header(_csv_rows(text, delimiter))
        columns = header.columns if header.columns is not None else header.first_match
        return (
            header.columns is not None,
            len(columns),
            first_line.count(delimiter),
            -_DELIMITERS.index(delimiter),
        )

    return max(_DELIMITERS, key=score)


def _table_rows(data: bytes, filename: str) -> _RowStream:
    if not data.strip():
        raise cells.UnusableFile(texts.EMPTY_FILE)
    if _detect_format(data, filename) == "xlsx":
        return cells.xlsx_rows(data, broken=texts.BROKEN_XLSX)
    text = _decode(data)
    if not text.strip():
        raise cells.UnusableFile(texts.EMPTY_FILE)
    return _csv_rows(text, _choose_delimiter(text))


def parse_org_table(data: bytes, filename: str) -> OrgTable:
    """Read the organization list from .xlsx (first sheet; the other filled ones are named,
    unread) or .csv bytes.

    The header is the first filled row naming the «Район» and «Организация» columns (a few
    title lines above it are skipped). Rows with problems go to ``errors`` (one per row, all
    of its problems in the message) and the good rows are still returned.
    """
    try:
        with warnings.catch_warnings():
            # openpyxl warns about features of other writers it ignores; they do not matter here
            warnings.simplefilter("ignore")
            rows = _table_rows(data, filename)
            with contextlib.closing(rows):
                table = _parse_rows(rows)
            if _detect_format(data, filename) == "xlsx":
                table = replace(table, unread_sheets=cells.other_filled_sheets(data))
            return table
    except cells.UnusableFile as fatal:
        return OrgTable(fatal=fatal.message)


def _parse_rows(rows: Iterator[tuple[int, Sequence[object]]]) -> OrgTable:
    header = locate_header(rows)
    if header.first_cells is None:
        raise cells.UnusableFile(texts.EMPTY_FILE)
    if header.columns is None:
        raise cells.UnusableFile(
            texts.missing_columns(
                required=[texts.COLUMN_TITLES[fld] for fld in REQUIRED_FIELDS],
                missing=[
                    texts.COLUMN_TITLES[fld]
                    for fld in REQUIRED_FIELDS
                    if fld not in header.first_match
                ],
                found=[cells.shown(cell) for cell in header.first_cells if cell][:15],
            )
        )
    columns = header.columns

    result_rows: list[OrgRow] = []
    errors: list[cells.RowError] = []
    seen: dict[tuple[str, str, str], int] = {}  # region, district, ППО: names repeat across
    try:
        for number, raw in cells.filled_rows(rows, columns, MAX_DATA_ROWS):
            row, problems = _parse_row(number, raw)
            if row is not None:
                key = (
                    normalize_name(row.region or ""),
                    normalize_name(row.district),
                    normalize_name(row.organization),
                )
                if key in seen:
                    problems.append(texts.duplicate_row(seen[key]))
                else:
                    seen[key] = number
            if problems or row is None:
                errors.append(cells.RowError(number, texts.ROW_PROBLEMS_SEPARATOR.join(problems)))
            else:
                result_rows.append(row)
    except cells.TooManyRows:
        raise cells.UnusableFile(texts.too_many_rows(MAX_DATA_ROWS)) from None
    if not result_rows and not errors:
        raise cells.UnusableFile(texts.NO_DATA_ROWS)
    return OrgTable(rows=result_rows, errors=errors)


def _parse_row(number: int, raw: dict[Field, object]) -> tuple[OrgRow | None, list[str]]:
    problems: list[str] = []
    text = {fld: cells.cell_text(raw.get(fld)) for fld in Field}
    problems.extend(
        texts.not_a_value(texts.COLUMN_TITLES[fld], str(value))
        for fld in (Field.REGION, Field.DISTRICT, Field.ORGANIZATION, Field.CHAIR)
        if isinstance(value := raw.get(fld), cells.NotAValue)
    )
    if not text[Field.ORGANIZATION]:
        problems.append(texts.MISSING_ORGANIZATION)
    if not text[Field.DISTRICT]:
        problems.append(texts.MISSING_DISTRICT)
    limits = (
        (Field.REGION, MAX_NAME_LENGTH),
        (Field.DISTRICT, MAX_NAME_LENGTH),
        (Field.ORGANIZATION, MAX_NAME_LENGTH),
        (Field.CHAIR, MAX_CHAIR_LENGTH),
    )
    problems.extend(
        texts.too_long(texts.COLUMN_TITLES[fld], limit)
        for fld, limit in limits
        if len(text[fld]) > limit
    )
    workers, problem = _parse_workers(raw.get(Field.WORKERS))
    if problem:
        problems.append(problem)
    timezone: str | None = None
    if text[Field.TIMEZONE]:
        timezone = parse_timezone(raw.get(Field.TIMEZONE))
        if timezone is None:
            problems.append(texts.unknown_timezone(cells.shown(text[Field.TIMEZONE])))
    if not text[Field.ORGANIZATION] or not text[Field.DISTRICT]:
        return None, problems
    row = OrgRow(
        row_number=number,
        region=text[Field.REGION] or None,
        district=text[Field.DISTRICT],
        organization=text[Field.ORGANIZATION],
        workers=workers,
        chair_name=text[Field.CHAIR] or None,
        timezone=timezone,
    )
    return row, problems
