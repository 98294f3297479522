"""A spreadsheet cell (or a typed answer) as the text a person would read.

Shared by the organization list reader and the time-zone parser, which both take values as
openpyxl or the csv module hand them over.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import TypeVar

CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
_COUNT = re.compile(r"\+?(\d{1,3}(?: \d{3})+|\d+)(?:[.,]0+)?", re.ASCII)
_MAX_SHOWN_CHARS = 40  # of a cell value quoted in a message


def cell_text(value: object) -> str:
    """A cell as text: trimmed, inner runs of spaces collapsed, Excel floats without «.0»."""
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
    return " ".join(CONTROL_CHARS.sub(" ", text).split())


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
EMPTY_RUN_ENDS_TABLE = 1000
"""Empty rows in a row after which a sheet's data is taken to have ended (a formatted but
empty tail of a million rows must not be read to the end)."""


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
