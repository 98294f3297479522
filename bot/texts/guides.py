"""Short guides /help gives each role beside its commands: what to do when, in the words of
the union's documents (seed 002: the reporting schedule, the rating by 1 February, the October
preliminary monitoring, the half-year review; item 11: curators of low ППО).

The schedule comes from the calendar settings, so the guide never contradicts the reminders.
No guide line starts with «/»: /help's first message lists commands one per line, and people
(and tests) read them by that mark. A command a guide names in a list is named only if the bot has
it (``commands`` below: the names the help builder passes in).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from bot.texts.grammar import plural

if TYPE_CHECKING:  # the settings' type only: texts import no domain code at run time
    from bot.domain.calendar import CalendarSettings

MONTHS_IN = (
    "январе",
    "феврале",
    "марте",
    "апреле",
    "мае",
    "июне",
    "июле",
    "августе",
    "сентябре",
    "октябре",
    "ноябре",
    "декабре",
)


def _months(months: Sequence[int]) -> str:
    names = [MONTHS_IN[month - 1] for month in months]
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} и {names[-1]}"


def _times(months: Sequence[int]) -> str:
    return f"{len(months)} {plural(len(months), 'раз', 'раза', 'раз')}"


def _days(days: Sequence[int]) -> str:
    return ", ".join(str(day) for day in days)


def chair_guide(calendar: CalendarSettings, *, agreement_notice_days: int) -> str:
    """What a chair submits and when, by the calendar this bot runs."""
    months_mid, months_high = calendar.months_mid, calendar.months_high
    months_low, deadline_day = calendar.months_low, calendar.deadline_day
    before_days, after_days = calendar.remind_before_days, calendar.remind_after_days
    before = [day for day in before_days if day > 0]
    on_day = " и в день срока" if 0 in before_days else ""
    return "\n".join(
        [
            "<b>Памятка председателю ППО</b>",
            "• Что сдавать: мониторинг профсоюзного членства (работники, члены профсоюза, "
            "молодёжь до 35 лет, руководители, принято, выбыло, пенсионеры), мероприятия — "
            "после каждого, паспорт ППО — держите его актуальным (с кадровым резервом).",
            f"• Как часто: при охвате 50–80 % — {_times(months_mid)} в год, "
            f"в {_months(months_mid)}; выше 80 % — {_times(months_high)}, "
            f"в {_months(months_high)}; ниже 50 % — в {_months(months_low)}.",
            f"• Срок — до {deadline_day}-го числа месяца мониторинга (выходной переносит его "
            "на следующий рабочий день). Бот сам пришлёт запрос и напомнит "
            f"за {_days(before)} дн.{on_day}.",
            f"• Если опоздать: напоминания через {_days(after_days)} дн. после срока; "
            "районная организация видит ППО в списке несдавших, а куратор ППО получает "
            "напоминание. Отчёт после срока помечается «сдан с опозданием».",
            "• Ошиблись — сдайте мониторинг ещё раз: учитывается последний вариант. Район "
            "может вернуть отчёт на исправление с комментарием.",
            "• В отпуске: /pause 15.12.2026 — до этой даты напоминаний не будет.",
            f"• Коллективный договор: за {agreement_notice_days} "
            f"{plural(agreement_notice_days, 'день', 'дня', 'дней')} до конца его срока "
            "(дата из паспорта) бот напомнит о новом договоре. Кадровый резерв ведите в "
            "паспорте: кнопка «👥 Кадровый резерв».",
            "• Семинары района: на приглашение ответьте кнопкой «Будем» (сколько человек) или "
            "«Не сможем» до указанного дня; после мероприятия бот спросит, сколько пришло.",
            "• План мероприятий: за 7 и за 1 день до срока пункта бот напомнит; выполнили — "
            "нажмите «✅ Выполнено» и коротко напишите, что сделано (или пришлите файл).",
        ]
    )


STAFF_TABLES = (
    ("status", "кто сдал мониторинг и кто нет сейчас"),
    ("digest", "сводка с графиком и таблицей (приходит и сама, раз в неделю)"),
    ("export", "таблица Excel за любой период — для отчёта в обком"),
    ("eventsreport", "мероприятия и обучение профактива за период"),
    ("passports", "паспорта ППО: коллективные договоры, информационная работа"),
    ("rating", "рейтинг ППО за год"),
    ("trends", "динамика численности и охвата за годы"),
    ("nocurator", "ППО с охватом ниже 50 % без куратора"),
)
STAFF_WORK = (
    ("devent", "объявить семинар, школу профактива, конкурс: приглашения и ответы ППО"),
    ("devents", "ответы на приглашения, явка по ППО и кто не участвовал — для постановления"),
    ("plan", "план мероприятий: загрузить из Excel, ход выполнения, образец"),
    ("planitem", "добавить пункт плана"),
    ("loadhistory", "загрузить прошлые данные мониторинга из Excel"),
)
STAFF_CHASE = (
    ("announce", "сообщение всем председателям или только несдавшим"),
    ("request", "разовый запрос со сроком"),
    ("return", "вернуть отчёт на исправление"),
    ("paused", "кто приостановил напоминания"),
)


def _named(items: Sequence[tuple[str, str]], commands: Collection[str]) -> list[str]:
    return [f"  · /{name} — {what}" for name, what in items if name in commands]


def staff_guide(commands: Collection[str], calendar: CalendarSettings) -> str:
    """What staff do over the year; how often ППО report, by the calendar this bot runs (as
    the chair's guide), not by the defaults: a district that set its own months is told those."""
    times_mid, times_high = _times(calendar.months_mid), _times(calendar.months_high)
    return "\n".join(
        [
            "<b>Памятка сотруднику аппарата</b>",
            f"• Год отчётности: мониторинг по графику (охват 50–80 % — {times_mid} в год, "
            f"выше 80 % — {times_high}), предварительный мониторинг — каждый октябрь, "
            "рейтинг ППО — до 1 февраля, ход выполнения Программы — по полугодиям.",
            "• Таблицы:",
            *_named(STAFF_TABLES, commands),
            "• Работа района:",
            *_named(STAFF_WORK, commands),
            "• Несдавшие: напоминания председателям идут сами, до и после срока; на следующий "
            "рабочий день после срока вам и кураторам приходит список несдавших. Кроме того:",
            *_named(STAFF_CHASE, commands),
        ]
    )


CURATOR_GUIDE = "\n".join(
    [
        "<b>Памятка куратору</b>",
        "• Куратора прикрепляют к ППО с низким охватом (ниже 50 %): вы помогаете председателю "
        "и следите за сроками.",
        "• /curated — по каждой вашей ППО: последний мониторинг, охват и его изменение, "
        "как сдавались последние запросы, открытые запросы со сроками.",
        "• На следующий рабочий день после срока бот пришлёт список ваших ППО, не сдавших "
        "мониторинг.",
    ]
)

ADMIN_GUIDE = "\n".join(
    [
        "<b>Памятка администратору</b>",
        "• Начало: /template — образец файла, /import — список ППО, /invites — ссылки "
        "председателям и сотрудникам аппарата (и файлом .xlsx для рассылки).",
        "• Дальше: /org — переименовать, перенести, архив, роли; /curator — ссылка куратору "
        "ППО с низким охватом; /invite — новая ссылка взамен потерянной.",
        "• Копия базы делается каждую ночь, /backup — копия сейчас; /forget — удалить "
        "персональные данные человека по его просьбе (152-ФЗ).",
    ]
)
