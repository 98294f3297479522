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
from dataclasses import dataclass
from operator import attrgetter

from bot.domain.coverage import coverage
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
class Counts:
    """People behind the digest's percentages, over the counted reports."""

    reports: int = 0
    members: int = 0
    workers: int = 0
    pensioners: int = 0  # non-working pensioners on the register («retired»)
    youth_members: int = 0  # over the reports that give both youth figures
    youth_workers: int = 0
    managers_members: int = 0  # over the reports that give both managers' figures
    managers: int = 0

    @property
    def youth_coverage(self) -> float | None:
        return coverage(self.youth_members, self.youth_workers)

    @property
    def managers_coverage(self) -> float | None:
        return coverage(self.managers_members, self.managers)


def counts_of(reports: Iterable[ReportRow]) -> Counts:
    members = workers = pensioners = count = 0
    young = [0, 0]  # members, workers under 35
    heads = [0, 0]  # members, managers and deputies
    for report in reports:
        count += 1
        members += report.members
        workers += report.workers
        pensioners += report.retired or 0
        _add_pair(young, report.youth_members, report.youth_workers)
        _add_pair(heads, report.managers_members, report.managers)
    return Counts(count, members, workers, pensioners, *young, *heads)


def _add_pair(sums: list[int], part: int | None, whole: int | None) -> None:
    """A part of a group (members under 35 of the young) counts only beside its whole: a report
    that skipped «из них членов» would otherwise lower the group's coverage."""
    if part is not None and whole:
        sums[0] += part
        sums[1] += whole
