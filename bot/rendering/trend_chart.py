"""The /trends chart: coverage and youth coverage year by year (top) and period by period
(bottom), with the 50 % and 80 % levels; drawn on ``bot.rendering.charts``' canvas and
palette, as the district's and the region's charts are (pure: safe in a worker thread).
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.axes import Axes

from bot.domain.coverage import format_percent
from bot.domain.sums import Sums
from bot.domain.trends import Series, Trends
from bot.rendering.charts import (
    GRID_COLOR,
    LEVELS,
    TEXT_COLOR,
    WIDTH_PX,
    fitted_lines,
    phone_figure,
    png_bytes,
)
from bot.rendering.tables import short
from bot.texts import trends as t

HEIGHT_PX = 1350
COLOR_COVERAGE = "#1565c0"
COLOR_YOUTH = "#ef6c00"
TITLE_PT = 22
LABEL_PT = 15
TICK_PT = 14
PERIOD_TICKS = 12  # at most this many period labels under the bottom axes


def _line(
    ax: Axes, labels: Sequence[str], values: Sequence[float | None], color: str, *, above: bool
) -> None:
    """One series: markers joined, each labelled (above or below: two series stay legible)."""
    xs = [i for i, v in enumerate(values) if v is not None]
    ys = [v for v in values if v is not None]
    ax.plot(xs, ys, color=color, marker="o", linewidth=2.5, markersize=7, zorder=3)
    if len(labels) <= PERIOD_TICKS:
        for x, y in zip(xs, ys, strict=True):
            ax.annotate(
                format_percent(y),
                (x, y),
                textcoords="offset points",
                xytext=(0, 9 if above else -20),
                ha="center",
                fontsize=LABEL_PT - 2,
                color=color,
            )


def _panel(ax: Axes, title: str, labels: Sequence[str], points: Sequence[Sums]) -> None:
    """Coverage and youth coverage over ``labels``, with the 50 % and 80 % lines."""
    ax.set_title(title, fontsize=LABEL_PT + 2, color=TEXT_COLOR, loc="left")
    if not points:
        ax.text(0.5, 0.5, t.CHART_EMPTY, ha="center", fontsize=LABEL_PT, transform=ax.transAxes)
        ax.set_axis_off()
        return
    _line(ax, labels, [p.coverage for p in points], COLOR_COVERAGE, above=True)
    youth = [p.youth_coverage for p in points]
    if any(value is not None for value in youth):
        _line(ax, labels, youth, COLOR_YOUTH, above=False)
    for level, color in LEVELS:
        ax.axhline(level, color=color, linewidth=1.5, linestyle="--", zorder=2)
    step = max(1, -(-len(labels) // PERIOD_TICKS))
    ticks = list(range(0, len(labels), step))
    ax.set_xticks(ticks, labels=[labels[i] for i in ticks], fontsize=TICK_PT, color=TEXT_COLOR)
    ax.set_xlim(-0.5, len(labels) - 0.5)
    ax.set_ylim(0, 108)
    ax.set_ylabel(t.CHART_AXIS, fontsize=TICK_PT, color=TEXT_COLOR)
    ax.tick_params(axis="y", labelsize=TICK_PT, colors=TEXT_COLOR)
    ax.grid(axis="y", color=GRID_COLOR, linewidth=1, zorder=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def trend_chart_png(title: str, series: Series) -> bytes:
    """The chart as PNG bytes, 1080 px wide (CPU-bound: callers may run it in a thread)."""
    with phone_figure(HEIGHT_PX) as (fig, canvas):
        fig.text(
            0.03,
            0.985,
            "\n".join(fitted_lines(canvas, fig, title, WIDTH_PX * 0.94)[:2]),
            fontsize=TITLE_PT,
            fontweight="bold",
            va="top",
            color=TEXT_COLOR,
        )
        top = fig.add_axes((0.09, 0.55, 0.87, 0.32))
        bottom = fig.add_axes((0.09, 0.09, 0.87, 0.32))
        _panel(top, t.CHART_YEARS, [str(y) for y, _ in series.years], [p for _, p in series.years])
        _panel(
            bottom,
            t.CHART_PERIODS,
            [f"{period:%m.%y}" for period, _ in series.periods],
            [p for _, p in series.periods],
        )
        handles = [
            top.plot([], [], color=COLOR_COVERAGE, marker="o", label=t.CHART_COVERAGE)[0],
            top.plot([], [], color=COLOR_YOUTH, marker="o", label=t.CHART_YOUTH)[0],
        ]
        fig.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(0.03, 0.93),
            ncols=2,
            fontsize=LABEL_PT,
        )
        return png_bytes(canvas)


def trends_chart_png(trends: Trends) -> bytes:
    """The chart of /trends: the ППО asked for, else the whole scope."""
    subject = None if trends.subject is None else short(trends.subject.name, 60)
    series = trends.subject_series if trends.subject_series is not None else trends.scope
    return trend_chart_png(t.chart_title(short(trends.scope_name, 60), subject), series)
