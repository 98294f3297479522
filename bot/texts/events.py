"""Texts of event reports (мероприятия).

What chairs typed (``org_name``, ``topic``, ``title``, ``kind`` — a kind «другое» is named by
the chair) is raw: escaped here.
"""

from __future__ import annotations

from bot.texts.markup import esc

TITLE = "Отчёт о мероприятии"
CMD_EVENT = "Отчёт о мероприятии"
MENU_EVENT = "📝 Мероприятие"

KINDS = (
    ("seminar", "Семинар"),
    ("meeting_seminar", "Семинар-совещание"),
    ("practicum", "Семинар-практикум"),
    ("webinar", "Вебинар"),
    ("school", "Школа профактива"),
    ("laboratory", "Профсоюзная лаборатория"),
    ("training", "Обучение / тренинг"),
    ("round_table", "Круглый стол"),
    ("discussion", "Дискуссионная площадка"),
    ("contest", "Конкурс / смотр-конкурс"),
    ("forum", "Форум"),
    ("conference", "Конференция"),
    ("campaign", "Акция"),
    ("assembly", "Собрание"),
    ("other", "Другое"),
)
DIRECTIONS = (
    ("education", "Обучение"),
    ("information", "Информационная работа"),
    ("youth", "Молодёжная работа"),
    ("safety", "Охрана труда"),
    ("partnership", "Социальное партнёрство"),
    ("legal", "Правовая защита"),
    ("culture", "Культурно-массовая работа"),
    ("other", "Другое"),
)

L_KIND = "Вид"
L_KIND_OTHER = "Вид (свой)"
L_TOPIC = "Тема"
L_DATES = "Дата"
L_PLACE = "Место"
L_VENUE = "Место (очно)"
L_VIEWS = "Просмотров онлайн"
L_PARTICIPANTS = "Участников"
L_DIRECTION = "Направление"
L_PHOTOS = "Фото"
L_DESCRIPTION = "Описание"

Q_KIND = "Какое мероприятие провели?"
Q_KIND_OTHER = "Как называется вид мероприятия?"
Q_TOPIC = "Тема мероприятия?"
Q_DATES = "Когда прошло? Например: 21.11.2026, 21.11 или 19–21.11.2026."
Q_PLACE = (
    "Где проходило? Напишите место или нажмите «Онлайн»; "
    "если и в зале, и с трансляцией — «Очно и онлайн»."
)
Q_VENUE = "Где проходила очная часть? Напишите место."
Q_VIEWS = "Сколько было просмотров (подключений) онлайн?"
Q_PARTICIPANTS = "Сколько человек участвовало?"
NOBODY_TOOK_PART = (
    "Участников должно быть не меньше 1. Ноль — только у мероприятия «Онлайн» с просмотрами "
    "(трансляция, которую смотрели, но в которой никто не участвовал с обратной связью): "
    "тогда укажите место «Онлайн» и число просмотров."
)
Q_DIRECTION = "Направление работы?"
Q_PHOTOS = "Пришлите до 5 фотографий с мероприятия."
Q_DESCRIPTION = "Коротко опишите мероприятие (до 1000 символов)."

BTN_TODAY = "Сегодня"
BTN_YESTERDAY = "Вчера"
BTN_ONLINE = "Онлайн"
BTN_MIXED = "Очно и онлайн"
ONLINE = "онлайн"
MIXED = "очно и онлайн"


def warn_future(when: str) -> str:
    return f"⚠️ Дата {when} ещё не наступила. Мероприятие точно уже прошло?"


def warn_old(when: str) -> str:
    return f"⚠️ Дата {when} — больше года назад. Дата указана верно?"


def summary_header(org_name: str) -> str:
    return f"<b>{TITLE}</b>\n{esc(org_name)}"


def edit_note(event_id: int) -> str:
    return f"Исправление мероприятия № {event_id}."


def saved(org_name: str, year: int) -> str:
    """Names the event's year: one filed in December for January is not in /events' list."""
    return (
        f"✅ Мероприятие сохранено: {esc(org_name)}. Все мероприятия {year} года — /events {year}."
    )


def updated(event_id: int) -> str:
    return f"✅ Мероприятие № {event_id} исправлено."


def none_this_year(year: int) -> str:
    return f"В этом году мероприятий пока нет. Добавить — /event. {earlier_year(year - 1)}"


def list_empty(period: str) -> str:
    """``period``: «2025 год», «I квартал 2026», «март 2026»."""
    return f"За {period} мероприятий нет."


def events_usage(this_year: int) -> str:
    last = this_year - 1
    return (
        "Напишите год, квартал или месяц, за который показать мероприятия: например, "
        f"/events {last}, /events 4 кв {last} или /events ноябрь {last}. "
        f"Без года — за {this_year} год."
    )


def list_header(org_name: str, period: str) -> str:
    return f"<b>Мероприятия ППО «{esc(org_name)}» за {period}</b>"


def totals(count: int, participants: int) -> str:
    return f"Всего: {count}, участников: {participants}"


def direction_line(label: str, count: int, participants: int) -> str:
    return f"• {label}: {count} (участников: {participants})"


def event_line(number: int, when: str, kind: str, topic: str, participants: int) -> str:
    return f"{number}. {when} — {esc(kind)}: «{esc(topic)}», {participants} чел."


OPEN_HINT = "Откройте мероприятие, чтобы исправить или удалить его."


def earlier_year(year: int) -> str:
    """Under this year's list: the last one's stays reachable (a December event in January)."""
    return f"За {year} год — /events {year}."


def more_events(shown: int, total: int, month: str) -> str:
    """Under a year's or a quarter's list cut short: how to reach the rest («январь 2026»:
    the month of the newest event left out)."""
    return (
        f"Показаны последние {shown} из {total}. Остальные — по месяцам, например: /events {month}."
    )


BTN_CORRECT = "✏️ Исправить"
BTN_DELETE = "🗑 Удалить"
BTN_DELETE_YES = "Да, удалить"
BTN_DELETE_NO = "Нет, оставить"


def confirm_delete(title: str) -> str:
    return f"Удалить мероприятие «{esc(title)}»? Запись сохранится в журнале изменений."


def deleted(title: str) -> str:
    return f"Мероприятие «{esc(title)}» удалено."


NOT_FOUND = "Мероприятие не найдено или уже удалено."
KEPT = "Хорошо, мероприятие осталось."


def correction_of_deleted(event_id: int) -> str:
    return (
        f"Мероприятие № {event_id} уже удалено, поэтому исправление не сохранено. "
        "Если оно всё-таки было, добавьте его заново: /event."
    )
