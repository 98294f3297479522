"""A person's vacation from reminders: what waits for them is withdrawn or dropped."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, OutboxStatus, Person
from storage.outbox_keys import KeyPurpose, outbox_key


async def pause_reminders(session: AsyncSession, person_id: int, until: date | None) -> None:
    """Pause a person's reminders until ``until`` inclusive (vacation); ``None`` resumes them.

    Chair reminders to them still waiting in the outbox are cancelled (escalations are not).
    Waiting agreement and plan reminders are dropped instead: their daily planners queue them
    again after the pause while they still matter, which a kept key would prevent.
    """
    person = await session.get(Person, person_id)
    if person is None:
        raise LookupError(f"no person {person_id}")
    person.reminders_paused_until = until
    if until is not None:
        await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.key.like(outbox_key(KeyPurpose.REMINDER, "%", person.tg_user_id)),
                ~OutboxMessage.key.like(outbox_key(KeyPurpose.REMINDER, "%", "late%")),
                OutboxMessage.status == OutboxStatus.PENDING,
            )
            .values(status=OutboxStatus.FAILED, error="paused")
            .execution_options(synchronize_session=False)
        )
        replanned = [
            OutboxMessage.key.like(outbox_key(purpose, "%", person.tg_user_id))
            for purpose in (KeyPurpose.AGREEMENT, KeyPurpose.PLAN_REMINDER)
        ]
        await session.execute(
            delete(OutboxMessage)
            .where(or_(*replanned), OutboxMessage.status == OutboxStatus.PENDING)
            .execution_options(synchronize_session=False)
        )
    await session.flush()
