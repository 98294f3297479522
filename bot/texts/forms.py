"""Texts of the form mechanism shared by every form: buttons, errors, summary frame."""

from __future__ import annotations

BTN_BACK = "⬅️ Назад"
BTN_SKIP = "Пропустить"
BTN_CANCEL = "✖️ Отмена"
BTN_CONFIRM = "✅ Отправить"
BTN_CONFIRM_ANYWAY = "✅ Подтверждаю, данные верны"
BTN_EDIT = "✏️ Исправить поле"
BTN_TO_SUMMARY = "⬅️ К сводке"


def btn_previous(value: str) -> str:
    return f"↩️ {value} (как в прошлый раз)"


NOT_A_NUMBER = "Нужно целое число цифрами, например: 25."
NEGATIVE = "Число не может быть отрицательным."
FRACTION = "Нужно целое число, без дробной части."
EMPTY_ANSWER = "Ответ пустой. Напишите число."
STEP_PREFIX = "Вопрос {n} из {total}"
OPTIONAL_HINT = "Можно пропустить."
CANCELLED = "Заполнение отменено, ничего не сохранено."
NOTHING_TO_CANCEL = "Сейчас нечего отменять."
RESUMING = "У вас есть незаконченная форма «{title}». Продолжаем с того же места:"
OTHER_FORM_OPEN = (
    "Сначала закончите или отмените форму «{title}» (кнопка «Отмена» или команда /cancel)."
)
STALE_BUTTON = "Эта кнопка устарела. Продолжайте в последнем сообщении."
CHOOSE_FIELD = "Какое поле исправить?"
NEED_TEXT = "Пожалуйста, ответьте текстом или кнопкой под вопросом."
CANNOT_SKIP = "Этот вопрос обязательный."
SUMMARY_CONFIRM_HINT = "Проверьте и нажмите «Отправить» или исправьте поле."
SUMMARY_WARN_HINT = (
    "Проверьте данные. Если всё верно, нажмите «Подтверждаю, данные верны», иначе исправьте поле."
)
SKIPPED = "—"
ALREADY_SAVED = "Уже сохранено."
LOST_RIGHTS = "Вы больше не председатель этой организации. Форма закрыта."


def too_big(limit: int) -> str:
    return f"Слишком большое число: не больше {limit:,}.".replace(",", " ")


def too_small(limit: int) -> str:
    return f"Число должно быть не меньше {limit}."
