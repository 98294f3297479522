"""Parsers for typed answers: each returns a JSON-safe value or raises InvalidAnswer."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.forms.engine import InvalidAnswer
from bot.texts import forms as t

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_UNIT = re.compile(r"\s*(чел\.?|человек[а]?)\s*$", re.IGNORECASE)
_FRACTION = re.compile(r"^-?\d+[.,]\d+$")


def whole_number(*, minimum: int = 0, maximum: int = 100_000) -> Callable[[str], int]:
    """A count typed by a person: «1 234», «25 чел.» are fine; letters, fractions are not."""

    def parse(raw: str) -> int:
        text = _UNIT.sub("", raw.strip())
        text = _SPACES.sub("", text)
        if not text:
            raise InvalidAnswer(t.EMPTY_ANSWER)
        if _FRACTION.match(text):
            raise InvalidAnswer(t.FRACTION)
        if text.startswith(("-", "−")) and text[1:].isdigit():
            raise InvalidAnswer(t.NEGATIVE)
        if not text.isdigit():
            raise InvalidAnswer(t.NOT_A_NUMBER)
        value = int(text)
        if value > maximum:
            raise InvalidAnswer(t.too_big(maximum))
        if value < minimum:
            raise InvalidAnswer(t.too_small(minimum))
        return value

    return parse
