"""The Compare tab: curves equal each run's history; axes, toggles, exports; runs kept, opened."""

from __future__ import annotations

import csv
import html

import numpy as np
import pytest
from PySide6.QtCore import Qt
from test_runs import trained_run
from windows import open_window, train_batches

from engine.session.runs import KeptRun
from gui.runs.compare_panel import ComparePanel, smoothed


@pytest.fixture
def panel(qtbot, tiny_digits):
    p = ComparePanel()
    qtbot.addWidget(p)
    p.resize(1000, 600)
    p.show()
    runs = []
    for k in range(2):
        run, _ = trained_run(tiny_digits, f"run {k}", batches=100 + 30 * k)
        run.serial = k + 1
        runs.append(run)
    p.set_runs(runs)
    return p


def test_plotted_curves_equal_each_runs_history_on_every_axis(panel) -> None:
    panel.smooth.setChecked(False)
    for axis, expected_x in (
        ("epochs", lambda r: r.curves["batch_progress"]),
        ("examples", lambda r: 10 * np.arange(1, r.updates + 1)),
        ("updates", lambda r: np.arange(1, r.updates + 1)),
    ):
        panel.set_x_axis(axis)
        for run in panel.runs:
            x, y = panel.drawn()[run.serial].cost
            assert np.allclose(x, expected_x(run))
            assert np.array_equal(y, run.curves["batch_cost"])
            ax, ay = panel.drawn()[run.serial].accuracy
            assert np.array_equal(ay, 100 * run.curves["epoch_test_accuracy"])
    assert panel.cost_plot.getPlotItem().getAxis("bottom").labelText == "updates"


def test_smoothing_is_the_mean_of_the_last_hundred_costs(panel) -> None:
    run = panel.runs[1]
    _, y = panel.drawn()[run.serial].cost
    costs = run.curves["batch_cost"]
    expected = [costs[max(0, i - 99) : i + 1].mean() for i in range(len(costs))]
    assert np.allclose(y, expected)
    assert np.allclose(smoothed(np.array([1.0, 3.0, 5.0]), 2), [1.0, 2.0, 4.0])


def test_runs_toggle_off_and_on_with_their_checkbox(qtbot, panel) -> None:
    item = panel.run_list.item(0)
    item.setCheckState(Qt.CheckState.Unchecked)
    assert [r.name for r in panel.shown_runs()] == ["run 1"]
    assert set(panel.drawn()) == {2}
    assert [label.text for _, label in panel.legend.items] == ["run 1"]
    panel.set_runs(panel.runs)  # a new run arriving keeps the choice
    assert set(panel.drawn()) == {2}
    panel.run_list.item(0).setCheckState(Qt.CheckState.Checked)
    assert set(panel.drawn()) == {1, 2}


def test_log_axes_and_the_final_star(qtbot, panel) -> None:
    panel.log_x.setChecked(True)
    panel.log_y.setChecked(True)
    assert panel.cost_plot.getPlotItem().ctrl.logXCheck.isChecked()
    assert panel.cost_plot.getPlotItem().ctrl.logYCheck.isChecked()
    run = panel.runs[1]  # 130 batches: ended between epochs 2 and 3
    run.final_test = (0.4, 0.3)
    panel.update_run(run)
    fx, fy = panel.drawn()[run.serial].final
    assert fx.tolist() == [run.curves["batch_progress"][-1]] and fy.tolist() == [30.0]


