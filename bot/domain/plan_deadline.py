"""«Срок исполнения» of a plan item as people write it, read into the days it falls due.

A date is itself; a month means its last day (a day before it, or a range of days, its last
day: «17-21 мая 2021» is 21.05.2021); a quarter or a half-year («I полугодие») its last day;
«в течение года» (or «постоянно», «ежегодно», «до конца года», «согласно годовых планов», «на
2021 год»: seeds 001 item 5, 002 items 16 and 21) the year's last day. A range («январь–март
2027», «IV кв. 2026 – I кв. 2027», «с 01.03 по 15.04.2027») falls due at its end.

Several days named apart («март, июнь, октябрь, декабрь»: seed 002 item 2, the monitoring's
four reports; «09 декабря 2020 г., март 2021 г.») are the item's stages, each a deadline of
its own; so are the periodic wordings: «ежеквартально» (four quarter ends), «по полугодиям»
and «2 раза в год» (two half-year ends: seed 002 item 30, the programme's review),
«ежемесячно». A day of the month with them is the day each stage falls due: «ежемесячно до 5
числа» the 5th of every month, «ежеквартально до 10 числа» the 10th of the month after each
quarter (``_day_in_periods``). Chairs are reminded before each stage and mark each one done.

The year of a part is the one written after it (else the one before it). A part with no year
at all means the first such day not before today: a plan is written ahead, so «до 1
февраля» typed in November is next February, «по полугодиям» typed in November is 31
December and then 30 June, while «в течение года» is this year's end.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial

from bot.domain.cells import cell_text
from bot.texts import plans as t

_FULL_DATE = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})(?![\d.])")
_DAY_MONTH = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})(?![\d.])")
_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
_QUARTER = re.compile(r"\b(iv|iii|ii|i|[1-4])\s*(?:-?й\s*)?кв", re.IGNORECASE)
_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_HALF = re.compile(r"\b(ii|i|1|2)\s*(?:-?е\s*)?полугод", re.IGNORECASE)
_WHOLE_YEAR = re.compile(
    r"в течение|постоянно|ежегодно|до конца|в год\b|годов|20\d{2}\s*(?:год|г\.)"
)
_RANGE = re.compile(r"[-–—]|\bпо\b|\bдо\b")
_PERIODIC = (
    (re.compile(r"ежемесячн|каждый месяц|каждого месяца"), tuple(range(1, 13))),
    (
        re.compile(r"ежекварт|поквартал|по квартал|каждый квартал|(?:4|четыре)\s*раза\s*в\s*год"),
        (3, 6, 9, 12),
    ),
    (re.compile(r"полугод|(?:2|два)\s*раза\s*в\s*год|дважды\s*в\s*год"), (6, 12)),
)
_ORDINAL = r"(?:\s*-?\s*(?:го|ого)\b)?"
_MONTHS = tuple(
    (number, re.compile(rf"(?:\b(\d{{1,2}}){_ORDINAL}(?:\s*числа)?\s*)?\b{stem}"))
    for number, stem in enumerate(t.MONTH_STEMS, start=1)
)
_DAY_OF_MONTH = re.compile(
    r"(?<![\d.])(\d{1,2})(?:\s*-?\s*(?:го|ого)\b"
    r"(?:\s*числ[аоу]\b|(?=\s*(?:$|[^\w\s]|каждого|месяца)))"
    rf"|\s*числ[аоу]\b(?!\s*(?:{'|'.join(t.MONTH_STEMS)})))"
)
"""«До 5 числа», «до 5-го»: a day of every month; not of one named after it («5 числа марта»),
nor the order of a period («2-го полугодия»)."""
_DAYS_APART = re.compile(r"\d\s*(?:,|\bи\b|\bили\b)\s*\d{1,2}(?:\s*-?\s*(?:го|ого))?\s*числ")
_LAST_MONTH = re.compile(r"последн\w*\s+месяц")
_OTHER_MONTH = re.compile(r"\b(?:первого|второго|третьего|текущего|среднего)\s+месяц")
LABEL_LIMIT = 64

DayOfYear = Callable[[int], date]
"""A named day, given the year it falls in (``ValueError`` if there is no such day)."""


@dataclass(frozen=True)
class Deadline:
    """The stages of an item, earliest first (one for most items), and how it was written."""

    stages: tuple[date, ...]
    label: str

    @property
    def last(self) -> date:
        """The item's final deadline: when it is done for good."""
        return self.stages[-1]


def parse_deadline(value: object, today: date) -> Deadline | None:
    """The stages the cell names, or None when it names no day (or an impossible one:
    «31.02.2027»)."""
    if isinstance(value, datetime):
        return Deadline((value.date(),), value.strftime("%d.%m.%Y"))
    if isinstance(value, date):
        return Deadline((value,), value.strftime("%d.%m.%Y"))
    text = cell_text(value)
    lowered = text.casefold()
    named = _named(lowered)
    if not named:
        return None
    years = [(found.start(), int(found.group(1))) for found in _YEAR.finditer(lowered)]
    try:
        days = sorted({_dated(day_of, _year_of(at, years), today) for at, day_of in named})
    except ValueError:
        return None
    if len(named) == 1 and _FULL_DATE.fullmatch(lowered.strip()):
        return Deadline((days[0],), days[0].strftime("%d.%m.%Y"))
    return Deadline(tuple(days), text[:LABEL_LIMIT])


