"""Lists as long as a district still go out as one message: Telegram refuses a text over
4096 UTF-16 units whole, and then nobody reads any of it (a delivery report with 150 blocked
chairs, an overdue plan item undone by 300 ППО, a monitoring escalation)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from bot.domain.district_event_answers import StaffCameContext, staff_came_summary
from bot.domain.district_events import WHO_LIST, DistrictEventContext, PpoRef, summary
from bot.texts import announcements, forms, plan_marks, reminders
from bot.texts.markup import TELEGRAM_TEXT_LIMIT
from fakes.telegram_server import parse_html, utf16_len
from storage.orgs import name_key

NAMES = [f"МБОУ «Средняя школа № {n}» <корпус> & 🌼 филиал" for n in range(1, 301)]
LONG_ITEM = "Актуализация паспортов 🌼 & <всех> первичных организаций " * 20
PPO_NAME = (  # a real primary organization's name: about 150 characters
    "Первичная профсоюзная организация муниципального бюджетного общеобразовательного "
    "учреждения «Средняя общеобразовательная школа № {n} имени Героя»"
)
# The same names typed with a slip: they match nobody, and the summary repeats them.
SLIPS = [PPO_NAME.format(n=n).replace("школа", "шк.") for n in range(1, 21)]


def delivery_report() -> str:
    return announcements.delivery_report(150, NAMES, [(f"ошибка {n} <x>", n) for n in range(80)])


def plan_escalation() -> str:
    late = [plan_marks.late_line(name, "Иванова Мария Петровна") for name in NAMES]
    return plan_marks.escalation("12", LONG_ITEM, (date(2026, 12, 10), None), late)


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


def district(count: int) -> tuple[PpoRef, ...]:
    names = [PPO_NAME.format(n=n) for n in range(1, count + 1)]
    return tuple(PpoRef(id=n, name=name, key=name_key(name)) for n, name in enumerate(names, 1))


def test_staff_attendance_of_a_whole_district_fits_one_message() -> None:
    """Attendance typed by /orgs numbers («12 — 3», 8 characters a line) for the 33 ППО of seed
    000's district, and lines with slips: the summary names every ППО and repeats every slip."""
    ppos = district(33)
    title = "Семинар-совещание председателей первичных профсоюзных организаций " * 4
    context = StaffCameContext(lineage=[1], event_id=1, title=title, ppos=ppos)
    typed = "\n".join([*(f"{p.id} — 3" for p in ppos), *(f"{slip} — 2" for slip in SLIPS)])
    assert len(typed) <= 4000  # the form takes it
    shown, _ = parse_html(staff_came_summary({"lines": typed}, context, date(2026, 12, 1)).text)
    assert utf16_len(shown) <= TELEGRAM_TEXT_LIMIT
    assert f"• {ppos[0].name} — 3" in shown and "…и ещё" in shown
    assert shown.endswith(forms.SUMMARY_CONFIRM_HINT)


def test_a_district_event_for_a_typed_list_fits_one_message() -> None:
    """An event with a long title and place announced to a typed list of 3000 characters (as
    much as the form takes) whose names all have a slip: the summary shows the list and then
    each piece it did not find. The title and the place are shown whole; the list is cut."""
    ppos = district(30)
    context = DistrictEventContext(lineage=[1], scope_id=1, scope_name="Район", ppos=ppos)
    title = "Семинар-совещание председателей первичных профсоюзных организаций " * 4
    place = "Актовый зал администрации района, ул. Ленина, д. 1, 2-й этаж " * 7
    answers = {
        "kind": "seminar",
        "title": title.strip(),
        "starts": "2026-12-10T10:00",
        "place": place.strip(),
        "direction": "education",
        "who": WHO_LIST,
        "list": "\n".join(SLIPS)[:3000],
        "answer_by": "2026-12-05",
    }
    shown, _ = parse_html(summary(answers, context, date(2026, 12, 1)).text)
    assert utf16_len(shown) <= TELEGRAM_TEXT_LIMIT
    assert title.strip() in shown and place.strip() in shown and SLIPS[0] in shown
    assert "…и ещё" in shown and shown.endswith(forms.SUMMARY_CONFIRM_HINT)
