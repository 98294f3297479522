"""What the clockwork writes about district events: the invitation, reminders to the chairs
who have not answered, and the day after the event the question how many came.

A plain async function the scheduler calls every minute; running it again (or after a
restart) queues nothing twice: an invitation is marked on its invite row (``invited_at``: the
outbox forgets sent keys after a month, an event may be announced a year ahead), a reminder
and the attendance prompt have their own outbox keys and short windows. A reminder's key
names the answer day it reminds of: once an event is moved, the reminders against the new
day go out though those against the old one were sent (a move sends no invitation again, so
the invitation's key needs no day: a waiting one is dropped by the move and written afresh).

The calendar's rules hold for all three: each goes out at the next allowed moment in the
ППО's own zone (working days, outside quiet hours). Reminders and the attendance prompt are
reminders, so a chair's pause (/pause) holds them back; the invitation is news, not a
reminder, and goes out to a paused chair too. Only the latest reminder due is queued (3 days
before the answer day, then 1 day before), never one planned before the invitation went out,
none that a weekend would hold over into the next reminder's day (no chair gets two on one
day), and none that could only go out after the answer day.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.calendar import CalendarSettings, local_today, next_allowed_moment
from bot.domain.district_event_cancel import tell_invited_meanwhile
from bot.domain.tick import Planning
from bot.domain.timezones import zone_of
from bot.texts import district_events as t
from bot.texts.event_report import kind_name
from storage import district_events as store
from storage.contacts import Contact, chairs_of
from storage.models import (
    DistrictEvent,
    DistrictEventAnswer,
    DistrictEventInvite,
    Organization,
)
from storage.outbox import OutboxKind, enqueue
from storage.outbox_keys import KeyPurpose, outbox_key

Buttons = list[list[dict[str, str]]]
InviteButtons = Callable[[str, int, int], Buttons]
"""(purpose: ``ANSWER`` or ``CAME``, event id, ППО id) -> the rows of buttons a message
carries; made by the Telegram side (``handlers/district_event_keyboards.py``) so the domain
knows no callback format."""
ANSWER, CAME = "answer", "came"
REMIND_DAYS_BEFORE = (3, 1)
PROMPT_WITHIN_DAYS = 7
WATCHED = timedelta(days=PROMPT_WITHIN_DAYS + 2)


async def plan_district_events(planning: Planning, buttons: InviteButtons) -> int:
    """Queue every invitation, reminder and attendance prompt due now, and the news that an
    event is called off to a chair whose invitation went as it was; how many were queued.
    Each event is a unit of ``isolation`` in a transaction of its own, which takes SQLite's
    write lock only when it queues (``Planning.reading_first``): most minutes nothing is due,
    and no chair's answer should wait for a pass that only reads."""
    isolation, now = planning.isolation, planning.clock.now()
    settings, default_tz = planning.calendar, planning.default_tz
    async with planning.reader() as session:
        event_ids = [event.id for event in await store.events_since(session, now - WATCHED)]
    count = 0
    for event_id in event_ids:
        async with isolation.unit(f"mail of district event {event_id}"):
            mail = partial(
                _plan_event,
                event_id=event_id,
                now=now,
                settings=settings,
                default_tz=default_tz,
                buttons=buttons,
            )
            count += await planning.reading_first(mail)
    async with isolation.unit("district events called off"):
        told = partial(tell_invited_meanwhile, now=now, settings=settings, default_tz=default_tz)
        count += await planning.reading_first(told)
    return count


async def _plan_event(
    session: AsyncSession,
    event_id: int,
    now: datetime,
    settings: CalendarSettings,
    default_tz: str,
    buttons: InviteButtons,
) -> int:
    event = await store.get_event(session, event_id)
    if event is None:
        return 0
    rows = await store.invites_with_orgs(session, event_id)
    chairs = await chairs_of(session, [org.id for _, org in rows])
    refused = await store.refused_invitations(session, event_id)
    count = 0
    for invite, org in rows:
        chair = chairs.get(org.id)
        if chair is None or chair.unreachable or org.archived_at is not None:
            continue
        mail = _Mail(event, invite, org, chair, now, zone_of(org, default_tz), settings, buttons)
        if await mail.queue(session, invite_again=org.id in refused):
            count += 1
    return count


