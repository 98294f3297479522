"""Membership arithmetic from the union's documents: coverage, its change, plausibility checks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.texts import common as t

SOFT_CHANGE_SHARE = 0.10


def coverage(members: int | None, workers: int | None) -> float | None:
    """Охват профчленством, % = members / workers × 100 (seed 002: 680 of 763 → 89 %)."""
    if members is None or not workers:
        return None
    return members / workers * 100


def format_percent(value: float | None) -> str:
    if value is None:
        return "—"
    text = f"{value:.1f}".replace(".", ",")
    return text.removesuffix(",0") + t.PERCENT


def format_points(delta: float | None) -> str:
    """A change in percentage points with its sign: +2,5 п.п."""
    if delta is None:
        return "—"
    if abs(delta) < 0.05:
        return t.NO_CHANGE
    sign = "+" if delta > 0 else "−"
    return f"{sign}{abs(delta):.1f}".replace(".", ",").removesuffix(",0") + t.POINTS


def trend_mark(delta: float | None) -> str:
    if delta is None or abs(delta) < 0.05:
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
