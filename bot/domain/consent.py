"""Joining by invite, with consent to the processing of personal data first (152-ФЗ).

Nothing about a person is stored before they agree: the consent question carries the invite
code in its buttons, the person row is created and the invite consumed only on «Согласен».
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.texts import consent as t
from storage import orgs, people
from storage.models import Invite, Organization, OrgKind, Person, Role
from storage.people import Redeemed, RedeemError

ROLE_LABELS = {
    Role.CHAIR: t.ROLE_CHAIR,
    Role.STAFF: t.ROLE_STAFF,
    Role.CURATOR: t.ROLE_CURATOR,
    Role.ADMIN: t.ROLE_ADMIN,
}


def given(person: Person | None) -> bool:
    """Consent to the current wording is on record: no need to ask again."""
    return person is not None and person.consent_version == t.CONSENT_VERSION


@dataclass(frozen=True)
class InviteCheck:
    """What a ``/start <code>`` found: a usable invite, one the sender used already, or why not."""

    invite: Invite | None
    org: Organization | None
    problem: RedeemError | None
    used_by_sender: bool


async def check_invite(
    session: AsyncSession, *, code: str, person: Person | None, now: datetime
) -> InviteCheck:
    invite = await people.find_invite(session, code) if code else None
    org = await orgs.get_org(session, invite.org_id) if invite is not None else None
    mine = (
        invite is not None
        and org is not None
        and person is not None
        and invite.used_by == person.id
    )
    problem = people.invite_problem(invite, now) if org is not None else RedeemError.UNKNOWN
    if problem is None and org is not None and org.archived_at is not None:
        problem = RedeemError.ARCHIVED
    return InviteCheck(invite, org, problem, mine)


async def sitting_chair(session: AsyncSession, found: InviteCheck, person: Person) -> str | None:
    """The name of another person who chairs the ППО a chair's link is for, if any."""
    if found.invite is None or found.invite.role is not Role.CHAIR:
        return None
    grant = await people.chair_of(session, found.invite.org_id)
    if grant is None or grant.person_id == person.id:
        return None
    chair = await session.get(Person, grant.person_id)
    return chair.full_name if chair is not None else None


async def join(
    session: AsyncSession,
    *,
    code: str,
    tg_user_id: int,
    full_name: str,
    username: str | None,
    consented: bool,
    now: datetime,
) -> Redeemed | RedeemError:
    """Register the person (recording the consent just given) and redeem the invite.

    The invite is checked before anything is written: a code spent or expired meanwhile
    leaves no trace of the person.
    """
    problem = (await check_invite(session, code=code, person=None, now=now)).problem
    if problem is not None:
        return problem
    person = await people.upsert_person(
        session, tg_user_id=tg_user_id, full_name=full_name, username=username, now=now
    )
    if consented:
        person.consent_version, person.consented_at = t.CONSENT_VERSION, now
    return await people.redeem_invite(session, code=code, person=person, now=now)


async def district_name(session: AsyncSession, code: str) -> str:
    """The district an invite belongs to, so a person who declines knows whom to contact."""
    invite = await people.find_invite(session, code)
    org = await orgs.get_org(session, invite.org_id) if invite is not None else None
    if org is not None and org.kind is OrgKind.PPO and org.parent_id is not None:
        org = await orgs.get_org(session, org.parent_id)
    return org.name if org is not None else ""
