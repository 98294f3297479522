"""The region's coverage chart: how its ППО spread over coverage, not a bar per ППО.

A region has thousands of ППО; 10,000 bars (or the lowest 40 of them) say little and cost
seconds. The histogram counts ППО per 5 p.p. of coverage, coloured like the district chart's
bars by the calendar's tiers (under 50 %, 50-80 %, more than 80 %), with the 50 % and 80 %
lines and the region's own coverage marked. One bar container, a handful of texts, a 1080 ×
1080 px canvas: about a tenth of a second.

Matplotlib's object-oriented API on the Agg canvas (``bot.rendering.charts``), never
``pyplot``: nothing global, safe in a worker thread. Pure: no Telegram, no database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes

from bot.domain.calendar import Tier, tier_of
from bot.domain.coverage import format_percent
from bot.rendering.charts import (
    GRID_COLOR,
    HIGH,
    LINE_HIGH,
    LINE_LOW,
    LOW,
    TEXT_COLOR,
    WIDTH_PX,
    band_color,
    fitted_lines,
    mark_level,
    phone_figure,
    png_bytes,
)
from bot.texts import digest as t

HEIGHT_PX = 1080
BIN_WIDTH = 5.0  # p.p. of coverage per bar
BINS = int(100 / BIN_WIDTH)
COLOR_OVERALL = "#1565c0"
EDGE_PP = 15.0  # the region's label is this close to 0 % or 100 %: it ends at its line
TITLE_PT = 23
SUBTITLE_PT = 18
TICK_PT = 16
_PLOT_BOX = (0.1, 0.1, 0.86, 0.66)  # left, bottom, width, height (figure fractions)


@dataclass(frozen=True)
class CoverageHistogram:
    """The PNG and what it counts: ППО per 5 p.p. bin (the last one includes 100 %)."""

    png: bytes
    width: int
    height: int
    counts: list[int]  # BINS numbers: [0, 5), …, [75, 80], (80, 85), …, [95, 100]
    overall: float | None


def _middle(index: int) -> float:
    """The middle of a bin: its tier is the bin's (no bin spans a tier's boundary)."""
    return (index + 0.5) * BIN_WIDTH


def bin_of(value: float) -> int:
    """The bin of ``value``: by 5 p.p., 100 % (and above, should a report say so) in the last.
    A value on a bin's left edge whose tier is not the bin's goes to the bin below: 80 % is
    50-80 % (``tier_of``), so it is counted in [75, 80], not with those above 80 %."""
    index = min(max(int(value // BIN_WIDTH), 0), BINS - 1)
    if index and tier_of(value) is not tier_of(_middle(index)):
        index -= 1
    return index


def bin_counts(values: Sequence[float]) -> list[int]:
    """ППО per bin (``bin_of``)."""
    counts = [0] * BINS
    for value in values:
        counts[bin_of(value)] += 1
    return counts


def render_coverage_histogram(
    values: Sequence[float], title: str, overall: float | None
) -> CoverageHistogram:
    """The histogram of ``values`` (coverage per ППО, %) with ``overall`` marked."""
    counts = bin_counts(values)
    with phone_figure(HEIGHT_PX) as (fig, canvas):
        lines = fitted_lines(canvas, fig, title, WIDTH_PX * 0.94)
        fig.text(
            0.03,
            0.975,
            "\n".join(lines[:2]),
            fontsize=TITLE_PT,
            fontweight="bold",
            color=TEXT_COLOR,
            va="top",
            linespacing=1.3,
        )
        if not values:
            fig.text(0.5, 0.45, t.CHART_EMPTY, fontsize=TITLE_PT, ha="center", color=TEXT_COLOR)
            return CoverageHistogram(png_bytes(canvas), WIDTH_PX, HEIGHT_PX, counts, overall)
        tiers = Counter(tier_of(value) for value in values)
        subtitle = t.histogram_subtitle(len(values), tiers[Tier.LOW], tiers[Tier.HIGH])
        fig.text(0.03, 0.855, subtitle, fontsize=SUBTITLE_PT, color=TEXT_COLOR, va="top")
        ax = fig.add_axes(_PLOT_BOX)
        _draw_bins(ax, counts)
        _draw_marks(ax, overall)
        return CoverageHistogram(png_bytes(canvas), WIDTH_PX, HEIGHT_PX, counts, overall)


def _draw_bins(ax: Axes, counts: list[int]) -> None:
    lefts = [index * BIN_WIDTH for index in range(BINS)]
    ax.bar(
        lefts,
        counts,
        width=BIN_WIDTH * 0.92,
        align="edge",
        color=[band_color(_middle(index)) for index in range(BINS)],
        edgecolor="none",
        zorder=2,
    )
    ax.set_xlim(0, 100)
    ax.set_ylim(0, max(counts) * 1.12 or 1)
    ax.set_xticks(range(0, 101, 10))
    ax.tick_params(labelsize=TICK_PT, colors=TEXT_COLOR)
    ax.set_xlabel(t.CHART_AXIS, fontsize=TICK_PT, color=TEXT_COLOR)
    ax.set_ylabel(t.HISTOGRAM_AXIS, fontsize=TICK_PT, color=TEXT_COLOR)
    ax.grid(axis="y", color=GRID_COLOR, linewidth=1, zorder=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _draw_marks(ax: Axes, overall: float | None) -> None:
    """The 50 % and 80 % lines labelled above the plot; the region's coverage, dashed."""
    mark_level(ax, LOW, LINE_LOW, t.CHART_LINE_LOW, label_at=1.01)
    mark_level(ax, HIGH, LINE_HIGH, t.CHART_LINE_HIGH, label_at=1.01)
    if overall is not None:
        label = t.histogram_overall(format_percent(overall))
        # Centred near 0 % or 100 %, half the label would be off the picture («По региону: 9»).
        ha = "right" if overall > 100 - EDGE_PP else "left" if overall < EDGE_PP else "center"
        mark_level(ax, overall, COLOR_OVERALL, label, label_at=1.07, style="dashed", ha=ha)
