"""Texts chairs of primary organizations see: joining, choosing an org, history."""

from __future__ import annotations

INVITE_UNKNOWN = (
    "Ссылка-приглашение не найдена. Проверьте, что открыли её целиком, "
    "или попросите новую у специалиста районной организации."
)
INVITE_USED = (
    "Эта ссылка-приглашение уже использована или заменена новой. "
    "Попросите новую у специалиста районной организации."
)
INVITE_EXPIRED = (
    "Срок действия ссылки-приглашения истёк. Попросите новую у специалиста районной организации."
)


def welcome(first_name: str, org_name: str) -> str:
    return (
        f"Здравствуйте, {first_name}! Вы подключены как председатель первичной профсоюзной "
        f"организации «{org_name}».\n\n"
        "Что дальше: нажмите «📊 Мониторинг численности» (или /report) и ответьте на вопросы "
        "о численности работников и членов профсоюза. Это займёт пару минут; "
        "ответы сохраняются после каждого шага."
    )


def welcome_staff(first_name: str, org_name: str) -> str:
    return (
        f"Здравствуйте, {first_name}! Вы подключены как сотрудник аппарата: «{org_name}».\n\n"
        "Бот будет присылать сводки: кто сдал мониторинг и кто нет, охват по ППО и по району, "
        "мероприятия. По запросу: /status — кто сдал, /digest — полная сводка, "
        "/export — таблица Excel. Все команды — /help."
    )


def welcome_curator(first_name: str, org_name: str) -> str:
    return (
        f"Здравствуйте, {first_name}! Вы подключены как куратор ППО «{org_name}».\n\n"
        "Если ППО не сдаст мониторинг в срок, бот пришлёт вам напоминание на следующий "
        "рабочий день после срока."
    )


def welcome_back(org_name: str) -> str:
    return f"Вы уже председатель ППО «{org_name}». Для отчёта нажмите /report."


def replaced_chair(org_name: str) -> str:
    return (
        f"Председателем ППО «{org_name}» назначен другой человек по новой ссылке-приглашению. "
        "Доступ к отчётам этой организации для вас закрыт."
    )


CHOOSE_ORG = "Вы председатель нескольких ППО. Для какой организации отчёт?"
HISTORY_EMPTY = "Отчётов пока нет. Первый отчёт — /report."


def history_header(org_name: str) -> str:
    return f"<b>Отчёты ППО «{org_name}»</b>"


def history_line(
    period: str, coverage: str, trend: str, members: int, workers: int, revisions: int
) -> str:
    extra = f", редакций: {revisions}" if revisions > 1 else ""
    return f"{trend} {period}: охват {coverage} ({members} из {workers}){extra}"


PAUSE_USAGE = (
    "Напоминания можно приостановить на время отпуска: /pause 15.12.2026. "
    "Возобновить раньше — /pause off."
)
PAUSE_OFF = "Напоминания снова включены."
PAUSE_RANGE = "Приостановить можно с сегодняшнего дня и не больше чем на полгода."


def paused_until(until: str) -> str:
    return f"⏸ Напоминания приостановлены до {until} включительно."
