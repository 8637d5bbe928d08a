"""Explorer steps 9-11: pictures made off the GUI thread, legends and labels kept clear."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtWidgets import QLabel
from windows import drain

from engine.errors import DivergenceError
from engine.lessons import descent_paths as dp
from engine.lessons import steepest_descent as sd
from engine.lessons.explorer import explored_network
from gui.background import wait_for_jobs
from gui.explorer.background import BUSY_OPACITY
from gui.explorer.panel import ExplorerPanel
from gui.explorer.text import fmt

N = 600  # training images: enough for real pictures, few enough to be quick


@pytest.fixture
def panel(open_explorer, trained_on_sample):
    """An explorer on the trained sample network with the first N training images."""
    snap, data = trained_on_sample
    train = (data.train.images[:N], data.train.labels[:N])
    return open_explorer(snap, train, size=None, show=False)


def summary(panel: ExplorerPanel, name: str) -> str:
    return panel.findChild(QLabel, name).text()


def test_the_window_is_not_held_while_a_picture_is_made(qtbot, panel, monkeypatch) -> None:
    release = threading.Event()
    real = dp.descent_picture

    def slow(*args, **kwargs):
        release.wait(30)  # the picture takes as long as the test says
        return real(*args, **kwargs)

    page = panel.descent_page
    panel.set_step(11)
    qtbot.waitUntil(lambda: not panel.busy(), timeout=30000)
    assert "off this plane" in panel.findChild(QLabel, "descent_note").text()
    monkeypatch.setattr(dp, "descent_picture", slow)
    page.reseed.click()  # returns at once: the GUI thread is free
    assert panel.busy() and "Taking SGD and full-gradient steps" in summary(
        panel, "descent_summary"
    )
    assert f"{N:,} training images" in summary(panel, "descent_summary")
    assert page.plot.getPlotItem().opacity() == pytest.approx(BUSY_OPACITY)
    assert page.values == {}  # nothing is claimed before it is computed
    assert panel.findChild(QLabel, "descent_note").text() == ""
    panel.set_step(10)  # the learner moves on meanwhile, and comes back
    panel.set_step(11)
    release.set()
    qtbot.waitUntil(lambda: not panel.busy(), timeout=30000)
    assert page.plot.getPlotItem().opacity() == 1.0
    p = panel.displayed_values()["picture"]
    assert fmt(p.sgd.costs[-1]) in summary(panel, "descent_summary")
    far = max(p.sgd.off_plane.max(), p.full.off_plane.max())
    assert fmt(far) in panel.findChild(QLabel, "descent_note").text()


def test_only_the_newest_request_is_drawn(qtbot, panel, trained_on_sample, monkeypatch) -> None:
    snap = trained_on_sample[0]
    page = panel.steepest_page
    drawn = []
    real_draw = page.draw
    monkeypatch.setattr(
        page, "draw", lambda result: (drawn.append(result[0].seed), real_draw(result))
    )
    panel.set_step(10)
    page.draw_other_directions()  # three requests, one after another, before any answer
    page.draw_other_directions()
    qtbot.waitUntil(lambda: not panel.busy(), timeout=30000)
    r = panel.displayed_values()["descent"]
    assert r.seed == 2
    net = explored_network(snap, snap.config.dtype)
    images, labels = trained_on_sample[1].train.images[:N], trained_on_sample[1].train.labels[:N]
    own = sd.steepest_descent(net, images, labels, snap.train_config.learning_rate, seed=2)
    np.testing.assert_array_equal(r.random_changes, own.random_changes)
    assert int(np.sum(page.bars.opts["height"])) == len(own.random_changes)
    assert fmt(own.random_changes.max()) in summary(panel, "steepest_summary")
    assert wait_for_jobs(30000)  # the older requests' work is over too
    drain()  # and anything they sent is delivered
    assert drawn == [2]  # the two older pictures never flashed up
    assert panel.displayed_values()["descent"] is r


def test_a_new_network_while_a_picture_is_made_draws_the_new_one(
    qtbot, panel, trained_on_sample
) -> None:
    snap, data = trained_on_sample
    panel.set_step(9)
    assert panel.busy()
    panel.set_full_batch(data.train.images[: N // 2], data.train.labels[: N // 2])
    qtbot.waitUntil(lambda: not panel.busy(), timeout=30000)
    assert panel.displayed_values()["search"].n_examples == N // 2
    assert f"all {N // 2:,} training images" in summary(panel, "line_summary")
    panel.set_full_batch(data.train.images[:0], data.train.labels[:0])  # no data: nothing due
    assert not panel.busy() and panel.displayed_values() == {}
    assert "Load a training set" in summary(panel, "line_summary")


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (DivergenceError("the cost became infinite"), "Training diverged from here: the cost"),
        (ValueError("no finite cost"), "This picture could not be made: no finite cost"),
    ],
)
def test_a_failed_picture_says_why_and_claims_nothing(
    qtbot, panel, monkeypatch, error, said
) -> None:
    def fail(*_args, **_kwargs):
        raise error

    monkeypatch.setattr(dp, "descent_picture", fail)
    panel.set_step(11)
    qtbot.waitUntil(lambda: not panel.busy(), timeout=30000)
    assert summary(panel, "descent_summary").startswith(said)
    assert panel.displayed_values() == {}
    assert panel.descent_page.plot.getPlotItem().opacity() == 1.0


def covered(plot, legend, xs, ys) -> int:
    """Return how many of the points (data coordinates) lie under the legend on screen."""
    from PySide6.QtCore import QPointF

    view = plot.getPlotItem().getViewBox()
    rect = legend.sceneBoundingRect()
    return sum(rect.contains(view.mapViewToScene(QPointF(x, y))) for x, y in zip(xs, ys))


@pytest.mark.parametrize(
    ("crowd", "expected"),
    [
        ([(0.9, 0.9)], (0, 0)),  # top right taken: the next corner in order, top left
        ([(0.9, 0.9), (0.1, 0.9)], (1, 1)),  # both tops taken: bottom right
        ([(0.5, 0.5)], (1, 0)),  # nothing in a corner: top right, as before
    ],
)
def test_the_legend_moves_off_the_lines(qtbot, crowd, expected) -> None:
    import pyqtgraph as pg
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    from gui.explorer.widgets import LegendPlacer, chart_key

    page = QWidget()
    qtbot.addWidget(page)
    plot = pg.PlotWidget()
    key = chart_key("key")
    layout = QVBoxLayout(page)
    layout.addWidget(key)
    layout.addWidget(plot, 1)
    page.resize(480, 320)
    legend = plot.getPlotItem().addLegend(offset=(-10, 10))
    plot.plot([0, 1], [0, 1], name="mini-batch SGD steps")
    plot.plot([0, 1], [1, 0], name="full-gradient steps")
    page.show()
    qtbot.waitExposed(page)
    plot.setXRange(0, 1, padding=0)
    plot.setYRange(0, 1, padding=0)
    placer = LegendPlacer(plot, legend, key)
    lines = [(np.linspace(x - 0.08, x + 0.08, 5), np.full(5, y)) for x, y in crowd]
    placer.set_lines(*lines)
    assert placer.corner == expected
    assert legend.isVisible() and not key.isVisible()  # a corner is clear: the legend is in it
    xs, ys = placer.xs, placer.ys
    assert covered(plot, legend, xs, ys) == 0


def show_step_11(qtbot, panel) -> None:
    """Show the explorer laid out on screen at step 11, its picture made."""
    panel.resize(1100, 760)
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_step(11)
    qtbot.waitUntil(lambda: not panel.busy(), timeout=30000)
    drain()  # the layout the picture asked for is done


def test_step_11s_paths_have_no_legend_on_them_and_their_key_above(qtbot, panel) -> None:
    import pyqtgraph as pg

    show_step_11(qtbot, panel)
    page = panel.descent_page
    scene = page.plot.scene().items()
    assert not [i for i in scene if isinstance(i, pg.LegendItem) and i.isVisible()]
    key = panel.findChild(QLabel, "descent_key")
    assert key.isVisible() and key.geometry().bottom() < page.plot.geometry().top()
    for name in ("mini-batch SGD", "full gradient", "SGD matched", "start"):
        assert name.replace(" ", "&nbsp;") in key.text()


def text_rects(labels) -> list:
    """Return each label's text on screen, its blank margin taken off."""
    rects = []
    for label in labels:
        inset = label.textItem.document().documentMargin()
        rects.append(label.sceneBoundingRect().adjusted(inset, inset, -inset, -inset))
    return rects


