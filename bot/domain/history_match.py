"""Past monitoring figures (/loadhistory), step two and three: whose they are, and what
becomes of each row beside what is stored (see ``bot.domain.history_import``). Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.domain.cells import RowError, shown
from bot.domain.history_import import HistoryRow, Values
from bot.domain.org_list import normalize_name
from bot.texts import history_import as t
from storage.history_import import Stored
from storage.org_names import sort_key

# --- Matching the ППО -----------------------------------------------------------------------


@dataclass(frozen=True)
class KnownPpo:
    """A ППО the bot knows, as the loader sees it: is it the sender's, and its local date."""

    org_id: int
    name: str
    district_id: int
    district: str
    allowed: bool
    today: date


@dataclass(frozen=True)
class ResolvedRow:
    row_number: int
    org_id: int
    district_id: int
    period: date
    values: Values


@dataclass(frozen=True)
class Resolution:
    rows: list[ResolvedRow]
    errors: list[RowError]


def _pick(row: HistoryRow, candidates: Sequence[KnownPpo]) -> KnownPpo | str:
    """The row's ППО, or why it cannot be loaded."""
    if row.district is not None:
        key = normalize_name(row.district)
        in_district = [c for c in candidates if normalize_name(c.district) == key]
        if not in_district and candidates:
            return t.unknown_in_district(shown(row.ppo), shown(row.district))
        candidates = in_district
    if not candidates:
        return t.unknown_ppo(shown(row.ppo))
    allowed = [c for c in candidates if c.allowed]
    if not allowed:
        return t.foreign_ppo(row.ppo, sorted({c.district for c in candidates}, key=sort_key))
    if len(allowed) > 1:
        return t.ambiguous_ppo(row.ppo, sorted((c.district for c in allowed), key=sort_key))
    return allowed[0]


def resolve(rows: Sequence[HistoryRow], known: Mapping[str, Sequence[KnownPpo]]) -> Resolution:
    """Each row's ППО (``known``: by ``normalize_name`` of the name); refused rows with why."""
    resolved: list[ResolvedRow] = []
    errors: list[RowError] = []
    seen: dict[tuple[int, date], int] = {}
    for row in rows:
        found = _pick(row, known.get(normalize_name(row.ppo), ()))
        if isinstance(found, str):
            errors.append(RowError(row.row_number, found))
            continue
        if row.period >= date(found.today.year, found.today.month, 1):
            errors.append(RowError(row.row_number, t.period_not_past(_month(row.period))))
            continue
        first = seen.setdefault((found.org_id, row.period), row.row_number)
        if first != row.row_number:
            errors.append(RowError(row.row_number, t.duplicate_row(first)))
            continue
        resolved.append(
            ResolvedRow(row.row_number, found.org_id, found.district_id, row.period, row.values)
        )
    return Resolution(resolved, errors)


def _month(period: date) -> str:
    return f"{period.month:02d}.{period.year}"


# --- What becomes of each row ---------------------------------------------------------------


@dataclass
class Plan:
    new: list[ResolvedRow] = field(default_factory=list)
    updates: list[ResolvedRow] = field(default_factory=list)
    unchanged: int = 0
    by_chair: int = 0
    collecting: int = 0

    @property
    def periods(self) -> int:
        return len({row.period for row in (*self.new, *self.updates)})


def plan(rows: Sequence[ResolvedRow], stored: Mapping[tuple[int, date], Stored]) -> Plan:
    """A chair's report always wins; so does a period the chair is still being asked for
    (an imported report there would look delivered while the reminders go on)."""
    result = Plan()
    for row in rows:
        before = stored.get((row.org_id, row.period))
        if before is None:
            result.new.append(row)
        elif before.by_chair:
            result.by_chair += 1
        elif before.collecting:
            result.collecting += 1
        elif before.imported is None:
            result.new.append(row)
        elif before.imported == row.values:
            result.unchanged += 1
        else:
            result.updates.append(row)
    return result
