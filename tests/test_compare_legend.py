"""The Compare tab with many runs: twelve distinct colours, a legend off the curves, a slide PNG.

With 11 runs the legend covered the plot, three pairs of runs shared a colour, and the PNG was a
284x545 grab of the widget with the splitter handle in it.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from colour_math import delta_e
from PIL import Image
from test_runs import trained_run

from gui.colors import DARK, LIGHT, SERIES, palette, series_colour, use_palette
from gui.runs.compare_panel import EXPORT_SIZE, ComparePanel


@pytest.fixture(params=[DARK, LIGHT], ids=["dark", "light"])
def theme(request):
    before = palette()
    use_palette(request.param)
    yield request.param
    use_palette(before)


def test_twelve_run_colours_are_told_apart_and_stand_out_on_the_canvas(theme) -> None:
    colours = [series_colour(i) for i in range(12)]
    assert len(SERIES) >= 12
    for (i, a), (j, b) in itertools.combinations(enumerate(colours), 2):
        assert delta_e(a, b) >= 30, f"runs {i + 1} and {j + 1} look alike in {theme.name}"
    for i, colour in enumerate(colours):
        assert delta_e(colour, theme.background) >= 40, f"run {i + 1} fades into {theme.name}"


def many_runs(tiny_digits, count: int, first_serial: int = 1) -> list:
    """Return ``count`` kept runs whose cost curves lie apart (run k's is k + 1 times higher)."""
    runs = []
    for k in range(count):
        run, _ = trained_run(tiny_digits, f"run {first_serial + k} with a long name", 40)
        run.serial = first_serial + k
        run.curves["batch_cost"] = run.curves["batch_cost"] * (1 + k)
        runs.append(run)
    return runs


@pytest.fixture
def panel(qtbot, tiny_digits, theme):
    p = ComparePanel()
    qtbot.addWidget(p)
    p.resize(900, 560)
    p.show()
    p.set_runs(many_runs(tiny_digits, 12))
    qtbot.waitUntil(lambda: p.cost_plot.getPlotItem().vb.width() > 100)
    return p


def drawn_colours(panel) -> list[tuple[int, int, int]]:
    """Return the colour of every cost curve drawn, in the order of the runs."""
    panel.draw_now()  # the tab draws in slices between turns of the event loop
    return [panel._cost_items[r.serial].opts["pen"].color().getRgb()[:3] for r in panel.runs]


def test_every_kept_run_has_its_own_colour_even_after_one_is_removed(panel, tiny_digits) -> None:
    colours = drawn_colours(panel)
    assert len(set(colours)) == 12
    before = dict(zip([r.serial for r in panel.runs], colours))
    kept = [r for r in panel.runs if r.serial != 3]  # run 3 removed, then a 13th run comes
    panel.set_runs(kept + many_runs(tiny_digits, 1, first_serial=13))
    after = dict(zip([r.serial for r in panel.runs], drawn_colours(panel)))
    assert len(set(after.values())) == 12  # serial 13 did not take serial 1's colour
    assert all(after[s] == before[s] for s in before if s != 3)  # no run changed colour
    assert after[13] == before[3]  # it took the colour run 3 left


def test_the_legend_lies_off_the_curves_and_names_every_run(qtbot, panel) -> None:
    item = panel.cost_plot.getPlotItem()
    qtbot.waitUntil(lambda: len(panel.legend.items) == len(panel.runs))  # drawn in slices
    names = [label.text for _sample, label in panel.legend.items]
    assert names == [r.name for r in panel.runs]
    qtbot.waitUntil(lambda: panel.legend.sceneBoundingRect().height() > 0)
    qtbot.waitUntil(  # the plot's layout settles a turn of the event loop after the legend's
        lambda: not panel.legend.sceneBoundingRect().intersects(item.vb.sceneBoundingRect())
    )
    legend, curves = panel.legend.sceneBoundingRect(), item.vb.sceneBoundingRect()
    assert not legend.intersects(curves)
    assert legend.right() <= panel.cost_plot.width() + 1  # whole, not cut at the right
    assert panel.legend.columnCount > 1  # rows of several entries, not one tall column


def colour_pixels(image: np.ndarray, rgb) -> np.ndarray:
    """Return a mask of the pixels within 24 of colour ``rgb`` in every channel."""
    return (np.abs(image - np.array(rgb, float)).max(axis=2) < 24).astype(int)


def test_the_png_is_a_slide_painted_from_the_plots_with_every_run(panel, tmp_path) -> None:
    panel.plots.setSizes([200, 100])  # whatever the tab's size, the picture is a slide's
    assert panel.export_png(tmp_path / "c.png")
    with Image.open(tmp_path / "c.png") as png:
        assert png.size == EXPORT_SIZE == (1600, 900)
        image = np.asarray(png.convert("RGB"), float)
    band = image[:120]  # the legend, above the plots
    plots = image[120:]
    for run, colour in zip(panel.runs, drawn_colours(panel)):
        assert colour_pixels(band, colour).sum() > 20, f"{run.name} missing from the legend"
        assert colour_pixels(plots, colour).sum() > 200, f"{run.name}'s curve missing"
    # No widget chrome: every pixel of the picture's edge is the canvas.
    edge = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    assert np.abs(edge - np.array(palette().background, float)).max() < 1
