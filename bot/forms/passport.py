"""The passport of a ППО (паспорт ППО, seed 002 item 6), described as data."""

from __future__ import annotations

from bot.forms.engine import Field, FormSpec
from bot.forms.parsers import (
    YES_NO_CHOICES,
    link,
    phone,
    show_date,
    show_yes_no,
    single_date,
    text,
    whole_number,
    yes_no,
)
from bot.texts import passport as t


def _yes_no(name: str, label: str, prompt: str) -> Field:
    return Field(
        name, label, prompt, yes_no, optional=True, choices=YES_NO_CHOICES, show=show_yes_no
    )


PASSPORT = FormSpec(
    name="passport",
    title=t.TITLE,
    fields=(
        Field("institution", t.L_INSTITUTION, t.Q_INSTITUTION, text(maximum=500, minimum=3)),
        Field("address", t.L_ADDRESS, t.Q_ADDRESS, text(maximum=500, minimum=5), optional=True),
        Field("chair_full_name", t.L_CHAIR, t.Q_CHAIR, text(maximum=200, minimum=5)),
        Field("chair_phone", t.L_PHONE, t.Q_PHONE, phone, optional=True),
        Field("workers", t.L_WORKERS, t.Q_WORKERS, whole_number(minimum=1), optional=True),
        _yes_no("agreement", t.L_AGREEMENT, t.Q_AGREEMENT),
        Field(
            "agreement_until",
            t.L_AGREEMENT_UNTIL,
            t.Q_AGREEMENT_UNTIL,
            single_date,
            optional=True,
            ask_if=lambda a: a.get("agreement") is True,
            show=show_date,
        ),
        _yes_no("youth_council", t.L_YOUTH_COUNCIL, t.Q_YOUTH_COUNCIL),
        Field("site_url", t.L_SITE, t.Q_SITE, link, optional=True),
        Field("social_url", t.L_SOCIAL, t.Q_SOCIAL, link, optional=True),
        _yes_no("stand", t.L_STAND, t.Q_STAND),
        _yes_no("corner", t.L_CORNER, t.Q_CORNER),
        Field(
            "info_person",
            t.L_INFO_PERSON,
            t.Q_INFO_PERSON,
            text(maximum=200, minimum=5),
            optional=True,
        ),
    ),
)

RESERVE = FormSpec(
    name="reserve",
    title=t.RESERVE_TITLE,
    fields=(
        Field("full_name", t.L_RESERVE_NAME, t.Q_RESERVE_NAME, text(maximum=200, minimum=5)),
        Field("position", t.L_RESERVE_POSITION, t.Q_RESERVE_POSITION, text(maximum=200, minimum=3)),
        Field(
            "under_35",
            t.L_RESERVE_YOUNG,
            t.Q_RESERVE_YOUNG,
            yes_no,
            choices=YES_NO_CHOICES,
            show=show_yes_no,
        ),
    ),
)
"""One person of the leadership reserve (кадровый резерв, seeds 001 item 6, 002 item 7)."""
