"""People, their roles, and the invites that grant roles."""

from __future__ import annotations

import enum
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.closure import PARENT
from storage.models import (
    AuditEntry,
    FormDraft,
    Invite,
    Organization,
    OutboxMessage,
    OutboxStatus,
    Passport,
    Person,
    Role,
    RoleGrant,
)
from storage.outbox_withdraw import ERASED, ROLE_ENDED, withdraw_about


async def get_person(session: AsyncSession, tg_user_id: int) -> Person | None:
    return (await session.scalars(select(Person).where(Person.tg_user_id == tg_user_id))).first()


async def upsert_person(
    session: AsyncSession, *, tg_user_id: int, full_name: str, username: str | None, now: datetime
) -> Person:
    person = await get_person(session, tg_user_id)
    if person is None:
        person = Person(
            tg_user_id=tg_user_id, full_name=full_name, username=username, created_at=now
        )
        session.add(person)
        await session.flush()
    else:
        person.full_name, person.username = full_name, username
    return person


async def chair_of(session: AsyncSession, org_id: int) -> RoleGrant | None:
    stmt = select(RoleGrant).where(
        RoleGrant.org_id == org_id, RoleGrant.role == Role.CHAIR, RoleGrant.revoked_at.is_(None)
    )
    return (await session.scalars(stmt)).first()


async def grant_chair(
    session: AsyncSession, *, person: Person, org_id: int, now: datetime
) -> Person | None:
    """Make ``person`` the chair of ``org_id``; returns the previous chair if someone else was."""
    current = await chair_of(session, org_id)
    if current is not None and current.person_id == person.id:
        return None
    previous = None
    if current is not None:
        previous = await session.get(Person, current.person_id)
        await revoke_grant(session, current, now=now, actor_id=person.id)
    _add_grant(session, person_id=person.id, role=Role.CHAIR, org_id=org_id, now=now, by=person.id)
    await session.flush()
    return previous


def _add_grant(
    session: AsyncSession,
    *,
    person_id: int,
    role: Role,
    org_id: int | None,
    now: datetime,
    by: int | None,
) -> None:
    """The grant and its line in the audit log (``by``: who gave it; None: the system)."""
    session.add(RoleGrant(person_id=person_id, role=role, org_id=org_id, granted_at=now))
    audit.record(
        session,
        at=now,
        actor_id=by,
        action="role.grant",
        org_id=org_id,
        person_id=person_id,
        after={"role": role.value},
    )


