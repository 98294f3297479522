"""Charts the bot sends as pictures: coverage per ППО.

Built with matplotlib's object-oriented API on the Agg canvas, never through ``pyplot``: no
global figure registry (nothing to leak in a long-lived process, nothing shared between
threads), so ``asyncio.to_thread(coverage_chart_png, ...)`` is safe. Pure: no Telegram, no
database.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Protocol, cast

from matplotlib import rcParams
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory, offset_copy

from bot.domain.calendar import Tier, tier_of
from bot.domain.coverage import format_percent
from bot.rendering.glyphs import NO_FORMULAS, drawable
from bot.texts import digest as t
from storage.org_names import sort_key

DPI = 100
PNG_COMPRESSION = 1
WIDTH_PX = 1080  # a phone screen's width in pixels: shown 1:1, no downscaling
BAR_PX = 52  # per ППО, bar and gap
TOP_PX = 200  # title lines and the 50 %/80 % labels
BOTTOM_PX = 110  # x axis with its label
MIN_HEIGHT_PX = 520
MAX_BARS = 40  # 40 × 52 px + margins ≈ 2,400 px: Telegram keeps photos up to 2,560 px a side
LEFT_SHARE = 0.43  # of the width for the names
RIGHT_SHARE = 0.03
X_MAX = 112.0  # room right of the bars for value labels («100 %» ends near 113)

NAME_PT = 19
VALUE_PT = 17
TITLE_PT = 23
SUBTITLE_PT = 18
TICK_PT = 16

LOW, HIGH = 50.0, 80.0
COLOR_LOW = "#ef5350"  # under 50 %
COLOR_MID = "#ffb300"  # 50 to 80 %
COLOR_HIGH = "#66bb6a"  # more than 80 %
LINE_LOW = "#b71c1c"
LINE_HIGH = "#1b5e20"
LEVELS = ((LOW, LINE_LOW), (HIGH, LINE_HIGH))
"""The 50 % and 80 % coverage levels, each with the colour of its line."""
LINE_WIDTH_PT = 2.5
TEXT_COLOR = "#212121"
GRID_COLOR = "#e0e0e0"
rcParams.update(NO_FORMULAS)  # once, before any thread draws: a name is never a formula

_LABEL_BOX = {"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1.5}


@dataclass(frozen=True)
class CoverageChart:
    """The PNG and what was drawn where (pixel coordinates: origin top left, y down)."""

    png: bytes
    width: int
    height: int
    shown: list[tuple[str, float]]  # top to bottom: lowest coverage first
    labels: list[str]  # the names as drawn (shortened to fit)
    total: int  # items given; ``total - len(shown)`` were left out
    line_x: dict[float, float]  # 50.0 and 80.0 → x pixel of their vertical line
    plot_box: tuple[float, float, float, float]  # left, top, right, bottom
    bar_boxes: list[tuple[float, float, float, float]]  # per shown bar: left, top, right, bottom


BAND_COLORS = {Tier.LOW: COLOR_LOW, Tier.MID: COLOR_MID, Tier.HIGH: COLOR_HIGH}


def band_color(value: float) -> str:
    """The colour of the calendar's tier of ``value`` (``tier_of``), not a comparison of its
    own: 80 % exactly is 50-80 % and reports four times a year, the documents' «более 80 %»
    twice; the picture shown at the presidium puts a ППО in the group the calendar does."""
    return BAND_COLORS[tier_of(value)]


class AggCanvas(Protocol):
    """The two calls made on matplotlib's Agg canvas, typed: ``backend_agg`` has no annotations,
    so ``FigureCanvasAgg`` is seen through this protocol (see ``agg_canvas``)."""

    def get_renderer(self) -> RendererBase: ...

    def print_png(
        self, filename_or_obj: IO[bytes], *, pil_kwargs: dict[str, object] | None = None
    ) -> None: ...


@contextmanager
def phone_figure(height_px: int) -> Iterator[tuple[Figure, AggCanvas]]:
    """A white figure one phone screen wide (``WIDTH_PX``) and ``height_px`` tall, with the
    Agg canvas that draws it (the canvas attaches itself to the figure); cleared afterwards."""
    fig = Figure(figsize=(WIDTH_PX / DPI, height_px / DPI), dpi=DPI, facecolor="white")
    try:
        yield fig, cast(AggCanvas, FigureCanvasAgg(fig))  # typed view of an unannotated class
    finally:
        fig.clear()


def fitted_lines(canvas: AggCanvas, fig: Figure, text: str, max_px: float) -> list[str]:
    """The filled lines of a title, each cut with «…» to ``max_px`` in the bold title font."""
    return [
        fit_text(canvas, fig, line, max_px, fontsize=TITLE_PT, fontweight="bold")
        for line in text.splitlines()
        if line.strip()
    ]


def fit_text(
    canvas: AggCanvas,
    fig: Figure,
    name: str,
    max_px: float,
    *,
    fontsize: float = NAME_PT,
    fontweight: str = "normal",
) -> str:
    """``name`` shortened with «…» until it fits ``max_px`` at the given font."""
    renderer = canvas.get_renderer()
    probe = fig.text(0, 0, "", fontsize=fontsize, fontweight=fontweight)
    try:
        text = drawable(name)
        probe.set_text(text)
        width = probe.get_window_extent(renderer).width
        if width <= max_px:
            return text

        def cut(keep: int) -> str:
            return text[:keep].rstrip() + "…"

        def fits(keep: int) -> bool:
            probe.set_text(cut(keep))
            return bool(probe.get_window_extent(renderer).width <= max_px)

        # Guess from the average glyph width, then step to the longest cut that fits.
        keep = max(1, min(len(text) - 1, int(len(text) * max_px / width)))
        if fits(keep):
            while keep < len(text) - 1 and fits(keep + 1):
                keep += 1
        else:
            keep -= 1
            while keep > 0 and not fits(keep):
                keep -= 1
        return cut(keep)
    finally:
        probe.remove()


def png_bytes(canvas: AggCanvas) -> bytes:
    """The PNG at zlib level 1, not Pillow's default 6: on a 40-bar chart 25 ms less and, with
    these flat colours, no bigger a file (354 KiB against 371)."""
    buffer = io.BytesIO()
    canvas.print_png(buffer, pil_kwargs={"compress_level": PNG_COMPRESSION})
    return buffer.getvalue()


def render_coverage_chart(
    items: Sequence[tuple[str, float]], title: str, *, max_bars: int = MAX_BARS
) -> CoverageChart:
    """Horizontal bars of coverage per ППО, lowest on top, with lines at 50 % and 80 %.

    More than ``max_bars`` ППО: the lowest ``max_bars`` are drawn and the subtitle says so.
    """
    ordered = sorted(items, key=lambda item: (item[1], sort_key(item[0])))
    shown = ordered[:max_bars]
    height = max(MIN_HEIGHT_PX, TOP_PX + BOTTOM_PX + len(shown) * BAR_PX)
    with phone_figure(height) as (fig, canvas):
        title_lines = _draw_title(canvas, fig, title, height)
        if not shown:
            fig.text(0.5, 0.45, t.CHART_EMPTY, fontsize=TITLE_PT, ha="center", color=TEXT_COLOR)
            return CoverageChart(
                png=png_bytes(canvas),
                width=WIDTH_PX,
                height=height,
                shown=[],
                labels=[],
                total=0,
                line_x={},
                plot_box=(0.0, 0.0, 0.0, 0.0),
                bar_boxes=[],
            )
        subtitle = (
            t.chart_subset(len(shown), len(ordered))
            if len(ordered) > len(shown)
            else t.chart_count(len(ordered))
        )
        fig.text(
            0.02,
            1 - (26 + 40 * title_lines) / height,
            subtitle,
            fontsize=SUBTITLE_PT,
            color=TEXT_COLOR,
            va="top",
            ha="left",
        )
        ax = _draw_bars(fig, shown, height)
        labels = [fit_text(canvas, fig, name, LEFT_SHARE * WIDTH_PX - 24) for name, _ in shown]
        _draw_names(fig, ax, labels)
        _draw_levels(ax)
        return _drawn_chart(png_bytes(canvas), ax, height, shown, labels, total=len(ordered))


def _draw_title(canvas: AggCanvas, fig: Figure, title: str, height: int) -> int:
    """The title's lines, each cut to the width, in bold at the top left; returns how many."""
    title_lines = fitted_lines(canvas, fig, title, WIDTH_PX * 0.95)
    fig.text(
        0.02,
        1 - 16 / height,
        "\n".join(title_lines),
        fontsize=TITLE_PT,
        fontweight="bold",
        color=TEXT_COLOR,
        va="top",
        ha="left",
    )
    return len(title_lines)


