"""Texts of the form mechanism shared by every form: buttons, errors, summary frame.

Button labels are shown as they are (not HTML): ``btn_previous`` does not escape. Answers
shown in message texts (``field_line``'s ``value``) are raw: escaped here.
"""

from __future__ import annotations

from bot.texts.common import STRANGER
from bot.texts.grammar import plural
from bot.texts.markup import SafeHtml, esc

BTN_BACK = "⬅️ Назад"
BTN_SKIP = "Пропустить"
BTN_CANCEL = "✖️ Отмена"
BTN_CONFIRM = "✅ Отправить"
BTN_CONFIRM_ANYWAY = "✅ Подтверждаю, данные верны"
BTN_EDIT = "✏️ Исправить поле"
BTN_TO_SUMMARY = "⬅️ К сводке"


def btn_previous(value: str) -> str:
    return f"↩️ {value} (как в прошлый раз)"


def btn_earlier(value: str) -> str:
    """A question asked again (the answer it follows changed and changed back): its old
    answer as one tap; ``value`` raw, a button's label is not HTML."""
    return f"↩️ {value} (прежний ответ)"


ASKED_AGAIN = (
    "Вы изменили ответ, от которого зависит этот вопрос, поэтому он задан снова. "
    "Если прежний ответ верен, нажмите его кнопку."
)


def summary_question(prompt: str) -> str:
    """A question the summary asks (a form's own text, already HTML)."""
    return f"❓ <b>{prompt}</b>"


def field_line(label: str, value: str | None) -> str:
    """One answer of a form in a summary or a card; ``None`` is a skipped answer."""
    return f"{label}: {SKIPPED if value is None else esc(value)}"


def formatted_line(label: str, html: SafeHtml) -> str:
    """An answer kept with its formatting (``html``, already HTML) in a summary."""
    return f"{label}: {html}"


NOT_A_NUMBER = "Нужно целое число цифрами, например: 25."
NEGATIVE = "Число не может быть отрицательным."
FRACTION = "Нужно целое число, без дробной части."
EMPTY_ANSWER = "Ответ пустой. Напишите число."
STEP_PREFIX = "Вопрос {n} из {total}"
OPTIONAL_HINT = "Можно пропустить."
CANCELLED = "Заполнение отменено, ничего не сохранено."
NOTHING_TO_CANCEL = "Сейчас нечего отменять."
NOTHING_TO_CANCEL_STRANGER = f"{NOTHING_TO_CANCEL}\n\n{STRANGER}"
"""/cancel from someone not joined yet: how to begin, too."""
CANCEL_WORDS = frozenset({"отмена", "отменить", "стоп"})
"""A whole message that is one of these (any case, the button's «✖️» or a full stop aside)
cancels the open form as /cancel does: it is never taken for an answer."""
BACK_WORDS = frozenset({"назад"})
"""A whole message that is one of these does what the «⬅️ Назад» button under the question does."""
BACK_AT_SUMMARY = (
    "На сводке «Назад» нет. Чтобы изменить ответ, нажмите «✏️ Исправить поле» и выберите поле."
)


SAVED_BEFORE_RESTART = (
    "Бот перезапускался. Ваш последний ответ сохранён, вводить его ещё раз не нужно. Продолжаем:"
)


def resuming(title: str, org: str | None) -> str:
    """The unfinished form comes back; ``org``: whom it is for (None: no organization)."""
    whose = "" if org is None else f" ({esc(org)})"
    return f"У вас есть незаконченная форма «{title}»{whose}. Продолжаем с того же места:"


def resuming_instead(title: str, org: str, asked_for: str) -> str:
    """A form was asked for another organization while one is unfinished: say so, so that the
    next answers are not taken for the wrong one."""
    return (
        f"У вас есть незаконченная форма «{title}» для «{esc(org)}». Форму для "
        f"«{esc(asked_for)}» можно будет открыть, когда вы отправите или отмените эту (/cancel). "
        "Продолжаем с того же места:"
    )


STALE_BUTTON = "Эта кнопка устарела. Продолжайте в последнем сообщении."
CHOOSE_FIELD = "Какое поле исправить?"
NEED_TEXT = "Пожалуйста, ответьте текстом или кнопкой под вопросом."
PHOTO_AS_FILE = (
    "Это файл, а нужна фотография: пришлите её как фото (в Telegram — «Галерея», без галочки "
    "«как файл»)."
)


