"""What Telegram does to a message's keyboard and formatting before it shows them.

Two kinds of rules, both from the Bot API server and tdlib (``telegram-bot-api/Client.cpp``,
``td/telegram/ReplyMarkup.cpp``, ``LinkManager::check_link``) and from Telegram's answers:

* what is refused with a 400 (:class:`MarkupRefusedError` carries the description after
  ``Bad Request:``): a button that is not an object or has no ``text``, an inline button
  without an action (an empty ``callback_data`` or ``url`` counts as none), ``callback_data``
  over 64 bytes, a ``url`` that is no HTTP(S) or tg:// link, more than 100 inline buttons, a
  keyboard of more than 10 KB (:data:`MAX_MARKUP_BYTES`);
* what is dropped without a word, the message still sent: a button with empty text (tdlib skips
  it; a keyboard left empty is no keyboard), the buttons of a row past its 12th and of a
  keyboard past its 300th (reply and inline keyboards alike: see :data:`MAX_ROW_BUTTONS`),
  formatting past the 100th entity (Telegram keeps the first 100). The fake drops them too,
  as Telegram does, and writes each loss down (``lost``), since a person never sees what the
  bot meant there.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any, Final

MAX_CALLBACK_DATA_BYTES: Final = 64
#: Telegram refuses an inline keyboard of more ("reply markup is too long", REPLY_MARKUP_TOO_LONG).
MAX_INLINE_BUTTONS: Final = 100
#: What tdlib keeps of any keyboard it is given, reply or inline: ``get_reply_markup`` in
#: ``td/telegram/ReplyMarkup.cpp`` ends a row at its 12th button with text and the keyboard at
#: its 300th (``row_button_count >= 12 || total_button_count >= 300``), the rest unread and
#: unsaid. (Lists of limits say 8 a row for inline keyboards, as clients lay them out; nothing
#: in tdlib or the Bot API server drops or refuses a 9th, so the fake does not either.)
MAX_ROW_BUTTONS: Final = 12
MAX_KEYBOARD_BUTTONS: Final = 300
#: Telegram refuses a keyboard whose data passes 10 KB, however few its buttons ("reply markup
#: is too long"): tginfo/Telegram-Limits lists "Message markup data (e.g. inline buttons): up to
#: 10 KB", measured on the markup's JSON (issue #187: 100 buttons of 60-character labels are
#: refused). Telegram's own count, of its serialized buttons, is unpublished (keyboards a little
#: under it have been refused too); the fake counts the compact UTF-8 JSON of the buttons kept.
MAX_MARKUP_BYTES: Final = 10 * 1024
#: Formatting entities Telegram keeps in one message; the rest are dropped, the text sent.
MAX_ENTITIES: Final = 100
INLINE_BUTTON_ACTIONS: Final = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
# The Bot API server reads these two as absent when they are empty strings.
_EMPTY_IS_ABSENT: Final = frozenset({"url", "callback_data"})
_INLINE: Final = "can't parse inline keyboard button: "
_REPLY: Final = "can't parse keyboard button: "
_TG_HOST: Final = re.compile(r"[A-Za-z0-9_-]*")


class MarkupRefusedError(ValueError):
    """Telegram refuses the markup; the message is the description after ``Bad Request: ``."""


def url_problem(url: str) -> str | None:
    """Why tdlib's ``check_link`` refuses a button's URL, None if it takes it.

    The part of it a bot meets: the scheme (none means http), an empty host, a host without a
    dot ("localhost", a word), the characters of a tg:// link's host.
    """
    lowered = url.lower()
    for scheme in ("tg:", "ton:"):
        if lowered.startswith(scheme):
            host = re.split(r"[/?#]", url[len(scheme) :].removeprefix("//"), maxsplit=1)[0]
            return None if _TG_HOST.fullmatch(host) else "Unallowed characters in URL host"
    rest = url
    if "://" in url:
        scheme, rest = url.split("://", 1)
        if scheme.lower() not in {"http", "https"}:
            return "Unsupported URL protocol"
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    host = authority.rsplit("@", 1)[-1]
    if not host.startswith("["):
        host = host.split(":", 1)[0]
    if not host:
        return "URL host is empty"
    if "." not in host and not host.startswith("["):
        return "Wrong HTTP URL"
    return None


def _inline_button(button: Any) -> dict[str, Any]:
    """The button as the Bot API server parses it, before tdlib sees its text."""
    if not isinstance(button, dict):
        raise MarkupRefusedError(_INLINE + "InlineKeyboardButton must be an Object")
    if "text" not in button:
        raise MarkupRefusedError(_INLINE + 'Can\'t find field "text"')
    if not isinstance(button["text"], str):
        raise MarkupRefusedError(_INLINE + 'Field "text" must be of type String')
    actions = {
        key
        for key in INLINE_BUTTON_ACTIONS & button.keys()
        if not (key in _EMPTY_IS_ABSENT and button[key] in ("", None))
    }
    if not actions:
        raise MarkupRefusedError(_INLINE + "Text buttons are unallowed in the inline keyboard")
    return button


def _check_kept_inline_button(button: dict[str, Any]) -> None:
    """What tdlib and Telegram check of a button whose text is shown."""
    url = button.get("url")
    if url:
        problem = url_problem(str(url))
        if problem is not None:
            raise MarkupRefusedError(f"inline keyboard button URL '{url}' is invalid: {problem}")
    data = button.get("callback_data")
    if data and len(str(data).encode()) > MAX_CALLBACK_DATA_BYTES:
        raise MarkupRefusedError("BUTTON_DATA_INVALID")


def inline_keyboard(markup: dict[str, Any], lost: list[str]) -> dict[str, Any] | None:
    """The inline keyboard Telegram shows for ``markup`` (None: none), or a refusal."""
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise MarkupRefusedError(
            'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
        )
    parsed = [[_inline_button(button) for button in row] for row in rows]
    kept = _shown_rows(parsed, lost)
    for row in kept:
        for button in row:
            _check_kept_inline_button(button)
    if sum(len(row) for row in kept) > MAX_INLINE_BUTTONS:
        raise MarkupRefusedError("reply markup is too long")
    _check_size(kept)
    if not kept:
        return None
    shown = copy.deepcopy(markup)
    shown["inline_keyboard"] = copy.deepcopy(kept)
    return shown


def _reply_button(button: Any) -> str:
    """A reply keyboard button's text: a button is a string or an object with ``text``."""
    if isinstance(button, str):
        return button
    if not isinstance(button, dict):
        raise MarkupRefusedError(_REPLY + "KeyboardButton must be a String or an Object")
    if "text" not in button:
        raise MarkupRefusedError(_REPLY + 'Can\'t find field "text"')
    if not isinstance(button["text"], str):
        raise MarkupRefusedError(_REPLY + 'Field "text" must be of type String')
    return str(button["text"])


