"""Reminders of the monitoring calendar, planned into the outbox (periods are opened by
``bot/domain/due_periods.py``).

A plain async function a scheduler calls every minute; running it again at the same moment
(or after a restart) changes nothing, because every reminder has its own outbox key.

Catch-up policy. A job that runs late (the bot was down) finds several reminders of a target
whose moment has passed. Only the latest of them goes out (per target and audience), so a
chair never gets «7 days left» and «3 days left» at once; the skipped ones are never sent
later, because the latest due reminder only moves forward. A caught-up reminder goes out at
the next allowed moment (now, or the end of quiet hours on the next working day); if that
day is the day of the next planned reminder, the catch-up is dropped and the next reminder
speaks for both (no chair gets two reminders on one day). Reminder texts count days left or
overdue from the day they go out, not from the day they were planned.

Who is reminded. Chair reminders go to the active chair of each ППО that has not submitted,
unless the chair is paused (``reminders_paused_until`` >= the ППО's local today), known to
be unreachable (blocked the bot), or the ППО is archived. Escalation (late1) goes, in the
district's time zone, to the curators of the late ППО (each gets their own ППО) and to the
district's staff (to the region's staff when the district has none): one message per person
per collection, listing the late ППО with their chairs and marks for paused / unreachable /
unconnected chairs. Pauses apply to chair reminders only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.calendar import (
    PURPOSE_OPEN,
    PlannedReminder,
    local_today,
    reminder_plan,
)
from bot.domain.escalation import escalation_recipients
from bot.domain.isolation import Isolation
from bot.domain.membership import CORRECTION_FORM
from bot.domain.tick import Planning, Tick
from bot.forms.declaration import FormButton, with_button
from bot.texts import reminders as t
from storage import collections as store
from storage import reports
from storage.closure import is_closed
from storage.contacts import Contact, chairs_of
from storage.models import Collection, CollectionKind, CollectionTarget, Organization
from storage.outbox import OutboxKind, enqueue
from storage.outbox_keys import KeyPurpose, outbox_key

"""(collection kind, ППО id) -> (button text, callback_data) of the button opening the form."""


def _chair_text(
    collection: Collection,
    target: CollectionTarget,
    org: Organization,
    item: PlannedReminder,
    delivered_on: date,
) -> str:
    common: dict[str, Any] = {
        "calendar": not collection.one_off and collection.kind == CollectionKind.MEMBERSHIP,
        "period": collection.period,
        "title": collection.title,
        "deadline": target.deadline,
    }
    if PURPOSE_OPEN in item.includes:
        return t.chair_open(org.name, **common)
    if delivered_on <= target.deadline:
        return t.chair_before(org.name, days_left=(target.deadline - delivered_on).days, **common)
    return t.chair_after(org.name, days_late=(delivered_on - target.deadline).days, **common)


@dataclass(frozen=True)
class _Owed:
    """A collection's scope, its targets (ППО closed under it left out), those still owed
    (a report sent back is owed again) and their chairs; the targets closed, apart.
    ``returned`` covers the closed too: one closed with its report sent back owes it as one
    that never answered, so an escalation notes it as withheld and a restore names it."""

    scope: Organization
    rows: list[tuple[CollectionTarget, Organization]]
    returned: set[int]
    pending: list[tuple[CollectionTarget, Organization]]
    chairs: dict[int, Contact]
    closed: list[tuple[CollectionTarget, Organization]]


def _owes(target: CollectionTarget, org: Organization, returned: set[int]) -> bool:
    """Whether the ППО still owes its answer: never given, or sent back and not corrected."""
    return target.submitted_at is None or org.id in returned


async def _owed(session: AsyncSession, collection: Collection, *, lock: bool) -> _Owed | None:
    """What the collection is still owed; None while its scope is closed (archived, or under
    an archived region): nobody is reminded or escalated about it then."""
    scope = await session.get(Organization, collection.scope_org_id)
    if scope is None or await is_closed(session, scope):
        return None
    rows, closed = await store.targets(session, collection.id, lock=lock)
    returned = await _sent_back(session, collection, rows + closed)
    pending = [(t, org) for t, org in rows if _owes(t, org, returned)]
    chairs = await chairs_of(session, (org.id for _, org in pending)) if pending else {}
    return _Owed(scope, rows, returned, pending, chairs, closed)


async def _plan_collection(
    session: AsyncSession,
    collection: Collection,
    tick: Tick,
    form_button: FormButton,
    isolation: Isolation,
) -> int:
    """Enqueue the due reminders of one collection; each target and the escalation is a unit.

    A target's only write is one :func:`enqueue`, itself a savepoint; the escalation writes
    one message per recipient, so it gets a savepoint of its own: all of it or none.
    """
    owed = await _owed(session, collection, lock=True)
    if owed is None or not owed.pending:
        return 0
    count = 0
    for target, org in owed.pending:
        async with isolation.unit(f"reminder of collection {collection.id} to ППО {org.id}"):
            chair = owed.chairs.get(org.id)
            correcting = org.id in owed.returned
            if await _remind_chair(
                session, collection, target, org, chair, tick, form_button, correcting=correcting
            ):
                count += 1
    unit = isolation.unit(f"escalation of collection {collection.id}")
    async with unit, session.begin_nested():
        count += await _escalate(session, collection, owed, tick)
    return count


async def _remind_chair(
    session: AsyncSession,
    collection: Collection,
    target: CollectionTarget,
    org: Organization,
    chair: Contact | None,
    tick: Tick,
    form_button: FormButton,
    *,
    correcting: bool,
) -> bool:
    """Enqueue the chair reminder of one target that is due now; True if one was enqueued.
    ``correcting``: the report that answered it was sent back: the reminder asks for the
    correction, and its button opens it."""
    if chair is None or chair.unreachable:
        return False
    tz = tick.zone(org)
    if chair.paused_on(local_today(tick.now, tz)):
        return False
    opened_on = local_today(collection.opened_at, tz)
    plan = reminder_plan(opened_on, target.deadline, tick.calendar)
    picked = tick.due([p for p in plan if p.audience == "chair"], tz)
    if picked is None:
        return False
    item, deliver_at = picked
    if correcting:
        text = t.chair_correction(org.name, period=collection.period, deadline=target.deadline)
        payload = with_button(text, form_button(CORRECTION_FORM.name, org.id))
    else:
        text = _chair_text(collection, target, org, item, local_today(deliver_at, tz))
        payload = with_button(text, form_button(collection.kind.value, org.id))
    return await enqueue(
        session,
        key=outbox_key(KeyPurpose.REMINDER, collection.id, org.id, item.purpose, chair.tg_user_id),
        chat_id=chair.tg_user_id,
        kind=OutboxKind.TEXT,
        payload=payload,
        not_before=deliver_at,
        now=tick.now,
    )


async def _sent_back(
    session: AsyncSession,
    collection: Collection,
    rows: Sequence[tuple[CollectionTarget, Organization]],
) -> set[int]:
    """The ППО whose answer to a monitoring collection was sent back and is not corrected:
    they owe it still, so they are reminded and named as late as if they had not answered."""
    if collection.kind is not CollectionKind.MEMBERSHIP:
        return set()
    answered = [org.id for target, org in rows if target.submitted_at is not None]
    return await reports.sent_back(session, answered, collection.period) if answered else set()


def _late_lines(
    late: Sequence[Organization], chairs: dict[int, Contact], tick: Tick
) -> dict[int, str]:
    """Each late ППО's line of the escalation, with its chair and their marks, by ППО id."""
    lines: dict[int, str] = {}
    for org in late:
        chair = chairs.get(org.id)
        org_today = local_today(tick.now, tick.zone(org))
        lines[org.id] = t.late_line(
            org.name,
            chair.full_name if chair is not None else org.chair_name,
            connected=chair is not None,
            paused_until=chair.paused_until
            if chair is not None and chair.paused_on(org_today)
            else None,
            unreachable=chair is not None and chair.unreachable,
        )
    return lines


