"""The event report form, described as data."""

from __future__ import annotations

from bot.forms.engine import Answers, Choice, Field, FormSpec, Rule
from bot.forms.fields import asked_when, one_of
from bot.forms.parsers import (
    TODAY,
    YESTERDAY,
    date_range,
    either,
    keyword,
    photos_only,
    show_date_range,
    text,
    whole_number,
)
from bot.texts import events as t

KIND_CHOICES = tuple(Choice(value, label) for value, label in t.KINDS)
DIRECTION_CHOICES = tuple(Choice(value, label) for value, label in t.DIRECTIONS)
DIRECTION_LABELS = dict(t.DIRECTIONS)
DIRECTION = one_of("direction", t.L_DIRECTION, t.Q_DIRECTION, DIRECTION_CHOICES)
"""The direction of work (seed 004's list): asked of a chair's event and a district's alike."""
KIND_OTHER = Field(
    "kind_other",
    t.L_KIND_OTHER,
    t.Q_KIND_OTHER,
    text(maximum=100),
    ask_if=asked_when("kind", "other"),
)
"""The name of a kind «Другое»: without it a chair's or a district's event shows as «Другое»."""
ONLINE = "@online"
MIXED = "@mixed"
"""Held in person and streamed at once (seed 003): the place and the online views both."""
STREAMED = frozenset({ONLINE, MIXED})
MAX_PHOTOS = 5


def _show_photos(value: object) -> str:
    return str(len(value)) if isinstance(value, list) else "0"


def _someone_took_part(answers: Answers) -> str | None:
    """Participants are the people who took part in the hall or online with feedback; views
    are the stream's connections (seed 003 counts «приняли участие» and «подключений к
    трансляции» apart, and the rating leaves views out). A stream only watched has views and
    nobody taking part: 0 is right there, and asking for at least 1 made chairs type the
    views again, counted twice as people trained. Anywhere else, someone took part."""
    if answers["participants"] > 0:
        return None
    streamed_only = answers.get("place") == ONLINE and bool(answers.get("views"))
    return None if streamed_only else t.NOBODY_TOOK_PART


_TOOK_PART = tuple(
    Rule((*changed, "participants"), _someone_took_part) for changed in ((), ("place",), ("views",))
)
"""Checked at «Участников», and again when the place or the views change beside 0 of them."""


EVENT = FormSpec(
    name="event",
    title=t.TITLE,
    fields=(
        one_of("kind", t.L_KIND, t.Q_KIND, KIND_CHOICES),
        KIND_OTHER,
        Field("topic", t.L_TOPIC, t.Q_TOPIC, text(maximum=300, minimum=3)),
        Field(
            "dates",
            t.L_DATES,
            t.Q_DATES,
            date_range,
            choices=(Choice(TODAY, t.BTN_TODAY), Choice(YESTERDAY, t.BTN_YESTERDAY)),
            show=show_date_range,
        ),
        Field(
            "place",
            t.L_PLACE,
            t.Q_PLACE,
            either(
                keyword({t.ONLINE, "online", ONLINE}, ONLINE),
                keyword({t.MIXED, MIXED}, MIXED),
                text(maximum=300),
            ),
            choices=(Choice(ONLINE, t.BTN_ONLINE), Choice(MIXED, t.BTN_MIXED)),
        ),
        Field(
            "venue",
            t.L_VENUE,
            t.Q_VENUE,
            text(maximum=300),
            ask_if=asked_when("place", MIXED),
        ),
        Field(
            "views",
            t.L_VIEWS,
            t.Q_VIEWS,
            whole_number(maximum=10_000_000),
            optional=True,
            ask_if=asked_when("place", *STREAMED),
        ),
        Field(
            "participants",
            t.L_PARTICIPANTS,
            t.Q_PARTICIPANTS,
            whole_number(minimum=0, maximum=100_000),
        ),
        DIRECTION,
        Field(
            "photos",
            t.L_PHOTOS,
            t.Q_PHOTOS,
            photos_only,
            optional=True,
            photos=MAX_PHOTOS,
            show=_show_photos,
            offer_previous=False,
            rereadable=False,  # photos sent in the chat: no typing gives them
        ),
        Field("description", t.L_DESCRIPTION, t.Q_DESCRIPTION, text(maximum=1000), optional=True),
    ),
    rules=_TOOK_PART,
)
