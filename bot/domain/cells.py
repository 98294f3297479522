"""A spreadsheet cell (or a typed answer) as the text a person would read.

Shared by the organization list reader and the time-zone parser, which both take values as
openpyxl or the csv module hand them over.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
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
