"""Follow the video: the stops as data, try-its that fire on the real action only, and reveals
whose sentences agree with the engine's own numbers."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QAbstractSlider
from windows import drain, heard_pause, open_window, train_batches

from engine.core.network import Network, NetworkConfig
from engine.core.training import TrainConfig, Trainer, to_inputs
from engine.lessons import full_batch as fb
from engine.lessons.data_amount import AmountResult
from engine.lessons.explorer import Exploration, explored_network
from engine.lessons.steepest_descent import steepest_descent
from engine.lessons.step_story import finish_story, prepare_story
from engine.lessons.teach import teach_step
from engine.session.snapshot import network_of, take_snapshot
from gui.guide import stops as gs
from gui.window.main_window import MainWindow


def test_the_stops_follow_the_videos_order_and_each_has_its_parts() -> None:
    assert [s.key for s in gs.STOPS] == [
        "play", "cost", "nudges", "three-ways", "backwards", "averaging", "sensitivity",
        "steepest", "drunk", "data",
    ]  # fmt: skip
    assert [s.start_here for s in gs.STOPS] == [True] + [False] * (len(gs.STOPS) - 1)
    assert [s.view.explorer_step for s in gs.STOPS[-3:]] == [10, 11, 12]
    for stop in gs.STOPS:
        assert stop.text and stop.try_it and stop.try_label and stop.question.endswith("?")
        assert stop.view.tab in ("network", "explorer")
        assert len(gs.choices(stop)) >= 2
    assert gs.choices(gs.BY_KEY["cost"])[3] == "output 3"
    assert gs.choices(gs.BY_KEY["data"], n_train=60000)[-1] == "60,000 labelled examples"
    assert gs.Reveal(2, "x").verdict(2) == "Right. x" and gs.Reveal(2, "x").verdict(1).startswith(
        "Not this time."
    )


def test_the_cost_stop_says_the_apps_cost_has_the_half() -> None:
    text = gs.BY_KEY["cost"].text
    assert "C_x = \u00bd \u03a3 (a \u2212 y)\u00b2" in text and "half the sum" in text


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
    # The cost: the output with the largest (a - y)^2 / 2, the quadratic cost's term.
    reveal = gs.reveal_cost_term(e)
    j = int(np.argmax((a - y) ** 2))
    assert reveal.answer == j
    assert f"\u00bd(a \u2212 y)\u00b2 = {0.5 * (a[j] - y[j]) ** 2:.4f}" in reveal.text
    assert f"C_x = \u00bd\u03a3(a \u2212 y)\u00b2 = {0.5 * np.sum((a - y) ** 2):.4f}" in reveal.text
    # Sensitivity: nudging the weight really moves the mini-batch cost the way revealed.
    param = (1, 3, 5)
    moved = explored_network(snapshot)
    moved.params[1][3, 5] += gs.NUDGE_DW
    batch = snapshot.batch_images.reshape(len(snapshot.batch_images), -1) / 255.0
    labels = np.asarray(snapshot.batch_labels)
    change = moved.mean_cost(batch, labels) - net.mean_cost(batch, labels)
    assert gs.reveal_nudge(e, param).answer == (0 if change > 0 else 1)
    assert f"{abs(change):.5f}" in gs.reveal_nudge(e, param).text
    # Three ways: the weight into the correct output whose -a_k * delta is largest.
    record = net.backprop(x, np.array([e.label]))
    wanted = -record.activations[-2][0] * record.deltas[-1][0, e.label]
    k = int(np.argmax(np.abs(wanted)))
    reveal = gs.reveal_strongest_weight(e)
    assert reveal.answer == k and f"from neuron {k} (activation " in reveal.text
    assert f"{record.activations[-2][0][k]:.3f}) into output {e.label}" in reveal.text
    assert f"change of {wanted[k]:+.5f}" in reveal.text
    # Backwards: the last hidden neuron with the largest |dC/da|.
    k = int(np.argmax(np.abs(record.dc_da[-2][0])))
    reveal = gs.reveal_hidden_desire(e)
    assert reveal.answer == k and reveal.text.startswith(f"Neuron {k} wants")
    assert f"-dC/da = {-record.dc_da[-2][0][k]:+.5f}" in reveal.text


def test_steepest_reveal_counts_the_random_directions_that_beat_minus_g(exploration) -> None:
    e = exploration
    reveal = gs.reveal_steepest(e, 3.0, n_random=20)
    s = steepest_descent(e.network, e.batch_images, e.batch_labels, 3.0, 20)
    more = int(np.sum(s.random_changes < s.gradient_change))
    assert reveal.answer == (0 if more == 0 else 1 if more <= gs.FEW_BEATEN else 2)
    assert f"by {s.gradient_change:+.5f}" in reveal.text
    assert f"by {s.random_changes.min():+.5f}" in reveal.text
    assert f"{more} of them lowered it more" in reveal.text
    # Independently: a step of eta along -g really changes the batch's cost by what is said.
    x = to_inputs(e.batch_images, np.float64)
    stepped = explored_network(e.snapshot)
    grads = stepped.backprop(x, e.batch_labels)
    before = float(stepped.mean_cost(x, e.batch_labels))
    for w, b, gw, gb in zip(stepped.weights, stepped.biases, grads.nabla_w, grads.nabla_b):
        w -= 3.0 * gw
        b -= 3.0 * gb
    assert f"{float(stepped.mean_cost(x, e.batch_labels)) - before:+.5f}" in reveal.text


def test_drunk_reveal_measures_the_angle_between_the_two_gradients(
    exploration, trained_on_sample
) -> None:
    e = exploration
    _, data = trained_on_sample
    reveal = gs.reveal_drunk(e, data.train.images, data.train.labels)
    rows = np.sort(np.random.default_rng(0).choice(len(data.train.labels), 2000, replace=False))
    net = e.network
    whole = net.backprop(to_inputs(data.train.images[rows], np.float64), data.train.labels[rows])
    batch = net.backprop(to_inputs(e.batch_images, np.float64), e.batch_labels)

    def flat(r) -> np.ndarray:
        return np.concatenate([np.r_[w.ravel(), b.ravel()] for w, b in zip(r.nabla_w, r.nabla_b)])

    u, v = flat(whole), flat(batch)
    angle = np.degrees(np.arccos(u @ v / np.linalg.norm(u) / np.linalg.norm(v)))
    shown = float(re.search(r"points ([0-9.]+)\u00b0 away", reveal.text).group(1))
    assert shown == pytest.approx(angle, abs=0.051)
    assert reveal.answer == (0 if angle < 30 else 1 if angle < 90 else 2)
    assert ("still downhill" in reveal.text) == (30 <= angle < 90)
    assert "2,000 training images" in reveal.text
    assert fb.full_gradient(net, e.batch_images, e.batch_labels).n_examples == len(e.batch_labels)


@pytest.fixture
def story(tiny_digits):
    images, labels = tiny_digits
    net = Network(NetworkConfig(sizes=(784, 12, 8, 10)), np.random.default_rng(3))
    trainer = Trainer(net, images, labels, TrainConfig(), seed=11)
    for _ in range(5):
        trainer.step_batch()
    told = prepare_story(trainer, images, trainer.config, take_snapshot(trainer, images))
    trainer.step_batch()
    return finish_story(told, take_snapshot(trainer, images))


def test_step_reveals_read_the_costs_and_the_weights_before_and_after(story) -> None:
    after_net = network_of(story.after)
    x = to_inputs(story.images, after_net.dtype)
    after = np.array(
        [float(after_net.mean_cost(x[i : i + 1], story.labels[i : i + 1])) for i in range(10)]
    )
    assert np.mean(after) == pytest.approx(story.cost_after, rel=1e-5)
    reveal = gs.reveal_step_costs(story)
    fell = int(np.sum(after < story.costs))
    assert reveal.answer == (0 if fell == 10 else 1)
    if fell < 10:
        i = int(np.argmax(after - story.costs))
        assert f"{fell} of 10 examples' costs went down and {10 - fell} went up" in reveal.text
        assert f"rose from {story.costs[i]:.4f} to {after[i]:.4f}" in reveal.text
    else:
        assert reveal.text.startswith("All 10 examples' costs went down")
    assert f"from {story.cost_before:.4f} to {story.cost_after:.4f}." in reveal.text
    # Averaging: the step moved the weight by eta times the average of the examples' wishes.
    layer, out, col = gs.most_wanted_weight(story)
    record = network_of(story.before).backprop(to_inputs(story.images), story.labels)
    wish = -record.deltas[layer][0, out] * record.activations[layer][0, col]
    all_wishes = [story.wanted_change(0, k) for k in range(3)]
    assert abs(wish) == pytest.approx(max(np.abs(w).max() for w in all_wishes), rel=1e-4)
    average = -record.nabla_w[layer][out, col]
    moved = float(story.after.weights[layer][out, col]) - float(
        story.before.weights[layer][out, col]
    )
    assert moved == pytest.approx(3.0 * average, rel=1e-3, abs=1e-6)
    reveal = gs.reveal_agreement(story)
    assert reveal.answer == (0 if moved * wish > 0 else 1)
    assert f"changed by {wish:+.5f}" in reveal.text and f"is {average:+.5f}" in reveal.text
    assert f"the step moved it by {moved:+.5f}" in reveal.text
    assert ("the others outvoted it" in reveal.text) == (moved * wish < 0)


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


def test_amounts_reveal_reads_each_networks_test_accuracy() -> None:
    def result(n: int, acc: float) -> AmountResult:
        return AmountResult(n, acc, int(acc * 2000), 2000, 100, 1.0)

    reveal = gs.reveal_amounts([result(100, 0.6), result(1000, 0.85), result(10000, 0.8)])
    assert reveal.answer == 1
    assert "trained on 1,000 labelled examples scored highest" in reveal.text
    assert "100: 60.0%, 1,000: 85.0%, 10,000: 80.0%" in reveal.text


@pytest.fixture
def window(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path / "s.ini")
    qtbot.waitUntil(lambda: w.data is not None, timeout=10000)
    train_batches(qtbot, w, 50)
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
    window.menus.explore_drawing_action.trigger()
    qtbot.waitUntil(lambda: "cost" in guide.done, timeout=5000)
    assert guide.done == {"sensitivity", "three-ways", "backwards", "cost"}
    # Running and stepping an epoch are not "Step mini-batch".
    window.tabs.setCurrentIndex(0)
    window.lab.choose(speed=0)  # full speed: what is checked is not the pace
    with heard_pause(qtbot, window):
        window.menus.epoch_action.trigger()
    qtbot.waitUntil(lambda: len(window.record.history) > 50, timeout=20000)
    drain()
    assert "steepest" not in guide.done
    window.menus.step_action.trigger()
    qtbot.waitUntil(lambda: "steepest" in guide.done, timeout=5000)
    assert "play" not in guide.done  # a step is not a played step
    window.play_step_action.trigger()
    qtbot.waitUntil(lambda: "play" in guide.done, timeout=10000)
    assert "averaging" in guide.done  # the two stops that play a step
    # Teach it: one SGD step on the pad's digit.
    assert "nudges" not in guide.done
    window.step_player.close()
    window.digit_panel.select_label(int(window.data.test.labels[0]))
    window.digit_panel.apply_step()
    qtbot.waitUntil(lambda: "nudges" in guide.done, timeout=5000)
    assert guide.done == set(gs.BY_KEY) - {"drunk", "data"}
    assert window.guide.panel.progress.text() == "8 of 10 tried"
    # Step 11 drawn at equal steps, the learner's own click on its button.
    explore(qtbot, window, 11)
    window.explorer.descent_page.equal_work.click()
    assert "drunk" not in guide.done  # the default view is not the comparison asked for
    window.explorer.descent_page.equal_steps.click()
    qtbot.waitUntil(lambda: "drunk" in guide.done, timeout=5000)


def test_experiment_and_step_12_try_its_fire_only_when_they_finish(qtbot, window) -> None:
    guide = window.guide
    runner = window.runs.runner
    with qtbot.waitSignal(runner.experiment_finished, timeout=20000):
        window.runs.start_experiment("batch-size", 1)
        qtbot.waitUntil(lambda: runner.progress()[0] > 0, timeout=5000)  # a sweep or a run
        runner.cancel()
    assert guide.done == set()  # cancelled: not tried
    page = window.explorer.data_amount_page
    page.examples_seen = 2000
    explore(qtbot, window, 12)
    guide.panel.set_stop(9)
    guide.panel.choice.setCurrentIndex(0)
    assert not guide.panel.reveal_button.isEnabled()
    guide.panel.try_button.click()  # the runner's signals come from its thread: wait, not block
    qtbot.waitUntil(lambda: guide.done == {"data"}, timeout=60000)
    results = guide._amounts
    assert [r.n_examples for r in results] == [100, 1000, 10000]
    qtbot.waitUntil(guide.panel.reveal_button.isEnabled, timeout=5000)
    text = guide.reveal(9, 0)
    accuracies = [r.accuracy for r in results]
    assert text.startswith("Right." if int(np.argmax(accuracies)) == 0 else "Not this time.")
    for r in results:
        assert f"{r.n_examples:,}: {100 * r.accuracy:.1f}%" in text


def test_predict_then_reveal_in_the_window_uses_the_live_numbers(qtbot, window) -> None:
    guide = window.guide
    guide.show(1)
    assert guide.reveal(1, 0) == "Open the explorer on an example first (Show me)."
    guide.open_view(1)
    assert window.tabs.currentIndex() == 1 and window.explorer.step() == 2
    assert window.pad_dock.isVisible()
    qtbot.waitUntil(lambda: window.explorer.exploration is not None, timeout=10000)
    e = window.explorer.exploration
    answer = int(np.argmax(e.cost_breakdown()))
    assert guide.reveal(1, answer).startswith("Right.")
    assert guide.panel.answer.text() == gs.reveal_cost_term(e).verdict(answer)
    # The nudges question is answered by the Teach step taken after it was asked.
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
    # The averaging stop reveals from the step played after it was asked, the one on screen.
    guide.panel.set_stop(5)
    assert guide.reveal(5, 0) == "Play one step (P) to find out."
    guide.panel.choice.setCurrentIndex(1)
    guide.panel.try_button.click()
    qtbot.waitUntil(lambda: window.step_player.story is not None, timeout=10000)
    story = window.step_player.story
    assert guide.reveal(5, 1) == gs.reveal_agreement(story).verdict(1)
    # The drunk-man stop measures the explored mini-batch against the training data in use.
    explore(qtbot, window, 11)
    e = window.explorer.exploration
    train = window.data.train
    assert guide.reveal(8, 2) == gs.reveal_drunk(e, train.images, train.labels).verdict(2)


def test_predict_first_then_show_try_and_reveal_unlock(qtbot, window) -> None:
    p = window.guide.panel
    window.guide.show(3)
    for index in range(1, len(gs.STOPS)):
        p.set_stop(index)
        assert p.choice.currentIndex() == -1 and p.choice.count() >= 2  # none picked for you
        assert not p.show_button.isEnabled() and not p.try_button.isEnabled()
        assert not p.reveal_button.isEnabled()
        assert p.highlighted() is p.choice
        p.choice.setCurrentIndex(p.choice.count() - 1)
        assert p.show_button.isEnabled() and p.try_button.isEnabled()
        assert p.highlighted() is p.show_button
    p.set_stop(0)  # Start here comes first: its animation does not answer the question
    assert p.highlighted() is p.start_button and p.start_button.isEnabled()
    assert p.choice.currentIndex() == -1


def test_progress_is_remembered_and_the_guide_is_one_click_away(qtbot, tmp_path) -> None:
    path = tmp_path / "s.ini"
    first = open_window(qtbot, path)
    help_menu = next(a.menu() for a in first.menuBar().actions() if a.text() == "&Help")
    assert first.guide.toggle_action in help_menu.actions()
    assert first.guide.toggle_action in first.network_view.toolbar().actions()  # a button
    assert first.guide.toggle_action.shortcut().toString() == "Shift+F1"
    assert first.guide.dock.isVisible()  # the first launch opens the lesson
    first.guide.panel.next_button.click()
    first.guide.panel.next_button.click()
    first.guide.fire(gs.TEACH)
    first.guide.dock.close()
    assert not first.guide.toggle_action.isChecked()
    first.close()
    second = MainWindow(QSettings(str(path), QSettings.Format.IniFormat))
    qtbot.addWidget(second)
    second.show()
    assert not second.guide.dock.isVisible()  # closed by the learner: not forced again
    assert second.guide.panel.index == 2 and second.guide.done == {"nudges"}
    assert second.guide.panel.try_status.text().startswith("\u2713 Done")
    second.guide.toggle_action.trigger()
    assert second.guide.dock.isVisible()
    second.close()


def test_the_guide_data_loads_without_qt() -> None:
    import subprocess
    import sys

    code = (
        "import sys, gui.guide.stops\n"
        "sys.exit(1 if any(m.startswith('PySide6') for m in sys.modules) else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_step_minibatchs_try_it_counts_from_what_the_window_shows(qtbot, tmp_path) -> None:
    """On a busy machine the worker may take the step before the press's own slot runs: the
    try-it still counts it, because it counts from the examples the window has shown."""
    import time

    window = open_window(qtbot, tmp_path / "s.ini")
    guide = window.guide
    before = window.worker.latest_snapshot().examples_seen
    window.worker.step_batch()
    deadline = time.monotonic() + 40
    while window.worker.latest_snapshot().examples_seen == before:  # no events handled meanwhile
        assert time.monotonic() < deadline, "the worker took no step"
        time.sleep(0.001)
    guide.on_step_pressed()  # the press's slot, after the worker's step
    qtbot.waitUntil(lambda: "steepest" in guide.done, timeout=10000)
