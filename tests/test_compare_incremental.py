"""The Compare tab draws only what changed, and nothing while it is hidden (issue 24's 100 ms).

Keeping a run (also done on every Reset) used to clear both plots and make every run's items
again: 1.7-1.9 s with 150 kept runs. These tests count the plot items made and the curves given
new points by each action, through pyqtgraph's own calls, and check the curves once shown.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtWidgets import QLabel, QTabWidget
from test_runs import trained_run

import gui.runs.compare_panel as compare_panel
from engine.session.history import trailing_mean
from gui.runs.compare_panel import SMOOTH_WINDOW, ComparePanel


def make_runs(tiny_digits, first: int, count: int) -> list:
    runs = []
    base, _ = trained_run(tiny_digits, "base", batches=60)
    for k in range(first, first + count):
        run = base.__class__(**{**base.__dict__, "name": f"Run {k}"})
        run.curves = dict(base.curves, batch_cost=base.curves["batch_cost"] * (1 + k / 10))
        run.serial = k
        runs.append(run)
    return runs


@pytest.fixture
def tab(qtbot, tiny_digits, monkeypatch):
    """A Compare tab beside another tab, holding 12 runs, fully drawn; counters of plot calls."""
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    tabs.addTab(QLabel("the network"), "Network")
    panel = ComparePanel()
    tabs.addTab(panel, "Compare")
    tabs.resize(1000, 600)
    tabs.show()
    tabs.setCurrentWidget(panel)
    runs = make_runs(tiny_digits, 1, 12)
    panel.set_runs(runs)
    counts = {"added": 0, "removed": 0, "set": 0, "smoothed": 0}
    # The widget holds its own bound copies of addItem and removeItem: count both ways in.
    owners = [o for plot in (panel.cost_plot, panel.accuracy_plot) for o in (plot, plot.plotItem)]
    for owner in owners:
        for name, key in (("addItem", "added"), ("removeItem", "removed")):
            original = getattr(owner, name)

            def counted(*args, _original=original, _key=key, **kwargs):
                counts[_key] += 1
                return _original(*args, **kwargs)

            monkeypatch.setattr(owner, name, counted)
    original_set = pg.PlotDataItem.setData

    def counted_set(self, *args, **kwargs):
        counts["set"] += bool(args)  # points handed over (a new item's own empty call aside)
        return original_set(self, *args, **kwargs)

    monkeypatch.setattr(pg.PlotDataItem, "setData", counted_set)
    original_smoothed = compare_panel.smoothed

    def counted_smoothed(*args, **kwargs):
        counts["smoothed"] += 1
        return original_smoothed(*args, **kwargs)

    monkeypatch.setattr(compare_panel, "smoothed", counted_smoothed)
    qtbot.waitUntil(lambda: len(panel.legend.items) == 12)
    qtbot.waitUntil(lambda: len(panel.drawn()) == 12)
    counts.update(dict.fromkeys(counts, 0))
    return tabs, panel, runs, counts


def expected_cost(run, smooth: bool) -> np.ndarray:
    costs = np.asarray(run.curves["batch_cost"], float)
    return trailing_mean(costs, SMOOTH_WINDOW) if smooth else costs


def cost_items(panel) -> dict:
    return {r.serial: panel._cost_items.get(r.serial) for r in panel.runs}


def wait_drawn(qtbot, panel) -> None:
    """Wait until nothing waits to be drawn and every shown run's cost curve is complete."""
    qtbot.waitUntil(
        lambda: (
            not getattr(panel, "_queue", ())
            and panel.cost_plot.updatesEnabled()  # painting again once drawn
            and panel.accuracy_plot.updatesEnabled()
            and all(
                r.serial in panel._cost_items
                and panel._cost_items[r.serial].yData is not None
                and len(panel._cost_items[r.serial].yData) == r.updates
                for r in panel.shown_runs()
            )
        )
    )


def test_keeping_a_run_adds_its_items_only(qtbot, tiny_digits, tab) -> None:
    _tabs, panel, runs, counts = tab
    before = cost_items(panel)
    new = make_runs(tiny_digits, 13, 1)[0]
    panel.set_runs([*runs, new])
    wait_drawn(qtbot, panel)
    assert counts["added"] == 3  # its cost curve, accuracy line and final star
    assert counts["removed"] == 0
    assert counts["set"] == 3  # only its own points
    assert counts["smoothed"] == 1
    after = cost_items(panel)
    assert all(after[s] is item for s, item in before.items())  # the others untouched
    names = [label.text for _sample, label in panel.legend.items]
    assert names == [r.name for r in [*runs, new]]
    # The budget drops the oldest: its items go, nobody else's are made again.
    counts.update(dict.fromkeys(counts, 0))
    panel.set_runs([*runs[1:], new])
    wait_drawn(qtbot, panel)
    assert counts["added"] == 0 and counts["removed"] == 3 and counts["set"] == 0
    qtbot.waitUntil(
        lambda: (
            [label.text for _s, label in panel.legend.items] == [r.name for r in [*runs[1:], new]]
        )
    )


