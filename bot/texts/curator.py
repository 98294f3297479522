"""Texts of the curator's view (/curated) and of the staff list of low ППО without a curator
(/nocurator).

Organization names (``org_name``, ``district``) and a request's ``title`` (typed by staff)
are raw: escaped here.
"""

from __future__ import annotations

from datetime import date

from bot.texts.common import period_name
from bot.texts.grammar import plural
from bot.texts.markup import esc

CMD_CURATED = "Мои подшефные ППО: отчёт, охват, сроки, открытые запросы"
CMD_NOCURATOR = "ППО с охватом ниже 50 % без куратора"

HEADER = "👥 <b>Ваши ППО</b> (вы куратор)"
NONE_ACTIVE = "Организации, к которым вы прикреплены куратором, в архиве."


def curated_archived(org_name: str) -> str:
    """To a curator of a ППО the admin archived (itself, or with its district or region)."""
    return (
        f"ППО «{esc(org_name)}», к которой вы прикреплены куратором, закрыта (перенесена в "
        "архив): её карточки и сообщений о её просрочках больше не будет. Если это ошибка, "
        "обратитесь к администратору."
    )


def curated_restored(org_name: str) -> str:
    """To a curator of a ППО back from the archive (itself, its district or region)."""
    return (
        f"ППО «{esc(org_name)}», к которой вы прикреплены куратором, снова открыта "
        "(восстановлена из архива): её карточка — в /curated."
    )


def org_header(org_name: str) -> str:
    return f"\n<b>{esc(org_name)}</b>"


NO_REPORT = "Мониторинг ещё не сдавался."


def latest(period: date, coverage: str, members: int, workers: int) -> str:
    return (
        f"Последний мониторинг: {period_name(period)} — охват {coverage} "
        f"({members} из {workers} чел.)"
    )


def change_since(label: str, points: str, period: date) -> str:
    """``label``: «с прошлого отчёта» or «за год» (from here, not a person's text). «к» asks
    the dative, which a period's name («октябрь 2026») is not: «к отчёту за октябрь 2026»."""
    return f"Изменение {label}: {points} (к отчёту за {period_name(period)})"


SINCE_PREVIOUS = "с прошлого отчёта"
OVER_YEAR = "за год"
NO_PREVIOUS = "Изменение с прошлого отчёта: нет более раннего отчёта"
NO_YEAR = "Изменение за год: нет отчёта годичной давности"


def record(total: int, on_time: int, late: int, missed: int) -> str:
    if total == 0:
        return "Сроки сдачи: запросов со сроком ещё не было."
    if total == 1:  # «последние 1 запрос» reads as a slip
        last = "последний запрос"
    else:
        last = f"последние {total} {plural(total, 'запрос', 'запроса', 'запросов')}"
    return f"Сроки сдачи ({last}): в срок — {on_time}, с опозданием — {late}, не сдано — {missed}"


OPEN_HEADER = "Открытые запросы:"
NO_OPEN = "Открытых запросов нет."


def open_calendar(period: date, deadline: date, overdue: bool) -> str:
    return _open_line(f"мониторинг за {period_name(period)}", deadline, overdue)


def open_one_off(title: str, deadline: date, overdue: bool) -> str:
    return _open_line(f"«{esc(title)}»", deadline, overdue)


def _open_line(what: str, deadline: date, overdue: bool) -> str:
    mark = " — ⚠️ срок прошёл" if overdue else ""
    return f"• {what}: до {deadline:%d.%m.%Y}{mark}"


# --- /nocurator -----------------------------------------------------------------------------


def nocurator_header(scope_name: str, threshold: int) -> str:
    return f"🧭 <b>Охват ниже {threshold} % и нет куратора: {esc(scope_name)}</b>"


def nocurator_line(org_name: str, district: str, coverage: str, period: date) -> str:
    return f"• {esc(org_name)} ({esc(district)}) — {coverage}, {period_name(period)}"


def nocurator_none(threshold: int) -> str:
    return f"У всех ППО с охватом ниже {threshold} % есть куратор (или таких ППО нет)."


NOCURATOR_HINT = "Куратора назначает администратор: /curator название ППО."


def nocurator_count(count: int, low: int) -> str:
    return f"Без куратора: {count} из {low} ППО с низким охватом."
