"""Texts shared across audiences: greetings, help, menus, errors, dates."""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from zoneinfo import ZoneInfo

MONTHS = (
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
)


def period_name(period: date) -> str:
    return f"{MONTHS[period.month - 1]} {period.year}"


def local_date(moment: datetime, tz: str) -> str:
    return moment.astimezone(ZoneInfo(tz)).strftime("%d.%m.%Y")


MENU_REPORT = "📊 Мониторинг численности"
MENU_EVENT = "📝 Мероприятие"
MENU_PASSPORT = "🪪 Паспорт ППО"
MENU_HISTORY = "🗂 Мои отчёты"
MENU_HELP = "❓ Помощь"

CMD_START = "Начало работы"
CMD_HELP = "Что умеет бот"
CMD_REPORT = "Мониторинг профсоюзного членства"
CMD_HISTORY = "Мои отчёты"
CMD_EVENT = "Отчёт о мероприятии"
CMD_EVENTS = "Мероприятия за год"
CMD_PASSPORT = "Паспорт ППО"
CMD_CANCEL = "Отменить заполнение"
CMD_IMPORT = "Загрузить список организаций (.xlsx, .csv)"
CMD_TEMPLATE = "Образец файла для загрузки"
CMD_ORGS = "Организации и председатели"
CMD_INVITES = "Ссылки-приглашения председателям"

STRANGER = (
    "Здравствуйте! Это бот мониторинга профсоюзного членства.\n\n"
    "Чтобы начать, откройте личную ссылку-приглашение, которую вам прислали "
    "в районной (городской) организации Профсоюза: она выглядит как "
    "https://t.me/…?start=… и привязывает вас к вашей первичной организации.\n\n"
    "Если ссылки у вас нет, попросите её у специалиста районной организации."
)

HELP_STRANGER = STRANGER

HELP_CHAIR = (
    "<b>Что умеет бот</b>\n"
    "/report — мониторинг профсоюзного членства: ответьте на несколько вопросов, "
    "в конце проверьте сводку и отправьте.\n"
    "/history — ваши отчёты и как менялся охват.\n"
    "/event — отчёт о мероприятии (семинар, конкурс, собрание…).\n"
    "/events — мероприятия за год: итоги, исправление, удаление.\n"
    "/passport — паспорт ППО: посмотреть и изменить.\n"
    "/cancel — отменить заполнение формы.\n\n"
    "Если заполнение прервалось, просто продолжайте: ответы сохраняются после каждого шага."
)

HELP_ADMIN = (
    "<b>Команды администратора</b>\n"
    "/import — загрузить список организаций: отправьте файл .xlsx или .csv "
    "с подписью /import (или просто отправьте файл).\n"
    "/template — образец файла для загрузки.\n"
    "/orgs — дерево организаций и председатели ППО.\n"
    "/invites — ссылки-приглашения для ППО без председателя (сообщением и файлом .xlsx)."
)

ERROR = (
    "Что-то пошло не так, и последний ответ не сохранён. Попробуйте ещё раз. "
    "Уже введённые ответы не потеряны."
)
UNKNOWN_INPUT = "Не понял сообщение. Список команд — /help."
ADMIN_ONLY = "Эта команда доступна только администратору."
CHAIR_ONLY = "Эта команда доступна председателю ППО. Как подключиться — /start."
NO_RIGHTS = "У вас нет прав на это действие."


def name(text: str) -> str:
    """A user-supplied or imported name, safe inside HTML messages."""
    return escape(text, quote=False)
