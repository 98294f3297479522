"""The staff events report (/eventsreport): which period is asked for, and the arithmetic.

**Period.** A month («11.2026», «ноябрь 2026»), a quarter («4кв 2026», «IV 2026», «4 квартал
2026», «Q4 2026») or a year («2026»); without an argument, the current year of the scope's local
date. An event belongs to the period its first day (``date_from``) falls in; deleted events never
count (``storage.event_report``).

**Training** (the report on training the union's activists sent upward every year, seed 003):
an event is training when its kind is a learning format (a school of activists, a seminar, a
seminar-meeting or a seminar-practicum, a «Профсоюзная лаборатория» — seed 003: «Профсоюзная
лаборатория в режиме онлайн: обучающий семинар для актива» — a webinar, a training) or when its
direction is «Обучение». Forums, conferences and discussion platforms count only by that
direction: seed 003 lists them among its training measures because they were held to teach,
while seed 002 item 24's «Августовские конференции» and seed 001's reporting «конференции» are
not training. The report gives schools, seminars (with seminar-meetings and practicums) and
webinars held, other training events, people trained (their participants) and online
connections (their views).
"""

from __future__ import annotations

import enum
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from storage.event_report import EventLine, PpoName
from storage.orgs import folded

SEMINAR_KINDS = frozenset({"seminar", "meeting_seminar", "practicum"})
TRAINING_KINDS = SEMINAR_KINDS | {"school", "laboratory", "webinar", "training"}
TRAINING_DIRECTION = "education"