def test_the_smooth_toggle_reuses_each_runs_smoothed_curve(qtbot, tab) -> None:
    _tabs, panel, runs, counts = tab
    items = cost_items(panel)
    panel.smooth.setChecked(False)
    wait_drawn(qtbot, panel)
    for run in runs:
        assert np.array_equal(panel._cost_items[run.serial].yData, expected_cost(run, False))
    panel.smooth.setChecked(True)
    wait_drawn(qtbot, panel)
    assert counts["set"] == 2 * 3 * len(runs)  # each run's three items, at each toggle
    assert counts["smoothed"] == 0  # each run's moving mean was computed once, when kept
    assert counts["added"] == counts["removed"] == 0  # the same items, given new points
    assert cost_items(panel) == items
    for run in runs:
        _x, y = panel.drawn()[run.serial].cost
        assert np.allclose(y, expected_cost(run, True))


def test_nothing_is_drawn_while_hidden_and_everything_is_right_when_shown(
    qtbot, tiny_digits, tab
) -> None:
    tabs, panel, runs, counts = tab
    tabs.setCurrentIndex(0)
    qtbot.waitUntil(lambda: not panel.isVisible())
    more = make_runs(tiny_digits, 13, 2)
    kept = [*runs[2:], *more]  # two dropped, two kept
    panel.set_runs(kept)
    panel.smooth.setChecked(False)
    panel.set_x_axis("updates")
    assert counts["added"] == 0 and counts["set"] == 0 and counts["smoothed"] == 0
    assert not getattr(panel, "_queue", None) or not panel._draw_timer.isActive()
    tabs.setCurrentWidget(panel)
    wait_drawn(qtbot, panel)
    qtbot.waitUntil(
        lambda: [label.text for _s, label in panel.legend.items] == [r.name for r in kept]
    )
    assert counts["added"] == 3 * 2  # the two new runs' items only
    drawn = panel.drawn()
    assert sorted(drawn) == sorted(r.serial for r in kept)
    for run in kept:
        x, y = drawn[run.serial].cost
        assert np.array_equal(x, np.arange(1, run.updates + 1))
        assert np.array_equal(y, expected_cost(run, False))
        _ax, ay = drawn[run.serial].accuracy
        assert np.array_equal(ay, 100 * run.curves["epoch_test_accuracy"])


def test_a_run_toggled_back_on_returns_to_its_place_in_the_legend(qtbot, tab) -> None:
    _tabs, panel, runs, counts = tab
    item = panel.run_list.item(4)
    item.setCheckState(item.checkState().__class__.Unchecked)
    qtbot.waitUntil(lambda: len(panel.legend.items) == 11)
    item.setCheckState(item.checkState().__class__.Checked)
    qtbot.waitUntil(
        lambda: [label.text for _s, label in panel.legend.items] == [r.name for r in runs]
    )
    # Laid out again in a full grid: no hole where the entry was.
    legend = panel.legend
    columns = legend.columnCount
    for k, (sample, _label) in enumerate(legend.items):
        cell = legend.layout.itemAt(k // columns, 2 * (k % columns))
        assert cell is sample
    assert counts["added"] == 3 and counts["removed"] == 3


def test_a_log_toggle_maps_the_curves_in_slices_not_all_at_once(qtbot, tab, monkeypatch) -> None:
    """pyqtgraph's setLogMode maps every curve's points at once: 0.5-0.9 s with 20 kept runs of
    full MNIST (bench_standstill). The curves are emptied first and refilled in the slices."""
    _tabs, panel, runs, counts = tab
    mapped: list[object] = []
    original = pg.PlotDataItem.updateItems

    def counted(self, *args, **kwargs):
        if self.xData is not None and len(self.xData):
            mapped.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pg.PlotDataItem, "updateItems", counted)
    for toggle, axis in ((panel.log_x, "bottom"), (panel.log_y, "left")):
        mapped.clear()
        toggle.setChecked(True)  # the toggle's own turn of the event loop
        assert len(mapped) <= 3, f"{len(mapped)} curves mapped in one turn"  # one run's, at most
        wait_drawn(qtbot, panel)
        assert panel.cost_plot.getPlotItem().getAxis(axis).logMode
        assert len(mapped) >= 2 * len(runs)  # every run's curves, in the slices
    for run in runs:
        x, y = panel.drawn()[run.serial].cost
        assert np.array_equal(x, run.cost_curve(panel.x_axis_key())[0])
        assert np.allclose(y, expected_cost(run, True))
        assert len(panel._cost_items[run.serial].getData()[0]) > 0  # drawn on the log axes
