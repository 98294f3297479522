"""A chair's own events as /events lists them: the lines, the pages of buttons, the footer.

Pure presentation of stored events: the handler loads them and sends the messages.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.event_report import PeriodKind
from bot.domain.event_report import ReportPeriod as Period
from bot.forms.parsers import show_date_range
from bot.texts import common
from bot.texts import events as te
from bot.texts.event_report import kind_name
from storage.models import Event

EVENTS_LISTED = 15  # events (and buttons) in one message: short enough for a phone


def pages(events: Sequence[Event], period: Period) -> list[Sequence[Event]]:
    """The events listed, ``EVENTS_LISTED`` a message (each with its buttons): a month's all
    of them, so every event can be reached; a year's or a quarter's the newest, the rest by
    month (see ``footer``)."""
    listed = [events[at : at + EVENTS_LISTED] for at in range(0, len(events), EVENTS_LISTED)]
    return listed if period.kind is PeriodKind.MONTH else listed[:1]


def event_line(number: int, item: Event) -> str:
    """One event of the list: its number (the button's), dates, kind, topic, participants."""
    when = show_date_range({"from": item.date_from.isoformat(), "to": item.date_to.isoformat()})
    kind = kind_name(item.kind, item.kind_other)
    return te.event_line(number, when, kind, item.topic, item.participants)


def footer(events: Sequence[Event], shown: int, whole_this_year: bool, this_year: int) -> list[str]:
    """Under the list: the way to the events not shown (their newest's month) and, under this
    year's, to last year's (a December event corrected in January)."""
    lines = []
    if shown < len(events):
        lines.append(
            te.more_events(shown, len(events), common.period_name(events[shown].date_from))
        )
    if whole_this_year:
        lines.append(te.earlier_year(this_year - 1))
    return lines
