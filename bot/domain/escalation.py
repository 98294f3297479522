"""Who is told that ППО are late, and about which of them: the same for a monitoring period
(``bot.domain.reminders``) and for an item of a plan of measures (``bot.domain.plan_reminders``),
so a curator or a staff member is treated alike whichever of the two writes to them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.staff_scope import scope_staff
from storage.contacts import Contact, curators_of
from storage.models import Organization
from storage.outbox_withdraw import CURATED, LISTED, SCOPE, WITHHELD


@dataclass
class Recipient:
    """Someone an escalation goes to, which late ППО it lists for them, and which it leaves
    out because they are closed (``withheld``)."""

    contact: Contact
    scope_id: int
    org_ids: set[int] = field(default_factory=set)
    staff: bool = False
    withheld: set[int] = field(default_factory=set)

    def payload(self, text: str) -> dict[str, Any]:
        """The message's payload; a curator's names the ППО it lists, so that it is rewritten
        while it waits without one whose curatorship ends, or one archived
        (``bot.domain.archived_escalations``). Staff's names
        the district or region, so that it is withdrawn with their role or the scope archived
        (``withdraw_about``): a plan item's key names no organization; and the ППО it lists,
        so that it is rewritten without one archived, or its district, while the scope stays
        open. The late ППО left out because they are closed are noted (``WITHHELD``), so
        that a restore reopens it (``bot.domain.archived_escalations``)."""
        withheld = {WITHHELD: sorted(self.withheld)} if self.withheld else {}
        if self.staff:
            return {"text": text, SCOPE: self.scope_id, LISTED: sorted(self.org_ids)} | withheld
        return {"text": text, CURATED: sorted(self.org_ids)} | withheld


async def escalation_recipients(
    session: AsyncSession,
    scope: Organization,
    late_ids: Sequence[int],
    closed_ids: Sequence[int] = (),
) -> dict[int, Recipient]:
    """Curators (each with their own late ППО) and the scope's staff (with all of them), by
    chat; someone both gets all of them once. ``closed_ids``: the late ППО closed, which
    nobody is told of; each recipient's own are noted as withheld (read by the curators' one
    query), and someone with none but those is not a recipient."""
    recipients: dict[int, Recipient] = {}
    curators = await curators_of(session, [*late_ids, *closed_ids])
    for org_id in late_ids:
        for contact in curators.get(org_id, ()):
            recipient = recipients.setdefault(contact.tg_user_id, Recipient(contact, scope.id))
            recipient.org_ids.add(org_id)
    for org_id in closed_ids:
        for contact in curators.get(org_id, ()):
            if contact.tg_user_id in recipients:
                recipients[contact.tg_user_id].withheld.add(org_id)
    for contact in await scope_staff(session, scope):
        recipient = recipients.setdefault(contact.tg_user_id, Recipient(contact, scope.id))
        recipient.staff = True
        recipient.org_ids.update(late_ids)
        recipient.withheld.update(closed_ids)
    return recipients
