"""When digests fall due for district staff, and how their text, chart and table are rendered.

A digest is due every week (the configured weekday and time, local to the district) and on
the working day after each deadline. Each is three outbox rows (text, chart, table) keyed by
staff member, scope and the day it fell due, so a catch-up after downtime sends it once.
What a digest covers is fixed when it falls due (the scope, the day, its events' window);
what it shows is loaded when it goes out, so a digest held over a holiday, quiet hours or an
outage tells in its text what its chart and table show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.files import Drawing, RenderedFile, RenderedText, Renderer
from bot.domain.calendar import CalendarSettings, next_allowed_moment, next_working_day
from bot.domain.digest import Digest, load_digest
from bot.domain.plan_reminders import review_renderers
from bot.domain.tick import Planning
from bot.domain.timezones import zone_of
from bot.forms.registry import DIGEST_SECTIONS
from bot.rendering.digest import digest_chart_png, digest_table_xlsx, digest_text
from bot.texts import digest as t
from storage import digest as digest_store
from storage import outbox, people
from storage.models import Organization, Person, RoleGrant
from storage.outbox import OutboxKind
from storage.outbox_keys import KeyPurpose, outbox_key
from storage.outbox_withdraw import last_sent_digest_day, withdraw_earlier_digests

CATCH_UP = timedelta(days=6)
"""A digest that fell due longer ago than this is not sent late: a newer one replaces it."""
EVENTS_WINDOW = timedelta(days=7)
"""Events of a first digest (or of /digest asked for): the week before."""
LONGEST_EVENTS_WINDOW = timedelta(days=35)
"""A digest's events start where the last one delivered to the person ended, but no further
back than this (a person unreachable for months gets the last five weeks)."""
DEADLINE_LOOKBACK = CATCH_UP + timedelta(days=21)
"""How far back a deadline can lie and still have its digest due (catch-up window plus the
longest run of days off, the New Year holidays, with room to spare)."""


def _weekly_slot(now_local: datetime, settings: CalendarSettings) -> datetime:
    """The latest weekly digest moment at or before ``now_local``."""
    days_back = (now_local.weekday() - settings.digest_weekday) % 7
    slot_day = now_local.date() - timedelta(days=days_back)
    slot = datetime.combine(slot_day, settings.digest_time, tzinfo=now_local.tzinfo)
    return slot if slot <= now_local else slot - timedelta(days=7)


async def _deadline_slots(
    session: AsyncSession,
    scope: Organization,
    today: date,
    tz: ZoneInfo,
    settings: CalendarSettings,
) -> list[datetime]:
    """The morning after each recent deadline of the scope's collections, a region's being
    those of its districts too (its staff report upward after them as well).

    Only deadlines that can still have a digest due (passed, and no older than the catch-up
    window plus the longest run of days off) are read: the others cannot matter, and a far
    future deadline stored by mistake (31.12.9999) must not reach the date arithmetic.
    """
    deadlines = await digest_store.deadlines_between(
        session, scope.id, since=today - DEADLINE_LOOKBACK, before=today
    )
    slots = []
    for deadline in deadlines:
        day = next_working_day(deadline + timedelta(days=1))
        slots.append(datetime.combine(day, settings.digest_time, tzinfo=tz))
    return slots


@dataclass(frozen=True)
class DueDigest:
    """A staff member's digest that fell due, ready to queue: its three parts, each named in
    its key by a part (the text's stays «text») and all drawn when they are sent."""

    scope_org_id: int
    chat_id: int
    due_on: date
    parts: dict[OutboxKind, dict[str, Any]]

    def key(self, part: OutboxKind) -> str:
        return outbox_key(
            KeyPurpose.DIGEST, self.scope_org_id, self.due_on.isoformat(), self.chat_id, part
        )


_ROW_KIND = {OutboxKind.TEXT: OutboxKind.DIGEST_TEXT}
"""How a part is sent, where that is not its key's part: the text is drawn at send time."""


async def build_digest(
    session: AsyncSession,
    *,
    scope_org_id: int,
    chat_id: int,
    today: date,
    due_on: date,
) -> DueDigest | None:
    """The digest that fell due ``due_on``, ready to queue; None if it was queued already.

    What it tells is fixed now (the scope, ``today``, where its events start); what it shows
    is loaded when its parts go out (:func:`renderers`), so a digest held over a holiday,
    quiet hours or an outage tells in its text what its table shows."""
    built = DueDigest(scope_org_id, chat_id, due_on, {})
    if await outbox.by_key(session, built.key(OutboxKind.TEXT)) is not None:
        return None  # checked first: the tick runs every minute, the digest is queued once
    payload: dict[str, Any] = {
        "scope_org_id": scope_org_id,
        "today": today.isoformat(),
        "events_since": (await _events_since(session, built, today)).isoformat(),
    }
    for part in (OutboxKind.TEXT, OutboxKind.DIGEST_CHART, OutboxKind.DIGEST_TABLE):
        built.parts[part] = payload
    return built


async def _events_since(session: AsyncSession, due: DueDigest, today: date) -> date:
    """Where the digest's events start: the day the last digest delivered to the person fell
    due (a deadline's digest between two weekly ones, or a weekly one withdrawn over the
    holidays, neither repeats nor loses an event), else a week back."""
    last = await last_sent_digest_day(
        session, chat_id=due.chat_id, scope_id=due.scope_org_id, before=due.due_on
    )
    if last is None or last < today - LONGEST_EVENTS_WINDOW:
        return today - EVENTS_WINDOW
    return last


async def queue_digest(
    session: AsyncSession, due: DueDigest, *, not_before: datetime, now: datetime
) -> bool:
    """Queue the parts; an earlier digest still waiting for the person is withdrawn (the
    newer speaks for both). False if another tick queued it meanwhile."""
    added = {
        kind: await outbox.enqueue(
            session,
            key=due.key(kind),
            chat_id=due.chat_id,
            kind=_ROW_KIND.get(kind, kind),
            payload=part,
            not_before=not_before,
            now=now,
        )
        for kind, part in due.parts.items()
    }
    if added[OutboxKind.TEXT]:
        await withdraw_earlier_digests(
            session, chat_id=due.chat_id, scope_id=due.scope_org_id, due_on=due.due_on
        )
    return added[OutboxKind.TEXT]


async def plan_digests(planning: Planning) -> int:
    """Queue every digest that has fallen due for each staff member and was not queued yet.

    Each staff member's digest is a unit of ``isolation``: whether it is due and where its
    events start are read in a session of the planning's reader (holding no write lock: no
    chair's answer waits for it), then it is queued in a short transaction; one that fails is
    logged and skipped. Its district or region is read and drawn when it is sent
    (:func:`renderers`).
    """
    isolation, reading_pool, settings = planning.isolation, planning.reader, planning.calendar
    default_tz, now = planning.default_tz, planning.clock.now()
    async with reading_pool() as session:
        grants = await people.staff_grants(session)
    queued = 0
    for grant, person, scope in grants:
        if person.unreachable_at is not None:
            continue
        async with isolation.unit(f"digest of scope {scope.id} for person {person.id}"):
            async with reading_pool() as session:
                due = await _due_digest(session, grant, person, scope, now, settings, default_tz)
            if due is None:
                continue
            not_before = next_allowed_moment(now, zone_of(scope, default_tz), settings)
            async with planning.session_pool() as session, session.begin():
                queued += await queue_digest(session, due, not_before=not_before, now=now)
    return queued


async def _due_digest(
    session: AsyncSession,
    grant: RoleGrant,
    person: Person,
    scope: Organization,
    now: datetime,
    settings: CalendarSettings,
    default_tz: str,
) -> DueDigest | None:
    """The digest of one staff member built, if one fell due and was not queued yet."""
    tz = zone_of(scope, default_tz)
    now_local = now.astimezone(tz)
    slots = [_weekly_slot(now_local, settings)]
    slots += await _deadline_slots(session, scope, now_local.date(), tz, settings)
    due = [s for s in slots if grant.granted_at < s <= now_local and now_local - s <= CATCH_UP]
    if not due or _superseded_while_held(max(due), now, tz, settings):
        return None
    # Several missed at once (downtime): one digest, the latest, is the picture wanted.
    return await build_digest(
        session,
        scope_org_id=scope.id,
        chat_id=person.tg_user_id,
        today=now_local.date(),
        due_on=max(due).date(),
    )


def _superseded_while_held(
    slot: datetime, now: datetime, tz: ZoneInfo, settings: CalendarSettings
) -> bool:
    """Whether the digest of ``slot``, held over days off (a Monday in the New Year holidays),
    could only go out when the next weekly one falls due: that one, newer, speaks for both,
    and this one is not queued (queued, it would go out first, seconds before the newer)."""
    sendable = next_allowed_moment(now, tz, settings).astimezone(tz)
    return _weekly_slot(sendable, settings).date() > slot.date()


def renderers(default_tz: str) -> dict[str, Renderer]:
    """Outbox renderers for the digest's text, chart and table, each loaded when it is sent (in
    the sender's reading session) and drawn after it in a worker thread. The three go out
    seconds apart, so a digest held over a holiday tells in its text what its table shows.
    (A load kept in memory for the parts after the text would be held once per staff member
    across a wave: the sender sends every chat's text first, and a region's load is large.)"""

    async def load(session: AsyncSession, payload: dict[str, Any]) -> Digest:
        since = payload.get("events_since")
        return await load_digest(
            session,
            scope_org_id=int(payload["scope_org_id"]),
            today=date.fromisoformat(payload["today"]),
            events_since=date.fromisoformat(since) if since else None,
            default_tz=default_tz,
            sections=DIGEST_SECTIONS,
        )

    async def text(session: AsyncSession, payload: dict[str, Any]) -> Drawing:
        digest = await load(session, payload)
        return lambda: RenderedText(digest_text(digest))

    async def chart(session: AsyncSession, payload: dict[str, Any]) -> Drawing:
        digest = await load(session, payload)
        name = t.chart_file_name(digest.period)
        caption = t.chart_caption(digest.scope.name)
        return lambda: RenderedFile(name, digest_chart_png(digest), caption, as_photo=True)

    async def table(session: AsyncSession, payload: dict[str, Any]) -> Drawing:
        digest = await load(session, payload)
        name = t.table_file_name(digest.period)
        caption = t.table_caption(digest.scope.name)
        return lambda: RenderedFile(name, digest_table_xlsx(digest), caption, False)

    return {
        OutboxKind.DIGEST_TEXT: text,
        OutboxKind.DIGEST_CHART: chart,
        OutboxKind.DIGEST_TABLE: table,
        **review_renderers(default_tz),
    }
