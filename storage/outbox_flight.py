"""A message whose row changed while its call was on its way: recorded as it went.

The sender looks at a row just before its call (``outbox_withdraw.withdrawn``) but holds no
transaction across the call, so a change committed meanwhile cannot stop it: the recipient
reads the message as it went. Taking it back, or sending a correction after it, would be a
second message on the same matter; instead its record says it went, so that whatever reads
the outbox (an announcement's delivery report, a restore, what was sent to whom) reads what
the recipient read. ``outbox.mark_sent`` records the row:

* rewritten (an archiving's ``outbox_withdraw.rewrite``, which drops the claim): sent, with
  the payload that went, not the one written meanwhile;
* withdrawn (marked failed with its reason, the claim left as it was: a reminder the chair's
  report cancelled, a chair replaced, an archiving, a pause, an erasure, a digest a newer one
  replaces): sent, its error cleared. Its key stays taken, as the withdrawal kept it, so what
  the withdrawal kept from going out still does not; its payload is left as it is, since an
  erasure may have cleared its text in the same transaction.

And :func:`keep_sent` here, when ``mark_sent`` found no row:

* deleted, its key freed (an archiving deletes a chair's reminders, and an escalation that
  names nothing else; a pause, a plan's and an agreement's reminders), so that its planner
  queues it again after a restore or the pause, as if it had not been sent: it is written
  again under its key, sent, with what went. The planner then finds the key taken, as for a
  message delivered before the archiving, and a restore does not name the ППО twice.

  Not a district event's invitation or reminder (:data:`WRITTEN_ANEW`) deleted because the
  event moved: the clockwork writes them afresh under the same key with what is true now, and a
  copy kept would stop the corrected one. Those deleted because the event was called off are
  written again no more, and are kept: an invitation kept sent, its ППО not marked invited, is
  how the clockwork learns that its chair read it and must be told the event is called off
  (``bot.domain.district_event_cancel.tell_invited_meanwhile``).

And ``outbox.mark_sent`` lets what follows a withdrawn row (an announcement's file) go after it
(``outbox_order.follow_after_all``), unless the recipient is no longer the one it was for.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DistrictEvent, OutboxMessage, OutboxStatus
from storage.outbox import OutboxKind, enqueue
from storage.outbox_keys import KeyPurpose

WRITTEN_ANEW = frozenset({KeyPurpose.DISTRICT_INVITATION, KeyPurpose.DISTRICT_REMINDER})
"""Purposes whose deleted row is queued again under its key with new content
(``district_events.recall_unsent``), not kept as sent while its event is not called off."""


async def keep_sent(
    session: AsyncSession,
    *,
    key: str,
    chat_id: int,
    kind: OutboxKind,
    payload: dict[str, Any],
    now: datetime,
) -> bool:
    """Write the message sent at ``now`` under ``key``, its row deleted while its call was on
    its way; True if written. False when ``key`` is taken: the row was finished by another
    sender, or (a restore within the call's flight) queued again, and then goes once more;
    False too for a message written anew (:func:`_written_anew`)."""
    if await _written_anew(session, key) or not await enqueue(
        session, key=key, chat_id=chat_id, kind=kind, payload=payload, not_before=now, now=now
    ):
        return False
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.key == key)
        .values(status=OutboxStatus.SENT, sent_at=now)
        .execution_options(synchronize_session=False)
    )
    return True


async def _written_anew(session: AsyncSession, key: str) -> bool:
    """Whether the clockwork writes the message under ``key`` afresh: a district event's
    (:data:`WRITTEN_ANEW`), but not once its event is called off."""
    purpose, _, parts = key.partition(":")
    if purpose not in WRITTEN_ANEW:
        return False
    event_id = int(parts.partition(":")[0])
    called_off = select(DistrictEvent.cancelled_at).where(DistrictEvent.id == event_id)
    return await session.scalar(called_off) is None