class _Mail:
    """The one message (if any) due now to the chair of one invited ППО."""

    def __init__(
        self,
        event: DistrictEvent,
        invite: DistrictEventInvite,
        org: Organization,
        chair: Contact,
        now: datetime,
        tz: ZoneInfo,
        settings: CalendarSettings,
        buttons: InviteButtons,
    ) -> None:
        self.event, self.invite, self.org, self.chair = event, invite, org, chair
        self.now, self.tz, self.settings, self.buttons = now, tz, settings, buttons
        self.today = local_today(now, tz)
        self.deliver_at = next_allowed_moment(now, tz, settings)

    @property
    def answers_open(self) -> bool:
        return self.now < self.event.starts_at and self.today <= self.event.answer_by

    async def queue(self, session: AsyncSession, *, invite_again: bool) -> bool:
        """``invite_again``: the invitation was refused (the chair had blocked the bot) and the
        chair is reachable now: it goes out once more, the reminders alone say no when or
        where."""
        if self.invite.invited_at is None:
            return self.answers_open and await self._invitation(session)
        if self.answers_open:
            if invite_again and await self._invitation(session, again=True):
                return True
            return self.invite.answer is None and await self._reminder(session)
        return await self._attendance_prompt(session)

    async def _send(self, session: AsyncSession, key: str, text: str, purpose: str) -> bool:
        return await enqueue(
            session,
            key=key,
            chat_id=self.chair.tg_user_id,
            kind=OutboxKind.TEXT,
            payload={"text": text, "buttons": self.buttons(purpose, self.event.id, self.org.id)},
            not_before=self.deliver_at,
            now=self.now,
        )

    async def _invitation(self, session: AsyncSession, *, again: bool = False) -> bool:
        event = self.event
        text = "\n".join(
            [
                t.invitation(
                    self.org.name,
                    kind_name(event.kind, event.kind_other),
                    event.title,
                    event.starts_at.astimezone(self.tz),
                    event.place,
                    event.online,
                    event.quota,
                ),
                t.answer_deadline(event.answer_by),
            ]
        )
        parts = (event.id, self.org.id, self.chair.tg_user_id, *(("again",) if again else ()))
        queued = await self._send(
            session, outbox_key(KeyPurpose.DISTRICT_INVITATION, *parts), text, ANSWER
        )
        if queued or not again:
            self.invite.invited_at = self.now
        return queued

    def _reminder_due(self) -> int | None:
        """Days before the answer day of the latest reminder due now, if one may go out."""
        assert self.invite.invited_at is not None
        invited_on = local_today(self.invite.invited_at, self.tz)
        answer_by = self.event.answer_by
        due = [
            days
            for days in REMIND_DAYS_BEFORE
            if invited_on < answer_by - timedelta(days=days) <= self.today
        ]
        if not due:
            return None
        days, delivered_on = min(due), local_today(self.deliver_at, self.tz)
        following = [d for d in REMIND_DAYS_BEFORE if d < days]
        if following and delivered_on >= answer_by - timedelta(days=max(following)):
            return None  # held over a weekend into the next reminder's day: that one speaks
        return None if delivered_on > answer_by else days

    async def _reminder(self, session: AsyncSession) -> bool:
        days = self._reminder_due()
        if days is None or self.chair.paused_on(self.today):
            return False
        answer_by = self.event.answer_by
        left = (answer_by - local_today(self.deliver_at, self.tz)).days
        text = t.reminder(self.org.name, self.event.title, answer_by, left)
        parts = (self.event.id, self.org.id, answer_by.isoformat(), days, self.chair.tg_user_id)
        key = outbox_key(KeyPurpose.DISTRICT_REMINDER, *parts)
        return await self._send(session, key, text, ANSWER)

    async def _attendance_prompt(self, session: AsyncSession) -> bool:
        invite, held_on = self.invite, self.event.starts_on
        if (
            self.now < self.event.starts_at
            or invite.attended is not None
            or invite.answer is DistrictEventAnswer.DECLINED
            or not _within(self.today, held_on + timedelta(days=1), PROMPT_WITHIN_DAYS)
            or self.chair.paused_on(self.today)
        ):
            return False
        text = t.attendance_prompt(self.org.name, self.event.title)
        key = outbox_key(
            KeyPurpose.DISTRICT_ATTENDANCE, self.event.id, self.org.id, self.chair.tg_user_id
        )
        return await self._send(session, key, text, CAME)


def _within(day: date, first: date, days: int) -> bool:
    return first <= day < first + timedelta(days=days)
