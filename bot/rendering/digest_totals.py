"""The digest table's totals: the «Итого» row over the counted reports and the reasons for
leaving, as sheets after the one-row-per-ППО sheet (``bot.rendering.digest``).

Pure: no Telegram, no database.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.coverage import rounded, rounded_percent
from bot.domain.digest import Digest
from bot.domain.digest_totals import Reason
from bot.texts import common
from bot.texts import digest as t
from bot.texts import membership as mt

_Sheet = tuple[str, Sequence[str], Sequence[Sequence[object]]]

SUMMED = (  # also the report's columns of the digest table, in this order
    (mt.L_WORKERS, "workers"),
    (mt.L_MEMBERS, "members"),
    (mt.L_YOUTH_WORKERS, "youth_workers"),
    (mt.L_YOUTH_MEMBERS, "youth_members"),
    (mt.L_MANAGERS, "managers"),
    (mt.L_MANAGERS_MEMBERS, "managers_members"),
    (mt.L_JOINED, "joined"),
    (mt.L_LEFT, "left"),
    (mt.L_RETIRED, "retired"),
    (t.H_LEFT_OWN_WILL, Reason.OWN_WILL.value),
    (t.H_LEFT_DISMISSED, Reason.DISMISSED.value),
    (t.H_LEFT_RETIRED, Reason.RETIRED.value),
    (t.H_LEFT_OTHER, Reason.OTHER.value),
)
PAIRED = {
    "youth_workers": "youth_members",
    "youth_members": "youth_workers",
    "managers": "managers_members",
    "managers_members": "managers",
}
"""A figure summed only over the reports that give its pair too: the totals row's «до 35»
columns then agree with its «Охват молодёжи», computed over those reports (``Counts``)."""
REASON_TEXT = {
    Reason.OWN_WILL: t.REASON_OWN_WILL,
    Reason.DISMISSED: t.REASON_DISMISSED,
    Reason.RETIRED: t.REASON_RETIRED,
    Reason.OTHER: t.REASON_OTHER,
}


def totals_row(digest: Digest, headers: Sequence[str]) -> list[object]:
    """The «Итого» row under ``headers``: each report figure summed over the counted reports
    (empty where none gave it; a paired one where both are given), coverage and its change as
    the digest computes them."""
    reports = [line.report for line in digest.lines if line.counted and line.report]
    values: dict[str, object] = {
        t.H_DISTRICT: t.TOTAL,
        t.H_PPO: t.counted_reports(len(reports)),
        t.H_PERIOD: common.period_name(digest.period),
        t.H_COVERAGE: rounded_percent(digest.coverage),
        t.H_YOUTH_COVERAGE: rounded_percent(digest.counts.youth_coverage),
        t.H_MANAGERS_COVERAGE: rounded_percent(digest.counts.managers_coverage),
        t.H_CHANGE: rounded(digest.coverage_change),
    }
    for header, field in SUMMED:
        pair = PAIRED.get(field, field)
        given = [
            value
            for r in reports
            if (value := getattr(r, field)) is not None and getattr(r, pair) is not None
        ]
        values[header] = sum(given) if given else None
    return [values.get(header) for header in headers]


def _reasons_rows(digest: Digest) -> list[list[object]]:
    """Each reason given (the leading first), those without one, and all who left."""
    leaving = digest.leaving

    def share(count: int) -> float | None:
        return rounded_percent(count / leaving.left * 100) if leaving.left else None

    rows: list[list[object]] = [
        [REASON_TEXT[reason], count, share(count)] for reason, count in leaving.ranked()
    ]
    if leaving.unknown:
        rows.append([t.REASON_UNKNOWN, leaving.unknown, share(leaving.unknown)])
    rows.append([t.TOTAL, leaving.left, share(leaving.left)])
    return rows


def totals_sheets(digest: Digest, headers: Sequence[str]) -> list[_Sheet]:
    """The totals sheet (same columns as the first) and the reasons-for-leaving sheet."""
    return [
        (t.TOTALS_SHEET, headers, [totals_row(digest, headers)]),
        (t.REASONS_SHEET, (t.H_REASON, t.H_LEFT_COUNT, t.H_SHARE), _reasons_rows(digest)),
    ]