async def _escalations(
    session: AsyncSession, collection: Collection, owed: _Owed, tick: Tick
) -> dict[int, dict[str, Any]]:
    """What the escalation of the collection's late ППО says now to each recipient it reaches,
    by chat (its payload); empty when none is late. Those closed that owe it are noted as
    withheld from it, not listed, so that a restore reopens it."""
    today = local_today(tick.now, tick.zone(owed.scope))
    late = [org for target, org in owed.pending if target.deadline < today]
    if not late:
        return {}
    lines = _late_lines(late, owed.chairs, tick)
    shut = [o.id for t, o in owed.closed if _owes(t, o, owed.returned) and t.deadline < today]
    recipients = await escalation_recipients(session, owed.scope, list(lines), shut)
    payloads: dict[int, dict[str, Any]] = {}
    for tg_user_id, recipient in recipients.items():
        if recipient.contact.unreachable:
            continue
        text = t.escalation(
            calendar=not collection.one_off and collection.kind == CollectionKind.MEMBERSHIP,
            period=collection.period,
            title=collection.title,
            deadline=collection.deadline,
            lines=[lines[org.id] for org in late if org.id in recipient.org_ids],
            total=len(owed.rows),
            curator=not recipient.staff,
        )
        payloads[tg_user_id] = recipient.payload(text)
    return payloads


