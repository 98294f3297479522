"""Texts of the yearly rating of primary organizations (рейтингование, /rating).

Organization names in the message (``scope_name``, ``name``, ``names``) are raw: escaped
here. The spreadsheet is not HTML: its texts are never escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.texts.markup import esc

# Criterion names as the union's documents word them (keys: bot.domain.rating.Criterion values).
CRITERIA = {
    "coverage": "уровень охвата профчленством",
    "change": "динамика охвата за год",
    "youth": "охват молодёжи до 35 лет",
    "on_time": "своевременность отчётности",
    "events": "проведённые мероприятия",
    "reach": "охват участников",
}

# Short names for the one-line formula in the message.
CRITERIA_SHORT = {
    "coverage": "охват",
    "change": "динамика",
    "youth": "молодёжь",
    "on_time": "своевременность",
    "events": "мероприятия",
    "reach": "участники",
}


def title(year: int) -> str:
    return f"Рейтинг первичных профсоюзных организаций за {year} год"


def header(year: int, as_of: date | None) -> str:
    line = f"🏆 <b>{title(year)}</b>"
    if as_of is not None:
        line += f"\n<i>Год не завершён: данные на {as_of:%d.%m.%Y}</i>"
    return line


def scope_line(scope_name: str, rated: int, total: int) -> str:
    return f"{esc(scope_name)}: в рейтинге {rated} из {total} ППО"


def formula(terms: str) -> str:
    """The formula paragraph; ``terms`` is «0,3 × охват + 0,2 × динамика + …»."""
    return (
        f"<i>Балл = {terms}. Критерии от 0 до 100: охват, молодёжь, своевременность — в %; "
        "динамика −10…+10 п.п. → 0…100; мероприятия — в % от наибольшего числа, "
        "участники на 100 работников — в % от лучшего.</i>"
    )


def formula_plain(terms: str) -> str:
    """The formula as plain text for the spreadsheet."""
    return (
        f"Итоговый балл = {terms}. Каждый критерий от 0 до 100: уровень охвата профчленством, "
        "охват молодёжи до 35 лет и своевременность отчётности (доля запросов за год, "
        "сданных не позже срока) — в %; динамика охвата за год (к последнему отчёту "
        "прошлого года, а если его нет — к первому отчёту этого года) от −10 до +10 п.п. "
        "переводится в 0…100; проведённые мероприятия — в % от наибольшего числа в списке; "
        "охват участников (участников на 100 работников) — в % от лучшего результата. "
        "Неприменимый критерий (нет работников до 35 лет, не было запросов) не считается, "
        "его вес делится между остальными; не указанные данные о молодёжи дают 0. "
        "Равные баллы: выше тот, у кого выше охват, затем по названию. "
        "ППО без отчёта за год — в конце списка, «нет данных»."
    )


TOP = "<b>Лучшие</b>"
BOTTOM = "<b>Последние места</b>"


def line(place: int, name: str, score: str, figures: str) -> str:
    return f"{place}. {esc(name)} — <b>{score}</b> · {figures}"


def figures(coverage: str, change: str | None, youth: str | None) -> str:
    text = f"охват {coverage}"
    if change is not None:
        text += f" ({change})"
    if youth is not None:
        text += f", молодёжь {youth}"
    return text


def no_data(count: int, names: Sequence[str]) -> str:
    """``names``: the ППО without data, perhaps ending with ``more(…)`` or ``SEE_LIST``."""
    return f"<b>Нет данных за год ({count}):</b> " + ", ".join(esc(name) for name in names)


SEE_LIST = "список — в файле"
NOBODY_RATED = "Ни одна ППО не сдала мониторинг за этот год: рейтинг не из чего составить."
NO_PPO = "В этой организации нет первичных профсоюзных организаций."
SEE_FILE = "Расчёт каждого балла и все ППО — в файле."

NO_DATA = "нет данных"
REASON_NO_REPORT = "нет отчёта за год"
REASON_NO_WORKERS = "в отчёте 0 работников"
YOUTH_NOT_GIVEN = "не указано"
YOUTH_NOT_GIVEN_SHORT = "не указана"  # «молодёжь не указана» in the message
NOT_APPLICABLE = "не учитывается"


def bad_year(this_year: int) -> str:
    return f"Укажите год от 2000 до {this_year} четырьмя цифрами, например: /rating {this_year - 1}"


# --- Spreadsheet ----------------------------------------------------------------------------

SHEET_TITLE = "Рейтинг ППО {year}"
FILE_NAME = "rating_{year}.xlsx"

H_PLACE = "Место"
H_PPO = "ППО"
H_DISTRICT = "Районная организация"
H_PERIOD = "Последний отчёт"
H_WORKERS = "Работников"
H_MEMBERS = "Членов профсоюза"
H_COVERAGE = "Охват профчленством, %"
H_BASELINE = "База сравнения"
H_CHANGE = "Динамика охвата, п.п."
H_YOUTH = "Охват молодёжи до 35 лет, %"
H_TARGETS = "Запросов за год"
H_ON_TIME = "Сдано в срок"
H_ON_TIME_SHARE = "Своевременность, %"
H_EVENTS = "Мероприятий"
H_PARTICIPANTS = "Участников"
H_REACH = "Участников на 100 работников"
H_TOTAL = "Итоговый балл"
H_NOTE = "Примечание"


def h_score(short_name: str) -> str:
    return f"Балл: {short_name}"


FILE_CAPTION = "Рейтинг ППО: все организации, баллы по каждому критерию и формула."


def rating_due(district_name: str, year: int) -> str:
    """To district staff in January (``bot/domain/rating_notice.py``)."""
    return (
        f"🏆 <b>Рейтингование ППО за {year} год</b>\n{esc(district_name)}\n"
        "Рейтингование эффективности работы первичных профсоюзных организаций проводится "
        f"ежегодно до 1 февраля. Рейтинг за {year} год: /rating {year}"
    )
