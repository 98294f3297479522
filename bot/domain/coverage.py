"""Membership arithmetic from the union's documents: coverage, its change, plausibility checks."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from bot.domain.calendar import tier_of
from bot.texts import common as t

SOFT_CHANGE_SHARE = 0.10
# Farther than this from a half, rounding half up and rounding to the nearest agree.
_NEAR_HALF = 1e-6


def coverage(members: int | None, workers: int | None) -> float | None:
    """Охват профчленством, % = members / workers × 100 (seed 002: 680 of 763 → 89 %)."""
    if members is None or not workers:
        return None
    return members / workers * 100


def half_up(value: float, digits: int = 1) -> float:
    """Rounded as people and the union's documents round by hand (79,25 → 79,3). Python's
    ``round`` and format strings round the binary value to the nearest even digit (79,25 →
    79,2): a message and its table would then disagree.

    Only a value at (or within float noise of) a half differs from Python's nearest rounding;
    the others take ``round`` (a region's table rounds 50,000 figures: Decimal for each was a
    fifth of the table's time)."""
    scaled = abs(value) * 10**digits
    if abs(scaled - math.floor(scaled) - 0.5) > _NEAR_HALF:
        return round(value, digits)
    quantum = Decimal(1).scaleb(-digits)
    exact = Decimal(repr(round(value, 9)))  # drop float noise first: 79.24999999999999 is 79.25
    return float(exact.quantize(quantum, rounding=ROUND_HALF_UP))


def shown_percent(value: float) -> float:
    """A percentage as it is shown: one decimal, half up, but never across a tier's boundary
    (``tier_of``: below 50 %, 50-80 %, more than 80 %). 49,98 % is shown as 49,9, not 50; 80,04
    as 80,1, not 80; 50 and 80 themselves as they are.

    The tier, and with it how often the ППО reports, the standing note on curators, the
    digest's «ниже 50 %» list and the charts' bands, is decided on the exact figure, as the
    documents word it («более 80 %»). Deciding on the rounded one instead would need every
    comparison to round first; here one function holds for every message and table."""
    shown = half_up(value)
    if tier_of(shown) is tier_of(value):
        return shown
    return half_up(shown + (0.1 if shown < value else -0.1))


def shown_change(after: float, before: float) -> float:
    """The change from one percentage to another as every message and table shows it: the
    difference of the two shown figures (``shown_percent``), so that a reader subtracting them
    agrees, and so do /trends, /rating, the digest, /export and /curated on the same two
    reports (33,33 → 96,67 reads +63,4 in each, where the exact 63,33 would read +63,3).
    Rankings and thresholds (the fallers, the rating's score) use the exact change."""
    return half_up(shown_percent(after) - shown_percent(before))


def rounded(value: float | None) -> float | None:
    """A figure (p.p., a score) as a table cell holds it: one decimal, half up, as shown."""
    return None if value is None else half_up(value)


def rounded_percent(value: float | None) -> float | None:
    """A percentage as a table cell holds it: as every message shows it (``shown_percent``)."""
    return None if value is None else shown_percent(value)


def _tenths(value: float) -> str:
    """One decimal, a comma, «,0» dropped: 79,3 / 70."""
    return f"{value:.1f}".replace(".", ",").removesuffix(",0")


def format_percent(value: float | None) -> str:
    """A percentage as every message shows it (``shown_percent``, like the tables)."""
    if value is None:
        return "—"
    return _tenths(shown_percent(value)) + t.PERCENT


def format_points(delta: float | None) -> str:
    """A change in percentage points with its sign: +2,5 п.п.; «±0» when it rounds to zero."""
    if delta is None:
        return "—"
    if not half_up(abs(delta)):
        return t.NO_CHANGE
    sign = "+" if delta > 0 else "−"
    return sign + _tenths(half_up(abs(delta))) + t.POINTS


def trend_mark(delta: float | None) -> str:
    """The arrow of a change: flat exactly when its points are shown as «±0»."""
    if delta is None or not half_up(abs(delta)):
        return "→"
    return "↑" if delta > 0 else "↓"


@dataclass(frozen=True)
class Discrepancy:
    """Why a report deserves a second look before it is stored."""

    kind: str
    previous_members: int
    members: int
    expected: int | None = None


def soft_checks(
    current: Mapping[str, int | None], previous: Mapping[str, int | None] | None
) -> list[Discrepancy]:
    """Compare with the ППО's previous report: a jump over 10 % in members, or members that do
    not add up from the previous count plus joined minus left."""
    if not previous or previous.get("members") is None or current.get("members") is None:
        return []
    before, now = int(previous["members"] or 0), int(current["members"] or 0)
    found: list[Discrepancy] = []
    if before and abs(now - before) / before > SOFT_CHANGE_SHARE:
        found.append(Discrepancy("jump", before, now))
    joined, left = current.get("joined"), current.get("left")
    if joined is not None and left is not None:
        expected = before + joined - left
        if expected != now:
            found.append(Discrepancy("balance", before, now, expected))
    return found
