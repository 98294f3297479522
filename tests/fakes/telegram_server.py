"""A fake Telegram Bot API server on loopback for end-to-end bot tests.

The bot under test talks to it over real HTTP::

    async with FakeTelegramServer(token=TOKEN) as server:
        session = AiohttpSession(api=TelegramAPIServer.from_base(server.base_url))
        bot = Bot(TOKEN, session=session)
        ...  # start polling with handle_as_tasks=False
        mark = server.mark()
        update_id = server.message(42, "/start")
        await server.wait_confirmed(update_id)
        reply = await server.wait_message(42, contains="Добро пожаловать", after=mark)
        server.press_button(reply, "Отчёт")

It mimics the parts of the Bot API a bot uses: long-polling ``getUpdates`` with
offset confirmation, sending/editing/deleting messages (with ``message_id``
sequences per chat), file uploads and downloads, commands, callback answers, plus
fault injection (``fail_next``, ``block_chat``, ``enforce_limits``).

With ``strict=True`` (the default) it also rejects what Telegram rejects and what
is easy to get wrong: invalid HTML in ``parse_mode="HTML"`` texts (for instance an
unescaped ``<`` coming from user input, a ``<tg-time>`` without a Unix time or with a format
outside ``r|w?[dD]?[tT]?``), empty or too long texts and captions,
keyboards Telegram refuses (``callback_data`` over 64 bytes, an inline button without an
action, a ``url`` that is no link, more than 100 inline buttons, more than 10 KB of buttons:
see :mod:`fakes.markup`),
editing a message without changing it ("message is not modified"), editing or deleting
unknown messages, deleting one sent 48 hours ago or earlier (:meth:`age_messages` makes
messages older), unknown ``file_id`` / ``callback_query_id``, a callback query answered
twice (only the first answer is shown), a callback answer's text (a toast or an alert) over
200 characters, an empty uploaded file, more than 100 commands in one ``setMyCommands``.
``MarkdownV2`` texts are not validated.

What Telegram takes but does not show, it drops as Telegram does (a button with empty text,
a row's buttons past the 12th and a keyboard's past the 300th, formatting past the 100th
entity) and writes down in ``silently_dropped``; leaving the server after a clean run then
raises :class:`SilentLossError`.

Every request is recorded (see :class:`Request`) once it has been answered, and
every state change wakes the waiters of :meth:`FakeTelegramServer.wait_for`, so
tests never need ``asyncio.sleep``.
"""

from __future__ import annotations

import asyncio
import copy
import html
import json
import logging
import math
import mimetypes
import re
import socket
import struct
import time
import types
import typing
from collections import Counter, defaultdict, deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import PurePosixPath
from typing import Any, Final, TypeAlias

from aiohttp import web
from aiohttp.web_request import FileField

from .markup import (
    MAX_ENTITIES,
    MarkupRefusedError,
    check_reply_keyboard,
    inline_keyboard,
    keep_entities,
)

__all__ = [
    "ButtonNotFoundError",
    "FakeTelegramServer",
    "HtmlParseError",
    "Request",
    "SilentLossError",
    "StoredFile",
    "UpdateDroppedError",
    "buttons",
    "find_button",
    "parse_html",
]

logger = logging.getLogger(__name__)

JsonDict: TypeAlias = dict[str, Any]
ChatId: TypeAlias = int | str

#: Methods whose successful answer is a message shown in a chat.
MESSAGE_METHODS: Final = frozenset(
    {
        "sendMessage",
        "sendDocument",
        "sendPhoto",
        "sendMediaGroup",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
        "copyMessage",
        "forwardMessage",
    }
)
#: Methods that count against Telegram's flood limits in :meth:`enforce_limits`.
RATE_LIMITED_METHODS: Final = frozenset(
    {"sendMessage", "sendDocument", "sendPhoto", "sendMediaGroup", "copyMessage", "forwardMessage"}
)
#: Methods matched by :meth:`FakeTelegramServer.wait_message`.
WAIT_MESSAGE_METHODS: Final = frozenset(
    {
        "sendMessage",
        "editMessageText",
        "sendDocument",
        "sendPhoto",
        "sendMediaGroup",
        "editMessageCaption",
    }
)
#: Update types delivered when the bot does not pass ``allowed_updates`` (or passes ``[]``).
DEFAULT_ALLOWED_UPDATES: Final = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
_DEFAULT_DESCRIPTIONS: Final = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
    504: "Gateway Timeout",
}
_QUERY_INVALID: Final = "query is too old and response timeout expired or query ID is invalid"
_NOT_MODIFIED: Final = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
MAX_TEXT_LENGTH: Final = 4096
MAX_CAPTION_LENGTH: Final = 1024
#: A callback answer's text, counted in UTF-16 code units like a message's (the Bot API says
#: "0-200 characters"; an emoji counted twice can only be stricter than Telegram).
MAX_CALLBACK_ANSWER_LENGTH: Final = 200
MAX_COMMANDS: Final = 100
MAX_COMMAND_DESCRIPTION_LENGTH: Final = 256
MEDIA_GROUP_SIZES: Final = range(2, 11)
#: Seconds after its sending past which a message can't be deleted (editing has no such limit
#: for a bot's own messages).
MAX_DELETE_AGE: Final = 48 * 3600
MAX_DOWNLOAD_SIZE: Final = 20 * 1024 * 1024
MAX_UPLOAD_SIZE: Final = 50 * 1024 * 1024


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets and limits."""
    return len(text.encode("utf-16-le")) // 2


def _chat_key(value: Any) -> ChatId | None:
    """Normalise a ``chat_id`` that may arrive as int, numeric string or ``@username``."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return text or None


# --------------------------------------------------------------------------- HTML


class HtmlParseError(ValueError):
    """Text is not valid Telegram HTML; the message mirrors Telegram's wording."""


_HTML_TAGS: Final = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
    "tg-time": "date_time",
}
_NAMED_ENTITIES: Final = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_MAX_CODE_POINT: Final = 0x10FFFF
_MAX_REFERENCE_LENGTH: Final = 10  # "&#" and digits, without ";": longer is no reference
_DATE_TIME_FORMAT: Final = re.compile(r"r|w?[dD]?[tT]?")
"""A ``tg-time`` tag's ``format`` (the Bot API's «Date-time entity formatting»): ``r`` alone,
or any of a weekday, a short or long date and a short or long time, in that order; empty
(or none): the text shown as written."""
_TAG_RE: Final = re.compile(r"([^\s/>=\"']+)(.*)", re.DOTALL)
_ATTR_RE: Final = re.compile(
    r"""\s*([a-zA-Z_][a-zA-Z0-9_-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?"""
)


def _parse_attrs(raw: str) -> dict[str, str]:
    attrs: dict[str, str] = {}
    position = 0
    raw = raw.rstrip().removesuffix("/")
    while position < len(raw):
        match = _ATTR_RE.match(raw, position)
        if match is None or match.end() == position:
            break
        value = match.group(2) or match.group(3) or match.group(4) or ""
        attrs[match.group(1).lower()] = html.unescape(value)
        position = match.end()
    return attrs


def _numeric_reference(text: str, start: int) -> tuple[int, int] | None:
    """(code point, end) of the digits of ``&#…`` / ``&#x…`` starting at ``start`` (after
    ``#``); None once the number passes the last code point."""
    hexadecimal = text.startswith("x", start)
    base, digits = (16, "0123456789abcdefABCDEF") if hexadecimal else (10, "0123456789")
    end = start + 1 if hexadecimal else start
    code = 0
    while end < len(text) and text[end] in digits:
        code = code * base + int(text[end], base)
        end += 1
        if code >= _MAX_CODE_POINT:
            return None
    return code, end


def _decode_entity(text: str, position: int) -> tuple[str, int] | None:
    """The character referenced at ``position`` (an ``&``) and the position after it, decoded
    as Telegram does (tdlib ``decode_html_entity``), or None: then the ``&`` stays as typed.

    Only ``lt``, ``gt``, ``amp``, ``quot`` are known by name, case-sensitively; numeric
    references are decimal or hexadecimal with a lowercase ``x``; the ``;`` may be missing.
    """
    end = position + 1
    if text.startswith("#", end):
        found = _numeric_reference(text, end + 1)
        if found is None:
            return None
        code, end = found
        if code == 0 or end - position >= _MAX_REFERENCE_LENGTH or 0xD800 <= code <= 0xDFFF:
            return None
        char = chr(code)
    else:
        while end < len(text) and text[end].isascii() and text[end].isalpha():
            end += 1
        named = _NAMED_ENTITIES.get(text[position + 1 : end])
        if named is None:
            return None
        char = named
    return char, end + 1 if text.startswith(";", end) else end


