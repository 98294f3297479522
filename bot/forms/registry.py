"""Every form the bot can run, by the name stored in a draft."""

from __future__ import annotations

from bot.events import EventFlow
from bot.forms.flow import FormFlow
from bot.membership import MembershipFlow
from bot.passport import PassportFlow

FLOWS: dict[str, FormFlow] = {
    flow.spec.name: flow for flow in (MembershipFlow(), EventFlow(), PassportFlow())
}