def test_step_11s_cost_labels_sit_by_their_points_and_never_on_each_other(qtbot, panel) -> None:
    show_step_11(qtbot, panel)
    page = panel.descent_page
    assert page.place_labels() == 0  # every label found a clear place
    shown = [*page.labels, *(label for label in page.spare if label.isVisible())]
    rects = text_rects(shown)
    for i, rect in enumerate(rects):
        assert all(not rect.intersects(other) for other in rects[i + 1 :])
    p = panel.displayed_values()["picture"]
    view = page.plot.getPlotItem().getViewBox()
    points = {(float(x), float(y)) for x, y in [*p.sgd.coords, *p.full.coords]}
    for rect, label in zip(rects, shown):
        assert (label.pos().x(), label.pos().y()) in points  # each label sits at a drawn point
        at = view.mapViewToScene(label.pos())
        gap = max(
            rect.left() - at.x(), at.x() - rect.right(), rect.top() - at.y(), at.y() - rect.bottom()
        )
        assert gap < 12, f"{label.toPlainText()} is {gap:.0f} px from its point"


def unit_plot(qtbot):
    """A 400x300 plot on screen whose view is the unit square."""
    import pyqtgraph as pg

    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    plot.resize(400, 300)
    plot.show()
    qtbot.waitExposed(plot)
    plot.setXRange(0, 1, padding=0)
    plot.setYRange(0, 1, padding=0)
    return plot