def parse_html(text: str) -> tuple[str, list[JsonDict]]:
    """Parse Telegram-flavoured HTML into (plain text, message entities).

    Raises :class:`HtmlParseError` for what Telegram refuses with
    ``Bad Request: can't parse entities: ...`` (unsupported or unbalanced tags,
    a bare ``<``).
    """
    out: list[str] = []
    out_len = 0
    stack: list[tuple[str, int, dict[str, str]]] = []
    entities: list[JsonDict] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char == "<":
            offset = len(text[:position].encode())
            end = text.find(">", position)
            if end == -1:
                msg = f"Unclosed start tag at byte offset {offset}"
                raise HtmlParseError(msg)
            inner = text[position + 1 : end]
            if inner.startswith("/"):
                name = inner[1:].strip().lower()
                if not stack:
                    msg = f'Unexpected end tag "{name}" at byte offset {offset}'
                    raise HtmlParseError(msg)
                open_name, start, attrs = stack.pop()
                if name != open_name:
                    msg = (
                        f'Unmatched end tag at byte offset {offset}, expected "</{open_name}>", '
                        f'found "</{name}>"'
                    )
                    raise HtmlParseError(msg)
                entity = _html_entity(open_name, start, out_len - start, attrs, stack)
                if entity is not None:
                    entities.append(entity)
            else:
                match = _TAG_RE.fullmatch(inner)
                if match is None:
                    msg = f"Unexpected end of name token at byte offset {offset}"
                    raise HtmlParseError(msg)
                name = match.group(1).lower()
                if name not in _HTML_TAGS:
                    msg = f'Unsupported start tag "{name}" at byte offset {offset}'
                    raise HtmlParseError(msg)
                attrs = _parse_attrs(match.group(2))
                if name == "span" and attrs.get("class") != "tg-spoiler":
                    msg = f'Tag "span" must have class "tg-spoiler" at byte offset {offset}'
                    raise HtmlParseError(msg)
                if name == "tg-time":
                    _check_date_time(attrs, offset)
                stack.append((name, out_len, attrs))
            position = end + 1
            continue
        piece, position = char, position + 1
        if char == "&":
            decoded = _decode_entity(text, position - 1)
            if decoded is not None:
                piece, position = decoded
        out.append(piece)
        out_len += utf16_len(piece)
    if stack:
        msg = f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"'
        raise HtmlParseError(msg)
    entities.sort(key=lambda item: (item["offset"], -item["length"]))
    return "".join(out), entities


def _html_entity(
    name: str,
    start: int,
    length: int,
    attrs: dict[str, str],
    stack: list[tuple[str, int, dict[str, str]]],
) -> JsonDict | None:
    if name == "code" and stack and stack[-1][0] == "pre":
        # <pre><code class="language-python">: Telegram folds it into the pre entity.
        language = attrs.get("class", "").removeprefix("language-")
        if language:
            stack[-1][2]["language"] = language
        return None
    if length <= 0:
        return None
    entity: JsonDict = {"type": _HTML_TAGS[name], "offset": start, "length": length}
    if name == "a":
        href = attrs.get("href")
        if not href:
            return None
        entity["url"] = href
    elif name == "pre" and attrs.get("language"):
        entity["language"] = attrs["language"]
    elif name == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    elif name == "tg-emoji":
        entity["custom_emoji_id"] = attrs.get("emoji-id", "")
    elif name == "tg-time":
        entity["unix_time"] = int(attrs["unix"])
        entity |= {"date_time_format": attrs["format"]} if attrs.get("format") else {}
    return entity


def _check_date_time(attrs: dict[str, str], offset: int) -> None:
    """A ``tg-time`` tag as the Bot API documents it (``<tg-time unix="1647531900"
    format="wDT">``): a Unix time, and a format matching ``r|w?[dD]?[tT]?`` if any. Telegram's
    wording of the refusals is not documented (UNVERIFIED): these name what is wrong."""
    unix = attrs.get("unix", "")
    if not unix.isascii() or not unix.isdigit():
        msg = f'Tag "tg-time" must have a valid attribute "unix" at byte offset {offset}'
        raise HtmlParseError(msg)
    if _DATE_TIME_FORMAT.fullmatch(attrs.get("format", "")) is None:
        msg = f'Invalid date-time format "{attrs["format"]}" at byte offset {offset}'
        raise HtmlParseError(msg)


def _html_to_plain_lenient(text: str) -> str:
    try:
        return parse_html(text)[0]
    except HtmlParseError:
        return text


# --------------------------------------------------------------------------- records


class ButtonNotFoundError(LookupError):
    """No inline button matched; the message lists the buttons that exist."""


class UpdateDroppedError(RuntimeError):
    """The update was never delivered because of the bot's ``allowed_updates``."""


class _TelegramError(Exception):
    def __init__(
        self,
        error_code: int,
        description: str | None = None,
        *,
        retry_after: int | None = None,
        http_status: int | None = None,
    ) -> None:
        self.error_code = error_code
        self.description = description or _DEFAULT_DESCRIPTIONS.get(
            error_code, f"Error {error_code}"
        )
        self.retry_after = retry_after
        self.http_status = http_status or error_code
        super().__init__(self.description)

    def body(self) -> JsonDict:
        body: JsonDict = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


class SilentLossError(AssertionError):
    """Telegram would have dropped part of what the bot sent (see ``silently_dropped``)."""


class _AbandonedError(_TelegramError):
    """A held send whose sender died: it never reached Telegram."""


def _bad_request(detail: str) -> _TelegramError:
    return _TelegramError(400, f"Bad Request: {detail}")


@dataclass
class Request:
    """One answered API call (``downloadFile`` for GETs of ``/file/bot<token>/<path>``).

    ``params`` holds decoded values (``chat_id`` as int, ``reply_markup`` as dict, ...);
    ``files`` maps multipart field names to uploaded bytes (``file_names`` to their
    file names). ``at`` is the server clock (``time.monotonic`` by default) when the
    request arrived. ``ok``/``error_code``/``description``/``result`` describe the answer.
    """

    method: str
    params: dict[str, Any]
    files: dict[str, bytes]
    token: str
    at: float
    file_names: dict[str, str] = field(default_factory=dict)
    ok: bool = True
    error_code: int | None = None
    description: str | None = None
    result: Any = None

    @property
    def chat_id(self) -> ChatId | None:
        return _chat_key(self.params.get("chat_id"))

    @property
    def message_id(self) -> int | None:
        """Id of the message sent/edited (from the answer), else the ``message_id`` param."""
        if isinstance(self.result, dict) and isinstance(self.result.get("message_id"), int):
            return int(self.result["message_id"])
        if isinstance(self.result, list) and self.result and isinstance(self.result[0], dict):
            return int(self.result[0]["message_id"])
        value = self.params.get("message_id")
        return value if isinstance(value, int) else None

    @property
    def text(self) -> str | None:
        """Raw ``text`` or ``caption`` as sent (media groups: captions joined by newlines)."""
        if isinstance(self.params.get("text"), str):
            return str(self.params["text"])
        if isinstance(self.params.get("caption"), str):
            return str(self.params["caption"])
        media = self.params.get("media")
        if isinstance(media, list):
            captions = [
                str(item["caption"])
                for item in media
                if isinstance(item, dict) and isinstance(item.get("caption"), str)
            ]
            return "\n".join(captions) if captions else None
        return None

    @property
    def plain_text(self) -> str | None:
        """:attr:`text` with HTML markup removed when ``parse_mode`` is HTML."""
        text = self.text
        if text is None:
            return None
        if str(self.params.get("parse_mode") or "").lower() == "html":
            return _html_to_plain_lenient(text)
        return text

    @property
    def reply_markup(self) -> JsonDict | None:
        markup = self.params.get("reply_markup")
        return markup if isinstance(markup, dict) else None

    def buttons(self) -> list[tuple[str, str | None]]:
        return buttons(self)

    def find_button(self, text_contains: str) -> str:
        return find_button(self, text_contains)

    def summary(self) -> str:
        parts = [self.method]
        if self.chat_id is not None:
            parts.append(f"chat={self.chat_id}")
        text = self.plain_text
        if text is not None:
            shown = text if len(text) <= 80 else text[:77] + "..."
            parts.append(f"text={shown!r}")
        if self.files:
            parts.append(f"files={sorted(self.file_names.values() or self.files)}")
        if self.reply_markup is not None and self.buttons():
            parts.append(f"buttons={[text for text, _ in self.buttons()]}")
        parts.append("-> ok" if self.ok else f"-> {self.error_code} {self.description}")
        return " ".join(parts)


def _markup_of(source: Request | Mapping[str, Any]) -> Mapping[str, Any] | None:
    if isinstance(source, Request):
        return source.reply_markup
    markup = source.get("reply_markup")
    if isinstance(markup, Mapping):
        return markup
    # A bare reply_markup object.
    if "inline_keyboard" in source or "keyboard" in source:
        return source
    return None


def buttons(source: Request | Mapping[str, Any]) -> list[tuple[str, str | None]]:
    """(text, callback_data) of every keyboard button of a request or message dict.

    Reply-keyboard buttons and inline buttons without callback data have ``None``.
    """
    markup = _markup_of(source)
    if markup is None:
        return []
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    found: list[tuple[str, str | None]] = []
    for row in rows:
        for button in row:
            if isinstance(button, str):
                found.append((button, None))
            elif isinstance(button, Mapping):
                data = button.get("callback_data")
                found.append((str(button.get("text", "")), None if data is None else str(data)))
    return found


def find_button(source: Request | Mapping[str, Any], text_contains: str) -> str:
    """``callback_data`` of the first inline button whose text contains ``text_contains``."""
    available = buttons(source)
    for text, data in available:
        if text_contains in text and data is not None:
            return data
    listing = "\n".join(f"  {text!r} -> {data!r}" for text, data in available) or "  (no buttons)"
    msg = (
        f"No inline button with callback_data whose text contains {text_contains!r}; "
        f"buttons:\n{listing}"
    )
    raise ButtonNotFoundError(msg)