def _draw_bars(fig: Figure, shown: Sequence[tuple[str, float]], height: int) -> Axes:
    """The axes with a bar and a value label per item, first item on top."""
    count = len(shown)
    ax = fig.add_axes(
        (
            LEFT_SHARE,
            BOTTOM_PX / height,
            1 - LEFT_SHARE - RIGHT_SHARE,
            (height - TOP_PX - BOTTOM_PX) / height,
        )
    )
    values = [value for _, value in shown]
    positions = list(range(count))
    ax.barh(
        positions,
        values,
        height=0.7,
        color=[band_color(v) for v in values],
        edgecolor="none",
        zorder=2,
    )
    ax.set_xlim(0, X_MAX)
    ax.set_ylim(count - 0.5, -0.5)  # first item on top
    ax.set_xticks([0, 20, 40, 60, 80, 100])
    ax.tick_params(axis="x", labelsize=TICK_PT, colors=TEXT_COLOR)
    ax.set_yticks([])
    ax.set_xlabel(t.CHART_AXIS, fontsize=TICK_PT, color=TEXT_COLOR)
    ax.grid(axis="x", color=GRID_COLOR, linewidth=1, zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for position, value in zip(positions, values, strict=True):
        ax.text(
            value + 1,
            position,
            format_percent(value),
            va="center",
            ha="left",
            fontsize=VALUE_PT,
            color=TEXT_COLOR,
            zorder=4,
            bbox=_LABEL_BOX,  # a label may cross a 50 %/80 % line: keep it legible
        )
    return ax


def _draw_names(fig: Figure, ax: Axes, labels: Sequence[str]) -> None:
    """A name left of each bar. Plain texts, not y tick labels: a tick is two marker lines
    and a label, copied from a template (a third of the chart's time with 40 of them)."""
    left_of_axes = offset_copy(ax.get_yaxis_transform(), fig=fig, x=-8, units="dots")
    for position, label in enumerate(labels):
        ax.text(
            0,
            position,
            label,
            transform=left_of_axes,
            ha="right",
            va="center",
            fontsize=NAME_PT,
            color=TEXT_COLOR,
        )


def _draw_levels(ax: Axes) -> None:
    """The vertical lines at 50 % and 80 %, each labelled above the plot."""
    for (level, color), label in zip(LEVELS, (t.CHART_LINE_LOW, t.CHART_LINE_HIGH), strict=True):
        mark_level(ax, level, color, label)


def mark_level(
    ax: Axes,
    level: float,
    color: str,
    label: str,
    *,
    label_at: float = 1.0,
    style: str = "solid",
    ha: str = "center",
) -> None:
    """A vertical line at ``level`` (coverage, %), labelled in bold above the plot
    (``label_at``: the label's height, 1.0 the top of the axes; ``ha``: which end of the label
    is at the line)."""
    ax.axvline(level, color=color, linewidth=LINE_WIDTH_PT, linestyle=style, zorder=3)
    above = blended_transform_factory(ax.transData, ax.transAxes)
    ax.text(
        level,
        label_at,
        label,
        transform=above,
        ha=ha,
        va="bottom",
        fontsize=TICK_PT,
        fontweight="bold",
        color=color,
    )


def _drawn_chart(
    png: bytes,
    ax: Axes,
    height: int,
    shown: Sequence[tuple[str, float]],
    labels: list[str],
    *,
    total: int,
) -> CoverageChart:
    """The chart with where its plot, bars and lines landed, in pixels.

    The axes sit at a fixed place (no automatic layout), so data → pixel transforms are final
    before drawing: the figure is drawn once, by print_png.
    """

    def pixel(x: float, y: float) -> tuple[float, float]:
        px, py = ax.transData.transform((x, y))
        return float(px), float(height - py)

    left, top = pixel(0, -0.5)
    right, bottom = pixel(X_MAX, len(shown) - 0.5)
    bar_boxes = []
    for position, (_, value) in enumerate(shown):
        x0, y0 = pixel(0, position - 0.35)
        x1, y1 = pixel(value, position + 0.35)
        bar_boxes.append((x0, y0, x1, y1))
    return CoverageChart(
        png=png,
        width=WIDTH_PX,
        height=height,
        shown=list(shown),
        labels=labels,
        total=total,
        line_x={LOW: pixel(LOW, 0)[0], HIGH: pixel(HIGH, 0)[0]},
        plot_box=(left, top, right, bottom),
        bar_boxes=bar_boxes,
    )


def coverage_chart_png(
    items: Sequence[tuple[str, float]], title: str, *, max_bars: int = MAX_BARS
) -> bytes:
    """The chart as PNG bytes, 1080 px wide."""
    return render_coverage_chart(items, title, max_bars=max_bars).png