def test_crowded_labels_are_spread_round_their_points(qtbot) -> None:
    import pyqtgraph as pg

    from gui.explorer.widgets import place_labels

    plot = unit_plot(qtbot)
    xs = np.linspace(0.2, 0.55, 6)  # six points 25 pixels apart: too close for labels side by side
    labels = []
    for x in xs:
        label = pg.TextItem(f"{x:.4f}")
        label.setPos(float(x), 0.5)
        plot.addItem(label)
        labels.append(label)
    assert place_labels(plot, labels, points=list(zip(xs, [0.5] * 6)), lines=[(xs, [0.5] * 6)]) == 0
    rects = text_rects(labels)
    for i, rect in enumerate(rects):
        assert all(not rect.intersects(other) for other in rects[i + 1 :])


def test_optional_labels_show_only_where_they_are_clear(qtbot) -> None:
    import pyqtgraph as pg

    from gui.explorer.widgets import place_labels

    plot = unit_plot(qtbot)
    labels = []
    big = "\n".join(["a label wide and tall enough to cover a point"] * 5)
    for x, y, text in ((0.5, 0.5, big), (0.5, 0.65, "0.5678"), (0.1, 0.1, "0.9")):
        label = pg.TextItem(text)
        label.setPos(x, y)
        plot.addItem(label)
        labels.append(label)
    points = [(0.5, 0.5), (0.1, 0.1)]
    assert place_labels(plot, labels[:1], points, optional=labels[1:]) == 0
    assert labels[0].anchor[0] == 0.5 and labels[0].anchor[1] > 1  # above, over the second
    assert labels[0].isVisible() and labels[2].isVisible()  # clear: shown
    assert not labels[1].isVisible()  # every place by its point is under the first: left out
    labels[0].setPos(0.5, 0.1)  # the big label moves away: the optional one finds room again
    assert place_labels(plot, labels[:1], points, optional=labels[1:]) == 0
    assert labels[1].isVisible()


def test_closing_while_a_picture_is_made_waits_for_it_and_stays_quiet(
    qtbot, tmp_path, monkeypatch
) -> None:
    from windows import open_window

    window = open_window(qtbot, tmp_path / "settings.ini")
    window.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: window.explorer.state is not None, timeout=10000)
    started, real = threading.Event(), dp.descent_picture

    def slow(*args, **kwargs):
        started.set()
        threading.Event().wait(0.3)  # still computing when the window closes
        return real(*args, **kwargs)

    monkeypatch.setattr(dp, "descent_picture", slow)
    window.explorer.set_step(11)
    assert started.wait(10) and window.explorer.busy()
    window.close()  # the explorer waits for its picture before the window goes
    assert window.explorer.descent_page.busy()  # the answer arrives to a closed window
    drain()  # and is drawn without a word on stderr (warnings fail tests)
    assert not window.explorer.descent_page.busy()
