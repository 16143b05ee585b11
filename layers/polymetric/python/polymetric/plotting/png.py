"""Charts as 800×400 PNGs with matplotlib's Agg backend: line, stacked and bignumber.

What a chart people paste into a chat needs: the chart's name as title, the window in UTC under it,
a UTC time axis, one line (or stacked band) per series in its own colour with a legend naming its tags,
units on the y axis, thresholds colouring a big number.

A chart with ``use_log_yaxis`` gets a logarithmic y axis. Nothing at or below zero has a place on it: a line
skips such points as it skips empty buckets, a stacked band counts them as 0, and a ``min``/``max`` at or below
zero is ignored (on the linear fallback too). When no series has a value above zero the axis stays linear, with
a note, so the data still shows.
"""

import io
import math
from datetime import UTC, datetime

# Figure + FigureCanvasAgg directly, never pyplot: no global state, no backend selection, a lighter import.
from matplotlib import dates as mdates
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from polymetric.models.snapshot import Plot, PlotSeries

WIDTH, HEIGHT, DPI = 800, 400, 100
# Distinct, readable on white, and none of them a grey the text or grid uses (a test counts them).
PALETTE = (
    "#3274d9",
    "#e5702a",
    "#37a862",
    "#d44a3a",
    "#8f5bc8",
    "#1fb2c4",
    "#e0b400",
    "#c4449b",
    "#7a8c2e",
    "#8c5a3c",
    "#5b6ee1",
    "#2e9c8f",
)
TEXT, MUTED, GRID = "#222222", "#6b6b6b", "#e6e6e6"
THRESHOLD_COLORS = {"red": "#d44a3a", "yellow": "#e0a800"}
MAX_LEGEND = 12
MAX_LABEL = 48
SPARSE_POINTS = 30  # at most this many points: each one is marked, so a lone point is seen


def colors(series: list[PlotSeries]) -> list[str]:
    """Each series' colour: its stream's own, else the next palette colour not taken."""
    taken = {s.color.lower() for s in series if s.color}
    free = iter([c for c in PALETTE if c not in taken] + list(PALETTE))
    return [s.color.lower() if s.color else next(free) for s in series]


def render(plot: Plot) -> bytes:
    out = io.BytesIO()
    draw(plot).savefig(out, format="png", dpi=DPI, facecolor="white")
    return out.getvalue()


def draw(plot: Plot) -> Figure:
    """The chart as a matplotlib figure (``render`` saves it as a PNG)."""
    figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    if plot.type == "bignumber":
        _bignumber(figure, plot)
    else:
        _timeseries(figure, plot)
    return figure


def _window(plot: Plot) -> str:
    start = datetime.fromtimestamp(plot.start, UTC)
    end = datetime.fromtimestamp(plot.end, UTC)
    same_day = start.date() == end.date()
    return (
        f"{start:%Y-%m-%d %H:%M} – {end:%H:%M} UTC"
        if same_day
        else f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M} UTC"
    )


def _titles(figure: Figure, plot: Plot, common: str = "") -> None:
    figure.text(0.02, 0.955, _short(plot.title, 80), fontsize=13, fontweight="bold", color=TEXT, va="top")
    subtitle = f"{_window(plot)}   {common}" if common else _window(plot)
    figure.text(0.02, 0.885, _short(subtitle, 120), fontsize=9, color=MUTED, va="top")


def _describe(name: str, tags: dict[str, str]) -> str:
    pairs = ", ".join(f"{k}={v}" for k, v in sorted(tags.items()))
    return f"{name} · {pairs}" if name and pairs else name or pairs


def labels(series: list[PlotSeries]) -> tuple[list[str], str]:
    """Legend labels without what every series shares (the same metric, the same tag values); that goes
    to the subtitle once, so the legend shows what tells the lines apart."""
    if len(series) < 2:
        return [_describe(s.name, s.tags) for s in series], ""
    same_name = len({s.name for s in series}) == 1
    shared = {k: v for k, v in series[0].tags.items() if all(s.tags.get(k) == v for s in series[1:])}
    own = [
        _describe("" if same_name else s.name, {k: v for k, v in s.tags.items() if k not in shared}) or s.name
        for s in series
    ]
    common = _describe(series[0].name if same_name else "", shared)
    return own, common


def _legend_columns(texts: list[str]) -> tuple[int, int]:
    """(columns, characters per label) so that the longest label fits the figure's width."""
    longest = max((len(t) for t in texts), default=0)
    for columns in (4, 3, 2):
        room = int(WIDTH * 0.9 / columns / 6.2) - 4  # about 6.2 px per character at 8 pt
        if longest <= room and len(texts) >= columns:
            return columns, room
    columns = min(2, max(1, len(texts)))
    return columns, int(WIDTH * 0.9 / columns / 6.2) - 4


def _present(
    times: list[float], values: list[float | None], *, positive: bool = False
) -> tuple[list[float], list[float]]:
    pairs = [(t, v) for t, v in zip(times, values, strict=True) if v is not None and (v > 0 or not positive)]
    return [t for t, _ in pairs], [v for _, v in pairs]


def _days(epoch: int) -> float:
    """matplotlib's date axis unit: days since 1970-01-01 UTC (its default epoch)."""
    return epoch / 86400.0