class RedeemError(enum.Enum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    ARCHIVED = "archived"
    """The ППО was archived after the link went out: a chair of it could do nothing."""


@dataclass(frozen=True)
class Redeemed:
    invite: Invite
    org: Organization
    previous_chair: Person | None


async def issue_invite(
    session: AsyncSession,
    *,
    org_id: int,
    role: Role,
    now: datetime,
    ttl: timedelta,
    replacing: bool = True,
) -> Invite:
    """A fresh unguessable code for ``org_id``; with ``replacing``, any earlier unused code
    of the role for it stops working (a chair's link sent to the wrong person). Curators'
    links are personal, several at once: one for each of a ППО's curators. A caller that
    knows none is live skips the revoking scan (``/invites`` for a whole region)."""
    if replacing:
        await session.execute(
            update(Invite)
            .where(
                Invite.org_id == org_id,
                Invite.role == role,
                Invite.used_at.is_(None),
                Invite.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
    invite = Invite(
        code=secrets.token_urlsafe(16),
        org_id=org_id,
        role=role,
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(invite)
    await session.flush()
    return invite


async def live_invites(
    session: AsyncSession, *, now: datetime, role: Role = Role.CHAIR
) -> dict[int, Invite]:
    """Unused, unrevoked, unexpired invites for ``role`` by org id."""
    stmt = select(Invite).where(
        Invite.role == role,
        Invite.used_at.is_(None),
        Invite.revoked_at.is_(None),
        Invite.expires_at > now,
    )
    return {invite.org_id: invite for invite in (await session.scalars(stmt)).all()}


async def find_invite(session: AsyncSession, code: str) -> Invite | None:
    stmt = select(Invite).where(Invite.code == code).with_for_update()
    return (await session.scalars(stmt)).first()


def invite_problem(invite: Invite | None, now: datetime) -> RedeemError | None:
    """Why an invite cannot be used now, or None when it can."""
    if invite is None:
        return RedeemError.UNKNOWN
    if invite.used_at is not None or invite.revoked_at is not None:
        return RedeemError.USED
    if invite.expires_at <= now:
        return RedeemError.EXPIRED
    return None


async def redeem_invite(
    session: AsyncSession, *, code: str, person: Person, now: datetime
) -> Redeemed | RedeemError:
    invite = await find_invite(session, code)
    problem = invite_problem(invite, now)
    if problem is not None:
        return problem
    assert invite is not None
    org = await session.get(Organization, invite.org_id)
    if org is None:
        return RedeemError.UNKNOWN
    if org.archived_at is not None:
        return RedeemError.ARCHIVED
    invite.used_at, invite.used_by = now, person.id
    if invite.role is Role.CHAIR:
        previous = await grant_chair(session, person=person, org_id=org.id, now=now)
        return Redeemed(invite=invite, org=org, previous_chair=previous)
    await grant_role(
        session, person_id=person.id, role=invite.role, org_id=org.id, now=now, actor_id=person.id
    )
    return Redeemed(invite=invite, org=org, previous_chair=None)


async def grant_role(
    session: AsyncSession,
    *,
    person_id: int,
    role: Role,
    org_id: int | None,
    now: datetime,
    actor_id: int | None,
) -> bool:
    """Give a role that several people may hold (staff, curator, admin); False if held already."""
    stmt = select(RoleGrant.id).where(
        RoleGrant.person_id == person_id,
        RoleGrant.role == role,
        RoleGrant.org_id == org_id if org_id is not None else RoleGrant.org_id.is_(None),
        RoleGrant.revoked_at.is_(None),
    )
    if await session.scalar(stmt) is not None:
        return False
    _add_grant(session, person_id=person_id, role=role, org_id=org_id, now=now, by=actor_id)
    await session.flush()
    return True


async def revoke_grant(
    session: AsyncSession, grant: RoleGrant, *, now: datetime, actor_id: int | None
) -> None:
    """End ``grant``; a chair's messages about the ППО, or a staff member's about the district
    or region, still waiting are withdrawn. A curator's escalations listing the ППО are the
    caller's to rewrite, by the rule of their planner (``bot.domain.org_admin.revoke``)."""
    grant.revoked_at = now
    person = await session.get(Person, grant.person_id)
    if grant.org_id is not None and person is not None and grant.role in (Role.CHAIR, Role.STAFF):
        chat = person.tg_user_id
        await withdraw_about(session, chat_id=chat, org_id=grant.org_id, reason=ROLE_ENDED)
    audit.record(
        session,
        at=now,
        actor_id=actor_id,
        action="role.revoke",
        org_id=grant.org_id,
        person_id=grant.person_id,
        before={"role": grant.role.value},
    )


async def active_grants(
    session: AsyncSession, tg_user_id: int
) -> Sequence[tuple[Role, Organization | None]]:
    """Every role the person holds right now, with the organization it is held over."""
    stmt = (
        select(RoleGrant.role, Organization)
        .join(Person, Person.id == RoleGrant.person_id)
        .outerjoin(Organization, Organization.id == RoleGrant.org_id)
        .where(Person.tg_user_id == tg_user_id, RoleGrant.revoked_at.is_(None))
        .order_by(Organization.sort_key)
    )
    return [(role, org) for role, org in (await session.execute(stmt)).all()]


async def staff_grants(session: AsyncSession) -> Sequence[tuple[RoleGrant, Person, Organization]]:
    """Active staff roles with the person and the district or region they cover; an archived
    one, or a district of an archived region, is left out."""
    stmt = (
        select(RoleGrant, Person, Organization)
        .join(Person, Person.id == RoleGrant.person_id)
        .join(Organization, Organization.id == RoleGrant.org_id)
        .outerjoin(PARENT, PARENT.id == Organization.parent_id)
        .where(
            RoleGrant.role == Role.STAFF,
            RoleGrant.revoked_at.is_(None),
            Organization.archived_at.is_(None),
            PARENT.archived_at.is_(None),
        )
    )
    return [(grant, person, org) for grant, person, org in (await session.execute(stmt)).all()]


async def names_by_chat(session: AsyncSession, chat_ids: Sequence[int]) -> dict[int, str]:
    if not chat_ids:
        return {}
    stmt = select(Person.tg_user_id, Person.full_name).where(Person.tg_user_id.in_(chat_ids))
    return {int(tg): str(full_name) for tg, full_name in (await session.execute(stmt)).all()}


async def person_by_id(session: AsyncSession, person_id: int) -> Person | None:
    return await session.get(Person, person_id)


async def names_by_id(session: AsyncSession, person_ids: Sequence[int]) -> dict[int, str]:
    if not person_ids:
        return {}
    stmt = select(Person.id, Person.full_name).where(Person.id.in_(set(person_ids)))
    return {int(pid): str(full_name) for pid, full_name in (await session.execute(stmt)).all()}


# --- Erasure --------------------------------------------------------------------------------

#: Passport fields that describe the chair in person, and the audit keys that carry them.
CHAIR_FIELDS = ("chair_full_name", "chair_phone")


async def active_grants_of(session: AsyncSession, person_id: int) -> Sequence[RoleGrant]:
    stmt = select(RoleGrant).where(RoleGrant.person_id == person_id, RoleGrant.revoked_at.is_(None))
    return (await session.scalars(stmt)).all()


async def forget_identity(
    session: AsyncSession, person: Person, *, placeholder: str, now: datetime
) -> None:
    """Replace the person's name and Telegram id, and drop what was pending for that chat.

    The row stays (reports, events and audit entries point at it); ``tg_user_id`` is unique
    and required, so it becomes ``-person.id``: never a Telegram user id, never a clash.
    Their open form is dropped; messages not yet sent to them are cancelled, and the chat id
    is replaced on every outbox row, in its key too (a key names its recipient), and in the
    audit entries of the announcements they sent.
    """
    old_chat = person.tg_user_id
    sentinel = -person.id
    person.full_name, person.username, person.tg_user_id = placeholder, None, sentinel
    person.unreachable_at, person.reminders_paused_until = None, None
    person.erased_at = now
    await session.execute(delete(FormDraft).where(FormDraft.tg_user_id == old_chat))
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == old_chat, OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.FAILED, error=ERASED)
    )
    authored = await session.scalars(select(AuditEntry).where(AuditEntry.actor_id == person.id))
    for entry in authored:  # an announcement's author chat: where its delivery report goes
        if entry.after is not None and entry.after.get("chat") == old_chat:
            entry.after = {**entry.after, "chat": sentinel}
    sent_to_them = await session.scalars(
        select(OutboxMessage).where(OutboxMessage.chat_id == old_chat)
    )
    for message in sent_to_them:
        message.key = _without_chat(message.key, old_chat, sentinel)
        if message.after_key is not None:  # the text's key an announcement's file follows
            message.after_key = _without_chat(message.after_key, old_chat, sentinel)
        message.chat_id = sentinel
    await session.flush()


def _without_chat(key: str, chat: int, sentinel: int) -> str:
    """An outbox key with the erased person's Telegram id, a part of it, replaced."""
    parts = key.split(":")
    return ":".join(str(sentinel) if part == str(chat) else part for part in parts)


async def passports_last_saved_by(session: AsyncSession, person_id: int) -> list[int]:
    """The ППО whose passport this person saved last: a former chair's name and phone may be
    there, in the cards their successor and the staff read."""
    stmt = select(Passport.org_id).where(Passport.updated_by == person_id)
    return list((await session.scalars(stmt)).all())


async def chair_names_on(session: AsyncSession, org_ids: Sequence[int]) -> set[str]:
    """The chair names these ППО keep (the list's and the passport's): how staff lists name
    a chair, and so what an erasure looks for in the texts already sent."""
    listed = select(Organization.chair_name).where(Organization.id.in_(org_ids))
    written = select(Passport.chair_full_name).where(Passport.org_id.in_(org_ids))
    names = [*(await session.scalars(listed)).all(), *(await session.scalars(written)).all()]
    return {name for name in names if name}


async def forget_chair_fields(session: AsyncSession, org_ids: Sequence[int]) -> None:
    """Clear the chair's name and phone on these ППО: in the list, the passport and its history."""
    if not org_ids:
        return
    await session.execute(
        update(Organization).where(Organization.id.in_(org_ids)).values(chair_name=None)
    )
    await session.execute(
        update(Passport)
        .where(Passport.org_id.in_(org_ids))
        .values(chair_full_name=None, chair_phone=None)
    )
    stmt = select(AuditEntry).where(
        AuditEntry.org_id.in_(org_ids), AuditEntry.action.like("passport.%")
    )
    for entry in (await session.scalars(stmt)).all():
        entry.before = _without_chair_fields(entry.before)
        entry.after = _without_chair_fields(entry.after)


def _without_chair_fields(values: dict[str, object] | None) -> dict[str, object] | None:
    if values is None or not any(key in values for key in CHAIR_FIELDS):
        return values
    return {key: None if key in CHAIR_FIELDS else value for key, value in values.items()}