@dataclass
class StoredFile:
    """A file known to the server (sent by a user or uploaded by the bot)."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    file_name: str | None = None
    mime_type: str | None = None

    @property
    def file_size(self) -> int:
        return len(self.data)

    def as_document(self) -> JsonDict:
        document: JsonDict = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
        }
        if self.file_name is not None:
            document["file_name"] = self.file_name
        if self.mime_type is not None:
            document["mime_type"] = self.mime_type
        return document

    def as_photo(self) -> list[JsonDict]:
        width, height = _image_size(self.data)
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "file_size": self.file_size,
                "width": width,
                "height": height,
            }
        ]

    def as_file(self) -> JsonDict:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "file_path": self.file_path,
        }


def _image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG or JPEG, else a plausible default."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        index = 2
        while index + 9 < len(data):
            if data[index] != 0xFF:
                break
            marker = data[index + 1]
            (length,) = struct.unpack(">H", data[index + 2 : index + 4])
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[index + 5 : index + 9])
                return int(width), int(height)
            index += 2 + int(length)
    return 800, 600


@dataclass
class _FaultRule:
    method: str
    error_code: int
    description: str
    retry_after: int | None
    chat_id: ChatId | None
    remaining: int

    def matches(self, method: str, chat_id: ChatId | None) -> bool:
        if self.remaining <= 0:
            return False
        if self.method == "*":
            if chat_id is None:
                return False
        elif self.method.lower() != method.lower():
            return False
        return self.chat_id is None or self.chat_id == chat_id


class _Broadcast:
    """A condition variable that can be notified from synchronous code.

    ``notify_all`` wakes every coroutine blocked in ``wait_until``; waiters re-check
    their predicate after each notification (no polling, no sleeps).
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify_all(self) -> None:
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def wait_until(self, predicate: Callable[[], bool], limit: float | None) -> bool:
        """Wait until ``predicate()`` is true; False after ``limit`` seconds."""
        try:
            async with asyncio.timeout(limit):
                while not predicate():
                    await self._event.wait()
        except TimeoutError:
            return predicate()
        return True


# --------------------------------------------------------------------------- aiogram typing


def _leaf_types(annotation: Any) -> set[Any]:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        leaves: set[Any] = set()
        for arg in typing.get_args(annotation):
            leaves |= _leaf_types(arg)
        return leaves
    if origin is typing.Annotated:
        return _leaf_types(typing.get_args(annotation)[0])
    if origin is typing.Literal:
        return {type(value) for value in typing.get_args(annotation)}
    if origin is not None:
        return {origin}
    return {annotation}


@cache
def _aiogram_methods() -> dict[str, tuple[str, dict[str, frozenset[Any]]]]:
    """lower-case API method -> (canonical name, field -> leaf types) from aiogram's models."""
    import aiogram.methods
    from aiogram.client.default import Default

    table: dict[str, tuple[str, dict[str, frozenset[Any]]]] = {}
    for name in aiogram.methods.__all__:
        cls = getattr(aiogram.methods, name)
        api_name = getattr(cls, "__api_method__", None)
        model_fields = getattr(cls, "model_fields", None)
        if not isinstance(api_name, str) or not isinstance(model_fields, dict):
            continue
        fields: dict[str, frozenset[Any]] = {}
        for field_name, info in model_fields.items():
            leaves = _leaf_types(info.annotation) - {type(None), Default}
            fields[info.alias or field_name] = frozenset(leaves)
        table[api_name.lower()] = (api_name, fields)
    return table


def _decode_form_value(leaves: frozenset[Any] | None, raw: str) -> Any:
    """Undo aiogram's form encoding: non-string values are sent JSON-encoded."""
    if leaves is not None and leaves <= {str}:
        return raw
    try:
        decoded = json.loads(raw)
    except ValueError:
        return raw
    if decoded is None or isinstance(decoded, str):
        return raw
    if leaves is None:
        return decoded
    if isinstance(decoded, bool):
        return decoded if bool in leaves else raw
    if isinstance(decoded, int | float):
        return decoded if leaves & {int, float} else raw
    return decoded


# --------------------------------------------------------------------------- server

_Handler: TypeAlias = Callable[[Request], Any]


