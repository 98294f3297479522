"""Texts chairs of primary organizations see: joining, choosing an org, history.

Names (``first_name``, ``org_name``, ``org_names``) are raw: escaped here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.texts.grammar import plural
from bot.texts.markup import esc

INVITE_UNKNOWN = (
    "Ссылка-приглашение не найдена: она открыта не целиком или устарела (ссылки хранятся год "
    "после окончания срока действия). Если вы уже подключены, ваши команды — /help; если нет, "
    "попросите новую ссылку у специалиста районной организации."
)
INVITE_USED = (
    "Эта ссылка-приглашение уже использована другим человеком или заменена новой. "
    "Если вы уже подключены, ваши команды — /help; если нет, попросите новую ссылку "
    "у специалиста районной организации."
)
INVITE_EXPIRED = (
    "Срок действия ссылки-приглашения истёк. Попросите новую у специалиста районной организации."
)


def welcome(first_name: str, org_name: str) -> str:
    return (
        f"Здравствуйте, {esc(first_name)}! Вы подключены как председатель первичной "
        f"профсоюзной организации «{esc(org_name)}».\n\n"
        "Что дальше: нажмите «📊 Мониторинг численности» (или /report) и ответьте на вопросы "
        "о численности работников и членов профсоюза. Это займёт пару минут; "
        "ответы сохраняются после каждого шага."
    )


def welcome_staff(first_name: str, org_name: str) -> str:
    return (
        f"Здравствуйте, {esc(first_name)}! Вы подключены как сотрудник аппарата: "
        f"«{esc(org_name)}».\n\n"
        "Бот будет присылать сводки: кто сдал мониторинг и кто нет, охват по ППО и по району, "
        "мероприятия. По запросу: /status — кто сдал, /digest — полная сводка, "
        "/export — таблица Excel. Все команды — /help."
    )


def welcome_curator(first_name: str, org_name: str) -> str:
    return (
        f"Здравствуйте, {esc(first_name)}! Вы подключены как куратор ППО «{esc(org_name)}».\n\n"
        "Если ППО не сдаст мониторинг в срок, бот пришлёт вам напоминание на следующий "
        "рабочий день после срока."
    )


def welcome_back(org_names: Sequence[str]) -> str:
    """``org_names`` are raw; each is quoted apart (a chair of two ППО)."""
    names = ", ".join(f"«{esc(org_name)}»" for org_name in org_names)
    return f"Вы уже председатель ППО {names}. Для отчёта нажмите /report."


def replaced_chair(org_name: str) -> str:
    return (
        f"Председателем ППО «{esc(org_name)}» назначен другой человек по новой ссылке-приглашению. "
        "Доступ к отчётам этой организации для вас закрыт."
    )


CHOOSE_ORG = "Вы председатель нескольких ППО. Для какой организации отчёт?"
HISTORY_EMPTY = "Отчётов пока нет. Первый отчёт — /report."


def history_header(org_name: str, standing: str) -> str:
    """The title line with where the ППО stands (:func:`standing`, no raw text in it)."""
    return f"<b>Отчёты ППО «{esc(org_name)}»</b> · {standing}"


def history_line(
    period: str, coverage: str, trend: str, members: int, workers: int, revisions: int
) -> str:
    extra = f", редакций: {revisions}" if revisions > 1 else ""
    return f"{trend} {period}: охват {coverage} ({members} из {workers}){extra}"


HISTORY_RETURNED_ICON = "↩️"
"""In place of a sent-back report's trend arrow: its figures are not compared."""
HISTORY_RETURNED = "возвращён на исправление"


def _times(n: int) -> str:
    return f"{n} {plural(n, 'раз', 'раза', 'раз')}"


LOW_COVERAGE = (
    "Охват ниже 50 %: по Программе мотивации профсоюзного членства за такими ППО закрепляются "
    "кураторы из состава президиума и специалистов аппарата, а информация председателя "
    "заслушивается на заседании президиума — чтобы вместе разобрать причины и меры по "
    "вовлечению работников в Профсоюз."
)


def standing(coverage: str | None, *, per_year: int, deadline: date | None, overdue: bool) -> str:
    """A ППО's standing: «охват 72 %: мониторинг 4 раза в год, следующий — до 25.12.2026»;
    ``coverage`` None: no report yet."""
    where = "отчётов пока нет" if coverage is None else f"охват {coverage}"
    line = f"📌 {where}: мониторинг {_times(per_year)} в год"
    if deadline is not None and overdue:
        line += f", текущий просрочен — срок был {deadline:%d.%m.%Y}, ждём отчёт"
    elif deadline is not None:
        line += f", следующий — до {deadline:%d.%m.%Y}"
    return line


def history_leaving(left: int, reasons: str) -> str:
    """Under a report's line: why members left (``reasons``: fixed words and numbers)."""
    return f"    выбыло {left}: {reasons}"


PAUSE_USAGE = (
    "Напоминания можно приостановить на время отпуска: /pause 15.12.2026. "
    "Возобновить раньше — /pause off."
)
PAUSE_OFF = "Напоминания снова включены."
PAUSE_RANGE = "Приостановить можно с сегодняшнего дня и не больше чем на полгода."


def paused_until(until: str) -> str:
    return f"⏸ Напоминания приостановлены до {until} включительно."


INVITE_ARCHIVED = (
    "Эта организация перенесена в архив, поэтому подключиться по ссылке нельзя. Если это "
    "ошибка, обратитесь к специалисту районной организации."
)


def role_passed_on(role: str, org_name: str) -> str:
    """Someone opens the link they once used, but the role has passed to another person."""
    return (
        f"Вы подключались по этой ссылке ({role}, «{esc(org_name)}»), но сейчас этой роли у вас "
        "нет: её передали другому человеку. Если это ошибка, попросите новую ссылку "
        "у специалиста районной организации."
    )


def already_joined(role: str, org_name: str) -> str:
    """A second tap on one's own, already used link."""
    return (
        f"Вы уже подключены по этой ссылке: {role}, «{esc(org_name)}». "
        "Ничего делать не нужно: ваши команды — /help."
    )
