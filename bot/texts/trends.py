"""Texts of /trends: the message, the chart and the table.

Names (``scope``, ``ppo``, ``chair``) are raw in the messages: escaped here. The chart and the
table are not HTML: their texts are never escaped.
"""

from __future__ import annotations

from bot.texts.grammar import plural
from bot.texts.markup import esc

CMD_TRENDS = "динамика по годам: охват, численность, кто вырос и кто упал"

NO_PPO = "В вашей организации нет ППО — показывать нечего."
NO_DATA = "Отчётов пока нет: динамику не из чего построить."


def not_found(query: str) -> str:
    return (
        f"ППО «{esc(query)}» в вашей организации не нашлось. Напишите часть названия или номер, "
        "например: /trends СОШ № 1 или /trends 123. Без аргумента — динамика всей организации."
    )


def many_found(count: int) -> str:
    return f"Нашлось ППО: {count}. Уточните название или напишите номер:"


def found_line(number: int, ppo: str, district: str) -> str:
    return f"/trends {number} — {esc(ppo)} ({esc(district)})"


def header(scope: str) -> str:
    return f"📈 <b>Динамика: {esc(scope)}</b>"


def subject_line(ppo: str, chair: str) -> str:
    """``chair``: ``bot.texts.digest.chair_named`` of the ППО's chair (may be empty)."""
    return f"ППО: <b>{esc(ppo)}</b>" + (f" — {esc(chair)}" if chair else "")


YEARS_HEADER = "<b>По годам</b> (последний отчёт каждого года):"


def periods_header(shown: int, total: int) -> str:
    tail = f", последние {shown} из {total}" if shown < total else ""
    return f"<b>По периодам</b>{tail}:"


def figures(coverage: str, members: int, workers: int) -> str:
    return f"охват {coverage} — {members} из {workers}"


def youth(coverage: str, members: int, workers: int) -> str:
    return f"молодёжь {coverage} ({members} из {workers})"


NOT_GIVEN = "—"
"""A figure no report gave (managers' coverage of a period nobody answered it for): not 0 %."""


def managers(coverage: str | None, members: int, managers: int) -> str:
    """Managers and their deputies who are members (seed 002 item 4); ``coverage`` None: no
    report of the period gave both figures."""
    if coverage is None:
        return f"руководители и заместители {NOT_GIVEN}"
    return f"руководители и заместители {coverage} ({members} из {managers})"


def year_line(
    year: int, figures: str, youth: str | None, reports: int | None, managers: str | None = None
) -> str:
    """``figures``, ``youth`` and ``managers`` come from the functions above; ``reports`` None
    for one ППО; ``managers`` None where no period of the series gave managers' figures."""
    parts = [
        figures,
        *([youth] if youth else []),
        *([managers] if managers else []),
        *([f"ППО: {reports}"] if reports else []),
    ]
    return f"• {year}: " + "; ".join(parts)


def no_reports(year: int) -> str:
    return f"• {year}: отчётов нет"


def period_line(period: str, figures: str, reports: int | None, managers: str | None = None) -> str:
    line = f"• {period}: {figures}" + (f" (ППО: {reports})" if reports else "")
    return f"{line}; {managers}" if managers else line


def fallers_header(span: int, from_year: int, to_year: int) -> str:
    return f"📉 Больше всего упал охват за {_years(span)} ({from_year} → {to_year}):"


def risers_header(span: int, from_year: int, to_year: int) -> str:
    return f"📈 Больше всего вырос охват за {_years(span)} ({from_year} → {to_year}):"


def _years(span: int) -> str:
    return f"{span} {plural(span, 'год', 'года', 'лет')}"


def move_line(ppo: str, chair: str, before: str, after: str, change: str) -> str:
    who = esc(ppo) + (f" — {esc(chair)}" if chair else "")
    return f"• {who}: {before} → {after} ({change})"


def no_moves(span: int) -> str:
    return f"За {_years(span)}: сравнить не с чем (нет отчётов за оба года)."


ATTACHMENTS = "Диаграмма и таблица (по годам, по периодам, рост и падение) — ниже."
CHART_CAPTION = "Динамика охвата профчленством"
FILE_CAPTION = "Динамика: по годам, по периодам, рост и падение охвата"


def file_name(year: int) -> str:
    return f"Динамика_{year}.xlsx"


def chart_file_name(year: int) -> str:
    return f"Динамика_{year}.png"


# --- Chart ----------------------------------------------------------------------------------


def chart_title(scope: str, ppo: str | None) -> str:
    return f"Динамика охвата профчленством\n{ppo or scope}"


CHART_YEARS = "По годам (последний отчёт года)"
CHART_PERIODS = "По периодам"
CHART_COVERAGE = "Охват"
CHART_YOUTH = "Охват молодёжи до 35 лет"
CHART_AXIS = "%"
CHART_EMPTY = "Отчётов пока нет"

# --- Table ----------------------------------------------------------------------------------

SHEET_YEARS = "По годам"
SHEET_PERIODS = "По периодам"
SHEET_MOVES = "Рост и падение"
H_DISTRICT = "Район"
H_PPO = "ППО"
H_NUMBER = "№"
H_CHAIR = "Председатель"
H_PERIOD = "Период"
H_REPORTS = "ППО с отчётом"
H_MEMBERS = "Членов профсоюза"
H_WORKERS = "Работающих"
H_COVERAGE = "Охват, %"
H_YOUTH_MEMBERS = "Членов до 35 лет"
H_YOUTH_WORKERS = "Работающих до 35 лет"
H_YOUTH_COVERAGE = "Охват молодёжи, %"
H_MANAGERS_COVERAGE = "Охват руководителей и заместителей, %"
H_DIRECTION = "Направление"
H_SPAN = "Срок, лет"
H_FROM = "Начальный год"
H_TO = "Конечный год"
H_BEFORE = "Охват был, %"
H_AFTER = "Охват стал, %"
H_CHANGE = "Изменение, п.п."
TOTAL = "Итого"
FELL = "упал"
ROSE = "вырос"


def year_header(year: int, what: str) -> str:
    return f"{year}: {what}"