def _named(lowered: str) -> list[tuple[int, DayOfYear]]:
    """The days the text names, with where each stands (for its year). A day of the month
    («до 5 числа») is read only with a periodic wording, as its day in each period; anywhere
    else («до 5 числа», «ежегодно до 5 числа», «до 5 числа, март»), or with another one
    («до 5 и 20 числа»), it says a day but not which: nothing is read, so the one typing it
    is asked for another wording rather than given a deadline other than the one written."""
    parts = sorted(_named_days(lowered), key=lambda part: part[0])
    days = list(_DAY_OF_MONTH.finditer(lowered))
    if days:
        several = len(days) > 1 or _DAYS_APART.search(lowered)
        return [] if parts or several else list(_periodic(lowered, days[0]))
    return _stages(lowered, parts) or list(_periodic(lowered, None)) or list(_whole_year(lowered))


def _stages(
    lowered: str, parts: Sequence[tuple[int, int, DayOfYear]]
) -> list[tuple[int, DayOfYear]]:
    """Days named apart are stages; a day joined to the one before by a dash, «по» or «до»
    ends the range that one starts, and replaces it."""
    stages: list[tuple[int, int, DayOfYear]] = []
    for part in parts:
        if stages and _RANGE.search(lowered[stages[-1][1] : part[0]]):
            stages.pop()
        stages.append(part)
    return [(end, day_of) for _, end, day_of in stages]


def _named_days(lowered: str) -> Iterator[tuple[int, int, DayOfYear]]:
    """Every day the text names, with where it starts and ends (the year after it is its
    year)."""
    for found in _FULL_DATE.finditer(lowered):
        day, month, year = (int(part) for part in found.groups())
        yield (
            found.start(),
            found.end(),
            partial(_exact, year + 2000 if year < 100 else year, month, day),
        )
    for found in _DAY_MONTH.finditer(lowered):
        yield found.start(), found.end(), partial(_day, int(found.group(2)), int(found.group(1)))
    for found in _QUARTER.finditer(lowered):
        yield (
            found.start(),
            found.end(),
            partial(_month_day, _QUARTERS[found.group(1).casefold()] * 3, None),
        )
    for found in _HALF.finditer(lowered):
        yield (
            found.start(),
            found.end(),
            partial(_month_day, 6 if found.group(1) in ("i", "1") else 12, None),
        )
    for month, pattern in _MONTHS:
        for found in pattern.finditer(lowered):
            yield found.start(), found.end(), partial(_month_day, month, found.group(1))


def _whole_year(lowered: str) -> Iterator[tuple[int, DayOfYear]]:
    """«В течение года»: the year's last day, unless a day is named too («до конца мая»)."""
    if found := _WHOLE_YEAR.search(lowered):
        yield found.end(), partial(_day, 12, 31)


def _periodic(lowered: str, day: re.Match[str] | None) -> Iterator[tuple[int, DayOfYear]]:
    """«Ежеквартально», «по полугодиям», «2 раза в год», «ежемесячно»: a stage at the end of
    each period, or on the day of the month the text names (``_day_in_periods``)."""
    for pattern, months in _PERIODIC:
        if found := pattern.search(lowered):
            if day is None:
                stages: list[DayOfYear] = [partial(_month_day, month, None) for month in months]
            else:
                stages = _day_in_periods(months, day, lowered[day.end() :])
            for stage in stages:
                yield found.end(), stage
            return


def _day_in_periods(months: Sequence[int], day: re.Match[str], tail: str) -> list[DayOfYear]:
    """«Ежемесячно до 5 числа»: the 5th of each month. A quarter or a half-year is reported on
    in the month after it («ежеквартально до 10 числа месяца, следующего за отчётным» says it
    in full: 10 January, April, July and October), or in its last month when the text says so
    («до 25 числа последнего месяца квартала»). Another month of it («первого месяца
    квартала») or no such day («до 35 числа») is not read: nothing, rather than a guess."""
    nth = int(day.group(1))
    whole_year = len(months) == 12
    if not 1 <= nth <= 31 or (not whole_year and _OTHER_MONTH.search(tail)):
        return []
    if not whole_year and not _LAST_MONTH.search(tail):
        months = [month % 12 + 1 for month in months]
    return [partial(_nth_day, month, nth) for month in months]


def _year_of(at: int, years: list[tuple[int, int]]) -> int | None:
    """The year written after position ``at``, else the last one before it; None: no year."""
    after = [year for start, year in years if start >= at]
    before = [year for start, year in years if start < at]
    return after[0] if after else before[-1] if before else None


def _dated(day_of: DayOfYear, year: int | None, today: date) -> date:
    """The day in ``year``; with no year, the first such day not before ``today``."""
    if year is not None:
        return day_of(year)
    this_year = day_of(today.year)
    return this_year if this_year >= today else day_of(today.year + 1)


def _exact(written: int, month: int, day: int, _: int) -> date:
    """A full date: its own year, whatever year the cell names elsewhere."""
    return date(written, month, day)


def _day(month: int, day: int, year: int) -> date:
    return date(year, month, day)


def _nth_day(month: int, day: int, year: int) -> date:
    """The day a periodic deadline names in a month; one the month lacks («до 31 числа» in
    April or February) its last day: the wording means every month, the short ones too."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _month_day(month: int, day: str | None, year: int) -> date:
    """«мая 2027» → 31.05.2027; «17-21 мая 2027» → 21.05.2027 (the day before the month).
    A day the month does not have that year («30 февраля», «29 февраля 2027») is no day, as
    «30.02.2027» is not: ``ValueError``, never the month's last day in its place."""
    end = date(year, month, calendar.monthrange(year, month)[1])
    return end if day is None else end.replace(day=int(day))
