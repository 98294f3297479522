"""Texts of district events: the staff form that announces one, the chairs' invitation and
answers, the reminders, the attendance prompt, and the staff card with its table.

Every event ``title`` and ``place``, organization and chair name (``org``, ``chair``,
``scope``), a decline ``reason`` and an unresolved ``ref`` a person typed is raw: escaped here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time

from bot.texts.common import more
from bot.texts.markup import esc, fitting

# The staff form
TITLE = "Мероприятие для ППО"
CMD_DEVENT = "Объявить мероприятие района: семинар, школу, конкурс, совещание"
CMD_DEVENTS = "Мероприятия района: ответы ППО, явка, кто не участвовал (.xlsx)"
L_KIND = "Вид"
L_TITLE = "Название"
L_STARTS = "Дата и время"
L_PLACE = "Место или ссылка"
L_WHO = "Кого приглашаем"
L_LIST = "Список ППО"
L_BELOW = "Охват ниже, %"
L_QUOTA = "Квота от ППО"
L_ANSWER_BY = "Ответить до"
Q_KIND = "Какое мероприятие?"
Q_TITLE = "Название или тема (её увидят председатели)?"
Q_STARTS = "Когда начало? Дата и время, например: 05.12.2026 10:00."
Q_PLACE = "Где? Адрес или ссылка на онлайн-подключение."
Q_WHO = "Какие ППО ждём?"
Q_LIST = (
    "Перечислите ППО: номера из /orgs или названия, через запятую или каждую с новой строки. "
    "Например: 12, 15, Детский сад № 2"
)
Q_BELOW = "Ниже какого охвата профчленством (%)? Например: 50."
Q_QUOTA = "Сколько человек может прислать одна ППО (квота)?"
Q_ANSWER_BY = "До какой даты ППО отвечают, будут ли? Например: 01.12.2026."
WHO_ALL = "Все ППО"
WHO_LIST = "По списку"
WHO_BELOW = "С охватом ниже…"
BAD_STARTS = "Нужны дата и время, например: 05.12.2026 10:00."
STARTS_PAST = "Эта дата уже прошла. Укажите будущие дату и время."
STARTS_TOO_FAR = "Не дальше чем на год вперёд. Укажите дату и время ближе."
ANSWER_AFTER_START = "Срок ответа должен быть не позже дня мероприятия."
NOBODY_INVITED = "Под условие не подходит ни одна ППО. Измените, кого приглашаем."


def starts_passed_today(now: time) -> str:
    """``now``: the scope's local time of day."""
    return (
        f"Это время сегодня уже прошло: сейчас {now:%H:%M}. "
        "Укажите более позднее время или другой день."
    )


def preview(scope: str, invited: int, lines: Sequence[str]) -> str:
    """``lines``: field lines, already escaped."""
    return "\n".join([f"<b>{TITLE}</b>: {esc(scope)}", *lines, "", f"Приглашаем ППО: {invited}"])


UNRESOLVED_ROOM = 800
"""UTF-16 units the typed pieces that matched nobody may take in a summary: the summary shows
what was typed too, and repeating thousands of characters of slips whole would take it past
one message, which Telegram refuses (no «Отправить» then)."""


def unresolved(refs: Sequence[str]) -> str:
    """Pieces of the typed list of invited ППО that name none of the scope's."""
    return "❗ Не найдены в районе (не будут приглашены): " + _listed(refs)


def came_not_understood(lines: Sequence[str]) -> str:
    """Attendance lines that name no invited ППО, or give no count a chair could enter (a
    number of the ППО's name is not its count); then how to type them."""
    return "\n".join(
        [
            "❗ Не распознаны (не будут внесены): " + _listed(lines),
            "Строка на ППО: номер из /orgs или название, затем через тире число пришедших, "
            "например «Детский сад № 2 — 0». Номер в названии ППО числом пришедших не считается.",
        ]
    )


def _listed(typed: Sequence[str]) -> str:
    return fitting([esc(piece) for piece in typed], more, room=UNRESOLVED_ROOM, sep=", ")


def without_coverage(count: int) -> str:
    return f"ППО без данных об охвате не включены: {count}."


def created(title: str, invited: int, unconnected: int) -> str:
    text = (
        f"✅ «{esc(title)}» объявлено: приглашено ППО — {invited}. Приглашения уйдут "
        "председателям в ближайшее разрешённое время; ответы — в /devents."
    )
    if unconnected:
        text += f"\nБез председателя в боте: {unconnected} — их позовите сами."
    return text


ALREADY_CREATED = "Это мероприятие уже объявлено. Ответы — в /devents."


def when(moment: datetime) -> str:
    return moment.strftime("%d.%m.%Y %H:%M")


def day(value: date) -> str:
    return value.strftime("%d.%m.%Y")


def place(value: str, online: bool) -> str:
    """``value`` is raw."""
    return f"онлайн: {esc(value)}" if online else esc(value)


# The chair's invitation and answers
BTN_COMING = "✅ Будем"
BTN_DECLINE = "❌ Не сможем"
BTN_CAME = "👥 Сколько пришло"


