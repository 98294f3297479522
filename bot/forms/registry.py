"""Every form the bot runs, listed once. The lookup by the name a draft or a button stores,
the forms' commands (menu, /help, refusals), the chair's keyboard and the reminder buttons
are derived from this list; a new form is one more line here."""

from __future__ import annotations

from typing import Any

from bot.domain.announcements import ANNOUNCEMENT_FORM
from bot.domain.audience import Audience
from bot.domain.corrections import RETURN_FORM
from bot.domain.district_event_answers import CAME_FORM, REPLY_FORM, STAFF_CAME_FORM
from bot.domain.district_event_move import MOVE_FORM
from bot.domain.district_events import DISTRICT_EVENT_FORM
from bot.domain.events import EVENT_FORM
from bot.domain.membership import CORRECTION_FORM, MEMBERSHIP_FORM
from bot.domain.org_admin import RENAME_FORM, TIMEZONE_FORM
from bot.domain.passport import PASSPORT_FORM
from bot.domain.plan_done import PLAN_DONE_FORM
from bot.domain.plan_item_form import PLAN_ITEM_FORM
from bot.domain.requests import request_form
from bot.domain.reserve import RESERVE_FORM
from bot.forms.declaration import Form
from bot.forms.digest_section import DigestSection

CHAIR_FORMS: tuple[Form[Any], ...] = (
    MEMBERSHIP_FORM,
    CORRECTION_FORM,
    EVENT_FORM,
    PASSPORT_FORM,
    RESERVE_FORM,
)
"""What chairs fill in: what /request may ask them for is read off these."""
FORMS: tuple[Form[Any], ...] = (
    *CHAIR_FORMS,
    request_form(CHAIR_FORMS),
    ANNOUNCEMENT_FORM,
    DISTRICT_EVENT_FORM,
    REPLY_FORM,
    CAME_FORM,
    STAFF_CAME_FORM,
    MOVE_FORM,
    RETURN_FORM,
    RENAME_FORM,
    TIMEZONE_FORM,
    PLAN_DONE_FORM,
    PLAN_ITEM_FORM,
)
_BY_NAME = {form.name: form for form in FORMS}
assert len(_BY_NAME) == len(FORMS), "two forms declared under one name"
DIGEST_SECTIONS: tuple[DigestSection[Any], ...] = tuple(
    form.digest for form in FORMS if form.digest is not None
)
"""What the forms add to the staff digest, in the order listed."""


def form_named(name: str) -> Form[Any] | None:
    return _BY_NAME.get(name)


def form_of_draft(name: str) -> Form[Any]:
    """The form a draft was started with (a draft always names a declared form)."""
    return _BY_NAME[name]


def forms_for(audience: Audience) -> tuple[Form[Any], ...]:
    """The forms with a command for ``audience``, in the order listed."""
    return tuple(form for form in FORMS if form.menu is not None and form.audience & audience)
