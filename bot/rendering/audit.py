"""An audit entry's change as one line for /audit, in the words of the forms that made it: a
field's label and its value as the form shows it (a button's label, a date as dd.mm.yyyy);
the keys no form asks are named in ``bot.texts.staff.AUDIT_KEYS``. Pure: no Telegram, no
database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.forms.engine import Field
from bot.forms.registry import FORMS
from bot.texts import common
from bot.texts import staff as t
from bot.texts.markup import SafeHtml, visible

LIMIT = 400  # characters of one entry's details; longer ones end in «…»
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _fields() -> dict[str, Field]:
    """Each field name's first declaration in the registry (names shared by forms, like
    «kind», mean the same thing)."""
    fields: dict[str, Field] = {}
    for form in FORMS:
        for field in form.spec.fields:
            fields.setdefault(field.name, field)
    return fields


def _choices() -> dict[str, dict[Any, str]]:
    """Every choice's label by field name, over all forms (the request's «kind» is a form's
    name, an event's «kind» a kind of event: their values do not clash)."""
    labels: dict[str, dict[Any, str]] = {}
    for form in FORMS:
        for field in form.spec.fields:
            labels.setdefault(field.name, {}).update((c.value, c.label) for c in field.choices)
    return labels


FIELDS, CHOICES = _fields(), _choices()


def _label(key: str) -> str:
    field = FIELDS.get(key)
    return t.AUDIT_KEYS.get(key) or (field.label if field is not None else key)


def _plain(value: Any, tz: ZoneInfo) -> str:
    """A moment with a zone is shown in ``tz``, one without it as it was typed (local)."""
    if isinstance(value, list):
        return ", ".join(_plain(item, tz) for item in value)
    if isinstance(value, str) and _ISO_MOMENT.match(value):
        moment = datetime.fromisoformat(value)
        local = moment if moment.tzinfo is None else moment.astimezone(tz)
        return local.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        return date.fromisoformat(value).strftime("%d.%m.%Y")
    return str(value)


def _value(key: str, value: Any, tz: ZoneInfo) -> str:
    if value is None or value == "" or value == []:
        return t.AUDIT_EMPTY_VALUE
    if key == "photos" and isinstance(value, list):
        return str(len(value))  # Telegram file ids say nothing to a person
    if isinstance(value, bool):
        return t.AUDIT_YES if value else t.AUDIT_NO
    if key == "role":
        return t.ROLE_NAMES.get(str(value), str(value))
    if key == "period" and isinstance(value, str) and _ISO_DAY.fullmatch(value):
        return common.period_name(date.fromisoformat(value))
    if key == "html" and isinstance(value, str):  # an announcement's text, kept as HTML
        return visible(SafeHtml(value))  # as read, tags aside (the line escapes it)
    if isinstance(value, str | int) and value in CHOICES.get(key, {}):
        return CHOICES[key][value]
    return _plain(value, tz)


def _part(key: str, before: Mapping[str, Any], after: Mapping[str, Any], tz: ZoneInfo) -> str:
    if key in before and key in after:
        return f"{_label(key)}: {_value(key, before[key], tz)} → {_value(key, after[key], tz)}"
    value = after[key] if key in after else before[key]
    return f"{_label(key)}: {_value(key, value, tz)}"


def change_summary(
    before: dict[str, Any] | None, after: dict[str, Any] | None, tz: ZoneInfo
) -> str:
    """A one-line «field: old → new» summary of an entry, cut to ``LIMIT`` characters; moments
    in ``tz``, the zone /audit shows its times in.

    Raw: the texts function building the /audit line escapes it.
    """
    before, after = before or {}, after or {}
    keys = dict.fromkeys([*before, *after])
    text = "; ".join(_part(key, before, after, tz) for key in keys)
    return text if len(text) <= LIMIT else text[: LIMIT - 1] + "…"
