"""Texts of membership monitoring (мониторинг профсоюзного членства).

``org_name`` and the district's ``comment`` are raw: escaped here.
"""

from __future__ import annotations

from bot.texts.markup import esc

TITLE = "Мониторинг профсоюзного членства"

L_WORKERS = "Работников"
L_MEMBERS = "Членов профсоюза"
L_YOUTH_WORKERS = "Работников до 35 лет"
L_YOUTH_MEMBERS = "Членов профсоюза до 35 лет"
L_MANAGERS = "Руководителей и заместителей"
L_MANAGERS_MEMBERS = "Из них членов профсоюза"
L_JOINED = "Принято в профсоюз"
L_LEFT = "Выбыло из профсоюза"
L_RETIRED = "Пенсионеров на учёте"

Q_WORKERS = "Сколько работников в учреждении (чел.)?"
Q_MEMBERS = "Сколько из них членов профсоюза (чел.)?"
Q_YOUTH_WORKERS = "Сколько работников в возрасте до 35 лет (чел.)?"
Q_YOUTH_MEMBERS = "Сколько из работников до 35 лет — члены профсоюза (чел.)?"
Q_MANAGERS = "Сколько в учреждении руководителей и заместителей руководителя (чел.)?"
Q_MANAGERS_MEMBERS = "Сколько из руководителей и заместителей — члены профсоюза (чел.)?"
Q_JOINED = "Сколько человек принято в профсоюз с прошлого отчёта?"
Q_LEFT = "Сколько человек выбыло из профсоюза с прошлого отчёта?"
Q_RETIRED = "Сколько неработающих пенсионеров состоит на профсоюзном учёте?"


def members_over_workers(members: int, workers: int) -> str:
    return (
        f"Членов профсоюза ({members}) не может быть больше, чем работников ({workers}). "
        "Проверьте число."
    )


def youth_over_workers(youth: int, workers: int) -> str:
    return f"Работников до 35 лет ({youth}) не может быть больше, чем всех работников ({workers})."


def youth_members_over_youth(members: int, youth: int) -> str:
    return (
        f"Членов профсоюза до 35 лет ({members}) не может быть больше, "
        f"чем работников до 35 лет ({youth})."
    )


def youth_members_over_members(youth_members: int, members: int) -> str:
    return (
        f"Членов профсоюза до 35 лет ({youth_members}) не может быть больше, "
        f"чем всех членов профсоюза ({members})."
    )


def managers_over_workers(managers: int, workers: int) -> str:
    return f"Руководителей ({managers}) не может быть больше, чем работников ({workers})."


def managers_members_over_managers(members: int, managers: int) -> str:
    return (
        f"Руководителей — членов профсоюза ({members}) не может быть больше, "
        f"чем всех руководителей и заместителей ({managers})."
    )


def managers_members_over_members(managers_members: int, members: int) -> str:
    return (
        f"Руководителей — членов профсоюза ({managers_members}) не может быть больше, "
        f"чем всех членов профсоюза ({members})."
    )


def summary_header(org_name: str, period: str) -> str:
    return f"<b>{TITLE}</b>\n{esc(org_name)}\nПериод: {period}"


COVERAGE = "Охват профчленством"
YOUTH_COVERAGE = "Охват молодёжи до 35 лет"
MANAGERS_COVERAGE = "Охват руководителей"
NO_PREVIOUS = "Прошлых отчётов нет — это первый."


def change_line(previous_period: str, delta: str, members_delta: int) -> str:
    sign = "+" if members_delta > 0 else ""
    return (
        f"Изменение с отчёта за {previous_period}: охват {delta}, членов {sign}{members_delta} чел."
    )


def revision_note(revision: int) -> str:
    return (
        f"За этот период отчёт уже есть. Будет сохранена редакция № {revision}, "
        "учитываться будет она."
    )


def warn_jump(before: int, now: int) -> str:
    return f"⚠️ Число членов профсоюза изменилось больше чем на 10 %: было {before}, стало {now}."


def warn_balance(before: int, expected: int, now: int) -> str:
    return f"⚠️ Не сходится: было {before} + принято − выбыло = {expected}, а указано {now}."


def saved(org_name: str, period: str, coverage: str) -> str:
    return (
        f"✅ Отчёт сохранён: {esc(org_name)}, {period}. Охват профчленством — {coverage}.\n"
        "Спасибо! Историю отчётов покажет /history."
    )


def return_comment(comment: str) -> str:
    return f"↩️ Возвращён на исправление: {esc(comment)}"
