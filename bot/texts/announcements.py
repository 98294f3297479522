"""Texts of announcements (объявления) from district staff to chairs.

The announcement ``html`` and a file's ``caption`` are ``SafeHtml`` (the author's formatting
as tags, the text escaped): put in as they are; ``scope`` and the chairs' names are raw:
escaped here.
"""

from __future__ import annotations

import re

from bot.texts.common import more
from bot.texts.grammar import plural
from bot.texts.markup import (
    FORMATTED_MAX,
    LIST_ROOM,
    TELEGRAM_TEXT_LIMIT,
    SafeHtml,
    as_html,
    clip_html,
    esc,
    fitting,
    formatted_pieces,
    utf16_len,
    visible,
)

TITLE = "Объявление"
CMD_ANNOUNCE = "Объявление председателям ППО"
AUDIENCE_ALL = "Всем председателям ППО"
AUDIENCE_LATE = "Только не сдавшим мониторинг"
L_AUDIENCE = "Кому"
L_TEXT = "Текст"
L_ATTACHMENT = "Файл"
L_CAPTION = "Подпись к файлу"
ABOVE = " (над фото)"
_CAPTION_PLAIN = (
    " (здесь без оформления: вместе с текстом выделений больше, чем Telegram показывает в "
    "одном сообщении; председатели получат подпись с оформлением, под файлом)"
)
_BLOCK = re.compile(r"<(?:blockquote|pre)\b", re.IGNORECASE)
Q_ATTACHMENT = (
    "Приложить к объявлению документ (PDF, DOCX…) или фото? Пришлите один файл сюда — "
    "председатели получат его следом за текстом, с подписью, если вы её добавите. "
    "Без файла — «Пропустить»."
)
CAPTION_LIMIT = 1024
"""A file's caption as Telegram takes it from a bot, after entity parsing, in UTF-16 units."""
_CAPTION_HEAD = "📎 К объявлению — "
_CUT = "…"
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
    message. ``head`` and ``tail`` are markup, measured by what Telegram counts of them: a
    file's caption in the preview, escaped, may be five times longer than it reads."""
    shown = visible(SafeHtml(head)) + visible(SafeHtml(tail))
    room = TELEGRAM_TEXT_LIMIT - utf16_len(shown) - 4
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


def _caption_head(scope: str) -> str:
    """The line naming the announcement a file belongs to, above its author's caption."""
    return f"{_CAPTION_HEAD}{esc(scope)}"


def caption_room(scope: str | None) -> int:
    """How long a caption the author may write on the file of an announcement to ``scope``
    (raw): what Telegram's ``CAPTION_LIMIT`` leaves beside the line naming it, counted as
    Telegram counts (the text read, in UTF-16 units). None: the scope is not known (a draft
    opened before its room was kept), the room beside a scope cut to «…»."""
    head = _caption_head(_CUT if scope is None else scope)
    return CAPTION_LIMIT - utf16_len(visible(SafeHtml(f"{head}\n\n")))


def attachment_caption(scope: str, caption: SafeHtml | None) -> str:
    """The caption of the file sent after an announcement's text: whose it is, should it be
    read apart from the text, and the caption its author wrote on it, their formatting kept
    (None: none; at most ``caption_room(scope)`` long). The text itself is never a caption: it
    may be 2000 characters, and a caption takes 1024. A ``scope`` renamed to a longer name
    since (a chair who joins later gets the file under the name of the day) is cut to what is
    left of them."""
    if caption is None:
        return _caption_head(scope)
    room = CAPTION_LIMIT - utf16_len(visible(SafeHtml(f"{_CAPTION_HEAD}\n\n{caption}")))
    return f"{_caption_head(_cut(scope, room))}\n\n{caption}"


def _cut(scope: str, room: int) -> str:
    """``scope`` (raw) in at most ``room`` UTF-16 units, ending in «…» where it was cut: a
    label, which a note on the cut (``clip``) would outgrow."""
    if utf16_len(scope) <= room:
        return scope
    kept = ""
    for char in scope:
        if utf16_len(kept + char + _CUT) > room:
            break
        kept += char
    return kept.rstrip() + _CUT if room >= len(_CUT) else ""


def caption_too_long(length: int, room: int, emoji: bool = False) -> str:
    """A caption on an announcement's file longer than Telegram lets the bot send on, with
    the line naming the announcement: ``length`` as Telegram counts it, ``room`` what fits;
    ``emoji``: it holds characters Telegram counts twice, so the author's count is lower."""
    return (
        f"{_overlong(length, room, emoji)} Файл не "
        "приложен. Пришлите его снова с подписью короче (или без подписи: текст объявления "
        "придёт отдельным сообщением), или нажмите «Пропустить»."
    )


