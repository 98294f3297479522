"""Texts of announcements (объявления) from district staff to chairs."""

from __future__ import annotations

from bot.texts.common import name

TITLE = "Объявление"
AUDIENCE_ALL = "Всем председателям ППО"
AUDIENCE_LATE = "Только не сдавшим мониторинг"
L_AUDIENCE = "Кому"
L_TEXT = "Текст"
Q_AUDIENCE = "Кому отправить объявление?"
Q_TEXT = "Текст объявления (до 2000 символов)."
NO_RECIPIENTS = "Получателей нет: в выбранной группе нет подключённых председателей."


def header(scope: str) -> str:
    return f"📢 <b>Объявление</b> — {name(scope)}"


def preview(scope: str, audience: str, recipients: int) -> str:
    return f"<b>{TITLE}</b>: {name(scope)}\n{L_AUDIENCE}: {audience} (получателей: {recipients})"


def queued(recipients: int) -> str:
    return (
        f"📨 Объявление поставлено в очередь: получателей — {recipients}. "
        "Когда рассылка закончится, придёт отчёт о доставке."
    )


def delivery_report(delivered: int, unreachable: list[str], failed: int) -> str:
    lines = ["<b>Отчёт о доставке объявления</b>", f"Доставлено: {delivered}"]
    if unreachable:
        lines.append(f"Недоступны ({len(unreachable)}): " + ", ".join(name(n) for n in unreachable))
    if failed:
        lines.append(f"Не отправлено из-за ошибки: {failed}")
    return "\n".join(lines)
