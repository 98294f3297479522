"""Typed callback data. The version in each prefix retires buttons left in old messages."""

from __future__ import annotations

import enum
from datetime import date
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field, PlainSerializer

from bot.forms.parsers import RECORD_NUMBER_MAX

#: A row's id (or 0 for none) as a button carries it, bounded like the database's integer
#: columns: a tampered number past them fails to unpack, and the tap is answered as a button
#: no handler knows, instead of reaching PostgreSQL, which refuses a parameter past int32.
RowId = Annotated[int, Field(ge=0, le=RECORD_NUMBER_MAX)]


class FormAction(enum.StrEnum):
    PICK = "pick"
    PREVIOUS = "prev"  # last time's (or the current) value, looked up when tapped
    SKIP = "skip"
    BACK = "back"
    CANCEL = "cancel"
    CONFIRM = "ok"
    EDIT_MENU = "edits"
    EDIT = "edit"
    SUMMARY = "sum"
    SHORTCUT = "quick"  # «как в прошлый раз» for a block of questions
    EARLIER = "again"  # a question asked again: its answer before, looked up when tapped


class FormCb(CallbackData, prefix="f1"):
    """A button under a form question; ``token`` and ``step`` tie it to one draft's question."""

    token: str
    step: str
    action: FormAction
    value: str = ""


TOKEN_LENGTH = 12


def short_token(token: str) -> str:
    return token[:TOKEN_LENGTH]


class EventAction(enum.StrEnum):
    OPEN = "open"
    CORRECT = "fix"
    DELETE = "del"
    DELETE_YES = "dely"
    DELETE_NO = "deln"


class EventCb(CallbackData, prefix="e1"):
    action: EventAction
    event_id: RowId


class OpenForm(CallbackData, prefix="r1"):
    """Opens a form for one ППО: under a reminder, a returned report, the passport card, or
    when a chair of several ППО picks which one a form is for."""

    form: str
    org_id: RowId


class OrgChoicePage(CallbackData, prefix="op1"):
    """«Ещё…» / «Назад» under a chair's choice of the ППО a form is for: the page to show."""

    form: str
    page: RowId


class ReserveAction(enum.StrEnum):
    LIST = "list"
    REMOVE = "rm"
    REMOVE_YES = "rmy"
    KEEP = "keep"


class ReserveCb(CallbackData, prefix="kr1"):
    """The leadership reserve under the passport card: list it, remove a person (asked first).
    ``person_id`` 0 for the list."""

    action: ReserveAction
    org_id: RowId
    person_id: RowId = 0


class ReportPeriod(CallbackData, prefix="rq1"):
    """A chair with two requests open at once picks which one a report answers."""

    org_id: RowId
    collection_id: RowId


class ScopeRegionPick(CallbackData, prefix="sr1"):
    """An admin of more districts than one message has buttons for picks the region first;
    the pick's message then shows that region's districts (``ScopePick``)."""

    command: str
    region_id: RowId


class ScopePage(CallbackData, prefix="sg1"):
    """«Ещё…» / «Назад» under a pick of the scope a command is for: the page to show of the
    sender's scopes (``region_id`` 0), or of their districts in one region."""

    command: str
    region_id: RowId
    page: RowId


class ScopePick(CallbackData, prefix="s2"):
    """Staff holding several districts (or an admin) pick which one a command is for; the
    command's words are read from the message the pick answers (they may not fit here)."""

    command: str
    org_id: RowId


class ReturnPick(CallbackData, prefix="rp2"):
    """A ППО picked for /return; ``report_id``: the report its card showed, the one «Вернуть»
    sends back (0: no card yet)."""

    org_id: RowId
    report_id: RowId = 0


class OrgAction(enum.StrEnum):
    OPEN = "open"
    RENAME = "ren"
    MOVE = "mv"
    MOVE_TO = "mvto"
    MOVE_PAGE = "mvpg"  # «Ещё…» / «Назад» under the districts to move to: ``target`` the page
    TIMEZONE = "tz"
    ARCHIVE = "arc"
    RESTORE = "res"
    CURATOR = "cur"
    ROLES = "roles"


class OrgCb(CallbackData, prefix="g1"):
    """A button of an organization's card; ``target``: the district a ППО moves to, or the
    page of districts shown."""

    org_id: RowId
    action: OrgAction
    target: RowId = 0


class RoleRevoke(CallbackData, prefix="rv1"):
    grant_id: RowId


class JoinCb(CallbackData, prefix="j1"):
    """A registered person's answer to «подключиться по этой ссылке?»: carries the code."""

    code: str
    join: bool


class ConsentCb(CallbackData, prefix="pd1"):
    """The answer to the consent question; carries the invite code (22 characters), so nothing
    about the person is stored before they agree."""

    code: str
    agree: bool


class ForgetCb(CallbackData, prefix="fg1"):
    """An admin confirms (or drops) erasing a person."""

    person_id: RowId
    confirm: bool


class DistrictEventAction(enum.StrEnum):
    COMING = "yes"  # a chair: «будем»
    DECLINE = "no"  # a chair: «не сможем»
    CAME = "came"  # a chair: how many came
    OPEN = "open"  # staff: the event's card and table
    STAFF_CAME = "scame"  # staff: attendance per ППО
    MOVE = "move"  # staff: another day, hour or place (a form)
    CANCEL = "cancel"  # staff: call it off (asks first)
    CANCEL_YES = "cany"  # staff: yes, call it off
    CANCEL_NO = "cann"  # staff: no, keep it


class DistrictEventCb(CallbackData, prefix="de1"):
    """A district event's button; ``org_id`` is the invited ППО of a chair's button."""

    action: DistrictEventAction
    event_id: RowId
    org_id: RowId = 0


class PlanDone(CallbackData, prefix="pl1"):
    """«Выполнено» under a plan reminder: the item and the unit (the ППО id, 0 for staff)."""

    item_id: RowId
    unit: RowId


#: A day as a button carries it (2027-06-30): a tampered one fails to unpack.
Day = Annotated[date, PlainSerializer(date.isoformat, return_type=str)]


class PlanStageDone(CallbackData, prefix="ps1"):
    """«Выполнено» under the reminder of one stage of an item due in stages: the stage's day
    rides with it, so the press marks the stage reminded of, not an earlier one missed.
    (``PlanDone``, under reminders sent before, marks the earliest stage not marked.)"""

    item_id: RowId
    unit: RowId
    due: Day
