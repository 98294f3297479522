"""The parser of staff's long texts to chairs (an announcement, a returned report's comment):
the HTML made from the message's formatting, bounded by what Telegram shows of it."""

from __future__ import annotations

from bot.forms.engine import InvalidAnswer, ParseEnv, Parser
from bot.texts import forms as t
from bot.texts.markup import FORMATTED_MAX, SafeHtml, formatted_pieces, visible


def formatted_text(*, maximum: int, minimum: int = 2) -> Parser:
    """Staff's long text to chairs as HTML with its formatting (``formatted_html``), returned as
    it is; the bounds count what the reader sees, and its formatted pieces (``FORMATTED_MAX``)."""

    def parse(raw: str, env: ParseEnv) -> SafeHtml:
        html = SafeHtml(raw.strip())
        shown = len(visible(html).strip())
        if shown < minimum:
            raise InvalidAnswer(t.text_too_short(minimum))
        if shown > maximum:
            raise InvalidAnswer(t.text_too_long(maximum, shown))
        if (pieces := formatted_pieces(html)) > FORMATTED_MAX:
            raise InvalidAnswer(t.too_much_formatting(pieces, FORMATTED_MAX))
        return html

    return parse