def photos_over(limit: int) -> str:
    """A photo sent after the photo question took its last one (an album of more)."""
    return f"Больше {limit} фото не берём: лишние не сохранены. Продолжаем."


CANNOT_SKIP = "Этот вопрос обязательный."
SUMMARY_CONFIRM_HINT = "Проверьте и нажмите «Отправить» или исправьте поле."
SUMMARY_WARN_HINT = (
    "Проверьте данные. Если всё верно, нажмите «Подтверждаю, данные верны», иначе исправьте поле."
)
SKIPPED = "—"
FORM_CLOSED = "Эта форма уже закрыта: она отправлена или отменена."
SUMMARY_CHANGED = (
    "❗ Данные изменились после той сводки, ничего не отправлено. Проверьте сводку ниже."
)


def replied_to_earlier(label: str) -> str:
    """``label``: a field's label (ours, not a person's)."""
    return (
        f"❗ Это ответ на прежний вопрос («{label}»), он не принят. Исправить его можно "
        "кнопкой «Назад» или на сводке («Исправить поле»). Сейчас вопрос такой:"
    )


STILL_MISSING = "❗ Не отправлено: без этого ответа форму не принять."


def no_longer_taken(label: str, reason: str) -> str:
    """At «Отправить», a kept answer its question refuses now; ``label`` (a field's) and
    ``reason`` (the parser's refusal) are the bot's own texts, as a typed answer's refusal is."""
    return f"❗ Не отправлено: ответ «{label}» сейчас не принимается. {reason}"


def stored_not_taken(label: str, reason: str) -> str:
    """A stored record opened to change it, one of its answers refused now by its question
    (0 workers from the organization list): asked first. ``label`` and ``reason`` are the
    bot's own texts, as in :func:`no_longer_taken`."""
    return f"❗ Сохранённый ответ «{label}» сейчас не принимается. {reason} Укажите его заново."


LOST_RIGHTS = "У вас больше нет прав на эту форму (роль изменилась). Форма закрыта."


def too_big(limit: int) -> str:
    return f"Слишком большое число: не больше {limit:,}.".replace(",", " ")


def too_many_parts(parts: int, given: int) -> str:
    numbers = plural(parts, "числа", "чисел", "чисел")  # genitive after «больше»
    return f"Нужно не больше {parts} {numbers}, а здесь {given}. Пример: 2 1 0 0."


def parts_format(parts: int) -> str:
    numbers = plural(parts, "целое число", "целых числа", "целых чисел")
    return f"Нужно {parts} {numbers} через пробел, например: 2 1 0 0 — или «не знаю»."


def too_small(limit: int) -> str:
    return f"Число должно быть не меньше {limit}."


BTN_YES = "Да"
BTN_NO = "Нет"
BTN_DONE = "✅ Готово"
BTN_DROP_PHOTOS = "🗑 Удалить фото"
CHOOSE_BUTTON = "Выберите вариант кнопкой под вопросом."
YES_OR_NO = "Ответьте «Да» или «Нет» — кнопкой или словом."
DATE_FORMAT = (
    "Не понял дату. Напишите, например: 21.11.2026, 21.11 или 19–21.11.2026 — "
    "или нажмите «Сегодня» / «Вчера»."
)
EDIT_NOT_TAKEN = (
    "✏️ Исправленное сообщение бот не видит: учтён первый вариант. Чтобы изменить ответ, "
    "нажмите «⬅️ Назад» под вопросом или «✏️ Исправить поле» в сводке."
)
SUMMARY_TYPED = (
    "Сводка ничего не спрашивает. Чтобы изменить ответ, нажмите «✏️ Исправить поле» и "
    "выберите поле; если всё верно — «Отправить»."
)
ONE_DATE_FORMAT = "Не понял дату. Напишите, например: 21.11.2026 или 21.11."
DATE_ORDER = "Дата начала позже даты окончания. Проверьте порядок дат."
DATE_NOT_COME = (
    "Эта дата ещё не наступила. Напишите день, когда это уже было, например: 15.03.2026."
)
BAD_LINK = (
    "Это не похоже на ссылку. Пример: https://school1.ru/profsoyuz или vk.com/profkom_school1"
)
BAD_PHONE = "Не понял номер телефона. Пример: +7 900 123-45-67 или 8 (863) 123-45-67."
FILE_EXPECTED = (
    "Здесь нужен файл: пришлите документ (PDF, DOCX…) или фото одним сообщением, "
    "или нажмите «Пропустить»."
)
FILE_KINDS = (
    "Такое сообщение не приложить: подойдёт документ (PDF, DOCX…) или фото, не стикер, "
    "голосовое, видео или что-то другое. Пришлите файл или нажмите «Пропустить»."
)