def check_reply_keyboard(markup: dict[str, Any], lost: list[str]) -> None:
    """Refuse a reply keyboard Telegram refuses; note the buttons it would not show."""
    rows = markup["keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise MarkupRefusedError(
            'field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays'
        )
    buttons = [[_reply_object(button) for button in row] for row in rows]
    _check_size(_shown_rows(buttons, lost))


def _reply_object(button: Any) -> dict[str, Any]:
    """A reply keyboard button as an object (a bare string is its text)."""
    text = _reply_button(button)
    return button if isinstance(button, dict) else {"text": text}


def _check_size(kept: list[list[Any]]) -> None:
    """Refuse a keyboard whose buttons pass :data:`MAX_MARKUP_BYTES`."""
    if len(json.dumps(kept, ensure_ascii=False, separators=(",", ":")).encode()) > MAX_MARKUP_BYTES:
        raise MarkupRefusedError("reply markup is too long")


def _shown_rows(rows: list[list[dict[str, Any]]], lost: list[str]) -> list[list[Any]]:
    """The rows as tdlib keeps them: without empty-text buttons and rows left empty, at most
    :data:`MAX_ROW_BUTTONS` a row and :data:`MAX_KEYBOARD_BUTTONS` in all; each button dropped
    noted in ``lost``."""
    kept: list[list[Any]] = []
    total = past_total = 0
    for row_number, row in enumerate(rows, start=1):
        room = min(MAX_ROW_BUTTONS, MAX_KEYBOARD_BUTTONS - total)
        shown, cut = _row_shown(row, row_number, room, lost)
        if room < MAX_ROW_BUTTONS:
            past_total += cut
        elif cut:
            lost.append(
                f"row {row_number} has {len(row)} buttons: the {cut} past its "
                f"{MAX_ROW_BUTTONS}th are not shown"
            )
        total += len(shown)
        if shown:
            kept.append(shown)
    if past_total:
        lost.append(
            f"the {past_total} buttons past the keyboard's {MAX_KEYBOARD_BUTTONS}th are not shown"
        )
    if rows and not kept:
        lost.append("every button has empty text: the keyboard is not shown")
    return kept


def _row_shown(
    row: list[dict[str, Any]], row_number: int, room: int, lost: list[str]
) -> tuple[list[Any], int]:
    """One row's buttons with text, ``room`` of them at most (empty ones noted in ``lost``), and
    how many buttons after them tdlib leaves unread."""
    shown: list[Any] = []
    for place, button in enumerate(row, start=1):
        if len(shown) == room:
            return shown, len(row) - place + 1
        if button["text"]:
            shown.append(button)
        else:
            lost.append(f"button {place} of row {row_number} has empty text: not shown")
    return shown, 0


def keep_entities(entities: list[dict[str, Any]], lost: list[str]) -> list[dict[str, Any]]:
    """The first 100 formatting entities, as Telegram keeps them; the rest noted in ``lost``.
    A custom emoji is dropped first, its plain emoji shown: only a bot with a username bought
    on Fragment may send one, and this bot has none."""
    custom = [item for item in entities if item["type"] == "custom_emoji"]
    if custom:
        lost.append(f"{len(custom)} custom emoji: sent by a bot, shown as plain emoji")
        entities = [item for item in entities if item["type"] != "custom_emoji"]
    if len(entities) <= MAX_ENTITIES:
        return entities
    ordered = sorted(entities, key=lambda item: (item["offset"], -item["length"]))
    lost.append(
        f"{len(entities)} formatting entities: the {len(entities) - MAX_ENTITIES} past the "
        f"{MAX_ENTITIES}th are dropped, their text shown plain"
    )
    return ordered[:MAX_ENTITIES]
