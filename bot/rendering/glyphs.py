"""Text from people as matplotlib draws it in a chart.

Two things in a ППО's or a district's name go wrong on a chart while the message text and
the .xlsx keep them. A pair of ``$`` makes matplotlib read what lies between as a formula
(``Школа $5$`` in italics, ``$\\frac$`` raises and the chart is lost): ``bot.rendering.charts``
turns that reading off for the process with :data:`NO_FORMULAS` when it is imported (a
per-figure ``rc_context`` would race between the threads that draw). And the chart font
(DejaVu Sans, shipped with matplotlib) has no emoji: each one would be an empty box and a
warning in the log, so :func:`drawable` leaves out what the font cannot draw.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from matplotlib.font_manager import FontProperties, findfont
from matplotlib.ft2font import FT2Font
from matplotlib.typing import RcKeyType

NO_FORMULAS: dict[RcKeyType, Any] = {"text.parse_math": False}
"""matplotlib settings under which ``$`` in a text is a dollar sign, never mathtext."""


@cache
def _font_has() -> frozenset[int]:
    """The code points the default chart font can draw."""
    return frozenset(FT2Font(findfont(FontProperties())).get_charmap())


def drawable(text: str) -> str:
    """``text`` on one line, as typed but for the characters the chart font cannot draw."""
    has = _font_has()
    kept = "".join(char if ord(char) in has else " " for char in text)
    return " ".join(kept.split())
