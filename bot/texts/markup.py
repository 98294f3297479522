"""The one boundary where text from people and files enters HTML messages.

Messages go out with ``parse_mode=HTML``: a single unescaped ``<`` or ``&`` in a name, a
topic or an announcement makes Telegram refuse the whole message. Every value that came from
a person or a file passes through :func:`esc` where it is put into a text, and that place is
the texts function building the message: its docstring names the parameters that are raw
(``topic`` is raw: escaped here). Callers pass raw values and never escape, so nothing is
escaped twice: ``&amp;`` typed by a person arrives as ``&amp;``.

Button labels are not HTML (Telegram shows them as they are) and are never escaped.

Staff's long texts to chairs (an announcement) keep the formatting typed in Telegram (bold, a
hidden link): aiogram turns the message's entities into HTML with the text and the link
addresses escaped (``handlers.formatting.formatted_html``), and that value is a
:data:`SafeHtml`, put into messages as it is and never through :func:`esc` again; a plain
value becomes one by :func:`as_html`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from html import escape, unescape
from typing import NewType


def esc(value: object) -> str:
    """``value`` as text that Telegram's HTML parser shows exactly as typed.

    Quotes stay as typed: no attribute value is ever built from a person's text.
    """
    return escape(str(value), quote=False)


SafeHtml = NewType("SafeHtml", str)
"""HTML Telegram parses as meant: made by aiogram from a message's entities (its text escaped)
or by :func:`as_html` from plain text. Shown as it is: escaping it again shows its tags."""

_TAG = re.compile(r"<[^>]*>")
_TOKEN = re.compile(r"<(/?)([a-z-]+)[^>]*>|&(?:[a-z]+|#[0-9]+|#x[0-9a-f]+);|.", re.I | re.S)


def as_html(raw: str) -> SafeHtml:
    """Plain ``raw`` text (typed without formatting, or stored before formatting was kept)
    as HTML showing it exactly."""
    return SafeHtml(esc(raw))


def visible(html: SafeHtml) -> str:
    """The text a person sees of ``html``: what Telegram counts, tags not included."""
    return unescape(_TAG.sub("", html))


TELEGRAM_TEXT_LIMIT = 4096  # a message's text after entity parsing, in UTF-16 code units
TELEGRAM_ENTITY_LIMIT = 100
"""Formatted pieces (a bold word, a link) Telegram shows in one message: past them it sends the
rest of the text plain, a link's address lost, and says nothing."""
FORMATTED_MAX = TELEGRAM_ENTITY_LIMIT - 4
"""The pieces a person's formatted text may carry: the frame a message puts around it (a bold
title, a note, the question under a preview: two today) must fit beside it, with room to spare."""


def formatted_pieces(html: SafeHtml) -> int:
    """How many formatted pieces Telegram makes of ``html``: one per tag pair (the ``<code>``
    holding a ``<pre>`` block's language is part of the block)."""
    return len(re.findall(r"<[a-z]", html, re.IGNORECASE)) - html.count("<pre><code")


CLIPPED = " … (сокращено: целиком не помещается в сообщение Telegram)"


def utf16_len(text: str) -> int:
    """Length as Telegram measures it: in UTF-16 code units (an emoji counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def clip(value: str, limit: int) -> str:
    """``value`` (raw) cut to at most ``limit`` UTF-16 units, the cut said so with ``CLIPPED``.

    Used where a person's long text goes into a frame that must fit one Telegram message;
    form limits count characters, while Telegram counts emoji twice.
    """
    if utf16_len(value) <= limit:
        return value
    room = max(limit - utf16_len(CLIPPED), 0)
    kept: list[str] = []
    for char in value:
        room -= utf16_len(char)
        if room < 0:
            break
        kept.append(char)
    return "".join(kept).rstrip() + CLIPPED


def clip_html(html: SafeHtml, limit: int) -> SafeHtml:
    """``html`` whose visible text is cut to at most ``limit`` UTF-16 units, as :func:`clip`
    does a plain value: the cut falls between characters, never inside a tag or an ``&lt;``,
    and the tags open at the cut are closed, so Telegram still parses it."""
    if utf16_len(visible(html)) <= limit:
        return html
    room = max(limit - utf16_len(CLIPPED), 0)
    kept: list[str] = []
    open_tags: list[str] = []
    for token in _TOKEN.finditer(html):
        if token.group(2):
            if token.group(1):
                open_tags.pop()
            else:
                open_tags.append(token.group(2))
        else:
            room -= utf16_len(unescape(token.group(0)))
            if room < 0:
                break
        kept.append(token.group(0))
    closing = "".join(f"</{name}>" for name in reversed(open_tags))
    return SafeHtml("".join(kept).rstrip() + closing + esc(CLIPPED))


ALERT_LIMIT = 200
"""UTF-16 units of a callback answer's text (the toast or alert under a tapped button): Telegram
refuses a longer one whole, and the person is left with a spinner and no answer. Alerts are
plain text, not HTML: nothing in them is escaped. A list in one is cut with :func:`fitting`."""

LIST_ROOM = 3500
"""UTF-16 units a list inside one message may take: the rest of the 4096 is its frame."""


def fitting(
    items: Sequence[str], more: Callable[[int], str], *, room: int = LIST_ROOM, sep: str = "\n"
) -> str:
    """``items`` (already escaped) joined by ``sep`` as far as ``room`` allows, then ``more(N)``
    for the N left out: a list as long as a district (300 ППО, 150 blocked chairs) still
    goes out as one message instead of being refused whole."""
    shown: list[str] = []
    size = 0
    for item in items:
        size += utf16_len(item) + utf16_len(sep)
        if size > room:
            break
        shown.append(item)
    rest = len(items) - len(shown)
    return sep.join([*shown, more(rest)] if rest else shown)
