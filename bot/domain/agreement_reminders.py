"""Collective agreements about to end, told to the chair (issue 10: «in the chair's
reminders»): a daily job, so the district renegotiates in time.

A chair whose ППО's agreement (passport ``agreement_until``, marked in force) ends within
``AGREEMENT_NOTICE`` of the ППО's local date gets one message per agreement end date: the
outbox key holds the ППО, the date and the chair, so a second run, a restart or the next day
enqueue nothing new, and a new date (the agreement renewed) is told again when it nears its
end. The message goes out at the next allowed moment of the ППО's zone (the reminders' send
time, outside quiet hours, on a working day), carries the button to the passport form, and is
not sent to a chair who paused reminders (it goes after the pause, still within the notice)
or who blocked the bot. Each district, and each ППО in it, is a unit of ``isolation``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.calendar import CalendarSettings, local_today, next_allowed_moment, send_moment
from bot.domain.passport import PASSPORT_FORM
from bot.domain.passport_report import AGREEMENT_NOTICE
from bot.domain.tick import Planning
from bot.domain.timezones import zone_of
from bot.forms.declaration import FormButton, with_button
from bot.texts import passport as t
from storage import orgs, passports
from storage.contacts import chairs_of
from storage.models import Organization
from storage.outbox import OutboxKind, enqueue
from storage.outbox_keys import KeyPurpose, outbox_key

_ZONE_SLACK = timedelta(days=1)  # local dates differ from UTC's by at most a day


async def _remind(
    session: AsyncSession,
    org: Organization,
    until: date,
    now: datetime,
    settings: CalendarSettings,
    default_tz: str,
    form_button: FormButton,
) -> bool:
    """Enqueue the reminder of one ППО if its agreement ends within the notice of its local
    date and its chair may be written to now; True if one was enqueued."""
    tz = zone_of(org, default_tz)
    today = local_today(now, tz)
    if not today <= until <= today + AGREEMENT_NOTICE:
        return False
    chair = (await chairs_of(session, [org.id])).get(org.id)
    if chair is None or chair.unreachable or chair.paused_on(today):
        return False
    deliver_at = next_allowed_moment(max(now, send_moment(today, tz, settings)), tz, settings)
    days_left = (until - local_today(deliver_at, tz)).days
    return await enqueue(
        session,
        key=outbox_key(KeyPurpose.AGREEMENT, org.id, until.isoformat(), chair.tg_user_id),
        chat_id=chair.tg_user_id,
        kind=OutboxKind.TEXT,
        payload=with_button(
            t.agreement_reminder(org.name, until, days_left),
            form_button(PASSPORT_FORM.name, org.id),
        ),
        not_before=deliver_at,
        now=now,
    )


async def plan_agreement_reminders(planning: Planning, form_button: FormButton) -> int:
    """Enqueue the due agreement reminders of every district; returns how many were queued.

    One transaction per ППО, so a broken row (a time zone that does not exist, a date at the
    end of the calendar) costs only its own reminder.
    """
    session_pool, isolation, now = planning.session_pool, planning.isolation, planning.clock.now()
    earliest, latest = now.date() - _ZONE_SLACK, now.date() + AGREEMENT_NOTICE + _ZONE_SLACK
    async with session_pool() as session:
        districts = [district.id for district in await orgs.active_districts(session)]
    count = 0
    for district_id in districts:
        async with isolation.unit(f"agreement reminders of district {district_id}"):
            async with session_pool() as session:
                ending = await passports.agreements_ending(
                    session, district_id, earliest=earliest, latest=latest
                )
            for org, until in ending:
                async with (
                    isolation.unit(f"agreement reminder to ППО {org.id}"),
                    session_pool() as session,
                    session.begin(),
                ):
                    calendar, zone = planning.calendar, planning.default_tz
                    if await _remind(session, org, until, now, calendar, zone, form_button):
                        count += 1
    return count
