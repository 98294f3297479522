"""The yearly rating of primary organizations (рейтингование эффективности работы ППО).

Seed 002 (the district's membership-motivation programme, item 25) asks for a rating of the
primary organizations every year by 1 February; its section VI names what the work is judged
by: the number of members and the coverage and their growth, the youth under 35, reporting
(monitoring two or four times a year, item 2), and the events held for the members. The rating
turns those into one score per ППО; ``bot.rendering.rating`` writes its message and table.

The formula
-----------
Every criterion is a score from 0 to 100; the total is their weighted mean::

    total = Σ wᵢ · sᵢ / Σ wᵢ    (over the criteria that apply to this ППО)

With the default weights (they sum to 1.0, so for a ППО to which every criterion applies the
total is simply Σ wᵢ · sᵢ):

=====================================  ======  ===============================================
criterion                              weight  score sᵢ
=====================================  ======  ===============================================
уровень охвата профчленством            0.30   coverage % of the last report of the year
динамика охвата за год                  0.20   Δ = coverage(last) − coverage(baseline), p.p.;
                                               s = (Δ + 10) × 5 clamped to 0..100, so −10 p.p.
                                               or worse is 0, no change is 50, +10 p.p. or
                                               better is 100
охват молодёжи до 35 лет                0.15   youth members / workers under 35 × 100
своевременность отчётности              0.15   requests of the year delivered on time, %
проведённые мероприятия                 0.10   events held / the most any rated ППО of the
                                               list held × 100
охват участников                        0.10   participants per 100 workers / the best such
                                               figure of the list × 100
=====================================  ======  ===============================================

Why these weights: membership is what the programme is about (its first criterion is the
growth of members and coverage), so the level and the change of coverage together weigh half;
the level weighs more than the change because a ППО at 95 % cannot grow much and must not be
ranked below one that climbed from 40 % to 48 %. Youth coverage is a criterion of its own in
the programme (0.15). Reporting on time is what the whole monitoring rests on and what the
union names people for (0.15). Events count, but less: their number and attendance depend on
the institution as much as on the chair, and they are self-reported (0.10 + 0.10).

Details, each a decision:

* **Baseline of the change**: the ППО's last counting report before the year; when it has
  none (new in the bot), the first report of the year. A ППО with a single report in the year
  and nothing before has a change of 0 (score 50, neutral).
* **Events against the best, reach per 100 workers**: an event is a unit of work whatever the
  size of the institution, so the count is compared as is, against the list's maximum. People
  reached are compared per 100 workers (participants ÷ workers × 100, then against the best
  such figure): a 300-person hospital can gather 300 people, a 20-person kindergarten cannot,
  and per-worker figures keep that from deciding the rating. The same person at three events
  counts three times (participations); online views are not people and are left out. A
  district event the ППО took part in (its attendance above zero) is one of its events with
  the people it sent, as /eventsreport lists it per ППО (seed 000 names the ППО that sent
  nobody). When no rated ППО held an event, both criteria are 0 for everyone (nothing was
  held; the order is unaffected).
* **Criteria that do not apply** are left out of that ППО's total and the other weights scale
  up (the Σ wᵢ divisor): no workers under 35 (0 in the report), a baseline report with 0
  workers, and no data requests of the year for it (when the district ran no collections, no
  one is judged on punctuality). Punctuality is not treated as 100 % then: that would reward
  ППО nobody asked anything.
* **Youth figures not given** (the question is optional in the form) score 0: youth coverage
  is an explicit criterion, and a skipped answer must not beat a reported low one.
* **No counting report in the year** (or its last one says 0 workers): not rated, listed at the
  bottom as «нет данных», in name order. Returned reports do not count (as in the digest).
* **Order**: total descending, then coverage descending, then name. Places are 1, 2, 3... with
  no shared places (the tie-breaks decide).
* **On time** is judged by the ППО's local date of delivery (see ``storage.rating``); requests
  not delivered whose deadline has not passed yet are left out.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.coverage import coverage, shown_change
from storage import digest as digest_store
from storage import rating as store
from storage.digest import ScopeInfo
from storage.org_names import sort_key
from storage.rating import RatingRow

CHANGE_SPAN = 10.0  # p.p.: a change of −CHANGE_SPAN scores 0, +CHANGE_SPAN scores 100


class Criterion(enum.StrEnum):
    COVERAGE = "coverage"
    CHANGE = "change"
    YOUTH = "youth"
    ON_TIME = "on_time"
    EVENTS = "events"
    REACH = "reach"


class Unrated(enum.StrEnum):
    NO_REPORT = "no_report"
    NO_WORKERS = "no_workers"


@dataclass(frozen=True)
class RatingWeights:
    """The weight of every criterion; non-negative, summing to 1.0 (see the module docstring)."""

    coverage: float = 0.30
    change: float = 0.20
    youth: float = 0.15
    on_time: float = 0.15
    events: float = 0.10
    reach: float = 0.10

    def __post_init__(self) -> None:
        values = [self.of(criterion) for criterion in Criterion]
        if any(not math.isfinite(v) or v < 0 for v in values):
            raise ValueError("rating weights must be finite and non-negative")
        if abs(sum(values) - 1.0) > 1e-6:
            raise ValueError(f"rating weights must sum to 1.0, not {sum(values)}")

    def of(self, criterion: Criterion) -> float:
        value: float = getattr(self, criterion.value)
        return value

    def items(self) -> list[tuple[Criterion, float]]:
        return [(criterion, self.of(criterion)) for criterion in Criterion]


DEFAULT_WEIGHTS = RatingWeights()


@dataclass(frozen=True)
class RatedOrg:
    """One ППО in the rating: raw figures, the 0..100 score of every criterion, the total.

    ``scores[c]`` is None when criterion ``c`` does not apply to this ППО (left out of its
    total); for an unrated ППО every score and the total are None and ``unrated`` says why.
    """

    row: RatingRow
    place: int | None
    total: float | None
    coverage: float | None  # %
    change: float | None  # p.p.
    youth: float | None  # %; None: not given or no young workers
    on_time: float | None  # % of the requests of the year
    reach: float | None  # participants per 100 workers
    scores: Mapping[Criterion, float | None] = field(default_factory=dict)
    unrated: Unrated | None = None

    @property
    def rated(self) -> bool:
        return self.unrated is None

    @property
    def shown_change(self) -> float | None:
        """``change`` as the message and the table show it: last report's shown coverage minus
        the baseline's (``coverage.shown_change``), as /trends shows the same two reports."""
        base = self.row.baseline
        before = None if base is None else coverage(base.members, base.workers)
        if self.change is None or self.coverage is None or before is None:
            return None
        return shown_change(self.coverage, before)

    @property
    def youth_not_given(self) -> bool:
        last = self.row.last
        return last is not None and (
            last.youth_workers is None or (last.youth_workers > 0 and last.youth_members is None)
        )


