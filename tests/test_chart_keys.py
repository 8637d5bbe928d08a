"""The explorer's chart keys: a legend never covers a line at any size, and the key stays readable.

Step 9's legend sits in the plot where it is clear of the curves (with headroom if it must) and
becomes a line of words above the chart where the plot is too small; step 11's key is always
that line of words, since its paths wander over the whole plane.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pytest
from layout_checks import label_cut, plot_cut
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

import pyqtgraph as pg  # isort: skip  (after PySide6)
from gui.colors import DARK, LIGHT, css, palette, use_palette
from gui.explorer.panel import ExplorerPanel

N = 600  # training images: enough for real pictures, few enough to be quick
ENTRY = re.compile(
    r'<span style="color: ([^"]+)"><b>(.*?)</b></span>&nbsp;(.*?)(?:&nbsp;&nbsp; |$)'
)


def entries(key: QLabel) -> list[tuple[str, str, str]]:
    """Return each entry of a key as the learner reads it: (colour, mark, words)."""

    def read(text: str) -> str:
        return html.unescape(text).replace("\xa0", " ").strip()

    found = [(colour, read(mark), read(words)) for colour, mark, words in ENTRY.findall(key.text())]
    assert "".join(read(w) for *_c, w in found), f"no entries in {key.text()!r}"
    return found


def drawn_colour(curve: pg.PlotDataItem) -> str:
    """Return the colour a curve's symbol is filled with, or its ring's or its line's colour."""
    opts = curve.opts
    brush = pg.mkBrush(opts["symbolBrush"]) if opts.get("symbol") else None
    if brush is not None and brush.style() != Qt.BrushStyle.NoBrush:
        return brush.color().name()
    if opts.get("symbol") and opts.get("pen") is None:
        return pg.mkPen(opts["symbolPen"]).color().name()
    return pg.mkPen(opts["pen"]).color().name()


def legend_faults(plot: pg.PlotWidget) -> list[str]:
    """Return what the layout walk finds wrong with a chart's legend: on the lines, or cut."""
    return [fault for fault in plot_cut(plot) if "legend" in fault]


def settle(qtbot, page: QWidget, plot: pg.PlotWidget, size: tuple[int, int]) -> None:
    """Resize ``page`` (as near ``size`` as its minimum size allows) and wait until its layout,
    the plot's (the key above it takes its room) have come to rest: two looks in a row that
    find the same."""
    page.resize(*size)
    view = plot.getPlotItem().getViewBox()
    seen: list[tuple] = []

    def at_rest() -> bool:
        now = (
            page.size().toTuple(),
            plot.geometry().getRect(),
            view.sceneBoundingRect().getRect(),
            [tuple(r) for r in view.viewRange()],
        )
        same = bool(seen) and seen[-1] == now
        seen.append(now)
        return same

    qtbot.waitUntil(at_rest, timeout=10000)


def test_a_key_gives_each_curve_its_mark_in_its_own_colour(qtbot) -> None:
    from gui.explorer.widgets import chart_key, key_text

    p = palette()
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    curves = [
        plot.plot([0, 1], [0, 1], pen=pg.mkPen(p.negative, width=2), name="a line"),
        plot.plot(
            [0, 1], [1, 0], pen=pg.mkPen(p.dim, style=Qt.PenStyle.DashLine), name="first order"
        ),
        plot.plot([0, 1], [0, 0], pen=pg.mkPen(p.positive), symbol="s", name="a path"),
        plot.plot([0.5], [0.5], pen=None, symbol="o", symbolPen=pg.mkPen(p.negative), name="r"),
        plot.plot([0.2], [0.2], pen=None, symbol="star", name="start <here> & there"),
    ]
    curves[2].setSymbolBrush(p.positive)
    curves[3].setSymbolBrush(None)  # a ring: its mark is hollow
    curves[4].setSymbolBrush(p.highlight)
    key = chart_key("key")
    key.setText(key_text(curves))
    assert entries(key) == [
        (css(p.negative), "——", "a line"),
        (css(p.dim), "- -", "first order"),
        (css(p.positive), "—■—", "a path"),
        (css(p.negative), "○", "r"),
        (css(p.highlight), "★", "start <here> & there"),
    ]


