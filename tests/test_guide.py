"""Follow the video: the stops as data, try-its that fire on the real action only, and reveals
that agree with the engine's own numbers."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QAbstractSlider
from windows import open_window

from engine.explorer import Exploration, explored_network
from engine.network import NetworkConfig
from engine.runs import Run
from engine.snapshot import network_of
from engine.teach import teach_step
from gui import guide_stops as gs
from gui.main_window import MainWindow


def test_the_stops_follow_the_videos_order_and_each_has_its_parts() -> None:
    assert [s.key for s in gs.STOPS] == [
        "cost", "sensitivity", "nudges", "three-ways", "backwards", "averaging", "sgd", "data",
    ]  # fmt: skip
    events = [s.event for s in gs.STOPS]
    assert len(set(events)) == len(events)  # one action completes one stop
    for stop in gs.STOPS:
        assert stop.text and stop.try_it and stop.question.endswith("?")
        assert stop.view.tab in ("network", "explorer", "compare")
    assert gs.choices(gs.BY_KEY["cost"])[3] == "output 3"
    assert gs.choices(gs.BY_KEY["averaging"], (784, 30, 10)) == [
        "layer 1: input to hidden 1",
        "layer 2: hidden 1 to output",
    ]
    assert gs.Reveal(2, "x").verdict(2) == "Right. x" and gs.Reveal(2, "x").verdict(1).startswith(
        "Not this time."
    )


@pytest.fixture
def exploration(trained_on_sample) -> Exploration:
    snapshot, data = trained_on_sample
    return Exploration(snapshot, data.test.images[7], int(data.test.labels[7]))


def test_reveals_compare_with_the_engines_numbers(exploration, trained_on_sample) -> None:
    e = exploration
    snapshot, data = trained_on_sample
    net = explored_network(snapshot)  # the parameters the snapshot's mini-batch was taken at
    x = data.test.images[7].reshape(1, -1) / 255.0
    a = net.feedforward(x)[0]
    y = np.eye(10)[e.label]
    # 1: the output with the largest (a - y)^2 / 2, the quadratic cost's term.
    reveal = gs.reveal_cost_term(e)
    assert reveal.answer == int(np.argmax((a - y) ** 2))
    assert f"{e.cost:.4f}" in reveal.text and f"{0.5 * np.sum((a - y) ** 2):.4f}" in reveal.text
    # 2: nudging the weight really moves the mini-batch cost the way revealed.
    param = (1, 3, 5)
    moved = explored_network(snapshot)
    moved.params[1][3, 5] += gs.NUDGE_DW
    batch = snapshot.batch_images.reshape(len(snapshot.batch_images), -1) / 255.0
    labels = np.asarray(snapshot.batch_labels)
    change = moved.mean_cost(batch, labels) - net.mean_cost(batch, labels)
    assert gs.reveal_nudge(e, param).answer == (0 if change > 0 else 1)
    assert f"{abs(change):.5f}" in gs.reveal_nudge(e, param).text
    # 4: the weight into the correct output whose -a_k * delta is largest.
    record = net.backprop(x, np.array([e.label]))
    wanted = -record.activations[-2][0] * record.deltas[-1][0, e.label]
    assert gs.reveal_strongest_weight(e).answer == int(np.argmax(np.abs(wanted)))
    # 5: the last hidden neuron with the largest |dC/da|.
    assert gs.reveal_hidden_desire(e).answer == int(np.argmax(np.abs(record.dc_da[-2][0])))
    # 6: the layer whose largest |update| is largest, from the snapshot's own step.
    peaks = [np.abs(s).max() for s in snapshot.step_w]
    reveal = gs.reveal_moved_layer(snapshot)
    assert reveal.answer == int(np.argmax(peaks)) and f"{max(peaks):.5f}" in reveal.text


def test_teach_reveal_compares_with_the_cost_before_and_after(trained_on_sample) -> None:
    snapshot, data = trained_on_sample
    net = network_of(snapshot)
    x = data.test.images[3].reshape(-1) / 255.0
    label = int(data.test.labels[3])
    before = net.mean_cost(x[None], np.array([label]))
    result = teach_step(net, x, label, 3.0)
    after = net.mean_cost(x[None], np.array([label]))
    reveal = gs.reveal_teach(result)
    assert reveal.answer == (1 if after < before else 0)
    assert f"{before:.4f} to {after:.4f}" in reveal.text


def test_best_run_reveal_reads_each_runs_final_accuracy() -> None:
    def run(acc: float) -> Run:
        cfg = NetworkConfig()
        return Run("r", cfg, None, 0, "d", 1, {}, final_test=(0.1, acc))

    runs = [run(0.5), run(0.8), run(0.7)]
    reveal = gs.reveal_best_run(runs, ["a", "b", "c"])
    assert reveal.answer == 1 and "a 50.0%, b 80.0%, c 70.0%" in reveal.text


@pytest.fixture
def window(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path / "s.ini")
    qtbot.waitUntil(lambda: w.data is not None, timeout=10000)
    w.worker.run_batches(50)
    qtbot.waitUntil(
        lambda: len(w.record.history) == 50 and w.record.state == "paused", timeout=20000
    )
    yield w
    w.close()


def explore(qtbot, window, step: int) -> None:
    """Open the explorer at a step and wait for its exploration."""
    window.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: window.explorer.exploration is not None, timeout=10000)
    window.explorer.set_step(step)


def test_each_try_it_fires_on_its_real_action_and_not_on_others(qtbot, window) -> None:
    guide = window.guide
    assert guide.done == set()
    # Exploring the explorer's own example is not exploring the drawn digit.
    explore(qtbot, window, 7)
    assert guide.done == set()
    slider = window.explorer.gradient_page.slider
    slider.triggerAction(QAbstractSlider.SliderAction.SliderSingleStepAdd)
    assert guide.done == {"sensitivity"}
    window.explorer.set_step(4)
    qtbot.keyClick(window.explorer.output_page.combo, Qt.Key.Key_Down)
    assert guide.done == {"sensitivity", "three-ways"}
    window.explorer.set_step(5)
    window.explorer.back_page.slider.triggerAction(QAbstractSlider.SliderAction.SliderToMinimum)
    assert guide.done == {"sensitivity", "three-ways", "backwards"}
    # The drawn digit explored with Ctrl+E.
    window.digit_panel.load_test_digit(0)
    window.explore_drawing_action.trigger()
    qtbot.waitUntil(lambda: "cost" in guide.done, timeout=5000)
    assert guide.done == {"sensitivity", "three-ways", "backwards", "cost"}
    # Running and stepping an epoch are not "Step mini-batch".
    window.tabs.setCurrentIndex(0)
    window.epoch_action.trigger()
    qtbot.waitUntil(
        lambda: window.record.state == "paused" and len(window.record.history) > 50, timeout=20000
    )
    qtbot.wait(100)
    assert "averaging" not in guide.done
    window.step_action.trigger()
    qtbot.waitUntil(lambda: "averaging" in guide.done, timeout=5000)
    # Stop 6's reveal reads the step just taken, not an earlier one.
    stepped = gs.reveal_moved_layer(window.worker.latest_snapshot()).verdict(0)
    assert guide.reveal(5, 0) == stepped
    # Teach it: one SGD step on the pad's digit.
    assert "nudges" not in guide.done
    window.digit_panel.select_label(int(window.data.test.labels[0]))
    window.digit_panel.apply_step()
    qtbot.waitUntil(lambda: "nudges" in guide.done, timeout=5000)
    assert guide.done == {"sensitivity", "three-ways", "backwards", "cost", "averaging", "nudges"}
    assert window.guide.panel.progress.text() == "6 of 8 tried"


def test_experiment_try_its_fire_only_when_the_experiment_finishes(qtbot, window) -> None:
    guide = window.guide
    runner = window.runs.runner
    with qtbot.waitSignal(runner.experiment_finished, timeout=20000):
        window.runs.start_experiment("batch-size", 1)
        qtbot.waitUntil(lambda: runner.progress()[0] > 0, timeout=5000)  # a sweep or a run
        runner.cancel()
    assert "sgd" not in guide.done  # cancelled: not tried
    with qtbot.waitSignal(runner.experiment_finished, timeout=60000):
        window.runs.start_experiment("cost", 1)
    assert guide.done == set()  # another experiment
    with qtbot.waitSignal(runner.experiment_finished, timeout=120000):
        window.runs.start_experiment("data-size", 1)
    assert guide.done == {"data"}
    text = guide.reveal(7, 2)
    accuracies = [r.final_test[1] for r in runner.runs]
    assert text.startswith("Right." if int(np.argmax(accuracies)) == 2 else "Not this time.")
    for acc in accuracies:
        assert f"{100 * acc:.1f}%" in text


def test_predict_then_reveal_in_the_window_uses_the_live_numbers(qtbot, window) -> None:
    guide = window.guide
    guide.show(0)
    assert guide.reveal(0, 0) == "Open the explorer on an example first (Show me)."
    guide.open_view(0)
    assert window.tabs.currentIndex() == 1 and window.explorer.step() == 2
    assert window.pad_dock.isVisible()
    qtbot.waitUntil(lambda: window.explorer.exploration is not None, timeout=10000)
    e = window.explorer.exploration
    answer = int(np.argmax(e.cost_breakdown()))
    assert guide.reveal(0, answer).startswith("Right.")
    assert guide.panel.answer.text() == gs.reveal_cost_term(e).verdict(answer)
    # Stop 3's question is answered by the step taken after it was asked.
    guide.panel.set_stop(2)
    assert guide.reveal(2, 1) == "Apply one SGD step on the pad's digit to find out."
    window.digit_panel.load_test_digit(5)
    window.digit_panel.select_label(int(window.data.test.labels[5]))
    x = window.digit_panel.network_input().reshape(1, -1)
    label = np.array([int(window.data.test.labels[5])])
    before = network_of(window.worker.latest_snapshot()).mean_cost(x, label)
    window.digit_panel.apply_step()
    qtbot.waitUntil(lambda: not isinstance(guide.answer(2), str), timeout=5000)  # a Reveal
    qtbot.waitUntil(lambda: window.record.state == "paused", timeout=5000)
    after = network_of(window.worker.latest_snapshot()).mean_cost(x, label)
    text = guide.reveal(2, 1)
    assert f"{before:.4f} to {after:.4f}" in text
    assert text.startswith("Right." if after < before else "Not this time.")
    # Stop 6 opens the diagram in update mode and reveals from the step just taken.
    guide.panel.set_stop(5)
    guide.open_view(5)
    assert window.tabs.currentIndex() == 0 and window.network_view.edge_mode() == "update"
    window.step_action.trigger()
    qtbot.waitUntil(lambda: not isinstance(guide.answer(5), str), timeout=5000)  # a Reveal
    assert guide.reveal(5, 0) == gs.reveal_moved_layer(window.worker.latest_snapshot()).verdict(0)


def test_progress_is_remembered_and_the_panel_reopens_from_help(qtbot, tmp_path) -> None:
    path = tmp_path / "s.ini"
    first = open_window(qtbot, path)
    help_menu = next(a.menu() for a in first.menuBar().actions() if a.text() == "&Help")
    assert first.guide.toggle_action in help_menu.actions()
    assert not first.guide.dock.isVisible()
    first.guide.toggle_action.trigger()
    assert first.guide.dock.isVisible()
    first.guide.panel.next_button.click()
    first.guide.panel.next_button.click()
    first.guide.fire(gs.TEACH)
    first.guide.dock.close()
    assert not first.guide.toggle_action.isChecked()
    first.close()
    second = MainWindow(QSettings(str(path), QSettings.Format.IniFormat))
    qtbot.addWidget(second)
    assert second.guide.panel.index == 2 and second.guide.done == {"nudges"}
    assert second.guide.panel.try_status.text().startswith("✓ Done")
    second.guide.toggle_action.trigger()
    second.show()
    assert second.guide.dock.isVisible()
    second.close()


def test_the_guide_data_loads_without_qt() -> None:
    import subprocess
    import sys

    code = (
        "import sys, gui.guide_stops\n"
        "sys.exit(1 if any(m.startswith('PySide6') for m in sys.modules) else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