def invitation(
    org: str, kind: str, title: str, starts: datetime, where: str, online: bool, quota: int | None
) -> str:
    quota_line = f"\nКвота: до {quota} чел. от организации." if quota else ""
    return (
        f"📣 <b>Приглашение: {esc(kind)} «{esc(title)}»</b>\n"
        f"Для: {esc(org)}\nКогда: {when(starts)}\nГде: {place(where, online)}{quota_line}\n\n"
        "Будете? Ответьте кнопкой; ответ можно изменить до срока."
    )


def answer_deadline(answer_by: date) -> str:
    return f"Ответить до {day(answer_by)}."


def reminder(org: str, title: str, answer_by: date, days_left: int) -> str:
    left = {0: "сегодня последний день", 1: "завтра последний день"}.get(
        days_left, f"дней до срока: {days_left}"
    )
    return (
        f"⏰ {esc(org)}: ждём ответа, будете ли на «{esc(title)}». "
        f"Ответить до {day(answer_by)} ({left})."
    )


def attendance_prompt(org: str, title: str) -> str:
    return (
        f"👥 {esc(org)}: «{esc(title)}» прошло. Сколько человек от вашей организации "
        "участвовало? Нажмите кнопку и введите число (0 — никто)."
    )


REPLY_TITLE = "Ответ на приглашение"
L_ANSWER = "Ответ"
L_PEOPLE = "Сколько человек"
L_REASON = "Причина"
Q_ANSWER = "Будете?"
Q_PEOPLE = "Сколько человек придёт от организации?"
Q_REASON = "Почему не сможете? Коротко — это увидит район."
ANSWER_COMING = "Будем"
ANSWER_DECLINED = "Не сможем"


def over_quota(quota: int) -> str:
    return f"Квота — не больше {quota} чел. от организации. Введите число до {quota}."


def reply_preview(org: str, title: str, lines: Sequence[str]) -> str:
    return "\n".join([f"<b>{REPLY_TITLE}</b>: {esc(org)}, «{esc(title)}»", *lines])


def reply_saved(coming: bool, people: int | None) -> str:
    if coming:
        return f"✅ Ответ сохранён: будем, {people} чел. Изменить можно до срока той же кнопкой."
    return "✅ Ответ сохранён: не сможем. Изменить можно до срока той же кнопкой."


ANSWERS_CLOSED = "Срок ответа на это приглашение прошёл. Вопросы — в район."
NO_OPEN_INVITATIONS = "Сейчас нет приглашений, на которые можно ответить."
NOT_STARTED = "Мероприятие ещё не прошло — явку внесите после него."
CAME_TITLE = "Явка на мероприятие"
L_CAME = "Пришло человек"
Q_CAME = "Сколько человек от организации участвовало? 0 — никто."


def came_preview(org: str, title: str, lines: Sequence[str]) -> str:
    return "\n".join([f"<b>{CAME_TITLE}</b>: {esc(org)}, «{esc(title)}»", *lines])


def came_saved(count: int) -> str:
    return f"✅ Явка сохранена: {count} чел. Спасибо!"


# Staff: attendance per ППО
STAFF_CAME_TITLE = "Явка ППО на мероприятие"
L_CAME_LINES = "Явка"
Q_CAME_LINES = (
    "Сколько пришло от каждой ППО? Строка на ППО: номер из /orgs или название, затем число. "
    "Например:\n12 — 3\nДетский сад № 2 — 0"
)


CAME_ROOM = 2400
"""UTF-16 units the recognised «ППО — число» lines may take in the staff's summary: the event's
title, the pieces not understood and the hint take the rest of the message."""


def came_lines(counts: Sequence[tuple[str, int]]) -> str:
    """Each ППО's name (raw) with its count, as many as fit, then «…и ещё N ППО»: a district's
    33 long names would otherwise take the summary past one message."""
    lines = [f"• {esc(org)} — {count}" for org, count in counts]
    return fitting(lines, lambda rest: more(rest, "ППО"), room=CAME_ROOM)


def staff_came_preview(title: str, lines: Sequence[str]) -> str:
    return "\n".join([f"<b>{STAFF_CAME_TITLE}</b>: «{esc(title)}»", *lines])


def staff_came_saved(count: int) -> str:
    return f"✅ Явка внесена по ППО: {count}. Итоги — /devents."


NOTHING_RECOGNISED = "Ни одной строки «ППО — число» не распознано; ничего не сохранено."

# Staff: the list and the card
NO_EVENTS = "Мероприятий района пока нет. Объявить — /devent."
LIST_HEADER = "<b>Мероприятия района</b> — откройте, чтобы увидеть ответы и явку:"
BTN_ENTER_CAME = "✏️ Внести явку по ППО"
ENTER_CAME_HINT = "Явку по ППО можно внести или исправить за председателей:"