@pytest.fixture
def crossed(qtbot):
    """A chart whose two lines run corner to corner (no corner is free), its key above it."""
    from gui.explorer.widgets import LegendPlacer, chart_key

    p = palette()
    page = QWidget()
    qtbot.addWidget(page)
    plot = pg.PlotWidget()
    legend = plot.getPlotItem().addLegend(offset=(-10, 10), labelTextSize="9pt")
    t = np.linspace(0.0, 1.0, 20)
    up = plot.plot(t, t, pen=pg.mkPen(p.negative, width=2), name="mini-batch g")
    down = plot.plot(t, 1 - t, pen=pg.mkPen(p.positive, width=2), name="full-batch g")
    dot = plot.plot([0.5], [0.5], pen=None, symbol="o", name="SGD step (t = η)")
    dot.setSymbolBrush(p.highlight)
    key = chart_key("key")
    placer = LegendPlacer(plot, legend, key)
    layout = QVBoxLayout(page)
    layout.addWidget(key)
    layout.addWidget(plot, 1)
    page.resize(900, 700)
    page.show()
    qtbot.waitExposed(page)
    placer.set_lines((t, t), (t, 1 - t), ([0.5], [0.5]))
    return page, plot, placer, [up, down, dot]


SIZES = [(900, 700), (640, 480), (480, 380), (360, 300), (290, 230), (240, 200)]


def test_a_legend_never_covers_a_line_at_any_size_and_its_key_takes_its_place(
    qtbot, crossed
) -> None:
    page, plot, placer, curves = crossed
    legend, key = placer.legend, placer.key
    view = plot.getPlotItem().getViewBox()
    where = {}
    for size in [*SIZES, *reversed(SIZES)]:  # smaller and smaller, then back up
        settle(qtbot, page, plot, size)
        assert legend_faults(plot) == [], size
        assert legend.isVisible() != key.isVisible(), size  # one of the two, never neither
        where.setdefault(size, []).append(legend.isVisible())
        if key.isVisible():
            assert label_cut(key) is None
            assert key.geometry().bottom() < plot.geometry().top()  # above the chart
            shown = [(colour, words) for colour, _mark, words in entries(key)]
            assert shown == [(drawn_colour(c), c.name()) for c in curves]
            # The lines reach 1; headroom for a legend a third of the view high would reach 1.5.
            top = view.viewRange()[1][1]
            assert top < 1.2, f"{size}: the legend's headroom {top:.2f} is left without it"
        else:
            assert legend.sceneBoundingRect().width() > 0
    assert where[(900, 700)] == [True, True]  # room: the legend is in the plot, both times
    assert where[(290, 230)] == [False, False]  # step 11's size at 1280x720: the key outside
    assert placer.inside is True


@pytest.fixture
def panel(open_explorer, trained_on_sample):
    """An explorer on the trained sample network with the first N training images."""
    snap, data = trained_on_sample
    return open_explorer(snap, (data.train.images[:N], data.train.labels[:N]), size=(1100, 760))


def visible_legends(plot: pg.PlotWidget) -> list[pg.LegendItem]:
    """Return the legends shown on a chart."""
    return [i for i in plot.scene().items() if isinstance(i, pg.LegendItem) and i.isVisible()]


