"""Half-filled forms left behind: a draft nobody answered for 30 days is closed, its owner told.

A draft holds the chair's place in a form and pins a report to the period it was opened for;
a month on, that period is over or long overdue and the chair has moved on (while the draft
lives, /report resumes it instead of starting the report now due). Run by the nightly job:
each batch of drafts is closed and their messages queued in one transaction, each message
under its own outbox key, so a repeat sends nothing twice. The message goes out at the next
allowed moment in the owner's time zone (not at night).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.calendar import CalendarSettings, next_allowed_moment
from bot.domain.membership import MEMBERSHIP_FORM, MembershipContext
from bot.forms.declaration import FormContext
from bot.texts import common
from bot.texts import forms as t
from storage import drafts, outbox
from storage.models import FormDraft
from storage.outbox import OutboxKind
from storage.outbox_keys import KeyPurpose, outbox_key

log = logging.getLogger(__name__)

KEPT_DAYS = 30
BATCH = 500


def _zone(draft: FormDraft, default_tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(FormContext.of(draft).tz or default_tz)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(default_tz)


def _closed_text(draft: FormDraft) -> str:
    """A report's draft names its period; any other form is «форма»."""
    period = MembershipContext.of(draft).period if draft.form == MEMBERSHIP_FORM.name else None
    name = common.period_name(period) if period else None
    return t.draft_closed(KEPT_DAYS, name)


async def _close(
    session: AsyncSession,
    draft: FormDraft,
    now: datetime,
    settings: CalendarSettings,
    default_tz: str,
) -> None:
    await outbox.enqueue(
        session,
        key=outbox_key(KeyPurpose.DRAFT_CLOSED, draft.token),
        chat_id=draft.tg_user_id,
        kind=OutboxKind.TEXT,
        payload={"text": _closed_text(draft)},
        not_before=next_allowed_moment(now, _zone(draft, default_tz), settings),
        now=now,
    )
    await drafts.drop_draft(session, draft)


async def close_stale_drafts(
    session_pool: async_sessionmaker[AsyncSession],
    now: datetime,
    settings: CalendarSettings,
    default_tz: str,
) -> int:
    """Close every draft not answered for ``KEPT_DAYS`` days and queue a word to its owner;
    returns how many were closed."""
    since = now - timedelta(days=KEPT_DAYS)
    closed = 0
    while True:
        async with session_pool() as session, session.begin():
            stale = list(await drafts.untouched_drafts(session, since=since, limit=BATCH))
            for draft in stale:
                await _close(session, draft, now, settings, default_tz)
        closed += len(stale)
        if len(stale) < BATCH:
            log.info("closed %s drafts untouched for %s days", closed, KEPT_DAYS)
            return closed