# Calling an event off
BTN_CANCEL_EVENT = "❌ Отменить мероприятие"
CANCEL_HINT = "Если мероприятие переносится или не состоится — приглашённым ППО придёт сообщение:"
BTN_CANCEL_YES = "Да, отменить"
BTN_CANCEL_NO = "Нет, оставить"
CANCEL_KEPT = "Мероприятие остаётся в силе."
CANNOT_CANCEL = "Отменить уже нельзя: мероприятие началось или отменено."
EVENT_CANCELLED = "Это мероприятие отменено."


def confirm_cancel(title: str, starts: datetime) -> str:
    return (
        f"Отменить «{esc(title)}», {when(starts)}? Председатели приглашённых ППО получат "
        "сообщение об отмене, ответы больше не принимаются."
    )


def event_cancelled(title: str, told: int) -> str:
    return f"❌ «{esc(title)}» отменено. Сообщение об отмене получат председатели ППО: {told}."


def cancelled_notice(org: str, title: str, starts: datetime) -> str:
    """To the chair of an invited ППО."""
    return (
        f"❌ <b>Мероприятие отменено</b>\n«{esc(title)}», {when(starts)}\n"
        f"Приглашение для ППО «{esc(org)}» больше не действует."
    )


def cancelled_line(on: date) -> str:
    return f"❌ <b>Отменено {on:%d.%m.%Y}</b>"


# Moving an event
MOVE_TITLE = "Перенос мероприятия"
BTN_MOVE_EVENT = "🔁 Перенести"
MOVE_FROM_CARD = "Откройте мероприятие в /devents и нажмите «Перенести»."
MOVE_HINT = "Председатели, уже получившие приглашение, узнают новые дату, время и место."
CANNOT_MOVE = "Перенести уже нельзя: мероприятие началось или отменено."


def move_preview(title: str) -> str:
    return f"<b>{MOVE_TITLE}</b>: «{esc(title)}»"


def moved(title: str, told: int) -> str:
    return f"🔁 «{esc(title)}» перенесено. Сообщение о переносе получат председатели ППО: {told}."


def moved_notice(
    org: str, title: str, starts: datetime, where: str, online: bool, answer_by: date
) -> str:
    """To the chair of an invited ППО: the new time and place."""
    return (
        f"🔁 <b>Мероприятие перенесено</b>: «{esc(title)}»\nДля: {esc(org)}\n"
        f"Теперь: {when(starts)}\nГде: {place(where, online)}\n{answer_deadline(answer_by)} "
        "Если ваши планы изменились, ответьте заново кнопкой в приглашении."
    )


def list_button(starts: datetime, title: str, cancelled: bool = False) -> str:
    """A button label: not HTML."""
    mark = "❌ " if cancelled else ""
    return f"{mark}{starts.strftime('%d.%m.%Y')} · {title}"[:60]


def card_header(kind: str, title: str, starts: datetime, where: str, online: bool) -> str:
    return f"<b>{esc(kind)} «{esc(title)}»</b>\n{when(starts)} · {place(where, online)}"


def invited_line(invited: int, answer_by: date, quota: int | None) -> str:
    quota_part = f", квота {quota} чел." if quota else ""
    return f"Приглашено ППО: {invited}{quota_part}; ответ до {day(answer_by)}"


def answers_line(coming: int, people: int, declined: int, silent: int) -> str:
    return (
        f"✅ Будут: {coming} ППО, обещано {people} чел.\n"
        f"❌ Не смогут: {declined}\n⏳ Не ответили: {silent}"
    )


def coming_line(org: str, people: int) -> str:
    return f"• ✅ {esc(org)} — {people} чел."


def declined_line(org: str, reason: str | None) -> str:
    return f"• ❌ {esc(org)}" + (f": {esc(reason)}" if reason else "")


def silent_line(org: str, chair: str | None) -> str:
    return f"• ⏳ {esc(org)} — {esc(chair) if chair else 'председатель не указан'}"


def took_part_header(orgs: int, people: int) -> str:
    return f"<b>Приняли участие</b>: ППО — {orgs}, человек — {people}"


def took_part_line(org: str, people: int) -> str:
    return f"• {esc(org)} — {people}"


def absent_header(count: int) -> str:
    return f"<b>Не приняли участия</b> ({count}):"


def absent_line(org: str, chair: str | None) -> str:
    return f"• {esc(org)} — {esc(chair) if chair else 'председатель не указан'}"


def unknown_attendance(count: int) -> str:
    return f"Явка не внесена по ППО: {count} (считаются не участвовавшими)."


FILE_CAPTION = "Ответы и явка ППО — для постановления президиума"


def file_name(starts: datetime) -> str:
    return f"meropriyatie_{starts.strftime('%Y-%m-%d')}.xlsx"


SHEET = "Явка ППО"
H_DISTRICT = "Район"
H_PPO = "ППО"
H_CHAIR = "Председатель"
H_ANSWER = "Ответ"
H_PROMISED = "Обещано, чел."
H_REASON = "Причина отказа"
H_CAME = "Пришло, чел."
H_TOOK_PART = "Участвовала"
TOTAL = "Итого"
YES = "да"
NO = "нет"
SILENT = "нет ответа"