def caption_outgrown(scope: str, length: int, room: int, emoji: bool = False) -> str:
    """A caption kept on an announcement's file that no longer fits at «Отправить»: the line
    naming the announcement (``scope``: its name now, raw) grew since the file was attached."""
    return (
        f"Строка над подписью к файлу теперь длиннее, чем когда файл был приложен: "
        f"«{_caption_head(scope)}» (изменилось название). {_overlong(length, room, emoji)} "
        "Пришлите файл снова с подписью короче (или без подписи), или нажмите «Пропустить»: "
        "объявление уйдёт без файла. Остальное сохранено."
    )


def _overlong(length: int, room: int, emoji: bool) -> str:
    """How long the caption is (``emoji``: it holds characters Telegram counts twice) and
    how long one fits."""
    twice = " (эмодзи Telegram считает за два символа)" if emoji else ""
    return (
        f"Подпись к файлу — {length} {plural(length, 'символ', 'символа', 'символов')}{twice}, "
        f"а поместится не больше {room}: длиннее Telegram не пропустит."
    )


def preview(
    scope: str,
    audience: str,
    recipients: int,
    html: SafeHtml,
    hint: str,
    attachment: str | None = None,
    asked: str = "",
    caption: SafeHtml | None = None,
    above: bool = False,
) -> str:
    """The summary the author confirms: the same text as the recipients will see, and the
    file they get after it (``attachment``: how it is shown, raw; None: none) with its
    ``caption`` (their formatting kept; None: none; ``above``: over the photo, as the author
    put it, and so each chair sees it). ``asked``: the question the form puts
    under it (the file, until answered or skipped), whose room the text leaves, so that both
    fit one message."""
    head = f"<b>{TITLE}</b>: {esc(scope)}\n{L_AUDIENCE}: {audience} (получателей: {recipients})"
    if attachment is not None:
        head += f"\n📎 {L_ATTACHMENT}: {esc(attachment)} (придёт следом за текстом)"
    if attachment is not None and caption is not None:
        head += f"\n{_caption_shown(caption, html, ABOVE if above else '')}"
    framed = _framed(head, html, f"{hint}\n\n{asked}" if asked else hint)
    return framed.removesuffix(f"\n\n{asked}") if asked else framed


def _caption_shown(caption: SafeHtml, html: SafeHtml, where: str) -> str:
    """The caption's line in the preview. Its formatting is shown while the text's and its
    pieces together fit beside the preview's frame (``FORMATTED_MAX``): past Telegram's 100
    the preview's last formatting would go plain without a word. Each chair gets the caption
    in a message of its own, under the file, so it is not refused: shown plain, saying so
    (not in a message of its own here: the summary is one message with its buttons under it,
    sent anew at each change, and the author typed that formatting a moment ago).
    A caption of several lines, a quote or a code block starts on a line of its own, so the
    label is not run into its first line. ``where``: said after the label (above the photo)."""
    label = f"{L_CAPTION}{where}"
    if formatted_pieces(caption) + formatted_pieces(html) > FORMATTED_MAX:
        return f"{label}{_CAPTION_PLAIN}:\n{as_html(visible(caption))}"
    if "\n" in visible(caption) or _BLOCK.search(caption):
        return f"{label}:\n{caption}"
    return f"{label}: {caption}"


def queued(recipients: int) -> str:
    return (
        f"📨 Объявление поставлено в очередь: получателей — {recipients}. "
        "Когда рассылка закончится, придёт отчёт о доставке."
    )


def file_not_delivered(reason: str) -> str:
    """A chair who got the text but not the file: they count as not delivered, saying so."""
    return f"текст доставлен, файл нет: {reason or UNKNOWN_REASON}"


def delivery_report(
    delivered: int,
    unreachable: list[str],
    failures: list[tuple[str, int]],
    attachment: str | None = None,
) -> str:
    """Counted per chair. ``unreachable``: the names of chairs who blocked the bot (raw);
    ``failures``: Telegram's reason of each refusal (raw) with how many chairs it left without
    the announcement, most frequent first; ``attachment``: the file sent with the text (raw),
    delivered only with it."""
    lines = ["<b>Отчёт о доставке объявления</b>"]
    if attachment is not None:
        lines.append(f"📎 С файлом: {esc(attachment)}")
    lines.append(f"Доставлено: {delivered}")
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
