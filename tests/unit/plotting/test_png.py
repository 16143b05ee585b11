"""Rendered charts: 800×400, not blank, one palette colour per series, for each chart type."""

import math

import pytest

from polymetric.models.dashboard import Threshold
from polymetric.models.snapshot import Plot, PlotSeries
from polymetric.plotting.png import THRESHOLD_COLORS, labels, render
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