def _escalation_due(
    collection: Collection, scope: Organization, tick: Tick
) -> tuple[PlannedReminder, datetime] | None:
    """The collection's escalation to queue now, and when it may go out (``Tick.due``)."""
    tz = tick.zone(scope)
    plan = reminder_plan(local_today(collection.opened_at, tz), collection.deadline, tick.calendar)
    return tick.due([p for p in plan if p.audience == "escalation"], tz)


async def _escalate(session: AsyncSession, collection: Collection, owed: _Owed, tick: Tick) -> int:
    """Enqueue the escalation of the collection's late ППО if it is due; how many messages."""
    picked = _escalation_due(collection, owed.scope, tick)
    if picked is None:
        return 0
    item, deliver_at = picked
    count = 0
    for tg_user_id, payload in (await _escalations(session, collection, owed, tick)).items():
        if await enqueue(
            session,
            key=outbox_key(
                KeyPurpose.REMINDER, collection.id, owed.scope.id, item.purpose, tg_user_id
            ),
            chat_id=tg_user_id,
            kind=OutboxKind.TEXT,
            payload=payload,
            not_before=deliver_at,
            now=tick.now,
        ):
            count += 1
    return count


async def escalation_now(
    session: AsyncSession, collection_id: int, chat_id: int, tick: Tick
) -> dict[str, Any] | None:
    """What the collection's escalation says to ``chat_id`` now, whether or not it is due (its
    payload); None when nothing: its scope closed, none of theirs late. An archiving or a
    restore rewrites a waiting escalation with it (``bot.domain.archived_escalations``)."""
    collection = await session.get(Collection, collection_id)
    owed = None if collection is None else await _owed(session, collection, lock=False)
    if collection is None or owed is None:
        return None
    return (await _escalations(session, collection, owed, tick)).get(chat_id)


async def escalation_due(
    session: AsyncSession, collection_id: int, purpose: str, tick: Tick
) -> bool:
    """Whether the collection's escalation ``purpose`` is the one its planner queues now: the
    collection still open (``OPEN_GRACE_DAYS`` after its deadline) and that escalation the
    latest due. A restore frees the key of one that went out only while this holds
    (``bot.domain.archived_escalations``)."""
    collection = await session.get(Collection, collection_id)
    scope = None if collection is None else await session.get(Organization, collection.scope_org_id)
    if collection is None or scope is None:
        return False
    if collection.deadline < tick.now.date() - timedelta(days=store.OPEN_GRACE_DAYS):
        return False
    picked = _escalation_due(collection, scope, tick)
    return picked is not None and picked[0].purpose == purpose


async def plan_reminders(planning: Planning, form_button: FormButton) -> int:
    """Enqueue every reminder whose moment has come; returns how many were enqueued.

    One transaction per collection; the targets are row-locked while their reminders are
    enqueued, so a submission at the same moment either comes first (no reminder) or waits
    and then cancels what was enqueued (``storage.collections.mark_submitted``). Each
    collection, each of its targets and its escalation are units of ``isolation``: a broken
    one is logged and skipped, the others are reminded all the same.
    """
    isolation, tick = planning.isolation, planning.tick()
    async with planning.session_pool() as session:
        open_ones = list(await store.open_collections(session, now=tick.now))
    count = 0
    for collection in open_ones:
        async with isolation.unit(f"reminders of collection {collection.id}"):
            async with planning.session_pool() as session, session.begin():
                queued = await _plan_collection(session, collection, tick, form_button, isolation)
            count += queued
    return count
