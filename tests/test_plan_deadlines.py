"""«Срок исполнения» as district plans write it (seed 001), read into the day it falls due."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.domain.plan_deadline import parse_deadline

TODAY = date(2026, 11, 21)


@pytest.mark.parametrize(
    ("cell", "due"),
    [
        ("10.12.2026", date(2026, 12, 10)),
        ("1.3.27", date(2027, 3, 1)),
        (datetime(2027, 4, 30, 0, 0), date(2027, 4, 30)),
        ("Март 2021 года", date(2021, 3, 31)),
        ("10-24 марта 2021 г.", date(2021, 3, 24)),
        ("17-21 мая, 2021 г.", date(2021, 5, 21)),
        ("I квартал 2027", date(2027, 3, 31)),
        ("IV кв. 2026", date(2026, 12, 31)),
        ("В течение года", date(2026, 12, 31)),
        ("в течение 2027 года", date(2027, 12, 31)),
        ("до конца мая 2027", date(2027, 5, 31)),
        # A range, or two stages: the latest.
        ("январь–март 2027", date(2027, 3, 31)),
        ("сентябрь-октябрь 2027", date(2027, 10, 31)),
        ("с 01.03.2027 по 31.03.2027", date(2027, 3, 31)),
        ("IV кв. 2026 – I кв. 2027", date(2027, 3, 31)),
        ("09 декабря 2020 г.\nмарт 2021 г.", date(2021, 3, 31)),
        ("с 1 марта по 15.04.2027", date(2027, 4, 15)),
        # No year at all: the first such day from today on (a plan is written ahead).
        ("до 1 февраля", date(2027, 2, 1)),
        ("I квартал", date(2027, 3, 31)),
        ("декабрь", date(2026, 12, 31)),
        ("до 01.02", date(2027, 2, 1)),
        ("25.12", date(2026, 12, 25)),
        ("29 февраля 2028", date(2028, 2, 29)),
    ],
)
def test_a_deadline_as_written_falls_due_on(cell: object, due: date) -> None:
    parsed = parse_deadline(cell, TODAY)
    assert parsed is not None and parsed[0] == due


@pytest.mark.parametrize(
    "cell",
    [
        "",
        "когда-нибудь",
        "по особому графику",
        "31.02.2027",
        "2027",
        "30 февраля 2027",
        "29 февраля 2027",
        "31 апреля",
        "0 мая 2027",
    ],
)
def test_a_cell_naming_no_day_is_not_understood(cell: str) -> None:
    assert parse_deadline(cell, TODAY) is None


def test_how_it_was_written_is_kept_as_its_label() -> None:
    assert parse_deadline("10.12.2026", TODAY) == (date(2026, 12, 10), "10.12.2026")
    assert parse_deadline("январь–март 2027", TODAY) == (date(2027, 3, 31), "январь–март 2027")