class FakeTelegramServer:
    """Fake Telegram Bot API server; see the module docstring."""

    def __init__(
        self,
        token: str | None = None,
        *,
        bot_id: int = 123456,
        bot_username: str = "ppo_test_bot",
        bot_first_name: str = "PPO Test Bot",
        strict: bool = True,
        require_started_chats: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """
        :param token: the token the bot is expected to use (any token is accepted;
            the ones actually used are in ``tokens_used`` and ``Request.token``).
        :param strict: reject what Telegram rejects (see the module docstring).
        :param require_started_chats: answer 403 "bot can't initiate conversation with
            a user" to sends to private chats of users that never wrote to the bot
            (see :meth:`start_chat`).
        :param clock: time source for ``Request.at`` and rate limits.
        """
        self.token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.strict = strict
        self.require_started_chats = require_started_chats
        self._clock = clock

        self.requests: list[Request] = []
        self.tokens_used: set[str] = set()
        self.internal_errors: list[BaseException] = []
        self.limit_violations: Counter[str] = Counter()
        self.dropped_updates: list[JsonDict] = []
        self.callback_answers: dict[str, JsonDict] = {}
        self.commands: dict[tuple[str, str], list[JsonDict]] = {}
        self.menu_buttons: dict[ChatId | None, JsonDict] = {}
        # What Telegram accepts but does not show (a button with empty text, formatting past
        # the 100th entity), one line each; checked when the server is left (``__aexit__``).
        self.silently_dropped: list[str] = []

        self._changed = _Broadcast()
        self._updates: list[JsonDict] = []  # every update ever queued, by update_id
        self._next_update_id = 1
        self._confirmed_offset = 0
        self.webhook_url = ""  # set by setWebhook, cleared by deleteWebhook
        self._allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self._get_updates_calls = 0
        self._poll_generation = 0
        self._parked_polls = 0
        self._closing = False

        self._users: dict[int, JsonDict] = {}
        self._started_chats: set[ChatId] = set()
        self._blocked_chats: set[ChatId] = set()
        self._messages: defaultdict[ChatId, dict[int, JsonDict]] = defaultdict(dict)
        self._last_message_id: defaultdict[ChatId, int] = defaultdict(int)
        self._pending_callbacks: dict[str, JsonDict] = {}
        self._callback_counter = 0
        self._media_group_counter = 0

        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._file_counter = 0
        self._sent_files: defaultdict[ChatId, list[tuple[str, bytes]]] = defaultdict(list)

        self._faults: list[_FaultRule] = []
        # Seconds every API call takes before it is answered: the network and Telegram's own
        # work, so that tests see what holding a lock across a call costs.
        self.latency = 0.0
        self._limit_global: int | None = None
        self._limit_per_chat: int | None = None
        self._sent_global: deque[float] = deque()
        self._sent_per_chat: defaultdict[ChatId, deque[float]] = defaultdict(deque)
        self._holding = False
        self._held: list[asyncio.Future[bool]] = []
        self.abandoned: list[Request] = []

        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._host = "127.0.0.1"

        self._handlers: dict[str, _Handler] = {
            "getMe": self._get_me,
            "logOut": self._true,
            "close": self._true,
            "setWebhook": self._set_webhook,  # tests post the updates themselves
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "sendMediaGroup": self._send_media_group,
            "copyMessage": self._copy_message,
            "forwardMessage": self._forward_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "deleteMessages": self._delete_messages,
            "answerCallbackQuery": self._answer_callback_query,
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "sendChatAction": self._send_chat_action,
            "getFile": self._get_file,
        }
        self._async_handlers: dict[str, Callable[[Request], Awaitable[Any]]] = {
            "getUpdates": self._get_updates,
        }

    # ------------------------------------------------------------------ lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        if self._runner is not None:
            msg = "FakeTelegramServer is already running"
            raise RuntimeError(msg)
        app = web.Application(client_max_size=MAX_UPLOAD_SIZE + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_download)
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
            site = web.SockSite(runner, sock)
            await site.start()
        except BaseException:
            sock.close()
            await runner.cleanup()
            raise
        self._host = host
        self._port = int(sock.getsockname()[1])
        self._runner = runner
        self._closing = False

    async def stop(self) -> None:
        """Release pending long polls and held sends, shut the HTTP server down (idempotent)."""
        runner, self._runner = self._runner, None
        self._closing = True
        self.abandon_held()
        self._changed.notify_all()
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> FakeTelegramServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: types.TracebackType | None,
    ) -> None:
        """Stop; then, in strict mode after a clean run, fail if Telegram would have dropped
        part of what the bot sent without a word (``silently_dropped``): a person would not
        have seen what the bot meant, and no answer of the API says so."""
        await self.stop()
        if exc_type is None and self.strict and self.silently_dropped:
            listing = "\n".join(f"  {loss}" for loss in self.silently_dropped)
            msg = f"Telegram would have dropped these without a word:\n{listing}"
            raise SilentLossError(msg)

    @property
    def base_url(self) -> str:
        if self._port is None:
            msg = "FakeTelegramServer is not started"
            raise RuntimeError(msg)
        return f"http://{self._host}:{self._port}"

    @property
    def bot_user(self) -> JsonDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    # ------------------------------------------------------------------ updates

    @property
    def confirmed_offset(self) -> int:
        """Every update with ``update_id`` below this was confirmed by the bot."""
        return self._confirmed_offset

    @property
    def updates(self) -> list[JsonDict]:
        """Every update ever queued (copies), in ``update_id`` order."""
        return copy.deepcopy(self._updates)

    @property
    def pending_updates(self) -> list[JsonDict]:
        """Queued updates not confirmed (nor dropped) yet."""
        dropped = {update["update_id"] for update in self.dropped_updates}
        return [
            copy.deepcopy(update)
            for update in self._updates
            if update["update_id"] >= self._confirmed_offset and update["update_id"] not in dropped
        ]

    def get_update(self, update_id: int) -> JsonDict:
        for update in self._updates:
            if update["update_id"] == update_id:
                return copy.deepcopy(update)
        msg = f"no update {update_id}"
        raise KeyError(msg)

    def add_update(self, update: Mapping[str, Any]) -> int:
        """Queue a raw update (``update_id`` assigned if missing) and return its id."""
        data = copy.deepcopy(dict(update))
        update_id = data.get("update_id")
        if update_id is None:
            update_id = self._next_update_id
            data = {"update_id": update_id, **data}
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            msg = f"update_id must be an int, got {update_id!r}"
            raise TypeError(msg)
        if any(existing["update_id"] == update_id for existing in self._updates):
            msg = f"update_id {update_id} is already queued"
            raise ValueError(msg)
        if self.strict:
            from aiogram.types import Update

            Update.model_validate(data)
        self._next_update_id = max(self._next_update_id, update_id + 1)
        self._updates.append(data)
        self._updates.sort(key=lambda item: int(item["update_id"]))
        self._remember_update(data)
        self._changed.notify_all()
        return update_id

    def _remember_update(self, update: JsonDict) -> None:
        for key in ("message", "edited_message", "channel_post", "edited_channel_post"):
            message = update.get(key)
            if isinstance(message, dict):
                chat_id = _chat_key(message.get("chat", {}).get("id"))
                message_id = message.get("message_id")
                if chat_id is not None and isinstance(message_id, int):
                    self._messages[chat_id][message_id] = copy.deepcopy(message)
                    self._last_message_id[chat_id] = max(self._last_message_id[chat_id], message_id)
                    self._started_chats.add(chat_id)
        callback = update.get("callback_query")
        if isinstance(callback, dict):
            self._pending_callbacks[str(callback["id"])] = copy.deepcopy(callback)
            sender = callback.get("from", {})
            if isinstance(sender.get("id"), int):
                self._started_chats.add(sender["id"])

    def _user(
        self,
        user_id: int,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
    ) -> JsonDict:
        profile = self._users.setdefault(
            user_id, {"id": user_id, "is_bot": False, "first_name": "Иван", "language_code": "ru"}
        )
        if first_name is not None:
            profile["first_name"] = first_name
        if last_name is not None:
            profile["last_name"] = last_name
        if username is not None:
            profile["username"] = username.removeprefix("@")
        return copy.deepcopy(profile)

    def _chat(self, chat_id: ChatId) -> JsonDict:
        if isinstance(chat_id, str):
            return {
                "id": -1001000000000,
                "type": "channel",
                "title": chat_id,
                "username": chat_id[1:],
            }
        if chat_id < 0:
            kind = "supergroup" if str(chat_id).startswith("-100") else "group"
            return {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}
        profile = self._users.get(chat_id, {"first_name": "Иван"})
        chat: JsonDict = {"id": chat_id, "type": "private", "first_name": profile["first_name"]}
        for key in ("last_name", "username"):
            if key in profile:
                chat[key] = profile[key]
        return chat

    def _next_message_id(self, chat_id: ChatId) -> int:
        self._last_message_id[chat_id] += 1
        return self._last_message_id[chat_id]

    @staticmethod
    def _command_entities(text: str | None) -> list[JsonDict]:
        if not text or not text.startswith("/"):
            return []
        command = text.split(maxsplit=1)[0]
        return [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]

    def message(
        self,
        user_id: int,
        text: str | None,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        document: Mapping[str, Any] | None = None,
        caption: str | None = None,
        photo: Sequence[Mapping[str, Any]] | None = None,
        video: Mapping[str, Any] | None = None,
        reply_to_message_id: int | None = None,
        entities: Sequence[Mapping[str, Any]] | None = None,
        sticker: Mapping[str, Any] | None = None,
        voice: Mapping[str, Any] | None = None,
        spoiler: bool = False,
        caption_above: bool = False,
    ) -> int:
        """Queue a private message from ``user_id`` and return its ``update_id``.

        ``first_name`` defaults to "Иван" (or the name given earlier for this user).
        Text starting with ``/`` gets a ``bot_command`` entity (as does a caption);
        ``entities`` are the formatting a person gave ``text`` (or a media message's
        ``caption``) in the app (bold, a text link), as Telegram sends them: UTF-16 offsets
        into it, markup not in it, 100 at most.
        ``document`` (a Document dict), ``photo`` (a list of PhotoSize dicts) or ``video``
        (a Video dict) make it a media message: use ``caption`` then, not ``text``;
        ``sticker`` or ``voice`` (a Sticker or Voice dict) make it one of those; ``spoiler``:
        its photo or video is hidden under a spoiler; ``caption_above``: its sender put the
        caption above it (``show_caption_above_media``).
        """
        if text is not None and (document, photo, video) != (None, None, None):
            msg = "a media message has a caption, not text: pass caption=..."
            raise ValueError(msg)
        if entities is not None and len(entities) > MAX_ENTITIES:
            msg = f"a message carries at most {MAX_ENTITIES} entities: Telegram keeps no more"
            raise ValueError(msg)
        sender = self._user(user_id, first_name, last_name, username)
        chat_id: ChatId = user_id
        message: JsonDict = {
            "message_id": self._next_message_id(chat_id),
            "from": sender,
            "chat": self._chat(chat_id),
            "date": int(time.time()),
        }
        if text is not None:
            message["text"] = text
            if found := [*self._command_entities(text), *map(dict, entities or ())]:
                message["entities"] = found
        if document is not None:
            message["document"] = dict(document)
        if photo is not None:
            message["photo"] = [dict(size) for size in photo]
        if video is not None:
            message["video"] = dict(video)
        if spoiler:
            message["has_media_spoiler"] = True
        if caption_above:
            message["show_caption_above_media"] = True
        if sticker is not None:
            message["sticker"] = dict(sticker)
        if voice is not None:
            message["voice"] = dict(voice)
        if caption is not None:
            message["caption"] = caption
            if found := [*self._command_entities(caption), *map(dict, entities or ())]:
                message["caption_entities"] = found
        if reply_to_message_id is not None:
            original = self._messages[chat_id].get(reply_to_message_id)
            if original is not None:
                message["reply_to_message"] = copy.deepcopy(original)
        return self.add_update({"message": message})

    def register_file(
        self,
        data: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        kind: str = "documents",
    ) -> StoredFile:
        """Make ``data`` downloadable through getFile; returns its metadata."""
        self._file_counter += 1
        number = self._file_counter
        suffix = PurePosixPath(file_name).suffix if file_name else ""
        if kind == "photos" and not suffix:
            suffix = ".jpg"
        stored = StoredFile(
            file_id=f"{'AgAC' if kind == 'photos' else 'BQAC'}Fake{number:06d}{self.bot_id}",
            file_unique_id=f"AQADFake{number:06d}",
            file_path=f"{kind}/file_{number}{suffix}",
            data=bytes(data),
            file_name=file_name,
            mime_type=mime_type,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def document(
        self,
        user_id: int,
        file_bytes: bytes,
        file_name: str,
        caption: str | None = None,
        mime_type: str | None = None,
        *,
        first_name: str | None = None,
        entities: Sequence[Mapping[str, Any]] | None = None,
    ) -> int:
        """Queue a message with a document (downloadable via getFile) from ``user_id``;
        ``entities``: the caption's formatting."""
        if mime_type is None:
            mime_type = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        stored = self.register_file(file_bytes, file_name=file_name, mime_type=mime_type)
        document = stored.as_document()
        return self.message(
            user_id,
            None,
            first_name=first_name,
            document=document,
            caption=caption,
            entities=entities,
        )

    def photo(
        self,
        user_id: int,
        file_bytes: bytes,
        *,
        caption: str | None = None,
        first_name: str | None = None,
        entities: Sequence[Mapping[str, Any]] | None = None,
        spoiler: bool = False,
        caption_above: bool = False,
    ) -> int:
        """Queue a message with a photo (downloadable via getFile) from ``user_id``;
        ``entities``: the caption's formatting; ``spoiler``: hidden under a spoiler;
        ``caption_above``: the caption put above the photo."""
        stored = self.register_file(file_bytes, mime_type="image/jpeg", kind="photos")
        return self.message(
            user_id,
            None,
            first_name=first_name,
            photo=stored.as_photo(),
            caption=caption,
            entities=entities,
            spoiler=spoiler,
            caption_above=caption_above,
        )

    def callback(
        self,
        user_id: int,
        data: str,
        message_id: int | None = None,
        *,
        first_name: str | None = None,
    ) -> int:
        """Queue a callback_query (an inline button press) from ``user_id``.

        The query's ``message`` is the stored bot message ``message_id`` in the user's
        chat (default: the latest bot message there); an unknown one is synthesised.
        """
        sender = self._user(user_id, first_name)
        chat_id: ChatId = user_id
        stored = self._messages[chat_id]
        if message_id is None:
            bot_messages = [
                mid for mid, msg in stored.items() if msg.get("from", {}).get("id") == self.bot_id
            ]
            message_id = max(bot_messages) if bot_messages else None
        message = stored.get(message_id) if message_id is not None else None
        if message is None:
            if message_id is None:
                message_id = self._next_message_id(chat_id)
            else:
                self._last_message_id[chat_id] = max(self._last_message_id[chat_id], message_id)
            message = {
                "message_id": message_id,
                "from": self.bot_user,
                "chat": self._chat(chat_id),
                "date": int(time.time()),
                "text": "…",
            }
            stored[message_id] = message
        self._callback_counter += 1
        query_id = f"{self.bot_id}{self._callback_counter:08d}"
        query = {
            "id": query_id,
            "from": sender,
            "message": copy.deepcopy(message),
            "chat_instance": f"-{abs(hash(chat_id)) % 10**12}",
            "data": data,
        }
        return self.add_update({"callback_query": query})

    def press_button(
        self, source: Request, text_contains: str, *, user_id: int | None = None
    ) -> int:
        """Press the inline button (by text) of the message a request sent or edited."""
        data = find_button(source, text_contains)
        chat_id = source.chat_id
        if user_id is None:
            if not isinstance(chat_id, int):
                msg = f"cannot infer the user from chat_id={chat_id!r}; pass user_id="
                raise ValueError(msg)
            user_id = chat_id
        return self.callback(user_id, data, source.message_id)

    def start_chat(self, chat_id: int) -> None:
        """Mark a private chat as started (see ``require_started_chats``)."""
        self._started_chats.add(chat_id)

    def age_messages(self, seconds: float, *, chat_id: ChatId | None = None) -> None:
        """Make the messages in a chat (default: every chat) ``seconds`` older: their ``date``
        moves back, so one past 48 hours can no longer be deleted."""
        chats = [self._messages[_chat_key(chat_id) or chat_id]] if chat_id is not None else None
        for stored in chats if chats is not None else self._messages.values():
            for message in stored.values():
                message["date"] = int(message.get("date", 0) - seconds)

    # ------------------------------------------------------------------ fault injection

    def fail_next(
        self,
        method: str,
        *,
        error_code: int,
        description: str | None = None,
        retry_after: int | None = None,
        chat_id: ChatId | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail (``"*"``: any call with a chat_id).

        429 answers carry ``parameters.retry_after`` (default 1 s) and the description
        "Too Many Requests: retry after N"; 403 defaults to "Forbidden: bot was blocked
        by the user"; 5xx are sent with that HTTP status ("Bad Gateway" for 502).
        """
        if error_code == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            if error_code == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            else:
                description = _DEFAULT_DESCRIPTIONS.get(error_code, f"Error {error_code}")
        self._faults.append(
            _FaultRule(
                method=method,
                error_code=error_code,
                description=description,
                retry_after=retry_after,
                chat_id=_chat_key(chat_id),
                remaining=times,
            )
        )

    def block_chat(self, chat_id: ChatId, *, notify: bool = False) -> int | None:
        """Every call targeting ``chat_id`` now answers 403 "bot was blocked by the user".

        With ``notify=True`` a ``my_chat_member`` update (status "kicked") is queued,
        as Telegram does when a user blocks a bot; its id is returned.
        """
        key = _chat_key(chat_id)
        if key is None:
            msg = f"invalid chat_id {chat_id!r}"
            raise ValueError(msg)
        self._blocked_chats.add(key)
        return self._bot_status_update(key, "member", "kicked") if notify else None

    def unblock_chat(self, chat_id: ChatId, *, notify: bool = False) -> int | None:
        """Calls to ``chat_id`` go through again; with ``notify=True`` the ``my_chat_member``
        update Telegram sends (status "member") is queued and its id returned."""
        key = _chat_key(chat_id)
        self._blocked_chats.discard(key or chat_id)
        return self._bot_status_update(key, "kicked", "member") if notify else None

    def _bot_status_update(self, key: int | str | None, old: str, new: str) -> int | None:
        if not isinstance(key, int):
            return None
        bot_was, bot_is = ({"user": self.bot_user, "status": status} for status in (old, new))
        for member in (bot_was, bot_is):
            if member["status"] == "kicked":
                member["until_date"] = 0
        return self.add_update(
            {
                "my_chat_member": {
                    "chat": self._chat(key),
                    "from": self._user(key),
                    "date": int(time.time()),
                    "old_chat_member": bot_was,
                    "new_chat_member": bot_is,
                }
            }
        )

    def enforce_limits(
        self, per_second_global: int | None = 30, per_chat_per_second: int | None = 1
    ) -> None:
        """Answer 429 (with retry_after) to sends beyond these per-second rates.

        Counted methods: ``RATE_LIMITED_METHODS`` (a media group counts per item).
        Violations are counted in ``limit_violations["global"]`` / ``["per_chat"]``.
        """
        self._limit_global = per_second_global
        self._limit_per_chat = per_chat_per_second

    def disable_limits(self) -> None:
        self._limit_global = None
        self._limit_per_chat = None

    def hold_sends(self, hold: bool = True) -> None:
        """From now on, hold every send (``RATE_LIMITED_METHODS``) unanswered and unapplied:
        calls in flight on the network, not yet at Telegram (False: hold no more, those held
        stay held). :meth:`release_held` or :meth:`abandon_held` ends them."""
        self._holding = hold

    @property
    def held(self) -> int:
        """Sends held by :meth:`hold_sends` right now."""
        return len(self._held)

    def release_held(self) -> int:
        """Stop holding; the sends held so far go on to Telegram now and are answered as any
        (calls that were slow on the network). How many."""
        return self._let_go(reached=True)

    def abandon_held(self) -> int:
        """Stop holding; the sends held so far never reach Telegram (their sender died with
        them in flight): not applied, not in ``requests``, kept in ``abandoned``. How many."""
        return self._let_go(reached=False)

    def _let_go(self, *, reached: bool) -> int:
        self._holding = False
        held, self._held = self._held, []
        for waiter in held:
            if not waiter.done():
                waiter.set_result(reached)
        self._changed.notify_all()
        return len(held)

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        *,
        timeout: float = 10.0,  # noqa: ASYNC109 - explicit timeout keeps test failures fast
        description: str = "the condition",
    ) -> None:
        """Wait until ``predicate()`` about the server's state holds (re-checked at every
        recorded request and every change of the held sends)."""
        if not await self._changed.wait_until(predicate, timeout):
            msg = f"{description} did not come true within {timeout}s"
            raise TimeoutError(msg)

    async def _held_until_let_go(self, record: Request) -> None:
        """Hold a send until :meth:`release_held` (it goes on) or :meth:`abandon_held`."""
        waiter: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._held.append(waiter)
        self._changed.notify_all()
        if await waiter:
            return
        self.abandoned.append(record)
        raise _AbandonedError(502, "Bad Gateway: the request was abandoned")

    def reset_faults(self) -> None:
        """Drop pending ``fail_next`` rules, blocked chats and rate limits."""
        self._faults.clear()
        self._blocked_chats.clear()
        self.disable_limits()

    # ------------------------------------------------------------------ inspection

    def mark(self) -> int:
        """Number of requests recorded so far (use as ``after=``)."""
        return len(self.requests)

    def messages_to(self, chat_id: ChatId, *, after: int = 0) -> list[Request]:
        """Successful message-producing requests (``MESSAGE_METHODS``) to ``chat_id``."""
        key = _chat_key(chat_id)
        return [
            request
            for request in self.requests[after:]
            if request.ok and request.method in MESSAGE_METHODS and request.chat_id == key
        ]

    def chat_messages(self, chat_id: ChatId) -> list[JsonDict]:
        """Messages currently in a chat (after edits and deletions), oldest first."""
        stored = self._messages.get(_chat_key(chat_id) or chat_id, {})
        return [copy.deepcopy(stored[mid]) for mid in sorted(stored)]

    def sent_files(self, chat_id: ChatId) -> list[tuple[str, bytes]]:
        """(file name, bytes) of every file the bot sent to ``chat_id``, in order."""
        return list(self._sent_files.get(_chat_key(chat_id) or chat_id, []))

    def file_bytes(self, file_id: str) -> bytes:
        return self._files[file_id].data

    def _describe_recent(self, after: int = 0, limit: int = 20) -> str:
        interesting = [
            (index, request)
            for index, request in enumerate(self.requests)
            if request.method not in {"getUpdates", "getMe"}
        ]
        polls = sum(1 for request in self.requests if request.method == "getUpdates")
        lines = [
            f"  [{index}]{'*' if index >= after else ' '} {request.summary()}"
            for index, request in interesting[-limit:]
        ]
        header = (
            f"{len(self.requests)} requests recorded ({polls} getUpdates; * = index >= {after}); "
            f"confirmed_offset={self._confirmed_offset}; last {len(lines)} other requests:"
        )
        return "\n".join([header, *(lines or ["  (none)"])])

    async def wait_for(
        self,
        predicate: Callable[[Request], bool],
        *,
        timeout: float = 10.0,  # noqa: ASYNC109 - explicit timeout keeps test failures fast
        after: int = 0,
        description: str | None = None,
    ) -> Request:
        """First recorded request at index >= ``after`` matching ``predicate``."""
        cursor = after
        found: list[Request] = []

        def scan() -> bool:
            nonlocal cursor
            while cursor < len(self.requests):
                request = self.requests[cursor]
                cursor += 1
                if predicate(request):
                    found.append(request)
                    return True
            return False

        if await self._changed.wait_until(scan, timeout):
            return found[0]
        what = description or getattr(predicate, "__name__", "predicate")
        msg = (
            f"No request matching {what} within {timeout}s (after={after}).\n"
            f"{self._describe_recent(after)}"
        )
        raise TimeoutError(msg)

    async def wait_message(
        self,
        chat_id: ChatId,
        *,
        contains: str | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - explicit timeout keeps test failures fast
        after: int | None = None,
    ) -> Request:
        """Wait for a successful sendMessage/editMessageText/sendDocument/sendPhoto
        (also sendMediaGroup/editMessageCaption) to ``chat_id`` whose text or caption
        contains ``contains`` (checked against the raw and the HTML-stripped text)."""
        key = _chat_key(chat_id)

        def matches(request: Request) -> bool:
            if not request.ok or request.method not in WAIT_MESSAGE_METHODS:
                return False
            if request.chat_id != key:
                return False
            if contains is None:
                return True
            return any(contains in text for text in (request.text, request.plain_text) if text)

        description = f"a message to chat {chat_id}" + (
            f" containing {contains!r}" if contains is not None else ""
        )
        return await self.wait_for(
            matches, timeout=timeout, after=after or 0, description=description
        )

    @property
    def is_polling(self) -> bool:
        """True while a getUpdates long poll is parked waiting for updates."""
        return self._parked_polls > 0

    async def wait_polling(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has a getUpdates long poll parked (it is idle and polling)."""
        if not await self._changed.wait_until(lambda: self._parked_polls > 0, timeout):
            msg = (
                f"The bot did not start long polling within {timeout}s.\n{self._describe_recent()}"
            )
            raise TimeoutError(msg)

    async def wait_confirmed(self, update_id: int, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the bot confirmed ``update_id`` (its getUpdates offset passed it).

        With ``handle_as_tasks=False`` that means the bot finished handling it.
        Raises :class:`UpdateDroppedError` if the bot's ``allowed_updates`` excluded it.
        """

        def dropped() -> JsonDict | None:
            for update in self.dropped_updates:
                if update["update_id"] == update_id:
                    return update
            return None

        def done() -> bool:
            return self._confirmed_offset > update_id or dropped() is not None

        if not await self._changed.wait_until(done, timeout):
            hint = (
                ""
                if self._get_updates_calls
                else " The bot never called getUpdates: is it polling?"
            )
            msg = (
                f"Update {update_id} not confirmed within {timeout}s "
                f"(confirmed_offset={self._confirmed_offset}, "
                f"pending={[u['update_id'] for u in self.pending_updates]}).{hint}\n"
                f"{self._describe_recent()}"
            )
            raise TimeoutError(msg)
        update = dropped()
        if update is not None:
            kind = next(key for key in update if key != "update_id")
            msg = (
                f"Update {update_id} ({kind}) was dropped: the bot polls with "
                f"allowed_updates={sorted(self._allowed_updates)} (no handler for {kind!r}?)"
            )
            raise UpdateDroppedError(msg)

    # ------------------------------------------------------------------ HTTP layer

    async def _parse_request(
        self, request: web.Request, method: str
    ) -> tuple[dict[str, Any], dict[str, bytes], dict[str, str]]:
        known = _aiogram_methods().get(method.lower())
        field_types = known[1] if known is not None else {}
        params: dict[str, Any] = {}
        files: dict[str, bytes] = {}
        file_names: dict[str, str] = {}
        raw: dict[str, str] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
                if not isinstance(body, dict):
                    msg = "JSON body must be an object"
                    raise ValueError(msg)
                params.update(body)
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, FileField):
                        files[key] = value.file.read()
                        file_names[key] = value.filename
                    elif isinstance(value, str):
                        raw[key] = value
                    else:
                        raw[key] = bytes(value).decode()
        for key, value in raw.items():
            params.setdefault(key, _decode_form_value(field_types.get(key), value))
        return params, files, file_names

    def _canonical_method(self, name: str) -> str:
        lowered = name.lower()
        for handled in (*self._handlers, *self._async_handlers):
            if handled.lower() == lowered:
                return handled
        known = _aiogram_methods().get(lowered)
        return known[0] if known is not None else name

    async def _handle_api(self, http_request: web.Request) -> web.Response:
        token = http_request.match_info["token"]
        method = self._canonical_method(http_request.match_info["method"])
        self.tokens_used.add(token)
        record = Request(method=method, params={}, files={}, token=token, at=self._clock())
        try:
            try:
                record.params, record.files, record.file_names = await self._parse_request(
                    http_request, method
                )
            except ValueError as exc:
                raise _bad_request(f"can't parse request: {exc}") from exc
            if self.latency:
                await asyncio.sleep(self.latency)
            if self._holding and method in RATE_LIMITED_METHODS:
                await self._held_until_let_go(record)
            result = await self._dispatch(record)
        except _TelegramError as error:
            record.ok = False
            record.error_code = error.error_code
            record.description = error.description
            if not isinstance(error, _AbandonedError):
                self._record(record)
            return web.json_response(error.body(), status=error.http_status)
        except Exception as exc:  # a bug in the fake: make it loud, not a hang
            logger.exception("FakeTelegramServer failed on %s", method)
            self.internal_errors.append(exc)
            failure = _TelegramError(500, f"Internal Server Error: fake server bug: {exc!r}")
            record.ok = False
            record.error_code = 500
            record.description = failure.description
            self._record(record)
            return web.json_response(failure.body(), status=500)
        record.result = copy.deepcopy(result)
        self._record(record)
        return web.json_response({"ok": True, "result": result})

    async def _handle_download(self, http_request: web.Request) -> web.Response:
        token = http_request.match_info["token"]
        file_path = http_request.match_info["file_path"]
        self.tokens_used.add(token)
        record = Request(
            method="downloadFile",
            params={"file_path": file_path},
            files={},
            token=token,
            at=self._clock(),
        )
        stored = self._files_by_path.get(file_path)
        if stored is None:
            error = _TelegramError(404, "Not Found")
            record.ok = False
            record.error_code = 404
            record.description = error.description
            self._record(record)
            return web.json_response(error.body(), status=404)
        self._record(record)
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    def _record(self, record: Request) -> None:
        self.requests.append(record)
        self._changed.notify_all()

    async def _dispatch(self, record: Request) -> Any:
        chat_id = record.chat_id
        for rule in self._faults:
            if rule.matches(record.method, chat_id):
                rule.remaining -= 1
                self._faults = [item for item in self._faults if item.remaining > 0]
                raise _TelegramError(
                    rule.error_code, rule.description, retry_after=rule.retry_after
                )
        async_handler = self._async_handlers.get(record.method)
        handler = self._handlers.get(record.method)
        if async_handler is None and handler is None:
            raise _TelegramError(404, "Not Found: method not found")
        if chat_id is not None:
            if chat_id in self._blocked_chats:
                raise _TelegramError(403, "Forbidden: bot was blocked by the user")
            if (
                self.require_started_chats
                and record.method in RATE_LIMITED_METHODS | {"sendChatAction"}
                and isinstance(chat_id, int)
                and chat_id > 0
                and chat_id not in self._started_chats
            ):
                raise _TelegramError(403, "Forbidden: bot can't initiate conversation with a user")
            if record.method in RATE_LIMITED_METHODS:
                self._check_limits(record, chat_id)
        if async_handler is not None:
            return await async_handler(record)
        assert handler is not None
        return handler(record)

    def _check_limits(self, record: Request, chat_id: ChatId) -> None:
        if self._limit_global is None and self._limit_per_chat is None:
            return
        now = record.at
        media = record.params.get("media")
        weight = len(media) if isinstance(media, list) and media else 1
        per_chat = self._sent_per_chat[chat_id]
        for window in (self._sent_global, per_chat):
            while window and window[0] <= now - 1.0:
                window.popleft()
        for kind, window, limit in (
            ("global", self._sent_global, self._limit_global),
            ("per_chat", per_chat, self._limit_per_chat),
        ):
            if limit is not None and len(window) + weight > limit:
                self.limit_violations[kind] += 1
                oldest = window[0] if window else now
                retry_after = max(1, math.ceil(oldest + 1.0 - now))
                raise _TelegramError(
                    429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
                )
        for _ in range(weight):
            self._sent_global.append(now)
            per_chat.append(now)

    # ------------------------------------------------------------------ method helpers

    def _require_chat(self, record: Request) -> ChatId:
        chat_id = record.chat_id
        if chat_id is None:
            raise _bad_request("chat_id is empty")
        if isinstance(chat_id, int) and chat_id == 0:
            raise _bad_request("chat not found")
        return chat_id

    def _formatted(
        self, record: Request, text_key: str, entities_key: str, *, limit: int, what: str
    ) -> tuple[str | None, list[JsonDict]]:
        text = record.params.get(text_key)
        if text is None:
            return None, []
        text = str(text)
        parse_mode = str(record.params.get("parse_mode") or "")
        entities: list[JsonDict] = []
        if parse_mode.lower() == "html":
            try:
                text, entities = parse_html(text)
            except HtmlParseError as exc:
                if self.strict:
                    raise _bad_request(f"can't parse entities: {exc}") from exc
        elif isinstance(record.params.get(entities_key), list):
            entities = list(record.params[entities_key])
        if self.strict:
            if what == "text" and not text.strip():
                raise _bad_request("message text is empty")
            if utf16_len(text) > limit:
                raise _bad_request(
                    "message is too long" if what == "text" else "message caption is too long"
                )
            lost: list[str] = []
            entities = keep_entities(entities, lost)
            self._note_losses(record, lost)
        return text, entities

    def _inline_markup(self, record: Request) -> JsonDict | None:
        """Validate reply_markup; return the inline keyboard Telegram shows (kept in the
        message), without the buttons it drops (see :mod:`fakes.markup`)."""
        markup = record.params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        if not self.strict:
            return copy.deepcopy(markup) if "inline_keyboard" in markup else None
        lost: list[str] = []
        try:
            if "keyboard" in markup:
                check_reply_keyboard(markup, lost)
            shown = inline_keyboard(markup, lost) if "inline_keyboard" in markup else None
        except MarkupRefusedError as refused:
            raise _bad_request(str(refused)) from refused
        self._note_losses(record, lost)
        return shown

    def _note_losses(self, record: Request, lost: list[str]) -> None:
        """Write down what Telegram would drop from this request without a word."""
        where = f"{record.method} chat={record.chat_id}"
        self.silently_dropped.extend(f"{where}: {loss}" for loss in lost)

    def _new_bot_message(self, chat_id: ChatId, record: Request, content: JsonDict) -> JsonDict:
        message: JsonDict = {
            "message_id": self._next_message_id(chat_id),
            "from": self.bot_user,
            "chat": self._chat(chat_id),
            "date": int(time.time()),
        }
        reply_to = record.params.get("reply_parameters")
        reply_id = reply_to.get("message_id") if isinstance(reply_to, dict) else None
        reply_id = reply_id or record.params.get("reply_to_message_id")
        if isinstance(reply_id, int) and reply_id in self._messages[chat_id]:
            original = copy.deepcopy(self._messages[chat_id][reply_id])
            original.pop("reply_to_message", None)
            message["reply_to_message"] = original
        message.update({key: value for key, value in content.items() if value is not None})
        self._messages[chat_id][message["message_id"]] = message
        return copy.deepcopy(message)

    def _resolve_file(self, record: Request, key: str, *, kind: str) -> StoredFile:
        """The file referenced by param ``key``: an upload, an attach://, a file_id or a URL."""
        value = record.params.get(key)
        if value is None and key in record.files:
            value = f"attach://{key}"
        if value is None:
            raise _bad_request(f"there is no {key.removesuffix('s')} in the request")
        if isinstance(value, str) and value.startswith("attach://"):
            attach = value.removeprefix("attach://")
            if attach not in record.files:
                raise _bad_request("wrong file identifier/HTTP URL specified")
            if len(record.files[attach]) > MAX_UPLOAD_SIZE:
                raise _TelegramError(413, "Request Entity Too Large")
            if self.strict and not record.files[attach]:
                raise _bad_request("file must be non-empty")
            file_name = record.file_names.get(attach) or attach
            mime_type = mimetypes.guess_type(file_name)[0]
            if kind == "photos":
                mime_type = None
            elif mime_type is None:
                mime_type = "application/octet-stream"
            return self.register_file(
                record.files[attach], file_name=file_name, mime_type=mime_type, kind=kind
            )
        if isinstance(value, str) and value in self._files:
            stored = self._files[value]
            if stored.file_path.startswith("photos/") != (kind == "photos"):
                raise _bad_request("type of file mismatch")  # a photo's id as a document's
            return stored
        if isinstance(value, str) and re.match(r"^https?://", value):
            name = PurePosixPath(value.split("?", 1)[0]).name or "file"
            return self.register_file(b"", file_name=name, kind=kind)
        raise _bad_request("wrong file identifier/HTTP URL specified")

    def _find_message(self, record: Request, *, action: str) -> tuple[ChatId, JsonDict]:
        chat_id = self._require_chat(record)
        message_id = record.params.get("message_id")
        message = self._messages[chat_id].get(message_id) if isinstance(message_id, int) else None
        if message is None:
            raise _bad_request(f"message to {action} not found")
        return chat_id, message

    # ------------------------------------------------------------------ methods

    def _true(self, record: Request) -> bool:
        return True

    def _get_me(self, record: Request) -> JsonDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _set_webhook(self, record: Request) -> bool:
        self.webhook_url = str(record.params["url"])
        return True

    def _delete_webhook(self, record: Request) -> bool:
        self.webhook_url = ""
        if record.params.get("drop_pending_updates") is True and self._updates:
            self._confirm(max(int(update["update_id"]) for update in self._updates) + 1)
        return True

    def _get_webhook_info(self, record: Request) -> JsonDict:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.pending_updates),
        }

    def _confirm(self, offset: int) -> None:
        if offset > self._confirmed_offset:
            self._confirmed_offset = offset
            self._changed.notify_all()

    def _deliverable(self) -> list[JsonDict]:
        dropped_ids = {update["update_id"] for update in self.dropped_updates}
        ready: list[JsonDict] = []
        for update in self._updates:
            update_id = update["update_id"]
            if update_id < self._confirmed_offset or update_id in dropped_ids:
                continue
            kind = next((key for key in update if key != "update_id"), "")
            if kind not in self._allowed_updates:
                self.dropped_updates.append(update)
                self._changed.notify_all()
                continue
            ready.append(update)
        return ready

    async def _get_updates(self, record: Request) -> list[JsonDict]:
        self._get_updates_calls += 1
        params = record.params
        offset = params.get("offset")
        limit = params.get("limit")
        limit = 100 if not isinstance(limit, int) or limit <= 0 else min(limit, 100)
        timeout = params.get("timeout")
        timeout = max(0, int(timeout)) if isinstance(timeout, int | float) else 0
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(map(str, allowed)) or DEFAULT_ALLOWED_UPDATES
        if isinstance(offset, int) and offset < 0:
            unconfirmed = self._deliverable()
            keep = unconfirmed[offset:]
            if keep:
                self._confirm(int(keep[0]["update_id"]))
            elif self._updates:
                self._confirm(max(int(update["update_id"]) for update in self._updates) + 1)
        elif isinstance(offset, int) and offset > 0:
            self._confirm(offset)

        # A newer getUpdates terminates an older pending one, as in Telegram.
        self._poll_generation += 1
        generation = self._poll_generation
        self._changed.notify_all()

        def ready() -> bool:
            return self._closing or generation != self._poll_generation or bool(self._deliverable())

        self._parked_polls += 1
        self._changed.notify_all()
        try:
            await self._changed.wait_until(ready, timeout)
        finally:
            self._parked_polls -= 1
        if generation != self._poll_generation:
            raise _TelegramError(409)
        return copy.deepcopy(self._deliverable()[:limit])

    def _send_message(self, record: Request) -> JsonDict:
        chat_id = self._require_chat(record)
        if record.params.get("text") is None and self.strict:
            raise _bad_request("message text is empty")
        text, entities = self._formatted(
            record, "text", "entities", limit=MAX_TEXT_LENGTH, what="text"
        )
        markup = self._inline_markup(record)
        content: JsonDict = {
            "text": text or "",
            "entities": entities or None,
            "reply_markup": markup,
        }
        return self._new_bot_message(chat_id, record, content)

    def _caption_content(self, record: Request) -> JsonDict:
        caption, entities = self._formatted(
            record, "caption", "caption_entities", limit=MAX_CAPTION_LENGTH, what="caption"
        )
        return {"caption": caption, "caption_entities": entities or None}

    def _send_document(self, record: Request) -> JsonDict:
        chat_id = self._require_chat(record)
        content = self._caption_content(record)
        markup = self._inline_markup(record)
        stored = self._resolve_file(record, "document", kind="documents")
        message = self._new_bot_message(
            chat_id, record, {"document": stored.as_document(), **content, "reply_markup": markup}
        )
        self._sent_files[chat_id].append((stored.file_name or stored.file_path, stored.data))
        return message

    def _send_photo(self, record: Request) -> JsonDict:
        chat_id = self._require_chat(record)
        content = self._caption_content(record)
        markup = self._inline_markup(record)
        stored = self._resolve_file(record, "photo", kind="photos")
        # Telegram shows the caption above the photo, and says so in the message it sends back.
        above = record.params.get("show_caption_above_media") or None
        message = self._new_bot_message(
            chat_id,
            record,
            {
                "photo": stored.as_photo(),
                **content,
                "show_caption_above_media": above,
                "reply_markup": markup,
            },
        )
        self._sent_files[chat_id].append((stored.file_name or stored.file_path, stored.data))
        return message

    def _send_media_group(self, record: Request) -> list[JsonDict]:
        chat_id = self._require_chat(record)
        media = record.params.get("media")
        if not isinstance(media, list) or not media:
            raise _bad_request('parameter "media" is required')
        if self.strict and len(media) not in MEDIA_GROUP_SIZES:
            raise _bad_request("wrong number of media in the album: 2 to 10 are allowed")
        prepared: list[tuple[JsonDict, StoredFile]] = []
        for index, item in enumerate(media):
            if not isinstance(item, dict) or item.get("type") not in {
                "photo",
                "document",
                "video",
                "audio",
            }:
                raise _bad_request(f"can't parse InputMedia: wrong media #{index}")
            sub = Request(
                method=record.method,
                params={
                    **item,
                    "parse_mode": item.get("parse_mode", record.params.get("parse_mode")),
                },
                files=record.files,
                token=record.token,
                at=record.at,
                file_names=record.file_names,
            )
            kind = "photos" if item["type"] == "photo" else "documents"
            prepared.append(
                (self._caption_content(sub), self._resolve_file(sub, "media", kind=kind))
            )
        self._media_group_counter += 1
        group_id = f"{13000000000000000 + self._media_group_counter}"
        messages: list[JsonDict] = []
        for item, (content, stored) in zip(media, prepared, strict=True):
            body: JsonDict = (
                {"photo": stored.as_photo()}
                if item["type"] == "photo"
                else {"document": stored.as_document()}
            )
            messages.append(
                self._new_bot_message(
                    chat_id, record, {**body, **content, "media_group_id": group_id}
                )
            )
            self._sent_files[chat_id].append((stored.file_name or stored.file_path, stored.data))
        return messages

    def _copy_content(self, record: Request) -> tuple[ChatId, JsonDict]:
        chat_id = self._require_chat(record)
        from_chat = _chat_key(record.params.get("from_chat_id"))
        message_id = record.params.get("message_id")
        source = (
            self._messages[from_chat].get(message_id)
            if from_chat is not None and isinstance(message_id, int)
            else None
        )
        if source is None:
            raise _bad_request("message to copy not found")
        keys = ("text", "entities", "document", "photo", "caption", "caption_entities")
        content = {key: copy.deepcopy(source[key]) for key in keys if key in source}
        media = content.get("document") or (content.get("photo") or [None])[-1]
        stored = self._files.get(str(media.get("file_id"))) if isinstance(media, dict) else None
        if stored is not None:
            self._sent_files[chat_id].append((stored.file_name or stored.file_path, stored.data))
        return chat_id, content

    def _copy_message(self, record: Request) -> JsonDict:
        chat_id, content = self._copy_content(record)
        if "caption" in record.params:
            content.update(self._caption_content(record))
        content["reply_markup"] = self._inline_markup(record)
        message = self._new_bot_message(chat_id, record, content)
        return {"message_id": message["message_id"]}

    def _forward_message(self, record: Request) -> JsonDict:
        chat_id, content = self._copy_content(record)
        from_chat = _chat_key(record.params.get("from_chat_id"))
        source = (
            self._messages[from_chat].get(record.params["message_id"], {})
            if from_chat is not None
            else {}
        )
        sender = source.get("from")
        if isinstance(sender, dict):
            content["forward_origin"] = {
                "type": "user",
                "date": source.get("date", 0),
                "sender_user": sender,
            }
        return self._new_bot_message(chat_id, record, content)

    def _edit_target(self, record: Request) -> tuple[ChatId, JsonDict] | None:
        if record.params.get("inline_message_id"):
            return None
        return self._find_message(record, action="edit")

    def _apply_edit(self, chat_id: ChatId, message: JsonDict, changes: JsonDict) -> JsonDict:
        updated = copy.deepcopy(message)
        for key, value in changes.items():
            if value is None:
                updated.pop(key, None)
            else:
                updated[key] = value
        if self.strict and updated == message:
            raise _bad_request(_NOT_MODIFIED.removeprefix("Bad Request: "))
        updated["edit_date"] = int(time.time())
        self._messages[chat_id][int(message["message_id"])] = updated
        return copy.deepcopy(updated)

    def _edit_message_text(self, record: Request) -> JsonDict | bool:
        if record.params.get("text") is None and self.strict:
            raise _bad_request("text must be non-empty")
        text, entities = self._formatted(
            record, "text", "entities", limit=MAX_TEXT_LENGTH, what="text"
        )
        markup = self._inline_markup(record)
        target = self._edit_target(record)
        if target is None:
            return True
        chat_id, message = target
        if "text" not in message:
            raise _bad_request("there is no text in the message to edit")
        return self._apply_edit(
            chat_id,
            message,
            {"text": text or "", "entities": entities or None, "reply_markup": markup},
        )

    def _edit_message_caption(self, record: Request) -> JsonDict | bool:
        content = self._caption_content(record)
        markup = self._inline_markup(record)
        target = self._edit_target(record)
        if target is None:
            return True
        chat_id, message = target
        if "text" in message:
            raise _bad_request("there is no caption in the message to edit")
        return self._apply_edit(chat_id, message, {**content, "reply_markup": markup})

    def _edit_message_reply_markup(self, record: Request) -> JsonDict | bool:
        markup = self._inline_markup(record)
        target = self._edit_target(record)
        if target is None:
            return True
        chat_id, message = target
        return self._apply_edit(chat_id, message, {"reply_markup": markup})

    @staticmethod
    def _deletable(message: JsonDict) -> bool:
        """Telegram deletes a message only within 48 hours of its sending (``date``)."""
        return time.time() - int(message.get("date", 0)) < MAX_DELETE_AGE

    def _delete_message(self, record: Request) -> bool:
        chat_id, message = self._find_message(record, action="delete")
        if self.strict and not self._deletable(message):
            raise _bad_request("message can't be deleted")
        del self._messages[chat_id][int(message["message_id"])]
        return True

    def _delete_messages(self, record: Request) -> bool:
        """Messages missing or too old to delete are skipped, as Telegram skips them."""
        chat_id = self._require_chat(record)
        ids = record.params.get("message_ids")
        if not isinstance(ids, list):
            raise _bad_request("message_ids is empty")
        for message_id in ids:
            message = self._messages[chat_id].get(message_id)
            if message is not None and (self._deletable(message) or not self.strict):
                del self._messages[chat_id][message_id]
        return True

    def _answer_callback_query(self, record: Request) -> bool:
        """A query is answered once: Telegram refuses a second answer as it refuses an unknown
        query, so a handler answering twice never shows its second text."""
        query_id = str(record.params.get("callback_query_id") or "")
        if self.strict:
            if query_id not in self._pending_callbacks or query_id in self.callback_answers:
                raise _bad_request(_QUERY_INVALID)
            text = record.params.get("text")
            if text is not None and utf16_len(str(text)) > MAX_CALLBACK_ANSWER_LENGTH:
                raise _bad_request("MESSAGE_TOO_LONG")
        self.callback_answers[query_id] = dict(record.params)
        return True

    @staticmethod
    def _commands_key(record: Request) -> tuple[str, str]:
        scope = record.params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(record.params.get("language_code") or "")

    def _set_my_commands(self, record: Request) -> bool:
        commands = record.params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request('parameter "commands" is required')
        if self.strict:
            if len(commands) > MAX_COMMANDS:
                raise _bad_request("BOT_COMMANDS_TOO_MUCH")
            for command in commands:
                name = str(command.get("command", "")) if isinstance(command, dict) else ""
                description = (
                    str(command.get("description", "")) if isinstance(command, dict) else ""
                )
                if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                    raise _bad_request("BOT_COMMAND_INVALID")
                if not description:
                    raise _bad_request("command description must be non-empty")
                if len(description) > MAX_COMMAND_DESCRIPTION_LENGTH:
                    raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(record)] = copy.deepcopy(commands)
        return True

    def _delete_my_commands(self, record: Request) -> bool:
        self.commands.pop(self._commands_key(record), None)
        return True

    def _get_my_commands(self, record: Request) -> list[JsonDict]:
        return copy.deepcopy(self.commands.get(self._commands_key(record), []))

    def _set_chat_menu_button(self, record: Request) -> bool:
        button = record.params.get("menu_button") or {"type": "default"}
        self.menu_buttons[record.chat_id] = copy.deepcopy(button)
        return True

    def _get_chat_menu_button(self, record: Request) -> JsonDict:
        button = self.menu_buttons.get(record.chat_id) or self.menu_buttons.get(None)
        return copy.deepcopy(button) if button else {"type": "default"}

    def _send_chat_action(self, record: Request) -> bool:
        self._require_chat(record)
        return True

    def _get_file(self, record: Request) -> JsonDict:
        stored = self._files.get(str(record.params.get("file_id") or ""))
        if stored is None:
            raise _bad_request("invalid file_id")
        if stored.file_size > MAX_DOWNLOAD_SIZE:
            raise _bad_request("file is too big")
        return stored.as_file()
