"""Every form the bot runs, by the name a draft stores; flows that send buttons get the
Telegram button maker here, so the domain stays free of callback formats."""

from __future__ import annotations

from bot.announcements import AnnouncementFlow
from bot.corrections import ReturnFlow
from bot.events import EventFlow
from bot.forms.flow import FormFlow
from bot.membership import MembershipFlow
from bot.org_admin import RenameFlow, TimezoneFlow
from bot.passport import PassportFlow
from bot.requests import RequestFlow
from handlers.keyboards import reminder_button

FLOWS: dict[str, FormFlow] = {
    flow.spec.name: flow
    for flow in (
        MembershipFlow(),
        EventFlow(),
        PassportFlow(),
        RequestFlow(),
        AnnouncementFlow(),
        ReturnFlow(reminder_button),
        RenameFlow(),
        TimezoneFlow(),
    )
}
