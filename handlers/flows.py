"""Every form the bot runs, by the name a draft stores; flows that send buttons get the
Telegram button maker here, so the domain stays free of callback formats."""

from __future__ import annotations

from bot.domain.announcements import AnnouncementFlow
from bot.domain.corrections import ReturnFlow
from bot.domain.events import EventFlow
from bot.domain.membership import MembershipFlow
from bot.domain.org_admin import RenameFlow, TimezoneFlow
from bot.domain.passport import PassportFlow
from bot.domain.requests import RequestFlow
from bot.forms.flow import FormFlow
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
