"""The texts the outbox keeps of what it sent, forgotten on request. A sent row stays for 61
days (its key keeps a message from going out twice) and is copied by /backup; when a person is
erased, the texts that name them (a late list, a digest, a delivery report to staff) go."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, OutboxStatus

TEXT_FIELDS = ("text", "caption")
BATCH = 500


async def forget_texts_naming(
    session: AsyncSession, spellings: Sequence[str], placeholder: str
) -> int:
    """Replace with ``placeholder`` every kept text of a message no longer waiting that names
    the person in one of ``spellings`` (as a whole word: «Мария» is not in «Марияна»).
    Messages still waiting are left whole: their recipients have yet to read them. Returns
    how many messages lost their text."""
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(s)}(?!\w)" for s in spellings if s))
    if not pattern.pattern:
        return 0
    sent = select(OutboxMessage).where(OutboxMessage.status != OutboxStatus.PENDING)
    changed = 0
    async for message in await session.stream_scalars(sent.execution_options(yield_per=BATCH)):
        payload = dict(message.payload or {})
        naming = [key for key in TEXT_FIELDS if pattern.search(str(payload.get(key) or ""))]
        if naming:
            message.payload = payload | dict.fromkeys(naming, placeholder)
            changed += 1
    return changed
