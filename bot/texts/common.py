"""Texts shared across audiences: greetings, help, menus, errors, dates."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.texts.markup import esc

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


PERCENT = " %"
POINTS = " п.п."
NO_CHANGE = "±0 п.п."

MENU_HISTORY = "🗂 Мои отчёты"
MENU_HELP = "❓ Помощь"
# Under a list of buttons too long for one message: its pages, one back and one on.
BTN_PAGE_BACK = "⬅️ Назад"
BTN_PAGE_ON = "Ещё…"

CMD_START = "Начало работы"
CMD_HELP = "Что умеет бот"
CMD_HISTORY = "Мои отчёты"
CMD_EVENTS = "Мероприятия за год, квартал или месяц"
CMD_CANCEL = "Отменить заполнение"
CMD_IMPORT = "Загрузить список организаций (.xlsx, .csv)"
CMD_TEMPLATE = "Образец файла для загрузки"
CMD_ORGS = "Организации и председатели"
CMD_INVITES = "Ссылки-приглашения председателям"
CMD_INVITE = "Новая ссылка для одной ППО: /invite номер"
CMD_BACKUP = "Копия базы данных"
CMD_ORG = "Организация: переименовать, перенести, архив, роли — /org название"
CMD_CURATOR = "Ссылка куратору ППО: /curator название"
CMD_PAUSE = "Приостановить напоминания: /pause 15.12.2026"
CMD_STATUS = "Кто сдал мониторинг и кто нет"
CMD_DIGEST = "Сводка: охват, несдавшие, мероприятия, график и таблица"
CMD_EXPORT = "Таблица Excel за период: /export 10.2026"
CMD_RATING = "Рейтинг ППО за год: /rating 2026"
CMD_PAUSED = "Кто приостановил напоминания"
CMD_AUDIT = "Журнал изменений: /audit номер"
CMD_FORGET = "Удалить персональные данные человека: /forget telegram-id"

STRANGER = (
    "Здравствуйте! Это бот мониторинга профсоюзного членства.\n\n"
    "Чтобы начать, откройте личную ссылку-приглашение, которую вам прислали "
    "в районной (городской) организации Профсоюза: она выглядит как "
    "https://t.me/…?start=… и привязывает вас к вашей первичной организации.\n\n"
    "Если ссылки у вас нет, попросите её у специалиста районной организации."
)

HELP_STRANGER = STRANGER

HELP_HEADER = "<b>Что умеет бот</b> (команды, доступные вам):"
HELP_CHAIR_HINT = (
    "Если заполнение формы прервалось, просто продолжайте: ответы сохраняются после каждого шага."
)

HELP_CURATOR_HINT = (
    "Как куратор ППО вы получаете список несдавших мониторинг по вашим ППО после срока сдачи."
)

ERROR = (
    "Что-то пошло не так, и последний ответ не сохранён. Попробуйте ещё раз. "
    "Уже введённые ответы не потеряны."
)
BUSY = (
    "Сервер сейчас перегружен, и последний ответ не сохранён. Отправьте его ещё раз через "
    "минуту. Уже введённые ответы не потеряны."
)
REPLY_REFUSED = (
    "Ответ бота на ваше последнее сообщение Telegram не пропустил, поэтому он не показан. "
    "Введённые данные не потеряны. Ошибка записана в журнал бота; если она повторится, "
    "сообщите администратору."
)
WORKERS_FAILED = (
    "Не удалось подготовить сводку: служебный процесс бота остановился. Повторите команду "
    "через минуту; если не получится, сообщите администратору бота."
)
UNKNOWN_INPUT = "Не понял сообщение. Список команд — /help."
NOT_YOUR_COMMAND = "Эта команда вам недоступна. Ваши команды — /help."


def for_another_bot(command: str, mention: str) -> str:
    """Own command addressed to another bot (``/report@other_bot``): what to send instead."""
    return (
        f"Команда /{esc(command)}@{esc(mention)} адресована другому боту. "
        f"Мне отправьте её без «@…»: /{esc(command)}"
    )


NO_RIGHTS = "У вас нет прав на это действие."
DOWNLOAD_FAILED = "Не удалось скачать файл из Telegram. Пришлите его ещё раз."


def caught_up(reminders: int, digests: int) -> str:
    return (
        "Бот снова работает. Отправляю то, что пришлось на время перерыва: "
        f"напоминаний — {reminders}, сводок — {digests}."
    )


def private_only(bot_username: str) -> str:
    """The one answer to a command in a group or channel (nothing else is done there)."""
    where = f": https://t.me/{bot_username}" if bot_username else ""
    return f"Бот работает только в личных сообщениях{where}"


PRIVATE_ONLY_ALERT = "Бот работает только в личных сообщениях."


def more(count: int, unit: str = "") -> str:
    """Under a list cut short: how many were left out (``unit``: of what, e.g. "ППО")."""
    return f"…и ещё {count}" + (f" {unit}" if unit else "")
