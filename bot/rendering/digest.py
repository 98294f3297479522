"""The digest rendered for people: the message (one phone screen), the coverage chart and the
full table; /status's short message too. What they say is decided in ``bot.domain.digest``.

Pure: no Telegram, no database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, datetime
from operator import attrgetter

from bot.domain.coverage import (
    coverage,
    format_percent,
    format_points,
    rounded_percent,
    shown_change,
)
from bot.domain.digest import Digest, PpoLine, Status
from bot.domain.timezones import zone_named
from bot.rendering.charts import coverage_chart_png
from bot.rendering.digest_totals import REASON_TEXT, SUMMED, totals_sheets
from bot.rendering.histogram import render_coverage_histogram
from bot.rendering.tables import Column, capped, fit_to_screen, headers, short, table_rows
from bot.rendering.xlsx import build_workbook_xlsx
from bot.texts import common
from bot.texts import digest as t
from bot.texts.markup import SafeHtml, visible
from storage.digest import PpoRow
from storage.org_names import sort_key

LIST_CAP = 10  # names per list before «…и ещё N»
STATUS_LIST_CAP = 15
NAME_LIMIT = 40  # characters of a ППО or district name in the message

STATUS_TEXT = {
    Status.SUBMITTED: t.STATUS_SUBMITTED,
    Status.LATE: t.STATUS_LATE,
    Status.MISSING: t.STATUS_MISSING,
    Status.RETURNED: t.STATUS_RETURNED,
    Status.NOT_DUE: t.STATUS_NOT_DUE,
}


def _caps(cap: int) -> list[int]:
    """List lengths to try, longest first, until the message fits one screen."""
    return [attempt for attempt in (cap, 7, 5, 3, 1) if attempt <= cap]


# --- Text -----------------------------------------------------------------------------------


def chair_label(ppo: PpoRow, today: date) -> str:
    """The chair's name with marks (📵 the bot cannot reach them, ⏸ reminders paused) and the
    name of record beside it (``t.chair_named``)."""
    record = None if ppo.record_chair is None else short(ppo.record_chair, 40)
    if ppo.chair_person_id is None or not ppo.chair_name:
        return t.no_chair(record)
    label = short(ppo.chair_name, 30)
    if ppo.chair_unreachable:
        label += f" {t.MARK_UNREACHABLE}"
    if ppo.chair_paused_until is not None and ppo.chair_paused_until >= today:
        label += f" {t.paused_mark(ppo.chair_paused_until)}"
    return t.chair_named(label, record if record != short(ppo.chair_name, 40) else None)


def _change(line: PpoLine) -> float | None:
    """The ППО's change since its previous report as shown (``coverage.shown_change``): the
    difference of the two shown figures, as /trends and /rating show it."""
    now, before = line.coverage, line.previous_coverage
    return None if now is None or before is None else shown_change(now, before)


def _moved(line: PpoLine) -> str:
    """A ППО of the fallers' or the risers' list: its coverage and its change."""
    return t.ppo_fell(
        short(line.ppo.name, 30), format_percent(line.coverage), format_points(_change(line))
    )


def _person_item(today: date) -> Callable[[PpoLine], str]:
    def render(line: PpoLine) -> str:
        return t.item(
            t.ppo_and_chair(short(line.ppo.name, NAME_LIMIT), chair_label(line.ppo, today))
        )

    return render


def _late_section(digest: Digest, cap: int) -> list[str]:
    if not digest.late:
        return []
    overdue = any(line.overdue(digest.today) for line in digest.late)
    if digest.region:
        per_district = Counter(line.ppo.district_name for line in digest.late)
        ranked = sorted(per_district.items(), key=lambda item: (-item[1], sort_key(item[0])))
        shown = capped(
            ranked, cap, lambda item: t.item(t.district_count(short(item[0], NAME_LIMIT), item[1]))
        )
        return [t.late_by_district_header(len(digest.late), overdue), *shown]
    return [
        t.late_header(len(digest.late), overdue),
        *capped(digest.late, cap, _person_item(digest.today)),
    ]


def _came_late_section(digest: Digest, cap: int) -> list[str]:
    if not digest.came_late or digest.region:  # a region's lists name districts, not ППО
        return []
    shown = capped(digest.came_late, cap, _person_item(digest.today))
    return [t.came_late_header(len(digest.came_late)), *shown]


def _returned_section(digest: Digest, cap: int) -> list[str]:
    if not digest.returned:
        return []
    shown = capped(digest.returned, cap, _person_item(digest.today))
    return [t.returned_header(len(digest.returned)), *shown]


def _counts_section(digest: Digest) -> list[str]:
    """The people behind the percentage, and why members left, leading reason first."""
    counts, leaving = digest.counts, digest.leaving
    lines = [t.counts_line(counts.members, counts.workers, counts.pensioners)]
    if counts.youth_workers:
        value = format_percent(counts.youth_coverage)
        lines.append(t.youth_counts(counts.youth_members, counts.youth_workers, value))
    if counts.managers:
        value = format_percent(counts.managers_coverage)
        lines.append(t.managers_counts(counts.managers_members, counts.managers, value))
    if leaving.left:
        reasons = [(REASON_TEXT[reason], count) for reason, count in leaving.ranked()]
        lines.append(t.leaving_line(leaving.left, reasons, leaving.unknown))
    return lines


def _rose_section(digest: Digest, cap: int) -> list[str]:
    if not digest.rose:
        return []
    rose = capped(digest.rose, cap, _moved)
    return [t.rose_header(len(digest.rose)), "; ".join(rose)]


def _legend(digest: Digest, sections: Sequence[PpoLine]) -> list[str]:
    marks = []
    if any(line.ppo.chair_person_id and line.ppo.chair_unreachable for line in sections):
        marks.append(t.LEGEND_UNREACHABLE)
    if any(
        line.ppo.chair_person_id
        and line.ppo.chair_paused_until is not None
        and line.ppo.chair_paused_until >= digest.today
        for line in sections
    ):
        marks.append(t.LEGEND_PAUSED)
    return ["; ".join(marks)] if marks else []


def _head(digest: Digest, header: str) -> list[str]:
    lines = [header]
    if digest.deadline is not None:
        lines.append(t.deadline_line(digest.deadline, digest.deadline_passed))
    if not digest.due:  # no live ППО, or the request's all archived: not «0 из 0»
        lines.append(t.NONE_DUE)
    else:
        lines.append(t.submitted_line(digest.submitted, digest.due))
    if digest.due and digest.submitted == digest.due:
        lines.append(t.ALL_SUBMITTED)
    return lines


def _digest_lines(digest: Digest, cap: int, attachments: bool) -> list[str]:
    period = common.period_name(digest.period)
    lines = _head(digest, t.header(short(digest.scope.name, 60), period))
    lines += _late_section(digest, cap)
    lines += _came_late_section(digest, max(cap // 2, 1))
    lines += _returned_section(digest, max(cap // 2, 1))
    lines.append("")
    if digest.coverage is None:
        lines.append(t.NO_COVERAGE)
    else:
        lines.append(
            t.coverage_line(digest.region, format_percent(digest.coverage), digest.counted)
        )
        if digest.coverage_change is None:
            lines.append(t.NO_COMPARISON)
        else:
            lines.append(t.coverage_change(format_points(digest.coverage_change), digest.compared))
        lines += _counts_section(digest)
    if digest.low:
        low = capped(
            digest.low,
            cap,
            lambda line: t.ppo_coverage(short(line.ppo.name, 30), format_percent(line.coverage)),
        )
        lines += [t.low_header(len(digest.low)), "; ".join(low)]
    if digest.fell:
        fell = capped(digest.fell, cap, _moved)
        lines += [t.fell_header(len(digest.fell)), "; ".join(fell)]
    lines += _rose_section(digest, cap)
    if digest.events_since is not None:
        lines.append(
            t.events_line(digest.events_since, digest.events_count, digest.events_participants)
            + t.events_late(digest.events_since, digest.events_late)
        )
    for section in digest.sections:
        lines += section(cap)
    half = max(cap // 2, 1)
    # a region lists districts
    late_named = [] if digest.region else [*digest.late[:cap], *digest.came_late[:half]]
    legend = _legend(digest, [*late_named, *digest.returned[: max(cap // 2, 1)]])
    lines += ["", *legend]
    if attachments:
        lines.append(t.ATTACHMENTS)
    return lines


def digest_text(digest: Digest, *, attachments: bool = True) -> str:
    """The digest message (HTML): one phone screen, under ``TEXT_LIMIT`` characters.

    ``attachments``: end with a line saying the chart and the table follow.
    """
    return fit_to_screen(lambda cap: _digest_lines(digest, cap, attachments), _caps(LIST_CAP))


def status_text(digest: Digest) -> str:
    """/status: the short variant: deadline, submitted X of Y, who is late or returned."""

    def build(cap: int) -> list[str]:
        period = common.period_name(digest.period)
        lines = _head(digest, t.status_header(short(digest.scope.name, 60), period))
        lines += _late_section(digest, cap)
        lines += _came_late_section(digest, cap)
        lines += _returned_section(digest, cap)
        late_named = [] if digest.region else [*digest.late[:cap], *digest.came_late[:cap]]
        return [*lines, *_legend(digest, [*late_named, *digest.returned[:cap]])]

    return fit_to_screen(build, _caps(STATUS_LIST_CAP))


# --- Chart and table ------------------------------------------------------------------------


def digest_chart_png(digest: Digest) -> bytes:
    """The coverage chart of the digest (CPU-bound: callers may run it in a thread): a bar per
    ППО for a district, how the ППО spread over coverage for a region (thousands of bars would
    say nothing)."""
    title = t.chart_title(" ".join(digest.scope.name.split()), common.period_name(digest.period))
    if digest.region:
        values = [value for _, value in digest.chart_items()]
        return render_coverage_histogram(values, title, digest.coverage).png
    return coverage_chart_png(digest.chart_items(), title)


def _contact(ppo: PpoRow, today: date) -> str:
    if ppo.chair_person_id is None:
        return t.CONTACT_NONE
    if ppo.chair_unreachable:
        return t.CONTACT_UNREACHABLE
    if ppo.chair_paused_until is not None and ppo.chair_paused_until >= today:
        return t.contact_paused(ppo.chair_paused_until)
    return t.CONTACT_OK


def _submitted_at(digest: Digest, line: PpoLine) -> datetime | None:
    """The report's time in the ППО's own zone, the one «сдан с опозданием» is judged in (a
    report sent at 00:30 on the 26th in Vladivostok is late for the 25th, though it was still
    the 25th in Moscow), without the zone (Excel has none)."""
    if line.report is None:
        return None
    zone = zone_named(line.ppo.timezone, digest.default_tz)
    return line.report.submitted_at.astimezone(zone).replace(tzinfo=None)


def _managers_coverage(line: PpoLine) -> float | None:
    """Seed 002 monitors the membership of managers and their deputies on its own."""
    report = line.report
    return (
        None
        if report is None
        else rounded_percent(coverage(report.managers_members, report.managers))
    )


def _report_field(name: str) -> Callable[[Digest, PpoLine], object]:
    """The value of one field of the ППО's report (empty without a report)."""
    read = attrgetter(name)
    return lambda _, line: None if line.report is None else read(line.report)


