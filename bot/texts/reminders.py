"""Texts of the monitoring calendar: reminders to chairs, the list of late ППО for staff.

``org_name``, ``chair_name`` and a request's ``title`` (typed by staff) are raw: escaped
here. ``escalation`` takes ``lines`` already built by ``late_line``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.texts.common import more, period_name
from bot.texts.grammar import plural
from bot.texts.markup import LIST_ROOM, esc, fitting, utf16_len


def day_text(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def collection_title(period: date) -> str:
    """Title of a calendar monitoring period."""
    return f"Мониторинг профсоюзного членства за {period_name(period)}"


def _what(*, calendar: bool, period: date, title: str) -> str:
    """The request in the genitive, after «сдачи»/«по»: what is due."""
    if calendar:
        return f"сдачи мониторинга профсоюзного членства за {period_name(period)}"
    return f"по запросу «{esc(title)}»"


def _head(org_name: str) -> str:
    return f"<b>{esc(org_name)}</b>\n"


def chair_open(org_name: str, *, calendar: bool, period: date, title: str, deadline: date) -> str:
    if calendar:
        body = (
            f"Открыт мониторинг профсоюзного членства за {period_name(period)}. "
            f"Срок — до {day_text(deadline)}."
        )
    else:
        body = f"Новый запрос: «{esc(title)}». Срок — до {day_text(deadline)}."
    return _head(org_name) + body


def chair_correction(org_name: str, *, period: date, deadline: date) -> str:
    """The report that answered this collection was sent back and is not corrected yet."""
    return _head(org_name) + (
        f"Напоминание: отчёт за {period_name(period)} возвращён на исправление и ещё не "
        f"исправлен. Срок — до {day_text(deadline)}."
    )


def chair_before(
    org_name: str, *, calendar: bool, period: date, title: str, deadline: date, days_left: int
) -> str:
    what = _what(calendar=calendar, period=period, title=title)
    if days_left <= 0:
        return _head(org_name) + (f"Сегодня последний день {what}. Срок — до {day_text(deadline)}.")
    verb = plural(days_left, "остался", "осталось", "осталось")
    days = plural(days_left, "день", "дня", "дней")
    return _head(org_name) + (
        f"Напоминание: до срока {what} {verb} {days_left} {days} (срок — до {day_text(deadline)})."
    )


def chair_after(
    org_name: str, *, calendar: bool, period: date, title: str, deadline: date, days_late: int
) -> str:
    when = (
        "вчера"
        if days_late <= 1
        else f"{days_late} {plural(days_late, 'день', 'дня', 'дней')} назад"
    )
    if calendar:
        body = (
            f"Срок сдачи мониторинга профсоюзного членства за {period_name(period)} истёк "
            f"{when} ({day_text(deadline)}). Пожалуйста, заполните его как можно скорее."
        )
    else:
        body = (
            f"Срок по запросу «{esc(title)}» истёк {when} ({day_text(deadline)}). "
            "Пожалуйста, ответьте как можно скорее."
        )
    return _head(org_name) + body


def late_line(
    org_name: str,
    chair_name: str | None,
    *,
    connected: bool,
    paused_until: date | None = None,
    unreachable: bool = False,
) -> str:
    """One late ППО in the staff list, with its chair and why reminders may not reach them."""
    if chair_name and connected:
        chair = f"председатель {esc(chair_name)}"
    elif chair_name:
        chair = f"председатель {esc(chair_name)} (не подключён к боту)"
    else:
        chair = "председатель не подключён к боту"
    marks = []
    if paused_until is not None:
        marks.append(f"напоминания приостановлены до {day_text(paused_until)}")
    if unreachable:
        marks.append("бот не может ему написать")
    tail = f" ({'; '.join(marks)})" if marks else ""
    return f"{esc(org_name)} — {chair}{tail}"


def escalation(
    *,
    calendar: bool,
    period: date,
    title: str,
    deadline: date,
    lines: Sequence[str],
    total: int,
    curator: bool,
) -> str:
    """The numbered list of late ППО (lines from ``late_line``) for staff (the whole district)
    or a curator (their ППО)."""
    if calendar:
        what = f"мониторинг профсоюзного членства за {period_name(period)}"
        verb = "Не сдали"
    else:
        what = f"запрос «{esc(title)}»"
        verb = "Не ответили на"
    if curator:
        head = (
            f"<b>ППО, которые вы курируете: {verb.lower()} {what}</b> (срок {day_text(deadline)})"
        )
    else:
        head = f"<b>{verb} {what}</b> (срок {day_text(deadline)}): {len(lines)} из {total} ППО"
    numbered = [f"{number}. {line}" for number, line in enumerate(lines, start=1)]
    listed = fitting(numbered, lambda rest: more(rest, "ППО"), room=LIST_ROOM - utf16_len(head))
    return "\n".join([head, "", listed])


CATCH_UP_FAILED = (
    "⚠️ Бот запущен, но проверить, что пришлось на время перерыва, не удалось. "
    "Напоминания и сводки уйдут, как только проверка пройдёт; подробности — в журнале бота."
)
MAX_LISTED_UNITS = 10


def _units(units: Sequence[str]) -> str:
    """``units`` are the (raw) names the log gives the failed units of work, so the admin can
    find them there."""
    shown = [f"<code>{esc(unit)}</code>" for unit in units[:MAX_LISTED_UNITS]]
    if len(units) > MAX_LISTED_UNITS:
        shown.append(f"… и ещё {len(units) - MAX_LISTED_UNITS}")
    return "; ".join(shown)


def catch_up_skipped(units: Sequence[str]) -> str:
    """Admins are told what catch-up at start-up had to skip."""
    return (
        f"⚠️ Бот запущен, но часть плановой работы пропущена из-за ошибок ({len(units)}); "
        "остальное отправлено. В журнале бота: " + _units(units)
    )


def nightly_skipped(units: Sequence[str], *, backup_failed: bool) -> str:
    """Admins are told what the night's work had to skip: a backup failing night after night
    unnoticed (a full disk) leaves nothing to restore when it is needed."""
    backup = (
        "Ночная копия базы не сделана: проверьте свободное место на диске и папку копий "
        "(BACKUP_DIR). "
        if backup_failed
        else ""
    )
    return (
        f"⚠️ Ночная работа бота выполнена не вся: пропущено из-за ошибок ({len(units)}). "
        f"{backup}В журнале бота: " + _units(units)
    )
