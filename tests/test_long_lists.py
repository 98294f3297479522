"""Lists as long as a district still go out as one message: Telegram refuses a text over
4096 UTF-16 units whole, and then nobody reads any of it (a delivery report with 150 blocked
chairs, an overdue plan item undone by 300 ППО, a monitoring escalation)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from bot.texts import announcements, plans, reminders
from bot.texts.markup import TELEGRAM_TEXT_LIMIT
from fakes.telegram_server import parse_html, utf16_len

NAMES = [f"МБОУ «Средняя школа № {n}» <корпус> & 🌼 филиал" for n in range(1, 301)]
LONG_ITEM = "Актуализация паспортов 🌼 & <всех> первичных организаций " * 20


def delivery_report() -> str:
    return announcements.delivery_report(150, NAMES, [(f"ошибка {n} <x>", n) for n in range(80)])


def plan_escalation() -> str:
    late = [plans.late_line(name, "Иванова Мария Петровна") for name in NAMES]
    return plans.escalation("12", LONG_ITEM, date(2026, 12, 10), late)


def monitoring_escalation() -> str:
    late = [reminders.late_line(name, "Иванова Мария", connected=True) for name in NAMES]
    return reminders.escalation(
        calendar=True,
        period=date(2026, 12, 1),
        title="",
        deadline=date(2026, 12, 25),
        lines=late,
        total=300,
        curator=False,
    )


@pytest.mark.parametrize("render", [delivery_report, plan_escalation, monitoring_escalation])
def test_a_list_of_300_fits_one_message_and_says_how_many_are_left(
    render: Callable[[], str],
) -> None:
    shown, _ = parse_html(render())
    assert utf16_len(shown) <= TELEGRAM_TEXT_LIMIT
    assert NAMES[0] in shown and NAMES[-1] not in shown
    assert "и ещё" in shown


def test_a_short_list_is_shown_whole() -> None:
    shown, _ = parse_html(announcements.delivery_report(1, NAMES[:3], []))
    assert all(name in shown for name in NAMES[:3]) and "и ещё" not in shown