def file_shown(photo: bool, name: str | None) -> str:
    """A file answer, raw (escaped where it enters a text): a photo has no name."""
    return "фото" if photo else f"документ «{name or 'без имени'}»"


def file_taken(shown: str) -> str:
    """``shown``: :func:`file_shown`, raw."""
    return f"📎 Приложен {esc(shown)}."


def file_over(shown: str, label: str) -> str:
    """A file sent once the file question ``label`` was answered (the rest of an album, or a
    second file): not taken, and how to replace the first."""
    return (
        f"Приложить можно только один файл: уже приложен {esc(shown)}, этот не взят. Чтобы "
        f"заменить, нажмите «{BTN_EDIT}» и выберите «{esc(label)}»."
    )


PHOTO_EXPECTED = "Здесь нужна фотография (или нажмите «Готово» / «Пропустить»)."
PHOTO_NOT_VIDEO = (
    "Здесь нужна фотография, видео не сохраняем. Пришлите фото или нажмите кнопку под вопросом."
)


def photos_kept(count: int, limit: int) -> str:
    """The photo question asked again over photos already taken: what each button does."""
    return (
        f"Сейчас прикреплено фото: {count} из {limit}. Пришлите ещё, нажмите «Готово», чтобы "
        "оставить их, или «Удалить фото», чтобы убрать все."
    )


def no_such_date(text: str) -> str:
    return f"Такой даты нет: {text}. Проверьте число и месяц."


def year_out_of_range(year: int, first: int, last: int) -> str:
    return f"Проверьте год: {year}. Дата мероприятия — с {first} по {last} год."


def date_before(year: int) -> str:
    return f"Проверьте год: дата раньше {year} года. Напишите, например: 15.03.2026."


def date_span_too_long(days: int) -> str:
    longer = plural(days, "дня", "дней", "дней")  # genitive after «дольше»: 21 дня
    return f"Мероприятие дольше {days} {longer}? Проверьте даты."


def _characters(n: int) -> str:
    return f"{n} {plural(n, 'символ', 'символа', 'символов')}"


def text_too_short(minimum: int) -> str:
    return f"Слишком коротко: нужно хотя бы {_characters(minimum)}."


def text_too_long(maximum: int, length: int) -> str:
    return (
        f"Слишком длинно: {_characters(length)}, можно не больше {maximum}. Сократите, пожалуйста."
    )


def too_much_formatting(pieces: int, limit: int) -> str:
    """A text formatted in more pieces than a message can show beside its frame."""
    return (
        f"В тексте {pieces} {plural(pieces, 'выделение', 'выделения', 'выделений')} (жирный "
        f"шрифт, курсив, ссылки), а Telegram покажет не больше {limit}: остальное придёт без "
        "оформления, ссылки пропадут. Уберите часть оформления и пришлите текст снова."
    )


def photo_taken(count: int, limit: int) -> str:
    return f"Фото {count} из {limit} принято. Пришлите ещё или нажмите «Готово»."


def photos_full(limit: int) -> str:
    return f"Принято {limit} фото — это максимум."


DEADLINE_PAST = "Срок уже прошёл. Укажите сегодняшнюю или более позднюю дату."


def deadline_too_far(latest: str) -> str:
    return f"Срок не может быть дальше чем через год. Укажите дату не позже {latest}."


def draft_closed(days: int, period: str | None) -> str:
    """A form left unfinished for ``days`` days was closed; ``period``: a report's period."""
    if period:
        what = f"Незаконченный отчёт за {period} закрыт: к нему"
    else:
        what = "Незаконченная форма закрыта: к ней"
    return (
        f"🗂 {what} не возвращались {days} {plural(days, 'день', 'дня', 'дней')}, "
        "ответы не сохранены. "
        "Когда будет удобно, начните заново из меню."
    )
