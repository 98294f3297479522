"""Summed figures of membership reports, and the coverages they give: one rule for the digest's
counts and the trends' points.

A part of a group (members among the young, among managers and their deputies) counts only
beside its whole: a report that skipped «из них членов» would otherwise lower the group's
coverage. So youth and managers are summed over the reports that give both figures of the pair,
and a group nobody gave figures for has no coverage (never 0 %).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Protocol

from bot.domain.coverage import coverage


class ReportFigures(Protocol):
    """What summing needs of a report (a digest's row, a trend's figures)."""

    @property
    def members(self) -> int: ...
    @property
    def workers(self) -> int: ...
    @property
    def youth_members(self) -> int | None: ...
    @property
    def youth_workers(self) -> int | None: ...
    @property
    def managers_members(self) -> int | None: ...
    @property
    def managers(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class Sums:
    """Summed figures of some reports: a ППО's one report, or a scope's many."""

    members: int = 0
    workers: int = 0
    youth_members: int = 0  # over the reports that give both youth figures
    youth_workers: int = 0
    reports: int = 0  # how many reports the sums are over
    managers_members: int = 0  # over the reports that give both managers' figures
    managers: int = 0

    @property
    def coverage(self) -> float | None:
        return coverage(self.members, self.workers)

    @property
    def youth_coverage(self) -> float | None:
        return coverage(self.youth_members, self.youth_workers)

    @property
    def managers_coverage(self) -> float | None:
        return coverage(self.managers_members, self.managers)

    def __add__(self, other: Sums) -> Sums:
        """Already summed figures summed again (a district of its ППО, a region of its
        districts)."""
        return Sums(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(Sums)))


def summed(reports: Iterable[ReportFigures]) -> Sums:
    """The sums of ``reports``, each pair over the reports that give both its figures."""
    members = workers = count = 0
    young = [0, 0]  # members, workers under 35
    heads = [0, 0]  # members, managers and deputies
    for report in reports:
        count += 1
        members += report.members
        workers += report.workers
        _add_pair(young, report.youth_members, report.youth_workers)
        _add_pair(heads, report.managers_members, report.managers)
    return Sums(members, workers, young[0], young[1], count, heads[0], heads[1])


def _add_pair(sums: list[int], part: int | None, whole: int | None) -> None:
    if part is not None and whole:
        sums[0] += part
        sums[1] += whole
