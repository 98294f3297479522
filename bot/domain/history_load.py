"""Loading past monitoring figures (/loadhistory): the file checked whole, then stored.

The steps are in ``bot.domain.history_import`` and ``history_match`` (pure), the writes in
``storage.history_import``; this joins them in the sender's transaction: nothing is stored
when any row is refused, and an accepted load leaves one audit entry with its counts.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.calendar import CalendarSettings, local_today
from bot.domain.cells import RowError
from bot.domain.due_periods import join_open_period
from bot.domain.history_import import read_history
from bot.domain.history_match import KnownPpo, Plan, ResolvedRow, plan, resolve
from bot.domain.org_list import normalize_name
from bot.domain.timezones import zone_of
from bot.domain.viewer import Viewer
from storage import audit
from storage import history_import as store
from storage.models import Organization
from storage.org_names import sort_key

ACTION = "report.import"


@dataclass(frozen=True)
class LoadOutcome:
    """A fatal problem with the file, the refused rows (nothing stored), or what was done."""

    fatal: str | None = None
    errors: list[RowError] = field(default_factory=list)
    total_rows: int = 0
    plan: Plan | None = None
    unread_sheets: list[str] = field(default_factory=list)


async def places_of(session: AsyncSession, viewer: Viewer) -> list[store.PpoPlace]:
    """The ППО the sender may load figures for (admins: all), by district and name."""
    places = [
        place
        for place in await store.ppo_places(session)
        if viewer.oversees(place.district_id, place.region_id)
    ]
    return sorted(
        places,
        key=lambda p: (sort_key(p.district_name), p.district_id, p.org.sort_key, p.org.id),
    )


async def _known(
    session: AsyncSession, viewer: Viewer, now: datetime, default_tz: str
) -> dict[str, list[KnownPpo]]:
    known: defaultdict[str, list[KnownPpo]] = defaultdict(list)
    for place in await store.ppo_places(session):
        known[normalize_name(place.org.name)].append(
            KnownPpo(
                org_id=place.org.id,
                name=place.org.name,
                district_id=place.district_id,
                district=place.district_name,
                allowed=viewer.oversees(place.district_id, place.region_id),
                today=local_today(now, zone_of(place.org, default_tz)),
            )
        )
    return dict(known)


async def load_history(
    session: AsyncSession,
    data: bytes,
    *,
    viewer: Viewer,
    actor_id: int,
    file_name: str,
    now: datetime,
    default_tz: str,
    calendar: CalendarSettings,
) -> LoadOutcome:
    """Read, check and store the file's figures; all or nothing (see the module docstring).
    A ППО whose loaded figures make it due for the period its district has open is asked for
    it (``join_open_period``), as a chair's corrected report does."""
    table = await asyncio.to_thread(read_history, data)
    unread = table.unread_sheets
    if table.fatal is not None:
        return LoadOutcome(fatal=table.fatal, unread_sheets=unread)
    resolution = resolve(table.rows, await _known(session, viewer, now, default_tz))
    total = len(table.rows) + len(table.errors)
    errors = sorted([*table.errors, *resolution.errors], key=lambda e: e.row_number)
    if errors:
        return LoadOutcome(errors=errors, total_rows=total, unread_sheets=unread)
    keys = {(row.org_id, row.period) for row in resolution.rows}
    today = local_today(now, ZoneInfo(default_tz))
    outcome = plan(resolution.rows, await store.stored_states(session, keys, today))
    store.add_imported(session, _triples(outcome.new), loaded_by=actor_id, now=now)
    await store.update_imported(session, _triples(outcome.updates), loaded_by=actor_id, now=now)
    await session.flush()
    for org_id in sorted({row.org_id for row in (*outcome.new, *outcome.updates)}):
        org = await session.get(Organization, org_id)
        if org is not None:
            await join_open_period(session, org, calendar, now, default_tz)
    districts = {row.district_id for row in resolution.rows}
    audit.record(
        session,
        at=now,
        actor_id=actor_id,
        action=ACTION,
        org_id=districts.pop() if len(districts) == 1 else None,
        after={
            "file": file_name,
            "rows": total,
            "loaded": len(outcome.new) + len(outcome.updates),
            "updated": len(outcome.updates),
            "unchanged": outcome.unchanged,
            "skipped_chair": outcome.by_chair,
            "skipped_collecting": outcome.collecting,
            "periods": outcome.periods,
        },
    )
    await session.flush()
    return LoadOutcome(total_rows=total, plan=outcome, unread_sheets=unread)


def _triples(rows: Sequence[ResolvedRow]) -> list[tuple[int, date, dict[str, int | None]]]:
    return [(row.org_id, row.period, row.values) for row in rows]
