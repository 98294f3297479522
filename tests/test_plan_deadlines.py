"""«Срок исполнения» as district plans write it (seed 001), read into the day it falls due."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.domain.plan_deadline import Deadline, parse_deadline

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
        # A range: its end; stages: the last.
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
        # Half-years, and the yearly wordings of the union's plans.
        ("I полугодие 2027", date(2027, 6, 30)),
        ("2-е полугодие 2027", date(2027, 12, 31)),
        ("по полугодиям", date(2027, 6, 30)),
        ("по полугодиям 2027", date(2027, 12, 31)),
        ("согласно плану работы областной организации профсоюза на 2021 год", date(2021, 12, 31)),
        ("не менее 2 конкурсов в год", date(2026, 12, 31)),
        ("согласно годовых планов работы Профсоюза", date(2026, 12, 31)),
    ],
)
def test_a_deadline_as_written_falls_due_on(cell: object, due: date) -> None:
    parsed = parse_deadline(cell, TODAY)
    assert parsed is not None and parsed.last == due


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
    assert parse_deadline("10.12.2026", TODAY) == Deadline((date(2026, 12, 10),), "10.12.2026")
    assert parse_deadline("январь–март 2027", TODAY) == Deadline(
        (date(2027, 3, 31),), "январь–март 2027"
    )


def test_by_half_years_is_due_at_both_half_year_ends_from_the_one_it_is_written_in() -> None:
    """Seed 002 item 30: «Рассмотрение хода выполнения Программы ... по полугодиям»: two
    reviews, the first at the end of the half-year it is written in."""
    half_years = {
        date(2027, 3, 1): (date(2027, 6, 30), date(2027, 12, 31)),
        date(2027, 6, 30): (date(2027, 6, 30), date(2027, 12, 31)),
        date(2027, 7, 1): (date(2027, 12, 31), date(2028, 6, 30)),
    }
    for today, stages in half_years.items():
        assert parse_deadline("по полугодиям", today) == Deadline(stages, "по полугодиям")


@pytest.mark.parametrize(
    ("cell", "stages"),
    [
        (
            "март, июнь, октябрь, декабрь 2027",
            ((2027, 3, 31), (2027, 6, 30), (2027, 10, 31), (2027, 12, 31)),
        ),
        ("февраль, сентябрь 2027", ((2027, 2, 28), (2027, 9, 30))),
        ("15.03.2027 и 15.09.2027", ((2027, 3, 15), (2027, 9, 15))),
        ("ежеквартально 2027", ((2027, 3, 31), (2027, 6, 30), (2027, 9, 30), (2027, 12, 31))),
        ("2 раза в год", ((2026, 12, 31), (2027, 6, 30))),
        # No year: each stage the first such day from today on.
        (
            "март, июнь, октябрь, декабрь",
            ((2026, 12, 31), (2027, 3, 31), (2027, 6, 30), (2027, 10, 31)),
        ),
        # A range is one deadline, its end, wherever it stands among stages.
        ("январь–март, сентябрь 2027", ((2027, 3, 31), (2027, 9, 30))),
    ],
)
def test_days_named_apart_are_stages(cell: str, stages: tuple[tuple[int, int, int], ...]) -> None:
    parsed = parse_deadline(cell, TODAY)
    assert parsed is not None and parsed.stages == tuple(date(*day) for day in stages)


def monthly(day: int) -> tuple[date, ...]:
    """``day`` of each month from December 2026 (TODAY is past November's)."""
    return tuple(date(2026 + (month < 12), month, day) for month in (12, *range(1, 12)))


@pytest.mark.parametrize(
    ("cell", "stages"),
    [
        # A report due on a day of each month: that day, not the month's end (before, «до 5
        # числа» was dropped and the chairs reminded some 25 days late).
        ("Ежемесячно до 5 числа", monthly(5)),
        ("ежемесячно, до 5-го числа", monthly(5)),
        ("до 5-го каждого месяца", monthly(5)),
        ("до 20 числа каждого месяца", monthly(20)),
        (
            "ежемесячно до 5 числа 2027 года",
            tuple(date(2027, month, 5) for month in range(1, 13)),
        ),
        # A day the month lacks: its last day (every month has the report).
        (
            "ежемесячно до 31 числа 2027",
            tuple(
                date(2027, month, last)
                for month, last in enumerate((31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31), 1)
            ),
        ),
        # A quarter or half-year is reported on in the month after it.
        (
            "ежеквартально до 10 числа",
            ((2027, 1, 10), (2027, 4, 10), (2027, 7, 10), (2027, 10, 10)),
        ),
        (
            "ежеквартально до 10 числа месяца, следующего за отчётным",
            ((2027, 1, 10), (2027, 4, 10), (2027, 7, 10), (2027, 10, 10)),
        ),
        (
            "ежеквартально до 25 числа последнего месяца квартала",
            ((2026, 12, 25), (2027, 3, 25), (2027, 6, 25), (2027, 9, 25)),
        ),
        ("по полугодиям до 15 числа", ((2027, 1, 15), (2027, 7, 15))),
        # A day with its month is that day, as before.
        ("ежегодно до 1 марта", ((2027, 3, 1),)),
        ("до 5 числа марта 2027", ((2027, 3, 5),)),
        ("до 5-го марта 2027", ((2027, 3, 5),)),
        # The period's order is no day of the month.
        ("до конца 2-го полугодия 2027", ((2027, 6, 30), (2027, 12, 31))),
    ],
)
def test_a_periodic_deadline_falls_due_on_the_day_of_the_month_it_names(
    cell: str, stages: tuple[date | tuple[int, int, int], ...]
) -> None:
    parsed = parse_deadline(cell, TODAY)
    expected = tuple(day if isinstance(day, date) else date(*day) for day in stages)
    assert parsed is not None and parsed.stages == expected


@pytest.mark.parametrize(
    "cell",
    [
        "до 5 числа",
        "ежегодно до 5 числа",
        "в течение года до 5 числа",
        "ежемесячно до 5 числа, март 2027",
        "ежемесячно до 5 и 20 числа",
        "ежемесячно до 32 числа",
        "ежеквартально до 10 числа первого месяца квартала",
    ],
)
def test_a_day_of_the_month_that_cannot_be_placed_is_not_understood(cell: str) -> None:
    """Which day is said, not which month, or not which of two: nothing rather than another
    deadline, so the one who wrote it is asked again."""
    assert parse_deadline(cell, TODAY) is None


# «Сроки реализации» of the programme of seed 002 (items 1-30) and «Срок исполнения» of the
# plan of seed 001, as they are written there.
SEED_002 = (
    "июль 2024", "март, июнь, октябрь, декабрь\nоктябрь, декабрь", "постоянно", "октябрь 2024",
    "октябрь 2024", "ноябрь 2024", "октябрь 2024", "сентябрь 2024",
    "в течение всего периода реализации Программы", "в течение всего периода реализации Программы",
    "в течение всего периода реализации Программы", "Сентябрь 2024",
    "в течение всего периода реализации Программы", "в течение всего периода реализации Программы",
    "в течение всего периода", "согласно годовых планов работы Профсоюза", "постоянно",
    "постоянно", "постоянно", "постоянно", "не менее 2 конкурсов в год",
    "ежегодно, по совместным планам Управления образования",
    "Ежегодно, по совместным планам Управления образования",
    "Ежегодно, по совместным планам Управления образования", "ежегодно до 1 февраля",
    "ежегодно", "постоянно", "до конца 2025 года", "постоянно", "по полугодиям",
)  # fmt: skip
SEED_001 = (
    "В течение года", "В течение года", "В течение года", "В течение года",
    "согласно плану\nработы областной  организации\nпрофсоюза на 2021 год", "В течение года",
    "в течение года \n(по особому графику) 2021 г.", "В течение года",
    "23-27 августа  2021 г.\n г.Ярославль", "В течение года", "10-24 марта 2021 г.",
    "7 сентября 2021 г.", "17-21 мая, 2021 г.\n Республика Крым", "В течение года",
    "09 декабря 2020 г.\nмарт  2021 г.", "В течение года", "апрель 2021 г.", "В течение года ",
    "В течение года", "09 декабря 2020 года", "Март 2021 года", "постоянно", "Декабрь  2021 года",
)  # fmt: skip
"""Items 14 and 16 of seed 001 («По отдельному плану») name no day and are left out: the
staff are asked for one."""


@pytest.mark.parametrize("cell", [*SEED_002, *SEED_001])
def test_every_deadline_of_the_union_s_own_plans_is_understood(cell: str) -> None:
    assert parse_deadline(cell, date(2024, 8, 18)) is not None


def test_the_union_s_own_plans_keep_their_stages_and_no_others() -> None:
    """Seed 002 item 2 (the monitoring: March, June, October, December for 50-80 % coverage,
    October and December above it), item 30 (the half-yearly review) and seed 001 item 15
    (December, then March) are due in stages; every other cell is one deadline, as before."""
    read = {cell: parse_deadline(cell, date(2024, 8, 18)) for cell in (*SEED_002, *SEED_001)}
    stages = {cell: found.stages for cell, found in read.items() if found and len(found.stages) > 1}
    assert stages == {
        SEED_002[1]: (date(2024, 10, 31), date(2024, 12, 31), date(2025, 3, 31), date(2025, 6, 30)),
        SEED_002[29]: (date(2024, 12, 31), date(2025, 6, 30)),
        SEED_001[14]: (date(2020, 12, 9), date(2021, 3, 31)),
    }
