"""Texts of plans of measures for the staff: reading and loading a plan, its progress, the
half-year review, changing or adding an item. What the responsible are sent and answered
(reminders, escalations, marking done) is in ``plan_marks``.

Raw values (escaped here with ``esc``): an item's ``text``, ``number`` and ``label`` (from the
file or typed by staff), names of ППО and people.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.texts.grammar import plural
from bot.texts.markup import clip, esc
from bot.texts.plan_marks import Stage, item_line, stage_of
from bot.texts.reminders import day_text

CMD_PLAN = "план мероприятий: ход выполнения; с файлом .xlsx — загрузить план"
CMD_PLANEDIT = "изменить пункт плана: /planedit 3 срок 30.04.2027"
CMD_PLANITEM = "добавить пункт в план мероприятий"

# --- Reading the file -----------------------------------------------------------------------

MONTH_STEMS = (
    "январ",
    "феврал",
    "март",
    "апрел",
    "ма[йя]",
    "июн",
    "июл",
    "август",
    "сентябр",
    "октябр",
    "ноябр",
    "декабр",
)
ALL_PPO_WORDS = ("все ппо", "председатели ппо", "всех ппо", "все первичн", "членские организац")
HEADER_STEMS = {
    "number": ("№", "п/п", "номер"),
    "text": ("мероприят", "перечень", "содержание"),
    "deadline": ("срок",),
    "responsible": ("ответствен", "исполнител"),
}
COLUMN_TITLES = {"number": "№", "text": "Мероприятие"}  # as a message about a row names them
NOT_XLSX = (
    "План принимается файлом .xlsx (Excel). Сохраните таблицу как «Книга Excel (.xlsx)» и "
    "отправьте её с подписью /plan. Образец: /plan шаблон"
)
BROKEN_FILE = (
    "Не удалось прочитать файл: он повреждён или это не таблица Excel. Образец: /plan шаблон"
)
NO_HEADER = (
    "Не нашёл строку заголовков: нужны столбцы «№», «Мероприятие», «Срок» и «Ответственный». "
    "Образец: /plan шаблон"
)
NO_ROWS = "В таблице нет ни одного пункта. Заполните строки под заголовком и отправьте снова."
MISSING_TEXT = "не указано мероприятие"


def too_many_rows(limit: int) -> str:
    items = plural(limit, "пункта", "пунктов", "пунктов")  # genitive after «больше»
    return f"В плане больше {limit} {items}: разделите его на несколько файлов."


def text_too_long(limit: int) -> str:
    return f"мероприятие длиннее {limit} {plural(limit, 'знака', 'знаков', 'знаков')}"


def number_too_long(limit: int) -> str:
    return f"номер пункта длиннее {limit} {plural(limit, 'знака', 'знаков', 'знаков')}"


def bad_deadline(value: str) -> str:
    """``value`` is raw."""
    shown = f"«{esc(value)}»" if value else "пусто"
    return (
        f"срок не понят ({shown}): напишите дату (31.03.2027), месяц («март 2027»), "
        "квартал («II квартал 2027»), несколько сроков («март, июнь, октябрь, декабрь», "
        "«ежеквартально», «ежемесячно до 5 числа», «по полугодиям») или «в течение года»"
    )


def bad_responsible(value: str) -> str:
    """``value`` is raw."""
    shown = f"«{esc(value)}»" if value else "пусто"
    return (
        f"ответственный не найден ({shown}): укажите сотрудника аппарата по имени, ППО по "
        "названию или «все ППО»"
    )


# --- Loading --------------------------------------------------------------------------------

PLAN_DEFAULT_TITLE = "План мероприятий"


def scope_line(name: str) -> str:
    """A district or region to name in the caption; ``name`` is raw."""
    return f"• {esc(name)}"


CHOOSE_SCOPE_FOR_FILE = (
    "Вы ведёте несколько организаций. Отправьте файл ещё раз с подписью "
    "<code>/plan название района</code>, например:"
)
FILE_TOO_BIG = "Файл больше 5 МБ: для плана это слишком много. Проверьте, тот ли это файл."
TEMPLATE_FILENAME = "Образец плана мероприятий.xlsx"
TEMPLATE_CAPTION = "Образец плана: заполните и отправьте файл с подписью /plan"
TEMPLATE_SHEET = "План"
TEMPLATE_HEADERS = ("№", "Мероприятие", "Срок", "Ответственный")
TEMPLATE_ROWS = (
    ("1", "Актуализация паспортов первичных организаций", "ноябрь 2027", "все ППО"),
    ("2", "Обновление сведений о кадровом резерве", "31.10.2027", "председатели ППО"),
    ("3", "Семинар для вновь избранных председателей", "II квартал 2027", "Иванова"),
    ("4", "Рассмотрение хода выполнения плана", "в течение года", "МБОУ СОШ № 1"),
)
NO_PLAN = (
    "Плана мероприятий пока нет. Заполните образец (файл ниже) и отправьте его с подписью "
    "/plan. Один пункт можно добавить и в чате: /planitem"
)


def loaded(title: str, count: int, errors: int) -> str:
    """``title`` is raw."""
    text = f"✅ План «{esc(title)}» загружен: пунктов — {count}."
    if errors:
        text += f" Строк с ошибками — {errors}, они не загружены (список ниже)."
    text += " Ход выполнения: /plan"
    return text


def row_errors(errors: Sequence[tuple[int, str]], shown: int) -> list[str]:
    """Messages built by the reader (already escaped)."""
    lines = ["❗ Не загружены строки:"]
    lines += [f"• строка {row}: {message}" for row, message in errors[:shown]]
    if len(errors) > shown:
        lines.append(f"… и ещё {len(errors) - shown}")
    lines.append("Исправьте их и отправьте файл с этими строками ещё раз.")
    return lines


# --- Progress and the review ----------------------------------------------------------------

STATE_DONE, STATE_OVERDUE, STATE_UPCOMING = "выполнен", "просрочен", "впереди"
LATE = "с опозданием"  # a stage marked after its day, in the review and /plan
LATE_ROOM = 1200  # characters of names in /plan's lines of an item's stages marked late
STATE_DONE_LATE = f"выполнен {LATE}"  # the review's status of one who marked a stage late
STATE_ICON = {STATE_DONE: "✅", STATE_OVERDUE: "⏰", STATE_UPCOMING: "🕒"}
ALL_PPO = "все ППО"
NOBODY = "нет ответственного"


def plan_header(
    title: str, total: int, done: int, overdue: int, upcoming: int, stages: tuple[int, int]
) -> str:
    """``title`` is raw; ``stages``: (done, of) over the items in stages, as the review's
    «Сроков выполнено» column sums them (no line when there is no such item)."""
    staged = (
        f"\nСроков выполнено по пунктам с несколькими сроками: {stages[0]} из {stages[1]}"
        if stages[1]
        else ""
    )
    return (
        f"📋 <b>{esc(title)}</b>\nПунктов: {total} · выполнено: {done} · "
        f"просрочено: {overdue} · впереди: {upcoming}{staged}"
    )


def item_status(
    item_id: int,
    number: str,
    text: str,
    state: str,
    deadline: date,
    stage: Stage,
    responsible: str,
    shared: tuple[int, int, Sequence[str]] | None,
    late: Sequence[tuple[str, Sequence[date]]],
    handed: Sequence[tuple[date, date, str]] = (),
) -> str:
    """Raw: ``number``, ``text``, ``responsible``, the names in ``shared`` (done, of, not done
    the stage shown), in ``late`` (who marked which stages after their day) and in ``handed``
    (the stages done, when and by whom, by one who answered for the item before it was given
    to another). An item in stages shows the nearest one still owed, or its last."""
    due = f"до {day_text(deadline)}"
    if stage is not None and state == STATE_DONE:
        due = f"последний срок: {due} ({stage[1]} {plural(stage[1], 'срок', 'срока', 'сроков')})"
    elif stage is not None:
        due = f"ближайший срок: {due} ({stage_of(stage)})"
    line = (
        f"{STATE_ICON[state]} {item_line(number, clip(text, 200))} — {due}, "
        f"{esc(responsible)} [#{item_id}]"
    )
    if shared is not None:
        done, total, missing = shared
        line += f"\n   выполнили {done} из {total}"
        if missing:
            line += ": нет — " + esc(clip(", ".join(missing), 1500))
    done_before = [f"\n   {esc(done_by(*mark))}" for mark in handed]
    return line + "".join(done_before) + "".join(_late_marks(late, named=shared is not None))


def done_by(day: date, done_on: date, who: str) -> str:
    """A stage done by one who answered for the item before it was given to another
    («31.03.2027 — выполнено 12.03.2027 (Иванова)»): it stays done. Plain text, ``who`` raw."""
    late = f", {LATE}" if done_on > day else ""
    return f"{day_text(day)} — выполнено {day_text(done_on)}{late} ({who})"


def _late_marks(late: Sequence[tuple[str, Sequence[date]]], *, named: bool) -> list[str]:
    """A line per stage marked after its day, in the review's words («31.03.2027 — с
    опозданием»), with who marked it so when several answer for the item: the names share
    ``LATE_ROOM``, so twelve monthly stages of a hundred ППО keep the item within a message."""
    by_day: dict[date, list[str]] = {}
    for name, days in late:
        for day in days:
            by_day.setdefault(day, []).append(name)
    room = max(LATE_ROOM // max(len(by_day), 1), 80)
    return [
        f"\n   {day_text(day)} — {LATE}" + (f": {esc(clip(', '.join(who), room))}" if named else "")
        for day, who in sorted(by_day.items())
    ]


PROGRESS_HINT = "Изменить пункт: /planedit № срок 30.04.2027 или /planedit № ответственный все ППО"


def review_header(scope_name: str, since: date) -> str:
    """``scope_name`` is raw."""
    return (
        f"📑 <b>Полугодовое рассмотрение плана мероприятий</b>\n{esc(scope_name)}, "
        f"на {day_text(since)}. Таблица со статусом и отметками — в файле ниже."
    )


REVIEW_CAPTION = "Ход выполнения плана мероприятий"
REVIEW_SHEET = "Ход выполнения"
REVIEW_COLUMNS = (
    "План",
    "№",
    "Мероприятие",
    "Срок",
    "Ответственный",
    "Организация",
    "Статус",
    "Выполнено",
    "Отметка",
    "Сроков выполнено",
)


def stages_done(
    done: int, total: int, late: Sequence[date] = (), handed: Sequence[tuple[date, date, str]] = ()
) -> str:
    """The review's count for an item in stages («2 из 4»), with the stages marked after their
    day and those done by one who answered for the item before (``done_by``). Plain text."""
    shown = ", ".join(day_text(day) for day in late)
    before = "".join(f"; {done_by(*mark)}" for mark in handed)
    return f"{done} из {total}" + (f" ({shown} — {LATE})" if late else "") + before


def review_file_name(today: date) -> str:
    return f"План мероприятий {today.strftime('%d.%m.%Y')}.xlsx"


# --- Changing an item -----------------------------------------------------------------------

EDIT_USAGE = (
    "Как изменить пункт: <code>/planedit 12 срок 30.04.2027</code> или "
    "<code>/planedit 12 ответственный все ППО</code> (номер после # в /plan)."
)
EDIT_NOT_FOUND = "Пункт с таким номером не найден в плане вашей организации. Номера: /plan"


def edited(number: str, what: str, value: str) -> str:
    """Raw values."""
    return f"✏️ Пункт {esc(number)}: {esc(what)} — теперь {esc(value)}. Изменение записано."


WHAT_DEADLINE, WHAT_RESPONSIBLE = "срок", "ответственный"


def passed_not_owed(days: Sequence[date]) -> str:
    """The stages passed before an item was given to another responsible: not theirs."""
    shown = ", ".join(day_text(day) for day in days)
    return (
        f"ℹ️ Сроки, которые уже прошли ({shown}), не спрашиваются с тех, кому пункт поручен "
        "сегодня: они отвечают за него с этого дня."
    )


def marks_left_out(count: int, days: Sequence[date]) -> str:
    """Marks made for stages the changed deadline no longer has (``days``, earliest first)."""
    marks = plural(count, "отметка", "отметки", "отметок")
    verb = plural(count, "учитывается", "учитываются", "учитываются")
    shown = ", ".join(day_text(day) for day in days)
    return (
        f"❗ {count} {marks} о выполнении — за сроки, которых у пункта больше нет ({shown}), — "
        f"теперь не {verb}: новые сроки отмечают заново. Если срок изменён по ошибке, "
        "верните прежний — отметки снова будут учтены."
    )


# --- Adding one item in the chat ------------------------------------------------------------

ITEM_TITLE = "Пункт плана мероприятий"
L_ITEM_TEXT = "Мероприятие"
Q_ITEM_TEXT = "Что нужно сделать? Одной фразой, как в плане."
L_ITEM_DEADLINE = "Срок"
Q_ITEM_DEADLINE = (
    "Срок исполнения: дата (31.03.2027), месяц («март 2027»), квартал, несколько сроков "
    "(«март, июнь, октябрь, декабрь», «ежеквартально», «ежемесячно до 5 числа») или «в "
    "течение года»."
)
L_ITEM_RESPONSIBLE = "Ответственный"
Q_ITEM_RESPONSIBLE = "Кто отвечает: сотрудник аппарата (имя), ППО (название) или все ППО?"
ALL_PPO_BUTTON = "Все ППО"
ITEM_FIX_HINT = "Нажмите «Исправить поле» и укажите ответственного иначе."


def item_preview(scope_name: str) -> str:
    """``scope_name`` is raw."""
    return f"Новый пункт плана мероприятий: {esc(scope_name)}"


def item_added(number: str, title: str) -> str:
    """Raw values."""
    return f"✅ Пункт {esc(number)} добавлен в план «{esc(title)}». Ход выполнения: /plan"
