"""What the digest and the rating share in rendering: a message fitted to one phone screen, and
a table declared once as its columns, from which the header row and every data row come.

Pure: no Telegram, no database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.rendering.xlsx import build_table_xlsx
from bot.texts import common

TEXT_LIMIT = 1500  # characters of HTML: one phone screen

_Attempt = TypeVar("_Attempt")
_Sheet = TypeVar("_Sheet")
_Item = TypeVar("_Item")


def fit_to_screen(
    build: Callable[[_Attempt], list[str]], attempts: Iterable[_Attempt], limit: int = TEXT_LIMIT
) -> str:
    """The lines of the first attempt whose text fits ``limit``, joined; else the last one's.

    ``attempts`` go from the most generous (long lists, long names) to the most compact.
    """
    text = ""
    for attempt in attempts:
        text = "\n".join(build(attempt))
        if len(text) <= limit:
            break
    return text


def capped(items: Sequence[_Item], cap: int, render: Callable[[_Item], str]) -> list[str]:
    """The first ``cap`` items rendered, then «…и ещё N» (only those shown are formatted)."""
    shown = [render(item) for item in items[:cap]]
    if len(items) > cap:
        shown.append(common.more(len(items) - cap))
    return shown


def short(text: str, limit: int) -> str:
    """A name cut to ``limit`` characters with «…» (still raw: the texts escape it)."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


@dataclass(frozen=True)
class Column(Generic[_Sheet, _Item]):
    """One column of a table: its header and the value of one item (a row) of a sheet.

    ``value`` gets the whole sheet too (the digest's date and time zone, say), so a column is
    declared once, next to its header, and the two cannot drift apart.
    """

    header: str
    value: Callable[[_Sheet, _Item], object]


def headers(columns: Sequence[Column[_Sheet, _Item]]) -> tuple[str, ...]:
    return tuple(column.header for column in columns)


def table_rows(
    columns: Sequence[Column[_Sheet, _Item]], sheet: _Sheet, items: Iterable[_Item]
) -> list[list[object]]:
    """One row per item, in the order of ``columns`` (for a sheet of a several-sheet file)."""
    values = [column.value for column in columns]
    return [[value(sheet, item) for value in values] for item in items]


def table_xlsx(
    title: str,
    columns: Sequence[Column[_Sheet, _Item]],
    sheet: _Sheet,
    items: Iterable[_Item],
    *,
    footer: Sequence[Sequence[object]] = (),
) -> bytes:
    """The .xlsx of one sheet: the header row, a row per item, then ``footer`` rows as given."""
    table = [*table_rows(columns, sheet, items), *(list(row) for row in footer)]
    return build_table_xlsx(title, headers(columns), table)
