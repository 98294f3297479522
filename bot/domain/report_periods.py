"""Which period a report is for: the rule deciding it from the ППО's open requests and its
local date (``report_options``), and the choice when two requests are open at once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.texts import common
from bot.texts import membership as t
from storage import collections
from storage.collections import OpenTarget
from storage.models import CollectionKind, Organization


@dataclass(frozen=True)
class Assignment:
    """What a report counts for: a period and the request it answers (None: an extra report,
    no one asked), that request's deadline for the ППО and whether it is already past."""

    period: date
    collection_id: int | None = None
    title: str | None = None  # a one-off request's title
    deadline: date | None = None
    late: bool = False
    submitted: bool = False  # the request was answered already: this is a new revision

    @property
    def label(self) -> str:
        return t.assignment_label(
            common.period_name(self.period), self.title, extra=self.collection_id is None
        )


def _assigned(target: OpenTarget, today: date) -> Assignment:
    return Assignment(
        period=target.period,
        collection_id=target.collection_id,
        title=target.title if target.one_off else None,
        deadline=target.deadline,
        late=target.deadline < today,
        submitted=target.submitted,
    )


def report_options(targets: Sequence[OpenTarget], today: date) -> tuple[Assignment, ...]:
    """The period(s) a report filed on ``today`` (the ППО's local date) is for.

    ``targets``: the ППО's membership requests still open (``storage.collections.open_targets``).
    The rule, first that applies: the months with a request not yet answered whose deadline
    has not passed (on the deadline day it has not); the month of the latest overdue request not
    yet answered (the report is late); the requests already answered whose deadline has not
    passed (a new revision); the current month as an extra report. One option: decided;
    several (a calendar period and a one-off request of another month open at once): the
    chair picks. A month is one option, since one report answers all its requests
    (``storage.collections.mark_submitted``): its first unanswered request, the deadline the
    month is owed by (late once it has passed, though another request of the month is open).
    """
    current = [target for target in targets if target.deadline >= today]
    owed = _one_per_period(target for target in targets if not target.submitted)
    open_months = {target.period for target in current if not target.submitted}
    pending = [target for target in owed if target.period in open_months]
    overdue = [target for target in targets if target.deadline < today and not target.submitted]
    if pending:
        return tuple(_assigned(target, today) for target in pending)
    if overdue:
        latest = max(overdue, key=lambda target: (target.deadline, target.period))
        return tuple(_assigned(t, today) for t in owed if t.period == latest.period)
    if current:
        return tuple(_assigned(target, today) for target in _one_per_period(current))
    return (Assignment(period=today.replace(day=1)),)


def _one_per_period(targets: Iterable[OpenTarget]) -> list[OpenTarget]:
    """The first (by deadline) of each period's requests, in their order."""
    first: dict[date, OpenTarget] = {}
    for target in targets:
        first.setdefault(target.period, target)
    return list(first.values())


def local_day(now: datetime, tz: str) -> date:
    return now.astimezone(ZoneInfo(tz)).date()


async def options_for(
    session: AsyncSession, org: Organization, *, default_tz: str, now: datetime
) -> tuple[Assignment, ...]:
    """:func:`report_options` of ``org`` at ``now``."""
    today = local_day(now, org.timezone or default_tz)
    return await _options(session, org.id, today, now)


async def _options(
    session: AsyncSession, org_id: int, today: date, now: datetime
) -> tuple[Assignment, ...]:
    targets = await collections.open_targets(
        session, org_id, kind=CollectionKind.MEMBERSHIP, now=now, local_day=today
    )
    return report_options(targets, today)


def chosen(options: Sequence[Assignment], collection_id: int | None) -> Assignment | None:
    """The one option there is, or the one with ``collection_id``; None: the chair must pick."""
    if len(options) == 1:
        return options[0]
    return next((o for o in options if o.collection_id == collection_id), None)


def same_place(planned: Assignment, now: Assignment) -> bool:
    """Whether two assignments count a report for the same period and request."""
    return (planned.period, planned.collection_id) == (now.period, now.collection_id)


async def reassign(
    session: AsyncSession, org_id: int, planned: Assignment, today: date, now: datetime
) -> Assignment:
    """The draft's assignment if it still is an option at ``now``, else where the report
    belongs now (of several open requests, the one due first)."""
    options = await _options(session, org_id, today, now)
    return next((o for o in options if same_place(planned, o)), options[0])
