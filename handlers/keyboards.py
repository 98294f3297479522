"""Keyboards: built from data, labels from the texts modules."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain.audience import Audience
from bot.domain.membership import CORRECTION_FORM
from bot.domain.passport import PASSPORT_FORM
from bot.domain.reserve import RESERVE_FORM
from bot.forms.declaration import PickOption
from bot.forms.engine import SUMMARY, Field, FormSpec
from bot.forms.registry import form_named, forms_for
from bot.texts import admin as ta
from bot.texts import common
from bot.texts import consent as tc
from bot.texts import events as te
from bot.texts import forms as t
from bot.texts import passport as tp
from bot.texts import staff as ts
from bot.texts.markup import clip
from handlers.callbacks import (
    ConsentCb,
    EventAction,
    EventCb,
    ForgetCb,
    FormAction,
    FormCb,
    JoinCb,
    OpenForm,
    OrgAction,
    OrgCb,
    OrgChoicePage,
    ReportPeriod,
    ReserveAction,
    ReserveCb,
    ReturnPick,
    RoleRevoke,
    ScopePage,
    ScopePick,
    ScopeRegionPick,
    short_token,
)
from handlers.paging import paged
from storage.models import Event, Organization, OrgKind, ReservePerson

BUTTONS_PER_MESSAGE = 100  # Telegram refuses a message with more


def inline(buttons: Iterable[tuple[str, CallbackData]], per_row: int = 8) -> InlineKeyboardMarkup:
    """An inline keyboard of (label, callback data) buttons, ``per_row`` a row at most."""
    kb = InlineKeyboardBuilder()
    for label, data in buttons:
        kb.button(text=label, callback_data=data)
    kb.adjust(per_row)
    return kb.as_markup()


def chair_menu() -> ReplyKeyboardMarkup:
    """The chair's forms with a button (as the registry lists them), their history, help."""
    labels = [
        form.menu.button
        for form in forms_for(Audience.CHAIR)
        if form.menu is not None and form.menu.button is not None
    ]
    labels.append(common.MENU_HISTORY)
    rows = [labels[i : i + 2] for i in range(0, len(labels), 2)]
    return ReplyKeyboardMarkup(
        keyboard=[
            *([KeyboardButton(text=label) for label in row] for row in rows),
            [KeyboardButton(text=common.MENU_HELP)],
        ],
        resize_keyboard=True,
        is_persistent=True,
    )


EARLIER_SHOWN = 40
"""UTF-16 units of an old answer a button shows (a typed list may run to thousands)."""


def one_tap(field: Field, *, previous: Any, earlier: Any) -> tuple[str, FormAction] | None:
    """The answer offered as one tap beside typing one, with its action: a question asked
    again offers its own old answer (fresher than last time's), else last time's value; a
    button or photo question offers none (its buttons are the answers), nor one whose stored
    value no typing gives back (``Field.rereadable``: the tap is taken as that typing)."""
    if field.choices or field.photos or not field.rereadable:
        return None
    if earlier is not None:
        return t.btn_earlier(clip(field.display(earlier), EARLIER_SHOWN)), FormAction.EARLIER
    if previous is not None and field.offer_previous:
        return t.btn_previous(field.show(previous)), FormAction.PREVIOUS
    return None


def step_keyboard(
    token: str,
    field: Field,
    *,
    offer: tuple[str, FormAction] | None,
    can_go_back: bool,
    editing: bool,
    photos_taken: int = 0,
    shortcut: str | None = None,
) -> InlineKeyboardMarkup:
    """``offer``: the one-tap answer (:func:`one_tap`), its label and action."""
    kb = InlineKeyboardBuilder()
    tok, step = short_token(token), field.name
    for choice in field.choices:
        kb.button(
            text=choice.label,
            callback_data=FormCb(token=tok, step=step, action=FormAction.PICK, value=choice.value),
        )
    if offer is not None:
        label, action = offer
        kb.button(text=label, callback_data=FormCb(token=tok, step=step, action=action))
    if shortcut is not None:
        kb.button(
            text=shortcut, callback_data=FormCb(token=tok, step=step, action=FormAction.SHORTCUT)
        )
    if photos_taken:
        kb.button(
            text=t.BTN_DONE,
            callback_data=FormCb(token=tok, step=step, action=FormAction.PICK, value="done"),
        )
    if field.optional:
        kb.button(
            text=skip_label(field, photos_taken),
            callback_data=FormCb(token=tok, step=step, action=FormAction.SKIP),
        )
    sizes = [1] * len(list(kb.buttons))
    if editing:
        kb.button(
            text=t.BTN_TO_SUMMARY,
            callback_data=FormCb(token=tok, step=step, action=FormAction.SUMMARY),
        )
        sizes.append(1)
    else:
        if can_go_back:
            kb.button(
                text=t.BTN_BACK, callback_data=FormCb(token=tok, step=step, action=FormAction.BACK)
            )
        kb.button(
            text=t.BTN_CANCEL, callback_data=FormCb(token=tok, step=step, action=FormAction.CANCEL)
        )
        sizes.append(2 if can_go_back else 1)
    kb.adjust(*sizes)
    return kb.as_markup()


