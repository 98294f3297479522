"""The passport of a ППО (паспорт ППО, seed 002 item 6), described as data."""

from __future__ import annotations

from bot.forms.engine import Field, FormSpec
from bot.forms.fields import asked_when, yes_or_no
from bot.forms.parsers import (
    date_ahead,
    date_held,
    link,
    phone,
    show_date,
    text,
    whole_number,
)
from bot.texts import passport as t

PASSPORT = FormSpec(
    name="passport",
    title=t.TITLE,
    fields=(
        Field(
            "institution",
            t.L_INSTITUTION,
            t.Q_INSTITUTION,
            text(maximum=500, minimum=3, one_line=True),
        ),
        Field("address", t.L_ADDRESS, t.Q_ADDRESS, text(maximum=500, minimum=5), optional=True),
        Field("chair_full_name", t.L_CHAIR, t.Q_CHAIR, text(maximum=200, minimum=5, one_line=True)),
        Field("chair_phone", t.L_PHONE, t.Q_PHONE, phone, optional=True),
        Field("workers", t.L_WORKERS, t.Q_WORKERS, whole_number(minimum=1), optional=True),
        yes_or_no("agreement", t.L_AGREEMENT, t.Q_AGREEMENT, optional=True),
        Field(
            "agreement_until",
            t.L_AGREEMENT_UNTIL,
            t.Q_AGREEMENT_UNTIL,
            date_ahead,
            optional=True,
            ask_if=asked_when("agreement", True),
            show=show_date,
        ),
        yes_or_no("youth_council", t.L_YOUTH_COUNCIL, t.Q_YOUTH_COUNCIL, optional=True),
        Field("site_url", t.L_SITE, t.Q_SITE, link, optional=True),
        Field("social_url", t.L_SOCIAL, t.Q_SOCIAL, link, optional=True),
        yes_or_no("stand", t.L_STAND, t.Q_STAND, optional=True),
        yes_or_no("corner", t.L_CORNER, t.Q_CORNER, optional=True),
        Field(
            "info_person",
            t.L_INFO_PERSON,
            t.Q_INFO_PERSON,
            text(maximum=200, minimum=5),
            optional=True,
        ),
        Field(
            "public_report_on",
            t.L_PUBLIC_REPORT,
            t.Q_PUBLIC_REPORT,
            date_held,
            optional=True,
            show=show_date,
        ),
        yes_or_no("members_registry", t.L_REGISTRY, t.Q_REGISTRY, optional=True),
    ),
)
"""``members_registry``: seed 002 item 3, «Ведение электронного учета членов профсоюза — постоянно»,
and section VI, «переводу автономного бумажного и/или электронного учета членов Профсоюза на
электронный учет в АИС «Единый реестр Общероссийского Профсоюза образования»».

``public_report_on``: seed 002 item 26, «Создание Публичных отчетов всеми первичными
профсоюзными организациями с обязательным доведением в доступной форме до социальных
партнеров» — ежегодно: a document each ППО makes public once a year, so a fact of its card
(the day it was last given), not an event with participants."""

RESERVE = FormSpec(
    name="reserve",
    title=t.RESERVE_TITLE,
    fields=(
        Field("full_name", t.L_RESERVE_NAME, t.Q_RESERVE_NAME, text(maximum=200, minimum=5)),
        Field("position", t.L_RESERVE_POSITION, t.Q_RESERVE_POSITION, text(maximum=200, minimum=3)),
        yes_or_no("under_35", t.L_RESERVE_YOUNG, t.Q_RESERVE_YOUNG),
        yes_or_no("trained", t.L_RESERVE_TRAINED, t.Q_RESERVE_TRAINED),
    ),
)
"""One person of the leadership reserve (кадровый резерв, seeds 001 item 6, 002 item 7:
«Обновление сведений о профсоюзном резерве, организация работы по его обучению»)."""