@dataclass(frozen=True)
class Rating:
    scope: ScopeInfo
    year: int
    weights: RatingWeights
    orgs: list[RatedOrg]  # rated by place, then the unrated by name
    as_of: date | None = None  # set while the year is not over: a preliminary rating

    @property
    def rated(self) -> list[RatedOrg]:
        return [org for org in self.orgs if org.rated]

    @property
    def unrated(self) -> list[RatedOrg]:
        return [org for org in self.orgs if not org.rated]


# --- The arithmetic -------------------------------------------------------------------------


def _clamp(value: float) -> float:
    return min(max(value, 0.0), 100.0)


def change_score(change: float) -> float:
    """−10 p.p. → 0, 0 → 50, +10 p.p. → 100, linear, clamped outside."""
    return _clamp((change + CHANGE_SPAN) * 100.0 / (2 * CHANGE_SPAN))


def weighted_total(
    scores: Mapping[Criterion, float | None], weights: RatingWeights = DEFAULT_WEIGHTS
) -> float:
    """Σ wᵢ·sᵢ / Σ wᵢ over the criteria whose score is not None."""
    applied = [(weights.of(c), s) for c, s in scores.items() if s is not None]
    weight = sum(w for w, _ in applied)
    if weight <= 0:
        return 0.0
    return sum(w * s for w, s in applied) / weight


@dataclass(frozen=True)
class _Raw:
    row: RatingRow
    coverage: float
    change: float | None
    youth: float | None
    youth_score: float | None
    on_time: float | None
    reach: float


def _raw(row: RatingRow) -> _Raw | Unrated:
    last, baseline = row.last, row.baseline
    if last is None:
        return Unrated.NO_REPORT
    level = coverage(last.members, last.workers)
    if level is None:
        return Unrated.NO_WORKERS
    before = None if baseline is None else coverage(baseline.members, baseline.workers)
    youth = youth_score = None
    if last.youth_workers is None:
        youth_score = 0.0  # not given
    elif last.youth_workers > 0:
        youth = coverage(last.youth_members, last.youth_workers)
        youth_score = 0.0 if youth is None else _clamp(youth)
    # youth_workers == 0: no young workers, the criterion does not apply
    return _Raw(
        row=row,
        coverage=level,
        change=None if before is None else level - before,
        youth=youth,
        youth_score=youth_score,
        on_time=None if row.targets <= 0 else row.on_time / row.targets * 100,
        reach=row.participants / last.workers * 100,
    )


