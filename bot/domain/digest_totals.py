"""The counts behind the digest's percentages, and why members left (seed 002 section 1.1).

Staff report upward in people, not only in percent: members, workers, non-working pensioners
on the register, the youth under 35, the managers and their deputies (seed 002: «мониторинг
охвата профсоюзным членством среди руководителей и заместителей руководителя»).
And the analysis of leaving needs its reasons: the membership form splits «выбыло» into
по собственному желанию, увольнение, выход на пенсию, другое (``MembershipReport.left_*``;
None where the chair answered «не знаю»).

Sums are over the digest's *counted* reports (not returned, workers > 0): the same reports
the coverage is computed over, so the counts and the percentage always agree.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from operator import attrgetter

from bot.domain.sums import Sums, summed
from storage.digest import ReportRow


class Reason(enum.Enum):
    """Why members left, in the order of the form and ``../shared/DOMAIN.md``."""

    OWN_WILL = "left_own_will"
    DISMISSED = "left_dismissed"
    RETIRED = "left_retired"
    OTHER = "left_other"


@dataclass(frozen=True, slots=True)
class LeavingSplit:
    """How many left, by reason; ``unknown``: those no reason was given for."""

    left: int = 0
    by_reason: tuple[tuple[Reason, int], ...] = ()
    unknown: int = 0

    def ranked(self) -> list[tuple[Reason, int]]:
        """The reasons given, the most frequent first (ties in the form's order)."""
        order = list(Reason)
        given = [(reason, count) for reason, count in self.by_reason if count > 0]
        return sorted(given, key=lambda item: (-item[1], order.index(item[0])))

    def count(self, reason: Reason) -> int:
        return dict(self.by_reason).get(reason, 0)


_REASONS = tuple(Reason)
_PARTS = attrgetter(*(reason.value for reason in _REASONS))  # a tuple: the four fields


def leaving_split(reports: Iterable[ReportRow]) -> LeavingSplit:
    """The reasons summed over ``reports``; what the parts do not cover of «выбыло» is unknown."""
    left = unknown = 0
    counts = dict.fromkeys(Reason, 0)
    for report in reports:
        if not report.left:
            continue
        left += report.left
        known = 0
        for reason, part in zip(_REASONS, _PARTS(report), strict=True):
            if part:
                counts[reason] += part
                known += part
        unknown += max(report.left - known, 0)
    return LeavingSplit(left, tuple(counts.items()), unknown)


@dataclass(frozen=True, slots=True)
class Counts(Sums):
    """People behind the digest's percentages, over the counted reports."""

    pensioners: int = 0  # non-working pensioners on the register («retired»)


def counts_of(reports: Iterable[ReportRow]) -> Counts:
    rows = list(reports)
    pensioners = sum(report.retired or 0 for report in rows)
    return Counts(**asdict(summed(rows)), pensioners=pensioners)
