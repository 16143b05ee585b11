"""Rendered charts: 800×400, not blank, one palette colour per series, for each chart type."""

import math

import numpy as np
import pytest

from polymetric.models.dashboard import Threshold
from polymetric.models.snapshot import Plot, PlotSeries
from polymetric.plotting.png import PALETTE, THRESHOLD_COLORS, draw, labels, render
from tests.helpers_png import count, image, ink, palette_colours

START = 1796540400
TIMES = list(range(START, START + 3601, 60))


def _plot(kind: str, n: int, **kw: object) -> Plot:
    series = [
        PlotSeries(
            name="cpu.percent.user",
            tags={"host": f"web-{i}", "region": "us-east-1"},
            values=[40 + 10 * i + 8 * math.sin(j / 6 + i) for j in range(len(TIMES))],
        )
        for i in range(n)
    ]
    return Plot(title="CPU", type=kind, start=START, end=START + 3600, times=TIMES, series=series, **kw)


@pytest.mark.parametrize(("kind", "n"), [("line", 1), ("line", 3), ("line", 10), ("stacked", 4)])
def test_size_ink_and_one_colour_per_series(kind: str, n: int) -> None:
    png = render(_plot(kind, n, units_short="%"))
    assert image(png).size == (800, 400)
    assert ink(png) > 0.03
    assert len(palette_colours(png)) == n


def test_bignumber_shows_threshold_colour() -> None:
    png = render(_plot("bignumber", 1, thresholds=[Threshold(operator=">", value=10, type="red")]))
    assert image(png).size == (800, 400)
    assert count(png, THRESHOLD_COLORS["red"]) > 500


def test_empty_window_still_renders_a_chart() -> None:
    plot = Plot(title="Nothing", type="line", start=START, end=START + 3600, times=TIMES, series=[])
    png = render(plot)
    assert image(png).size == (800, 400) and ink(png) > 0.005


def test_legend_drops_what_every_series_shares() -> None:
    own, common = labels(_plot("line", 3).series)
    assert own == ["host=web-0", "host=web-1", "host=web-2"]
    assert common == "cpu.percent.user · region=us-east-1"


def _decades(log_y: bool, **kw: object) -> Plot:
    """One series rising steadily from 1 to 100k: a straight line on a log axis, a hockey stick on a linear one."""
    values: list[float | None] = [10 ** (5 * j / (len(TIMES) - 1)) for j in range(len(TIMES))]
    series = [PlotSeries(name="requests", values=values)]
    return Plot(title="R", type="line", start=START, end=START + 3600, times=TIMES, series=series, log_y=log_y, **kw)


def _median_row(png: bytes, colour: str) -> float:
    """The middle pixel row of a colour above the legend (row 0 is the top)."""
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    rows, _ = np.nonzero((np.asarray(image(png))[:340] == rgb).all(axis=2))
    return float(np.median(rows))


def test_log_yaxis_chart_draws_on_a_log_scale() -> None:
    assert draw(_decades(log_y=True)).axes[0].get_yscale() == "log"
    assert draw(_decades(log_y=False)).axes[0].get_yscale() == "linear"
    log, linear = render(_decades(log_y=True)), render(_decades(log_y=False))
    # Linear: the line hugs the bottom until the last minutes. Log: a diagonal, its middle halfway up the axis.
    assert _median_row(linear, PALETTE[0]) - _median_row(log, PALETTE[0]) > 50


@pytest.mark.parametrize("kind", ["line", "stacked"])
def test_log_yaxis_skips_values_at_or_below_zero(kind: str) -> None:
    values: list[float | None] = [0.0, -3.0, None, *[float(j) for j in range(1, len(TIMES) - 2)]]
    series = [PlotSeries(name="a", values=values[: len(TIMES)]), PlotSeries(name="b", values=[0.0] * len(TIMES))]
    plot = Plot(title="Z", type=kind, start=START, end=START + 3600, times=TIMES, series=series, log_y=True, y_min=0)
    assert draw(plot).axes[0].get_yscale() == "log"
    assert PALETTE[0] in palette_colours(render(plot))


@pytest.mark.parametrize("kind", ["line", "stacked"])
def test_log_yaxis_with_nothing_above_zero_renders_on_a_linear_axis(kind: str) -> None:
    series = [PlotSeries(name="delta", values=[-5.0 + j % 3 for j in range(len(TIMES))])]
    plot = Plot(title="D", type=kind, start=START, end=START + 3600, times=TIMES, series=series, log_y=True, y_min=0)
    figure = draw(plot)
    assert figure.axes[0].get_yscale() == "linear"
    assert any("no values above 0" in t.get_text() for t in figure.axes[0].texts)
    assert palette_colours(render(plot)) == [PALETTE[0]]


def test_small_tick_labels_are_short_and_of_one_style() -> None:
    """A log axis down to 1e-6 reads 0.01, 0.001, 0.0001, 1e-05, 1e-06, not 1.00e-04 beside 0.001."""
    from polymetric.plotting.png import _human

    assert [_human(10.0**-k) for k in range(2, 7)] == ["0.01", "0.001", "0.0001", "1e-05", "1e-06"]
    assert [_human(x) for x in (0.0, 2.5, 1500.0, -3e6)] == ["0", "2.5", "1.5k", "-3M"]
