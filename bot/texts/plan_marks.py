"""Texts of a plan's deadlines and marks: the reminders of an item and the escalation of those
late with it, and marking an item or one of its stages done (the question, the summary, the
replies). The staff's side (loading, progress, the review, changing an item) is in ``plans``.

Raw values (escaped here with ``esc``): an item's ``text`` and ``number`` (from the file or
typed by staff), names of ППО and people, notes typed by chairs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.texts.common import more
from bot.texts.grammar import plural
from bot.texts.markup import ALERT_LIMIT, LIST_ROOM, clip, esc, fitting, utf16_len
from bot.texts.reminders import day_text

# --- Reminders and escalation ---------------------------------------------------------------

DONE_BUTTON = "✅ Выполнено"


def missed_button(day: date) -> str:
    """The second button under a reminder: it marks an earlier stage left unmarked."""
    return f"{DONE_BUTTON}: срок {day:%d.%m}"


def item_line(number: str, text: str) -> str:
    """``number`` and ``text`` are raw."""
    return f"{esc(number)}. {esc(clip(text, 600))}"


Stage = tuple[int, int] | None
"""(which, of how many) of an item due in stages, counted from 1; None for one deadline."""


def stage_of(stage: Stage, before: str = "") -> str:
    """«2-й из 4 сроков» (after ``before``); nothing for an item with one deadline."""
    if stage is None:
        return ""
    which, total = stage
    return f"{before}{which}-й из {total} {plural(total, 'срока', 'сроков', 'сроков')}"


def reminder(
    org_name: str | None,
    number: str,
    text: str,
    due: tuple[date, Stage],
    days_left: int,
    unmarked: date | None = None,
    got: date | None = None,
) -> str:
    """``org_name``, ``number``, ``text`` are raw; ``unmarked``: the earliest stage before it
    not marked done, which the second button (``missed_button``) marks; ``got``: the day the
    item was given to them, after its deadline had passed."""
    head = f"<b>{esc(org_name)}</b>\n" if org_name else ""
    when = (
        f"прошёл до того, как пункт поручили вам {day_text(got)}"
        if got is not None
        else "сегодня"
        if days_left <= 0
        else f"через {days_left} {plural(days_left, 'день', 'дня', 'дней')}"
    )
    earlier = (
        f"\nСрок {day_text(unmarked)} ещё не отмечен выполненным: если он выполнен, нажмите "
        f"«{missed_button(unmarked)}». Кнопка «{DONE_BUTTON}» — для срока {day_text(due[0])}."
        if unmarked is not None
        else ""
    )
    return (
        f"{head}📌 План мероприятий, пункт {item_line(number, text)}\n"
        f"Срок — {day_text(due[0])} ({when}{stage_of(due[1], ', ')}). "
        f"Когда выполните, нажмите «Выполнено».{earlier}"
    )


def escalation(
    number: str, text: str, due: tuple[date, Stage], lines: Sequence[str], got: date | None = None
) -> str:
    """``number``, ``text`` are raw; ``lines`` are built by ``late_line``; ``got``: the day
    those listed got the item, after its deadline had passed."""
    stage = f" ({stage_of(due[1])})" if due[1] is not None else ""
    given = f"; пункт поручен им {day_text(got)}, уже после срока" if got is not None else ""
    head = (
        f"⏰ Просрочен пункт плана {item_line(number, text)}\n"
        f"Срок был {day_text(due[0])}{stage}{given}. Не выполнили:"
    )
    room = LIST_ROOM - utf16_len(head)
    return f"{head}\n" + fitting(lines, lambda rest: more(rest, "ППО"), room=room)


def late_line(
    name: str, person: str | None, earlier: Sequence[date] = (), missed: bool = True
) -> str:
    """Raw names; ``earlier``: the stages before the escalated one the unit has not marked
    either (their own escalations may never have gone out, after downtime); ``missed``: False
    when the escalated stage itself is marked and only ``earlier`` ones are not."""
    line = f"• {esc(name)}" + (f" — {esc(person)}" if person else "")
    if not earlier:
        return line
    days = ", ".join(day_text(day) for day in earlier)
    owed = f"срок {days}" if len(earlier) == 1 else f"сроки {days}"
    if missed:
        return f"{line} (не {'отмечен' if len(earlier) == 1 else 'отмечены'} и {owed})"
    return f"{line} (этот срок отмечен, не {'отмечен' if len(earlier) == 1 else 'отмечены'} {owed})"


# --- Marking done ---------------------------------------------------------------------------

DONE_TITLE = "Отметка о выполнении"
L_NOTE = "Что сделано"
Q_NOTE = (
    "Коротко: что сделано? Можно число (например, сколько человек участвовало) "
    "или файл — документ или фото."
)
NOTE_TOO_LONG = "Слишком длинно: не больше 1000 знаков."
NOTE_EMPTY = "Напишите хотя бы пару слов, число или отправьте файл."
NOT_YOURS = "Этот пункт отмечает ответственный за него (председатель своей ППО)."
ALREADY_DONE = "Этот пункт уже отмечен выполненным. Спасибо!"
ITEM_GONE = "Этого пункта больше нет в плане."


def stage_gone(day: date, stages: Sequence[date]) -> str:
    """The button's stage was taken off the item by a changed deadline: an alert, so the new
    stages are listed as far as ``ALERT_LIMIT`` allows, then «…и ещё N» («ежемесячно» has 12,
    a cell may name more); the whole list would make Telegram refuse the answer."""
    head = f"Срока {day_text(day)} у этого пункта больше нет: срок изменили. Сроки теперь: "
    tail = ". Нажмите «Выполнено» под напоминанием о новом сроке."
    days = [day_text(one) for one in stages]
    if utf16_len(whole := head + ", ".join(days) + tail) <= ALERT_LIMIT:
        return whole
    # ``fitting`` counts a separator after every day shown: the one before «…и ещё N».
    room = ALERT_LIMIT - utf16_len(head + tail + more(len(days)))
    return head + fitting(days, more, room=room, sep=", ") + tail


def stage_not_owed(day: date, first: date) -> str:
    """The button's stage came before its unit got the item (added to the plan, or the ППО to
    the bot, after that day): an alert, kept under Telegram's 200 characters."""
    return (
        f"Срок {day_text(day)} наступил раньше, чем вам поручили этот пункт: отмечать его не "
        f"нужно, пропущенным он не считается. Ваши сроки — с {day_text(first)}."
    )


