"""Setting up a district: importing the list of organizations, the tree, invites for chairs."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.calendar import CalendarSettings
from bot.domain.due_periods import join_open_period
from bot.domain.org_list import OrgRow, OrgTable, parse_org_table
from bot.texts import admin as t
from storage import orgs, people
from storage.models import Invite, Organization, OrgKind, Role
from storage.org_names import sort_key


@dataclass(frozen=True)
class ImportOutcome:
    """``region_named``: the placeholder region's old and new name (:func:`_name_placeholder`)."""

    table: OrgTable
    summary: orgs.ImportSummary | None
    region_named: tuple[str, str] | None = None


async def import_organizations(
    session: AsyncSession,
    data: bytes,
    filename: str,
    *,
    default_region: str,
    now: datetime,
    calendar: CalendarSettings,
    default_tz: str,
) -> ImportOutcome:
    """Good rows land even when others are wrong; the bad ones come back with their numbers.

    A ППО the list adds while its district's monitoring is open is asked for it too (as one
    restored from the archive is): the monitoring is how its figures first reach staff."""
    table = await asyncio.to_thread(parse_org_table, data, filename)
    if table.fatal is not None or not table.rows:
        return ImportOutcome(table, None)
    named = await _name_placeholder(session, table.rows, default_region, now)
    summary = await orgs.apply_import(session, table.rows, default_region=default_region, now=now)
    for ppo in summary.new_ppos:
        await join_open_period(session, ppo, calendar, now, default_tz)
    return ImportOutcome(table, summary, named)


async def _name_placeholder(
    session: AsyncSession, rows: list[OrgRow], default_region: str, now: datetime
) -> tuple[str, str] | None:
    """A list naming one region, where the only region known is the placeholder an import
    without «Регион» created (``DEFAULT_REGION``): the placeholder is that region and takes its
    name, rather than a second region beside it holding every district and ППО again.
    (old name, new name) when renamed."""
    named = {orgs.name_key(row.region): row.region for row in rows if row.region}
    regions = await orgs.regions(session)
    if len(named) != 1 or len(regions) != 1:
        return None
    [(key, name)] = named.items()
    [placeholder] = regions
    if placeholder.name_key != orgs.name_key(default_region) or key == placeholder.name_key:
        return None
    old = placeholder.name
    orgs.set_name(placeholder, name, now)
    return old, name


def deep_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


async def tree_lines(session: AsyncSession) -> list[str]:
    """Region → district → ППО with who chairs each, one line per organization."""
    everything = await orgs.all_orgs(session)
    if not everything:
        return [t.ORGS_EMPTY]
    chairs = await orgs.active_chairs(session)
    children: dict[int | None, list[Organization]] = defaultdict(list)
    for org in everything:
        children[org.parent_id].append(org)
    lines = [t.ORGS_HEADER]
    for region in children[None]:
        lines.append(t.region_line(region.id, region.name))
        for district in children[region.id]:
            ppos = children[district.id]
            live = [ppo for ppo in ppos if ppo.archived_at is None]  # what staff and reports see
            joined = sum(1 for ppo in live if ppo.id in chairs)
            archived = district.archived_at is not None
            lines.append(t.district_line(district.id, district.name, len(live), joined, archived))
            lines += [_ppo_line(ppo, chairs.get(ppo.id)) for ppo in ppos]
    return lines


def _ppo_line(ppo: Organization, chair: orgs.ChairInfo | None) -> str:
    if ppo.archived_at is not None:
        return t.archived_line(ppo.id, ppo.name)
    return t.org_line(ppo.id, ppo.name, chair.full_name if chair else None, ppo.chair_name)


@dataclass(frozen=True)
class PendingInvite:
    region: str
    district: str
    org: Organization
    invite: Invite


async def invites_for_unchaired(
    session: AsyncSession, *, ttl: timedelta, now: datetime
) -> list[PendingInvite]:
    """A live invite for every active ППО without a chair: the existing one, or a new one.

    Reusing live codes matters: links already forwarded to chairs keep working. Archived
    ППО get none: nobody is to join an organization that is no longer monitored.
    """
    everything = {org.id: org for org in await orgs.all_orgs(session)}
    chairs = await orgs.active_chairs(session)
    live = await people.live_invites(session, now=now)
    pending = []
    for org in everything.values():
        if org.kind is not OrgKind.PPO or org.id in chairs or org.archived_at is not None:
            continue
        invite = live.get(org.id) or await people.issue_invite(
            session, org_id=org.id, role=Role.CHAIR, now=now, ttl=ttl, replacing=False
        )  # none live: nothing to revoke (a revoking scan per ППО made 5,000 take 97 s)
        district = everything[org.parent_id] if org.parent_id else None
        region = everything.get(district.parent_id) if district and district.parent_id else None
        pending.append(
            PendingInvite(
                region=region.name if region else "",
                district=district.name if district else "",
                org=org,
                invite=invite,
            )
        )
    pending.sort(key=_by_place)
    return pending


def _by_place(pending: PendingInvite) -> tuple[str, str, str, int]:
    """By region, district and name as organizations are listed (``sort_key``): a
    lower-case or «quoted» name sorts among the others, not before or after them all, and
    «№ 2» before «№ 10»."""
    return (
        sort_key(pending.region),
        sort_key(pending.district),
        pending.org.sort_key,
        pending.org.id,
    )


async def staff_invites(
    session: AsyncSession, *, ttl: timedelta, now: datetime
) -> list[PendingInvite]:
    """A live staff invite for every district that has no staff yet."""
    everything = await orgs.all_orgs(session)
    by_id = {org.id: org for org in everything}
    staffed = await orgs.staffed_org_ids(session)
    live = await people.live_invites(session, now=now, role=Role.STAFF)
    pending = []
    for org in everything:
        if org.kind is not OrgKind.DISTRICT or org.id in staffed or org.archived_at is not None:
            continue
        invite = live.get(org.id) or await people.issue_invite(
            session, org_id=org.id, role=Role.STAFF, now=now, ttl=ttl, replacing=False
        )
        region = by_id.get(org.parent_id) if org.parent_id else None
        pending.append(PendingInvite(region.name if region else "", org.name, org, invite))
    return pending


async def reissue_invite(
    session: AsyncSession, org: Organization, *, ttl: timedelta, now: datetime
) -> Invite:
    """A fresh link: a chair's for a ППО, a staff member's for a district or region."""
    role = Role.CHAIR if org.kind is OrgKind.PPO else Role.STAFF
    return await people.issue_invite(session, org_id=org.id, role=role, now=now, ttl=ttl)