def _unrated(row: RatingRow, reason: Unrated) -> RatedOrg:
    level = None if row.last is None else coverage(row.last.members, row.last.workers)
    return RatedOrg(
        row=row,
        place=None,
        total=None,
        coverage=level,
        change=None,
        youth=None,
        on_time=None if row.targets <= 0 else row.on_time / row.targets * 100,
        reach=None,
        scores=dict.fromkeys(Criterion),
        unrated=reason,
    )


def compute_rating(
    rows: Sequence[RatingRow], weights: RatingWeights = DEFAULT_WEIGHTS
) -> list[RatedOrg]:
    """Pure: score and order the ППО. Rated ones first by place, then the unrated by name."""
    raws: list[_Raw] = []
    unrated: list[RatedOrg] = []
    for row in rows:
        raw = _raw(row)
        if isinstance(raw, Unrated):
            unrated.append(_unrated(row, raw))
        else:
            raws.append(raw)
    max_events = max((raw.row.events for raw in raws), default=0)
    max_reach = max((raw.reach for raw in raws), default=0.0)

    scored: list[RatedOrg] = []
    for raw in raws:
        scores: dict[Criterion, float | None] = {
            Criterion.COVERAGE: _clamp(raw.coverage),
            Criterion.CHANGE: None if raw.change is None else change_score(raw.change),
            Criterion.YOUTH: raw.youth_score,
            Criterion.ON_TIME: raw.on_time,
            Criterion.EVENTS: raw.row.events / max_events * 100 if max_events > 0 else 0.0,
            Criterion.REACH: raw.reach / max_reach * 100 if max_reach > 0 else 0.0,
        }
        scored.append(
            RatedOrg(
                row=raw.row,
                place=None,
                total=weighted_total(scores, weights),
                coverage=raw.coverage,
                change=raw.change,
                youth=raw.youth,
                on_time=raw.on_time,
                reach=raw.reach,
                scores=scores,
            )
        )

    def order(org: RatedOrg) -> tuple[float, float, str, int]:
        # rounding drops float noise, so 0.1 + 0.2 and 0.3 tie and the tie-breaks decide
        return (
            -round(org.total or 0.0, 6),
            -round(org.coverage or 0.0, 6),
            sort_key(org.row.name),
            org.row.org_id,
        )

    scored.sort(key=order)
    placed = [replace(org, place=place) for place, org in enumerate(scored, start=1)]
    unrated.sort(key=lambda org: (sort_key(org.row.name), org.row.org_id))
    return placed + unrated


# --- Loading --------------------------------------------------------------------------------


async def load_rating(
    session: AsyncSession,
    *,
    scope_org_id: int,
    year: int,
    today: date | None = None,
    weights: RatingWeights = DEFAULT_WEIGHTS,
) -> Rating:
    """Read a district (or a region: all its ППО in one list) and rate its ППО for ``year``.

    ``today`` (the scope's local date): requests not delivered whose deadline has not passed
    are left out, and a year not yet over is marked preliminary. Raises LookupError for an
    unknown scope.
    """
    scope = await digest_store.scope_info(session, scope_org_id)
    if scope is None:
        raise LookupError(f"organization {scope_org_id} not found")
    rows = await store.rating_rows(session, scope_org_id, year, today=today)
    as_of = today if today is not None and today < date(year + 1, 1, 1) else None
    return Rating(
        scope=scope,
        year=year,
        weights=weights,
        orgs=compute_rating(rows, weights),
        as_of=as_of,
    )


def default_year(today: date) -> int:
    """The rating is due by 1 February for the year before; in January that is the one meant,
    from February on the current year so far (a preliminary rating)."""
    return today.year - 1 if today.month == 1 else today.year


_YEAR = re.compile(r"\d{4}", re.ASCII)


def rating_year(argument: str | None, today: date) -> int | None:
    """The year of ``/rating [year]``: none given → ``default_year``; a bad one → None."""
    text = (argument or "").strip()
    if not text:
        return default_year(today)
    if not _YEAR.fullmatch(text):
        return None
    year = int(text)
    return year if 2000 <= year <= today.year else None
