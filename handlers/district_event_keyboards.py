"""Buttons of district events: under an invitation, a reminder and the attendance prompt (as
outbox payload rows, for the clockwork), and the staff's list and card (inline keyboards)."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain.district_event_mail import ANSWER, Buttons
from bot.texts import district_events as t
from handlers.callbacks import DistrictEventAction, DistrictEventCb
from handlers.keyboards import inline
from storage.models import DistrictEvent


def _button(label: str, action: DistrictEventAction, event_id: int, org_id: int) -> dict[str, str]:
    data = DistrictEventCb(action=action, event_id=event_id, org_id=org_id).pack()
    return {"text": label, "callback_data": data}


def invite_buttons(purpose: str, event_id: int, org_id: int) -> Buttons:
    """«Будем» / «Не сможем» under an invitation or a reminder; «Сколько пришло» after."""
    if purpose == ANSWER:
        return [
            [
                _button(t.BTN_COMING, DistrictEventAction.COMING, event_id, org_id),
                _button(t.BTN_DECLINE, DistrictEventAction.DECLINE, event_id, org_id),
            ]
        ]
    return [[_button(t.BTN_CAME, DistrictEventAction.CAME, event_id, org_id)]]


def event_list(events: Sequence[tuple[DistrictEvent, str]]) -> InlineKeyboardMarkup:
    """One button per event: (event, its local start as the label's date)."""
    open_event = DistrictEventAction.OPEN
    return inline(
        ((label, DistrictEventCb(action=open_event, event_id=e.id)) for e, label in events), 1
    )


def change_keyboard(event_id: int) -> InlineKeyboardMarkup:
    """Under the card of an event not yet begun: move it, or call it off."""
    return inline(
        [
            (t.BTN_MOVE_EVENT, _staff(DistrictEventAction.MOVE, event_id)),
            (t.BTN_CANCEL_EVENT, _staff(DistrictEventAction.CANCEL, event_id)),
        ],
        2,
    )


def confirm_cancel(event_id: int) -> InlineKeyboardMarkup:
    return inline(
        [
            (t.BTN_CANCEL_YES, _staff(DistrictEventAction.CANCEL_YES, event_id)),
            (t.BTN_CANCEL_NO, _staff(DistrictEventAction.CANCEL_NO, event_id)),
        ],
        2,
    )


def _staff(action: DistrictEventAction, event_id: int) -> DistrictEventCb:
    return DistrictEventCb(action=action, event_id=event_id)


def card_keyboard(event_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(
        text=t.BTN_ENTER_CAME,
        callback_data=DistrictEventCb(action=DistrictEventAction.STAFF_CAME, event_id=event_id),
    )
    return kb.as_markup()
