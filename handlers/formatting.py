"""A message's formatting as the HTML a form keeps (``Field.formatted``: staff's long texts).

aiogram's ``Message.html_text`` escapes the text but puts a link's address into
``href="…"`` as it is: an address with ``&copy=1`` or ``&lt=2`` in its query is read back by
Telegram's parser as «©=1», «<=2» (a changed link), and one with ``"`` breaks the tag. Here
the attribute values are escaped too, so the link reaches chairs exactly as it was typed; so
does a code block's language, in the attribute Telegram reads it from. A custom emoji is
written as its plain one, the only one a bot can send.
"""

from __future__ import annotations

from html import escape

from aiogram.types import Message
from aiogram.utils.text_decorations import HtmlDecoration

from bot.texts.markup import SafeHtml


class _AttributesEscaped(HtmlDecoration):
    def link(self, value: str, link: str) -> str:
        return super().link(value, escape(link, quote=True))

    def pre_language(self, value: str, language: str) -> str:
        """Telegram reads a code block's language from ``<code class="language-…">``; aiogram
        writes it as ``language="…"``, which Telegram ignores: the chairs' block lost it."""
        language = f"language-{escape(language, quote=True)}"
        return self._tag(self.PRE_TAG, self._tag(self.CODE_TAG, value, attrs={"class": language}))

    def custom_emoji(self, value: str, custom_emoji_id: str) -> str:
        """A custom emoji (Telegram Premium's) is kept as the plain emoji it stands for: a bot
        without a username bought on Fragment cannot send it, and Telegram shows the plain one
        in its place without a word; so the preview shows what the chairs will see."""
        return value


_DECORATION = _AttributesEscaped()


def formatted_html(message: Message) -> SafeHtml:
    """The message's text with its formatting as HTML Telegram parses back to the same."""
    text = message.text or message.caption or ""
    entities = message.entities or message.caption_entities or []
    return SafeHtml(_DECORATION.unparse(text=text, entities=entities))
