"""The columns of the organization list an admin uploads, recognized by their headers.

People name the columns in many ways («ППО», «Наименование учреждения», «Председатель
первичной организации»): a header matches a field exactly by a known synonym, or loosely by a
word stem. Pure: no Telegram, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.cells import find_header
from storage.orgs import folded


class Field(StrEnum):
    """A column the organization list may have."""

    REGION = "region"
    DISTRICT = "district"
    ORGANIZATION = "organization"
    WORKERS = "workers"
    CHAIR = "chair"
    TIMEZONE = "timezone"


REQUIRED_FIELDS: tuple[Field, ...] = (Field.DISTRICT, Field.ORGANIZATION)


def _header_key(text: str) -> str:
    """Folded (``storage.orgs.folded``), punctuation → spaces, spaces collapsed."""
    return " ".join(re.sub(r"[\W_]+", " ", folded(text)).split())


_SYNONYMS: dict[Field, tuple[str, ...]] = {
    Field.REGION: ("регион", "региональная организация", "область", "region"),
    Field.DISTRICT: (
        "район",
        "районная организация",
        "местная организация",
        "территориальная организация",
        "город",
        "district",
    ),
    Field.ORGANIZATION: (
        "организация",
        "ппо",
        "первичная организация",
        "первичная профсоюзная организация",
        "учреждение",
        "наименование",
        "organization",
        "organisation",
    ),
    Field.WORKERS: (
        "работников",
        "численность работников",
        "количество работников",
        "работники",
        "workers",
    ),
    Field.CHAIR: ("председатель", "фио председателя", "председатель ппо", "chair"),
    Field.TIMEZONE: ("часовой пояс", "таймзона", "time zone", "timezone"),
}
_EXACT_HEADERS: dict[str, Field] = {
    _header_key(synonym): fld for fld, synonyms in _SYNONYMS.items() for synonym in synonyms
}

# Headers with extra words: the first field (in this order) with a word starting with one of its
# stems wins, so «Председатель первичной организации» is the chair, «Районная организация» the
# district and «Наименование ППО» the organization.
_STEMS: tuple[tuple[Field, tuple[str, ...], tuple[str, ...]], ...] = (
    # (field, stems, words that veto the field)
    (Field.TIMEZONE, ("пояс", "таймзон", "timezone", "zone", "utc", "gmt"), ()),
    (Field.CHAIR, ("председател", "chair", "фио"), ("заместител", "зам")),
    (
        Field.WORKERS,
        ("работник", "работающ", "сотрудник", "workers", "employees"),
        ("член", "молод", "35", "пенсион", "руководител"),
    ),
    (Field.REGION, ("регион", "област", "краев", "республик", "region"), ()),
    (
        Field.DISTRICT,
        ("район", "местн", "территориал", "город", "муниципал", "округ", "district"),
        (),
    ),
    (
        Field.ORGANIZATION,
        (
            "организац",
            "ппо",
            "первичн",
            "учрежден",
            "наименован",
            "назван",
            "organization",
            "organisation",
        ),
        (),
    ),
)
# A header about something else that merely mentions a name column («Адрес организации»).
_FOREIGN_STEMS = (
    "адрес",
    "телефон",
    "тел",
    "почт",
    "email",
    "mail",
    "инн",
    "огрн",
    "контакт",
    "сайт",
    "ссылк",
    "код",
    "дата",
    "phone",
    "address",
)


def _has_stem(words: Sequence[str], stems: Sequence[str]) -> bool:
    return any(word.startswith(stem) for word in words for stem in stems)


def _header_field(text: str) -> tuple[Field | None, bool]:
    """The field a header cell names, and whether the match is exact."""
    key = _header_key(text)
    if not key:
        return None, False
    exact = _EXACT_HEADERS.get(key)
    if exact is not None:
        return exact, True
    words = key.split()
    if _has_stem(words, _FOREIGN_STEMS):
        return None, False
    for fld, stems, vetoes in _STEMS:
        if _has_stem(words, stems) and not _has_stem(words, vetoes):
            return fld, False
    return None, False


def _match_headers(cells: Sequence[str]) -> dict[Field, int]:
    """Column index of each recognized field; an exact header beats one with extra words."""
    exact: dict[Field, int] = {}
    loose: dict[Field, int] = {}
    for index, cell in enumerate(cells):
        fld, is_exact = _header_field(cell)
        if fld is not None:
            (exact if is_exact else loose).setdefault(fld, index)
    return loose | exact


@dataclass
class Header:
    """What the first rows of a sheet say about its columns (also when no header is found, so
    the error can show what the file has)."""

    columns: dict[Field, int] | None  # None: no header row found
    first_cells: list[str] | None  # the first filled row; None: the file has none
    first_match: dict[Field, int]


def locate_header(rows: Iterator[tuple[int, Sequence[object]]]) -> Header:
    """Consume rows up to and including the header row."""
    columns, first_cells = find_header(rows, _match_headers, REQUIRED_FIELDS)
    first_match = {} if first_cells is None else _match_headers(first_cells)
    return Header(columns, first_cells, first_match)