def test_csv_export_holds_every_curve_and_png_is_written(panel, tmp_path) -> None:
    panel.runs[0].final_test = (0.5, 0.25)
    panel.export_csv(tmp_path / "runs.csv")
    with open(tmp_path / "runs.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    for run in panel.runs:
        mine = [r for r in rows if r["run"] == run.name]
        batches = [r for r in mine if r["kind"] == "batch"]
        assert np.allclose([float(r["cost"]) for r in batches], run.curves["batch_cost"], 1e-5)
        assert [int(r["updates"]) for r in batches] == list(range(1, run.updates + 1))
        epochs = [r for r in mine if r["kind"] == "epoch"]
        assert [float(r["epochs"]) for r in epochs] == run.curves["epoch_epoch"].tolist()
    final = [r for r in rows if r["kind"] == "final"]
    assert [(r["run"], float(r["test_accuracy"])) for r in final] == [("run 0", 0.25)]
    assert panel.export_png(tmp_path / "c.png") and (tmp_path / "c.png").stat().st_size > 1000


def test_a_finished_window_run_is_kept_with_its_own_history(qtbot, tmp_path) -> None:
    window = open_window(qtbot, tmp_path / "s.ini")
    window.set_speed(0)  # full speed: what is checked is not the pace
    train_batches(qtbot, window, 120)
    before = window.record.history.to_arrays()
    window.reset(ask=False)
    qtbot.waitUntil(lambda: len(window.runs.registry.runs) == 1, timeout=10000)
    run = window.runs.registry.runs[0]
    for name, values in before.items():
        assert np.array_equal(run.curves[name], values)
    assert run.parameters.examples_seen == 1200 and run.name == "Run 1"
    # Its curve in the Compare tab is that history.
    panel = window.runs.panel
    panel.smooth.setChecked(False)
    x, y = panel.drawn()[run.serial].cost
    assert np.array_equal(x, before["batch_progress"]) and np.array_equal(y, before["batch_cost"])
    # Opening it continues from its network, with its history on the main cost plot.
    window.runs.open_run(run)
    qtbot.waitUntil(lambda: len(window.record.history) == 120, timeout=10000)
    qtbot.waitUntil(lambda: window.worker.latest_snapshot().examples_seen == 1200, timeout=10000)
    snap = window.worker.latest_snapshot()
    for w, kept in zip(snap.weights, run.parameters.weights):
        assert np.array_equal(w, kept)
    assert np.array_equal(window.record.history.to_arrays()["batch_cost"], before["batch_cost"])
    assert window.tabs.currentIndex() == 0
    window.close()


def test_keep_current_run_from_the_menu_and_the_budget_is_shown(qtbot, tmp_path) -> None:
    window = open_window(qtbot, tmp_path / "s.ini")
    assert window.runs.keep_current() is None  # nothing trained yet: a message, nothing kept
    train_batches(qtbot, window, 30)
    window.runs.keep_action.trigger()
    assert [r.updates for r in window.runs.registry.runs] == [30]
    assert window.runs.keep_current() is None  # unchanged since: not kept twice
    assert "of 64 MB" in window.runs.panel.memory.text()
    window.runs.panel.budget.setValue(5)
    assert window.runs.registry.budget == 5 * 2**20
    assert window.settings.value("compare/budget_mb") in (5, "5")
    window.close()


def test_an_experiment_from_the_runs_menu_fills_the_comparison_live(qtbot, tmp_path) -> None:
    window = open_window(qtbot, tmp_path / "s.ini")
    qtbot.waitUntil(lambda: window.data is not None, timeout=10000)
    window.runs.panel.epochs.setValue(1)
    progressed: list[KeptRun] = []
    window.runs.runner.run_progressed.connect(progressed.append)
    with qtbot.waitSignal(window.runs.runner.experiment_finished, timeout=60000):
        window.runs.experiment_actions["learning-rate"].trigger()
        assert window.tabs.currentWidget() is window.runs.panel
        assert window.runs.panel.run_button.text() == "Cancel"
    assert progressed  # the curves were handed out while training
    names = [r.name for r in window.runs.registry.runs]
    assert names == ["η = 0.3", "η = 3", "η = 30"]
    assert window.runs.panel.run_button.text() == "Run experiment"
    assert "done" in window.runs.panel.progress.text()
    assert window.worker.latest_snapshot().examples_seen == 0  # the learner's network waited
    window.close()


def test_a_branch_keeps_its_parent_run_and_is_kept_by_name_when_it_ends(qtbot, tmp_path) -> None:
    window = open_window(qtbot, tmp_path / "s.ini")
    window.set_speed(0)  # full speed: what is checked is not the pace
    train_batches(qtbot, window, 250)
    # The run is kept with the latest network the window has shown of it: wait until that is
    # its final one, as a learner who sees 2,500 examples and then scrubs back.
    qtbot.waitUntil(
        lambda: (
            window.feed.kept_count >= 3
            and window.feed.shown_serial == window.worker.snapshot_serial
        ),
        timeout=5000,
    )
    parent = window.record.history.to_arrays()
    window.timeline.snapshot_chosen.emit(1)  # scrubbed back to 1,000 examples
    window.timeline.resume_requested.emit(1)
    qtbot.waitUntil(lambda: len(window.runs.registry.runs) == 1, timeout=10000)
    kept = window.runs.registry.runs[0]
    assert kept.name == "Run 1" and kept.updates == 250
    assert np.array_equal(kept.curves["batch_cost"], parent["batch_cost"])
    assert kept.parameters.examples_seen == 2500  # its final network, not the scrubbed one
    qtbot.waitUntil(lambda: len(window.record.history) == 100, timeout=10000)
    train_batches(qtbot, window, 20)
    branch_history = window.record.history.to_arrays()
    window.reset(ask=False)
    qtbot.waitUntil(lambda: len(window.runs.registry.runs) == 2, timeout=10000)
    branch = window.runs.registry.runs[1]
    assert branch.name == "Run 2 (branch at epoch 0.10)"
    assert np.array_equal(branch.curves["batch_progress"], branch_history["batch_progress"])
    assert branch.parameters.examples_seen == 1200
    window.close()


def test_closing_the_window_mid_experiment_stops_its_worker(qtbot, tmp_path) -> None:
    window = open_window(qtbot, tmp_path / "s.ini")
    qtbot.waitUntil(lambda: window.data is not None, timeout=10000)
    window.runs.start_experiment("batch-size", 50)
    runner = window.runs.runner
    worker = runner.worker
    qtbot.waitUntil(lambda: worker.state == "running", timeout=10000)
    window.close()
    assert runner.worker is None and worker.thread_finished()


def test_the_panels_run_button_starts_and_cancels(qtbot, tmp_path) -> None:
    window = open_window(qtbot, tmp_path / "s.ini")
    qtbot.waitUntil(lambda: window.data is not None, timeout=10000)
    panel = window.runs.panel
    panel.choose_experiment("architecture")
    panel.mode.setCurrentIndex(panel.mode.findData("same"))  # no sweep: the runs start at once
    panel.epochs.setValue(40)
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    runner = window.runs.runner
    assert runner.key == "architecture" and not panel.epochs.isEnabled()
    qtbot.waitUntil(lambda: runner.progress()[0] > 20, timeout=10000)
    with qtbot.waitSignal(runner.experiment_finished, timeout=5000) as blocker:
        qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["architecture", True]
    assert [r.status for r in window.runs.registry.runs] == ["cancelled"]
    assert "cancelled" in panel.progress.text() and panel.epochs.isEnabled()
    window.close()


def test_a_fair_experiment_shows_its_sweep_and_findings_and_reruns_at_same_settings(
    qtbot, tmp_path
) -> None:
    window = open_window(qtbot, tmp_path / "s.ini")
    qtbot.waitUntil(lambda: window.data is not None, timeout=10000)
    panel, runner = window.runs.panel, window.runs.runner
    panel.choose_experiment("cost")
    assert panel.mode.currentData() == "fair"  # the default
    assert "He N(0, 2/n_in) for ReLU, Xavier N(0, 1/n_in)" in panel.mode_why.text()
    panel.epochs.setValue(1)
    with qtbot.waitSignal(runner.experiment_finished, timeout=120000):
        qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    # The sweep's lines: every rate tried with its measured accuracy, and the one picked.
    text = panel.sweep_text.text()
    for sweep, run in zip(runner.sweeps, runner.runs):
        assert html.escape(sweep.describe()) in text
        best = 100 * sweep.accuracies[sweep.rates.index(sweep.best)]
        assert f"{sweep.best:g}: {best:.1f}% \u2190 picked" in text
        assert run.train.learning_rate == sweep.best and f"\u03b7 = {sweep.best:g}" in run.name
    # The findings the learner reads are the runner's, computed from these runs.
    shown = panel.findings.text()
    assert runner.findings and all(html.escape(line) in shown for line in runner.findings)
    accs = sorted(((r.final_accuracy(), s.variant) for s, r in zip(runner.specs, runner.runs)))
    (low, loser), (high, winner) = accs
    assert f"{winner} {100 * high:.1f}%, {loser} {100 * low:.1f}%" in shown
    # One click away: the same experiment at the video's settings, with why it differs.
    assert panel.other_mode_button.isVisible()
    with qtbot.waitSignal(runner.experiment_finished, timeout=120000):
        qtbot.mouseClick(panel.other_mode_button, Qt.MouseButton.LeftButton)
    assert panel.mode.currentData() == "same" and "video's \u03b7 = 3" in panel.mode_why.text()
    assert [r.name for r in runner.runs] == ["quadratic cost", "cross-entropy cost"]
    assert {(r.train.learning_rate, r.network.init) for r in runner.runs} == {(3.0, "normal")}
    assert runner.sweeps == [] and panel.sweep_text.text() == ""
    assert all(html.escape(line) in panel.findings.text() for line in runner.findings)
    window.close()