def _return_comment(_: Digest, line: PpoLine) -> str | None:
    """The comment a report went back with, as read (it is stored as HTML)."""
    comment = None if line.report is None else line.report.return_comment
    return None if comment is None else visible(SafeHtml(comment))


_Column = Column[Digest, PpoLine]
TABLE_COLUMNS: tuple[_Column, ...] = (
    _Column(t.H_DISTRICT, lambda _, line: line.ppo.district_name),
    _Column(t.H_PPO, lambda _, line: line.ppo.name),
    _Column(t.H_CHAIR, lambda _, line: line.ppo.record_chair or line.ppo.chair_name),
    _Column(t.H_CONTACT, lambda digest, line: _contact(line.ppo, digest.today)),
    _Column(t.H_PERIOD, lambda digest, _: common.period_name(digest.period)),
    *(_Column(label, _report_field(name)) for label, name in SUMMED),
    _Column(t.H_COVERAGE, lambda _, line: rounded_percent(line.coverage)),
    _Column(t.H_YOUTH_COVERAGE, lambda _, line: rounded_percent(line.youth_coverage)),
    _Column(t.H_MANAGERS_COVERAGE, lambda _, line: _managers_coverage(line)),
    _Column(t.H_CHANGE, lambda _, line: _change(line)),
    _Column(
        t.H_PREVIOUS_PERIOD,
        lambda _, line: None if line.previous is None else common.period_name(line.previous.period),
    ),
    _Column(t.H_STATUS, lambda _, line: STATUS_TEXT[line.status]),
    _Column(t.H_DEADLINE, lambda _, line: line.deadline),
    _Column(t.H_SUBMITTED_AT, _submitted_at),
    _Column(t.H_SUBMITTED_BY, _report_field("submitted_by_name")),
    _Column(t.H_REVISION, _report_field("revision")),
    _Column(t.H_RETURN_COMMENT, _return_comment),
)
TABLE_HEADERS = headers(TABLE_COLUMNS)


def digest_table_xlsx(digest: Digest) -> bytes:
    """The full table: one row per ППО with every report field (also what /export sends), then
    the totals row and the reasons for leaving, each on a sheet of its own (the first sheet
    stays one row per ППО, for filters and for whoever reads it by rows).

    Numbers stay numbers, times are the scope's local times.
    """
    title = t.table_title(common.period_name(digest.period))
    first = (title, TABLE_HEADERS, table_rows(TABLE_COLUMNS, digest, digest.lines))
    return build_workbook_xlsx([first, *totals_sheets(digest, TABLE_HEADERS)])