class PeriodKind(enum.Enum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True)
class ReportPeriod:
    """A month, a quarter or a year; ``number`` is the month or the quarter (0 for a year)."""

    kind: PeriodKind
    year: int
    number: int = 0

    @property
    def start(self) -> date:
        first_month = {
            PeriodKind.MONTH: self.number,
            PeriodKind.QUARTER: 3 * self.number - 2,
            PeriodKind.YEAR: 1,
        }[self.kind]
        return date(self.year, first_month, 1)

    @property
    def end(self) -> date:
        """The last day, inclusive."""
        months = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}[self.kind]
        month_index = self.start.month - 1 + months
        following = date(self.year + month_index // 12, month_index % 12 + 1, 1)
        return following - timedelta(days=1)


_YEAR = r"(?P<year>\d{4})(?:\s*(?:г|год|года)\.?)?"
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_QUARTER_WORD = r"(?:-?(?:й|ый|ой)\s*)?(?:кв\.?|квартал[а]?)"
_PATTERNS: tuple[tuple[PeriodKind, re.Pattern[str]], ...] = (
    (PeriodKind.YEAR, re.compile(_YEAR)),
    (PeriodKind.MONTH, re.compile(r"(?:\d{1,2}[./-])?(?P<number>\d{1,2})[./-]" + _YEAR)),
    (PeriodKind.MONTH, re.compile(r"(?P<year>\d{4})-(?P<number>\d{1,2})")),
    (PeriodKind.MONTH, re.compile(r"(?P<word>[а-яё]+)\s*" + _YEAR)),
    (PeriodKind.QUARTER, re.compile(r"(?P<number>[1-4])\s*" + _QUARTER_WORD + r"\s*" + _YEAR)),
    (
        PeriodKind.QUARTER,
        re.compile(r"(?P<roman>iv|i{1,3})\s*(?:" + _QUARTER_WORD + r")?\s*" + _YEAR),
    ),
    (PeriodKind.QUARTER, re.compile(r"q\s*(?P<number>[1-4])\s*" + _YEAR)),
    (PeriodKind.QUARTER, re.compile(r"(?P<year>\d{4})\s*-?\s*q(?P<number>[1-4])")),
)
_MONTH_STEMS = ("янв", "фев", "мар", "апр", "ма", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")


def _month_of_word(word: str) -> int:
    """1–12 for a Russian month name in any case form («ноябрь», «ноября», «нояб»), else 0."""
    for number, stem in enumerate(_MONTH_STEMS, start=1):
        if word.startswith(stem):  # «мар» is tried before «ма»: март ≠ май
            return number
    return 0


def _normalized(text: str) -> str:
    """The words as the patterns read them: folded (``storage.orgs.folded``), single spaces."""
    return " ".join(folded(text).split())


def parse_period(text: str, today: date) -> ReportPeriod | None:
    """The period staff asked for; an empty argument is the current year; None if unreadable."""
    text = _normalized(text)
    if not text:
        return ReportPeriod(PeriodKind.YEAR, today.year)
    for kind, pattern in _PATTERNS:
        if match := pattern.fullmatch(text):
            found = match.groupdict()
            return _checked(kind, int(found["year"]), _number_of(found))
    return None


def _number_of(found: dict[str, str]) -> int:
    """The month or quarter a match names (0: none, as for a year)."""
    if found.get("word") is not None:
        return _month_of_word(found["word"])
    if found.get("roman") is not None:
        return _ROMAN[found["roman"]]
    return int(found.get("number") or 0)


_WITHOUT_YEAR: tuple[tuple[PeriodKind, re.Pattern[str]], ...] = (
    (PeriodKind.MONTH, re.compile(r"(?P<word>[а-яё]+)")),
    (PeriodKind.QUARTER, re.compile(r"(?P<number>[1-4])\s*" + _QUARTER_WORD)),
    (PeriodKind.QUARTER, re.compile(r"(?P<roman>iv|i{1,3})\s*" + _QUARTER_WORD)),
)


def parse_recent_period(text: str, today: date) -> ReportPeriod | None:
    """:func:`parse_period`, and a month or a quarter typed without its year: the latest one
    begun by ``today`` («ноябрь» typed in January is last November), as staff ask for what
    has been held. A table's cells never come here: there a missing year is an error."""
    if (found := parse_period(text, today)) is not None:
        return found
    text = _normalized(text)
    for kind, pattern in _WITHOUT_YEAR:
        if match := pattern.fullmatch(text):
            number = _number_of(match.groupdict())
            period = _checked(kind, today.year, number)
            if period is not None and period.start > today:
                period = _checked(kind, today.year - 1, number)
            return period
    return None


def _checked(kind: PeriodKind, year: int, number: int) -> ReportPeriod | None:
    limit = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4, PeriodKind.YEAR: 0}[kind]
    if not 2000 <= year <= 2100 or (kind is not PeriodKind.YEAR and not 1 <= number <= limit):
        return None
    return ReportPeriod(kind, year, number)


@dataclass
class Tally:
    """Events, their participants and their online views (an event without views adds 0)."""

    events: int = 0
    participants: int = 0
    views: int = 0

    def add(self, line: EventLine) -> None:
        self.events += 1
        self.participants += line.participants
        self.views += line.views or 0


@dataclass(frozen=True)
class Training:
    """The figures of seed 003's report on training activists (see the module docstring)."""

    schools: int
    seminars: int
    webinars: int
    other: int
    trained: int
    online: int

    @property
    def events(self) -> int:
        return self.schools + self.seminars + self.webinars + self.other


@dataclass(frozen=True)
class PpoTally:
    ppo: PpoName
    tally: Tally


@dataclass(frozen=True)
class EventsReport:
    scope_name: str
    period: ReportPeriod
    events: Sequence[EventLine]
    total: Tally
    by_kind: dict[str, Tally]
    by_direction: dict[str, Tally]
    by_kind_direction: dict[tuple[str, str], Tally]
    by_ppo: Sequence[PpoTally]
    silent: Sequence[PpoName]  # active ППО of the scope without an event in the period
    ppo_count: int  # active ППО of the scope
    training: Training
    largest: Sequence[EventLine]  # the most attended events, for the message


def is_training(line: EventLine) -> bool:
    return line.kind in TRAINING_KINDS or line.direction == TRAINING_DIRECTION


def training_of(events: Iterable[EventLine]) -> Training:
    kinds: Counter[str] = Counter()
    trained = online = 0
    for line in filter(is_training, events):
        if line.kind == "school":
            kinds["schools"] += 1
        elif line.kind in SEMINAR_KINDS:
            kinds["seminars"] += 1
        elif line.kind == "webinar":
            kinds["webinars"] += 1
        else:
            kinds["other"] += 1
        trained += line.participants
        online += line.views or 0
    return Training(
        kinds["schools"], kinds["seminars"], kinds["webinars"], kinds["other"], trained, online
    )


LARGEST_SHOWN = 3


def summarize(
    scope_name: str,
    period: ReportPeriod,
    events: Sequence[EventLine],
    active: Sequence[PpoName],
) -> EventsReport:
    """Every figure of the report from the period's events and the scope's active ППО.

    Per-ППО tallies cover the active ППО (zeros included) and any archived ППО that held an
    event in the period, in the order the storage gave.
    """
    total = Tally()
    by_kind: defaultdict[str, Tally] = defaultdict(Tally)
    by_direction: defaultdict[str, Tally] = defaultdict(Tally)
    by_pair: defaultdict[tuple[str, str], Tally] = defaultdict(Tally)
    by_ppo: dict[int, PpoTally] = {ppo.org_id: PpoTally(ppo, Tally()) for ppo in active}
    for line in events:
        for tally in (total, by_kind[line.kind], by_direction[line.direction]):
            tally.add(line)
        by_pair[line.kind, line.direction].add(line)
        if line.org_id not in by_ppo:
            ppo = PpoName(line.org_id, line.org_name, line.district_name)
            by_ppo[line.org_id] = PpoTally(ppo, Tally())
        by_ppo[line.org_id].tally.add(line)
    largest = sorted(events, key=lambda line: (-line.participants, line.date_from, line.event_id))
    return EventsReport(
        scope_name=scope_name,
        period=period,
        events=events,
        total=total,
        by_kind=dict(by_kind),
        by_direction=dict(by_direction),
        by_kind_direction=dict(by_pair),
        by_ppo=list(by_ppo.values()),
        silent=[ppo for ppo in active if by_ppo[ppo.org_id].tally.events == 0],
        ppo_count=len(active),
        training=training_of(events),
        largest=largest[:LARGEST_SHOWN],
    )