def _short(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _human(value: float, _pos: object = None) -> str:
    magnitude = abs(value)
    for factor, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if magnitude >= factor:
            return f"{value / factor:.3g}{suffix}"
    return f"{value:.3g}"  # 0.001, 0.0001, 1e-05: short, one style down a log axis


class _LogMinor(ticker.LogFormatter):
    """Minor ticks of a log axis in ``_human``'s words, on the ticks matplotlib would label (a window spanning
    under two decades has one major tick or none)."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        return _human(x) if super().__call__(x, pos) else ""


def _timeseries(figure: Figure, plot: Plot) -> None:
    shown = plot.series[:MAX_LEGEND] if plot.type == "stacked" else plot.series
    texts, common = labels(shown)
    _titles(figure, plot, common)
    columns, room = _legend_columns(texts[:MAX_LEGEND])
    legend_rows = math.ceil(min(len(shown), MAX_LEGEND) / columns) if shown else 0
    bottom = 0.14 + 0.05 * legend_rows
    ax = figure.add_axes((0.08, bottom, 0.89, 0.80 - bottom))
    _style(ax)
    times = [_days(t) for t in plot.times]
    palette = colors(shown)
    anything = any(v is not None for s in shown for v in s.values)
    log = plot.log_y and any(v is not None and v > 0 for s in shown for v in s.values)
    if log:
        ax.set_yscale("log")
    elif plot.log_y and anything:
        ax.text(
            0.99,
            0.98,
            "linear axis: no values above 0 for a log axis",
            transform=ax.transAxes,
            ha="right",
            va="top",
            fontsize=8,
            color=MUTED,
        )
    if plot.type == "stacked":
        rows = [[v if v is not None and (v > 0 or not log) else 0.0 for v in s.values] for s in shown]
        if rows:
            ax.stackplot(times, rows, colors=palette, alpha=0.85, linewidth=0.6, edgecolor="white")
    else:
        for s, color in zip(shown, palette, strict=True):
            # Buckets without data are skipped, not gaps: a series reporting every few minutes is still a line.
            xs, ys = _present(times, s.values, positive=log)
            marker = "o" if len(xs) <= SPARSE_POINTS else None
            ax.plot(xs, ys, color=color, linewidth=2.0, solid_joinstyle="round", marker=marker, markersize=4)
    if not anything:
        ax.text(0.5, 0.5, "No data in this window", transform=ax.transAxes, ha="center", va="center", color=MUTED)
    ax.set_xlim(_days(plot.start), _days(plot.end))
    y_min, y_max = plot.y_min, plot.y_max
    if plot.log_y:  # a bound at or below zero has no place on a log axis
        y_min = y_min if y_min is not None and y_min > 0 else None
        y_max = y_max if y_max is not None and y_max > 0 else None
    if y_min is not None or y_max is not None:
        ax.set_ylim(bottom=y_min, top=y_max)
    elif plot.type == "stacked" and not log and ax.get_ylim()[1] > 0:  # all at or below 0: a singular range
        ax.set_ylim(bottom=0)
    locator = mdates.AutoDateLocator(tz=UTC, minticks=4, maxticks=8)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    span = plot.end - plot.start
    pattern = "%H:%M" if span <= 86400 else "%m-%d %H:%M"
    ax.xaxis.set_major_formatter(mdates.DateFormatter(pattern, tz=UTC))  # type: ignore[no-untyped-call]
    ax.set_xlabel("UTC", fontsize=8, color=MUTED, loc="right", labelpad=2)
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(_human))
    if log:
        ax.yaxis.set_minor_formatter(_LogMinor(minor_thresholds=(2, 0.5)))
        ax.tick_params(axis="y", which="minor", colors=MUTED, labelsize=8)
    y_label = plot.y_label or plot.units_short
    if y_label:
        ax.set_ylabel(_short(y_label, 40), fontsize=9, color=MUTED)
    if shown:
        handles = [Patch(color=c, label=_short(t, room)) for t, c in zip(texts, palette, strict=True)][:MAX_LEGEND]
        figure.legend(
            handles=handles,
            loc="lower left",
            bbox_to_anchor=(0.07, 0.01),
            ncol=columns,
            fontsize=8,
            frameon=False,
            handlelength=1.2,
            columnspacing=1.6,
            labelcolor=TEXT,
        )


def _style(ax: Axes) -> None:
    ax.set_facecolor("white")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#bbbbbb")
    ax.grid(True, color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    ax.tick_params(colors=MUTED, labelsize=8, length=3)


def _bignumber(figure: Figure, plot: Plot) -> None:
    _titles(figure, plot)
    series = plot.series[0] if plot.series else None
    values = [v for v in (series.values if series else []) if v is not None]
    if not values:
        figure.text(0.5, 0.5, "No data", fontsize=40, color=MUTED, ha="center", va="center")
        return
    value = values[-1] if plot.use_last_value else sum(values) / len(values)
    color = TEXT
    for threshold in plot.thresholds:
        hit = {">": value > threshold.value, "<": value < threshold.value, "=": value == threshold.value}
        if hit[threshold.operator]:
            color = THRESHOLD_COLORS[threshold.type]
            if threshold.type == "red":
                break
    units = plot.units_short or ""
    figure.text(
        0.5, 0.56, f"{_human(value)}{units}", fontsize=72, fontweight="bold", color=color, ha="center", va="center"
    )
    assert series is not None
    caption = (
        f"{_short(_describe(series.name, series.tags), 70)} · {'last value' if plot.use_last_value else 'average'}"
    )
    figure.text(0.5, 0.33, caption, fontsize=10, color=MUTED, ha="center", va="center")
    ax = figure.add_axes((0.06, 0.05, 0.88, 0.18))
    ax.set_axis_off()
    times = [_days(t) for t in plot.times]
    xs, ys = _present(times, series.values)
    spark = colors([series])[0]
    ax.plot(xs, ys, color=spark, linewidth=1.6, marker="o" if len(xs) <= SPARSE_POINTS else None, markersize=3)
    ax.fill_between(xs, ys, min(values), color=spark, alpha=0.12)
    ax.set_xlim(_days(plot.start), _days(plot.end))