def skip_label(field: Field, photos_taken: int = 0) -> str:
    """What the skip button under ``field`` says: typed instead of tapped, it does the same."""
    return t.BTN_DROP_PHOTOS if photos_taken else field.skip_label or t.BTN_SKIP


def summary_keyboard(
    token: str, *, seal: str, explicit: bool, skip_label: str | None = None
) -> InlineKeyboardMarkup:
    """``seal``: what the summary showed (``form_chat.summary_seal``), carried by «Отправить»;
    ``skip_label``: the summary asks an optional question; its skip button comes first."""
    kb = InlineKeyboardBuilder()
    tok, step = short_token(token), SUMMARY
    if skip_label is not None:
        kb.button(
            text=skip_label, callback_data=FormCb(token=tok, step=step, action=FormAction.SKIP)
        )
    kb.button(
        text=t.BTN_CONFIRM_ANYWAY if explicit else t.BTN_CONFIRM,
        callback_data=FormCb(token=tok, step=step, action=FormAction.CONFIRM, value=seal),
    )
    kb.button(
        text=t.BTN_EDIT, callback_data=FormCb(token=tok, step=step, action=FormAction.EDIT_MENU)
    )
    kb.button(
        text=t.BTN_CANCEL, callback_data=FormCb(token=tok, step=step, action=FormAction.CANCEL)
    )
    kb.adjust(1)
    return kb.as_markup()