@pytest.mark.parametrize("size", [(1100, 760), (700, 450), (460, 600)])
def test_step_11s_key_is_above_the_picture_whole_in_the_paths_colours(qtbot, panel, size) -> None:
    panel.set_step(11)
    qtbot.waitUntil(lambda: not panel.busy(), timeout=30000)
    page = panel.descent_page
    key = panel.findChild(QLabel, "descent_key")
    settle(qtbot, panel, page.plot, size)
    assert visible_legends(page.plot) == [] and legend_faults(page.plot) == []
    if size == (460, 600):  # the plot about as small as at 1280x720 with the guide open
        assert page.plot.width() <= 300 and page.plot.height() <= 250
    assert key.isVisible() and label_cut(key) is None
    assert key.geometry().bottom() < page.plot.geometry().top()
    assert key.geometry().right() <= page.width()
    curves = [page.sgd_path, page.full_path, page.matched, page.start]
    p = palette()
    assert entries(key) == [
        (css(p.negative), "—●—", "mini-batch SGD"),
        (css(p.positive), "—■—", "full gradient"),
        (css(p.negative), "○", "SGD matched"),  # the rings, hollow as drawn
        (css(p.highlight), "★", "start"),
    ]
    assert [colour for colour, *_ in entries(key)] == [drawn_colour(c) for c in curves]
    p = panel.displayed_values()["picture"]
    np.testing.assert_allclose(np.column_stack(page.sgd_path.getData()), p.sgd.coords)


def test_step_11s_key_follows_the_theme(qtbot, panel) -> None:
    panel.set_step(11)
    qtbot.waitUntil(lambda: not panel.busy(), timeout=30000)
    page = panel.descent_page
    key = panel.findChild(QLabel, "descent_key")
    before = palette()
    try:
        for theme in (LIGHT, DARK):
            use_palette(theme)
            page.restyle()
            colours = [colour for colour, *_ in entries(key)]
            assert colours == [
                css(c) for c in (theme.negative, theme.positive, theme.negative, theme.highlight)
            ]
    finally:
        use_palette(before)
        page.restyle()


def test_step_9s_legend_is_in_the_plot_where_there_is_room_and_above_it_where_not(
    qtbot, panel
) -> None:
    panel.set_step(9)
    qtbot.waitUntil(lambda: not panel.busy(), timeout=30000)
    page = panel.line_page
    key = panel.findChild(QLabel, "line_key")
    curves = [page.batch_curve, page.full_curve, page.landing]
    inside = {}
    for size in [(1100, 760), (450, 380), (400, 330), (1100, 760)]:
        settle(qtbot, panel, page.plot, size)
        assert legend_faults(page.plot) == [], size
        assert page.legend.isVisible() != key.isVisible(), size
        inside[size] = page.legend.isVisible()
        if key.isVisible():
            assert label_cut(key) is None
            assert key.geometry().bottom() < page.plot.geometry().top()
            assert [(c, w) for c, _m, w in entries(key)] == [
                (drawn_colour(c), c.name()) for c in curves
            ]
    assert inside == {(1100, 760): True, (450, 380): False, (400, 330): False}
    search = panel.displayed_values()["search"]
    view = page.plot.getPlotItem().getViewBox()
    (_x0, _x1), (y0, y1) = view.viewRange()
    low = min(search.full_curve.min(), search.batch_curve.min())
    high = max(search.full_curve.max(), search.batch_curve.max())
    assert y0 <= low and high <= y1  # both curves whole in the view


def test_every_legend_on_an_explorer_chart_has_a_placer_and_a_key_beside_it(qtbot) -> None:
    """A new chart that puts a legend on its lines without a LegendPlacer is caught here."""
    from gui.explorer.widgets import LegendPlacer

    panel = ExplorerPanel()
    qtbot.addWidget(panel)
    placers = [
        value
        for page in panel.findChildren(QWidget)
        for value in vars(page).values()
        if isinstance(value, LegendPlacer)
    ]
    legends = [
        item
        for plot in panel.findChildren(pg.PlotWidget)
        for item in plot.scene().items()
        if isinstance(item, pg.LegendItem) and isinstance(item.parentItem(), pg.ViewBox)
    ]
    assert legends  # step 9's at least
    for legend in legends:
        placer = next((p for p in placers if p.legend is legend), None)
        assert placer is not None, "a legend on a chart's lines with no LegendPlacer"
        assert placer.key.parentWidget() is not None  # laid out beside its chart
