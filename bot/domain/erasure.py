"""Erasing a person on request (152-ФЗ): identity gone, the organizations' records kept.

The person's row stays, since reports, events and audit entries point at it, but carries
no name, username or Telegram id any more and shows as «удалённый пользователь». Their roles
end, their open form is dropped, messages not yet sent to them are cancelled, the chair's
name and phone leave the passports of the ППО they chair (and those fields' history), and
the kept texts of messages sent to others that name them are dropped.
The erasure is audited without the erased data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.texts import admin as t
from bot.texts.markup import esc
from storage import audit, people
from storage.models import Person, Role
from storage.outbox_texts import forget_texts_naming


@dataclass(frozen=True)
class Erased:
    person_id: int
    roles_ended: int


async def erase(session: AsyncSession, person: Person, *, by: int | None, now: datetime) -> Erased:
    grants = await people.active_grants_of(session, person.id)
    chaired = [g.org_id for g in grants if g.role is Role.CHAIR and g.org_id is not None]
    chaired += await people.passports_last_saved_by(session, person.id)  # a former chair's
    for grant in grants:
        await people.revoke_grant(session, grant, now=now, actor_id=by)
    names = {person.full_name, *await people.chair_names_on(session, chaired)}
    await people.forget_chair_fields(session, chaired)
    await people.forget_identity(session, person, placeholder=t.ERASED_PERSON, now=now)
    spellings = sorted({*names, *map(esc, names)}, key=len, reverse=True)
    await forget_texts_naming(session, spellings, t.TEXT_ERASED)
    audit.record(session, at=now, actor_id=by, action="person.erase", person_id=person.id)
    return Erased(person.id, len(grants))