def edit_keyboard(token: str, spec: FormSpec, answers: dict[str, Any]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    tok, step = short_token(token), SUMMARY
    for field in spec.fields:
        if field.applies(answers):
            kb.button(
                text=field.label,
                callback_data=FormCb(
                    token=tok, step=step, action=FormAction.EDIT, value=field.name
                ),
            )
    kb.button(
        text=t.BTN_TO_SUMMARY, callback_data=FormCb(token=tok, step=step, action=FormAction.SUMMARY)
    )
    kb.adjust(2)
    return kb.as_markup()


def org_choice(form: str, orgs: Sequence[Organization], page: int = 0) -> InlineKeyboardMarkup:
    """The ППО a chair picks for ``form``, paged: one may chair dozens (a district's staff
    holding its small ППО), past Telegram's 100 buttons."""
    buttons = [(org.name[:60], OpenForm(form=form, org_id=org.id)) for org in orgs]
    return paged(buttons, page, lambda to: OrgChoicePage(form=form, page=to))


def pick_one(org_id: int, options: Sequence[PickOption]) -> InlineKeyboardMarkup:
    """A form that cannot open yet: the chair picks an option (the open request a report
    answers, with its deadline)."""
    return inline(
        ((o.label, ReportPeriod(org_id=org_id, collection_id=o.value)) for o in options), 1
    )


def event_list(events: Sequence[Event], first: int = 1) -> InlineKeyboardMarkup:
    """A button per event, numbered as its line of the list from ``first`` (a month's list
    comes in several messages)."""
    return inline(
        (
            (f"{number}. {event.topic[:40]}", EventCb(action=EventAction.OPEN, event_id=event.id))
            for number, event in enumerate(events, first)
        ),
        1,
    )


def event_actions(event_id: int) -> InlineKeyboardMarkup:
    actions = ((te.BTN_CORRECT, EventAction.CORRECT), (te.BTN_DELETE, EventAction.DELETE))
    return inline((label, EventCb(action=a, event_id=event_id)) for label, a in actions)


def delete_confirm(event_id: int) -> InlineKeyboardMarkup:
    actions = (
        (te.BTN_DELETE_YES, EventAction.DELETE_YES),
        (te.BTN_DELETE_NO, EventAction.DELETE_NO),
    )
    return inline((label, EventCb(action=a, event_id=event_id)) for label, a in actions)


def passport_edit(org_id: int) -> InlineKeyboardMarkup:
    edit = (tp.BTN_EDIT, OpenForm(form=PASSPORT_FORM.name, org_id=org_id))
    reserve = (tp.BTN_RESERVE, ReserveCb(action=ReserveAction.LIST, org_id=org_id))
    return inline([edit, reserve], 1)


def reserve_list(org_id: int, people: Sequence[ReservePerson]) -> InlineKeyboardMarkup:
    """«Add» opens the reserve form; each person's button asks before removing them."""
    add = (tp.BTN_RESERVE_ADD, OpenForm(form=RESERVE_FORM.name, org_id=org_id))
    remove = (
        (
            tp.reserve_button(number, person.full_name),
            ReserveCb(action=ReserveAction.REMOVE, org_id=org_id, person_id=person.id),
        )
        for number, person in enumerate(people, 1)
    )
    return inline([add, *remove], 1)


def reserve_remove_confirm(org_id: int, person_id: int) -> InlineKeyboardMarkup:
    actions = (
        (tp.BTN_RESERVE_REMOVE_YES, ReserveAction.REMOVE_YES),
        (tp.BTN_RESERVE_KEEP, ReserveAction.KEEP),
    )
    return inline(
        ((label, ReserveCb(action=a, org_id=org_id, person_id=person_id)) for label, a in actions),
        2,
    )


def reminder_button(form: str, org_id: int) -> tuple[str, str]:
    """(label, callback data) of the button opening ``form`` for a ППО under a reminder or a
    returned report, packed for the outbox; the label is the form's declared one."""
    declared = form_named(form)
    assert declared is not None and declared.reminder_label is not None, form
    return declared.reminder_label, OpenForm(form=form, org_id=org_id).pack()


def correction_button(org_id: int) -> InlineKeyboardMarkup:
    """The button under a returned report's notice: the correction form of the ППО."""
    label, data = reminder_button(CORRECTION_FORM.name, org_id)
    kb = InlineKeyboardBuilder()
    kb.button(text=label, callback_data=data)
    return kb.as_markup()


def scope_choice(
    command: str, scopes: Sequence[Organization], *, region_id: int = 0, page: int = 0
) -> InlineKeyboardMarkup:
    """The scopes to pick for ``command``, paged (``region_id``: those of one region, whose
    first page leads back to the regions); a hundred district names in one message pass
    Telegram's 10 KB of buttons."""
    buttons = [(s.name[:60], ScopePick(command=command, org_id=s.id)) for s in scopes]
    regions = ScopePage(command=command, region_id=0, page=0) if region_id else None
    return paged(
        buttons, page, lambda to: ScopePage(command=command, region_id=region_id, page=to), regions
    )


def scope_region_choice(
    command: str, regions: Sequence[Organization], page: int = 0
) -> InlineKeyboardMarkup:
    buttons = [(r.name[:60], ScopeRegionPick(command=command, region_id=r.id)) for r in regions]
    return paged(buttons, page, lambda to: ScopePage(command=command, region_id=0, page=to))


def return_choice(found: Sequence[Organization]) -> InlineKeyboardMarkup:
    return inline(((org.name[:60], ReturnPick(org_id=org.id)) for org in found), 1)


def return_confirm(org_id: int, report_id: int) -> InlineKeyboardMarkup:
    return inline([(ts.BTN_RETURN, ReturnPick(org_id=org_id, report_id=report_id))])


def org_found(found: Sequence[Organization]) -> InlineKeyboardMarkup:
    return inline(
        (
            (f"#{org.id} {org.name[:55]}", OrgCb(org_id=org.id, action=OrgAction.OPEN))
            for org in found
        ),
        1,
    )


def org_actions(org: Organization) -> InlineKeyboardMarkup:
    actions = [(ts.BTN_RENAME, OrgAction.RENAME), (ts.BTN_TZ, OrgAction.TIMEZONE)]
    if org.kind is OrgKind.PPO:
        actions += [(ts.BTN_MOVE, OrgAction.MOVE), (ts.BTN_CURATOR, OrgAction.CURATOR)]
    actions.append((ts.BTN_ROLES, OrgAction.ROLES))
    if org.archived_at is None:
        actions.append((ts.BTN_ARCHIVE, OrgAction.ARCHIVE))
    else:
        actions.append((ts.BTN_RESTORE, OrgAction.RESTORE))
    return inline(((label, OrgCb(org_id=org.id, action=a)) for label, a in actions), 2)


def move_choice(
    org_id: int, districts: Sequence[Organization], page: int = 0
) -> InlineKeyboardMarkup:
    """The districts a ППО may move to, paged: a region's sixty pass 10 KB of buttons."""
    buttons = [
        (d.name[:60], OrgCb(org_id=org_id, action=OrgAction.MOVE_TO, target=d.id))
        for d in districts
    ]
    return paged(
        buttons, page, lambda to: OrgCb(org_id=org_id, action=OrgAction.MOVE_PAGE, target=to)
    )


def revoke_button(grant_id: int) -> InlineKeyboardMarkup:
    return inline([(ts.BTN_REVOKE, RoleRevoke(grant_id=grant_id))])


def consent_choice(code: str) -> InlineKeyboardMarkup:
    answers = ((tc.BTN_AGREE, True), (tc.BTN_DECLINE, False))
    return inline(((label, ConsentCb(code=code, agree=agree)) for label, agree in answers), 2)


def join_confirm(code: str) -> InlineKeyboardMarkup:
    answers = ((tc.BTN_JOIN, True), (tc.BTN_NOT_JOIN, False))
    return inline(((label, JoinCb(code=code, join=join)) for label, join in answers), 2)


def forget_confirm(person_id: int) -> InlineKeyboardMarkup:
    answers = ((ta.BTN_FORGET, True), (ta.BTN_KEEP, False))
    return inline(
        ((label, ForgetCb(person_id=person_id, confirm=yes)) for label, yes in answers), 1
    )
