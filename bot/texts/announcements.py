"""Texts of announcements (объявления) from district staff to chairs.

The announcement ``html`` is a ``SafeHtml`` (the author's formatting as tags, the text
escaped): put in as it is; ``scope`` and the chairs' names are raw: escaped here.
"""

from __future__ import annotations

from bot.texts.common import more
from bot.texts.markup import (
    LIST_ROOM,
    TELEGRAM_TEXT_LIMIT,
    SafeHtml,
    clip_html,
    esc,
    fitting,
    utf16_len,
)

TITLE = "Объявление"
CMD_ANNOUNCE = "Объявление председателям ППО"
AUDIENCE_ALL = "Всем председателям ППО"
AUDIENCE_LATE = "Только не сдавшим мониторинг"
L_AUDIENCE = "Кому"
L_TEXT = "Текст"
Q_AUDIENCE = "Кому отправить объявление?"
Q_TEXT = (
    "Текст объявления (до 2000 символов). Оформление сохранится: жирный шрифт, курсив, "
    "ссылки придут председателям как есть."
)
UNKNOWN_REASON = "причина неизвестна"
WITHDRAWN_ROLE_ENDED = "не отправлено: до отправки человек перестал быть председателем"
WITHDRAWN_ARCHIVED = "не отправлено: до отправки ППО закрыта (в архиве)"
NO_RECIPIENTS = "Получателей нет: в выбранной группе нет подключённых председателей."


def _framed(head: str, html: SafeHtml, tail: str = "") -> str:
    """``head``, ``html``, ``tail``; the text is cut (with a note) so that the whole fits one
    message. ``head`` and ``tail`` are markup whose visible text is no longer
    than the markup itself, so their raw length is a safe measure."""
    room = TELEGRAM_TEXT_LIMIT - utf16_len(head) - utf16_len(tail) - 4
    return f"{head}\n\n{clip_html(html, room)}" + (f"\n\n{tail}" if tail else "")


def message(scope: str, html: SafeHtml) -> str:
    """What every recipient gets."""
    return _framed(f"📢 <b>Объявление</b> — {esc(scope)}", html)


def sent_before_you(scope: str, html: SafeHtml, sent_on: str) -> str:
    """An announcement to every chair made shortly before this chair joined, sent to them
    on joining: the same text, with the day it went to the others."""
    note = f"<i>Разослано председателям {sent_on}, до того, как вы подключились.</i>"
    head = f"📢 <b>Объявление</b> — {esc(scope)}\n{note}"
    return _framed(head, html)


def preview(scope: str, audience: str, recipients: int, html: SafeHtml, hint: str) -> str:
    """The summary the author confirms: the same text as the recipients will see."""
    head = f"<b>{TITLE}</b>: {esc(scope)}\n{L_AUDIENCE}: {audience} (получателей: {recipients})"
    return _framed(head, html, hint)


def queued(recipients: int) -> str:
    return (
        f"📨 Объявление поставлено в очередь: получателей — {recipients}. "
        "Когда рассылка закончится, придёт отчёт о доставке."
    )


def delivery_report(delivered: int, unreachable: list[str], failures: list[tuple[str, int]]) -> str:
    """``unreachable``: the names of chairs who blocked the bot (raw); ``failures``: Telegram's
    reason of each refusal (raw) with how many messages it refused, most frequent first."""
    lines = ["<b>Отчёт о доставке объявления</b>", f"Доставлено: {delivered}"]
    if unreachable:
        names = fitting([esc(n) for n in unreachable], more, sep=", ")
        lines.append(f"Недоступны ({len(unreachable)}): {names}")
    failed = sum(count for _, count in failures)
    if failed:
        lines.append(f"Не доставлено из-за ошибки: {failed}")
        reasons = [f"• {esc(reason or UNKNOWN_REASON)} — {count}" for reason, count in failures]
        lines.append(fitting(reasons, more, room=LIST_ROOM // 4))
    if not delivered:
        lines.append("Объявление не получил никто.")
    return "\n".join(lines)