def stage_already_done(day: date) -> str:
    return f"Срок {day_text(day)} этого пункта уже отмечен выполненным. Спасибо!"


FILE_LABEL = "файл"
PHOTO_LABEL = "фото"


def note_shown(note: dict[str, object]) -> str:
    """A stored answer as shown in the summary; ``note`` holds raw values."""
    if note.get("file_id"):
        label = PHOTO_LABEL if note.get("file_kind") == "photo" else FILE_LABEL
        name = note.get("file_name")
        return f"{label} {name}" if name else label
    return str(note.get("text") or "")


def done_summary(
    org_name: str | None, number: str, text: str, note: str, due: tuple[date, Stage] | None
) -> str:
    """Raw: the names and the note; ``due``: the stage being marked, of an item in stages."""
    head = f"<b>{esc(org_name)}</b>\n" if org_name else ""
    stage = f"\nСрок {day_text(due[0])}{stage_of(due[1], ', ')}" if due is not None else ""
    return (
        f"{head}Отметить выполненным пункт {item_line(number, text)}{stage}\n"
        f"{L_NOTE}: {esc(clip(note, 1000))}"
    )


def done_saved(number: str, late: date | None) -> str:
    """``late``: the deadline, when the mark came after it (the review shows it so)."""
    if late is not None:
        return (
            f"✅ Пункт {esc(number)} отмечен выполненным с опозданием (срок был "
            f"{day_text(late)}). Спасибо!"
        )
    return f"✅ Пункт {esc(number)} отмечен выполненным. Спасибо!"


def stage_saved(number: str, done: date, owed: date | None, last: date, *, late: bool) -> str:
    """A stage of an item in stages marked; ``owed``: the earliest stage still not marked (an
    earlier one missed, or the next), None when every one is; ``last``: the item's last;
    ``late``: marked after its day, as the review and /plan will show it."""
    if owed is None:
        then = " Это был последний срок: пункт выполнен." if done == last else ""
        then = then or " Все сроки отмечены: пункт выполнен."
    elif owed < done:
        then = f" Срок {day_text(owed)} по-прежнему не отмечен выполненным."
    else:
        then = f" Следующий срок — {day_text(owed)}."
    how = " с опозданием" if late else ""
    return f"✅ Пункт {esc(number)}: срок {day_text(done)} отмечен выполненным{how}.{then} Спасибо!"
